//! The planner from a ready cart to the checkout: price, approval and its ceiling, payment
//! prerequisites, restarts in CheckingOut, pause.

use super::*;

#[test]
fn checkout_is_recorded_before_it_is_sent() {
    let mut case = Case::new().with_cart().with_configured_item().priced();
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout { approved_by: None }))
    );
    case.status.phase = Some(Phase::CheckingOut);
    case.memory.checkout_begun = true;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::Checkout {
            cart_id: "cart-1".into()
        }))
    );
}

#[test]
fn manual_approval_waits_for_the_current_cart_id() {
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.spec.approval = Approval::Manual;
    let Step::Wait {
        phase,
        reason,
        message,
        warning,
        requeue,
    } = case.plan()
    else {
        panic!()
    };
    assert_eq!(
        (phase, reason, warning, requeue),
        (
            Phase::AwaitingApproval,
            Reason::AwaitingApproval,
            false,
            Requeue::Person
        )
    );
    assert!(
        message.contains("publiccloud.ovh-operator.dev/approve=cart-1"),
        "{message}"
    );
    assert!(message.contains("0.00 EUR"), "{message}");

    case.approval = Some("old-cart");
    let Step::Wait { warning, message, .. } = case.plan() else {
        panic!()
    };
    assert!(
        warning && message.contains("old-cart"),
        "a stale approval is a warning: {message}"
    );

    case.approval = Some("cart-1");
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout {
            approved_by: Some("(unknown)".into())
        }))
    );
}

#[test]
fn automatic_payment_needs_a_usable_method_unless_the_order_is_free() {
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.spec.payment = Payment::Automatic;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout { approved_by: None })),
        "free: no method needed, the fidelity account pays (and never autopay)"
    );
    case.status.price.as_mut().unwrap().with_tax = "12.00".into();
    assert_eq!(case.plan(), Step::Look(Lookup::DefaultPaymentMethod));
    for (method, problem) in [
        (None, "no default payment method"),
        (card("EXPIRED"), "CREDIT_CARD 5 (EXPIRED) is not VALID"),
    ] {
        case.observed.default_payment_method = Some(method);
        let Step::Wait {
            phase,
            reason,
            message,
            ..
        } = case.plan()
        else {
            panic!()
        };
        assert_eq!((phase, reason), (Phase::Failed, Reason::NoPaymentMethod));
        assert!(
            message.contains(problem) && message.contains("12.00 EUR"),
            "{message}"
        );
    }
    case.observed.default_payment_method = Some(card("VALID"));
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout { approved_by: None }))
    );
}

/// Part of the window unread (a hundred new orders per pass): no judgement yet, not even of a
/// match, and no stop; the search goes on.
#[test]
fn a_search_not_read_whole_goes_on_without_judging() {
    let mut case = Case::new().with_cart().priced();
    case.status.phase = Some(Phase::CheckingOut);
    case.observed.cart = Some(CartSeen::Found {
        read_only: true,
        items: vec![item(&[(1, "description", "Team A")])],
    });
    case.observed.recent_orders = Some(vec![order_seen(98, "Team B", &[]), order_seen(99, "Team A", &[])]);
    case.observed.orders_left_unread = 1;
    assert_eq!(
        case.plan(),
        wait(
            Phase::CheckingOut,
            Reason::SearchingOrder,
            "The checkout's answer was lost: its order is searched for among the orders placed \
             since it began; 2 read, 1 left (a hundred more each pass)",
            Requeue::Progress,
        )
    );
    case.observed.orders_left_unread = 0;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::ReadFound { order_id: 99 }))
    );
}

#[test]
fn a_restart_in_checking_out_never_checks_out_a_read_only_cart() {
    let mut case = Case::new().with_cart().priced();
    case.status.phase = Some(Phase::CheckingOut);
    case.observed.cart = Some(CartSeen::Found {
        read_only: true,
        items: vec![item(&[(1, "description", "Team A")])],
    });
    case.status.cart.as_mut().unwrap().created_at = Some("2026-11-27T09:00:00Z".into());
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::FindOrder {
            since: Some("2026-11-27T09:00:00Z".into())
        }),
        "orders placed since the cart was made"
    );
    // Another name, or the same with an option more, is not this resource's order.
    case.observed.recent_orders = Some(vec![
        order_seen(98, "Team B", &[]),
        order_seen(99, "Team A", &[]),
        order_seen(100, "Team A", &["certification.hds.2018"]),
    ]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::ReadFound { order_id: 99 }))
    );
    // An order another resource holds is never taken.
    case.held = vec![Holding::Order(99)];
    let none_left = case.observed.recent_orders.clone();
    case.held.clear();

    for orders in [
        Some(vec![]),
        Some(vec![order_seen(1, "Team A", &[]), order_seen(2, "Team A", &[])]),
        Some(vec![OrderSeen { id: 1, items: None }]),
    ] {
        case.observed.recent_orders = orders;
        let Step::Wait {
            phase,
            warning,
            message,
            ..
        } = case.plan()
        else {
            panic!()
        };
        assert_eq!(phase, Phase::NeedsAttention);
        assert!(warning);
        assert!(
            message.contains("publiccloud.ovh-operator.dev/order-id"),
            "says what a person can do: {message}"
        );
    }
    case.observed.recent_orders = none_left;
    case.held = vec![Holding::Order(99)];
    assert!(
        matches!(
            case.plan(),
            Step::Wait {
                phase: Phase::NeedsAttention,
                ..
            }
        ),
        "99 is held"
    );
    case.held.clear();
    // A person's answer is checked: its contents, and that no other resource holds it.
    case.order_hint = Some(1);
    assert_eq!(case.plan(), Step::Look(Lookup::HintedOrder(1)));
    case.observed.hinted_order = Some(order_seen(1, "Team B", &[]));
    let Step::Wait { reason, message, .. } = case.plan() else {
        panic!()
    };
    assert_eq!(reason, Reason::OrderHintRefused);
    assert!(message.contains("description=\"Team B\""), "{message}");
    case.observed.hinted_order = Some(order_seen(1, "Team A", &[]));
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::ReadFound { order_id: 1 })),
        "a person's answer is taken once it matches"
    );
    case.held = vec![Holding::Order(1)];
    let Step::Wait { reason, .. } = case.plan() else {
        panic!()
    };
    assert_eq!(reason, Reason::OrderHintRefused, "never another resource's order");
}

#[test]
fn a_restart_in_checking_out_with_an_open_cart_checks_out_again_without_a_search() {
    // The cart is open after the grace: its checkout never committed, whatever orders the
    // account shows (another team's with the same name must not be taken).
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.status.phase = Some(Phase::CheckingOut);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::Checkout {
            cart_id: "cart-1".into()
        }))
    );
}

#[test]
fn a_lost_cart_in_checking_out_stops_not_recreated_nor_matched() {
    let mut case = Case::new();
    case.status.phase = Some(Phase::CheckingOut);
    let Step::Wait { phase, message, .. } = case.plan() else {
        panic!()
    };
    assert_eq!(phase, Phase::NeedsAttention);
    assert!(message.contains("cannot be read"), "{message}");
}

#[test]
fn an_open_cart_is_not_checked_out_again_while_an_earlier_checkout_may_run() {
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.status.phase = Some(Phase::CheckingOut);
    case.status.cart.as_mut().unwrap().checkout_started_at = Some("2026-11-27T09:59:30Z".into());
    let Step::Wait {
        phase,
        requeue,
        message,
        ..
    } = case.plan()
    else {
        panic!("{:?}", case.plan())
    };
    assert_eq!((phase, requeue), (Phase::CheckingOut, Requeue::Progress));
    assert!(message.contains("cart-1"), "{message}");
    // The same pass that began the checkout sends it at once.
    case.memory.checkout_begun = true;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::Checkout {
            cart_id: "cart-1".into()
        }))
    );
    // After the grace, the cart read open in this pass means no order came of it: sent again.
    case.memory.checkout_begun = false;
    case.now = "2026-11-27T10:00:31Z".parse().unwrap();
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::Checkout {
            cart_id: "cart-1".into()
        }))
    );
}

#[test]
fn a_price_above_the_ceiling_waits_for_approval_even_when_automatic() {
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.status.price.as_mut().unwrap().with_tax = "30.00".into();
    case.spec.max_price = Some("25.00".into());
    let Step::Wait {
        phase,
        reason,
        message,
        ..
    } = case.plan()
    else {
        panic!()
    };
    assert_eq!(
        (phase, reason),
        (Phase::AwaitingApproval, Reason::AwaitingApproval)
    );
    assert!(
        message.contains("30.00 EUR") && message.contains("ceiling of 25.00"),
        "both amounts: {message}"
    );
    // The operator's ceiling applies too, and the lower one wins.
    case.spec.max_price = Some("100".into());
    case.max_price = Some("29.99");
    assert!(matches!(
        case.plan(),
        Step::Wait {
            phase: Phase::AwaitingApproval,
            ..
        }
    ));
    case.max_price = Some("30");
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout { approved_by: None })),
        "at the ceiling"
    );
    // Approved: checked out, and who approved is recorded.
    case.max_price = Some("10");
    case.approval = Some("cart-1");
    case.approved_by = Some("alice");
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout {
            approved_by: Some("alice".into())
        }))
    );
}

#[test]
fn a_paused_resource_makes_no_call() {
    let mut case = Case::new().with_cart();
    case.status.phase = Some(Phase::CartReady);
    case.paused = true;
    let Step::Wait { phase, reason, .. } = case.plan() else {
        panic!()
    };
    assert_eq!((phase, reason), (Phase::CartReady, Reason::Paused));
    let Step::Wait { reason, message, .. } = case.delete() else {
        panic!()
    };
    assert_eq!(reason, Reason::Paused);
    assert!(message.contains("finalizer"), "{message}");
}

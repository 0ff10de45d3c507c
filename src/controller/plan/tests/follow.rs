//! The planner once an order exists: payment, expiry, delivery, the project, adoption.

use super::*;

#[test]
fn orders_are_followed_to_delivery() {
    let mut case = Case::new().ordered(None);
    assert_eq!(case.plan(), Step::Look(Lookup::OrderStatus(42)));
    case.observed.order_status = Some(OrderStatus::NotPaid);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::RecordStatus(OrderStatus::NotPaid)))
    );

    let mut case = Case::new().ordered(Some("notPaid"));
    case.observed.order_status = Some(OrderStatus::NotPaid);
    let Step::Wait {
        phase,
        message,
        requeue,
        ..
    } = case.plan()
    else {
        panic!()
    };
    assert_eq!((phase, requeue), (Phase::AwaitingPayment, Requeue::Progress));
    assert!(message.contains("http://pay/42"));

    for (s, status) in [
        ("checking", OrderStatus::Checking),
        ("delivering", OrderStatus::Delivering),
    ] {
        let mut case = Case::new().ordered(Some(s));
        case.observed.order_status = Some(status);
        assert!(matches!(
            case.plan(),
            Step::Wait {
                phase: Phase::Delivering,
                requeue: Requeue::Progress,
                ..
            }
        ));
    }

    let mut case = Case::new().ordered(Some("delivered"));
    case.observed.order_status = Some(OrderStatus::Delivered);
    assert_eq!(case.plan(), Step::Look(Lookup::ProjectIdFromDetails(42)));
    case.observed.project_id_from_details = Some(Some("p".into()));
    assert_eq!(
        case.plan(),
        Step::Act(Act::Project(ProjectAct::RecordId {
            project_id: "p".into(),
            delivered_as: Some("Team A".into()),
        })),
        "delivered by this resource's order, under the ordered name"
    );

    case.status.project_id = Some("p".into());
    assert_eq!(case.plan(), Step::Look(Lookup::Project("p".into())));
    case.observed.project = Some(ProjectSeen::NotFound);
    case.status.delivered_at = Some("2026-11-27T09:30:00Z".into());
    assert!(
        matches!(
            case.plan(),
            Step::Wait {
                phase: Phase::Delivering,
                reason: Reason::ProjectNotVisibleYet,
                ..
            }
        ),
        "404 window after delivery"
    );
    case.now = "2026-11-27T10:31:00Z".parse().unwrap();
    assert!(
        matches!(
            case.plan(),
            Step::Wait {
                phase: Phase::NeedsAttention,
                reason: Reason::ProjectNotFound,
                warning: true,
                ..
            }
        ),
        "a 404 long after delivery needs a person"
    );
    case.observed.project = Some(ProjectSeen::Expired);
    assert!(matches!(
        case.plan(),
        Step::Wait {
            reason: Reason::ProjectExpired,
            ..
        }
    ));
    case.observed.project = Some(ProjectSeen::Found {
        status: "ok".into(),
        description: Some("Team A".into()),
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::Project(ProjectAct::RecordStatus { status: "ok".into() }))
    );
    case.status.project_status = Some("ok".into());
    // Delivery records the ordered name (outcome ProjectNamed); a status without it records the
    // spec's, never a PUT.
    assert_eq!(
        case.plan(),
        Step::Act(Act::Project(ProjectAct::RecordDescription("Team A".into())))
    );
    case.status.project_description = Some("Team A".into());
    // Once ok, the day-two state is read on its own schedule, the first time at once.
    assert_eq!(case.plan(), Step::Look(Lookup::Quotas("p".into())));
    case.day_two_read();
    assert!(matches!(
        case.plan(),
        Step::Wait {
            phase: Phase::Ready,
            requeue: Requeue::Resync,
            ..
        }
    ));
    case.observed.project = Some(ProjectSeen::Found {
        status: "suspended".into(),
        description: Some("Team A".into()),
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::Project(ProjectAct::RecordStatus {
            status: "suspended".into()
        })),
        "drift is reported"
    );
}

#[test]
fn automatic_payment_pays_once_free_orders_with_the_fidelity_account() {
    let mut case = Case::new().ordered(Some("notPaid"));
    case.spec.payment = Payment::Automatic;
    case.observed.order_status = Some(OrderStatus::NotPaid);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Payment(PaymentAct::Begin { method: None })),
        "0.00: the fidelity account, whatever the methods (ovh/manager)"
    );
    case.status.payment = Some(PaymentStatus {
        method: FIDELITY_ACCOUNT.into(),
        method_id: None,
        requested_at: "2026-11-27T09:59:00Z".into(),
        ..Default::default()
    });
    case.memory.payment_begun = true;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Payment(PaymentAct::PayWithFidelityAccount { order_id: 42 }))
    );
}

#[test]
fn automatic_payment_of_a_priced_order_uses_a_valid_default_method_once() {
    let mut case = Case::new().ordered(Some("notPaid"));
    case.status.price.as_mut().unwrap().with_tax = "12.00".into();
    case.status.order.as_mut().unwrap().price = case.status.price.clone();
    case.spec.payment = Payment::Automatic;
    case.observed.order_status = Some(OrderStatus::NotPaid);
    assert_eq!(case.plan(), Step::Look(Lookup::DefaultPaymentMethod));
    case.observed.default_payment_method = Some(card("EXPIRED"));
    assert!(matches!(
        case.plan(),
        Step::Wait {
            phase: Phase::AwaitingPayment,
            reason: Reason::NoUsablePaymentMethod,
            warning: true,
            ..
        }
    ));
    case.observed.default_payment_method = Some(card("VALID"));
    assert_eq!(
        case.plan(),
        Step::Act(Act::Payment(PaymentAct::Begin {
            method: card("VALID")
        }))
    );

    // Recorded and begun in this pass: sent.
    case.status.payment = Some(PaymentStatus {
        method: "CREDIT_CARD 5".into(),
        method_id: Some(5),
        requested_at: "2026-11-27T09:59:00Z".into(),
        ..Default::default()
    });
    case.memory.payment_begun = true;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Payment(PaymentAct::Pay {
            order_id: 42,
            payment_method_id: 5
        }))
    );
    // Recorded by an earlier pass (answer lost, crash): never sent again; polled.
    case.memory.payment_begun = false;
    let Step::Wait {
        phase,
        reason,
        requeue,
        message,
        ..
    } = case.plan()
    else {
        panic!()
    };
    assert_eq!(
        (phase, reason, requeue),
        (Phase::AwaitingPayment, Reason::PaymentPending, Requeue::Progress)
    );
    assert!(message.contains("http://pay/42"), "{message}");
    // Refused: OVH's message and the URL, polled, not retried.
    case.status.payment.as_mut().unwrap().refused =
        Some("This order can't be paid with 'bankAccount'".into());
    let Step::Wait {
        phase,
        reason,
        requeue,
        message,
        warning,
    } = case.plan()
    else {
        panic!()
    };
    assert_eq!(
        (phase, reason, requeue, warning),
        (
            Phase::AwaitingPayment,
            Reason::PaymentRefused,
            Requeue::Progress,
            true
        )
    );
    assert!(
        message.contains("bankAccount") && message.contains("http://pay/42"),
        "{message}"
    );
}

#[test]
fn an_unpaid_order_past_its_expiration_date_fails() {
    let mut case = Case::new().ordered(Some("notPaid"));
    case.observed.order_status = Some(OrderStatus::NotPaid);
    case.status.order.as_mut().unwrap().expires_at = None;
    assert_eq!(case.plan(), Step::Look(Lookup::OrderExpiry(42)));
    case.observed.order_expiry = Some(Some("2026-11-27T09:30:00Z".into()));
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::RecordExpiry("2026-11-27T09:30:00Z".into())))
    );
    case.status.order.as_mut().unwrap().expires_at = Some("2026-11-27T09:30:00Z".into());
    let Step::Wait {
        phase,
        reason,
        requeue,
        ..
    } = case.plan()
    else {
        panic!()
    };
    assert_eq!(
        (phase, reason, requeue),
        (Phase::Failed, Reason::OrderExpired, Requeue::SpecChange),
        "polling stops"
    );
    // Without an expiration date from OVH, the order is simply followed.
    case.status.order.as_mut().unwrap().expires_at = None;
    case.observed.order_expiry = Some(None);
    assert!(matches!(
        case.plan(),
        Step::Wait {
            phase: Phase::AwaitingPayment,
            ..
        }
    ));
}

#[test]
fn failed_orders_stop_with_a_reason() {
    for (s, status, phase, reason) in [
        (
            "cancelled",
            OrderStatus::Cancelled,
            Phase::Failed,
            Reason::OrderCancelled,
        ),
        (
            "documentsRequested",
            OrderStatus::DocumentsRequested,
            Phase::NeedsAttention,
            Reason::DocumentsRequested,
        ),
        (
            "unknown",
            OrderStatus::Unknown,
            Phase::NeedsAttention,
            Reason::OrderStatusUnknown,
        ),
    ] {
        let mut case = Case::new().ordered(Some(s));
        case.observed.order_status = Some(status);
        let Step::Wait {
            phase: p,
            reason: r,
            warning,
            ..
        } = case.plan()
        else {
            panic!()
        };
        assert_eq!((p, r, warning), (phase, reason, true), "{s}");
    }
}

#[test]
fn adoption_orders_nothing() {
    let mut case = Case::new();
    case.spec.project_id = Some("0123456789ab4cdef0123456789abcde".into());
    assert_eq!(
        case.plan(),
        Step::Act(Act::Project(ProjectAct::RecordId {
            project_id: "0123456789ab4cdef0123456789abcde".into(),
            delivered_as: None,
        }))
    );
    case.status.project_id = case.spec.project_id.clone();
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::Project("0123456789ab4cdef0123456789abcde".into()))
    );
    case.observed.project = Some(ProjectSeen::NotFound);
    assert!(matches!(
        case.plan(),
        Step::Wait {
            phase: Phase::Failed,
            reason: Reason::ProjectNotFound,
            ..
        }
    ));
}

#[test]
fn the_order_is_paid_automatically_only_at_the_price_shown_and_under_every_ceiling() {
    let mut case = Case::new().ordered(Some("notPaid"));
    case.spec.payment = Payment::Automatic;
    case.observed.order_status = Some(OrderStatus::NotPaid);
    case.status.approved_by = Some("bob".into());
    // An order read back before its price was recorded: its price is read first.
    case.status.order.as_mut().unwrap().price = None;
    assert_eq!(case.plan(), Step::Look(Lookup::OrderExpiry(42)));
    let shown = case.status.price.clone().unwrap();
    let price = |with_tax: &str| crate::api::PriceStatus {
        with_tax: with_tax.into(),
        ..shown.clone()
    };
    case.observed.order_price = Some(price("0.00"));
    assert_eq!(
        case.plan(),
        Step::Act(Act::Payment(PaymentAct::Begin { method: None }))
    );
    for (ordered, ceiling, said) in [
        (
            "0.01",
            None,
            "more than the 0.00 EUR shown before the checkout and approved by bob",
        ),
        ("abc", None, "does not read as an amount"),
        ("184467440737095516.16", None, "does not read as an amount"),
    ] {
        case.status.order.as_mut().unwrap().price = Some(price(ordered));
        case.max_price = ceiling;
        let Step::Wait { reason, message, .. } = case.plan() else {
            panic!("{:?}", case.plan())
        };
        assert_eq!(reason, Reason::OrderPriceNotAllowed);
        assert!(message.contains(said) && message.contains(ordered), "{message}");
    }
    // Shown 20.00 and ordered 12.00, but the operator's ceiling is 10.00.
    case.status.price = Some(price("20.00"));
    case.status.order.as_mut().unwrap().price = Some(price("12.00"));
    case.max_price = Some("10.00");
    let Step::Wait { reason, message, .. } = case.plan() else {
        panic!()
    };
    assert_eq!(reason, Reason::OrderPriceNotAllowed);
    assert!(message.contains("ceiling of 10.00"), "{message}");
    case.max_price = Some("12.00");
    assert_eq!(case.plan(), Step::Look(Lookup::DefaultPaymentMethod));
}

#[test]
fn money_arithmetic_is_checked() {
    assert_eq!(cents("12.5"), Some(1250));
    assert_eq!(cents("184467440737095516.15"), Some(u64::MAX));
    assert_eq!(
        cents("184467440737095516.16"),
        None,
        "never wraps to a small amount"
    );
    assert_eq!(cents("99999999999999999999"), None);
    for bad in ["", ".5", "+5", "-0.50", "1e3", " 1", "1.234", "NaN"] {
        assert_eq!(cents(bad), None, "{bad:?}");
    }
}

/// An automatic, priced order whose payment with card 5 was recorded at `requested_at` by an
/// earlier pass (not begun in this one), still notPaid.
fn requested_payment(requested_at: &str) -> Case {
    let mut case = Case::new().ordered(Some("notPaid"));
    case.spec.payment = Payment::Automatic;
    case.observed.order_status = Some(OrderStatus::NotPaid);
    case.status.payment = Some(PaymentStatus {
        method: "CREDIT_CARD 5".into(),
        method_id: Some(5),
        requested_at: requested_at.into(),
        ..Default::default()
    });
    case
}

fn reason_of(step: Step) -> (Reason, bool, String) {
    match step {
        Step::Wait {
            reason,
            warning,
            message,
            ..
        } => (reason, warning, message),
        other => panic!("not a wait: {other:?}"),
    }
}

#[test]
fn a_payment_answered_429_is_requested_again_after_retry_after_once_ovh_shows_none() {
    let mut case = requested_payment("2026-11-27T09:59:50Z");
    case.status.payment.as_mut().unwrap().deferred_until = Some("2026-11-27T10:00:30Z".into());
    let (reason, warning, message) = reason_of(case.plan());
    assert_eq!((reason, warning), (Reason::PaymentDeferred, false));
    assert!(message.contains("2026-11-27T10:00:30Z"), "{message}");
    // Due: not before the settle time, but after Retry-After; OVH is asked first.
    case.now = "2026-11-27T10:00:30Z".parse().unwrap();
    assert_eq!(case.plan(), Step::Look(Lookup::OrderPayment(42)));
    case.observed.order_payment = Some(PaymentSeen::NotFound);
    assert_eq!(case.plan(), Step::Act(Act::Payment(PaymentAct::BeginAgain)));
    // Recorded again in this pass (BeginPaymentAgain's outcome): sent with the recorded method.
    case.memory.payment_begun = true;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Payment(PaymentAct::Pay {
            order_id: 42,
            payment_method_id: 5
        }))
    );
}

#[test]
fn a_payment_without_an_answer_is_requested_again_only_past_the_settle_time_and_without_a_payment_at_ovh() {
    let mut case = requested_payment("2026-11-27T09:59:00Z");
    let (reason, _, message) = reason_of(case.plan());
    assert_eq!(reason, Reason::PaymentPending, "within the settle time: waits");
    assert!(message.contains("30m"), "{message}");
    case.now = "2026-11-27T10:29:00Z".parse().unwrap();
    assert_eq!(case.plan(), Step::Look(Lookup::OrderPayment(42)));
    // OVH shows a payment: the first one went through; never a second one.
    case.observed.order_payment = Some(PaymentSeen::Found {
        date: Some("2026-11-27T09:59:01Z".into()),
        mean: Some("creditCard".into()),
    });
    assert_eq!(reason_of(case.plan()).0, Reason::PaymentPending);
    // Anything but a clear 404 (a 403 for a key without the right, a 400): fails closed.
    case.observed.order_payment = Some(PaymentSeen::Unknown("OVH answered GET … with HTTP 403".into()));
    let (reason, warning, message) = reason_of(case.plan());
    assert_eq!((reason, warning), (Reason::PaymentUnverified, true));
    assert!(
        message.contains("http://pay/42") && message.contains("/me/order/*/payment"),
        "{message}"
    );
    case.observed.order_payment = Some(PaymentSeen::NotFound);
    assert_eq!(case.plan(), Step::Act(Act::Payment(PaymentAct::BeginAgain)));
    // The settle time is the operator's option.
    case.observed.order_payment = None;
    let mut input = case.input();
    input.payment_settle = std::time::Duration::from_secs(3600);
    assert!(matches!(
        plan(&input),
        Step::Wait {
            reason: Reason::PaymentPending,
            ..
        }
    ));
}

#[test]
fn payments_are_requested_at_most_three_times() {
    let mut case = requested_payment("2026-11-27T09:00:00Z");
    case.observed.order_payment = Some(PaymentSeen::NotFound);
    case.status.payment.as_mut().unwrap().attempts = Some(2);
    assert_eq!(case.plan(), Step::Act(Act::Payment(PaymentAct::BeginAgain)));
    case.status.payment.as_mut().unwrap().attempts = Some(MAX_PAYMENT_ATTEMPTS);
    let (reason, warning, message) = reason_of(case.plan());
    assert_eq!((reason, warning), (Reason::PaymentNotRegistered, true));
    assert!(
        message.contains("3 times") && message.contains("http://pay/42"),
        "{message}"
    );
    // A 429 counts too: after the third, a person pays.
    case.status.payment.as_mut().unwrap().deferred_until = Some("2026-11-27T09:59:00Z".into());
    assert_eq!(reason_of(case.plan()).0, Reason::PaymentNotRegistered);
}

#[test]
fn a_payment_is_never_requested_again_on_an_unreadable_time_a_refusal_or_a_paid_order() {
    let mut case = requested_payment("not a time");
    case.now = "2026-12-10T00:00:00Z".parse().unwrap();
    case.observed.order_payment = Some(PaymentSeen::NotFound);
    assert_eq!(reason_of(case.plan()).0, Reason::PaymentPending, "fails closed");

    let mut case = requested_payment("2026-11-27T09:00:00Z");
    case.observed.order_payment = Some(PaymentSeen::NotFound);
    case.status.payment.as_mut().unwrap().refused =
        Some("This order can't be paid with 'bankAccount'".into());
    assert_eq!(
        reason_of(case.plan()).0,
        Reason::PaymentRefused,
        "a person fixes it"
    );

    // The first request went through (its answer lost): the order moved on, nothing is paid.
    let mut case = requested_payment("2026-11-27T09:00:00Z");
    case.observed.order_payment = Some(PaymentSeen::NotFound);
    case.status.order.as_mut().unwrap().status = Some("checking".into());
    case.observed.order_status = Some(OrderStatus::Checking);
    assert_eq!(reason_of(case.plan()).0, Reason::Delivering);
}

use jiff::Timestamp;

use super::*;
use crate::{
    api::{CartStatus, Phase, PublicCloudProjectStatus, RecordedOrder},
    controller::plan::{CartSeen, FIDELITY_ACCOUNT, Memory, Observed, ProjectSeen, Reason},
};

fn now() -> Timestamp {
    "2026-11-27T10:00:00Z".parse().unwrap()
}

fn apply_to(status: &mut PublicCloudProjectStatus, outcome: Outcome) -> (Applied, Observed) {
    apply_remembering(status, outcome).0
}

fn apply_remembering(
    status: &mut PublicCloudProjectStatus,
    outcome: Outcome,
) -> ((Applied, Observed), Memory) {
    let mut observed = Observed::default();
    let mut memory = Memory::default();
    let applied = apply(outcome, status, (&mut observed, &mut memory), now());
    ((applied, observed), memory)
}

#[test]
fn a_new_cart_records_its_plan_code_and_creation_time() {
    let mut status = PublicCloudProjectStatus::default();
    let (applied, observed) = apply_to(
        &mut status,
        Outcome::Cart(CartOutcome::Created {
            cart_id: "c1".into(),
            expires_at: Some("2026-11-28T10:00:00Z".into()),
            subsidiary: "US".into(),
            plan_code: "project".into(),
        }),
    );
    let cart = status.cart.as_ref().unwrap();
    assert_eq!(cart.id, "c1");
    assert_eq!(cart.created_at.as_deref(), Some("2026-11-27T10:00:00Z"));
    assert_eq!(status.plan_code.as_deref(), Some("project"));
    assert_eq!(applied.reason, Reason::CartCreated);
    assert_eq!(applied.phase, Some((Phase::CartReady, Reason::Ordering)));
    assert_eq!(
        observed.cart,
        Some(CartSeen::Found {
            read_only: false,
            items: vec![]
        }),
        "the planner does not read again what was just made"
    );
}

#[test]
fn preparing_the_cart_never_leaves_checking_out() {
    let mut status = PublicCloudProjectStatus {
        phase: Some(Phase::CheckingOut),
        ..Default::default()
    };
    let (applied, _) = apply_to(
        &mut status,
        Outcome::Cart(CartOutcome::Assigned { cart_id: "c1".into() }),
    );
    assert_eq!(applied.phase, None);
}

#[test]
fn the_checkout_is_recorded_before_it_is_sent_and_the_order_after() {
    let mut status = PublicCloudProjectStatus {
        cart: Some(CartStatus {
            id: "c1".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let ((applied, _), memory) = apply_remembering(
        &mut status,
        Outcome::Order(OrderOutcome::CheckoutBegun {
            approved_by: Some("alice".into()),
        }),
    );
    assert!(memory.checkout_begun);
    assert_eq!(applied.phase, Some((Phase::CheckingOut, Reason::Ordering)));
    assert_eq!(
        status.cart.as_ref().unwrap().checkout_started_at.as_deref(),
        Some("2026-11-27T10:00:00Z")
    );

    let price = PriceStatus {
        with_tax: "0.00".into(),
        without_tax: "0.00".into(),
        currency: "EUR".into(),
    };
    let (applied, _) = apply_to(
        &mut status,
        Outcome::Order(OrderOutcome::Placed {
            order_id: 42,
            url: Some("http://pay/42".into()),
            price: price.clone(),
            endpoint: "https://eu.api.ovh.com/1.0".into(),
        }),
    );
    assert_eq!(applied.reason, Reason::OrderPlaced);
    assert_eq!(applied.phase, None, "the phase follows the order status");
    let order = status.order.as_ref().unwrap();
    assert_eq!((order.id, order.url.as_deref()), (42, Some("http://pay/42")));
    assert_eq!(
        order.endpoint.as_deref(),
        Some("https://eu.api.ovh.com/1.0"),
        "orders are held per API"
    );
    assert_eq!(
        status.price,
        Some(price),
        "the checkout's price when none was previewed"
    );
}

#[test]
fn a_payment_is_recorded_before_it_is_sent_and_a_refusal_is_kept() {
    let mut status = PublicCloudProjectStatus::default();
    let method = PaymentMethodSeen {
        id: 5,
        payment_type: "BANK_ACCOUNT".into(),
        status: "VALID".into(),
    };
    let mut observed = Observed::default();
    let mut memory = Memory::default();
    apply(
        Outcome::Payment(PaymentOutcome::Begun(Some(method))),
        &mut status,
        (&mut observed, &mut memory),
        now(),
    );
    assert!(memory.payment_begun);
    let payment = status.payment.clone().unwrap();
    assert_eq!(
        (payment.method.as_str(), payment.method_id),
        ("BANK_ACCOUNT 5", Some(5))
    );
    let applied = apply(
        Outcome::Payment(PaymentOutcome::Refused {
            order_id: 42,
            message: "This order can't be paid with 'bankAccount'".into(),
        }),
        &mut status,
        (&mut observed, &mut memory),
        now(),
    );
    assert!(!memory.payment_begun, "never sent twice in a pass");
    assert_eq!(applied.reason, Reason::PaymentRefused);
    assert!(status.payment.unwrap().refused.unwrap().contains("bankAccount"));

    let mut status = PublicCloudProjectStatus::default();
    let mut memory = Memory::default();
    let mut observed = Observed {
        order_status: Some(OrderStatus::NotPaid),
        ..Default::default()
    };
    apply(
        Outcome::Payment(PaymentOutcome::Begun(None)),
        &mut status,
        (&mut observed, &mut memory),
        now(),
    );
    assert_eq!(status.payment.as_ref().unwrap().method, FIDELITY_ACCOUNT);
    apply(
        Outcome::Payment(PaymentOutcome::Paid { order_id: 42 }),
        &mut status,
        (&mut observed, &mut memory),
        now(),
    );
    assert_eq!(observed.order_status, None, "read again after paying");
}

#[test]
fn a_payment_answered_429_is_deferred_and_a_second_request_is_counted_before_it_is_sent() {
    let mut status = PublicCloudProjectStatus::default();
    let mut observed = Observed::default();
    let mut memory = Memory::default();
    apply(
        Outcome::Payment(PaymentOutcome::Begun(None)),
        &mut status,
        (&mut observed, &mut memory),
        now(),
    );
    let deferred = |retry_after| {
        Outcome::Payment(PaymentOutcome::Deferred {
            order_id: 42,
            retry_after,
            message: "OVH answered POST … with HTTP 429".into(),
        })
    };
    let applied = apply(
        deferred(Some(7)),
        &mut status,
        (&mut observed, &mut memory),
        now(),
    );
    assert_eq!(applied.reason, Reason::PaymentDeferred);
    assert!(!memory.payment_begun, "not sent again in this pass");
    let payment = status.payment.clone().unwrap();
    assert_eq!(payment.deferred_until.as_deref(), Some("2026-11-27T10:00:07Z"));
    assert_eq!((payment.attempts(), payment.refused), (1, None), "not a refusal");
    apply(deferred(None), &mut status, (&mut observed, &mut memory), now());
    assert_eq!(
        status.payment.as_ref().unwrap().deferred_until.as_deref(),
        Some("2026-11-27T10:00:30Z"),
        "a short default without Retry-After"
    );
    apply(
        deferred(Some(86_400)),
        &mut status,
        (&mut observed, &mut memory),
        now(),
    );
    assert_eq!(
        status.payment.as_ref().unwrap().deferred_until.as_deref(),
        Some("2026-11-27T11:00:00Z"),
        "capped"
    );

    let later: Timestamp = "2026-11-27T10:01:00Z".parse().unwrap();
    let applied = apply(
        Outcome::Payment(PaymentOutcome::BegunAgain),
        &mut status,
        (&mut observed, &mut memory),
        later,
    );
    assert_eq!(applied.reason, Reason::PaymentRequestedAgain);
    assert!(memory.payment_begun, "sent next, in this pass");
    let payment = status.payment.unwrap();
    assert_eq!(payment.attempts, Some(2));
    assert_eq!(payment.requested_at, later.to_string());
    assert_eq!(payment.deferred_until, None);
}

#[test]
fn only_a_delivered_project_starts_the_404_window() {
    let mut status = PublicCloudProjectStatus::default();
    apply_to(
        &mut status,
        Outcome::Project(ProjectOutcome::Named {
            project_id: "p".into(),
            delivered: false,
            ordered_name: None,
        }),
    );
    assert_eq!(status.delivered_at, None, "adopted");
    apply_to(
        &mut status,
        Outcome::Project(ProjectOutcome::Named {
            project_id: "p".into(),
            delivered: true,
            ordered_name: Some("Team A".into()),
        }),
    );
    assert_eq!(status.delivered_at.as_deref(), Some("2026-11-27T10:00:00Z"));
    assert_eq!(
        status.project_description.as_deref(),
        Some("Team A"),
        "the ordered name"
    );
}

#[test]
fn termination_marks_the_emails_then_the_request_and_a_refusal_is_observed() {
    let mut status = PublicCloudProjectStatus::default();
    let (applied, _) = apply_to(
        &mut status,
        Outcome::Termination(TerminationOutcome::EmailsMarked { newest: 900 }),
    );
    assert_eq!(applied.phase, Some((Phase::Terminating, Reason::Terminating)));
    assert_eq!(status.termination.as_ref().unwrap().emails_after, 900);
    apply_to(
        &mut status,
        Outcome::Termination(TerminationOutcome::Requested {
            project_id: "p".into(),
        }),
    );
    assert!(status.termination.as_ref().unwrap().requested_at.is_some());

    let (_, observed) = apply_to(
        &mut status,
        Outcome::Termination(TerminationOutcome::Refused {
            project_id: "p".into(),
            expired: true,
            message: "460".into(),
        }),
    );
    assert_eq!(observed.project, Some(ProjectSeen::Expired));
}

#[test]
fn order_statuses_have_one_reason_each() {
    let mut status = PublicCloudProjectStatus {
        order: Some(RecordedOrder {
            id: 42,
            ..Default::default()
        }),
        ..Default::default()
    };
    let (applied, _) = apply_to(
        &mut status,
        Outcome::Order(OrderOutcome::StatusSeen(OrderStatus::Delivering)),
    );
    assert_eq!(applied.reason, Reason::OrderDelivering);
    assert_eq!(status.order.unwrap().status.as_deref(), Some("delivering"));
}

#[test]
fn an_added_option_is_seen_under_its_item_and_clears_the_price() {
    let mut status = PublicCloudProjectStatus {
        price: Some(Default::default()),
        ..Default::default()
    };
    let mut memory = Memory::default();
    let mut observed = Observed {
        cart: Some(CartSeen::Found {
            read_only: false,
            items: vec![],
        }),
        ..Default::default()
    };
    let applied = apply(
        Outcome::Item(ItemOutcome::OptionAdded {
            item_id: 7,
            option_item_id: 9,
            plan_code: "certification.hds.2018".into(),
            duration: "P1M".into(),
            pricing_mode: "default".into(),
        }),
        &mut status,
        (&mut observed, &mut memory),
        now(),
    );
    assert_eq!(applied.reason, Reason::OptionAdded);
    assert!(status.price.is_none(), "the price is read again");
    let Some(CartSeen::Found { items, .. }) = &observed.cart else {
        panic!()
    };
    assert_eq!(items[0].parent_item_id, Some(7));
    // Removing the project item removes its options from what the pass saw.
    apply(
        Outcome::Item(ItemOutcome::Removed { item_id: 7 }),
        &mut status,
        (&mut observed, &mut memory),
        now(),
    );
    let Some(CartSeen::Found { items, .. }) = &observed.cart else {
        panic!()
    };
    assert!(items.is_empty(), "{items:?}");
}

#[test]
fn a_rename_is_what_the_pass_sees_next() {
    let mut status = PublicCloudProjectStatus::default();
    let mut memory = Memory::default();
    let mut observed = Observed {
        project: Some(ProjectSeen::Found {
            status: "ok".into(),
            description: Some("old".into()),
        }),
        ..Default::default()
    };
    let applied = apply(
        Outcome::Project(ProjectOutcome::Renamed {
            project_id: "p".into(),
            from: Some("old".into()),
            to: "new".into(),
        }),
        &mut status,
        (&mut observed, &mut memory),
        now(),
    );
    assert_eq!(applied.reason, Reason::ProjectRenamed);
    assert_eq!(
        status.project_description.as_deref(),
        Some("new"),
        "the base of the next change"
    );
    assert!(
        applied.note.contains("\"old\"") && applied.note.contains("\"new\""),
        "{}",
        applied.note
    );
    assert_eq!(applied.phase, None);
    assert_eq!(
        observed.project,
        Some(ProjectSeen::Found {
            status: "ok".into(),
            description: Some("new".into())
        })
    );
}

#[test]
fn an_abandoned_cart_is_forgotten_with_its_price_and_remembered_by_id() {
    let mut status = PublicCloudProjectStatus {
        phase: Some(Phase::AwaitingApproval),
        cart: Some(CartStatus {
            id: "c1".into(),
            ..Default::default()
        }),
        price: Some(PriceStatus {
            with_tax: "10.00".into(),
            without_tax: "8.33".into(),
            currency: "EUR".into(),
        }),
        ..Default::default()
    };
    let mut memory = Memory::default();
    let mut observed = Observed {
        marker_carts: Some(vec!["c1".into()]),
        cart: Some(CartSeen::Found {
            read_only: false,
            items: vec![],
        }),
        ..Default::default()
    };
    let applied = apply(
        Outcome::Cart(CartOutcome::Abandoned { cart_id: "c1".into() }),
        &mut status,
        (&mut observed, &mut memory),
        now(),
    );
    assert_eq!((status.cart.as_ref(), status.price.as_ref()), (None, None));
    assert_eq!(status.abandoned_cart.as_deref(), Some("c1"));
    assert_eq!(status.cart_requested_at, None, "a new intent is recorded first");
    assert_eq!((observed.cart, observed.marker_carts), (None, Some(vec![])));
    assert_eq!(applied.reason, Reason::CartAbandoned);
    assert_eq!(applied.phase, Some((Phase::Pending, Reason::Ordering)));
    assert!(
        applied
            .note
            .contains("after the price of cart c1 (10.00 EUR with tax) was shown")
            && applied.note.contains("an approval of cart c1 does not apply"),
        "{}",
        applied.note
    );
}

#[test]
fn extra_users_with_our_marker_are_a_warning_naming_them() {
    let mut status = PublicCloudProjectStatus::default();
    let (applied, _) = apply_to(
        &mut status,
        Outcome::User(UserOutcome::Found {
            user_id: 78,
            username: "user-a".into(),
            extra: vec![91, 93],
        }),
    );
    assert_eq!(applied.reason, Reason::ExtraOpenstackUsers);
    assert!(applied.severity.is_warning());
    assert!(applied.note.contains("91, 93"), "{}", applied.note);
    assert_eq!(
        status.openstack_user.as_ref().unwrap().id,
        Some(78),
        "the lowest is kept"
    );
    let (applied, _) = apply_to(
        &mut status,
        Outcome::User(UserOutcome::Found {
            user_id: 78,
            username: "user-a".into(),
            extra: vec![],
        }),
    );
    assert_eq!(
        (applied.reason, applied.severity.is_warning()),
        (Reason::OpenstackUserFound, false)
    );
}

//! The planner when a resource is deleted.

use super::*;

#[test]
fn deletion_orphans_by_default_and_never_terminates_without_being_told() {
    let mut case = Case::new().ordered(Some("delivered"));
    case.status.project_id = Some("p".into());
    assert!(matches!(
        case.delete(),
        Step::ReleaseFinalizer { warning: false, .. }
    ));

    case.spec.deletion_policy = DeletionPolicy::Terminate;
    assert_eq!(case.delete(), Step::Look(Lookup::Project("p".into())));
    case.observed.project = Some(ProjectSeen::Found {
        status: "ok".into(),
        description: Some("Team A".into()),
    });
    assert_eq!(
        case.delete(),
        Step::Look(Lookup::NewestEmail),
        "the newest e-mail is recorded before termination is asked"
    );
    case.observed.newest_email = Some(900);
    assert_eq!(
        case.delete(),
        Step::Act(Act::Termination(TerminationAct::MarkEmails { newest: 900 }))
    );
    case.status.termination = Some(TerminationStatus {
        emails_after: 900,
        requested_at: None,
    });
    assert_eq!(
        case.delete(),
        Step::Act(Act::Termination(TerminationAct::Request {
            project_id: "p".into(),
            again: true,
        })),
        "recorded by an earlier pass: that pass may have sent it"
    );
    case.memory.termination_begun = true;
    assert_eq!(
        case.delete(),
        Step::Act(Act::Termination(TerminationAct::Request {
            project_id: "p".into(),
            again: false,
        }))
    );
    case.status.termination.as_mut().unwrap().requested_at = Some("2026-11-27T10:00:00Z".into());
    case.status.phase = Some(Phase::Terminating);
    assert_eq!(
        case.delete(),
        Step::Look(Lookup::TerminationToken {
            project_id: "p".into(),
            after: 900
        }),
        "only e-mails newer than the request"
    );
    case.observed.termination_token = Some(None);
    assert!(matches!(
        case.delete(),
        Step::Wait {
            phase: Phase::Terminating,
            ..
        }
    ));
    case.token = Some("from-annotation");
    assert_eq!(
        case.delete(),
        Step::Act(Act::Termination(TerminationAct::Confirm {
            project_id: "p".into(),
            token: "from-annotation".into()
        }))
    );
    case.observed.project = Some(ProjectSeen::Found {
        status: "deleted".into(),
        description: Some("Team A".into()),
    });
    assert!(matches!(case.delete(), Step::ReleaseFinalizer { .. }));
}

#[test]
fn a_404_inside_the_delivery_window_never_releases_a_project_to_terminate() {
    let mut case = Case::new().ordered(Some("delivered"));
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    case.status.project_id = Some("p".into());
    case.status.delivered_at = Some("2026-11-27T09:55:00Z".into());
    case.observed.project = Some(ProjectSeen::NotFound);
    assert!(
        matches!(
            case.delete(),
            Step::Wait {
                phase: Phase::Terminating,
                reason: Reason::ProjectNotVisibleYet,
                requeue: Requeue::Progress,
                ..
            }
        ),
        "terraform-provider-ovh#1288: not visible yet"
    );
    case.status.delivered_at = None;
    case.status.order.as_mut().unwrap().date = None;
    assert!(
        matches!(
            case.delete(),
            Step::Wait {
                reason: Reason::ProjectNotVisibleYet,
                ..
            }
        ),
        "without a delivery date, waiting is the safe side"
    );
    // After the window, a 404 is final, and said loudly.
    case.status.delivered_at = Some("2026-11-27T08:00:00Z".into());
    let Step::ReleaseFinalizer { note, warning } = case.delete() else {
        panic!("{:?}", case.delete())
    };
    assert!(warning && note.contains('p'), "{note}");
    // An adopted project's 404 is final at once.
    let mut case = Case::new();
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    case.spec.project_id = Some("0123456789ab4cdef0123456789abcde".into());
    case.status.project_id = case.spec.project_id.clone();
    case.observed.project = Some(ProjectSeen::NotFound);
    assert!(matches!(
        case.delete(),
        Step::ReleaseFinalizer { warning: true, .. }
    ));
    // 460: expired, nothing left to terminate.
    case.observed.project = Some(ProjectSeen::Expired);
    let Step::ReleaseFinalizer { note, .. } = case.delete() else {
        panic!()
    };
    assert!(note.contains("expired"), "{note}");
}

#[test]
fn deleting_while_a_payment_may_still_go_through_waits_to_terminate() {
    let mut case = Case::new().ordered(Some("notPaid"));
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    case.observed.order_status = Some(OrderStatus::NotPaid);
    case.status.payment = Some(PaymentStatus {
        method: "CREDIT_CARD 5".into(),
        method_id: Some(5),
        requested_at: "2026-11-27T09:58:00Z".into(),
        ..Default::default()
    });
    assert!(matches!(
        case.delete(),
        Step::Wait {
            phase: Phase::Terminating,
            reason: Reason::PaymentPending,
            ..
        }
    ));
    case.status.payment.as_mut().unwrap().refused = Some("refused".into());
    assert!(
        matches!(case.delete(), Step::ReleaseFinalizer { .. }),
        "a refused payment pays nothing"
    );
    case.status.payment.as_mut().unwrap().refused = None;
    case.now = "2026-11-27T11:00:00Z".parse().unwrap();
    assert!(
        matches!(case.delete(), Step::ReleaseFinalizer { .. }),
        "after the settle time the unpaid order is left"
    );
    case.now = "2026-11-27T10:00:00Z".parse().unwrap();
    case.spec.deletion_policy = DeletionPolicy::Orphan;
    assert!(matches!(case.delete(), Step::ReleaseFinalizer { .. }));
}

#[test]
fn deleting_before_an_order_deletes_only_the_cart() {
    let mut case = Case::new().with_cart();
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    assert_eq!(case.delete(), Step::Look(Lookup::Cart("cart-1".into())));
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![],
    });
    assert_eq!(
        case.delete(),
        Step::Act(Act::Cart(CartAct::Delete {
            cart_id: "cart-1".into()
        }))
    );
    case.observed.cart = Some(CartSeen::Gone);
    assert!(matches!(case.delete(), Step::ReleaseFinalizer { .. }));
    assert!(matches!(Case::new().delete(), Step::ReleaseFinalizer { .. }));
}

#[test]
fn deleting_an_unpaid_or_undelivered_order() {
    let mut case = Case::new().ordered(Some("notPaid"));
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    case.observed.order_status = Some(OrderStatus::NotPaid);
    assert!(
        matches!(case.delete(), Step::ReleaseFinalizer { .. }),
        "an unpaid order delivers nothing"
    );
    case.observed.order_status = Some(OrderStatus::Delivering);
    assert!(
        matches!(
            case.delete(),
            Step::Wait {
                phase: Phase::Terminating,
                ..
            }
        ),
        "terminate once delivered"
    );
    case.spec.deletion_policy = DeletionPolicy::Orphan;
    assert!(matches!(case.delete(), Step::ReleaseFinalizer { .. }));
}

#[test]
fn deleting_with_an_unknown_checkout_outcome_warns() {
    let mut case = Case::new().with_cart();
    case.status.phase = Some(Phase::CheckingOut);
    assert!(matches!(
        case.delete(),
        Step::ReleaseFinalizer { warning: true, .. }
    ));
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    assert_eq!(case.delete(), Step::Look(Lookup::Cart("cart-1".into())));
    case.observed.cart = Some(CartSeen::Found {
        read_only: true,
        items: vec![],
    });
    assert_eq!(case.delete(), Step::Look(Lookup::FindOrder { since: None }));
    case.observed.recent_orders = Some(vec![order_seen(3, "Team A", &[])]);
    // A search not read whole yet goes on: the resource is not let go on half a search.
    case.observed.orders_left_unread = 5;
    assert!(matches!(
        case.delete(),
        Step::Wait {
            reason: Reason::SearchingOrder,
            ..
        }
    ));
    case.observed.orders_left_unread = 0;
    assert_eq!(
        case.delete(),
        Step::Act(Act::Order(OrderAct::ReadFound { order_id: 3 }))
    );
    // Another resource's order is not taken (and so not terminated).
    case.held = vec![Holding::Order(3)];
    assert!(matches!(
        case.delete(),
        Step::ReleaseFinalizer { warning: true, .. }
    ));
}

#[test]
fn terminate_can_be_disabled_operator_wide() {
    let mut case = Case::new().ordered(Some("delivered"));
    case.status.project_id = Some("p".into());
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    case.allow_terminate = false;
    let Step::ReleaseFinalizer { note, warning } = case.delete() else {
        panic!()
    };
    assert!(warning && note.contains("--allow-terminate=false"), "{note}");
}

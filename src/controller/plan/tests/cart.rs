//! The planner making the cart: found or created, assigned, its item and configurations, and
//! an existing project with the same description.

use super::*;

#[test]
fn the_cart_is_recorded_before_it_is_created_and_searched_for_only_after_a_crash() {
    let mut case = Case::new();
    case.spec.ovh_subsidiary = Some(OvhSubsidiary::FR);
    case.observed.existing_project = Some(vec![]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Cart(CartAct::Begin)),
        "no marker lookup for a new resource"
    );
    // The same pass recorded it: the cart is created at once.
    case.status.cart_requested_at = Some("2026-11-27T09:59:00Z".into());
    case.memory.cart_begun = true;
    assert!(matches!(
        case.plan(),
        Step::Act(Act::Cart(CartAct::Create { .. }))
    ));
    // Recorded by an earlier pass: the create may have run unrecorded, so look first.
    case.memory.cart_begun = false;
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::CartsByMarker(format!("{MARKER_PREFIX}{UID}")))
    );
    case.observed.marker_carts = Some(vec!["lost-cart".into()]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Cart(CartAct::ReadFound {
            cart_id: "lost-cart".into()
        })),
        "a found cart is used, not a second one made"
    );
    case.observed.marker_carts = Some(vec![]);
    assert!(
        matches!(case.plan(), Step::Act(Act::Cart(CartAct::Create { .. }))),
        "none found: created (no second intent write)"
    );
}

#[test]
fn the_subsidiary_comes_from_the_spec_or_the_account() {
    let mut case = Case::new();
    case.memory.cart_begun = true;
    case.status.cart_requested_at = Some("2026-11-27T09:59:00Z".into());
    case.observed.existing_project = Some(vec![]);
    assert_eq!(case.plan(), Step::Look(Lookup::AccountSubsidiary));
    case.observed.subsidiary = Some("IE".into());
    assert_eq!(
        case.plan(),
        Step::Act(Act::Cart(CartAct::Create {
            subsidiary: "IE".into(),
            marker: format!("{MARKER_PREFIX}{UID}"),
            plan_code: "project.2018".into(),
        }))
    );
    case.spec.ovh_subsidiary = Some(OvhSubsidiary::DE);
    assert!(
        matches!(case.plan(), Step::Act(Act::Cart(CartAct::Create { subsidiary, .. })) if subsidiary == "DE")
    );
}

#[test]
fn the_plan_code_follows_the_endpoint_unless_the_spec_names_one() {
    let mut case = Case::new();
    case.memory.cart_begun = true;
    case.status.cart_requested_at = Some("2026-11-27T09:59:00Z".into());
    case.observed.existing_project = Some(vec![]);
    case.spec.ovh_subsidiary = Some(OvhSubsidiary::US);
    assert!(
        matches!(case.plan(), Step::Act(Act::Cart(CartAct::Create { plan_code, .. })) if plan_code == "project"),
        "US: project (terraform-provider-ovh PR #455)"
    );
    case.spec.plan.plan_code = Some("project.discovery".into());
    assert!(
        matches!(case.plan(), Step::Act(Act::Cart(CartAct::Create { plan_code, .. })) if plan_code == "project.discovery")
    );

    // Once the cart recorded it, the resolved code is used without asking the account again.
    let mut case = Case::new().with_cart();
    case.status.plan_code = None;
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![],
    });
    assert_eq!(case.plan(), Step::Look(Lookup::AccountSubsidiary));
    case.status.plan_code = Some("project".into());
    assert_eq!(
        case.plan(),
        Step::Act(Act::Item(ItemAct::Add {
            cart_id: "cart-1".into(),
            plan_code: "project".into(),
            duration: "P1M".into(),
            pricing_mode: "default".into(),
            subsidiary: None,
        }))
    );
    // An item of another plan goes.
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![item(&[])],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::Item(ItemAct::Delete {
            cart_id: "cart-1".into(),
            item_id: 7
        }))
    );
}

#[test]
fn an_unassigned_cart_is_assigned_then_read() {
    let mut case = Case::new().with_cart();
    case.status.cart.as_mut().unwrap().assigned = None;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Cart(CartAct::Assign {
            cart_id: "cart-1".into()
        }))
    );
    case.status.cart.as_mut().unwrap().assigned = Some(true);
    assert_eq!(case.plan(), Step::Look(Lookup::Cart("cart-1".into())));
}

#[test]
fn the_item_is_added_then_configured_in_spec_order() {
    let mut case = Case::new().with_cart();
    case.spec.voucher = Some("WELCOME".into());
    case.spec.configurations = vec![ItemConfiguration {
        label: "infrastructure".into(),
        value: "production".into(),
    }];
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::Item(ItemAct::Add {
            cart_id: "cart-1".into(),
            plan_code: "project.2018".into(),
            duration: "P1M".into(),
            pricing_mode: "default".into(),
            subsidiary: case.spec.ovh_subsidiary.map(|s| format!("{s:?}")),
        }))
    );

    let mut posted = vec![];
    for (label, value) in [
        ("description", "Team A"),
        ("voucher", "WELCOME"),
        ("infrastructure", "production"),
    ] {
        case.observed.cart = Some(CartSeen::Found {
            read_only: false,
            items: vec![item(&posted)],
        });
        let expected = Step::Act(Act::Item(ItemAct::AddConfiguration {
            cart_id: "cart-1".into(),
            item_id: 7,
            label: label.into(),
            value: value.into(),
            item_plan_code: "project.2018".into(),
        }));
        assert_eq!(case.plan(), expected);
        posted.push((posted.len() as i64 + 1, label, value));
    }
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![item(&posted)],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout { approved_by: None })),
        "nothing depends on the price: the checkout's answer carries it"
    );
    case.spec.approval = Approval::Manual;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Cart(CartAct::PreviewPrice {
            cart_id: "cart-1".into()
        }))
    );
}

#[test]
fn a_cart_is_brought_back_to_the_spec_before_checkout() {
    let mut case = Case::new().with_cart();
    // A configuration whose value changed in the spec, and a duplicate label, are removed.
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![item(&[(1, "description", "Old name")])],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::Item(ItemAct::DeleteConfiguration {
            cart_id: "cart-1".into(),
            item_id: 7,
            configuration_id: 1
        }))
    );
    // An item of another plan (the spec changed) is removed, then the right one added.
    let mut other = item(&[]);
    other.duration = Some("P1Y".into());
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![other],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::Item(ItemAct::Delete {
            cart_id: "cart-1".into(),
            item_id: 7
        }))
    );
    // A second item of the right plan (an AddItem whose answer was lost) is removed.
    let mut twin = item(&[]);
    twin.item_id = 8;
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![item(&[(1, "description", "Team A")]), twin],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::Item(ItemAct::Delete {
            cart_id: "cart-1".into(),
            item_id: 8
        }))
    );
}

#[test]
fn an_expired_cart_is_replaced_before_checkout_only() {
    let mut case = Case::new().with_cart();
    case.observed.cart = Some(CartSeen::Gone);
    assert_eq!(case.plan(), Step::Act(Act::Cart(CartAct::Forget)));
    case.status.phase = Some(Phase::CheckingOut);
    assert!(
        matches!(
            case.plan(),
            Step::Wait {
                phase: Phase::NeedsAttention,
                ..
            }
        ),
        "a vanished cart in CheckingOut may have an order: a person checks"
    );
}

#[test]
fn a_project_with_the_same_description_stops_adopts_or_is_ignored() {
    let mut case = Case::new();
    case.observed.marker_carts = Some(vec![]);
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::ExistingProject {
            description: "Team A".into()
        })
    );
    case.observed.existing_project = Some(vec![]);
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::AccountSubsidiary),
        "none: ordered"
    );
    case.observed.existing_project = Some(vec!["0123456789ab4cdef0123456789abcde".into()]);
    let Step::Wait {
        phase,
        reason,
        message,
        ..
    } = case.plan()
    else {
        panic!()
    };
    assert_eq!((phase, reason), (Phase::NeedsAttention, Reason::ProjectExists));
    assert!(
        message.contains("spec.onExisting: Adopt") && !message.contains("0123456789ab4cdef0123456789abcde"),
        "names no project it does not hold: {message}"
    );
    // Stopped there, the next pass checks again: it never looks for a lost order.
    crate::controller::status::enter_phase(
        &mut case.status,
        Phase::NeedsAttention,
        Reason::ProjectExists,
        &message,
        None,
    );
    case.observed.existing_project = None;
    assert!(matches!(case.plan(), Step::Look(Lookup::ExistingProject { .. })));
    case.observed.existing_project = Some(vec!["0123456789ab4cdef0123456789abcde".into()]);
    case.spec.on_existing = OnExisting::Adopt;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Project(ProjectAct::RecordId {
            project_id: "0123456789ab4cdef0123456789abcde".into(),
            delivered_as: None,
        }))
    );
    case.spec.on_existing = OnExisting::Order;
    assert_eq!(case.plan(), Step::Look(Lookup::AccountSubsidiary));
    // Once adopted this way, the project is followed like any adopted one.
    let mut case = Case::new();
    case.status.project_id = Some("0123456789ab4cdef0123456789abcde".into());
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::Project("0123456789ab4cdef0123456789abcde".into()))
    );
}

#[test]
fn an_item_post_without_a_recorded_answer_delays_the_checkout_by_the_grace() {
    let mut case = Case::new().with_cart().with_configured_item();
    case.status.cart.as_mut().unwrap().item_posted_at = Some("2026-11-27T09:59:30Z".into());
    let Step::Wait { reason, message, .. } = case.plan() else {
        panic!("{:?}", case.plan())
    };
    assert_eq!(reason, Reason::Ordering);
    assert!(message.contains("may still be added"), "{message}");
    case.now = "2026-11-27T10:00:31Z".parse().unwrap();
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout { approved_by: None }))
    );
    // A time that does not read: wait rather than check out.
    case.status.cart.as_mut().unwrap().item_posted_at = Some("yesterday".into());
    assert!(matches!(case.plan(), Step::Wait { .. }));
}

/// The write before a cart's item POST is gone (it costs a write per order): after a crash
/// between that POST and the next write, the cart shows an item the status does not record.
/// It is recorded as posted now and the checkout waits the grace, as after a lost answer.
#[test]
fn an_item_in_the_cart_that_the_status_does_not_record_waits_the_grace() {
    let mut case = Case::new().with_cart().with_configured_item();
    case.status.cart.as_mut().unwrap().item_id = None;
    let recorded = Step::Act(Act::Item(ItemAct::RecordUnanswered {
        item_id: 7,
        seen_at: case.now.to_string(),
    }));
    assert_eq!(case.plan(), recorded);
    let cart = case.status.cart.as_mut().unwrap();
    cart.item_id = Some(7);
    cart.item_posted_at = Some(case.now.to_string());
    assert!(
        matches!(
            case.plan(),
            Step::Wait {
                reason: Reason::Ordering,
                ..
            }
        ),
        "{:?}",
        case.plan()
    );
    let grace = std::time::Duration::from_secs(60);
    case.now += grace;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout { approved_by: None }))
    );
    // Recorded as answered: no wait.
    case.status.cart.as_mut().unwrap().item_posted_at = None;
    case.now -= grace;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout { approved_by: None }))
    );
}

//! An approval covers only the cart content whose price was shown: a cart is never changed once
//! priced for a person or a ceiling; a spec change makes a new cart, approved again.

use super::*;
use crate::api::PlanOption;

fn hds() -> PlanOption {
    PlanOption {
        plan_code: "certification.hds.2018".into(),
        duration: None,
        pricing_mode: None,
    }
}

/// cart-1, configured for the default spec and priced at `price` EUR with tax.
fn priced_at(price: &str) -> Case {
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.status.price.as_mut().unwrap().with_tax = price.into();
    case.status.phase = Some(Phase::AwaitingApproval);
    case
}

/// A named edit of the spec.
type Change = (&'static str, fn(&mut PublicCloudProjectSpec));

/// Every change of what is bought that the CEL rules allow before checkout.
fn spec_changes() -> Vec<Change> {
    vec![
        ("an option", |s| s.options = vec![hds()]),
        ("a configuration", |s| {
            s.configurations = vec![ItemConfiguration {
                label: "infrastructure".into(),
                value: "production".into(),
            }]
        }),
        ("a voucher", |s| s.voucher = Some("WELCOME".into())),
        ("the description", |s| s.description = "Team B".into()),
        ("the plan's duration", |s| s.plan.duration = "P1Y".into()),
    ]
}

#[test]
fn an_approved_cart_whose_spec_changed_is_abandoned_not_bought_or_changed() {
    for (what, change) in spec_changes() {
        let mut case = priced_at("10.00");
        case.spec.approval = Approval::Manual;
        case.approval = Some("cart-1");
        assert!(
            matches!(case.plan(), Step::Act(Act::Order(OrderAct::BeginCheckout { .. }))),
            "{what}: approved as shown"
        );
        change(&mut case.spec);
        assert_eq!(
            case.plan(),
            Step::Act(Act::Cart(CartAct::Abandon {
                cart_id: "cart-1".into()
            })),
            "{what}: the approved cart is neither bought nor changed"
        );
        // Not yet approved: abandoned too (a person may be approving the price shown).
        case.approval = None;
        assert_eq!(
            case.plan(),
            Step::Act(Act::Cart(CartAct::Abandon {
                cart_id: "cart-1".into()
            })),
            "{what}"
        );
    }
}

#[test]
fn the_new_cart_goes_through_the_intent_and_needs_its_own_approval() {
    let mut case = priced_at("10.00");
    case.spec.approval = Approval::Manual;
    case.spec.options = vec![hds()];
    case.spec.ovh_subsidiary = Some(OvhSubsidiary::FR);
    case.approval = Some("cart-1");
    // What CartAbandoned records (src/controller/outcome/apply.rs).
    case.status.cart = None;
    case.status.price = None;
    case.status.abandoned_cart = Some("cart-1".into());
    case.observed = Observed::default();
    case.observed.existing_project = Some(vec![]);
    assert_eq!(case.plan(), Step::Act(Act::Cart(CartAct::Begin)));

    // A crash after the intent: the marker lookup never takes the abandoned cart back, even if
    // a listing still shows it.
    case.status.cart_requested_at = Some("2026-11-27T10:00:00Z".into());
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::CartsByMarker(format!("{MARKER_PREFIX}{UID}")))
    );
    case.observed.marker_carts = Some(vec!["cart-1".into()]);
    assert!(
        matches!(case.plan(), Step::Act(Act::Cart(CartAct::Create { .. }))),
        "{:?}",
        case.plan()
    );
    case.observed.marker_carts = Some(vec!["cart-1".into(), "cart-2".into()]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Cart(CartAct::ReadFound {
            cart_id: "cart-2".into()
        }))
    );

    // cart-2, built for the new spec and priced: the approval of cart-1 does not apply.
    case.status.cart_requested_at = None;
    case.status.cart = Some(CartStatus {
        id: "cart-2".into(),
        assigned: Some(true),
        item_id: Some(7),
        ..Default::default()
    });
    let mut hds_item = item(&[]);
    hds_item.item_id = 8;
    hds_item.plan_code = Some("certification.hds.2018".into());
    hds_item.parent_item_id = Some(7);
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![item(&[(1, "description", "Team A")]), hds_item],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::Cart(CartAct::PreviewPrice {
            cart_id: "cart-2".into()
        }))
    );
    case.status.price = Some(PriceStatus {
        with_tax: "12.40".into(),
        without_tax: "10.33".into(),
        currency: "EUR".into(),
    });
    let Step::Wait {
        phase,
        reason,
        message,
        warning,
        ..
    } = case.plan()
    else {
        panic!("{:?}", case.plan())
    };
    assert_eq!(
        (phase, reason, warning),
        (Phase::AwaitingApproval, Reason::AwaitingApproval, true)
    );
    assert!(
        message.contains("The spec changed after the price of cart cart-1 was shown")
            && message.contains("A new approval is needed")
            && message.contains("12.40 EUR")
            && message.contains("approve=cart-2 --overwrite"),
        "{message}"
    );
    // Without an annotation it says so too.
    case.approval = None;
    let Step::Wait { message, warning, .. } = case.plan() else {
        panic!()
    };
    assert!(
        !warning && message.contains("cart cart-2 was made for the new spec and needs its own approval"),
        "{message}"
    );
    case.approval = Some("cart-2");
    assert!(matches!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout { .. }))
    ));
}

#[test]
fn under_a_ceiling_the_price_shown_is_the_price_bought() {
    for operator_wide in [false, true] {
        let mut case = priced_at("30.00");
        if operator_wide {
            case.max_price = Some("25.00");
        } else {
            case.spec.max_price = Some("25.00".into());
        }
        case.approval = Some("cart-1");
        assert!(matches!(
            case.plan(),
            Step::Act(Act::Order(OrderAct::BeginCheckout { .. }))
        ));
        case.spec.options = vec![hds()];
        assert_eq!(
            case.plan(),
            Step::Act(Act::Cart(CartAct::Abandon {
                cart_id: "cart-1".into()
            })),
            "operator-wide: {operator_wide}"
        );
        // Below the ceiling too: the price checked against it must be the price bought.
        case.status.price.as_mut().unwrap().with_tax = "20.00".into();
        case.approval = None;
        assert_eq!(
            case.plan(),
            Step::Act(Act::Cart(CartAct::Abandon {
                cart_id: "cart-1".into()
            }))
        );
    }
}

#[test]
fn without_approval_or_ceiling_a_priced_cart_is_changed_in_place() {
    // payment: Automatic previews the price (for the payment method), but nobody judges it.
    let mut case = priced_at("10.00");
    case.status.phase = Some(Phase::CartReady);
    case.spec.payment = Payment::Automatic;
    case.spec.options = vec![hds()];
    assert!(
        matches!(case.plan(), Step::Act(Act::Item(ItemAct::AddOption { .. }))),
        "{:?}",
        case.plan()
    );
}

#[test]
fn nothing_is_abandoned_once_a_checkout_began() {
    let mut case = priced_at("10.00");
    case.spec.approval = Approval::Manual;
    case.approval = Some("cart-1");
    case.status.phase = Some(Phase::CheckingOut);
    case.status.cart.as_mut().unwrap().checkout_started_at = Some("2026-11-27T09:59:30Z".into());
    // The CEL rules refuse spec changes from here; were one to get through, the cart is kept.
    case.spec.options = vec![hds()];
    assert!(
        !matches!(case.plan(), Step::Act(Act::Cart(CartAct::Abandon { .. }))),
        "{:?}",
        case.plan()
    );
}

#[test]
fn killed_between_the_deletion_and_the_status_write_the_cart_is_forgotten_never_bought() {
    let mut case = priced_at("10.00");
    case.spec.approval = Approval::Manual;
    case.spec.options = vec![hds()];
    case.approval = Some("cart-1");
    // The restarted operator reads the recorded cart: gone. It is forgotten (a new cart follows,
    // which the approval of cart-1 does not name), never checked out or looked for as an order.
    case.observed.cart = Some(CartSeen::Gone);
    assert_eq!(case.plan(), Step::Act(Act::Cart(CartAct::Forget)));
}

#[test]
fn a_price_changed_since_it_was_shown_makes_a_new_cart_never_a_checkout() {
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.spec.approval = Approval::Manual;
    case.approval = Some("cart-1");
    let mut now = case.status.price.clone().unwrap();
    now.with_tax = "24.00".into();
    case.observed.current_price = Some(now);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Cart(CartAct::Abandon {
            cart_id: "cart-1".into()
        }))
    );
    // Without approval or ceiling nothing is judged, so nothing is read again.
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.spec.payment = Payment::Automatic;
    let input = case.input();
    assert_eq!(
        plan(&input),
        Step::Act(Act::Order(OrderAct::BeginCheckout { approved_by: None }))
    );
}

#[test]
fn an_approval_given_before_the_price_was_shown_is_not_carried_to_changed_content() {
    // cart-1 is being configured (no price yet) when an approval names it; then the spec changes.
    for (what, change) in spec_changes() {
        let mut case = Case::new().with_cart().with_configured_item();
        case.spec.approval = Approval::Manual;
        case.approval = Some("cart-1");
        change(&mut case.spec);
        assert_eq!(
            case.plan(),
            Step::Act(Act::Cart(CartAct::Abandon {
                cart_id: "cart-1".into()
            })),
            "{what}: the approved cart is not changed under its approval"
        );
    }
}

#[test]
fn approved_by_is_recorded_only_where_the_approval_is_judged() {
    // approval: Automatic and no ceiling: the cart is changed in place, so an approve annotation
    // naming it (left from an earlier approval: Manual, say) names content nobody approved.
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.approval = Some("cart-1");
    case.approved_by = Some("bob");
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout { approved_by: None }))
    );
    case.spec.options = vec![hds()];
    assert!(
        matches!(case.plan(), Step::Act(Act::Item(ItemAct::AddOption { .. }))),
        "changed in place: {:?}",
        case.plan()
    );
    // Manual: the approved cart was never changed since the approval named it.
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.spec.approval = Approval::Manual;
    case.approval = Some("cart-1");
    case.approved_by = Some("bob");
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout {
            approved_by: Some("bob".into())
        }))
    );
}

//! spec.options (option items of the project item) and renaming a delivered project.

use super::*;
use crate::api::PlanOption;

fn hds() -> PlanOption {
    PlanOption {
        plan_code: "certification.hds.2018".into(),
        duration: None,
        pricing_mode: None,
    }
}

fn option_item(id: i64, parent: i64, code: &str) -> ItemSeen {
    ItemSeen {
        item_id: id,
        plan_code: Some(code.into()),
        duration: Some("P1M".into()),
        pricing_mode: Some("default".into()),
        parent_item_id: Some(parent),
        configurations: vec![],
    }
}

fn cart(items: Vec<ItemSeen>) -> Option<CartSeen> {
    Some(CartSeen::Found {
        read_only: false,
        items,
    })
}

#[test]
fn options_are_added_after_the_configurations_with_the_item_id_and_the_plan_defaults() {
    let mut case = Case::new().with_cart();
    case.spec.options = vec![hds()];
    case.observed.cart = cart(vec![item(&[])]);
    assert!(
        matches!(
            case.plan(),
            Step::Act(Act::Item(ItemAct::AddConfiguration { .. }))
        ),
        "configurations first, as terraform posts plan_option after them"
    );
    case.observed.cart = cart(vec![item(&[(1, "description", "Team A")])]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Item(ItemAct::AddOption {
            cart_id: "cart-1".into(),
            item_id: 7,
            plan_code: "certification.hds.2018".into(),
            duration: "P1M".into(),
            pricing_mode: "default".into(),
            item_plan_code: "project.2018".into(),
        }))
    );
    case.spec.options[0].duration = Some("P1Y".into());
    assert!(matches!(
        case.plan(),
        Step::Act(Act::Item(ItemAct::AddOption { ref duration, .. })) if duration == "P1Y"
    ));
}

#[test]
fn an_option_already_in_the_cart_is_not_added_again() {
    // The POST succeeded but its answer (or the status write) was lost: the cart shows it.
    let mut case = Case::new().with_cart();
    case.spec.options = vec![hds()];
    case.observed.cart = cart(vec![
        item(&[(1, "description", "Team A")]),
        option_item(9, 7, "certification.hds.2018"),
    ]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout { approved_by: None })),
        "the option is there: on to the checkout"
    );
}

#[test]
fn stray_options_go_and_are_never_taken_for_project_items() {
    let mut case = Case::new().with_cart();
    case.spec.options = vec![hds()];
    // Twice the same option (a POST repeated after a lost answer): the second goes.
    case.observed.cart = cart(vec![
        item(&[(1, "description", "Team A")]),
        option_item(9, 7, "certification.hds.2018"),
        option_item(10, 7, "certification.hds.2018"),
    ]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Item(ItemAct::Delete {
            cart_id: "cart-1".into(),
            item_id: 10
        }))
    );
    // An option of an item that is gone, or one the spec no longer names, goes.
    case.observed.cart = cart(vec![
        item(&[(1, "description", "Team A")]),
        option_item(11, 6, "certification.hds.2018"),
    ]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Item(ItemAct::Delete {
            cart_id: "cart-1".into(),
            item_id: 11
        }))
    );
    case.spec.options.clear();
    case.observed.cart = cart(vec![
        item(&[(1, "description", "Team A")]),
        option_item(9, 7, "certification.hds.2018"),
    ]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Item(ItemAct::Delete {
            cart_id: "cart-1".into(),
            item_id: 9
        })),
        "an option removed from the spec before the order leaves the cart"
    );
    // An option item is not a second project item: with the option wanted, nothing goes.
    case.spec.options = vec![hds()];
    case.observed.cart = cart(vec![
        option_item(9, 7, "certification.hds.2018"),
        item(&[(1, "description", "Team A")]),
    ]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Order(OrderAct::BeginCheckout { approved_by: None }))
    );
    // An option with another duration than the spec's goes, then the right one is added.
    case.spec.options[0].duration = Some("P1Y".into());
    assert_eq!(
        case.plan(),
        Step::Act(Act::Item(ItemAct::Delete {
            cart_id: "cart-1".into(),
            item_id: 9
        }))
    );
}

#[test]
fn a_delivered_project_is_renamed_only_when_spec_description_changes() {
    let mut case = Case::new().ordered(Some("delivered"));
    case.status.project_id = Some("p".into());
    case.status.project_status = Some("ok".into());
    case.status.project_description = Some("Team A".into());
    case.spec.description = "Team A prod".into();
    case.observed.project = Some(ProjectSeen::Found {
        status: "ok".into(),
        description: Some("Team A".into()),
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::Project(ProjectAct::Rename {
            project_id: "p".into(),
            from: Some("Team A".into()),
            to: "Team A prod".into(),
        }))
    );
    // OVH may have no description at all (canBeNull): the decision is the status's, not OVH's.
    case.observed.project = Some(ProjectSeen::Found {
        status: "ok".into(),
        description: None,
    });
    assert!(matches!(
        case.plan(),
        Step::Act(Act::Project(ProjectAct::Rename { from: None, .. }))
    ));
    // Renamed (status records the new name): Ready, whatever OVH shows — a console rename, or a
    // name OVH normalised, is not sent again.
    case.status.project_description = Some("Team A prod".into());
    case.day_two_read();
    for shown in [
        Some("Team A prod"),
        Some("Renamed in the console"),
        Some("Team A pro"),
        None,
    ] {
        case.observed.project = Some(ProjectSeen::Found {
            status: "ok".into(),
            description: shown.map(Into::into),
        });
        assert!(
            matches!(
                case.plan(),
                Step::Wait {
                    phase: Phase::Ready,
                    ..
                }
            ),
            "{shown:?}"
        );
    }
    // Not while it is being created, suspended, or paused.
    case.status.project_description = Some("Team A".into());
    for s in ["creating", "suspended"] {
        case.status.project_status = Some(s.into());
        case.observed.project = Some(ProjectSeen::Found {
            status: s.into(),
            description: Some("Team A".into()),
        });
        assert!(matches!(case.plan(), Step::Wait { .. }), "{s}");
    }
    case.paused = true;
    case.status.project_status = Some("ok".into());
    case.observed.project = Some(ProjectSeen::Found {
        status: "ok".into(),
        description: Some("Team A".into()),
    });
    assert!(matches!(
        case.plan(),
        Step::Wait {
            reason: Reason::Paused,
            ..
        }
    ));
}

#[test]
fn an_adopted_or_upgraded_project_keeps_its_name_until_the_spec_changes() {
    let mut case = Case::new();
    case.spec.project_id = Some("0123456789abcdef0123456789abcdef".into());
    case.status.project_id = case.spec.project_id.clone();
    case.status.project_status = Some("ok".into());
    case.observed.project = Some(ProjectSeen::Found {
        status: "ok".into(),
        description: Some("legacy".into()),
    });
    // First seen ok without a recorded name: recorded, no PUT.
    assert_eq!(
        case.plan(),
        Step::Act(Act::Project(ProjectAct::RecordDescription("Team A".into())))
    );
    case.status.project_description = Some("Team A".into());
    case.day_two_read();
    assert!(matches!(
        case.plan(),
        Step::Wait {
            phase: Phase::Ready,
            ..
        }
    ));
    case.spec.description = "Team A prod".into();
    assert_eq!(
        case.plan(),
        Step::Act(Act::Project(ProjectAct::Rename {
            project_id: "0123456789abcdef0123456789abcdef".into(),
            from: Some("legacy".into()),
            to: "Team A prod".into(),
        }))
    );
}

#[test]
fn the_outputs_come_before_a_rename() {
    let mut case = Case::new().ordered(Some("delivered"));
    case.status.project_id = Some("p".into());
    case.status.project_status = Some("ok".into());
    case.status.project_description = Some("Team A".into());
    case.spec.description = "Team A prod".into();
    case.spec.write_outputs_to = Some("team-a-outputs".into());
    case.observed.project = Some(ProjectSeen::Found {
        status: "ok".into(),
        description: Some("Team A".into()),
    });
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::OutputsSecret("team-a-outputs".into()))
    );
}

//! A project that is ok: its quota policy, budget alert and regions, and its spend on its own
//! schedule.

use super::*;
use crate::api::{Budget, BudgetStatus, QuotaPolicy, RegionRequest, RegionsStatus};

const PROJECT: &str = "0123456789ab4cdef0123456789abcde";

/// An adopted project, ok and named, whose day-two state was just read.
fn ok() -> Case {
    let mut case = Case::new();
    case.spec.project_id = Some(PROJECT.into());
    case.status.project_id = Some(PROJECT.into());
    case.status.project_status = Some("ok".into());
    case.status.project_description = Some(case.spec.description.clone());
    case.observed.project = Some(ProjectSeen::Found {
        status: "ok".into(),
        description: Some(case.spec.description.clone()),
    });
    case.day_two_read();
    case
}

fn budget(threshold: i64) -> Budget {
    Budget {
        monthly_threshold: threshold,
        emails: vec!["finops@example.com".into()],
        service: None,
        delay: 3600,
    }
}

fn alert(id: &str, name: &str, threshold: i64) -> AlertSeen {
    AlertSeen {
        id: id.into(),
        name: Some(name.into()),
        monthly_threshold: threshold,
        delay: 3600,
        emails: vec!["finops@example.com".into()],
        service: None,
    }
}

fn marked() -> String {
    format!("Team A budget ({MARKER_PREFIX}{UID})")
}

fn is_ready(step: &Step) -> bool {
    matches!(
        step,
        Step::Wait {
            phase: Phase::Ready,
            reason: Reason::Ready,
            ..
        }
    )
}

#[test]
fn spend_is_read_when_due_and_not_on_every_pass() {
    let mut case = ok();
    assert!(is_ready(&case.plan()), "read just now: nothing is due");
    case.now += std::time::Duration::from_secs(3600);
    assert_eq!(case.plan(), Step::Look(Lookup::Quotas(PROJECT.into())));
    case.observed.quotas = Some(vec![]);
    assert_eq!(case.plan(), Step::Act(Act::Quota(QuotaAct::Record(vec![]))));
    case.status.quota = Some(Default::default());
    assert_eq!(case.plan(), Step::Look(Lookup::Spend(PROJECT.into())));
    let seen = SpendSeen {
        current: Some("12.34".into()),
        ..Default::default()
    };
    case.observed.spend = Some(seen.clone());
    assert_eq!(case.plan(), Step::Act(Act::Spend(SpendAct::Record(seen))));
}

#[test]
fn the_quota_policy_is_sent_once() {
    let mut case = ok();
    case.spec.quota = Some(QuotaPolicy {
        automatic_upgrade: false,
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::Quota(QuotaAct::SetManual {
            project_id: PROJECT.into(),
            manual: true,
        }))
    );
    case.status.quota = Some(crate::api::QuotaStatus {
        manual: Some(true),
        ..Default::default()
    });
    assert!(is_ready(&case.plan()), "sent: not again");
}

#[test]
fn a_budget_alert_is_made_once_its_intent_first() {
    let mut case = ok();
    case.spec.budget = Some(budget(100));
    assert_eq!(case.plan(), Step::Act(Act::Budget(BudgetAct::Begin)));
    case.status.budget = Some(BudgetStatus {
        requested_at: Some(case.now.to_string()),
        ..Default::default()
    });
    case.memory.budget_begun = true;
    let Step::Act(Act::Budget(BudgetAct::Create {
        name, budget: sent, ..
    })) = case.plan()
    else {
        panic!("{:?}", case.plan())
    };
    assert!(name.ends_with(&format!("({MARKER_PREFIX}{UID})")), "{name}");
    assert_eq!(sent, budget(100));
}

#[test]
fn after_a_lost_answer_the_alert_is_found_by_its_marker_and_a_console_alert_is_left_alone() {
    let mut case = ok();
    case.spec.budget = Some(budget(100));
    case.status.budget = Some(BudgetStatus {
        requested_at: Some(case.now.to_string()),
        ..Default::default()
    });
    assert_eq!(case.plan(), Step::Look(Lookup::Alerts(PROJECT.into())));
    // Only an alert made in the Control Panel: not ours; within the grace, nothing is sent.
    case.observed.alerts = Some(vec![alert("a-console", "my alert", 50)]);
    assert!(is_ready(&case.plan()), "{:?}", case.plan());
    // Past the grace, the creation is asked again (its intent first).
    case.now += std::time::Duration::from_secs(120);
    assert_eq!(case.plan(), Step::Act(Act::Budget(BudgetAct::Begin)));
    // Ours, found: recorded, never a second POST.
    let ours = marked();
    case.observed.alerts = Some(vec![
        alert("a-console", "my alert", 50),
        alert("b-ours", &ours, 100),
    ]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Budget(BudgetAct::RecordFound {
            id: "b-ours".into(),
            applied: budget(100),
        }))
    );
}

#[test]
fn a_threshold_change_is_an_update_and_removing_the_budget_deletes_the_alert() {
    let mut case = ok();
    case.spec.budget = Some(budget(200));
    case.status.budget = Some(BudgetStatus {
        id: Some("b-ours".into()),
        applied: Some(budget(100)),
        ..Default::default()
    });
    assert!(matches!(
        case.plan(),
        Step::Act(Act::Budget(BudgetAct::Update { ref id, ref budget, .. })) if id == "b-ours" && budget.monthly_threshold == 200
    ));
    case.spec.budget = None;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Budget(BudgetAct::Delete {
            project_id: PROJECT.into(),
            id: "b-ours".into(),
            extra: false,
        }))
    );
}

#[test]
fn on_the_schedule_an_extra_marked_alert_goes_and_sent_alerts_are_reported() {
    let mut case = ok();
    case.spec.budget = Some(budget(100));
    case.status.budget = Some(BudgetStatus {
        id: Some("b-ours".into()),
        applied: Some(budget(100)),
        last_alert: Some(3),
        ..Default::default()
    });
    case.now += std::time::Duration::from_secs(3600);
    case.observed.quotas = Some(vec![]);
    case.status.quota = Some(Default::default());
    assert_eq!(case.plan(), Step::Look(Lookup::Alerts(PROJECT.into())));
    let ours = marked();
    case.observed.alerts = Some(vec![
        alert("a-console", "my alert", 50),
        alert("b-ours", &ours, 100),
        alert("c-twice", &ours, 100),
    ]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Budget(BudgetAct::Delete {
            project_id: PROJECT.into(),
            id: "c-twice".into(),
            extra: true,
        })),
        "the extra marked alert, never the console's"
    );
    case.observed.alerts = Some(vec![
        alert("a-console", "my alert", 50),
        alert("b-ours", &ours, 100),
    ]);
    assert!(matches!(case.plan(), Step::Look(Lookup::AlertsSent { .. })));
    case.observed.alerts_sent = Some(vec![2, 3, 4, 5]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Budget(BudgetAct::RecordSent { newest: 5, count: 2 }))
    );
    // The recorded alert deleted at OVH: forgotten, then made again.
    case.observed.alerts = Some(vec![alert("a-console", "my alert", 50)]);
    assert_eq!(case.plan(), Step::Act(Act::Budget(BudgetAct::Forget)));
}

#[test]
fn regions_are_checked_asked_once_and_not_asked_again_before_the_back_off() {
    let mut case = ok();
    case.spec.regions = vec!["GRA11".into(), "XYZ9".into()];
    assert_eq!(case.plan(), Step::Look(Lookup::Regions(PROJECT.into())));
    case.observed.regions = Some(vec!["SBG5".into()]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Region(RegionAct::RecordActive(vec!["SBG5".into()])))
    );
    case.status.regions = Some(RegionsStatus {
        active: vec!["SBG5".into()],
        read_at: Some(case.now.to_string()),
        ..Default::default()
    });
    assert_eq!(case.plan(), Step::Look(Lookup::AvailableRegions(PROJECT.into())));
    case.observed.available_regions = Some(vec!["GRA11".into(), "SBG5".into()]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Region(RegionAct::Begin { name: "GRA11".into() }))
    );
    case.memory.region_begun = Some("GRA11".into());
    assert_eq!(
        case.plan(),
        Step::Act(Act::Region(RegionAct::Add {
            project_id: PROJECT.into(),
            name: "GRA11".into(),
        }))
    );
    // Answered 500: recorded as asked; not asked again before the back-off, while XYZ9 is
    // refused with the list OVH offers.
    case.memory.region_begun = None;
    case.status.regions.as_mut().unwrap().requested = vec![RegionRequest {
        name: "GRA11".into(),
        at: case.now.to_string(),
    }];
    case.observed.regions = Some(vec!["SBG5".into()]);
    let Step::Wait { reason, message, .. } = case.plan() else {
        panic!("{:?}", case.plan())
    };
    assert_eq!(reason, Reason::RegionNotOffered);
    assert!(
        message.contains("XYZ9") && message.contains("GRA11, SBG5"),
        "{message}"
    );
    case.now += std::time::Duration::from_secs(7 * 3600);
    case.day_two_read();
    case.spec.regions = vec!["GRA11".into()];
    assert_eq!(
        case.plan(),
        Step::Act(Act::Region(RegionAct::Begin { name: "GRA11".into() })),
        "asked again after the back-off"
    );
}

#[test]
fn a_region_taken_out_of_the_spec_is_reported_as_kept() {
    let mut case = ok();
    case.status.regions = Some(RegionsStatus {
        active: vec!["GRA11".into()],
        added: vec!["GRA11".into()],
        read_at: Some(case.now.to_string()),
        ..Default::default()
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::Region(RegionAct::Unlisted { name: "GRA11".into() }))
    );
}

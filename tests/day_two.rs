//! Day two of a project, end to end (real kube-apiserver, the simulator, the operator in-process):
//! spend on its own schedule, one budget alert whatever is lost or killed, Control Panel alerts
//! left alone, regions asked once (a 500 that takes effect later included), manualQuota once.

mod common;

use std::time::Duration;

use common::{
    eventually,
    operator::{Env, condition},
    sim::delivered_project,
};
use kube::api::{Patch, PatchParams};
#[cfg(feature = "failpoints")]
use ovh_publiccloud_operator::controller::CrashHook;
use ovh_publiccloud_operator::{
    api::{Phase, PublicCloudProject},
    controller::{Options, plan::MARKER_PREFIX},
    simulator::Region,
};
use reqwest::Method;
use serde_json::{Value, json};

/// An operator that passes over Ready resources every second, reading their spend every
/// `spend_every`.
fn options(env: &Env, spend_every: Duration) -> Options {
    let mut options = env.options();
    options.resync = Duration::from_secs(1);
    options.spend_interval = spend_every;
    options
}

/// A delivered project of the simulator, adopted by a resource named `name` with `extra` spec.
async fn adopted(env: &Env, name: &str, extra: Value) -> (String, PublicCloudProject) {
    let (_, project_id) = delivered_project(&env.sim, Region::Eu, &env.sim.client()).await;
    let mut spec = json!({"description": "Team A", "projectId": project_id});
    spec.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let obj = env.create(name, spec).await;
    (project_id, obj)
}

fn marker(obj: &PublicCloudProject) -> String {
    format!("{MARKER_PREFIX}{}", obj.metadata.uid.as_deref().unwrap())
}

/// Waits until the operator has passed over the resource three more times (each pass reads the
/// project once).
async fn three_more_passes(env: &Env) {
    let project_reads = "GET /cloud/project/{serviceName}";
    let before = env.sim.calls(project_reads).await;
    eventually("three more passes", 30, || async {
        let now = env.sim.calls(project_reads).await;
        if now >= before + 3 { Ok(()) } else { Err(now) }
    })
    .await;
}

async fn patch_spec(env: &Env, name: &str, spec: Value) {
    env.api
        .patch(
            name,
            &PatchParams::default(),
            &Patch::Merge(json!({ "spec": spec })),
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spend_is_read_on_its_schedule_not_on_every_pass() {
    let env = Env::new("spend", |_| {}).await;
    let (project_id, _) = adopted(&env, "p", json!({})).await;
    let spend = format!("/_sim/projects/{project_id}/spend");
    env.sim
        .control(
            Method::POST,
            &spend,
            Some(json!({"current": "12.34", "forecast": "40.00", "currency": "EUR"})),
        )
        .await;
    let operator = env.start_operator_with(options(&env, Duration::from_secs(3600)), Default::default());
    let obj = env
        .wait_for("p", 30, |o| o.status.as_ref().is_some_and(|s| s.spend.is_some()))
        .await;
    let read = obj.status.unwrap().spend.unwrap();
    assert_eq!(
        (read.current.as_deref(), read.forecast.as_deref()),
        (Some("12.34"), Some("40.00"))
    );
    assert_eq!(read.currency.as_deref(), Some("EUR"));
    let usage = "GET /cloud/project/{serviceName}/usage/current";
    assert_eq!(env.sim.calls(usage).await, 1);

    // Passes go on every second (each reads the project); the spend is not read again.
    three_more_passes(&env).await;
    assert_eq!(env.sim.calls(usage).await, 1, "not on every pass");
    operator.kill();

    // With a short schedule, it is read again and the status follows.
    env.sim
        .control(Method::POST, &spend, Some(json!({"current": "20.00"})))
        .await;
    let _operator = env.start_operator_with(options(&env, Duration::from_secs(1)), Default::default());
    env.wait_for("p", 30, |o| {
        o.status
            .as_ref()
            .and_then(|s| s.spend.as_ref())
            .is_some_and(|s| s.current.as_deref() == Some("20.00"))
    })
    .await;
    assert!(env.sim.calls(usage).await >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaid_service_and_a_forecast_over_budget_are_said() {
    let env = Env::new("unpaid", |_| {}).await;
    let budget = json!({"budget": {"monthlyThreshold": 30, "emails": ["finops@example.com"]}});
    let (project_id, _) = adopted(&env, "p", budget).await;
    let path = format!("/_sim/projects/{project_id}");
    env.sim
        .control(
            Method::POST,
            &format!("{path}/spend"),
            Some(json!({"current": "12.00", "forecast": "45.50", "currency": "EUR"})),
        )
        .await;
    env.sim
        .control(
            Method::POST,
            &format!("{path}/service"),
            Some(json!({"status": "unPaid"})),
        )
        .await;
    let _operator = env.start_operator_with(options(&env, Duration::from_secs(3600)), Default::default());
    let obj = env
        .wait_for("p", 30, |o| condition(o, "ForecastOverBudget").is_some())
        .await;
    let over = condition(&obj, "ForecastOverBudget").unwrap();
    assert_eq!(
        (over.status.as_str(), over.reason.as_str()),
        ("True", "ForecastOverBudget")
    );
    assert!(over.message.contains("45.50"), "{}", over.message);
    let (kind, _, note) = env.wait_for_event("p", "ServiceNotOk").await;
    assert_eq!(kind, "Warning");
    assert!(note.contains("unPaid"), "{note}");
}

#[cfg(feature = "failpoints")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_alert_is_made_once_when_the_operator_dies_after_the_post_or_its_answer_is_lost() {
    let env = Env::new("budget-once", |_| {}).await;
    let budget = json!({"budget": {"monthlyThreshold": 100, "emails": ["finops@example.com"]}});

    // Killed right after OVH made the alert, before its id reached the status.
    let (killed, obj) = adopted(&env, "killed", budget.clone()).await;
    let (hook, point) = CrashHook::at_act("Budget::Create", true);
    let operator = env.start_operator_with(options(&env, Duration::from_secs(3600)), hook);
    tokio::time::timeout(Duration::from_secs(30), point.reached.notified())
        .await
        .expect("the alert's POST is reached");
    operator.kill();
    let _operator = env.start_operator_with(options(&env, Duration::from_secs(3600)), Default::default());
    env.wait_for("killed", 30, |o| {
        o.status
            .as_ref()
            .and_then(|s| s.budget.as_ref())
            .is_some_and(|b| b.id.is_some())
    })
    .await;
    env.wait_for_event("killed", "BudgetAlertFound").await;
    let ledger = env.sim.ledger().await;
    let day_two = ledger.day_two(&killed).unwrap();
    assert_eq!(day_two.alertings_marked(&marker(&obj)).len(), 1, "{day_two:#?}");

    // The POST's answer lost: found by its marker too.
    env.sim
        .fault(json!({"method": "POST", "route": "/cloud/project/{serviceName}/alerting", "dropResponse": true, "count": 1}))
        .await;
    let (lost_id, lost) = adopted(&env, "lost", budget).await;
    env.wait_for("lost", 30, |o| {
        o.status
            .as_ref()
            .and_then(|s| s.budget.as_ref())
            .is_some_and(|b| b.id.is_some())
    })
    .await;
    let ledger = env.sim.ledger().await;
    let day_two = ledger.day_two(&lost_id).unwrap();
    assert_eq!(day_two.alertings_marked(&marker(&lost)).len(), 1, "{day_two:#?}");
    assert_eq!(
        day_two.alertings_created, 1,
        "the lost answer's alert is the only one"
    );
    assert_eq!(
        env.sim.calls("POST /cloud/project/{serviceName}/alerting").await,
        2,
        "one POST per resource, none sent again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_marked_alerts_go_console_alerts_stay_and_a_threshold_change_is_one_put() {
    let env = Env::new("budget-keep", |_| {}).await;
    let budget = json!({"budget": {"monthlyThreshold": 100, "emails": ["finops@example.com"]}});
    let (project_id, obj) = adopted(&env, "p", budget).await;
    // An alert a person made in the Control Panel (no marker).
    env.sim
        .control(
            Method::POST,
            &format!("/_sim/projects/{project_id}/alerting"),
            Some(json!({"delay": 3600, "email": "boss@example.com", "monthlyThreshold": 999})),
        )
        .await;
    let _operator = env.start_operator_with(options(&env, Duration::from_secs(1)), Default::default());
    let obj_now = env
        .wait_for("p", 30, |o| {
            o.status
                .as_ref()
                .and_then(|s| s.budget.as_ref())
                .is_some_and(|b| b.id.is_some())
        })
        .await;
    let ours = obj_now.status.unwrap().budget.unwrap().id.unwrap();

    // A second alert with this resource's marker (as a creation sent twice would leave).
    let extra = ovh_publiccloud_operator::ovh::model::AlertingCreation {
        name: format!("copy ({})", marker(&obj)),
        monthly_threshold: 100,
        delay: 3600,
        emails: vec!["finops@example.com".into()],
        service: None,
    };
    env.sim
        .client()
        .create_alerting(&project_id, &extra)
        .await
        .unwrap();
    env.wait_for_event("p", "BudgetAlertDeleted").await;
    let ledger = env.sim.ledger().await;
    let day_two = ledger.day_two(&project_id).unwrap();
    let marked = day_two.alertings_marked(&marker(&obj));
    assert_eq!(marked.len(), 1, "{day_two:#?}");
    assert_eq!(marked[0].id, ours);
    assert!(
        day_two.alertings.iter().any(|a| a.monthly_threshold == 999),
        "the Control Panel's alert is left alone: {day_two:#?}"
    );

    // A threshold change: one PUT, no new alert.
    let puts = "PUT /cloud/project/{serviceName}/alerting/{id}";
    let posts = env.sim.calls("POST /cloud/project/{serviceName}/alerting").await;
    patch_spec(
        &env,
        "p",
        json!({"budget": {"monthlyThreshold": 250, "emails": ["finops@example.com"]}}),
    )
    .await;
    env.wait_for("p", 30, |o| {
        o.status
            .as_ref()
            .and_then(|s| s.budget.as_ref())
            .and_then(|b| b.applied.as_ref())
            .is_some_and(|a| a.monthly_threshold == 250)
    })
    .await;
    env.wait_for_event("p", "BudgetAlertUpdated").await;
    assert_eq!(env.sim.calls(puts).await, 1);
    assert_eq!(
        env.sim.calls("POST /cloud/project/{serviceName}/alerting").await,
        posts
    );
    let ledger = env.sim.ledger().await;
    let day_two = ledger.day_two(&project_id).unwrap();
    assert_eq!(day_two.alertings_marked(&marker(&obj))[0].monthly_threshold, 250);

    // An alert OVH sends becomes a Warning.
    env.sim
        .control(
            Method::POST,
            &format!("/_sim/projects/{project_id}/alerting/{ours}/alert"),
            None,
        )
        .await;
    let (kind, _, _) = env.wait_for_event("p", "BudgetAlertSent").await;
    assert_eq!(kind, "Warning");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regions_are_added_once_a_late_one_is_not_asked_twice_and_an_unknown_one_is_refused() {
    let env = Env::new("regions", |_| {}).await;
    // GRA11 is active on a new project (the simulator's default). BHS5's POST answers 500 and
    // takes effect two reads later.
    env.sim
        .fault(json!({"method": "POST", "route": "/cloud/project/{serviceName}/region", "status": 500, "effectAfterReads": 2, "count": 1}))
        .await;
    let _operator = env.start_operator_with(options(&env, Duration::from_secs(3600)), Default::default());
    let (project_id, _) = adopted(
        &env,
        "p",
        json!({"regions": ["GRA11", "BHS5", "DE1"], "quota": {"automaticUpgrade": false}}),
    )
    .await;
    env.wait_for("p", 60, |o| {
        o.status
            .as_ref()
            .and_then(|s| s.regions.as_ref())
            .is_some_and(|r| {
                ["GRA11", "BHS5", "DE1"]
                    .iter()
                    .all(|w| r.active.iter().any(|a| a == w))
            })
    })
    .await;
    let ledger = env.sim.ledger().await;
    let day_two = ledger.day_two(&project_id).unwrap();
    // The 500 is answered before OVH's logic counts the region (the fault), so the calls are
    // counted at the gate: two POSTs in all, one of them DE1's, none GRA11's.
    assert_eq!(day_two.region_posts_of("DE1"), 1, "{day_two:#?}");
    assert_eq!(day_two.region_posts_of("GRA11"), 0, "already active");
    assert_eq!(
        env.sim.calls("POST /cloud/project/{serviceName}/region").await,
        2,
        "BHS5 answered 500 and appeared later: asked once"
    );
    env.wait_for_event("p", "RegionPending").await;

    // The quota policy: sent once, whatever the passes.
    env.wait_for("p", 30, |o| {
        o.status
            .as_ref()
            .and_then(|s| s.quota.as_ref())
            .is_some_and(|q| q.manual == Some(true))
    })
    .await;
    three_more_passes(&env).await;
    let ledger = env.sim.ledger().await;
    let day_two = ledger.day_two(&project_id).unwrap();
    assert!(day_two.manual_quota);
    assert_eq!(day_two.manual_quota_puts, 1);

    // A region OVH does not offer: refused, with those it offers.
    patch_spec(&env, "p", json!({"regions": ["GRA11", "BHS5", "DE1", "XYZ9"]})).await;
    let obj = env
        .wait_for("p", 30, |o| {
            condition(o, "Ready").is_some_and(|c| c.reason == "RegionNotOffered")
        })
        .await;
    let said = condition(&obj, "Ready").unwrap().message;
    assert!(said.contains("XYZ9") && said.contains("SBG5"), "{said}");
    assert_eq!(obj.status.unwrap().phase, Some(Phase::Ready));
}

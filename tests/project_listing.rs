//! Projects gone from an account, noticed by one listing per credentials Secret (real
//! kube-apiserver, the simulator, the operator in-process): with a resync far longer than the
//! listing interval (as the call budget stretches it at scale), a project that leaves the account
//! is noticed by its resource within the listing interval; each Secret's account is listed once
//! per interval, and a listing that fails becomes no resource's error.

mod common;

use std::time::{Duration, Instant};

use common::{
    eventually,
    operator::{Env, condition, phase_of},
    sim::{AK_AS_CK, delivered_project},
};
use ovh_publiccloud_operator::{api::Phase, simulator::Region};
use reqwest::Method;
use serde_json::json;

const LISTING: &str = "GET /cloud/project";
const PROJECT_READS: &str = "GET /cloud/project/{serviceName}";
const EVERY: Duration = Duration::from_secs(2);

/// Adopts a delivered project of the simulator as `name`, with the credentials Secret `secret`;
/// answers its project id.
async fn adopted(env: &Env, name: &str, secret: &str) -> String {
    let (_, project_id) = delivered_project(&env.sim, Region::Eu, &env.sim.client()).await;
    let spec = json!({
        "description": name, "projectId": project_id,
        "credentialsSecretRef": {"name": secret},
    });
    env.create(name, spec).await;
    project_id
}

/// The Ready condition's reason of resource `name`.
async fn ready_reason(env: &Env, name: &str) -> Option<String> {
    condition(&env.api.get(name).await.unwrap(), "Ready").map(|c| c.reason)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_gone_from_the_account_is_noticed_at_the_listing_not_the_resync() {
    let env = Env::new("listing", |_| {}).await;
    env.put_secret("ovh-credentials-b", &AK_AS_CK).await;
    let gone = adopted(&env, "gone", "ovh-credentials").await;
    adopted(&env, "kept", "ovh-credentials").await;
    adopted(&env, "other", "ovh-credentials-b").await;
    let mut options = env.options();
    // A resync an hour long: only the listing can notice anything within the test.
    options.resync = Duration::from_secs(3600);
    options.project_listing_interval = Some(EVERY);
    let _operator = env.start_operator_with(options, Default::default());
    for name in ["gone", "kept", "other"] {
        env.wait_for_phase(name, Phase::Ready, 30).await;
    }

    // Each of the two Secrets' accounts is listed once per interval.
    let (since, before) = (Instant::now(), env.sim.calls(LISTING).await);
    tokio::time::sleep(EVERY * 5).await;
    let listings = env.sim.calls(LISTING).await - before;
    let intervals = since.elapsed().as_secs_f64() / EVERY.as_secs_f64();
    let (least, most) = (
        2 * (intervals.floor() as u64 - 1),
        2 * (intervals.ceil() as u64 + 1),
    );
    assert!(
        (least..=most).contains(&listings),
        "{listings} listings in {intervals:.1} intervals for two Secrets"
    );

    // The project leaves the account: its resource says so within the listing interval (plus a
    // pass), while the others are not read again.
    let reads = env.sim.calls(PROJECT_READS).await;
    env.sim
        .control(Method::POST, &format!("/_sim/projects/{gone}/remove"), None)
        .await;
    let removed = Instant::now();
    eventually("the gone project noticed", 15, async || {
        match ready_reason(&env, "gone").await {
            Some(r) if r == "ProjectNotFound" => Ok(()),
            other => Err(other),
        }
    })
    .await;
    assert!(
        removed.elapsed() < EVERY * 3,
        "noticed after {:?}, not within the listing interval",
        removed.elapsed()
    );
    let read_again = env.sim.calls(PROJECT_READS).await - reads;
    assert!(
        (1..=2).contains(&read_again),
        "only the gone project is read again, not every project: {read_again} reads"
    );
    for name in ["kept", "other"] {
        let obj = env.api.get(name).await.unwrap();
        assert_eq!(phase_of(&obj), Some(Phase::Ready), "{name}");
    }

    // A listing OVH refuses is retried at the next interval and is no resource's error.
    env.sim
        .fault(json!({"method": "GET", "route": "/cloud/project", "status": 403}))
        .await;
    let before = env.sim.calls(LISTING).await;
    eventually("two refused listings", 15, async || {
        let now = env.sim.calls(LISTING).await;
        if now >= before + 4 { Ok(()) } else { Err(now) }
    })
    .await;
    for name in ["kept", "other"] {
        assert_eq!(ready_reason(&env, name).await.as_deref(), Some("Ready"), "{name}");
        let warnings: Vec<_> = env
            .events(name)
            .await
            .into_iter()
            .filter(|(kind, _, _)| kind == "Warning")
            .collect();
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
    }
}

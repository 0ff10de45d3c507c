//! The guard rails against a real kube-apiserver and the simulator: a price ceiling, pause,
//! operator-wide policies, and no second order of a project that already exists.

mod common;

use std::time::Duration;

use common::{
    operator::{Env, condition, phase_of},
    secrets,
    sim::AK_AS_CK,
};
use ovh_publiccloud_operator::{
    api::{APPROVE_ANNOTATION, PAUSED_ANNOTATION, Phase},
    controller::CrashHook,
};
use serde_json::json;

/// A priced cart above spec.maxPrice is not checked out, even with approval: Automatic; the
/// approval then places exactly one order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_above_the_ceiling_waits_for_approval() {
    let env = Env::new("ceiling", |c| c.price_ucents = 1_000_000_000).await;
    let _operator = env.start_operator();
    env.create("p", json!({"description": "Capped", "maxPrice": "5.00"}))
        .await;
    let obj = env.wait_for_phase("p", Phase::AwaitingApproval, 30).await;
    let ready = condition(&obj, "Ready").unwrap();
    assert!(
        ready.message.contains("12.00 EUR") && ready.message.contains("ceiling of 5.00"),
        "both amounts: {}",
        ready.message
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(env.sim.ledger().await.orders.is_empty(), "nothing ordered");

    let cart_id = obj.status.unwrap().cart.unwrap().id;
    env.annotate("p", APPROVE_ANNOTATION, &cart_id).await;
    let obj = env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.orders.len(), 1, "{ledger:#?}");
    assert_eq!(ledger.checkouts(), 1);
    assert_eq!(
        obj.status.unwrap().approved_by.as_deref(),
        Some("(unknown)"),
        "no admission policy stamped the approver here"
    );
}

/// The paused annotation stops every OVH call until it is removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_resource_makes_no_ovh_call_until_unpaused() {
    let env = Env::new("paused", |_| {}).await;
    let _operator = env.start_operator();
    let obj: ovh_publiccloud_operator::api::PublicCloudProject = serde_json::from_value(json!({
        "apiVersion": "publiccloud.ovh-operator.dev/v1alpha1", "kind": "PublicCloudProject",
        "metadata": {"name": "p", "annotations": {PAUSED_ANNOTATION: "true"}},
        "spec": {"description": "Paused", "credentialsSecretRef": {"name": "ovh-credentials"}},
    }))
    .unwrap();
    env.api.create(&Default::default(), &obj).await.unwrap();
    let obj = env
        .wait_for("p", 30, |o| {
            condition(o, "Ready").is_some_and(|c| c.reason == "Paused")
        })
        .await;
    assert!(condition(&obj, "Ready").unwrap().message.contains("paused"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(env.sim.stats().await.total(), 0, "no OVH call while paused");

    env.remove_annotation("p", PAUSED_ANNOTATION).await;
    env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
    assert_eq!(env.sim.ledger().await.orders.len(), 1);
}

/// `--allow-terminate=false`: a Terminate resource is released like Orphan, with a Warning.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminate_disabled_operator_wide_orphans() {
    let env = Env::new("noterm", |_| {}).await;
    let mut options = env.options();
    options.allow_terminate = false;
    let _operator = env.start_operator_with(options, CrashHook::default());
    env.create(
        "p",
        json!({"description": "Kept anyway", "payment": "Automatic", "deletionPolicy": "Terminate"}),
    )
    .await;
    let project = env
        .wait_for_phase("p", Phase::Ready, 30)
        .await
        .status
        .unwrap()
        .project_id
        .unwrap();
    env.delete("p").await;
    env.wait_gone("p", 30).await;
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.project(&project).unwrap().status, "ok", "not terminated");
    let warned = env.events("p").await.into_iter().any(|(kind, reason, note)| {
        kind == "Warning" && reason == "LeftBehind" && note.contains("--allow-terminate=false")
    });
    assert!(warned, "{:#?}", env.events("p").await);
}

/// The operator's default credentials serve only allowed namespaces (by default, the Secret's own).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_credentials_are_refused_outside_the_allowlist() {
    let env = Env::new("defcreds", |_| {}).await;
    // The platform team's Secret lives in a namespace of its own.
    let ops = common::namespace(&env.client, "ops").await;
    let endpoint = env.sim.running.base_url.as_str();
    secrets::put(
        &env.client,
        &ops,
        "ovh",
        &[("endpoint", endpoint), AK_AS_CK[0], AK_AS_CK[1], AK_AS_CK[2]],
    )
    .await;
    let mut options = env.options();
    options.default_credentials = Some((ops.clone(), "ovh".into()));
    let operator = env.start_operator_with(options.clone(), CrashHook::default());
    let obj: ovh_publiccloud_operator::api::PublicCloudProject = serde_json::from_value(json!({
        "apiVersion": "publiccloud.ovh-operator.dev/v1alpha1", "kind": "PublicCloudProject",
        "metadata": {"name": "p"}, "spec": {"description": "Uses the default"},
    }))
    .unwrap();
    env.api.create(&Default::default(), &obj).await.unwrap();
    let obj = env
        .wait_for("p", 30, |o| {
            condition(o, "CredentialsValid").is_some_and(|c| c.reason == "DefaultCredentialsRefused")
        })
        .await;
    assert!(
        condition(&obj, "CredentialsValid")
            .unwrap()
            .message
            .contains(&env.ns)
    );
    assert_eq!(
        env.sim.stats().await.total(),
        0,
        "nothing ordered on that account"
    );

    drop(operator);
    options.default_credentials_namespaces = vec![env.ns.clone()];
    let _operator = env.start_operator_with(options, CrashHook::default());
    // Any change brings the resource back; the restarted operator reconciles it at start anyway.
    env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
}

/// The same manifest applied where the account already has its project: Stop (default),
/// Adopt, or Order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_project_with_the_same_description_stops_adopts_or_orders() {
    let env = Env::new("existing", |_| {}).await;
    let _operator = env.start_operator();
    env.create("first", json!({"description": "Alpha", "payment": "Automatic"}))
        .await;
    let project = env
        .wait_for_phase("first", Phase::Ready, 30)
        .await
        .status
        .unwrap()
        .project_id
        .unwrap();
    // The manifest's first resource goes (Orphan: the project stays at OVH, held by nobody), as
    // when a cluster is rebuilt.
    env.delete("first").await;
    env.wait_gone("first", 30).await;

    env.create("stop", json!({"description": "Alpha", "payment": "Automatic"}))
        .await;
    let obj = env.wait_for_phase("stop", Phase::NeedsAttention, 30).await;
    let ready = condition(&obj, "Ready").unwrap();
    assert_eq!(ready.reason, "ProjectExists");
    assert!(
        ready.message.contains("spec.onExisting: Adopt") && !ready.message.contains(&project),
        "says what to do, names no project it does not hold: {}",
        ready.message
    );

    env.create(
        "adopt",
        json!({"description": "Alpha", "payment": "Automatic", "onExisting": "Adopt"}),
    )
    .await;
    let obj = env.wait_for_phase("adopt", Phase::Ready, 30).await;
    let status = obj.status.unwrap();
    assert_eq!(status.project_id.as_deref(), Some(project.as_str()));
    assert!(status.order.is_none() && status.cart.is_none());
    assert_eq!(
        env.sim.ledger().await.orders.len(),
        1,
        "Stop and Adopt order nothing"
    );

    env.create(
        "order",
        json!({"description": "Alpha", "payment": "Automatic", "onExisting": "Order"}),
    )
    .await;
    let obj = env.wait_for_phase("order", Phase::Ready, 30).await;
    assert_ne!(obj.status.unwrap().project_id.as_deref(), Some(project.as_str()));
    assert_eq!(env.sim.ledger().await.orders.len(), 2, "Order orders another one");
    // Now "adopt" holds the project: another Adopt skips it and orders its own.
    env.create(
        "adopt-again",
        json!({"description": "Alpha", "payment": "Automatic", "onExisting": "Adopt"}),
    )
    .await;
    let obj = env.wait_for_phase("adopt-again", Phase::Ready, 30).await;
    assert_ne!(obj.status.unwrap().project_id.as_deref(), Some(project.as_str()));
    assert_eq!(
        phase_of(&env.api.get("stop").await.unwrap()),
        Some(Phase::NeedsAttention)
    );
}

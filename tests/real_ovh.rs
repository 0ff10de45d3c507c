//! The operator against OVH behaviours that a client written from the API's schema alone gets
//! wrong (the simulator reproduces them, each with its evidence: docs/reference/simulator.md):
//! the post-delivery 404 window, payments refused by OVH, expired services, the US API and
//! checkouts that commit after the client gave up. A real kube-apiserver, the simulator, the
//! operator in-process.

mod common;

use std::time::Duration;

use common::{
    assert_mentions,
    operator::{Env, condition, phase_of},
};
use ovh_publiccloud_operator::{
    api::{Phase, PublicCloudProject},
    controller::{CrashHook, plan::MARKER_PREFIX},
    ovh::{model::CartCreation, order::is_project_id},
    simulator::{Region, ledger::Ledger},
};
use serde_json::json;

fn project_status<'a>(ledger: &'a Ledger, id: &str) -> Option<&'a str> {
    ledger.project(id).map(|p| p.status.as_str())
}

fn project_id(obj: &PublicCloudProject) -> String {
    obj.status.as_ref().unwrap().project_id.clone().unwrap()
}

/// terraform-provider-ovh#1288: a delivered project answers 404 for minutes. A resource deleted
/// then, with deletionPolicy Terminate, waits and terminates it: no billed project left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_inside_the_404_window_still_terminates_the_project() {
    let env = Env::new("window", |c| c.project_404_ms = 8_000).await;
    let _operator = env.start_operator();
    env.create(
        "p",
        json!({"description": "Short-lived", "payment": "Automatic", "deletionPolicy": "Terminate"}),
    )
    .await;
    let obj = env
        .wait_for("p", 30, |o| {
            condition(o, "Ready").is_some_and(|c| c.reason == "ProjectNotVisibleYet")
        })
        .await;
    let project = project_id(&obj);
    assert!(is_project_id(&project));
    assert_eq!(phase_of(&obj), Some(Phase::Delivering));
    env.dump("p", "delivering").await;

    env.delete("p").await;
    let deleting = env
        .wait_for("p", 10, |o| {
            o.metadata.deletion_timestamp.is_some()
                && condition(o, "Ready").is_some_and(|c| c.reason == "ProjectNotVisibleYet")
                && phase_of(o) == Some(Phase::Terminating)
        })
        .await;
    assert!(
        condition(&deleting, "Ready").unwrap().message.contains(&project),
        "the condition names the project"
    );
    env.dump("p", "terminating").await;
    env.wait_gone("p", 60).await;
    let ledger = env.sim.ledger().await;
    assert_eq!(project_status(&ledger, &project), Some("deleted"), "{ledger:#?}");
}

/// A priced order whose default method is a bank account: OVH answers 403 "This order can't be
/// paid with 'bankAccount'" (terraform-provider-ovh#646). The resource waits in AwaitingPayment
/// with OVH's message and the order URL; the payment is tried once, never in a loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_payment_waits_for_a_person_and_is_never_retried() {
    let env = Env::new("bank", |c| {
        c.price_ucents = 500_000_000;
        c.payment_method_type = "BANK_ACCOUNT".into();
    })
    .await;
    let _operator = env.start_operator();
    env.create("p", json!({"description": "Priced", "payment": "Automatic"}))
        .await;
    let obj = env
        .wait_for("p", 30, |o| {
            condition(o, "Ready").is_some_and(|c| c.reason == "PaymentRefused")
        })
        .await;
    assert_eq!(phase_of(&obj), Some(Phase::AwaitingPayment));
    let message = condition(&obj, "Ready").unwrap().message;
    let url = obj
        .status
        .as_ref()
        .unwrap()
        .order
        .as_ref()
        .unwrap()
        .url
        .clone()
        .unwrap();
    assert!(message.contains("bankAccount"), "OVH's message: {message}");
    assert!(message.contains(&url), "the order URL: {message}");
    env.wait_for_event("p", "PaymentRefused").await;
    env.dump("p", "payment-refused").await;

    // Polled, not retried: the order status is read again, /pay is not.
    let polls = env.sim.calls("GET /me/order/{orderId}/status").await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        env.sim.calls("GET /me/order/{orderId}/status").await > polls,
        "still polling"
    );
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.orders.len(), 1);
    assert_eq!(ledger.orders[0].pay_attempts, 1, "{ledger:#?}");
    assert!(!ledger.orders[0].auto_pay_requested);

    // OVH asks for documents: a person must look (NeedsAttention), then OVH goes back to notPaid.
    let order_id = ledger.orders[0].order_id;
    let path = format!("/_sim/orders/{order_id}/status");
    let force = |status| {
        env.sim
            .control(reqwest::Method::POST, &path, Some(json!({ "status": status })))
    };
    force(json!("documentsRequested")).await;
    env.wait_for_phase("p", Phase::NeedsAttention, 30).await;
    env.dump("p", "needs-attention").await;
    force(serde_json::Value::Null).await;

    // A person pays at the URL: the resource goes on to Ready.
    env.sim.pay_on_order_page(&url).await;
    env.wait_for_phase("p", Phase::Ready, 30).await;
}

/// Terminate answering 460 (service expired, python-ovh ResourceExpiredError) or a project
/// whose every call answers 460: nothing is left to terminate, the finalizer goes with a note.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_project_is_released_not_retried() {
    let env = Env::new("expired", |_| {}).await;
    let _operator = env.start_operator();
    for name in ["terminate-460", "all-460"] {
        env.create(
            name,
            json!({"description": name, "payment": "Automatic", "deletionPolicy": "Terminate"}),
        )
        .await;
    }
    let first = project_id(&env.wait_for_phase("terminate-460", Phase::Ready, 30).await);
    let second = project_id(&env.wait_for_phase("all-460", Phase::Ready, 30).await);

    env.sim
        .fault(json!({"method": "POST", "route": "/cloud/project/{serviceName}/terminate", "status": 460, "message": "This Service is expired"}))
        .await;
    env.sim
        .control(
            reqwest::Method::POST,
            &format!("/_sim/projects/{second}/expire"),
            None,
        )
        .await;
    env.delete("terminate-460").await;
    env.delete("all-460").await;
    env.wait_gone("terminate-460", 30).await;
    env.wait_gone("all-460", 30).await;
    let notes: Vec<String> = [env.events("terminate-460").await, env.events("all-460").await]
        .concat()
        .into_iter()
        .map(|(_, _, note)| note)
        .collect();
    for project in [&first, &second] {
        assert!(
            notes
                .iter()
                .any(|n| n.contains(project.as_str()) && n.contains("expired")),
            "the release names {project}: {notes:#?}"
        );
    }
    assert_eq!(
        env.sim.calls("POST /cloud/project/{serviceName}/terminate").await,
        1,
        "the expired project is not asked to terminate; the refused one once"
    );
}

/// The US API: plan code `project`, no `/extension`, the project id from the order detail's
/// operations (terraform-provider-ovh PR #455, resource_cloud_project.go).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_us_order_uses_the_us_plan_code_and_finds_the_project_through_operations() {
    let env = Env::new("us", |c| c.region = Region::Us).await;
    let _operator = env.start_operator();
    env.create("p", json!({"description": "US project", "payment": "Automatic"}))
        .await;
    let obj = env.wait_for_phase("p", Phase::Ready, 30).await;
    let status = obj.status.clone().unwrap();
    assert_eq!(status.plan_code.as_deref(), Some("project"), "shown in status");
    assert!(is_project_id(status.project_id.as_deref().unwrap()));
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.orders.len(), 1);
    assert_eq!(ledger.carts[0].items[0].plan_code, "project");
    assert!(
        env.sim
            .calls("GET /me/order/{orderId}/details/{orderDetailId}/operations/{operationId}")
            .await
            >= 1
    );
}

/// A checkout that OVH commits after the client's timeout: the operator does not check out
/// again; it finds the order once the cart turns read-only. Exactly one order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_committed_after_the_clients_timeout_is_found_not_repeated() {
    let env = Env::new("slow", |_| {}).await;
    env.sim
        .fault(json!({"method": "POST", "route": "/order/cart/{cartId}/checkout", "commitAfterMs": 2500, "count": 1}))
        .await;
    let mut options = env.options();
    options.ovh_timeout = Duration::from_secs(1);
    options.checkout_timeout = Duration::from_secs(1);
    options.checkout_grace = Duration::from_secs(4);
    let _operator = env.start_operator_with(options, CrashHook::default());
    env.create("p", json!({"description": "Slow checkout"})).await;
    let obj = env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.orders.len(), 1, "{ledger:#?}");
    assert_eq!(ledger.carts[0].checkout_attempts, 1, "{ledger:#?}");
    assert_eq!(obj.status.unwrap().order.unwrap().id, ledger.orders[0].order_id);
    env.wait_for_event("p", "OrderFound").await;
}

/// The operator refuses a checkout grace shorter than the checkout's own timeout: a checkout
/// could still be running at OVH when it is sent again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grace_shorter_than_the_checkout_timeout_is_refused_at_start() {
    let env = Env::new("grace", |_| {}).await;
    let mut options = env.options();
    options.checkout_grace = Duration::from_secs(60);
    options.checkout_timeout = Duration::from_secs(180);
    let err = ovh_publiccloud_operator::controller::start(env.client.clone(), options, CrashHook::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("--checkout-grace"), "{err}");
}

/// OVH's guide checks the offer (`GET /order/cart/{cartId}/cloud`) and the item's accepted
/// configurations (`…/requiredConfiguration`): a refused plan code or label becomes a condition
/// naming what OVH offers, read only when OVH refuses (never on the common path).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_plan_code_or_label_is_explained_with_what_ovh_offers() {
    let env = Env::new("offer", |_| {}).await;
    let _operator = env.start_operator();
    env.create(
        "plan",
        json!({"description": "Bad plan", "plan": {"planCode": "project.1999"}}),
    )
    .await;
    env.create(
        "label",
        json!({"description": "Bad label", "configurations": [{"label": "colour", "value": "blue"}]}),
    )
    .await;
    let refused = |o: &PublicCloudProject| condition(o, "Ready").is_some_and(|c| c.reason == "OvhBadRequest");
    let plan = env.wait_for("plan", 30, refused).await;
    let message = condition(&plan, "Ready").unwrap().message;
    assert_mentions(&message, &["project.1999", "OVH offers: project.2018"]);
    let label = env.wait_for("label", 30, refused).await;
    let message = condition(&label, "Ready").unwrap().message;
    assert_mentions(&message, &["\"colour\"", "infrastructure", "vrack"]);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(env.sim.calls("GET /order/cart/{cartId}/cloud").await, 1);
    assert_eq!(
        env.sim
            .calls("GET /order/cart/{cartId}/item/{itemId}/requiredConfiguration")
            .await,
        1
    );
    assert!(env.sim.ledger().await.orders.is_empty());
}

/// A cart listed by its marker that then answers 404 (gone meanwhile) is forgotten, not an error
/// on every pass: a new cart is made, and exactly one order placed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cart_found_by_its_marker_that_answers_404_is_forgotten() {
    let env = Env::new("forgotten", |_| {}).await;
    let obj = env.create("p", json!({"description": "Found then gone"})).await;
    let marker = format!("{MARKER_PREFIX}{}", obj.metadata.uid.unwrap());
    let client = env.sim.client();
    let cart = client
        .create_cart(&CartCreation {
            ovh_subsidiary: "FR".into(),
            description: Some(marker),
            expire: None,
        })
        .await
        .unwrap();
    client.assign_cart(&cart.cart_id).await.unwrap();
    // As an operator that crashed after asking for that cart left the status: the cart may exist.
    env.api
        .patch_status(
            "p",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(json!({"status": {"cartRequestedAt": "2026-11-27T00:00:00Z"}})),
        )
        .await
        .unwrap();
    env.sim
        .fault(json!({"method": "GET", "route": "/order/cart/{cartId}", "status": 404, "message": "The requested object does not exist", "count": 1}))
        .await;
    let _operator = env.start_operator();
    env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
    env.wait_for_event("p", "CartForgotten").await;
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.orders.len(), 1, "{ledger:#?}");
    let found = ledger.cart(&cart.cart_id).unwrap();
    assert_eq!(found.checkouts, 0, "{ledger:#?}");
}

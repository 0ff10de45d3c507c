//! What one ordered project costs the API server: every status write and every event, seen
//! through a watch of the resource and the events API (not counted by the operator itself).

mod common;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use common::operator::Env;
use futures::TryStreamExt;
use kube::runtime::{WatchStreamExt, watcher};
use ovh_publiccloud_operator::api::{Phase, PublicCloudProject};
use serde_json::{Value, json};

/// The statuses the API server held, one per write that changed it (a watch sees every
/// resourceVersion of one object; metadata changes such as the finalizer leave the status as it
/// was and are not counted).
async fn statuses_while(env: &Env, run: impl std::future::Future<Output = ()>) -> Vec<Value> {
    let seen = Arc::new(Mutex::new(Vec::<PublicCloudProject>::new()));
    let recorder = {
        let (seen, api) = (seen.clone(), env.api.clone());
        tokio::spawn(async move {
            let _ = watcher(api, watcher::Config::default())
                .applied_objects()
                .try_for_each(|o| {
                    seen.lock().unwrap().push(o);
                    futures::future::ready(Ok(()))
                })
                .await;
        })
    };
    run.await;
    // Anything written after Ready (there should be nothing) is caught too.
    tokio::time::sleep(Duration::from_secs(3)).await;
    recorder.abort();
    let mut statuses: Vec<Value> = Vec::new();
    for o in seen.lock().unwrap().iter() {
        let s = serde_json::to_value(&o.status).unwrap();
        if statuses.last() != Some(&s) {
            statuses.push(s);
        }
    }
    statuses.retain(|s| !s.is_null());
    statuses
}

/// The automatic path (approval and payment Automatic) to Ready: a write before the cart's
/// assignment, the checkout and the payment (each records what a restart needs before a call
/// it could not find again or repeat safely), one for the delivery and one for Ready; three
/// events (the order with its URL, the payment, Ready).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_automatic_order_costs_five_status_writes_and_three_events() {
    let env = Env::new("writes", |_| {}).await;
    let _operator = env.start_operator();
    let statuses = statuses_while(&env, async {
        env.create(
            "p",
            json!({"description": "Writes", "payment": "Automatic", "ovhSubsidiary": "FR"}),
        )
        .await;
        env.wait_for_phase("p", Phase::Ready, 30).await;
    })
    .await;
    let phases: Vec<&str> = statuses
        .iter()
        .map(|s| s["phase"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        phases,
        ["CartReady", "CheckingOut", "CheckingOut", "Delivering", "Ready"],
        "{statuses:#?}"
    );
    // What each write carries: the cart id before its assignment; the whole cart (item,
    // configuration, price) with the checkout's intent; the order, its URL and the payment's
    // intent before the payment.
    let (assign, checkout, pay) = (&statuses[0], &statuses[1], &statuses[2]);
    assert!(assign["cart"]["id"].is_string() && assign["cart"]["assigned"].is_null());
    assert!(checkout["cart"]["itemId"].is_number() && checkout["cart"]["checkoutStartedAt"].is_string());
    assert!(checkout["price"].is_object() && checkout["order"].is_null());
    assert!(pay["order"]["url"].is_string() && pay["payment"]["requestedAt"].is_string());
    env.wait_for_event("p", "Ready").await;
    let events: Vec<String> = env.events("p").await.into_iter().map(|(_, r, _)| r).collect();
    assert_eq!(events, ["OrderPlaced", "PaymentRequested", "Ready"]);
}

/// Manual payment: the order's URL reaches the status with the first write after the checkout,
/// before anything else is read about the order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_manual_payment_the_url_is_written_before_the_order_is_read() {
    let env = Env::new("writes-manual", |_| {}).await;
    let _operator = env.start_operator();
    let statuses = statuses_while(&env, async {
        env.create("p", json!({"description": "Writes", "ovhSubsidiary": "FR"}))
            .await;
        env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
    })
    .await;
    let first_with_order = statuses
        .iter()
        .find(|s| s["order"].is_object())
        .expect("an order");
    assert!(first_with_order["order"]["url"].is_string());
    assert!(
        first_with_order["order"]["status"].is_null(),
        "written before GET /me/order/{{id}}: {first_with_order:#}"
    );
}

//! Sharding (docs/operations/sharding.md): two operators on one cluster and one credentials
//! Secret, each with its own `--watch-selector`, each ordering only the resources its selector
//! matches; a resource neither matches is left alone. End to end against the real
//! kube-apiserver and the simulator, both operators in-process.

mod common;

use std::collections::BTreeMap;

use common::operator::Env;
use kube::{ResourceExt, api::PostParams};
use ovh_publiccloud_operator::{
    api::{Phase, PublicCloudProject},
    controller::{CrashHook, plan::MARKER_PREFIX},
};
use serde_json::json;

/// Creates `name` labelled `shard: <shard>` (none: unlabelled), ordered with payment Automatic.
async fn create(env: &Env, name: &str, shard: Option<&str>) -> PublicCloudProject {
    let labels = shard.map_or(json!({}), |s| json!({"shard": s}));
    let obj: PublicCloudProject = serde_json::from_value(json!({
        "apiVersion": "publiccloud.ovh-operator.dev/v1alpha1", "kind": "PublicCloudProject",
        "metadata": {"name": name, "labels": labels},
        "spec": {"description": name, "payment": "Automatic", "onExisting": "Order",
                 "credentialsSecretRef": {"name": "ovh-credentials"}},
    }))
    .unwrap();
    env.api.create(&PostParams::default(), &obj).await.unwrap()
}

/// The operator of one shard: the test's options, with `selector`.
fn shard(env: &Env, selector: &str) -> common::operator::Operator {
    let mut options = env.options();
    options.watch_selector = Some(selector.to_string());
    env.start_operator_with(options, CrashHook::default())
}

/// The orders of the simulator's ledger per resource UID (the UID is in the cart's marker).
async fn orders_by_uid(env: &Env) -> BTreeMap<String, Vec<i64>> {
    let ledger = env.sim.ledger().await;
    let uid_of_cart: BTreeMap<&str, &str> = ledger
        .carts
        .iter()
        .filter_map(|c| Some((c.cart_id.as_str(), c.description.strip_prefix(MARKER_PREFIX)?)))
        .collect();
    let mut orders: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for order in &ledger.orders {
        let uid = uid_of_cart[order.cart_id.as_str()];
        orders.entry(uid.to_string()).or_default().push(order.order_id);
    }
    orders
}

/// A resource no operator has touched: no finalizer, no status.
async fn untouched(env: &Env, name: &str) {
    let obj = env.api.get(name).await.unwrap();
    assert!(obj.finalizers().is_empty(), "{name} has a finalizer: {obj:?}");
    assert!(obj.status.is_none(), "{name} has a status: {:?}", obj.status);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_shards_on_one_secret_each_order_only_their_resources() {
    let env = Env::new("shards", |_| {}).await;
    let mut uids = BTreeMap::new();
    for (name, label) in [
        ("a-1", Some("a")),
        ("a-2", Some("a")),
        ("b-1", Some("b")),
        ("b-2", Some("b")),
        ("none", None),
    ] {
        let obj = create(&env, name, label).await;
        uids.insert(name, obj.uid().unwrap());
    }

    // Shard a alone: it orders its two, and nothing of b's nor the unlabelled one.
    let operator_a = shard(&env, "shard=a");
    for name in ["a-1", "a-2"] {
        env.wait_for_phase(name, Phase::Ready, 60).await;
    }
    for name in ["b-1", "b-2", "none"] {
        untouched(&env, name).await;
    }
    let orders = orders_by_uid(&env).await;
    assert_eq!(orders.len(), 2, "shard a's two orders only: {orders:?}");

    // Shard b joins on the same Secret: it orders b's; a's are not ordered again.
    let _operator_b = shard(&env, "shard=b");
    for name in ["b-1", "b-2"] {
        env.wait_for_phase(name, Phase::Ready, 60).await;
    }
    // A resource created while both run goes to its shard only.
    let late = create(&env, "a-3", Some("a")).await;
    uids.insert("a-3", late.uid().unwrap());
    env.wait_for_phase("a-3", Phase::Ready, 60).await;
    untouched(&env, "none").await;

    let orders = orders_by_uid(&env).await;
    for name in ["a-1", "a-2", "a-3", "b-1", "b-2"] {
        let uid = &uids[name];
        let obj = env.api.get(name).await.unwrap();
        let recorded = obj.status.unwrap().order.map(|o| o.id);
        assert_eq!(
            orders.get(uid).map(Vec::as_slice),
            recorded.as_ref().map(std::slice::from_ref),
            "{name}: one order, the one its status names"
        );
    }
    assert!(
        !orders.contains_key(&uids["none"]),
        "the unlabelled resource was ordered"
    );
    assert_eq!(orders.len(), 5, "{orders:?}");
    drop(operator_a);
}

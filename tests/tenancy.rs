//! Between teams (docs/security-model.md), end to end against the real kube-apiserver, the
//! simulator and the operator in-process: a project is held by the first resource that ordered
//! or adopted it, and a lost checkout never takes another resource's order.

mod common;

use common::operator::{Env, condition};
use ovh_publiccloud_operator::{
    api::{APPROVE_ANNOTATION, ORDER_ID_ANNOTATION, Phase, PublicCloudProject},
    ovh::model::Checkout,
};
use serde_json::json;

/// Every status and event text of resource `name`, as one string.
async fn everything_shown(env: &Env, name: &str) -> String {
    let obj: PublicCloudProject = env.api.get(name).await.unwrap();
    let events = env.events(name).await;
    format!("{}\n{events:?}", serde_json::to_string(&obj.status).unwrap())
}

/// Orders and delivers a project for `name` (payment Automatic at 0.00: the fidelity account
/// pays) and returns its id.
async fn ready_project(env: &Env, name: &str, description: &str) -> String {
    env.create(
        name,
        json!({"description": description, "payment": "Automatic", "onExisting": "Order"}),
    )
    .await;
    let obj = env.wait_for_phase(name, Phase::Ready, 60).await;
    obj.status.unwrap().project_id.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_is_held_by_the_first_resource_and_no_other_reaches_it() {
    let env = Env::new("held", |_| {}).await;
    let _operator = env.start_operator();
    let theirs = ready_project(&env, "team-b", "Team B production").await;

    // team-a names team-b's project, asks for an administrator password, and would terminate
    // it on delete.
    env.create(
        "team-a",
        json!({"description": "mine now", "projectId": theirs, "deletionPolicy": "Terminate",
               "writeOutputsTo": "stolen", "openstackUser": {"role": "administrator"}}),
    )
    .await;
    let obj = env.wait_for_phase("team-a", Phase::NeedsAttention, 30).await;
    let ready = condition(&obj, "Ready").unwrap();
    assert_eq!(ready.reason, "ProjectHeld", "{ready:?}");
    assert!(
        ready.message.contains("held by another PublicCloudProject"),
        "{}",
        ready.message
    );
    let status = obj.status.unwrap();
    assert_eq!(status.project_id, None, "team-a does not record team-b's project");
    assert_eq!(status.openstack_user, None);
    env.wait_for_event("team-a", "ProjectHeld").await;

    // An adopter by description (onExisting: Adopt) skips the held project and orders its own;
    // onExisting: Stop does not stop on it (it is not this manifest's) and names no id.
    env.create(
        "team-c",
        json!({"description": "Team B production", "onExisting": "Adopt", "payment": "Automatic"}),
    )
    .await;
    env.create(
        "team-d",
        json!({"description": "Team B production", "onExisting": "Stop", "payment": "Automatic"}),
    )
    .await;
    for name in ["team-c", "team-d"] {
        let obj = env.wait_for_phase(name, Phase::Ready, 60).await;
        let own = obj.status.unwrap().project_id.unwrap();
        assert_ne!(own, theirs, "{name} ordered its own project");
        let shown = everything_shown(&env, name).await;
        assert!(
            !shown.contains(&theirs),
            "{name} sees team-b's project id: {shown}"
        );
    }

    // Deleting team-a: its finalizer goes without a call about team-b's project.
    env.delete("team-a").await;
    env.wait_gone("team-a", 30).await;
    let stats = env.sim.stats().await;
    for route in [
        "POST /cloud/project/{serviceName}/user",
        "PUT /cloud/project/{serviceName}",
        "POST /cloud/project/{serviceName}/terminate",
    ] {
        assert_eq!(stats.calls_to(route), 0, "{route} was called: {stats:?}");
    }
    let ledger = env.sim.ledger().await;
    let project = ledger.project(&theirs).unwrap();
    assert_eq!(project.description, "Team B production");
    assert!(ledger.users.is_empty(), "{:?}", ledger.users);
    let obj = env.wait_for_phase("team-b", Phase::Ready, 5).await;
    assert_eq!(obj.status.unwrap().project_id.as_deref(), Some(theirs.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_checkout_never_takes_another_teams_order() {
    let env = Env::new("lost", |_| {}).await;
    let _operator = env.start_operator();
    env.create("team-b", json!({"description": "Same name"})).await;
    let obj = env.wait_for_phase("team-b", Phase::AwaitingPayment, 30).await;
    let theirs = obj.status.unwrap().order.unwrap().id;

    // team-a's first checkout fails before OVH commits anything (its cart stays open).
    env.sim
        .fault(json!({"method": "POST", "route": "/order/cart/{cartId}/checkout", "status": 500, "count": 1}))
        .await;
    env.create("team-a", json!({"description": "Same name"})).await;
    let obj = env.wait_for_phase("team-a", Phase::AwaitingPayment, 60).await;
    let status = obj.status.unwrap();
    let ours = status.order.unwrap().id;
    assert_ne!(ours, theirs, "team-a recorded team-b's order");
    let ledger = env.sim.ledger().await;
    let cart = ledger.cart(&status.cart.unwrap().id).unwrap();
    assert_eq!((cart.checkouts, cart.checkout_attempts), (1, 1), "{cart:?}");
    assert_eq!(ledger.orders.len(), 2, "{:?}", ledger.orders);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_checkout_never_takes_a_held_order_and_the_order_id_annotation_is_checked() {
    let env = Env::new("hint", |_| {}).await;
    let _operator = env.start_operator();
    // The contents common::sim::configured_cart orders.
    let spec = json!({"description": "Team A", "voucher": "WELCOME"});
    env.create("team-b", spec.clone()).await;
    let obj = env.wait_for_phase("team-b", Phase::AwaitingPayment, 30).await;
    let theirs = obj.status.unwrap().order.unwrap().id;
    // An order with the same contents that no resource holds (made in the console, say).
    let client = env.sim.client();
    let (stray, _) = common::sim::configured_cart(&client, "console").await;
    client
        .checkout(&stray.cart_id, &Checkout::default())
        .await
        .unwrap();

    // team-a's checkout commits but its answer is lost: its cart reads read-only; its own order
    // and the stray one match (team-b's is held, so not a candidate): it cannot tell, and stops.
    env.sim
        .fault(json!({"method": "POST", "route": "/order/cart/{cartId}/checkout", "dropResponse": true, "count": 1}))
        .await;
    env.create("team-a", spec).await;
    let obj = env.wait_for_phase("team-a", Phase::NeedsAttention, 60).await;
    let ready = condition(&obj, "Ready").unwrap();
    assert!(!ready.message.contains(&theirs.to_string()), "{}", ready.message);
    let cart_id = obj.status.unwrap().cart.unwrap().id;
    let ledger = env.sim.ledger().await;
    let ours = ledger
        .orders
        .iter()
        .find(|o| o.cart_id == cart_id)
        .unwrap()
        .order_id;

    // A person names team-b's order: refused, nothing recorded.
    env.annotate("team-a", ORDER_ID_ANNOTATION, &theirs.to_string())
        .await;
    env.wait_for("team-a", 30, |o| {
        condition(o, "Ready").is_some_and(|c| c.reason == "OrderHintRefused")
    })
    .await;
    let obj: PublicCloudProject = env.api.get("team-a").await.unwrap();
    assert_eq!(obj.status.unwrap().order, None);
    // The right one is taken.
    env.annotate("team-a", ORDER_ID_ANNOTATION, &ours.to_string())
        .await;
    let obj = env.wait_for_phase("team-a", Phase::AwaitingPayment, 30).await;
    assert_eq!(obj.status.unwrap().order.unwrap().id, ours);
    let obj = env.wait_for_phase("team-b", Phase::AwaitingPayment, 5).await;
    assert_eq!(obj.status.unwrap().order.unwrap().id, theirs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_that_changed_while_the_approval_waited_is_never_bought() {
    let env = Env::new("reprice", |_| {}).await;
    let set_price = |price: &'static str| {
        env.sim.control(
            reqwest::Method::POST,
            "/_sim/price",
            Some(json!({ "price": price })),
        )
    };
    set_price("10.00").await;
    let _operator = env.start_operator();
    env.create(
        "p",
        json!({"description": "Priced", "approval": "Manual", "payment": "Automatic"}),
    )
    .await;
    let obj = env.wait_for_phase("p", Phase::AwaitingApproval, 30).await;
    let status = obj.status.unwrap();
    let (shown_cart, shown) = (status.cart.unwrap().id, status.price.unwrap());
    assert_eq!(shown.with_tax, "12.00");

    // The catalog price doubles while the approval waits; the approver approves what was shown.
    set_price("20.00").await;
    env.annotate("p", APPROVE_ANNOTATION, &shown_cart).await;
    let obj = env
        .wait_for("p", 30, |o| {
            o.status.as_ref().is_some_and(|s| {
                s.phase == Some(Phase::AwaitingApproval)
                    && s.cart.as_ref().is_some_and(|c| c.id != shown_cart)
            })
        })
        .await;
    let status = obj.status.unwrap();
    assert_eq!(
        status.price.unwrap().with_tax,
        "24.00",
        "the new cart shows the new price"
    );
    assert_eq!(status.order, None);
    let ledger = env.sim.ledger().await;
    assert!(ledger.orders.is_empty(), "nothing bought: {:?}", ledger.orders);
    assert!(
        ledger.cart(&shown_cart).is_none(),
        "the approved cart was deleted"
    );
}

//! Changes after the fact, end to end (real kube-apiserver, simulator, operator in-process):
//! renaming a project through spec.description, options of the project item (spec.options),
//! and an approval that does not outlive a spec change.

mod common;

use std::time::Duration;

use common::{
    operator::{Env, condition},
    sim::delivered_project,
};
use kube::api::{Patch, PatchParams};
#[cfg(feature = "failpoints")]
use ovh_publiccloud_operator::controller::CrashHook;
use ovh_publiccloud_operator::{
    api::{APPROVE_ANNOTATION, PAUSED_ANNOTATION, Phase},
    simulator::{Region, ledger::LedgerCart},
};
use serde_json::json;

async fn patch_spec(env: &Env, name: &str, spec: serde_json::Value) -> Result<(), String> {
    env.api
        .patch(
            name,
            &PatchParams::default(),
            &Patch::Merge(json!({ "spec": spec })),
        )
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

/// The option items of a cart: (item id, plan code, parent item id).
fn options_of(cart: &LedgerCart) -> Vec<(i64, String, Option<i64>)> {
    cart.items
        .iter()
        .filter(|i| i.parent_item_id.is_some())
        .map(|i| (i.id, i.plan_code.clone(), i.parent_item_id))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_description_change_is_refused_until_delivery_then_renames_the_project() {
    let env = Env::new("rename", |_| {}).await;
    let _operator = env.start_operator();
    env.create("p", json!({"description": "Team 0", "approval": "Manual"}))
        .await;
    let obj = env.wait_for_phase("p", Phase::AwaitingApproval, 30).await;
    let cart_id = obj.status.unwrap().cart.unwrap().id;

    // Before the order: the cart's price was shown, so it is not changed; a new cart carries
    // the new description (and is approved on its own).
    patch_spec(&env, "p", json!({"description": "Team A"}))
        .await
        .expect("a description may change before the order");
    let obj = env
        .wait_for("p", 30, |o| {
            o.status.as_ref().is_some_and(|s| {
                s.phase == Some(Phase::AwaitingApproval)
                    && s.observed_generation == o.metadata.generation
                    && s.cart.as_ref().is_some_and(|c| c.id != cart_id)
            })
        })
        .await;
    let ledger = env.sim.ledger().await;
    assert!(ledger.cart(&cart_id).is_none(), "the priced cart was deleted");
    let cart_id = obj.status.unwrap().cart.unwrap().id;
    let descriptions: Vec<&str> = ledger.cart(&cart_id).unwrap().items[0]
        .configurations
        .values()
        .filter(|(label, _)| label == "description")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(descriptions, ["Team A"], "{ledger:#?}");
    env.annotate("p", APPROVE_ANNOTATION, &cart_id).await;
    let obj = env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;

    // Between checkout and delivery: refused by the API server, saying why.
    let said = patch_spec(&env, "p", json!({"description": "Team B"}))
        .await
        .expect_err("the name of an ordered, undelivered project is fixed");
    assert!(
        said.contains("spec.description cannot change between checkout and delivery")
            && said.contains("once status.projectId is set, a change renames the project"),
        "{said}"
    );

    let url = obj.status.unwrap().order.unwrap().url.unwrap();
    env.sim.pay_on_order_page(&url).await;
    let obj = env.wait_for_phase("p", Phase::Ready, 30).await;
    let project_id = obj.status.unwrap().project_id.unwrap();
    assert_eq!(
        env.sim.ledger().await.project(&project_id).unwrap().description,
        "Team A"
    );
    let puts_before = env.sim.calls("PUT /cloud/project/{serviceName}").await;
    assert_eq!(puts_before, 0, "nothing to rename while the names agree");

    // After delivery: the project is renamed at OVH, with an event, and Ready again.
    patch_spec(&env, "p", json!({"description": "Team B"}))
        .await
        .expect("a delivered project may be renamed");
    env.wait_for("p", 30, |o| {
        o.status
            .as_ref()
            .is_some_and(|s| s.phase == Some(Phase::Ready) && s.observed_generation == o.metadata.generation)
    })
    .await;
    env.wait_for_event("p", "ProjectRenamed").await;
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.project(&project_id).unwrap().description, "Team B");
    let client = env.sim.client();
    assert_eq!(
        client.project(&project_id).await.unwrap().description.as_deref(),
        Some("Team B"),
        "GET /cloud/project/{{id}} shows the new name"
    );
    let (kind, _, note) = env.wait_for_event("p", "ProjectRenamed").await;
    assert_eq!(kind, "Normal");
    assert!(
        note.contains("\"Team A\"") && note.contains("\"Team B\""),
        "{note}"
    );
    assert_eq!(env.sim.calls("PUT /cloud/project/{serviceName}").await, 1);
    assert_eq!(ledger.orders.len(), 1, "a rename orders nothing");

    // Further resyncs make no rename: the GET the Ready pass makes anyway shows the same name.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(env.sim.calls("PUT /cloud/project/{serviceName}").await, 1);
}

/// Only a change of spec.description renames: adopting a project named otherwise keeps its name,
/// and a rename made in the OVH console is not reverted by later passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adoption_and_console_renames_are_left_alone_and_a_spec_change_renames_once() {
    let env = Env::new("rename-adopt", |_| {}).await;
    let client = env.sim.client();
    // The simulator's delivered project is named after the cart's description label: "Team A".
    let (_, project_id) = delivered_project(&env.sim, Region::Eu, &client).await;
    let _operator = env.start_operator();
    env.create("a", json!({"description": "Legacy", "projectId": project_id}))
        .await;
    let obj = env.wait_for_phase("a", Phase::Ready, 30).await;
    assert_eq!(
        obj.status.unwrap().project_description.as_deref(),
        Some("Legacy"),
        "the base of later changes"
    );
    let puts = || env.sim.calls("PUT /cloud/project/{serviceName}");
    assert_eq!(puts().await, 0, "adopting renames nothing");
    assert_eq!(
        env.sim.ledger().await.project(&project_id).unwrap().description,
        "Team A"
    );

    // A change of spec.description: one PUT.
    patch_spec(&env, "a", json!({"description": "Legacy 2"}))
        .await
        .unwrap();
    env.wait_for("a", 30, |o| {
        o.status.as_ref().is_some_and(|s| {
            s.phase == Some(Phase::Ready)
                && s.observed_generation == o.metadata.generation
                && s.project_description.as_deref() == Some("Legacy 2")
        })
    })
    .await;
    assert_eq!(puts().await, 1);
    assert_eq!(
        env.sim.ledger().await.project(&project_id).unwrap().description,
        "Legacy 2"
    );

    // Renamed in the console (a PUT straight to the simulator): later passes leave it.
    client.rename_project(&project_id, "Console name").await.unwrap();
    let puts_now = puts().await;
    // Any change of the resource makes a pass at once.
    env.annotate("a", "example.com/poke", "1").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    env.wait_for_phase("a", Phase::Ready, 30).await;
    assert_eq!(puts().await, puts_now, "the console rename is not reverted");
    assert_eq!(
        env.sim.ledger().await.project(&project_id).unwrap().description,
        "Console name"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_option_is_posted_once_with_the_item_id_priced_and_then_immutable() {
    let env = Env::new("options", |c| {
        c.price_ucents = 0;
        c.option_price_ucents = 200_000_000;
    })
    .await;
    let _operator = env.start_operator();
    env.create(
        "p",
        json!({"description": "HDS", "approval": "Manual", "options": [{"planCode": "certification.hds.2018"}]}),
    )
    .await;
    let obj = env.wait_for_phase("p", Phase::AwaitingApproval, 30).await;
    let status = obj.status.clone().unwrap();
    let price = status.price.clone().unwrap();
    assert_eq!(
        (price.with_tax.as_str(), price.without_tax.as_str()),
        ("2.40", "2.00"),
        "the preview prices the option (2.00 + 20 % tax)"
    );
    assert!(
        condition(&obj, "Ready").unwrap().message.contains("2.40 EUR"),
        "{:?}",
        condition(&obj, "Ready")
    );
    let cart = status.cart.unwrap();
    let (cart_id, item_id) = (cart.id, cart.item_id.unwrap());
    let ledger = env.sim.ledger().await;
    let cart = ledger.cart(&cart_id).unwrap();
    assert_eq!(
        options_of(cart)
            .into_iter()
            .map(|(_, code, parent)| (code, parent))
            .collect::<Vec<_>>(),
        [("certification.hds.2018".to_string(), Some(item_id))],
        "one option, posted with the project item's id: {ledger:#?}"
    );
    assert_eq!(env.sim.calls("POST /order/cart/{cartId}/cloud/options").await, 1);
    env.wait_for_event("p", "OptionAdded").await;

    env.annotate("p", APPROVE_ANNOTATION, &cart_id).await;
    let obj = env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
    assert_eq!(obj.status.unwrap().price.unwrap().with_tax, "2.40");
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.orders.len(), 1);
    assert_eq!(options_of(ledger.cart(&cart_id).unwrap()).len(), 1);
    assert_eq!(env.sim.calls("POST /order/cart/{cartId}/cloud/options").await, 1);

    // Once ordered, the options cannot change.
    let said = patch_spec(&env, "p", json!({"options": []}))
        .await
        .expect_err("options are bought");
    assert!(
        said.contains("spec.options cannot change once an order exists"),
        "{said}"
    );
}

/// An approval covers the cart whose price was shown, not what the cart would become: cart C is
/// approved, then (the resource paused, so the operator cannot act on the approval first) an
/// option is added. C is deleted, not repriced and bought; a new cart waits for its own approval,
/// which then orders once, with the option.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_does_not_carry_over_to_a_cart_changed_after_its_price_was_shown() {
    let env = Env::new("reapprove", |c| {
        c.price_ucents = 1_000_000_000;
        c.option_price_ucents = 200_000_000;
    })
    .await;
    let _operator = env.start_operator();
    env.create("p", json!({"description": "Approved", "approval": "Manual"}))
        .await;
    let obj = env.wait_for_phase("p", Phase::AwaitingApproval, 30).await;
    let status = obj.status.unwrap();
    assert_eq!(status.price.unwrap().with_tax, "12.00");
    let approved = status.cart.unwrap().id;

    env.annotate("p", PAUSED_ANNOTATION, "true").await;
    env.wait_for("p", 30, |o| {
        condition(o, "Ready").is_some_and(|c| c.reason == "Paused")
    })
    .await;
    env.annotate("p", APPROVE_ANNOTATION, &approved).await;
    patch_spec(
        &env,
        "p",
        json!({"options": [{"planCode": "certification.hds.2018"}]}),
    )
    .await
    .expect("options may change before the order");
    env.remove_annotation("p", PAUSED_ANNOTATION).await;

    let obj = env
        .wait_for("p", 30, |o| {
            o.status.as_ref().is_some_and(|s| {
                s.phase == Some(Phase::AwaitingApproval)
                    && s.observed_generation == o.metadata.generation
                    && s.cart.as_ref().is_some_and(|c| c.id != approved)
            })
        })
        .await;
    let ready = condition(&obj, "Ready").unwrap();
    let status = obj.status.unwrap();
    let cart_id = status.cart.unwrap().id;
    assert_eq!(
        status.price.unwrap().with_tax,
        "14.40",
        "12.00 + the option's 2.40"
    );
    assert_eq!(status.abandoned_cart.as_deref(), Some(approved.as_str()));
    assert!(
        ready.message.contains(&format!(
            "The spec changed after the price of cart {approved} was shown"
        )) && ready.message.contains("A new approval is needed")
            && ready.message.contains(&format!("approve={cart_id} --overwrite")),
        "{}",
        ready.message
    );
    env.wait_for_event("p", "CartAbandoned").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let ledger = env.sim.ledger().await;
    assert!(ledger.orders.is_empty(), "nothing ordered: {ledger:#?}");
    assert_eq!(ledger.checkouts(), 0);
    assert!(ledger.cart(&approved).is_none(), "the approved cart was deleted");
    assert_eq!(options_of(ledger.cart(&cart_id).unwrap()).len(), 1);

    env.annotate("p", APPROVE_ANNOTATION, &cart_id).await;
    let obj = env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
    assert_eq!(obj.status.unwrap().price.unwrap().with_tax, "14.40");
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.orders.len(), 1, "{ledger:#?}");
    assert_eq!(ledger.checkouts(), 1);
    assert_eq!(ledger.orders[0].cart_id, cart_id);
    assert_eq!(options_of(ledger.cart(&cart_id).unwrap()).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_option_is_explained_with_the_offered_ones() {
    let env = Env::new("badoption", |_| {}).await;
    let _operator = env.start_operator();
    env.create(
        "p",
        json!({"description": "Bad option", "options": [{"planCode": "certification.pci-dss"}]}),
    )
    .await;
    let obj = env
        .wait_for("p", 30, |o| {
            condition(o, "Ready").is_some_and(|c| c.reason == "OvhBadRequest")
        })
        .await;
    let message = condition(&obj, "Ready").unwrap().message;
    assert!(
        message.contains("certification.pci-dss")
            && message.contains("OVH offers: certification.hds.2018")
            && message.contains("spec.options"),
        "{message}"
    );
    assert!(env.sim.ledger().await.orders.is_empty(), "nothing ordered");

    // Fixed before the order: the cart gets the right option, and the order follows.
    patch_spec(
        &env,
        "p",
        json!({"options": [{"planCode": "certification.hds.2018"}]}),
    )
    .await
    .unwrap();
    env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.orders.len(), 1);
    let cart = ledger.cart(&ledger.orders[0].cart_id).unwrap();
    assert_eq!(options_of(cart).len(), 1, "{ledger:#?}");
}

/// Killed between the option's POST and the status write, the restarted operator sees the
/// option in the cart and does not post it again.
#[cfg(feature = "failpoints")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_posting_an_option_the_operator_does_not_post_it_again() {
    for step in 6..=9 {
        let env = Env::new("optcrash", |_| {}).await;
        let (hook, point) = CrashHook::at(step, true);
        let operator = env.start_operator_with(env.options(), hook);
        env.create(
            "p",
            json!({"description": "Crash", "options": [{"planCode": "certification.hds.2018"}]}),
        )
        .await;
        let froze = tokio::time::timeout(Duration::from_secs(20), point.reached.notified())
            .await
            .is_ok();
        operator.kill();
        assert!(froze, "the flow reaches step {step}");
        if point.frozen_at.lock().unwrap().as_deref() != Some("Item::AddOption") {
            continue;
        }
        assert_eq!(env.sim.calls("POST /order/cart/{cartId}/cloud/options").await, 1);
        let _operator = env.start_operator();
        env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
        let ledger = env.sim.ledger().await;
        assert_eq!(ledger.orders.len(), 1);
        let cart = ledger.cart(&ledger.orders[0].cart_id).unwrap();
        assert_eq!(options_of(cart).len(), 1, "{ledger:#?}");
        assert_eq!(
            env.sim.calls("POST /order/cart/{cartId}/cloud/options").await,
            1,
            "never posted twice"
        );
        return;
    }
    panic!("no step was AddOption");
}

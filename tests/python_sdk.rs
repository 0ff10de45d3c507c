//! OVH's official Python SDK (`ovh` on PyPI) drives the whole order flow against the simulator,
//! signed with AK/AS/CK and with OAuth2, and must get exactly what the Rust client gets from a
//! simulator with the same seed: the proof that the simulator speaks OVH, and that our client
//! does too.

mod common;

use common::sim::{
    Sim, configured_cart_in, project_id_from_operations, project_id_of, subsidiary_and_plan, wait_for_status,
};
use ovh_publiccloud_operator::{
    ovh::model::{Checkout, OrderStatus, ProjectUserCreation},
    simulator::{Region, ledger::Ledger},
};
use serde_json::{Value, json};

const SEED: u64 = 7;

fn python() -> std::path::PathBuf {
    let path = std::env::var_os("OVH_SDK_PYTHON")
        .map(Into::into)
        .unwrap_or_else(|| common::repo_root().join("target/sdk-venv/bin/python"));
    assert!(
        path.exists(),
        "{} not found: scripts/test creates this virtualenv with the `ovh` package (or set OVH_SDK_PYTHON)",
        path.display()
    );
    path
}

fn region_arg(region: Region) -> &'static str {
    match region {
        Region::Eu => "eu",
        Region::Us => "us",
    }
}

async fn python_flow(mode: &str, region: Region) -> (Value, Ledger) {
    let sim = Sim::start(|c| {
        c.seed = SEED;
        c.region = region;
    })
    .await;
    let script = common::repo_root().join("tests/python/sdk_order_flow.py");
    let out = tokio::process::Command::new(python())
        .arg(&script)
        .arg(&sim.running.base_url)
        .arg(mode)
        .arg(region_arg(region))
        .output()
        .await
        .expect("run python");
    assert!(
        out.status.success(),
        "python SDK flow ({mode}) failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    (summary, sim.ledger().await)
}

/// The same steps, in the same order, with the Rust client.
async fn rust_flow(region: Region) -> Value {
    let sim = Sim::start(|c| {
        c.seed = SEED;
        c.region = region;
    })
    .await;
    let client = sim.client();
    client.me().await.unwrap();
    let (cart, item) = configured_cart_in(region, &client, "sdk-flow").await;
    client
        .required_configuration(&cart.cart_id, item.item_id)
        .await
        .unwrap();
    let preview = client.checkout_preview(&cart.cart_id).await.unwrap();
    let checkout = Checkout::api_order(false);
    let order = client.checkout(&cart.cart_id, &checkout).await.unwrap();
    let order_id = order.order_id.unwrap();
    let first = client.order_status(order_id).await.unwrap();
    sim.control(
        reqwest::Method::POST,
        &format!("/_sim/orders/{order_id}/pay"),
        None,
    )
    .await;
    wait_for_status(&client, order_id, OrderStatus::Delivered).await;
    let project_id = match region {
        Region::Eu => project_id_of(&client, order_id).await,
        Region::Us => project_id_from_operations(&client, order_id).await,
    };
    let project = common::sim::wait_visible(&client, project_id.as_deref().unwrap()).await;
    let project_id = project_id.clone().unwrap_or_default();
    let creation = ProjectUserCreation {
        description: Some("sdk (ovh-publiccloud-operator:sdk)".into()),
        role: Some("compute_operator".into()),
        roles: vec![],
    };
    let user = client.create_user(&project_id, &creation).await.unwrap();
    while client.user(&project_id, user.user.id).await.unwrap().status != "ok" {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let found: Vec<i64> = client
        .users(&project_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.description.ends_with("(ovh-publiccloud-operator:sdk)"))
        .map(|u| u.id)
        .collect();
    let openrc = client
        .openrc(&project_id, user.user.id, "GRA11")
        .await
        .unwrap()
        .content;
    let regenerated = client
        .regenerate_password(&project_id, user.user.id)
        .await
        .unwrap();
    client.delete_user(&project_id, user.user.id).await.unwrap();
    assert!(
        client
            .user(&project_id, user.user.id)
            .await
            .unwrap_err()
            .is_not_found()
    );
    json!({
        "cartId": cart.cart_id,
        "orderId": order_id,
        "orderUrl": order.url,
        "priceWithTax": preview.prices.with_tax.text,
        "statuses": [first.as_str(), "delivered"],
        "projectId": project_id,
        "planCode": project.plan_code,
        "user": {
            "id": user.user.id,
            "username": user.user.username,
            "password": user.password,
            "found": found,
            "openrcUsername": openrc.contains(&format!("export OS_USERNAME=\"{}\"", user.user.username)),
            "regenerated": regenerated.password,
        },
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_sdk_orders_a_project_like_the_rust_client() {
    same_flow_in_python_and_rust(Region::Eu).await;
}

/// The US API: plan code `project`, no `extension`, the project id in the details' operations
/// (terraform-provider-ovh PR #455).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_sdk_orders_a_project_on_the_us_api_like_the_rust_client() {
    same_flow_in_python_and_rust(Region::Us).await;
}

async fn same_flow_in_python_and_rust(region: Region) {
    let rust = rust_flow(region).await;
    let (_, plan_code) = subsidiary_and_plan(region);
    assert_eq!(rust["planCode"], json!(plan_code));
    assert_eq!(
        rust["user"]["found"],
        json!([rust["user"]["id"]]),
        "found by its marker"
    );
    assert_eq!(rust["user"]["openrcUsername"], json!(true));
    assert_ne!(rust["user"]["regenerated"], rust["user"]["password"]);
    for mode in ["ak", "oauth2"] {
        let (py, ledger) = python_flow(mode, region).await;
        let (found_in, extension) = match region {
            Region::Eu => ("details", plan_code),
            Region::Us => ("operations", "ResourceNotFoundError"),
        };
        assert_eq!(py["projectFoundIn"], json!(found_in), "{mode}");
        assert_eq!(py["extension"], json!(extension), "{mode}");
        for key in [
            "orderId",
            "priceWithTax",
            "statuses",
            "projectId",
            "cartId",
            "planCode",
            "user",
        ] {
            assert_eq!(
                py[key], rust[key],
                "{mode}: {key} differs between the Python SDK and the Rust client"
            );
        }
        assert_eq!(py["projectStatus"], json!("ok"), "{mode}");
        assert_eq!(
            py["secondCheckout"],
            json!("APIError"),
            "{mode}: a second checkout is refused (403)"
        );
        assert_eq!(py["notFound"]["error"], json!("ResourceNotFoundError"), "{mode}");
        assert!(
            py["notFound"]["queryId"]
                .as_str()
                .is_some_and(|q| q.starts_with("SIM.")),
            "{mode}: {py}"
        );
        let expected_wrong = if mode == "ak" {
            "BadParametersError"
        } else {
            "OAuth2FailureError"
        };
        assert_eq!(py["wrongCredentials"], json!(expected_wrong), "{mode}");
        assert_eq!(ledger.orders.len(), 1, "{mode}: exactly one order");
        assert_eq!(ledger.carts[0].checkouts, 1, "{mode}");
        assert_eq!(ledger.carts[0].checkout_attempts, 2, "{mode}");
    }
}

//! OVH's official Python SDK (`ovh` on PyPI) drives the whole order flow against the simulator,
//! signed with AK/AS/CK and with OAuth2, and must get exactly what the Rust client gets from a
//! simulator with the same seed: the proof that the simulator speaks OVH, and that our client
//! does too.

mod common;

use common::sim::{
    Sim, configured_cart_in, project_id_from_operations, project_id_of, subsidiary_and_plan, wait_for_status,
};
use ovh_publiccloud_operator::{
    ovh::{
        OvhClient,
        model::{AlertingCreation, AlertingUpdate, Checkout, OrderStatus, ProjectUserCreation, UsageTotal},
    },
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
    let day_two = rust_day_two(&sim, &client, &project_id).await;
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
        "dayTwo": day_two,
    })
}

/// Day two with the Rust client, the steps of the Python script: spend, standing, a budget alert
/// made, changed and deleted, a region activated, quotas, `manualQuota`.
async fn rust_day_two(sim: &Sim, client: &OvhClient, project_id: &str) -> Value {
    let spend = json!({"current": "12.34", "forecast": "40.00"});
    let path = format!("/_sim/projects/{project_id}/spend");
    sim.control(reqwest::Method::POST, &path, Some(spend)).await;
    let text = |u: UsageTotal| u.total_price.unwrap().text;
    let spend = [
        text(client.usage_current(project_id).await.unwrap()),
        text(client.usage_forecast(project_id).await.unwrap()),
    ];
    let standing = client.service_infos(project_id).await.unwrap().status;
    let creation = AlertingCreation {
        name: "budget (ovh-publiccloud-operator:sdk)".into(),
        monthly_threshold: 100,
        delay: 3600,
        emails: vec!["team@example.com".into()],
        service: None,
    };
    let alerting = client.create_alerting(project_id, &creation).await.unwrap();
    let listed = client.alerting_ids(project_id).await.unwrap();
    let update = AlertingUpdate {
        name: creation.name.clone(),
        monthly_threshold: 250,
        delay: 3600,
        emails: creation.emails.clone(),
        service: None,
    };
    client
        .update_alerting(project_id, &alerting.id, &update)
        .await
        .unwrap();
    let changed = client.alerting(project_id, &alerting.id).await.unwrap();
    client.delete_alerting(project_id, &alerting.id).await.unwrap();
    let gone = client.alerting(project_id, &alerting.id).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    let before = client.regions(project_id).await.unwrap();
    let available: Vec<String> = client
        .available_regions(project_id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    client.add_region(project_id, "SBG5").await.unwrap();
    client.set_manual_quota(project_id, true).await.unwrap();
    let quota_regions: Vec<String> = client
        .quotas(project_id)
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.region)
        .collect();
    json!({
        "spend": spend, "standing": standing,
        "alerting": {"id": alerting.id, "listed": listed, "threshold": changed.monthly_threshold,
                     "emails": changed.emails, "gone": "ResourceNotFoundError"},
        "regions": {"before": before, "available": available,
                    "after": client.regions(project_id).await.unwrap()},
        "quotaRegions": quota_regions,
        "manualQuota": client.project(project_id).await.unwrap().manual_quota,
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
    let day_two = &rust["dayTwo"];
    let currency = if region == Region::Eu { " €" } else { "" };
    assert_eq!(
        day_two["spend"],
        json!([format!("12.34{currency}"), format!("40.00{currency}")]),
        "{day_two}"
    );
    assert_eq!(day_two["alerting"]["listed"], json!([day_two["alerting"]["id"]]));
    assert_eq!(day_two["alerting"]["threshold"], json!(250));
    assert_eq!(day_two["regions"]["after"], json!(["GRA11", "SBG5"]));
    assert_eq!(day_two["manualQuota"], json!(true));
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
            "dayTwo",
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
        let project_id = py["projectId"].as_str().unwrap();
        let day = ledger.day_two(project_id).expect("the project's day two");
        assert_eq!(
            (
                day.alertings_created,
                day.region_posts_of("SBG5"),
                day.manual_quota_puts
            ),
            (1, 1, 1),
            "{mode}: one alerting, one region POST, one manualQuota PUT"
        );
        assert!(day.alertings.is_empty(), "{mode}: the alerting was deleted");
    }
}

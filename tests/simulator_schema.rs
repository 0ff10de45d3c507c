//! Schema conformance: every route the simulator serves exists in OVH's schema with that method
//! and the same authentication flag, and every answer carries the schema model's non-nullable
//! fields with the right JSON types (fixture: tests/fixtures/ovh-schema.json, from OVH's schemas).

mod common;

use std::collections::BTreeSet;

use common::sim::{Sim, configured_cart, configured_cart_in, project_id_of, wait_for_status};
use ovh_publiccloud_operator::{
    ovh::{Route, access, model::*},
    simulator::{
        Region,
        routes::{QUERIES, ROUTES},
    },
};
use serde_json::{Value, json};

fn fixture() -> Value {
    let text = std::fs::read_to_string(common::repo_root().join("tests/fixtures/ovh-schema.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn operation<'a>(schema: &'a Value, method: &str, path: &str) -> Option<&'a Value> {
    schema["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["method"] == method && o["path"] == path && o.get("missing").is_none())
}

/// Routes of the US API that OVH's EU schema (our fixture) does not have. Evidence:
/// terraform-provider-ovh `ovh/order.go` `orderDetailOperations` (GET
/// `/me/order/%d/details/%d/operations` → `[]int64`, then `…/operations/%d`) and
/// `ovh/types_me_order.go` `MeOrderDetailOperation`, added for the US in PR #455 ("creation and
/// import for cloudProject in the US"); the simulator answers them only with `--region us`.
const US_ONLY_ROUTES: &[(&str, &str)] = &[
    ("GET", "/me/order/{orderId}/details/{orderDetailId}/operations"),
    (
        "GET",
        "/me/order/{orderId}/details/{orderDetailId}/operations/{operationId}",
    ),
];

#[test]
fn every_served_route_is_in_ovh_schema_with_the_same_authentication() {
    let schema = fixture();
    for (method, path) in US_ONLY_ROUTES {
        assert!(
            operation(&schema, method, path).is_none(),
            "{method} {path} is in the EU schema: it is not US-only, check it like the others"
        );
        assert!(
            ROUTES.iter().any(|r| r.method == *method && r.template == *path),
            "{method} {path}: a US-only route the simulator does not serve"
        );
    }
    for route in ROUTES {
        if US_ONLY_ROUTES.contains(&(route.method, route.template)) {
            continue;
        }
        let op = operation(&schema, route.method, route.template)
            .unwrap_or_else(|| panic!("{} {} is not in OVH's schema", route.method, route.template));
        assert_eq!(
            op["noAuthentication"],
            json!(route.no_auth),
            "{} {}: noAuthentication",
            route.method,
            route.template
        );
    }
}

/// `scripts/trim-ovh-schema` cuts the fixture for the routes the binary lists
/// (`simulator --print-routes`): that list is exactly [`ROUTES`] (the router is built from the same
/// table), and the fixture holds those operations and no others.
#[test]
fn the_binary_lists_the_served_routes_and_the_fixture_has_exactly_them() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ovh-publiccloud-operator"))
        .args(["simulator", "--print-routes"])
        .output()
        .expect("run the operator binary");
    assert!(out.status.success(), "{}", common::output_text(&out));
    let served: Vec<String> = ROUTES
        .iter()
        .map(|r| format!("{} {}", r.method, r.template))
        .collect();
    let printed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(printed, served);
    let in_fixture: Vec<String> = fixture()["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["method"].as_str().unwrap(),
                o["path"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        in_fixture, served,
        "tests/fixtures/ovh-schema.json is stale: rerun scripts/trim-ovh-schema"
    );
}

/// Every query parameter the simulator honours is one of the operation's query parameters in OVH's
/// schema (e.g. `date.from`/`date.to` of `GET /me/order`).
#[test]
fn every_honoured_query_parameter_is_in_ovh_schema() {
    let schema = fixture();
    for (method, path, names) in QUERIES {
        let op = operation(&schema, method, path).unwrap_or_else(|| panic!("{method} {path}"));
        for name in *names {
            assert!(
                op["query"].get(name).is_some(),
                "{method} {path}: query parameter {name} is not in OVH's schema ({})",
                op["query"]
            );
        }
    }
    let me_order = operation(&schema, "GET", "/me/order").unwrap();
    assert_eq!(
        me_order["query"],
        json!({"date.from": "datetime", "date.to": "datetime"})
    );
}

/// Checks an answer against schema type `ty`; collects what is wrong.
fn check(schema: &Value, ty: &str, value: &Value, at: &str, errors: &mut Vec<String>) {
    check_shape(schema, ty, value, at, true, errors)
}

/// `answer`: non-nullable fields must be present (OVH always sends them); in a request body only
/// `required` fields must be.
fn check_shape(schema: &Value, ty: &str, value: &Value, at: &str, answer: bool, errors: &mut Vec<String>) {
    // A typed alias (`coreTypes.AccountId:string`, `coreTypes.ServiceId:long`) is its primitive.
    let ty = ty.rsplit_once(':').map_or(ty, |(_, primitive)| primitive);
    if let Some(inner) = ty.strip_suffix("[]") {
        match value.as_array() {
            Some(items) => {
                for (i, v) in items.iter().enumerate() {
                    check_shape(schema, inner, v, &format!("{at}[{i}]"), answer, errors)
                }
            }
            None => errors.push(format!("{at}: expected an array ({ty}), got {value}")),
        }
        return;
    }
    let ok = match ty {
        "string" | "text" | "datetime" | "date" | "duration" | "password" | "uuid" | "ip" | "ipBlock"
        | "time" => value.is_string(),
        "long" | "int" => value.is_i64(),
        "double" | "float" => value.is_number(),
        "boolean" => value.is_boolean(),
        "void" => value.is_null(),
        _ if ty.starts_with("map[") => value.is_object(),
        model_name => {
            let Some(model) = schema["models"].get(model_name) else {
                errors.push(format!("{at}: type {model_name} not in the fixture"));
                return;
            };
            if let Some(values) = model["enum"].as_array() {
                if !values.contains(value) {
                    errors.push(format!("{at}: {value} is not a {model_name} ({values:?})"));
                }
                return;
            }
            let Some(object) = value.as_object() else {
                errors.push(format!("{at}: expected a {model_name} object, got {value}"));
                return;
            };
            for (name, prop) in model["properties"].as_object().unwrap() {
                let field = format!("{at}.{name}");
                match object.get(name) {
                    None | Some(Value::Null) if answer && prop["canBeNull"] == json!(false) => {
                        errors.push(format!(
                            "{field}: non-nullable field missing or null ({model_name})"
                        ));
                    }
                    None | Some(Value::Null) => {}
                    Some(v) => check_shape(
                        schema,
                        prop["fullType"].as_str().unwrap(),
                        v,
                        &field,
                        answer,
                        errors,
                    ),
                }
            }
            for name in object.keys() {
                if model["properties"].get(name).is_none() {
                    errors.push(format!("{at}.{name}: not a field of {model_name}"));
                }
            }
            return;
        }
    };
    if !ok {
        errors.push(format!("{at}: {value} is not a {ty}"));
    }
}

#[tokio::test]
async fn every_answer_has_the_schema_shape() {
    let schema = fixture();
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();

    // Calls one route with the Rust client as raw JSON, and checks the answer's shape.
    macro_rules! call {
        ($method:literal, $template:literal, [$($arg:expr),*] $(, $body:expr)?) => {{
            let route = Route::new($template, &[$(&$arg.to_string()),*]);
            let answer: Value = match $method {
                "GET" => client.get(route).await,
                "DELETE" => client.delete(route).await,
                "PUT" => client.put(route, &call!(@body $($body)?)).await,
                _ => client.post(route, Some(&call!(@body $($body)?))).await,
            }
            .unwrap_or_else(|e| panic!("{} {}: {e}", $method, $template));
            let op = operation(&schema, $method, $template).expect("route in schema");
            check(&schema, op["responseType"].as_str().unwrap(), &answer, &format!("{} {}", $method, $template), &mut errors);
            seen.insert(($method, $template));
            answer
        }};
        (@body $body:expr) => { $body };
        (@body) => { json!({}) };
    }

    call!("GET", "/auth/time", []);
    call!("GET", "/auth/details", []);
    // Unsigned but for the application key, as the SDKs send it.
    let credential = access::request_consumer_key(
        &sim.running.base_url,
        "sim-ak",
        &access::credential_request(Some("https://example.com/".into()), vec!["192.0.2.0/24".into()]),
    )
    .await
    .unwrap();
    check(
        &schema,
        "auth.ApiCredentialRequest",
        &serde_json::to_value(&credential).unwrap(),
        "POST /auth/credential",
        &mut errors,
    );
    seen.insert(("POST", "/auth/credential"));
    call!("GET", "/me", []);
    let cart = call!(
        "POST",
        "/order/cart",
        [],
        json!({"ovhSubsidiary": "FR", "description": "schema"})
    );
    let cart_id = cart["cartId"].as_str().unwrap().to_string();
    call!("GET", "/order/cart", []);
    call!("GET", "/order/cart/{cartId}", [cart_id]);
    call!("POST", "/order/cart/{cartId}/assign", [cart_id]);
    call!("GET", "/order/cart/{cartId}/cloud", [cart_id]);
    let product =
        json!({"planCode": "project.2018", "duration": "P1M", "pricingMode": "default", "quantity": 1});
    let item = call!("POST", "/order/cart/{cartId}/cloud", [cart_id], product.clone());
    let item_id = item["itemId"].as_i64().unwrap();
    call!("GET", "/order/cart/{cartId}/item", [cart_id]);
    call!("GET", "/order/cart/{cartId}/item/{itemId}", [cart_id, item_id]);
    call!(
        "GET",
        "/order/cart/{cartId}/item/{itemId}/requiredConfiguration",
        [cart_id, item_id]
    );
    let conf = call!(
        "POST",
        "/order/cart/{cartId}/item/{itemId}/configuration",
        [cart_id, item_id],
        json!({"label": "description", "value": "x"})
    );
    let conf_id = conf["id"].as_i64().unwrap();
    call!(
        "GET",
        "/order/cart/{cartId}/item/{itemId}/configuration",
        [cart_id, item_id]
    );
    call!(
        "GET",
        "/order/cart/{cartId}/item/{itemId}/configuration/{configurationId}",
        [cart_id, item_id, conf_id]
    );
    call!(
        "DELETE",
        "/order/cart/{cartId}/item/{itemId}/configuration/{configurationId}",
        [cart_id, item_id, conf_id]
    );
    // The options offered with the plan (the query is required), then one posted with the
    // project item's id, as terraform's plan_option: an item whose parent is the project item.
    let route =
        Route::new("/order/cart/{cartId}/cloud/options", &[&cart_id]).query("planCode", "project.2018");
    let offered: Value = client.get(route).await.unwrap();
    let op = operation(&schema, "GET", "/order/cart/{cartId}/cloud/options").unwrap();
    check(
        &schema,
        op["responseType"].as_str().unwrap(),
        &offered,
        "GET /order/cart/{cartId}/cloud/options",
        &mut errors,
    );
    seen.insert(("GET", "/order/cart/{cartId}/cloud/options"));
    assert_eq!(offered[0]["planCode"], "certification.hds.2018", "{offered}");
    let option = call!(
        "POST",
        "/order/cart/{cartId}/cloud/options",
        [cart_id],
        json!({"itemId": item_id, "planCode": "certification.hds.2018", "duration": "P1M", "pricingMode": "default", "quantity": 1})
    );
    assert_eq!(option["parentItemId"], json!(item_id), "{option}");
    let parent = call!("GET", "/order/cart/{cartId}/item/{itemId}", [cart_id, item_id]);
    assert_eq!(parent["options"], json!([option["itemId"]]), "{parent}");
    let extra = call!("POST", "/order/cart/{cartId}/cloud", [cart_id], product);
    call!(
        "DELETE",
        "/order/cart/{cartId}/item/{itemId}",
        [cart_id, extra["itemId"].as_i64().unwrap()]
    );
    call!("GET", "/order/cart/{cartId}/checkout", [cart_id]);
    let order = call!(
        "POST",
        "/order/cart/{cartId}/checkout",
        [cart_id],
        json!({"waiveRetractationPeriod": true})
    );
    let order_id = order["orderId"].as_i64().unwrap();
    let spare = call!("POST", "/order/cart", [], json!({"ovhSubsidiary": "FR"}));
    call!(
        "DELETE",
        "/order/cart/{cartId}",
        [spare["cartId"].as_str().unwrap()]
    );

    call!("GET", "/me/payment/method", []);
    let method_id = client.default_payment_methods().await.unwrap()[0];
    call!("GET", "/me/payment/method/{paymentMethodId}", [method_id]);
    call!("GET", "/me/order", []);
    // With the schema's `date.from`/`date.to` queries (datetime values).
    let filtered: Value = client
        .get(
            Route::new("/me/order", &[])
                .query("date.from", "2000-01-01T00:00:00+00:00")
                .query("date.to", "2100-01-01T00:00:00+00:00"),
        )
        .await
        .unwrap();
    check(
        &schema,
        "long[]",
        &filtered,
        "GET /me/order?date.from&date.to",
        &mut errors,
    );
    assert_eq!(filtered, json!([order_id]));
    call!("GET", "/me/order/{orderId}", [order_id]);
    call!("GET", "/me/order/{orderId}/status", [order_id]);
    call!(
        "POST",
        "/me/order/{orderId}/pay",
        [order_id],
        json!({"paymentMethod": {"id": method_id}})
    );
    // A paid order shows its payment (billing.Payment).
    call!("GET", "/me/order/{orderId}/payment", [order_id]);
    wait_for_status(&client, order_id, OrderStatus::Delivered).await;
    let details = call!("GET", "/me/order/{orderId}/details", [order_id]);
    let detail_id = details[0].as_i64().unwrap();
    call!(
        "GET",
        "/me/order/{orderId}/details/{orderDetailId}",
        [order_id, detail_id]
    );
    call!(
        "GET",
        "/me/order/{orderId}/details/{orderDetailId}/extension",
        [order_id, detail_id]
    );

    // A second, free order on an account without payment method: the fidelity account.
    let free = Sim::start(|c| c.no_payment_method = true).await;
    let free_client = free.client();
    let (free_cart, _) = configured_cart(&free_client, "free").await;
    let free_order = free_client
        .checkout(&free_cart.cart_id, &Checkout::default())
        .await
        .unwrap()
        .order_id
        .unwrap();
    let pay_mean = Route::new(
        "/me/order/{orderId}/payWithRegisteredPaymentMean",
        &[&free_order.to_string()],
    );
    let answer: Value = free_client
        .post(pay_mean, Some(&json!({"paymentMean": "fidelityAccount"})))
        .await
        .unwrap();
    check(
        &schema,
        "void",
        &answer,
        "payWithRegisteredPaymentMean",
        &mut errors,
    );
    seen.insert(("POST", "/me/order/{orderId}/payWithRegisteredPaymentMean"));

    let project_id = project_id_of(&client, order_id).await.unwrap();
    let project = loop {
        match client.project(&project_id).await {
            Ok(_) => break project_id.clone(),
            Err(e) if e.is_not_found() => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            Err(e) => panic!("{e}"),
        }
    };
    call!("GET", "/cloud/project", []);
    call!("GET", "/cloud/project/{serviceName}", [project]);
    call!(
        "PUT",
        "/cloud/project/{serviceName}",
        [project],
        json!({"description": "renamed"})
    );
    // The project's OpenStack user, as terraform-provider-ovh's ovh_cloud_project_user calls it.
    let user = call!(
        "POST",
        "/cloud/project/{serviceName}/user",
        [project],
        json!({"description": "schema", "role": "compute_operator"})
    );
    assert!(
        user["password"].is_string(),
        "the creation's answer carries the password"
    );
    let user_id = user["id"].as_i64().unwrap();
    call!("GET", "/cloud/project/{serviceName}/user", [project]);
    loop {
        let u = call!(
            "GET",
            "/cloud/project/{serviceName}/user/{userId}",
            [project, user_id]
        );
        assert!(u.get("password").is_none(), "a read never shows the password");
        if u["status"] == "ok" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let openrc: Value = client
        .get(
            Route::new(
                "/cloud/project/{serviceName}/user/{userId}/openrc",
                &[&project, &user_id.to_string()],
            )
            .query("region", "GRA11")
            .query("version", "v3"),
        )
        .await
        .unwrap();
    check(&schema, "cloud.user.Openrc", &openrc, "GET …/openrc", &mut errors);
    seen.insert(("GET", "/cloud/project/{serviceName}/user/{userId}/openrc"));
    let regenerated = call!(
        "POST",
        "/cloud/project/{serviceName}/user/{userId}/regeneratePassword",
        [project, user_id]
    );
    assert_ne!(regenerated["password"], user["password"]);
    call!(
        "DELETE",
        "/cloud/project/{serviceName}/user/{userId}",
        [project, user_id]
    );
    // Day two: automatic quota upgrades off, spend, standing, a budget alert and an alert sent,
    // regions, quotas.
    call!(
        "PUT",
        "/cloud/project/{serviceName}",
        [project],
        json!({"manualQuota": true})
    );
    call!("GET", "/cloud/project/{serviceName}/usage/current", [project]);
    call!("GET", "/cloud/project/{serviceName}/usage/forecast", [project]);
    call!("GET", "/cloud/project/{serviceName}/serviceInfos", [project]);
    let alerting = call!(
        "POST",
        "/cloud/project/{serviceName}/alerting",
        [project],
        json!({"name": "schema", "monthlyThreshold": 100, "delay": 3600, "emails": ["a@example.com"]})
    );
    let alerting_id = alerting["id"].as_str().unwrap().to_string();
    call!("GET", "/cloud/project/{serviceName}/alerting", [project]);
    call!(
        "GET",
        "/cloud/project/{serviceName}/alerting/{id}",
        [project, alerting_id]
    );
    call!(
        "PUT",
        "/cloud/project/{serviceName}/alerting/{id}",
        [project, alerting_id],
        json!({"monthlyThreshold": 200})
    );
    sim.control(
        reqwest::Method::POST,
        &format!("/_sim/projects/{project}/alerting/{alerting_id}/alert"),
        None,
    )
    .await;
    let alerts = call!(
        "GET",
        "/cloud/project/{serviceName}/alerting/{id}/alert",
        [project, alerting_id]
    );
    call!(
        "GET",
        "/cloud/project/{serviceName}/alerting/{id}/alert/{alertId}",
        [project, alerting_id, alerts[0].as_i64().unwrap()]
    );
    call!(
        "DELETE",
        "/cloud/project/{serviceName}/alerting/{id}",
        [project, alerting_id]
    );
    call!("GET", "/cloud/project/{serviceName}/region", [project]);
    call!("GET", "/cloud/project/{serviceName}/regionAvailable", [project]);
    call!(
        "POST",
        "/cloud/project/{serviceName}/region",
        [project],
        json!({"region": "SBG5"})
    );
    call!("GET", "/cloud/project/{serviceName}/quota", [project]);
    call!("POST", "/cloud/project/{serviceName}/terminate", [project]);
    let emails = call!("GET", "/me/notification/email/history", []);
    let email = call!(
        "GET",
        "/me/notification/email/history/{id}",
        [emails[0].as_i64().unwrap()]
    );
    let token =
        ovh_publiccloud_operator::ovh::order::termination_token(email["body"].as_str().unwrap(), &project)
            .unwrap();
    call!(
        "POST",
        "/cloud/project/{serviceName}/confirmTermination",
        [project],
        json!({"token": token})
    );

    // The US-only operations, on a US simulator. The EU schema has no model for them: the
    // shape is terraform-provider-ovh's `MeOrderDetailOperation` (`ovh/types_me_order.go`).
    let us = Sim::start(|c| c.region = Region::Us).await;
    let us_client = us.client();
    let (us_cart, _) = configured_cart_in(Region::Us, &us_client, "schema-us").await;
    let us_order = us_client
        .checkout(&us_cart.cart_id, &Checkout::api_order(false))
        .await
        .unwrap()
        .order_id
        .unwrap();
    us.control(
        reqwest::Method::POST,
        &format!("/_sim/orders/{us_order}/pay"),
        None,
    )
    .await;
    wait_for_status(&us_client, us_order, OrderStatus::Delivered).await;
    let mut operations = 0;
    for detail in us_client.order_details(us_order).await.unwrap() {
        let ops: Value = us_client
            .get(Route::new(
                "/me/order/{orderId}/details/{orderDetailId}/operations",
                &[&us_order.to_string(), &detail.to_string()],
            ))
            .await
            .unwrap();
        check(&schema, "long[]", &ops, "GET …/operations", &mut errors);
        for op in ops.as_array().unwrap() {
            let answer: Value = us_client
                .get(Route::new(
                    "/me/order/{orderId}/details/{orderDetailId}/operations/{operationId}",
                    &[&us_order.to_string(), &detail.to_string(), &op.to_string()],
                ))
                .await
                .unwrap();
            let keys: BTreeSet<_> = answer.as_object().unwrap().keys().cloned().collect();
            assert_eq!(
                keys,
                ["id", "quantity", "resource", "status", "type"]
                    .map(String::from)
                    .into(),
                "{answer}"
            );
            assert!(
                answer["id"].is_i64()
                    && answer["quantity"].is_i64()
                    && answer["status"].is_string()
                    && answer["type"].is_string(),
                "{answer}"
            );
            let resource: BTreeSet<_> = answer["resource"].as_object().unwrap().keys().cloned().collect();
            assert_eq!(
                resource,
                ["displayName", "name", "state"].map(String::from).into(),
                "{answer}"
            );
            operations += 1;
        }
    }
    assert_eq!(operations, 1, "one operation names the project");
    for (method, path) in US_ONLY_ROUTES {
        seen.insert((method, path));
    }

    assert!(
        errors.is_empty(),
        "answers that differ from OVH's schema:\n{}",
        errors.join("\n")
    );
    let served: BTreeSet<_> = ROUTES.iter().map(|r| (r.method, r.template)).collect();
    let unchecked: Vec<_> = served.difference(&seen).collect();
    assert!(
        unchecked.is_empty(),
        "routes whose answers were not checked: {unchecked:?}"
    );
}

/// The bodies our client sends have the schema's body shape: required fields present, every field
/// known, right types.
#[test]
fn client_request_bodies_match_the_schema() {
    let schema = fixture();
    let cases: Vec<(&str, &str, Value)> = vec![
        (
            "POST",
            "/auth/credential",
            body(&access::credential_request(
                Some("https://example.com/".into()),
                vec!["192.0.2.0/24".into()],
            )),
        ),
        (
            "POST",
            "/order/cart",
            body(&CartCreation {
                ovh_subsidiary: "FR".into(),
                description: Some("d".into()),
                expire: None,
            }),
        ),
        (
            "POST",
            "/order/cart/{cartId}/cloud",
            body(&GenericProductCreation {
                plan_code: "project.2018".into(),
                duration: "P1M".into(),
                pricing_mode: "default".into(),
                quantity: 1,
            }),
        ),
        (
            "POST",
            "/order/cart/{cartId}/cloud/options",
            body(&GenericOptionCreation {
                item_id: 1,
                plan_code: "certification.hds.2018".into(),
                duration: "P1M".into(),
                pricing_mode: "default".into(),
                quantity: 1,
            }),
        ),
        (
            "PUT",
            "/cloud/project/{serviceName}",
            body(&ProjectUpdate {
                description: "renamed".into(),
            }),
        ),
        (
            "PUT",
            "/cloud/project/{serviceName}",
            body(&ProjectQuotaUpdate { manual_quota: true }),
        ),
        (
            "POST",
            "/cloud/project/{serviceName}/alerting",
            body(&AlertingCreation {
                name: "budget (ovh-publiccloud-operator:uid)".into(),
                monthly_threshold: 100,
                delay: 3600,
                emails: vec!["a@example.com".into()],
                service: Some("all".into()),
            }),
        ),
        (
            "PUT",
            "/cloud/project/{serviceName}/alerting/{id}",
            body(&AlertingUpdate {
                name: "budget (ovh-publiccloud-operator:uid)".into(),
                monthly_threshold: 200,
                delay: 3600,
                emails: vec!["a@example.com".into()],
                service: None,
            }),
        ),
        (
            "POST",
            "/cloud/project/{serviceName}/region",
            body(&ProjectRegionCreation {
                region: "GRA11".into(),
            }),
        ),
        (
            "POST",
            "/order/cart/{cartId}/item/{itemId}/configuration",
            body(&ItemConfigurationCreation {
                label: "description".into(),
                value: "x".into(),
            }),
        ),
        (
            "POST",
            "/order/cart/{cartId}/checkout",
            body(&Checkout::api_order(true)),
        ),
        (
            "POST",
            "/me/order/{orderId}/pay",
            body(&PayWithPaymentMethod {
                payment_method: PaymentMethodRef { id: 1 },
            }),
        ),
        (
            "POST",
            "/me/order/{orderId}/payWithRegisteredPaymentMean",
            body(&PayWithRegisteredPaymentMean {
                payment_mean: "fidelityAccount".into(),
                payment_mean_id: None,
            }),
        ),
        (
            "POST",
            "/cloud/project/{serviceName}/user",
            body(&ProjectUserCreation {
                description: Some("d (ovh-publiccloud-operator:uid)".into()),
                role: Some(ovh_publiccloud_operator::api::UserRole::KeyManagerOperator.as_str()),
                roles: vec![],
            }),
        ),
        (
            "POST",
            "/cloud/project/{serviceName}/confirmTermination",
            body(&ConfirmTermination {
                token: "t".into(),
                reason: Some("NOT_NEEDED_ANYMORE".into()),
                future_use: None,
                commentary: None,
            }),
        ),
    ];
    let mut errors = Vec::new();
    for (method, path, value) in cases {
        let op = operation(&schema, method, path).unwrap();
        let at = format!("{method} {path} body");
        if let Some(model) = op["body"].as_str() {
            check_shape(&schema, model, &value, &at, false, &mut errors);
            for (name, prop) in schema["models"][model]["properties"].as_object().unwrap() {
                if prop["required"] == json!(true) && value.get(name).is_none() {
                    errors.push(format!("{at}: required field {name} missing"));
                }
            }
        } else {
            let named = op["namedBodyFields"].as_object().unwrap();
            for (name, v) in value.as_object().unwrap() {
                match named.get(name) {
                    Some(ty) => check_shape(
                        &schema,
                        ty.as_str().unwrap(),
                        v,
                        &format!("{at}.{name}"),
                        false,
                        &mut errors,
                    ),
                    None => errors.push(format!("{at}: {name} is not a body field")),
                }
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

fn body<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

/// spec.openstackUser.role offers exactly OVH's `cloud.user.RoleEnum` (the CRD's enum and the
/// Rust names), so a role the API server admits is one OVH accepts.
#[test]
fn the_user_roles_are_ovhs() {
    let schema = fixture();
    let ovh: BTreeSet<String> = schema["models"]["cloud.user.RoleEnum"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let crd = serde_json::to_value(ovh_publiccloud_operator::api::crd()).unwrap();
    let role = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["openstackUser"]
        ["properties"]["role"];
    let offered: BTreeSet<String> = role["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{role}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(offered, ovh);
    for name in &ovh {
        let parsed: ovh_publiccloud_operator::api::UserRole = serde_json::from_value(json!(name)).unwrap();
        assert_eq!(&parsed.as_str(), name);
    }
}

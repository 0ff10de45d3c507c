//! An in-process OVH simulator for tests, with its controls and the first steps of an order.

use std::{collections::BTreeMap, time::Duration};

use ovh_publiccloud_operator::{
    ovh::{ClientOptions, Credentials, OvhClient, model::*, order::is_project_id},
    simulator::{
        self, Region, SimConfig,
        ledger::{Ledger, Stats},
    },
};
use serde_json::Value;

/// The simulator's application key, application secret and consumer key (its defaults), as a
/// credentials Secret or [`Sim::client_with`] takes them.
pub const AK_AS_CK: [(&str, &str); 3] = [
    ("application_key", "sim-ak"),
    ("application_secret", "sim-as"),
    ("consumer_key", "sim-ck"),
];

/// The simulator's OAuth2 service account (its defaults).
pub const OAUTH2_CLIENT: [(&str, &str); 2] = [("client_id", "sim-client"), ("client_secret", "sim-secret")];

/// `keys` with the value of `key` replaced, e.g. a wrong secret:
/// `with_key(AK_AS_CK, "application_secret", "WRONG")`.
pub fn with_key<'a, const N: usize>(
    keys: [(&'a str, &'a str); N],
    key: &str,
    value: &'a str,
) -> [(&'a str, &'a str); N] {
    assert!(keys.iter().any(|(k, _)| *k == key), "no {key} among {keys:?}");
    keys.map(|(k, v)| (k, if k == key { value } else { v }))
}

pub struct Sim {
    pub running: simulator::Running,
    pub http: reqwest::Client,
}

impl Sim {
    pub async fn start(tune: impl FnOnce(&mut SimConfig)) -> Self {
        let mut cfg = SimConfig::for_tests("127.0.0.1:0".parse().unwrap());
        cfg.checking_ms = 200;
        cfg.delivering_ms = 200;
        cfg.project_404_ms = 500;
        tune(&mut cfg);
        Self {
            running: simulator::start(cfg).await.unwrap(),
            http: reqwest::Client::new(),
        }
    }

    pub fn origin(&self) -> String {
        self.running.base_url.trim_end_matches("/1.0").to_string()
    }

    pub fn credentials(&self, pairs: &[(&str, &str)]) -> Credentials {
        let mut keys: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        keys.insert("endpoint".into(), self.running.base_url.clone());
        Credentials::from_keys(&keys).unwrap()
    }

    pub fn client(&self) -> OvhClient {
        self.client_with(&AK_AS_CK)
    }

    pub fn client_with(&self, pairs: &[(&str, &str)]) -> OvhClient {
        let options = ClientOptions {
            retry_base_delay: Duration::from_millis(20),
            ..Default::default()
        };
        OvhClient::new(self.credentials(pairs), options).unwrap()
    }

    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.origin()));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.unwrap()
    }

    /// The HTTP status of a test-control call that may be refused.
    pub async fn control_status(&self, method: reqwest::Method, path: &str) -> u16 {
        let response = self
            .http
            .request(method, format!("{}{path}", self.origin()))
            .send()
            .await
            .unwrap();
        response.status().as_u16()
    }

    pub async fn fault(&self, fault: Value) {
        self.control(reqwest::Method::POST, "/_sim/faults", Some(fault))
            .await;
    }

    /// Pays an order as a person does: opens its URL (a page with a Pay button) and submits it.
    /// Returns the page shown after paying.
    pub async fn pay_on_order_page(&self, url: &str) -> String {
        let page = self.http.get(url).send().await.unwrap().text().await.unwrap();
        assert!(
            page.contains("id=\"pay\""),
            "the order URL is a page where a person can pay: {page}"
        );
        let password = url.split("password=").nth(1).unwrap();
        let paid = self
            .http
            .post(url.split('?').next().unwrap())
            .form(&[("password", password)])
            .send()
            .await
            .unwrap();
        assert!(paid.status().is_success(), "{}", paid.status());
        paid.text().await.unwrap()
    }

    /// A raw OVH call, authenticated with an OAuth2 token of the built-in client: the HTTP status
    /// and the exact JSON body (for what the typed client does not show, e.g. the keys of an error).
    pub async fn raw(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut form = vec![("grant_type", "client_credentials")];
        form.extend(OAUTH2_CLIENT);
        let token: Value = self
            .http
            .post(format!("{}/auth/oauth2/token", self.origin()))
            .form(&form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.running.base_url))
            .bearer_auth(token["access_token"].as_str().unwrap());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// The account as test control shows it (`/_sim/ledger`).
    pub async fn ledger(&self) -> Ledger {
        let ledger = self.control(reqwest::Method::GET, "/_sim/ledger", None).await;
        serde_json::from_value(ledger).expect("the ledger has its documented shape")
    }

    /// The calls received so far (`/_sim/stats`).
    pub async fn stats(&self) -> Stats {
        let stats = self.control(reqwest::Method::GET, "/_sim/stats", None).await;
        serde_json::from_value(stats).expect("the stats have their documented shape")
    }

    /// Calls received to one `METHOD /path/template`.
    pub async fn calls(&self, key: &str) -> u64 {
        self.stats().await.calls_to(key)
    }
}

/// Cart with a configured project item, ready for checkout.
pub async fn configured_cart(client: &OvhClient, marker: &str) -> (Cart, Item) {
    configured_cart_in(Region::Eu, client, marker).await
}

/// The subsidiary and plan code of a region's API (docs/explanation/order-flow.md).
pub fn subsidiary_and_plan(region: Region) -> (&'static str, &'static str) {
    match region {
        Region::Eu => ("FR", "project.2018"),
        Region::Us => ("US", "project"),
    }
}

/// [`configured_cart`] on the API of `region`.
pub async fn configured_cart_in(region: Region, client: &OvhClient, marker: &str) -> (Cart, Item) {
    let (subsidiary, plan_code) = subsidiary_and_plan(region);
    let cart = client
        .create_cart(&CartCreation {
            ovh_subsidiary: subsidiary.into(),
            description: Some(marker.into()),
            expire: None,
        })
        .await
        .unwrap();
    client.assign_cart(&cart.cart_id).await.unwrap();
    let item = client
        .add_cloud_item(
            &cart.cart_id,
            &GenericProductCreation {
                plan_code: plan_code.into(),
                duration: "P1M".into(),
                pricing_mode: "default".into(),
                quantity: 1,
            },
        )
        .await
        .unwrap();
    for (label, value) in [("description", "Team A"), ("voucher", "WELCOME")] {
        let c = client
            .add_configuration(
                &cart.cart_id,
                item.item_id,
                &ItemConfigurationCreation {
                    label: label.into(),
                    value: value.into(),
                },
            )
            .await
            .unwrap();
        assert_eq!((c.label.as_str(), c.value.as_str()), (label, value));
    }
    (cart, item)
}

pub async fn wait_for_status(client: &OvhClient, order_id: i64, wanted: OrderStatus) {
    let what = format!("order {order_id} {wanted:?}");
    super::eventually(&what, 10, async || {
        let status = client.order_status(order_id).await.unwrap();
        if status == wanted { Ok(()) } else { Err(status) }
    })
    .await
}

/// The project id among the order details (other details carry unrelated domains).
pub async fn project_id_of(client: &OvhClient, order_id: i64) -> Option<String> {
    for detail in client.order_details(order_id).await.unwrap() {
        let d = client.order_detail(order_id, detail).await.unwrap();
        if is_project_id(&d.domain) {
            return Some(d.domain);
        }
    }
    None
}

/// The project id as the US API gives it: `resource.name` of an order detail's operation
/// (terraform-provider-ovh `ovh/resource_cloud_project.go`).
pub async fn project_id_from_operations(client: &OvhClient, order_id: i64) -> Option<String> {
    for detail in client.order_details(order_id).await.unwrap() {
        for op in client.order_detail_operations(order_id, detail).await.unwrap() {
            let op = client.order_detail_operation(order_id, detail, op).await.unwrap();
            if is_project_id(&op.resource.name) {
                return Some(op.resource.name);
            }
        }
    }
    None
}

/// Waits until the project stops answering 404 (the post-delivery window).
pub async fn wait_visible(client: &OvhClient, project_id: &str) -> Project {
    let what = format!("project {project_id} visible");
    super::eventually(&what, 10, async || match client.project(project_id).await {
        Err(e) if e.is_not_found() => Err(e.to_string()),
        answer => Ok(answer.unwrap_or_else(|e| panic!("{e}"))),
    })
    .await
}

/// Orders a project on `sim` (paid by test control) and waits until it is visible; returns the
/// order id and the project id (found the region's way).
pub async fn delivered_project(sim: &Sim, region: Region, client: &OvhClient) -> (i64, String) {
    let (cart, _) = configured_cart_in(region, client, "delivered").await;
    let order_id = client
        .checkout(&cart.cart_id, &Checkout::api_order(false))
        .await
        .unwrap()
        .order_id
        .unwrap();
    sim.control(
        reqwest::Method::POST,
        &format!("/_sim/orders/{order_id}/pay"),
        None,
    )
    .await;
    wait_for_status(client, order_id, OrderStatus::Delivered).await;
    let project_id = match region {
        Region::Eu => project_id_of(client, order_id).await,
        Region::Us => project_id_from_operations(client, order_id).await,
    }
    .expect("a delivered order names its project");
    wait_visible(client, &project_id).await;
    (order_id, project_id)
}

//! The call families against the simulator, started in-process on loopback (no control plane;
//! `cargo test --lib ovh::calls`). Each module drives one family through the client, checks what
//! the simulated OVH answered, and that a refusal carries OVH's status, message and query id
//! with its disposition.

mod access;
mod account;
mod alerting;
mod cart;
mod checkout;
mod offer;
mod order;
mod payment;
mod project;
mod quota;
mod region;
mod termination;
mod usage;
mod user;

use std::{
    collections::BTreeMap,
    future::Future,
    time::{Duration, Instant},
};

use crate::ovh::{
    ClientOptions, Credentials, Disposition, OvhClient, OvhError, calls::PlacedOrder, model::*,
    parse::is_project_id,
};
use crate::simulator::{self, Region, SimConfig, ledger::Stats};

/// The simulator's built-in application key, application secret and consumer key.
const AK_AS_CK: [(&str, &str); 3] = [
    ("application_key", "sim-ak"),
    ("application_secret", "sim-as"),
    ("consumer_key", "sim-ck"),
];

/// A simulator serving on a free loopback port for one test, with OVH's waits cut short.
struct Sim {
    running: simulator::Running,
}

impl Sim {
    async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    async fn start_with(tune: impl FnOnce(&mut SimConfig)) -> Self {
        let mut cfg = SimConfig::for_tests("127.0.0.1:0".parse().unwrap());
        cfg.checking_ms = 20;
        cfg.delivering_ms = 20;
        cfg.project_404_ms = 100;
        cfg.user_creation_ms = 20;
        cfg.autopay_ms = 20;
        tune(&mut cfg);
        Self {
            running: simulator::start(cfg).await.unwrap(),
        }
    }

    fn client(&self) -> OvhClient {
        self.client_with(&AK_AS_CK)
    }

    /// A client with these credentials keys (`endpoint` is the simulator's).
    fn client_with(&self, pairs: &[(&str, &str)]) -> OvhClient {
        let mut keys: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        keys.insert("endpoint".into(), self.running.base_url.clone());
        let options = ClientOptions {
            retry_base_delay: Duration::from_millis(10),
            ..Default::default()
        };
        OvhClient::new(Credentials::from_keys(&keys).unwrap(), options).unwrap()
    }

    fn origin(&self) -> String {
        self.running.base_url.trim_end_matches("/1.0").to_string()
    }

    /// Calls received to one `METHOD /path/template` (test control `/_sim/stats`).
    async fn calls(&self, route: &str) -> u64 {
        let stats: Stats = reqwest::get(format!("{}/_sim/stats", self.origin()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        stats.calls_to(route)
    }

    /// Injects a fault (test control `/_sim/faults`).
    async fn fault(&self, fault: serde_json::Value) {
        let answer = reqwest::Client::new()
            .post(format!("{}/_sim/faults", self.origin()))
            .json(&fault)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
    }

    /// Pays an order as a person at its URL would.
    async fn pay_as_person(&self, order_id: i64) {
        self.running
            .sim
            .world
            .lock()
            .await
            .pay_as_person(order_id)
            .unwrap();
    }
}

/// The subsidiary and plan code of a region's API.
fn subsidiary_and_plan(region: Region) -> (&'static str, &'static str) {
    match region {
        Region::Eu => ("FR", "project.2018"),
        Region::Us => ("US", "project"),
    }
}

/// A new cart of the account, described `description`, assigned (not yet holding anything).
async fn assigned_cart(client: &OvhClient, region: Region, description: &str) -> String {
    let cart = client
        .create_cart(&CartCreation {
            ovh_subsidiary: subsidiary_and_plan(region).0.into(),
            description: Some(description.into()),
            expire: None,
        })
        .await
        .unwrap();
    client.assign_cart(&cart.cart_id).await.unwrap();
    cart.cart_id
}

/// The project item of `region`'s plan, priced by month.
fn project_item(region: Region) -> GenericProductCreation {
    GenericProductCreation {
        plan_code: subsidiary_and_plan(region).1.into(),
        duration: "P1M".into(),
        pricing_mode: "default".into(),
        quantity: 1,
    }
}

/// A cart holding the project item, named by its `description` configuration: (cart, item).
async fn filled_cart(client: &OvhClient, region: Region) -> (String, i64) {
    let cart_id = assigned_cart(client, region, "calls-test").await;
    let item = client
        .add_cloud_item(&cart_id, &project_item(region))
        .await
        .unwrap();
    let description = ItemConfigurationCreation {
        label: "description".into(),
        value: "Team A".into(),
    };
    client
        .add_configuration(&cart_id, item.item_id, &description)
        .await
        .unwrap();
    (cart_id, item.item_id)
}

/// An order placed from a filled cart, not paid.
async fn placed_order(client: &OvhClient, region: Region) -> PlacedOrder {
    let (cart_id, _) = filled_cart(client, region).await;
    client
        .place_order(&cart_id, &Checkout::api_order(false))
        .await
        .unwrap()
}

/// What `read` answers once `done` holds of it (within 10 s).
async fn eventually<T: std::fmt::Debug, F: Future<Output = T>>(
    mut read: impl FnMut() -> F,
    done: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let value = read().await;
        if done(&value) {
            return value;
        }
        assert!(Instant::now() < deadline, "still {value:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the order is delivered (paid, then OVH's checking and delivering are short here).
async fn until_delivered(client: &OvhClient, order_id: i64) {
    eventually(
        || client.order_status(order_id),
        |s| matches!(s, Ok(OrderStatus::Delivered)),
    )
    .await
    .unwrap();
}

/// The project id an order's details name (EU/CA: a detail's `domain`).
async fn project_id_of(client: &OvhClient, order_id: i64) -> Option<String> {
    for detail in client.order_details(order_id).await.unwrap() {
        let detail = client.order_detail(order_id, detail).await.unwrap();
        if is_project_id(&detail.domain) {
            return Some(detail.domain);
        }
    }
    None
}

/// A delivered project, visible (its post-delivery 404s over): (order id, project id).
async fn delivered_project(sim: &Sim, client: &OvhClient) -> (i64, String) {
    let order = placed_order(client, Region::Eu).await;
    sim.pay_as_person(order.order_id).await;
    until_delivered(client, order.order_id).await;
    let project_id = project_id_of(client, order.order_id)
        .await
        .expect("a delivered order names its project");
    eventually(|| client.project(&project_id), Result::is_ok)
        .await
        .unwrap();
    (order.order_id, project_id)
}

/// `error` is OVH's answer `status`, with `disposition`, OVH's message containing `words`, and
/// the query id the simulator gave the call (shown in the error's text too).
#[track_caller]
fn assert_ovh_said(error: &OvhError, status: u16, disposition: Disposition, words: &str) {
    let OvhError::Api(api) = error else {
        panic!("not an answer of OVH's: {error:?}");
    };
    assert_eq!(
        (api.status, error.disposition()),
        (status, disposition),
        "{error}"
    );
    assert!(api.message.contains(words), "{words:?} not in {error}");
    let query_id = error.query_id().expect("every answer carries X-Ovh-Queryid");
    assert!(query_id.starts_with("SIM."), "{query_id}");
    assert!(
        error.to_string().contains(&format!("[query id {query_id}]")),
        "{error}"
    );
}

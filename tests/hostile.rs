//! Hostile input: manifests, credentials Secrets and OVH answers built to break the operator.
//! Each case ends in a clear rejection (the API server's validation message) or a condition or
//! Warning event that says what is wrong, while a healthy resource ordered alongside reaches its
//! phase; and no secret value planted in a Secret ever shows in the operator's logs, its events
//! or the status.
//!
//! The Secret and OVH-answer cases are one table ([`cases`]): each names its hostile input and
//! what must be true after. The operator runs as its binary (a subprocess, `RUST_LOG=debug`), so
//! that every line it logs is captured and searched; each OVH-answer case has a simulator of its
//! own, so that one route's fault touches only that case.

mod common;

use common::{
    eventually, kubectl_with_input,
    logs::Binary,
    operator::{Env, condition, phase_of},
    output_text, secrets,
    sim::Sim,
};
use k8s_openapi::api::core::v1::{Event, Namespace, Secret};
use kube::{
    Api, ResourceExt,
    api::{DeleteParams, ListParams, Patch, PatchParams},
};
use ovh_publiccloud_operator::api::{Phase, PublicCloudProject};
use serde_json::{Value, json};

/// The secret values planted in Secrets, each unique, searched for everywhere afterwards.
struct Planted {
    application_secret: String,
    consumer_key: String,
    client_secret: String,
    wrong_application_secret: String,
    wrong_client_secret: String,
    url_password: String,
    misplaced: String,
    lone: String,
}

impl Planted {
    fn new() -> Self {
        let plant = |kind: &str| format!("PLANTED{kind}{:016x}", rand::random::<u64>());
        Self {
            application_secret: plant("AS"),
            consumer_key: plant("CK"),
            client_secret: plant("CS"),
            wrong_application_secret: plant("WRONGAS"),
            wrong_client_secret: plant("WRONGCS"),
            url_password: plant("URLPW"),
            misplaced: plant("MISPLACED"),
            lone: plant("LONE"),
        }
    }

    fn all(&self) -> [&str; 8] {
        [
            &self.application_secret,
            &self.consumer_key,
            &self.client_secret,
            &self.wrong_application_secret,
            &self.wrong_client_secret,
            &self.url_password,
            &self.misplaced,
            &self.lone,
        ]
    }

    /// A simulator that accepts the planted application and OAuth2 secrets, with `fault`.
    async fn sim(&self, fault: Value) -> Sim {
        let (a, k, c) = (
            self.application_secret.clone(),
            self.consumer_key.clone(),
            self.client_secret.clone(),
        );
        let sim = Sim::start(move |s| {
            s.application_secret = a;
            s.consumer_key = k;
            s.client_secret = c;
        })
        .await;
        sim.fault(fault).await;
        sim
    }

    /// The keys of a Secret with the planted application credentials for the API at `endpoint`.
    fn app(&self, endpoint: &str) -> Keys {
        app(endpoint, &self.application_secret, &self.consumer_key)
    }
}

/// A credentials Secret's keys; a value need not be text.
type Keys = Vec<(&'static str, Vec<u8>)>;

/// Application credentials (application key `sim-ak`) for the API at `endpoint`.
fn app(endpoint: &str, application_secret: &str, consumer_key: &str) -> Keys {
    vec![
        ("endpoint", endpoint.into()),
        ("application_key", b"sim-ak".to_vec()),
        ("application_secret", application_secret.into()),
        ("consumer_key", consumer_key.into()),
    ]
}

/// OAuth2 credentials (client id `sim-client`) for the API at `endpoint`.
fn oauth2(endpoint: &str, client_secret: &str) -> Keys {
    vec![
        ("endpoint", endpoint.into()),
        ("client_id", b"sim-client".to_vec()),
        ("client_secret", client_secret.into()),
    ]
}

/// `keys` with `key` set to `value`.
fn with(mut keys: Keys, key: &'static str, value: impl Into<Vec<u8>>) -> Keys {
    keys.retain(|(k, _)| *k != key);
    keys.push((key, value.into()));
    keys
}

/// What a case plants.
enum Input {
    /// A credentials Secret with these keys.
    Secret(Keys),
    /// No credentials Secret at all.
    NoSecret,
    /// A simulator of its own that answers with this fault (the simulator's fault control), and
    /// a working credentials Secret for it.
    Answer(Value),
}

/// What must be true after a case, checked in order (each wait: 60 s at most).
enum Then {
    /// The resource reaches the phase.
    Reaches(Phase),
    /// A person pays its order at the order's URL.
    Paid,
    /// CredentialsValid is False with the reason, its message naming every word.
    CredentialsRefused(&'static str, &'static [&'static str]),
    /// The Ready condition (False) or a Warning event has the reason and names every word.
    Says(&'static str, &'static [&'static str]),
    /// The Ready condition has the reason: an unreadable answer is in the status, not only in
    /// an event.
    ReadyReason(&'static str),
    /// No control character from OVH's message reaches the Ready condition.
    NoControlCharacter,
    /// Every event note is under 4 KiB: OVH's long message is cut.
    ShortEvents,
    /// The price with tax in the status stays negative.
    NegativePrice,
    /// The case's simulator holds exactly this many orders.
    Orders(usize),
}

/// One hostile case: the resource `name` with `spec` and the input planted for it (its Secret is
/// `secret-<name>`), and what must be true after. A case with a simulator of its own never holds
/// more than one order there.
struct Case {
    name: &'static str,
    spec: Value,
    input: Input,
    then: Vec<Then>,
}

/// A credentials Secret case against the test's simulator.
fn secret(name: &'static str, keys: Keys, then: Vec<Then>) -> Case {
    let spec = json!({"description": format!("Case {name}")});
    Case {
        name,
        spec,
        input: Input::Secret(keys),
        then,
    }
}

/// A credentials Secret the operator refuses with `reason`, its message naming every word.
fn refused(name: &'static str, keys: Keys, reason: &'static str, words: &'static [&'static str]) -> Case {
    secret(name, keys, vec![Then::CredentialsRefused(reason, words)])
}

/// An OVH answer on a simulator of its own.
fn answer(name: &'static str, spec: Value, fault: Value, then: Vec<Then>) -> Case {
    Case {
        name,
        spec,
        input: Input::Answer(fault),
        then,
    }
}

fn order_json(order_id: Value, with_tax: Value) -> String {
    let price = |v: &Value| json!({"currencyCode": "EUR", "text": "?", "value": v});
    json!({
        "orderId": order_id, "url": "https://example.invalid/order", "contracts": [], "details": [],
        "prices": {"withTax": price(&with_tax), "withoutTax": price(&with_tax), "tax": price(&json!(0))},
    })
    .to_string()
}

/// The cases; `base` is the base URL of the test's simulator.
fn cases(base: &str, p: &Planted) -> Vec<Case> {
    use Then::*;
    let origin = base.trim_end_matches("/1.0");
    let url_credentials = format!(
        "http://ovh:{}@{}",
        p.url_password,
        base.trim_start_matches("http://")
    );
    let negative_price = {
        let mut order: Value = serde_json::from_str(&order_json(json!(null), json!(-0.5))).unwrap();
        order["prices"]["withTax"]["priceInUcents"] = json!(-50_000_000);
        order.to_string()
    };
    let fr = |description: &str| json!({"description": description, "ovhSubsidiary": "FR"});
    let invalid = |route| {
        vec![
            Says("OvhInvalidResponse", route),
            Reaches(Phase::AwaitingPayment),
            Orders(1),
        ]
    };
    vec![
        // Credentials Secrets.
        secret(
            "healthy",
            p.app(base),
            vec![Reaches(Phase::AwaitingPayment), Paid, Reaches(Phase::Ready)],
        ),
        secret(
            "s-oauth2",
            oauth2(base, &p.client_secret),
            vec![Reaches(Phase::AwaitingPayment)],
        ),
        refused(
            "s-missing-keys",
            app(base, &p.lone, "")
                .into_iter()
                .filter(|(k, _)| *k != "consumer_key")
                .collect(),
            "SecretInvalid",
            &["incomplete application credentials"],
        ),
        refused(
            "s-both-methods",
            [p.app(base), oauth2(base, &p.client_secret)[1..].to_vec()].concat(),
            "SecretInvalid",
            &["exactly one method"],
        ),
        refused(
            "s-empty-value",
            with(p.app(base), "consumer_key", ""),
            "SecretInvalid",
            &["incomplete application credentials"],
        ),
        refused(
            "s-blank-value",
            with(p.app(base), "consumer_key", " \t\n "),
            "SecretInvalid",
            &["incomplete application credentials"],
        ),
        refused(
            "s-http-remote",
            p.app("http://10.0.0.7:8443/1.0"),
            "SecretInvalid",
            &["plain http"],
        ),
        refused(
            "s-url-credentials",
            p.app(&url_credentials),
            "SecretInvalid",
            &["carries credentials"],
        ),
        refused(
            "s-path-traversal",
            p.app(&format!("{base}/../_sim")),
            "SecretInvalid",
            &["plain base URL"],
        ),
        refused(
            "s-encoded-traversal",
            p.app(&format!("{origin}/1.0/%2e%2e/_sim")),
            "SecretInvalid",
            &["plain base URL"],
        ),
        refused(
            "s-endpoint-is-a-secret",
            p.app(&p.misplaced),
            "SecretInvalid",
            &["not shown"],
        ),
        refused(
            "s-wrong-secret",
            app(base, &p.wrong_application_secret, &p.consumer_key),
            "OvhBadRequest",
            &["Invalid signature"],
        ),
        refused(
            "s-oauth2-wrong-secret",
            oauth2(base, &p.wrong_client_secret),
            "OvhOAuth2Failed",
            &["OAuth2"],
        ),
        refused(
            "s-huge-key",
            with(p.app(base), "application_key", "k".repeat(200_000)),
            "OvhForbidden",
            &["application key is invalid"],
        ),
        refused(
            "s-not-utf8",
            with(
                p.app(base),
                "application_secret",
                vec![0xff, 0xfe, 0x00, 0x1b, b'x'],
            ),
            "OvhBadRequest",
            &[],
        ),
        Case {
            name: "s-no-secret",
            spec: json!({"description": "Case s-no-secret"}),
            input: Input::NoSecret,
            then: vec![CredentialsRefused("SecretNotFound", &[])],
        },
        // OVH answers.
        answer(
            "a-malformed",
            json!({"description": "Malformed"}),
            json!({"method": "POST", "route": "/order/cart", "body": "{\"cartId\": \"", "count": 1}),
            invalid(&["POST /order/cart"]),
        ),
        answer(
            "a-truncated",
            fr("Truncated"),
            json!({"method": "POST", "route": "/order/cart/{cartId}/cloud", "body": "{\"itemId\": 12, \"cartId\": \"ab", "count": 1}),
            invalid(&["/order/cart/{cartId}/cloud"]),
        ),
        answer(
            "a-wrong-type",
            json!({"description": "Wrong type"}),
            json!({"method": "GET", "route": "/me", "body": "[\"FR\"]"}),
            vec![
                Says("OvhInvalidResponse", &["GET /me"]),
                ReadyReason("OvhInvalidResponse"),
            ],
        ),
        answer(
            "a-empty-200",
            fr("Empty answer"),
            json!({"method": "POST", "route": "/order/cart", "body": "", "count": 1}),
            invalid(&["POST /order/cart"]),
        ),
        answer(
            "a-10mb",
            json!({"description": "Ten megabytes"}),
            json!({"method": "GET", "route": "/me", "body": "{\"ovhSubsidiary\": \"{pad:10000000}\"}"}),
            vec![
                Says("OvhInvalidResponse", &["longer than 4 MiB"]),
                ReadyReason("OvhInvalidResponse"),
            ],
        ),
        answer(
            "a-3mb-refusal",
            fr("Three megabyte refusal"),
            json!({"method": "POST", "route": "/order/cart", "bodyStatus": 400,
                "body": "{\"class\": \"Client::BadRequest\", \"message\": \"{pad:3000000}\"}"}),
            vec![Says("OvhBadRequest", &["xxxx…"]), ShortEvents],
        ),
        answer(
            "a-10mb-error",
            fr("Ten megabyte error"),
            json!({"method": "POST", "route": "/order/cart", "body": "{\"message\": \"{pad:10000000}\"}", "bodyStatus": 503}),
            vec![Says("OvhServerError", &["xxxx…"]), ShortEvents],
        ),
        answer(
            "a-control-characters",
            fr("Escapes"),
            json!({"method": "POST", "route": "/order/cart", "status": 400, "message": "\u{1b}[2J\u{1b}[31mEVIL\r\n{\"level\":\"INFO\",\"fields\":{\"message\":\"forged\"}}"}),
            vec![Says("OvhBadRequest", &["EVIL"]), NoControlCharacter],
        ),
        answer(
            "a-html-502",
            fr("Proxy page"),
            json!({"method": "POST", "route": "/order/cart", "body": "<html><body><h1>502 Bad Gateway</h1></body></html>", "bodyStatus": 502, "count": 1}),
            vec![
                Says("OvhServerError", &["502 Bad Gateway"]),
                Reaches(Phase::AwaitingPayment),
                Orders(1),
            ],
        ),
        answer(
            "a-byte-by-byte-timeout",
            json!({"description": "Byte by byte, too slow"}),
            json!({"method": "GET", "route": "/me", "slowBodyMs": 100, "count": 6}),
            vec![
                Says("OvhTimeout", &["GET /me"]),
                Reaches(Phase::AwaitingPayment),
                Orders(1),
            ],
        ),
        answer(
            "a-byte-by-byte-in-time",
            json!({"description": "Byte by byte, in time"}),
            json!({"method": "GET", "route": "/me", "slowBodyMs": 3}),
            vec![Reaches(Phase::AwaitingPayment), Orders(1)],
        ),
        answer(
            "a-order-id-float",
            fr("Float order id"),
            json!({"method": "POST", "route": "/order/cart/{cartId}/checkout", "body": order_json(json!(1e20), json!(0)), "count": 1}),
            invalid(&["/order/cart/{cartId}/checkout"]),
        ),
        answer(
            "a-price-1e300",
            json!({"description": "Astronomic price", "ovhSubsidiary": "FR", "maxPrice": "10.00"}),
            json!({"method": "GET", "route": "/order/cart/{cartId}/checkout", "body": order_json(json!(null), json!(1e300))}),
            vec![Reaches(Phase::AwaitingApproval), Orders(0)],
        ),
        answer(
            "a-price-negative",
            json!({"description": "Negative price", "ovhSubsidiary": "FR", "maxPrice": "10.00"}),
            json!({"method": "GET", "route": "/order/cart/{cartId}/checkout", "body": negative_price}),
            vec![Reaches(Phase::AwaitingApproval), NegativePrice, Orders(0)],
        ),
        answer(
            "a-cart-id-traversal",
            fr("Cart id traversal"),
            json!({"method": "POST", "route": "/order/cart", "body": "{\"cartId\": \"../../me\", \"description\": \"x\", \"expire\": null, \"items\": [], \"readOnly\": false}"}),
            vec![
                Says("OvhInvalidResponse", &["cart id"]),
                ReadyReason("OvhInvalidResponse"),
            ],
        ),
    ]
}

type Events = Vec<(String, String, String)>;

/// Polls `name` and its events until `done` holds (`None`: the resource is gone); fails with
/// both after 60 s.
async fn expect(
    env: &Env,
    name: &str,
    what: &str,
    done: impl Fn(Option<&PublicCloudProject>, &Events) -> bool,
) -> Option<PublicCloudProject> {
    eventually(&format!("{name}: {what}"), 60, async || {
        let obj = env.api.get_opt(name).await.unwrap();
        let events = env.events(name).await;
        if done(obj.as_ref(), &events) {
            Ok(obj)
        } else {
            Err((obj.map(|o| o.status), events))
        }
    })
    .await
}

/// The condition `kind` is False with `reason` and its message mentions every one of `words`.
fn condition_says(kind: &str, reason: &str, words: &[&str], obj: Option<&PublicCloudProject>) -> bool {
    obj.and_then(|o| condition(o, kind)).is_some_and(|c| {
        c.status == "False" && c.reason == reason && words.iter().all(|w| c.message.contains(w))
    })
}

/// A Warning event with `reason` whose note mentions every one of `words`.
fn warned(reason: &str, words: &[&str], events: &Events) -> bool {
    events
        .iter()
        .any(|(t, r, n)| t == "Warning" && r == reason && words.iter().all(|w| n.contains(w)))
}

/// Checks what must be true after `case`; `sim` is the simulator it runs against.
async fn check(env: &Env, case: &Case, sim: &Sim) {
    let name = case.name;
    for then in &case.then {
        match then {
            Then::Reaches(phase) => {
                let what = format!("phase {phase:?}");
                expect(env, name, &what, |o, _| {
                    o.is_some_and(|o| phase_of(o) == Some(*phase))
                })
                .await;
            }
            Then::Paid => {
                let obj = env.api.get(name).await.unwrap();
                let url = obj.status.unwrap().order.unwrap().url.unwrap();
                sim.pay_on_order_page(&url).await;
            }
            Then::CredentialsRefused(reason, words) => {
                expect(env, name, reason, |o, _| {
                    condition_says("CredentialsValid", reason, words, o)
                })
                .await;
            }
            Then::Says(reason, words) => {
                expect(env, name, reason, |o, e| {
                    condition_says("Ready", reason, words, o) || warned(reason, words, e)
                })
                .await;
            }
            Then::ReadyReason(reason) => {
                let said = |o: Option<&PublicCloudProject>| {
                    o.and_then(|o| condition(o, "Ready"))
                        .is_some_and(|c| c.reason == *reason)
                };
                expect(env, name, &format!("Ready: {reason}"), |o, _| said(o)).await;
            }
            Then::NoControlCharacter => {
                let has_ready =
                    |o: Option<&PublicCloudProject>| o.and_then(|o| condition(o, "Ready")).is_some();
                let obj = expect(env, name, "a Ready condition", |o, _| has_ready(o))
                    .await
                    .unwrap();
                let message = condition(&obj, "Ready").unwrap().message;
                assert!(
                    !message.chars().any(char::is_control),
                    "{name}: no control character reaches the status: {message:?}"
                );
            }
            Then::ShortEvents => {
                let events = env.events(name).await;
                let longest = events.iter().map(|(_, _, n)| n.len()).max().unwrap_or_default();
                assert!(
                    longest < 4096,
                    "{name}: OVH's long message is cut: {longest} bytes"
                );
            }
            Then::NegativePrice => {
                let obj = env.api.get(name).await.unwrap();
                let price = obj.status.unwrap().price.unwrap();
                assert!(
                    price.with_tax.starts_with('-'),
                    "{name}: a negative price stays negative: {price:?}"
                );
            }
            Then::Orders(n) => {
                let ledger = sim.ledger().await;
                assert_eq!(ledger.orders.len(), *n, "{name}: {n} order(s): {ledger:#?}");
            }
        }
    }
    if let Input::Answer(_) = case.input {
        let ledger = sim.ledger().await;
        assert!(ledger.orders.len() <= 1, "{name}: at most one order: {ledger:#?}");
    }
}

/// What became of the resource `name`, for the test's report.
async fn outcome(env: &Env, name: &str) -> String {
    let obj = env.api.get(name).await.unwrap();
    let said = |kind: &str| {
        condition(&obj, kind).map(|c| {
            format!(
                "; {kind} {}: {}",
                c.reason,
                c.message.chars().take(160).collect::<String>()
            )
        })
    };
    format!(
        "{name}: {:?}{}{}",
        phase_of(&obj),
        said("Ready").unwrap_or_default(),
        said("CredentialsValid").unwrap_or_default()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_secrets_and_ovh_answers_are_conditions_and_no_secret_leaks() {
    let planted = Planted::new();
    let (a, k, c) = (
        planted.application_secret.clone(),
        planted.consumer_key.clone(),
        planted.client_secret.clone(),
    );
    let env = Env::new("hostile", move |s| {
        s.application_secret = a;
        s.consumer_key = k;
        s.client_secret = c;
    })
    .await;
    let cases = cases(&env.sim.running.base_url, &planted);

    // Each case's input: its Secret, and for an OVH answer its simulator.
    let mut sims = Vec::new();
    for case in &cases {
        let keys = match &case.input {
            Input::Secret(keys) => keys.clone(),
            Input::NoSecret => continue,
            Input::Answer(fault) => {
                let sim = planted.sim(fault.clone()).await;
                let keys = planted.app(&sim.running.base_url);
                sims.push((case.name, sim));
                keys
            }
        };
        let keys: Vec<(&str, &[u8])> = keys.iter().map(|(k, v)| (*k, v.as_slice())).collect();
        secrets::put_bytes(&env.client, &env.ns, &format!("secret-{}", case.name), &keys).await;
    }
    // And a resource deleted mid-order: its checkout takes 1.5 s.
    let slow = planted
        .sim(json!({"method": "POST", "route": "/order/cart/{cartId}/checkout", "latencyMs": 1500, "errorRate": 0}))
        .await;
    let keys = planted.app(&slow.running.base_url);
    let keys: Vec<(&str, &[u8])> = keys.iter().map(|(k, v)| (*k, v.as_slice())).collect();
    secrets::put_bytes(&env.client, &env.ns, "secret-l-deleted-mid-order", &keys).await;

    let ns = env.ns.as_str();
    let mut operator = Binary::start(
        &format!("hostile-{ns}"),
        &[
            "run",
            "--namespace",
            ns,
            "--metrics-addr",
            "",
            "--ovh-rate-limit",
            "0",
            "--ovh-timeout",
            "2s",
            "--checkout-timeout",
            "2s",
            "--checkout-grace",
            "3s",
        ],
    );

    for case in &cases {
        let mut spec = case.spec.clone();
        spec["credentialsSecretRef"] = json!({"name": format!("secret-{}", case.name)});
        env.create(case.name, spec).await;
    }
    env.create(
        "l-deleted-mid-order",
        json!({"description": "Deleted mid-order", "ovhSubsidiary": "FR", "credentialsSecretRef": {"name": "secret-l-deleted-mid-order"}}),
    )
    .await;

    // Deleted while its checkout runs (caught first, while it runs): the finalizer stays until
    // the order is known, then goes.
    let checking_out =
        |o: Option<&PublicCloudProject>| o.is_some_and(|o| phase_of(o) == Some(Phase::CheckingOut));
    expect(&env, "l-deleted-mid-order", "CheckingOut", |o, _| checking_out(o)).await;
    env.delete("l-deleted-mid-order").await;

    let mut outcomes = Vec::new();
    for case in &cases {
        let sim = sims
            .iter()
            .find(|(name, _)| *name == case.name)
            .map_or(&env.sim, |(_, sim)| sim);
        check(&env, case, sim).await;
        outcomes.push(outcome(&env, case.name).await);
    }

    env.wait_gone("l-deleted-mid-order", 60).await;
    let ledger = slow.ledger().await;
    assert_eq!(
        ledger.orders.len(),
        1,
        "deleted mid-order: its checkout ran, one order: {ledger:#?}"
    );
    let notes = env.events("l-deleted-mid-order").await;
    outcomes.push(format!(
        "l-deleted-mid-order: gone, {} order(s); last event: {:?}",
        ledger.orders.len(),
        notes.last()
    ));
    let order_id = ledger.orders[0].order_id.to_string();
    assert!(
        notes.iter().any(|(_, _, n)| n.contains(&order_id)),
        "the release names the order left at OVH: {notes:#?}"
    );

    // No planted secret anywhere: logs, events, status; nor an OAuth2 access token.
    let logs = operator.logs();
    let events = Api::<Event>::namespaced(env.client.clone(), &env.ns)
        .list(&ListParams::default())
        .await
        .unwrap();
    let events = serde_json::to_string(&events.items).unwrap();
    let statuses = serde_json::to_string(
        &env.api
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .iter()
            .map(|o| o.status.clone())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    for secret in planted.all() {
        for (place, text) in [("logs", &logs), ("events", &events), ("status", &statuses)] {
            assert!(
                !text.contains(secret),
                "a planted secret ({secret}) is in the {place}"
            );
        }
    }
    assert!(!logs.contains("sim-at-"), "an OAuth2 access token is in the logs");
    println!("hostile: {} OVH-side and Secret cases:", outcomes.len());
    for outcome in &outcomes {
        println!("  {outcome}");
    }
    if std::env::var_os("HOSTILE_KEEP_LOG").is_none() {
        let _ = std::fs::remove_file(&operator.log);
    }
}

/// Manifests the API server refuses, each with its validation message; nothing is stored.
#[tokio::test]
async fn hostile_manifests_are_refused_with_the_api_servers_message() {
    let client = common::client().await;
    common::install_crd(&client).await;
    let ns = common::namespace(&client, "hostile-manifests").await;
    let unicode_long = "é".repeat(256);
    let emoji_long = "🚀".repeat(256);
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "oversized unicode description",
            json!({"description": unicode_long}),
            "spec.description: Too long",
        ),
        (
            "oversized emoji description",
            json!({"description": emoji_long}),
            "spec.description: Too long",
        ),
        (
            "NUL in the description",
            json!({"description": "Team\u{0}A"}),
            "must not contain control characters",
        ),
        (
            "newline in the description",
            json!({"description": "Team A\nforged: line"}),
            "must not contain control characters",
        ),
        (
            "terminal escape in the description",
            json!({"description": "\u{1b}[31mred"}),
            "must not contain control characters",
        ),
        (
            "C1 control in the description",
            json!({"description": "a\u{85}b"}),
            "must not contain control characters",
        ),
        (
            "description as a number",
            json!({"description": 42}),
            "spec.description: Invalid value: \"integer\"",
        ),
        (
            "description as an object",
            json!({"description": {"$ne": ""}}),
            "cannot be handled as a PublicCloudProject",
        ),
        (
            "configurations as a string",
            json!({"description": "a", "configurations": "vrack=pn-1"}),
            "spec.configurations: Invalid value: \"string\"",
        ),
        (
            "approval as a boolean",
            json!({"description": "a", "approval": true}),
            "spec.approval: Invalid value: \"boolean\"",
        ),
        (
            "maxPrice as a number",
            json!({"description": "a", "maxPrice": 12.5}),
            "spec.maxPrice: Invalid value: \"number\"",
        ),
        (
            "negative maxPrice",
            json!({"description": "a", "maxPrice": "-1"}),
            "spec.maxPrice",
        ),
        (
            "absurd maxPrice",
            json!({"description": "a", "maxPrice": "99999999999.99"}),
            "spec.maxPrice",
        ),
        (
            "maxPrice in exponent form",
            json!({"description": "a", "maxPrice": "1e9"}),
            "spec.maxPrice",
        ),
        (
            "projectId path traversal",
            json!({"description": "a", "projectId": "../../../../etc/passwd"}),
            "spec.projectId",
        ),
        (
            "projectId as a number",
            json!({"description": "a", "projectId": 123}),
            "spec.projectId: Invalid value: \"integer\"",
        ),
        (
            "secret name traversal",
            json!({"description": "a", "credentialsSecretRef": {"name": "../kube-system/ovh"}}),
            "spec.credentialsSecretRef.name",
        ),
        (
            "oversized configuration value",
            json!({"description": "a", "configurations": [{"label": "vrack", "value": "v".repeat(1025)}]}),
            "spec.configurations[0].value: Too long",
        ),
        (
            "unicode configuration label",
            json!({"description": "a", "configurations": [{"label": "vrаck", "value": "pn-1"}]}),
            "spec.configurations[0].label",
        ),
        (
            "voucher injection",
            json!({"description": "a", "voucher": "X' OR '1'='1"}),
            "spec.voucher",
        ),
        (
            "plan code with a slash",
            json!({"description": "a", "plan": {"planCode": "../project.2018"}}),
            "spec.plan.planCode",
        ),
    ];
    for (what, spec, expected) in &cases {
        let manifest = json!({
            "apiVersion": "publiccloud.ovh-operator.dev/v1alpha1", "kind": "PublicCloudProject",
            "metadata": {"name": "hostile"}, "spec": spec,
        });
        let out = kubectl_with_input(&["create", "-n", &ns, "-f", "-"], &manifest.to_string());
        let said = output_text(&out);
        assert!(!out.status.success(), "{what}: accepted, but should be refused");
        assert!(
            said.contains(expected),
            "{what}: expected {expected:?} in:\n{said}"
        );
        let line = said.lines().find(|l| l.contains(expected)).unwrap_or_default();
        let line: String = line.trim().chars().take(220).collect();
        println!("hostile manifest refused: {what}: {line}");
    }
    let left = Api::<PublicCloudProject>::namespaced(client, &ns)
        .list(&Default::default())
        .await
        .unwrap();
    assert!(left.items.is_empty(), "nothing hostile was stored");
}

/// Injection attempts and unicode in the description are only text: ordered byte for byte, as
/// the project's name, and harmless on the way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injection_attempts_and_unicode_are_ordered_as_plain_text() {
    let env = Env::new("hostile-text", |_| {}).await;
    let _operator = env.start_operator();
    let texts = [
        "'; DROP TABLE projects; --",
        "<script>alert(document.cookie)</script>",
        "{{ .Values.secret }} ${OVH_SECRET} $(cat /etc/passwd) `id`",
        "../../../../etc/passwd",
        "Équipe Ünïcødé 团队 🚀 \u{202e}txt.exe",
        &"🚀".repeat(255),
    ];
    for (i, text) in texts.iter().enumerate() {
        env.create(
            &format!("t{i}"),
            json!({"description": text, "ovhSubsidiary": "FR"}),
        )
        .await;
    }
    for (i, text) in texts.iter().enumerate() {
        env.wait_for_phase(&format!("t{i}"), Phase::AwaitingPayment, 60)
            .await;
        let ledger = env.sim.ledger().await;
        let ordered = ledger.carts.iter().any(|c| {
            c.items.iter().any(|item| {
                item.configurations
                    .values()
                    .any(|(label, value)| label == "description" && value == text)
            })
        });
        assert!(
            ordered,
            "t{i}: the description is ordered byte for byte: {text:?}"
        );
    }
    assert_eq!(env.sim.ledger().await.orders.len(), texts.len());
}

/// A namespace deleted with resources in it, as the namespace controller does it (the test's
/// control plane has none): the namespace is marked Terminating, then everything in it is
/// deleted, the credentials Secret first (it has no finalizer, so it goes first in a real
/// cluster too). A resource with nothing at OVH goes at once; one with an order or a cart keeps
/// its finalizer (README, Deleting: until the operator can reach OVH) and says why
/// (SecretNotFound); the Secret cannot come back in a namespace being deleted, so a person
/// forgets them by removing the finalizer, as the README documents.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespace_deleted_with_resources_in_it() {
    let env = Env::new("hostile-ns", |_| {}).await;
    let _operator = env.start_operator();
    env.create(
        "ordered",
        json!({"description": "Ordered", "ovhSubsidiary": "FR"}),
    )
    .await;
    env.create(
        "waiting",
        json!({"description": "Waiting", "ovhSubsidiary": "FR", "approval": "Manual"}),
    )
    .await;
    env.create(
        "never",
        json!({"description": "Never", "credentialsSecretRef": {"name": "absent"}}),
    )
    .await;
    env.wait_for_phase("ordered", Phase::AwaitingPayment, 60).await;
    env.wait_for_phase("waiting", Phase::AwaitingApproval, 60).await;
    env.wait_for("never", 60, |o| condition(o, "CredentialsValid").is_some())
        .await;

    let namespaces: Api<Namespace> = Api::all(env.client.clone());
    namespaces
        .delete(&env.ns, &DeleteParams::default())
        .await
        .unwrap();
    Api::<Secret>::namespaced(env.client.clone(), &env.ns)
        .delete("ovh-credentials", &DeleteParams::default())
        .await
        .unwrap();
    for name in ["ordered", "waiting", "never"] {
        env.delete(name).await;
    }
    env.wait_gone("never", 30).await;
    // Something exists at OVH for the other two: their finalizers stay, and the condition says
    // the credentials are gone (README, Deleting).
    let mut said = Vec::new();
    for name in ["ordered", "waiting"] {
        let obj = env
            .wait_for(name, 30, |o| {
                condition(o, "CredentialsValid").is_some_and(|c| c.reason == "SecretNotFound")
            })
            .await;
        assert!(obj.metadata.deletion_timestamp.is_some() && !obj.finalizers().is_empty());
        said.push(format!(
            "{name}: {}",
            condition(&obj, "CredentialsValid").unwrap().message
        ));
    }
    // The Secret cannot come back in a namespace being deleted: a person forgets the resources.
    let back = Api::<Secret>::namespaced(env.client.clone(), &env.ns)
        .create(
            &Default::default(),
            &serde_json::from_value(json!({"metadata": {"name": "ovh-credentials"}})).unwrap(),
        )
        .await
        .expect_err("no new content in a namespace being deleted");
    println!(
        "hostile namespace deletion: never gone at once; finalizers kept with {said:?}; the Secret cannot be restored: {back}"
    );
    for name in ["ordered", "waiting"] {
        env.api
            .patch(
                name,
                &PatchParams::default(),
                &Patch::Merge(json!({"metadata": {"finalizers": null}})),
            )
            .await
            .unwrap();
        env.wait_gone(name, 30).await;
    }
    assert_eq!(
        env.sim.ledger().await.orders.len(),
        1,
        "nothing ordered on the way"
    );
}

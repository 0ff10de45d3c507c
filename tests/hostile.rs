//! Hostile input (issue 10, part 4): manifests, credentials Secrets and OVH answers built to
//! break the operator. Each case ends in a clear rejection (the API server's validation message)
//! or a condition or Warning event that says what is wrong, while a healthy resource ordered
//! alongside reaches its phase; and no secret value planted in a Secret ever shows in the
//! operator's logs, its events or the status.
//!
//! The operator runs as its binary (a subprocess, `RUST_LOG=debug`), so that every line it logs
//! is captured and searched; each OVH-answer case has a simulator of its own, so that one
//! route's fault touches only that case.

mod common;

use std::{
    collections::BTreeMap,
    process::{Child, Command},
    time::{Duration, Instant},
};

use common::{
    kubectl_with_input,
    operator::{Env, condition, phase_of},
    output_text,
    sim::Sim,
};
use k8s_openapi::api::core::v1::{Event, Namespace, Secret};
use kube::{
    Api, ResourceExt,
    api::{DeleteParams, ListParams, Patch, PatchParams},
};
use ovh_publiccloud_operator::api::{Phase, PublicCloudProject};
use serde_json::{Value, json};

/// A unique secret value, planted in a Secret and searched for everywhere afterwards.
fn plant(planted: &mut Vec<String>, kind: &str) -> String {
    let value = format!("PLANTED{kind}{:016x}", rand::random::<u64>());
    planted.push(value.clone());
    value
}

/// A simulator of its own accepting `application_secret`/`consumer_key` (and `client_secret`
/// for OAuth2), with `faults` injected.
async fn sim_with(secrets: (&str, &str, &str), faults: Value) -> Sim {
    let (as_, ck, cs) = (
        secrets.0.to_string(),
        secrets.1.to_string(),
        secrets.2.to_string(),
    );
    let sim = Sim::start(move |c| {
        c.application_secret = as_;
        c.consumer_key = ck;
        c.client_secret = cs;
    })
    .await;
    if faults != Value::Null {
        sim.fault(faults).await;
    }
    sim
}

/// The operator binary on the test's namespace, its stdout and stderr in a file.
fn operator_binary(ns: &str, log: &std::path::Path) -> Child {
    let file = std::fs::File::create(log).unwrap();
    Command::new(env!("CARGO_BIN_EXE_ovh-publiccloud-operator"))
        .args([
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
        ])
        .env("KUBECONFIG", &common::control_plane().kubeconfig)
        .env("RUST_LOG", "debug")
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .expect("start the operator binary")
}

type Events = Vec<(String, String, String)>;

/// A credentials Secret case: resource, the Secret's keys, and the CredentialsValid condition it
/// must get (reason, words in its message; no reason: it works).
type SecretCase = (
    &'static str,
    Vec<(String, String)>,
    &'static str,
    &'static [&'static str],
);

/// Polls `name` and its events until `done` holds (`None`: the resource is gone); panics with
/// both after `seconds`.
async fn expect(
    env: &Env,
    name: &str,
    seconds: u64,
    what: &str,
    done: impl Fn(Option<&PublicCloudProject>, &Events) -> bool,
) -> Option<PublicCloudProject> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let obj = env.api.get_opt(name).await.unwrap();
        let events = env.events(name).await;
        if done(obj.as_ref(), &events) {
            return obj;
        }
        if Instant::now() > deadline {
            panic!(
                "{name}: {what} not seen in {seconds} s\nstatus: {:#?}\nevents: {events:#?}",
                obj.map(|o| o.status)
            );
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The condition `kind` is False with `reason` and its message mentions every one of `words`.
fn refused(
    kind: &'static str,
    reason: &'static str,
    words: &'static [&'static str],
) -> impl Fn(Option<&PublicCloudProject>, &Events) -> bool {
    move |obj, _| {
        obj.and_then(|o| condition(o, kind)).is_some_and(|c| {
            c.status == "False" && c.reason == reason && words.iter().all(|w| c.message.contains(w))
        })
    }
}

/// A Warning event with `reason` whose note mentions every one of `words`.
fn warned(
    reason: &'static str,
    words: &'static [&'static str],
) -> impl Fn(Option<&PublicCloudProject>, &Events) -> bool {
    move |_, events| {
        events
            .iter()
            .any(|(t, r, n)| t == "Warning" && r == reason && words.iter().all(|w| n.contains(w)))
    }
}

fn in_phase(phase: Phase) -> impl Fn(Option<&PublicCloudProject>, &Events) -> bool {
    move |obj, _| obj.is_some_and(|o| phase_of(o) == Some(phase))
}

/// One hostile OVH answer: the route's fault, and what the operator must show.
struct Answer {
    name: &'static str,
    spec: Value,
    fault: Value,
    /// A Warning event (reason, words) or a condition (reason, words) on Ready.
    warning: Option<(&'static str, &'static [&'static str])>,
    /// The phase it reaches afterwards (it recovers), if any.
    then: Option<Phase>,
}

fn order_json(order_id: Value, with_tax: Value) -> String {
    let price = |v: &Value| json!({"currencyCode": "EUR", "text": "?", "value": v});
    json!({
        "orderId": order_id, "url": "https://example.invalid/order", "contracts": [], "details": [],
        "prices": {"withTax": price(&with_tax), "withoutTax": price(&with_tax), "tax": price(&json!(0))},
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_secrets_and_ovh_answers_are_conditions_and_no_secret_leaks() {
    let mut planted = Vec::new();
    let (as_, ck, cs) = (
        plant(&mut planted, "AS"),
        plant(&mut planted, "CK"),
        plant(&mut planted, "CS"),
    );
    let (as2, ck2, cs2) = (as_.clone(), ck.clone(), cs.clone());
    let env = Env::new("hostile", move |c| {
        c.application_secret = as2;
        c.consumer_key = ck2;
        c.client_secret = cs2;
    })
    .await;
    let base = env.sim.running.base_url.clone();
    let app = |as_: &str, ck: &str| -> Vec<(String, String)> {
        vec![
            ("endpoint".into(), base.clone()),
            ("application_key".into(), "sim-ak".into()),
            ("application_secret".into(), as_.into()),
            ("consumer_key".into(), ck.into()),
        ]
    };

    // Secrets: (resource, Secret keys, expected condition on CredentialsValid: reason and words).
    let wrong_as = plant(&mut planted, "WRONGAS");
    let wrong_cs = plant(&mut planted, "WRONGCS");
    let url_password = plant(&mut planted, "URLPW");
    let misplaced = plant(&mut planted, "MISPLACED");
    let lone = plant(&mut planted, "LONE");
    let origin = base.trim_end_matches("/1.0").to_string();
    let secret_cases: Vec<SecretCase> = vec![
        ("healthy", app(&as_, &ck), "", &[]),
        (
            "s-oauth2",
            vec![
                ("endpoint".into(), base.clone()),
                ("client_id".into(), "sim-client".into()),
                ("client_secret".into(), cs.clone()),
            ],
            "",
            &[],
        ),
        (
            "s-missing-keys",
            vec![
                ("endpoint".into(), base.clone()),
                ("application_key".into(), "sim-ak".into()),
                ("application_secret".into(), lone.clone()),
            ],
            "SecretInvalid",
            &["incomplete application credentials"],
        ),
        (
            "s-both-methods",
            [
                app(&as_, &ck),
                vec![
                    ("client_id".into(), "sim-client".into()),
                    ("client_secret".into(), cs.clone()),
                ],
            ]
            .concat(),
            "SecretInvalid",
            &["exactly one method"],
        ),
        (
            "s-empty-value",
            app(&as_, ""),
            "SecretInvalid",
            &["incomplete application credentials"],
        ),
        (
            "s-blank-value",
            app(&as_, " \t\n "),
            "SecretInvalid",
            &["incomplete application credentials"],
        ),
        (
            "s-http-remote",
            [
                vec![("endpoint".into(), "http://10.0.0.7:8443/1.0".to_string())],
                app(&as_, &ck)[1..].to_vec(),
            ]
            .concat(),
            "SecretInvalid",
            &["plain http"],
        ),
        (
            "s-url-credentials",
            [
                vec![(
                    "endpoint".into(),
                    format!("http://ovh:{url_password}@{}", base.trim_start_matches("http://")),
                )],
                app(&as_, &ck)[1..].to_vec(),
            ]
            .concat(),
            "SecretInvalid",
            &["carries credentials"],
        ),
        (
            "s-path-traversal",
            [
                vec![("endpoint".into(), format!("{base}/../_sim"))],
                app(&as_, &ck)[1..].to_vec(),
            ]
            .concat(),
            "SecretInvalid",
            &["plain base URL"],
        ),
        (
            "s-encoded-traversal",
            [
                vec![("endpoint".into(), format!("{origin}/1.0/%2e%2e/_sim"))],
                app(&as_, &ck)[1..].to_vec(),
            ]
            .concat(),
            "SecretInvalid",
            &["plain base URL"],
        ),
        (
            "s-endpoint-is-a-secret",
            [
                vec![("endpoint".into(), misplaced.clone())],
                app(&as_, &ck)[1..].to_vec(),
            ]
            .concat(),
            "SecretInvalid",
            &["not shown"],
        ),
        (
            "s-wrong-secret",
            app(&wrong_as, &ck),
            "OvhBadRequest",
            &["Invalid signature"],
        ),
        (
            "s-oauth2-wrong-secret",
            vec![
                ("endpoint".into(), base.clone()),
                ("client_id".into(), "sim-client".into()),
                ("client_secret".into(), wrong_cs.clone()),
            ],
            "OvhOAuth2Failed",
            &["OAuth2"],
        ),
        (
            "s-huge-key",
            [
                app(&as_, &ck)[..1].to_vec(),
                vec![("application_key".into(), "k".repeat(200_000))],
                app(&as_, &ck)[2..].to_vec(),
            ]
            .concat(),
            "OvhForbidden",
            &["application key is invalid"],
        ),
    ];
    for (name, keys, _, _) in &secret_cases {
        let keys: Vec<(&str, &str)> = keys.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        env.put_raw_secret(&format!("secret-{name}"), &keys).await;
    }
    // Non-UTF-8 bytes as the application secret.
    let garbage = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "secret-s-not-utf8"},
        "data": {"endpoint": base64(base.as_bytes()), "application_key": base64(b"sim-ak"),
                 "application_secret": base64(&[0xff, 0xfe, 0x00, 0x1b, b'x']), "consumer_key": base64(ck.as_bytes())}});
    Api::<Secret>::namespaced(env.client.clone(), &env.ns)
        .patch(
            "secret-s-not-utf8",
            &PatchParams::apply("tests").force(),
            &Patch::Apply(&garbage),
        )
        .await
        .unwrap();

    // OVH answers, each from a simulator of its own.
    let big_price = order_json(json!(null), json!(1e300));
    let negative_price = {
        let mut order: Value = serde_json::from_str(&order_json(json!(null), json!(-0.5))).unwrap();
        order["prices"]["withTax"]["priceInUcents"] = json!(-50_000_000);
        order.to_string()
    };
    let answers = vec![
        Answer {
            name: "a-malformed",
            spec: json!({"description": "Malformed"}),
            fault: json!({"method": "POST", "route": "/order/cart", "body": "{\"cartId\": \"", "count": 1}),
            warning: Some(("OvhInvalidResponse", &["POST /order/cart"])),
            then: Some(Phase::AwaitingPayment),
        },
        Answer {
            name: "a-truncated",
            spec: json!({"description": "Truncated", "ovhSubsidiary": "FR"}),
            fault: json!({"method": "POST", "route": "/order/cart/{cartId}/cloud", "body": "{\"itemId\": 12, \"cartId\": \"ab", "count": 1}),
            warning: Some(("OvhInvalidResponse", &["/order/cart/{cartId}/cloud"])),
            then: Some(Phase::AwaitingPayment),
        },
        Answer {
            name: "a-wrong-type",
            spec: json!({"description": "Wrong type"}),
            fault: json!({"method": "GET", "route": "/me", "body": "[\"FR\"]"}),
            warning: Some(("OvhInvalidResponse", &["GET /me"])),
            then: None,
        },
        Answer {
            name: "a-empty-200",
            spec: json!({"description": "Empty answer", "ovhSubsidiary": "FR"}),
            fault: json!({"method": "POST", "route": "/order/cart", "body": "", "count": 1}),
            warning: Some(("OvhInvalidResponse", &["POST /order/cart"])),
            then: Some(Phase::AwaitingPayment),
        },
        Answer {
            name: "a-10mb",
            spec: json!({"description": "Ten megabytes"}),
            fault: json!({"method": "GET", "route": "/me", "body": "{\"ovhSubsidiary\": \"{pad:10000000}\"}"}),
            warning: Some(("OvhInvalidResponse", &["longer than 4 MiB"])),
            then: None,
        },
        Answer {
            name: "a-3mb-refusal",
            spec: json!({"description": "Three megabyte refusal", "ovhSubsidiary": "FR"}),
            fault: json!({"method": "POST", "route": "/order/cart", "bodyStatus": 400,
                "body": "{\"class\": \"Client::BadRequest\", \"message\": \"{pad:3000000}\"}"}),
            warning: Some(("OvhBadRequest", &["xxxx…"])),
            then: None,
        },
        Answer {
            name: "a-10mb-error",
            spec: json!({"description": "Ten megabyte error", "ovhSubsidiary": "FR"}),
            fault: json!({"method": "POST", "route": "/order/cart", "body": "{\"message\": \"{pad:10000000}\"}", "bodyStatus": 503}),
            warning: Some(("OvhServerError", &["xxxx…"])),
            then: None,
        },
        Answer {
            name: "a-control-characters",
            spec: json!({"description": "Escapes", "ovhSubsidiary": "FR"}),
            fault: json!({"method": "POST", "route": "/order/cart", "status": 400, "message": "\u{1b}[2J\u{1b}[31mEVIL\r\n{\"level\":\"INFO\",\"fields\":{\"message\":\"forged\"}}"}),
            warning: Some(("OvhBadRequest", &["EVIL"])),
            then: None,
        },
        Answer {
            name: "a-html-502",
            spec: json!({"description": "Proxy page", "ovhSubsidiary": "FR"}),
            fault: json!({"method": "POST", "route": "/order/cart", "body": "<html><body><h1>502 Bad Gateway</h1></body></html>", "bodyStatus": 502, "count": 1}),
            warning: Some(("OvhServerError", &["502 Bad Gateway"])),
            then: Some(Phase::AwaitingPayment),
        },
        Answer {
            name: "a-byte-by-byte-timeout",
            spec: json!({"description": "Byte by byte, too slow"}),
            fault: json!({"method": "GET", "route": "/me", "slowBodyMs": 100, "count": 6}),
            warning: Some(("OvhTimeout", &["GET /me"])),
            then: Some(Phase::AwaitingPayment),
        },
        Answer {
            name: "a-byte-by-byte-in-time",
            spec: json!({"description": "Byte by byte, in time"}),
            fault: json!({"method": "GET", "route": "/me", "slowBodyMs": 3}),
            warning: None,
            then: Some(Phase::AwaitingPayment),
        },
        Answer {
            name: "a-order-id-float",
            spec: json!({"description": "Float order id", "ovhSubsidiary": "FR"}),
            fault: json!({"method": "POST", "route": "/order/cart/{cartId}/checkout", "body": order_json(json!(1e20), json!(0)), "count": 1}),
            warning: Some(("OvhInvalidResponse", &["/order/cart/{cartId}/checkout"])),
            then: Some(Phase::AwaitingPayment),
        },
        Answer {
            name: "a-price-1e300",
            spec: json!({"description": "Astronomic price", "ovhSubsidiary": "FR", "maxPrice": "10.00"}),
            fault: json!({"method": "GET", "route": "/order/cart/{cartId}/checkout", "body": big_price}),
            warning: None,
            then: Some(Phase::AwaitingApproval),
        },
        Answer {
            name: "a-price-negative",
            spec: json!({"description": "Negative price", "ovhSubsidiary": "FR", "maxPrice": "10.00"}),
            fault: json!({"method": "GET", "route": "/order/cart/{cartId}/checkout", "body": negative_price}),
            warning: None,
            then: Some(Phase::AwaitingApproval),
        },
        Answer {
            name: "a-cart-id-traversal",
            spec: json!({"description": "Cart id traversal", "ovhSubsidiary": "FR"}),
            fault: json!({"method": "POST", "route": "/order/cart", "body": "{\"cartId\": \"../../me\", \"description\": \"x\", \"expire\": null, \"items\": [], \"readOnly\": false}"}),
            warning: Some(("OvhInvalidResponse", &["cart id"])),
            then: None,
        },
    ];
    let mut sims = BTreeMap::new();
    for answer in &answers {
        let sim = sim_with((&as_, &ck, &cs), answer.fault.clone()).await;
        let keys = [
            ("endpoint", sim.running.base_url.as_str()),
            ("application_key", "sim-ak"),
            ("application_secret", as_.as_str()),
            ("consumer_key", ck.as_str()),
        ];
        env.put_raw_secret(&format!("secret-{}", answer.name), &keys)
            .await;
        sims.insert(answer.name, sim);
    }
    // A resource deleted mid-order: its checkout takes 1.5 s.
    let slow = sim_with(
        (&as_, &ck, &cs),
        json!({"method": "POST", "route": "/order/cart/{cartId}/checkout", "latencyMs": 1500, "errorRate": 0}),
    )
    .await;
    env.put_raw_secret(
        "secret-l-deleted-mid-order",
        &[
            ("endpoint", slow.running.base_url.as_str()),
            ("application_key", "sim-ak"),
            ("application_secret", as_.as_str()),
            ("consumer_key", ck.as_str()),
        ],
    )
    .await;

    let log = common::repo_root().join(format!("target/hostile-{}.log", env.ns));
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    let mut operator = operator_binary(&env.ns, &log);
    let kill = scopeguard(operator.id());

    let secret_ref = |name: &str| json!({"name": format!("secret-{name}")});
    for (name, _, _, _) in &secret_cases {
        env.create(
            name,
            json!({"description": format!("Case {name}"), "credentialsSecretRef": secret_ref(name)}),
        )
        .await;
    }
    env.create(
        "s-not-utf8",
        json!({"description": "Not UTF-8", "credentialsSecretRef": secret_ref("s-not-utf8")}),
    )
    .await;
    env.create(
        "s-no-secret",
        json!({"description": "No Secret", "credentialsSecretRef": {"name": "absent"}}),
    )
    .await;
    for answer in &answers {
        let mut spec = answer.spec.clone();
        spec["credentialsSecretRef"] = secret_ref(answer.name);
        env.create(answer.name, spec).await;
    }
    env.create(
        "l-deleted-mid-order",
        json!({"description": "Deleted mid-order", "ovhSubsidiary": "FR", "credentialsSecretRef": secret_ref("l-deleted-mid-order")}),
    )
    .await;

    let mut outcomes: Vec<String> = Vec::new();
    // Deleted while its checkout runs: the finalizer stays until the order is known, then goes.
    expect(
        &env,
        "l-deleted-mid-order",
        60,
        "CheckingOut",
        in_phase(Phase::CheckingOut),
    )
    .await;
    env.api
        .delete("l-deleted-mid-order", &DeleteParams::default())
        .await
        .unwrap();

    // The healthy resources reach their phase whatever the others do.
    for name in ["healthy", "s-oauth2"] {
        let obj = expect(
            &env,
            name,
            60,
            "AwaitingPayment",
            in_phase(Phase::AwaitingPayment),
        )
        .await
        .unwrap();
        outcomes.push(format!("{name}: AwaitingPayment"));
        if name == "healthy" {
            let url = obj.status.unwrap().order.unwrap().url.unwrap();
            env.sim.pay_on_order_page(&url).await;
        }
    }
    for (name, _, reason, words) in &secret_cases {
        if reason.is_empty() {
            continue;
        }
        let obj = expect(&env, name, 60, reason, refused("CredentialsValid", reason, words))
            .await
            .unwrap();
        outcomes.push(format!(
            "{name}: CredentialsValid False {reason}: {}",
            condition(&obj, "CredentialsValid").unwrap().message
        ));
    }
    for (name, reason) in [("s-not-utf8", "OvhBadRequest"), ("s-no-secret", "SecretNotFound")] {
        let obj = expect(&env, name, 60, reason, refused("CredentialsValid", reason, &[]))
            .await
            .unwrap();
        outcomes.push(format!(
            "{name}: CredentialsValid False {reason}: {}",
            condition(&obj, "CredentialsValid").unwrap().message
        ));
    }
    for answer in &answers {
        if let Some((reason, words)) = answer.warning {
            let matches_condition = refused("Ready", reason, words);
            let matches_event = warned(reason, words);
            expect(&env, answer.name, 60, reason, |o, e| {
                matches_condition(o, e) || matches_event(o, e)
            })
            .await;
        }
        let obj = match answer.then {
            Some(phase) => expect(&env, answer.name, 60, "its phase", in_phase(phase))
                .await
                .unwrap(),
            None => env.api.get(answer.name).await.unwrap(),
        };
        let ready = condition(&obj, "Ready");
        outcomes.push(format!(
            "{}: {:?} {:?}: {}",
            answer.name,
            phase_of(&obj),
            ready.as_ref().map(|c| c.reason.clone()),
            ready
                .map(|c| c.message.chars().take(160).collect::<String>())
                .unwrap_or_default()
        ));
        let ledger = sims[answer.name].ledger().await;
        assert!(
            ledger.orders.len() <= 1,
            "{}: at most one order: {ledger:#?}",
            answer.name
        );
        if answer.then == Some(Phase::AwaitingPayment) {
            assert_eq!(ledger.orders.len(), 1, "{}: one order", answer.name);
        }
    }
    // Unreadable answers are in the Ready condition, not only in events.
    for name in ["a-wrong-type", "a-10mb", "a-cart-id-traversal"] {
        let obj = env.api.get(name).await.unwrap();
        let ready = condition(&obj, "Ready");
        assert_eq!(
            ready.as_ref().map(|c| c.reason.as_str()),
            Some("OvhInvalidResponse"),
            "{name}: {ready:?}"
        );
    }
    let obj = env.api.get("a-control-characters").await.unwrap();
    let message = condition(&obj, "Ready").unwrap().message;
    assert!(
        !message.chars().any(char::is_control),
        "no control character reaches the status: {message:?}"
    );
    for name in ["a-3mb-refusal", "a-10mb-error"] {
        let events = env.events(name).await;
        let longest = events.iter().map(|(_, _, n)| n.len()).max().unwrap_or_default();
        assert!(
            longest < 4096,
            "{name}: OVH's long message is cut: {longest} bytes"
        );
    }
    let obj = env.api.get("a-price-negative").await.unwrap();
    let price = obj.status.unwrap().price.unwrap();
    assert!(
        price.with_tax.starts_with('-'),
        "a negative price stays negative: {price:?}"
    );
    assert!(sims["a-price-negative"].ledger().await.orders.is_empty());
    assert!(sims["a-price-1e300"].ledger().await.orders.is_empty());

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
    if let Some(order) = ledger.orders.first() {
        assert!(
            notes
                .iter()
                .any(|(_, _, n)| n.contains(&order.order_id.to_string())),
            "the release names the order left at OVH: {notes:#?}"
        );
    }
    env.wait_for_phase("healthy", Phase::Ready, 60).await;
    outcomes.push("healthy: Ready".into());

    // No planted secret anywhere: logs, events, status; nor an OAuth2 access token.
    let _ = operator.kill();
    let _ = operator.wait();
    drop(kill);
    let logs = std::fs::read_to_string(&log).unwrap();
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
    assert!(
        logs.contains("executed"),
        "the operator's logs were captured: {log:?}"
    );
    for secret in &planted {
        for (place, text) in [("logs", &logs), ("events", &events), ("status", &statuses)] {
            assert!(
                !text.contains(secret.as_str()),
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
        let _ = std::fs::remove_file(&log);
    }
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Kills the operator process if the test panics before it does.
struct KillOnDrop(u32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        unsafe { libc::kill(self.0 as i32, libc::SIGKILL) };
    }
}

fn scopeguard(pid: u32) -> KillOnDrop {
    KillOnDrop(pid)
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

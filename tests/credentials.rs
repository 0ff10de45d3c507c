//! OVH credentials made for the operator: `ovh-publiccloud-operator credentials` requests a
//! consumer key with exactly the operator's access rules from the simulator, which enforces them
//! like OVH; the operator orders, pays and terminates with such a key, and a call outside the
//! rules is refused with 403 NOT_GRANTED_CALL. OVH's Python SDK sees the same answers.

mod common;

use std::{process::Output, time::Duration};

use common::{
    operator::{Env, condition},
    sim::{AK_AS_CK, Sim, with_key},
};
use k8s_openapi::api::core::v1::Secret;
use kube::{
    Api,
    api::{Patch, PatchParams},
};
use ovh_publiccloud_operator::{
    api::Phase,
    controller::CrashHook,
    ovh::{
        OvhClient, OvhError, Route,
        access::{self, ACCESS_RULES, IAM_ACTIONS},
    },
};
use serde_json::{Value, json};

fn operator_command(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ovh-publiccloud-operator"))
        .args(args)
        .env_remove("OVH_APPLICATION_KEY")
        .env_remove("OVH_APPLICATION_SECRET")
        .env_remove("OVH_ENDPOINT")
        .output()
        .expect("run the operator binary")
}

/// The text after `prefix` on the line that has it, up to the end of the word.
fn word_after<'a>(text: &'a str, prefix: &str) -> &'a str {
    let at = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in:\n{text}"))
        + prefix.len();
    text[at..].split_whitespace().next().unwrap()
}

/// An OVH API error's (status, errorCode, message).
fn api_error(e: &OvhError) -> (u16, Option<String>, String) {
    match e {
        OvhError::Api(a) => (a.status, a.error_code.clone(), a.message.clone()),
        other => panic!("not an API error: {other}"),
    }
}

/// A new consumer key with `rules`, validated through the simulator's test control.
async fn validated_key(sim: &Sim, rules: &[(&str, &str)]) -> String {
    let mut request = access::credential_request(None, vec![]);
    request
        .access_rules
        .retain(|r| rules.iter().any(|(m, p)| r.method == *m && r.path == *p));
    let answer = access::request_consumer_key(&sim.running.base_url, "sim-ak", &request)
        .await
        .unwrap();
    sim.control(
        reqwest::Method::POST,
        &format!("/_sim/credentials/{}/validate", answer.consumer_key),
        None,
    )
    .await;
    answer.consumer_key
}

// Multi-threaded: the binary runs blocking while the in-process simulator answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subcommand_requests_a_key_with_exactly_the_rules_and_it_works_once_validated() {
    let sim = Sim::start(|_| {}).await;
    let base = sim.running.base_url.clone();
    let out = operator_command(&[
        "credentials",
        "--endpoint",
        &base,
        "--application-key",
        "sim-ak",
        "--application-secret",
        "sim-as",
        "--namespace",
        "team-a",
    ]);
    let stdout = common::output_text(&out);
    assert!(out.status.success(), "{stdout}");
    let url = word_after(&stdout, "   http");
    let url = format!("http{url}");
    let ck = word_after(&stdout, "--from-literal=consumer_key=").to_string();
    assert!(
        url.starts_with(&format!("{}/auth/?credentialToken=", sim.origin())),
        "{url}"
    );
    assert_eq!(ck.len(), 32, "{ck}");
    for line in [
        "kubectl create secret generic ovh-credentials --namespace team-a \\".to_string(),
        format!("--from-literal=endpoint={base} \\"),
        "--from-literal=application_key=sim-ak \\".to_string(),
        "--from-literal=application_secret=\"$OVH_APPLICATION_SECRET\" \\".to_string(),
    ] {
        assert!(stdout.contains(&line), "{line} in:\n{stdout}");
    }
    assert!(
        !stdout.contains("sim-as"),
        "the application secret is not printed unless asked:\n{stdout}"
    );

    // Pending: OVH refuses every signed call until a person validates the key.
    let client = sim.client_with(&with_key(AK_AS_CK, "consumer_key", &ck));
    let pending = client.me().await.unwrap_err();
    assert_eq!(
        api_error(&pending),
        (
            403,
            Some("INVALID_CREDENTIAL".into()),
            "This credential is not valid".into()
        )
    );
    assert!(pending.is_credentials_problem());

    // The validation URL is a page listing exactly the operator's rules, with a button.
    let http = reqwest::Client::new();
    let page = http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"validate\""), "{page}");
    let listed: Vec<(String, String)> = page
        .split("<li><code>")
        .skip(1)
        .map(|li| {
            let rule = &li[..li.find("</code>").unwrap()];
            let (m, p) = rule.split_once(' ').unwrap();
            (m.to_string(), p.to_string())
        })
        .collect();
    let expected: Vec<(String, String)> = ACCESS_RULES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(listed, expected);
    let token = url.split("credentialToken=").nth(1).unwrap();
    let validated = http
        .post(url.split('?').next().unwrap())
        .form(&[("credentialToken", token)])
        .send()
        .await
        .unwrap();
    assert!(validated.status().is_success());
    assert!(validated.text().await.unwrap().contains("id=\"validated\""));

    // Validated: the operator's calls work, a call outside the rules is 403 NOT_GRANTED_CALL.
    assert_eq!(client.me().await.unwrap().nichandle, "sim12345-ovh");
    let cart_ids: Vec<String> = client.carts_by_description("none").await.unwrap();
    assert!(cart_ids.is_empty());
    for route in [Route::new("/auth/details", &[])] {
        let refused = client.get::<Value>(route).await.unwrap_err();
        assert_eq!(
            api_error(&refused),
            (
                403,
                Some("NOT_GRANTED_CALL".into()),
                "This call has not been granted".into()
            )
        );
        assert!(refused.is_credentials_problem());
    }
    // The built-in key keeps full access.
    sim.client()
        .get::<Value>(Route::new("/cloud/project", &[]))
        .await
        .unwrap();

    // --show-secret puts the application secret in the command; a wrong application key fails.
    let shown = operator_command(&[
        "credentials",
        "--endpoint",
        &base,
        "--application-key",
        "sim-ak",
        "--application-secret",
        "sim-as",
        "--show-secret",
    ]);
    assert!(shown.status.success());
    assert!(common::output_text(&shown).contains("--from-literal=application_secret=sim-as \\"));
    let wrong = operator_command(&["credentials", "--endpoint", &base, "--application-key", "nope"]);
    assert!(!wrong.status.success());
    common::assert_mentions(
        &common::output_text(&wrong),
        &["INVALID_KEY", "This application key is invalid"],
    );
}

#[test]
fn the_subcommand_prints_the_iam_policy_of_an_oauth2_service_account() {
    let out = operator_command(&[
        "credentials",
        "--oauth2",
        "--endpoint",
        "ovh-ca",
        "--account",
        "xx11111-ovh",
        "--client-id",
        "0f0f0f0f",
    ]);
    assert!(out.status.success(), "{}", common::output_text(&out));
    let policy: Value = serde_json::from_slice(&out.stdout).expect("stdout is the policy JSON alone");
    assert_eq!(
        policy["identities"],
        json!(["urn:v1:ca:identity:credential:xx11111-ovh/oauth2-0f0f0f0f"])
    );
    assert_eq!(
        policy["resources"],
        json!([
            {"urn": "urn:v1:ca:resource:account:xx11111-ovh"},
            {"urn": "urn:v1:ca:resource:publicCloudProject:*"},
        ])
    );
    let actions: Vec<&str> = policy["permissions"]["allow"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, IAM_ACTIONS);
    assert!(String::from_utf8_lossy(&out.stderr).contains("POST /v2/iam/policy"));
}

/// OVH's Python SDK requests a key with the operator's rules and maps the simulator's refusals to
/// its own exceptions: `InvalidCredential` while pending, `NotGrantedCall` outside the rules.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_sdk_sees_pending_and_refused_calls_as_ovh_answers_them() {
    let sim = Sim::start(|_| {}).await;
    let python = std::env::var_os("OVH_SDK_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| common::repo_root().join("target/sdk-venv/bin/python"));
    assert!(
        python.exists(),
        "{} not found: scripts/test creates it (or set OVH_SDK_PYTHON)",
        python.display()
    );
    let rules: String = ACCESS_RULES.iter().map(|(m, p)| format!("{m} {p}\n")).collect();
    let mut child = tokio::process::Command::new(python)
        .arg(common::repo_root().join("tests/python/sdk_consumer_key.py"))
        .arg(&sim.running.base_url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use tokio::io::AsyncWriteExt;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(rules.as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success(), "{}", common::output_text(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        summary,
        json!({
            "state": "pendingValidation", "rules": ACCESS_RULES.len(), "pending": "InvalidCredential",
            "me": "sim12345-ovh", "outside": "NotGrantedCall",
            "outsideMessage": "This call has not been granted",
        })
    );
}

/// The operator orders, pays and terminates (deletionPolicy: Terminate) with a key limited to
/// exactly ACCESS_RULES; a key that lacks one rule is refused with OVH's message, as a condition.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_works_with_a_key_limited_to_its_access_rules() {
    let env = Env::new("ck-rules", |_| {}).await;
    let ck = validated_key(&env.sim, ACCESS_RULES).await;
    env.put_secret("ovh-credentials", &with_key(AK_AS_CK, "consumer_key", &ck))
        .await;
    let without_cart: Vec<(&str, &str)> = ACCESS_RULES
        .iter()
        .copied()
        .filter(|r| *r != ("POST", "/order/cart"))
        .collect();
    let narrow = validated_key(&env.sim, &without_cart).await;
    env.put_secret("narrow", &with_key(AK_AS_CK, "consumer_key", &narrow))
        .await;
    let _operator = env.start_operator();

    env.create(
        "paid",
        json!({"description": "Restricted key", "payment": "Automatic", "deletionPolicy": "Terminate"}),
    )
    .await;
    env.create(
        "manual",
        json!({"description": "Restricted key, paid by a person", "approval": "Manual"}),
    )
    .await;
    env.create(
        "narrow",
        json!({"description": "Narrow key", "credentialsSecretRef": {"name": "narrow"}}),
    )
    .await;

    let project_id = env
        .wait_for_phase("paid", Phase::Ready, 60)
        .await
        .status
        .unwrap()
        .project_id
        .unwrap();
    // Manual approval and payment: cart read, priced, then approved, checked out, paid by a person.
    let manual = env.wait_for_phase("manual", Phase::AwaitingApproval, 30).await;
    let cart_id = manual.status.unwrap().cart.unwrap().id;
    env.annotate(
        "manual",
        ovh_publiccloud_operator::api::APPROVE_ANNOTATION,
        &cart_id,
    )
    .await;
    let manual = env.wait_for_phase("manual", Phase::AwaitingPayment, 30).await;
    let order_id = manual.status.unwrap().order.unwrap().id;
    env.sim
        .control(
            reqwest::Method::POST,
            &format!("/_sim/orders/{order_id}/pay"),
            None,
        )
        .await;
    env.wait_for_phase("manual", Phase::Ready, 60).await;

    // The key lacking `POST /order/cart`: OVH's refusal is the credentials condition.
    let narrow = env
        .wait_for("narrow", 30, |o| {
            condition(o, "CredentialsValid").is_some_and(|c| c.status == "False")
        })
        .await;
    let refused = condition(&narrow, "CredentialsValid").unwrap();
    assert_eq!(refused.reason, "OvhForbidden");
    common::assert_mentions(
        &refused.message,
        &["This call has not been granted", "/order/cart"],
    );

    // Terminate needs its rules too: the project is terminated with the restricted key.
    env.delete("paid").await;
    env.wait_gone("paid", 60).await;
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.project(&project_id).unwrap().status, "deleted");

    // The same key, outside its rules: 403 NOT_GRANTED_CALL.
    let restricted: OvhClient = env.sim.client_with(&with_key(AK_AS_CK, "consumer_key", &ck));
    let refused = restricted
        .get::<Value>(Route::new("/auth/details", &[]))
        .await
        .unwrap_err();
    assert_eq!(api_error(&refused).1.as_deref(), Some("NOT_GRANTED_CALL"));
    // Renaming a project is within the rules (spec.description changed after delivery).
    restricted
        .put::<_, Value>(
            Route::new("/cloud/project/{serviceName}", &[&project_id]),
            &json!({"description": "renamed"}),
        )
        .await
        .expect("PUT /cloud/project/* is granted");
    // And no call the operator made was refused.
    let refusals: Vec<_> = env
        .events("paid")
        .await
        .into_iter()
        .chain(env.events("manual").await)
        .filter(|(_, _, note)| note.contains("not been granted"))
        .collect();
    assert!(refusals.is_empty(), "{refusals:?}");
}

/// The credentials Secret's data is read from the API server once per version of the Secret,
/// not on every pass: the metadata-only Secret watch says whether the cached client's version
/// is still current. A changed Secret (any change bumps its version) is read again, once, and
/// the resources keep working with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_credentials_secret_is_read_once_per_version_not_on_every_pass() {
    let env = Env::new("secret-reads", |_| {}).await;
    let port = common::free_port();
    let mut options = env.options();
    options.metrics_addr = format!("127.0.0.1:{port}");
    let _operator = env.start_operator_with(options, CrashHook::default());
    // (Secret reads, reconcile passes) from the operator's /metrics.
    let counts = || async move {
        let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let value = |name: &str| -> f64 {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{name} ")))
                .unwrap_or_else(|| panic!("{name} missing from:\n{text}"))
                .parse()
                .unwrap()
        };
        (
            value("ovh_operator_credentials_secret_reads_total"),
            value("ovh_operator_reconciliations_total"),
        )
    };
    // Once the watch has listed the Secret, the first pass reads it and the others use the cache.
    tokio::time::sleep(Duration::from_secs(1)).await;
    for name in ["a", "b", "c"] {
        env.create(name, json!({"description": format!("Secret reads {name}")}))
            .await;
    }
    for name in ["a", "b", "c"] {
        env.wait_for_phase(name, Phase::AwaitingPayment, 30).await;
    }
    let (reads, passes) = counts().await;
    assert_eq!(reads, 1.0, "one read for {passes} passes");
    // Waiting for payment is polled every second or so: more passes, no more reads.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (reads_later, passes_later) = counts().await;
    assert!(
        passes_later >= passes + 3.0,
        "{passes} then {passes_later} passes"
    );
    assert_eq!(reads_later, 1.0, "no read for {} passes", passes_later - passes);

    // A change of the Secret (here a label: any change gives it a new version) is read once.
    Api::<Secret>::namespaced(env.client.clone(), &env.ns)
        .patch(
            "ovh-credentials",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"rotated": "yes"}}})),
        )
        .await
        .unwrap();
    env.create("d", json!({"description": "After the change"})).await;
    env.wait_for_phase("d", Phase::AwaitingPayment, 30).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (reads, _) = counts().await;
    assert_eq!(reads, 2.0, "read again once after the change");
}

//! `kubectl pcp` end to end: the built binary, run as `ovh-publiccloud-operator pcp …` and as the
//! kubectl plugin (linked as `kubectl-pcp` and found by the real kubectl), against the real
//! kube-apiserver, the OVH simulator and the operator.

mod common;

use std::{
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

use common::{assert_mentions, control_plane, operator::Env, output_text, secrets, sim::Sim};
use kube::{
    ResourceExt,
    api::{Patch, PatchParams},
};
use ovh_publiccloud_operator::{
    api::{APPROVE_ANNOTATION, FINALIZER, Phase},
    simulator::Region,
};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_ovh-publiccloud-operator");

/// A scratch directory (also the working directory and HOME of the commands, so that no
/// `ovh.conf` of the machine is read).
fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pcp-test-{:08x}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `ovh-publiccloud-operator pcp ARGS` in `dir`, with `env` and no OVH_* variable of ours.
fn pcp_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command
        .arg("pcp")
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("KUBECONFIG", &control_plane().kubeconfig)
        .stdin(Stdio::null());
    for var in [
        "OVH_ENDPOINT",
        "OVH_APPLICATION_KEY",
        "OVH_APPLICATION_SECRET",
        "OVH_CONSUMER_KEY",
        "OVH_CLIENT_ID",
        "OVH_CLIENT_SECRET",
    ] {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    command.output().unwrap()
}

fn pcp(args: &[&str]) -> Output {
    pcp_in(&scratch(), args, &[])
}

#[track_caller]
fn succeeded(out: &Output) -> String {
    let text = output_text(out);
    assert!(out.status.success(), "failed: {text}");
    text
}

#[track_caller]
fn refused(out: &Output) -> String {
    let text = output_text(out);
    assert!(!out.status.success(), "succeeded: {text}");
    text
}

fn sim_env(sim: &Sim) -> Vec<(&'static str, String)> {
    vec![
        ("OVH_ENDPOINT", sim.running.base_url.clone()),
        ("OVH_APPLICATION_KEY", "sim-ak".into()),
        ("OVH_APPLICATION_SECRET", "sim-as".into()),
        ("OVH_CONSUMER_KEY", "sim-ck".into()),
    ]
}

const MANIFEST: &str = r#"
apiVersion: publiccloud.ovh-operator.dev/v1alpha1
kind: PublicCloudProject
metadata:
  name: team-b
spec:
  description: "Team B staging"
  ovhSubsidiary: FR
  configurations:
    - label: infrastructure
      value: production
  approval: Manual
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_prices_the_cart_at_ovh_and_deletes_it_without_ordering() {
    // 12.50 without tax; the simulator adds 20 % (assumed: a French VAT rate, as OVH FR bills).
    // An option adds 2.50 (only the options test below asks for one).
    let sim = Sim::start(|cfg| {
        cfg.price_ucents = 1_250_000_000;
        cfg.option_price_ucents = 250_000_000;
    })
    .await;
    let dir = scratch();
    std::fs::write(dir.join("team-b.yaml"), MANIFEST).unwrap();
    let env = sim_env(&sim);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let text = succeeded(&pcp_in(&dir, &["plan", "-f", "team-b.yaml"], &env));
    assert_mentions(
        &text,
        &[
            "PublicCloudProject team-b",
            "credentials from OVH_ENDPOINT, OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY",
            "Subsidiary:       FR",
            "Plan code:        project.2018 (P1M, pricing mode default)",
            r#"Configurations:   description="Team B staging", infrastructure="production""#,
            "12.50 EUR without tax",
            "15.00 EUR with tax",
            "(expires 20",
            "waits for approval (kubectl pcp approve NAME); then a person pays the order at its URL",
            "Cart deleted:     yes; nothing was ordered",
        ],
    );
    let ledger = sim.ledger().await;
    assert!(ledger.carts.is_empty(), "the cart was deleted: {ledger:#?}");
    assert!(ledger.orders.is_empty(), "nothing was ordered: {ledger:#?}");
    let stats = sim.stats().await;
    assert_eq!(stats.calls_to("DELETE /order/cart/{cartId}"), 1, "{stats:#?}");
    assert_eq!(
        stats.calls_to("GET /order/cart/{cartId}/checkout"),
        1,
        "priced: {stats:#?}"
    );
    assert_eq!(
        stats.calls_to("POST /order/cart/{cartId}/checkout"),
        0,
        "never a checkout"
    );

    // The same from ./ovh.conf, as OVH's SDKs read it; the endpoint picks the section.
    std::fs::write(
        dir.join("ovh.conf"),
        format!(
            "[default]\nendpoint={0}\n\n[{0}]\napplication_key=sim-ak\napplication_secret=sim-as\nconsumer_key=sim-ck\n",
            sim.running.base_url
        ),
    )
    .unwrap();
    let text = succeeded(&pcp_in(&dir, &["plan", "-f", "team-b.yaml"], &[]));
    assert_mentions(
        &text,
        &[
            "(credentials from ovh.conf)",
            "15.00 EUR with tax",
            "Cart deleted",
        ],
    );

    // And from a Secret manifest with the operator's keys (base64 data).
    let b64 = |s: &str| secrets::base64(s.as_bytes());
    std::fs::write(
        dir.join("secret.yaml"),
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: ovh-credentials}}\ndata:\n  endpoint: {}\n  application_key: {}\n  application_secret: {}\n  consumer_key: {}\n",
            b64(&sim.running.base_url),
            b64("sim-ak"),
            b64("sim-as"),
            b64("sim-ck")
        ),
    )
    .unwrap();
    std::fs::remove_file(dir.join("ovh.conf")).unwrap();
    let text = succeeded(&pcp_in(
        &dir,
        &["plan", "-f", "team-b.yaml", "--credentials-secret", "secret.yaml"],
        &[],
    ));
    assert_mentions(&text, &["(credentials from secret.yaml)", "15.00 EUR with tax"]);
    let ledger = sim.ledger().await;
    assert!(ledger.carts.is_empty() && ledger.orders.is_empty(), "{ledger:#?}");
    assert_eq!(sim.stats().await.calls_to("DELETE /order/cart/{cartId}"), 3);

    // A plan option is put in the cart under the project item and priced with it.
    std::fs::write(
        dir.join("hds.yaml"),
        format!("{MANIFEST}  options:\n    - planCode: certification.hds.2018\n"),
    )
    .unwrap();
    let text = succeeded(&pcp_in(
        &dir,
        &["plan", "-f", "hds.yaml", "--credentials-secret", "secret.yaml"],
        &[],
    ));
    assert_mentions(
        &text,
        &[
            "Options:          certification.hds.2018",
            "15.00 EUR without tax",
            "18.00 EUR with tax",
            "Cart deleted:     yes; nothing was ordered",
        ],
    );
    let stats = sim.stats().await;
    assert_eq!(stats.calls_to("POST /order/cart/{cartId}/cloud/options"), 1);
    assert_eq!(stats.calls_to("DELETE /order/cart/{cartId}"), 4);
    assert!(sim.ledger().await.carts.is_empty());

    // Wrong keys: OVH's refusal, and no cart left behind.
    let text = refused(&pcp_in(
        &dir,
        &["plan", "-f", "team-b.yaml"],
        &[
            ("OVH_ENDPOINT", sim.running.base_url.as_str()),
            ("OVH_APPLICATION_KEY", "sim-ak"),
            ("OVH_APPLICATION_SECRET", "WRONG"),
            ("OVH_CONSUMER_KEY", "sim-ck"),
        ],
    ));
    assert_mentions(&text, &["kubectl pcp: OVH: OVH answered", "INVALID_SIGNATURE"]);
    // No credentials at all: says where it looked.
    let text = refused(&pcp_in(&dir, &["plan", "-f", "team-b.yaml"], &[]));
    assert_mentions(
        &text,
        &["OVH_* environment variables, then ./ovh.conf", "no credentials"],
    );
    assert!(sim.ledger().await.carts.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_says_when_the_operator_would_adopt_or_stop_instead_of_ordering() {
    let sim = Sim::start(|_| {}).await;
    let (_, project) = common::sim::delivered_project(&sim, Region::Eu, &sim.client()).await;
    let calls_before = sim.stats().await.calls_to("POST /order/cart");
    let dir = scratch();
    // The simulator's delivered project is named after the cart's description label: "Team A".
    std::fs::write(
        dir.join("m.yaml"),
        format!(
            "apiVersion: publiccloud.ovh-operator.dev/v1alpha1\nkind: PublicCloudProject\n\
             metadata: {{name: adopt}}\nspec: {{description: Legacy, projectId: {project}}}\n---\n\
             apiVersion: publiccloud.ovh-operator.dev/v1alpha1\nkind: PublicCloudProject\n\
             metadata: {{name: twice}}\nspec: {{description: Team A}}\n---\n\
             apiVersion: publiccloud.ovh-operator.dev/v1alpha1\nkind: PublicCloudProject\n\
             metadata: {{name: hand-over}}\nspec: {{description: Team A, projectId: {project}, \
             writeOutputsTo: team-a-openstack, openstackUser: {{role: compute_operator}}}}\n"
        ),
    )
    .unwrap();
    let env = sim_env(&sim);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let text = refused(&pcp_in(&dir, &["plan", "-f", "m.yaml"], &env));
    assert_mentions(
        &text,
        &[
            "PublicCloudProject adopt",
            &format!("the operator follows project {project} (ok): nothing is bought"),
            "PublicCloudProject hand-over",
            "and creates its OpenStack user and writes the outputs Secret team-a-openstack",
            "PublicCloudProject twice",
            "the operator stops in NeedsAttention (ProjectExists)",
            "No cart was made; nothing was ordered",
            "kubectl pcp: some plans failed",
        ],
    );
    // Adopting keeps the project's name: only a later change of spec.description renames.
    assert!(!text.contains("renames project"), "{text}");
    assert_eq!(
        sim.stats().await.calls_to("POST /order/cart"),
        calls_before,
        "no cart for an adoption or a stop"
    );
    assert_eq!(sim.ledger().await.orders.len(), 1, "only the project made above");
}

/// OVH's Python SDK is the witness of how ovh.conf and OVH_* are read: the same files and
/// environment give it and `kubectl pcp plan` the same endpoint and keys, tricky values included
/// (`;`, `#`, `\\`, quotes, `:` as delimiter, upper-case keys, a later file winning).
#[test]
fn ovh_conf_and_environment_read_as_ovh_python_sdk_reads_them() {
    use ovh_publiccloud_operator::{ovh::resolve_endpoint, pcp::sdk_config};
    let python = std::env::var_os("OVH_SDK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo_root().join("target/sdk-venv/bin/python"));
    assert!(
        python.exists(),
        "{} not found: scripts/test creates it (or set OVH_SDK_PYTHON)",
        python.display()
    );
    let dir = scratch();
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join(".ovh.conf"),
        "[default]\nendpoint = ovh-ca\n[ovh-ca]\nApplication_Key: from-home\napplication_secret = s;e#c\\r\"e't  \nconsumer_key=ck-home\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("ovh.conf"),
        "; the project's own\n[ovh-ca]\napplication_key = from-cwd\n",
    )
    .unwrap();
    let env = [("OVH_CONSUMER_KEY", "ck-env")];
    let script = "import json, ovh\nc = ovh.Client()\nprint(json.dumps([c._endpoint, c._application_key, c._application_secret, c._consumer_key]))";
    let out = Command::new(&python)
        .args(["-c", script])
        .current_dir(&dir)
        .env("HOME", &home)
        .env_remove("OVH_ENDPOINT")
        .env_remove("OVH_APPLICATION_KEY")
        .env_remove("OVH_APPLICATION_SECRET")
        .envs(env)
        .output()
        .unwrap();
    let sdk: Vec<String> =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", output_text(&out)));

    let mut files = Vec::new();
    for path in [
        PathBuf::from("/etc/ovh.conf"),
        home.join(".ovh.conf"),
        dir.join("ovh.conf"),
    ] {
        if let Ok(text) = std::fs::read_to_string(&path) {
            files.push((path, sdk_config::parse_ini(&text).unwrap()));
        }
    }
    let ours = sdk_config::lookup(&files, &|var: &str| {
        env.iter().find(|(k, _)| *k == var).map(|(_, v)| v.to_string())
    })
    .0;
    let base_url = resolve_endpoint(&ours["endpoint"]).unwrap().0;
    assert_eq!(
        sdk,
        [
            base_url,
            ours["application_key"].clone(),
            ours["application_secret"].clone(),
            ours["consumer_key"].clone()
        ]
    );
    assert_eq!(sdk[1], "from-cwd", "./ovh.conf beats ~/.ovh.conf");
    assert_eq!(sdk[2], "s;e#c\\r\"e't", "no inline comment, escape or quote");
    assert_eq!(sdk[3], "ck-env", "the environment beats files");
}

/// Every write of approve, resolve and forget is guarded by the resourceVersion the command
/// decided on: a resource changed meanwhile (a new cart, a new price) refuses the write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_changed_since_it_was_read_refuses_the_write() {
    use ovh_publiccloud_operator::pcp::{Cluster, PcpError, annotate_if_unchanged};
    let env = Env::new("pcp-guard", |_| {}).await;
    env.create("g", json!({"description": "Guarded", "approval": "Manual"}))
        .await;
    let seen = env.api.get("g").await.unwrap();
    env.annotate("g", "example.com/touched", "yes").await;
    let cluster = Cluster {
        client: env.client.clone(),
        namespace: env.ns.clone(),
    };
    let refused = annotate_if_unchanged(&cluster, &seen, json!({APPROVE_ANNOTATION: "cart"}), "changed")
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, PcpError::Refused(m) if m == "changed"),
        "{refused:?}"
    );
    let now = env.api.get("g").await.unwrap();
    assert!(!now.annotations().contains_key(APPROVE_ANNOTATION));
    annotate_if_unchanged(&cluster, &now, json!({APPROVE_ANNOTATION: "cart"}), "changed")
        .await
        .unwrap();
}

/// A directory holding `kubectl-pcp` (a link to the built binary) and kubectl: kubectl finds
/// plugins on the PATH.
fn plugin_path() -> String {
    let dir = scratch().join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(BIN, dir.join("kubectl-pcp")).unwrap();
    format!(
        "{}:{}:{}",
        dir.display(),
        control_plane().bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// The real kubectl running `kubectl pcp ARGS`.
fn kubectl_pcp(args: &[&str]) -> Output {
    Command::new(control_plane().bin_dir.join("kubectl"))
        .arg("pcp")
        .args(args)
        .env("PATH", plugin_path())
        .env("KUBECONFIG", &control_plane().kubeconfig)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_checks_the_price_and_the_cart_then_the_operator_orders() {
    let env = Env::new("pcp-approve", |cfg| cfg.price_ucents = 1_250_000_000).await;
    let _operator = env.start_operator();
    env.create("b", json!({"description": "Team B", "approval": "Manual"}))
        .await;
    let obj = env.wait_for_phase("b", Phase::AwaitingApproval, 30).await;
    let cart = obj.status.as_ref().unwrap().cart.clone().unwrap().id;
    let ns = env.ns.as_str();
    // The wait's event is published just after the status write that shows the phase.
    env.wait_for_event("b", "AwaitingApproval").await;

    let text = succeeded(&pcp(&["status", "b", "-n", ns]));
    assert_mentions(
        &text,
        &[
            "Phase:            AwaitingApproval",
            &format!("Cart:             {cart}"),
            "Price:            15.00 EUR with tax, 12.50 EUR without tax",
            "Timeline:",
            // Routine steps (create, assign, item, configure, price) have no event; the wait has one.
            "AwaitingApproval     Cart",
            &format!(
                "Next: review the price and approve it: kubectl pcp approve b --cart {cart} --max-price 15.00"
            ),
        ],
    );

    let text = refused(&pcp(&["approve", "b", "-n", ns, "--max-price", "14.99"]));
    assert_mentions(
        &text,
        &["costs 15.00 EUR with tax, above --max-price 14.99: not approved"],
    );
    let text = refused(&pcp(&["approve", "b", "-n", ns, "--cart", "another-cart"]));
    assert_mentions(
        &text,
        &[&format!("the cart changed: {ns}/b now waits on cart {cart}")],
    );
    let obj = env.api.get("b").await.unwrap();
    assert!(
        !obj.metadata
            .annotations
            .unwrap_or_default()
            .contains_key(APPROVE_ANNOTATION),
        "refusals write nothing"
    );
    assert_eq!(env.sim.ledger().await.orders.len(), 0);

    // Through the real kubectl, as a plugin.
    let text = succeeded(&kubectl_pcp(&[
        "approve",
        "b",
        "-n",
        ns,
        "--cart",
        &cart,
        "--max-price",
        "15.00",
    ]));
    assert_mentions(
        &text,
        &[
            "12.50 EUR without tax, 15.00 EUR with tax",
            &format!("Approved: {APPROVE_ANNOTATION}={cart}"),
        ],
    );
    let whoami = common::kubectl(&["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
    let me = String::from_utf8(whoami.stdout.clone()).unwrap();
    assert!(!me.is_empty(), "{}", output_text(&whoami));
    assert_mentions(&text, &[&format!("Approved by:      {me}")]);
    let obj = env.wait_for_phase("b", Phase::AwaitingPayment, 30).await;
    assert_eq!(
        obj.status.as_ref().unwrap().approved_by.as_deref(),
        Some(me.as_str())
    );
    let order = obj.status.as_ref().unwrap().order.clone().unwrap();
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.checkouts(), 1, "{ledger:#?}");
    assert_eq!(ledger.orders[0].cart_id, cart, "the approved cart was ordered");
    let url = order.url.clone().unwrap();

    let text = succeeded(&kubectl_pcp(&["status", "b", "-n", ns]));
    assert_mentions(
        &text,
        &[
            "Phase:            AwaitingPayment",
            &format!("Order:            {}", order.id),
            &format!("Order URL:        {url}"),
            "OrderPlaced",
            &format!("Next: pay order {} at {url}", order.id),
        ],
    );
    let text = refused(&pcp(&["approve", "b", "-n", ns]));
    assert_mentions(&text, &["is in AwaitingPayment, not AwaitingApproval"]);

    env.sim.pay_on_order_page(&url).await;
    let obj = env.wait_for_phase("b", Phase::Ready, 30).await;
    let project = obj.status.as_ref().unwrap().project_id.clone().unwrap();
    let text = succeeded(&pcp(&["status", "b", "-n", ns]));
    assert_mentions(
        &text,
        &[
            &format!("Project:          {project} (ok)"),
            "Next: nothing: the project is ready (to keep its id in Git: kubectl pcp pin b)",
        ],
    );
    // pin: the snippet for Git; on this ordered resource, the API server refuses it, as it says.
    let text = succeeded(&pcp(&["pin", "b", "-n", ns]));
    assert_mentions(
        &text,
        &[
            &format!("spec:\n  projectId: \"{project}\""),
            "the API server refuses spec.projectId on it",
        ],
    );
    let refusal = env
        .api
        .patch(
            "b",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"projectId": project}})),
        )
        .await
        .unwrap_err();
    assert!(
        refusal
            .to_string()
            .contains("spec.projectId cannot be set once an order exists"),
        "{refusal}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pin_prints_a_patch_the_api_server_takes_for_an_adopted_project() {
    let env = Env::new("pcp-pin", |_| {}).await;
    let _operator = env.start_operator();
    env.create("first", json!({"description": "Shared", "payment": "Automatic"}))
        .await;
    let first = env.wait_for_phase("first", Phase::Ready, 30).await;
    let project = first.status.unwrap().project_id.unwrap();
    // The first resource goes (Orphan): its project stays at OVH, held by no resource.
    env.delete("first").await;
    env.wait_gone("first", 30).await;
    // With an option, which an adopted project does not get: pinning drops it, saying so.
    env.create(
        "again",
        json!({"description": "Shared", "onExisting": "Adopt", "options": [{"planCode": "certification.hds.2018"}]}),
    )
    .await;
    env.wait_for("again", 30, |o| {
        o.status.as_ref().and_then(|s| s.project_id.as_deref()) == Some(project.as_str())
    })
    .await;
    let text = succeeded(&pcp(&["pin", "again", "-n", &env.ns]));
    assert_mentions(
        &text,
        &["options: []", "refuses spec.options with spec.projectId"],
    );
    let command = text
        .lines()
        .find_map(|l| l.strip_prefix("# kubectl patch "))
        .unwrap_or_else(|| panic!("no kubectl patch in: {text}"));
    let mut args = vec!["patch".to_string()];
    // Shell words: the patch is the one single-quoted word.
    let (plain, quoted) = command.split_once(" '").unwrap();
    args.extend(plain.split(' ').map(str::to_string));
    args.push(quoted.trim_end_matches('\'').to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::kubectl(&args);
    succeeded(&out);
    let again = env.api.get("again").await.unwrap();
    assert_eq!(again.spec.project_id.as_deref(), Some(project.as_str()));
    assert!(again.spec.options.is_empty(), "{:?}", again.spec.options);
    let text = succeeded(&pcp(&["pin", "again", "-n", &env.ns]));
    assert_mentions(&text, &["is already pinned"]);
    let text = refused(&pcp(&["pin", "missing", "-n", &env.ns]));
    assert_mentions(
        &text,
        &[&format!("PublicCloudProject {}/missing not found", env.ns)],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolve_names_the_order_of_a_lost_checkout() {
    // The US API shows no order content (no /extension): a checkout whose answer is lost cannot
    // be identified, so the operator stops in NeedsAttention (README, Exactly one order).
    let env = Env::new("pcp-resolve", |cfg| cfg.region = Region::Us).await;
    env.sim
        .fault(json!({"method": "POST", "route": "/order/cart/{cartId}/checkout", "dropResponse": true, "count": 1}))
        .await;
    let _operator = env.start_operator();
    env.create("lost", json!({"description": "Lost", "ovhSubsidiary": "US"}))
        .await;
    env.wait_for_phase("lost", Phase::NeedsAttention, 60).await;
    let ns = env.ns.as_str();
    let text = succeeded(&pcp(&["status", "lost", "-n", ns]));
    assert_mentions(
        &text,
        &[
            "Phase:            NeedsAttention",
            "Next: find this resource's order",
            "kubectl pcp resolve lost --order-id ORDER_ID",
        ],
    );
    let order_id = env.sim.ledger().await.orders[0].order_id;
    let text = succeeded(&pcp(&[
        "resolve",
        "lost",
        "-n",
        ns,
        "--order-id",
        &order_id.to_string(),
    ]));
    assert_mentions(
        &text,
        &[&format!("publiccloud.ovh-operator.dev/order-id={order_id}")],
    );
    let obj = env
        .wait_for("lost", 30, |o| {
            o.status.as_ref().and_then(|s| s.order.as_ref()).is_some()
        })
        .await;
    assert_eq!(obj.status.unwrap().order.unwrap().id, order_id);
    assert_eq!(env.sim.ledger().await.checkouts(), 1, "never a second checkout");
    let text = refused(&pcp(&["resolve", "lost", "-n", ns, "--order-id", "5"]));
    assert_mentions(&text, &[&format!("already follows order {order_id}")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forget_says_what_stays_at_ovh_asks_and_removes_the_finalizer() {
    let env = Env::new("pcp-forget", |_| {}).await;
    let _operator = env.start_operator();
    env.create(
        "f",
        json!({"description": "Forgotten", "approval": "Manual", "deletionPolicy": "Terminate"}),
    )
    .await;
    let obj = env.wait_for_phase("f", Phase::AwaitingApproval, 30).await;
    assert!(
        obj.metadata
            .finalizers
            .unwrap_or_default()
            .contains(&FINALIZER.to_string())
    );
    let cart = obj.status.unwrap().cart.unwrap().id;
    let ns = env.ns.as_str();
    let text = refused(&pcp(&["resolve", "f", "-n", ns, "--order-id", "1"]));
    assert_mentions(
        &text,
        &["is in AwaitingApproval: only a checkout whose answer was lost"],
    );

    // No terminal, no --yes: refused, nothing done.
    let text = refused(&pcp(&["forget", "f", "-n", ns]));
    assert_mentions(
        &text,
        &[
            &format!("cart {cart} (nothing ordered; OVH discards it at"),
            "not confirmed: no terminal to ask on; run again with --yes",
        ],
    );
    let obj = env.api.get("f").await.unwrap();
    assert!(obj.metadata.deletion_timestamp.is_none());

    let text = succeeded(&pcp(&["forget", "f", "-n", ns, "--yes"]));
    assert_mentions(&text, &[&format!("Forgot {ns}/f.")]);
    env.wait_gone("f", 30).await;
    let ledger = env.sim.ledger().await;
    assert!(
        ledger.carts.iter().any(|c| c.cart_id == cart),
        "the cart stays at OVH: forget makes no OVH call: {ledger:#?}"
    );
    assert!(ledger.orders.is_empty());

    // A deletion that waits (here: paused) on a project to terminate: forget leaves it at OVH.
    env.create(
        "kept",
        json!({"description": "Kept", "payment": "Automatic", "deletionPolicy": "Terminate"}),
    )
    .await;
    let obj = env.wait_for_phase("kept", Phase::Ready, 30).await;
    let project = obj.status.unwrap().project_id.unwrap();
    env.annotate("kept", "publiccloud.ovh-operator.dev/paused", "true")
        .await;
    env.delete("kept").await;
    env.wait_for("kept", 30, |o| {
        o.metadata.deletion_timestamp.is_some()
            && o.status.as_ref().is_some_and(|s| {
                s.conditions
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.reason == "Paused")
            })
    })
    .await;
    let text = succeeded(&pcp(&["status", "kept", "-n", ns]));
    assert_mentions(
        &text,
        &[
            "(being deleted)",
            "(the resource is being deleted; to stop waiting and leave everything at OVH as it is: kubectl pcp forget kept)",
        ],
    );
    let text = succeeded(&pcp(&["forget", "kept", "-n", ns, "--yes"]));
    assert_mentions(
        &text,
        &[
            &format!("project {project} (ok): it keeps running and being billed"),
            "Forgot",
        ],
    );
    env.wait_gone("kept", 30).await;
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.project(&project).unwrap().status, "ok", "not terminated");
}

#[test]
fn every_command_has_help_with_an_example() {
    for command in ["plan", "approve", "status", "resolve", "forget", "pin"] {
        let text = succeeded(&pcp(&[command, "--help"]));
        assert_mentions(&text, &["Example:", &format!("kubectl pcp {command}")]);
    }
    // As a plugin, the binary names itself `kubectl pcp`.
    let out = kubectl_pcp(&["--help"]);
    let text = succeeded(&out);
    assert_mentions(
        &text,
        &[
            "Usage: kubectl pcp",
            "plan",
            "approve",
            "status",
            "resolve",
            "forget",
            "pin",
        ],
    );
    let text = succeeded(&kubectl_pcp(&["status", "--help"]));
    assert_mentions(
        &text,
        &["Usage: kubectl pcp status", "-n, --namespace", "--kubeconfig"],
    );
}

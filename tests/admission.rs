//! The chart's approval guard against the real API server: its ValidatingAdmissionPolicy lets
//! only users who may `approve` publiccloudprojects/approval set the approve annotation, its
//! MutatingAdmissionPolicy stamps who did in the approved-by annotation (which nobody writes by
//! hand), and the operator records that user in the status and names them in the checkout event.
//! Users are impersonated (`kubectl --as`): the test API server authorizes with RBAC.

mod common;

use std::{
    process::Output,
    time::{Duration, Instant},
};

use common::{assert_mentions, helm, operator::Env, output_text as text};
use ovh_publiccloud_operator::api::{APPROVE_ANNOTATION, APPROVED_BY_ANNOTATION, Phase};
use serde_json::{Value, json};

/// Installs the chart (default values: the approval guard on) for namespace `ns` only, with
/// alice, bob and carol allowed to read, create and patch PublicCloudProjects there and bob and
/// carol bound to the chart's approver ClusterRole; `extra`: more helm arguments. Returns the release's full name.
fn install(ns: &str, extra: &[&str]) -> String {
    let release = format!("r{}", &ns[ns.len() - 8..]);
    let chart = common::repo_root().join("charts/ovh-publiccloud-operator");
    let watch = format!("watchNamespace={ns}");
    let mut args = vec![
        "install",
        &release,
        chart.to_str().unwrap(),
        "--namespace",
        ns,
        "--set",
        &watch,
    ];
    args.extend_from_slice(extra);
    let out = helm(&args);
    assert!(out.status.success(), "helm install: {}", text(&out));
    let fullname = format!("{release}-ovh-publiccloud-operator");
    let rbac = format!(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: pcp-editor, namespace: {ns}}}
rules:
  - apiGroups: [publiccloud.ovh-operator.dev]
    resources: [publiccloudprojects]
    verbs: [get, list, watch, create, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: pcp-editors, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: pcp-editor}}
subjects:
  - {{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}}
  - {{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}}
  - {{apiGroup: rbac.authorization.k8s.io, kind: User, name: carol}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: approvers, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {fullname}-approver}}
subjects:
  - {{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}}
  - {{apiGroup: rbac.authorization.k8s.io, kind: User, name: carol}}
"#
    );
    let out = common::kubectl_with_input(&["apply", "-f", "-"], &rbac);
    assert!(out.status.success(), "{}", text(&out));
    fullname
}

/// `kubectl --as USER -n NS annotate pcp NAME --overwrite ARGS…`.
fn annotate_as(user: &str, ns: &str, name: &str, args: &[&str]) -> Output {
    let mut all = vec![
        "--as",
        user,
        "-n",
        ns,
        "annotate",
        "pcp",
        name,
        "--overwrite",
        "-o",
        "json",
    ];
    all.extend_from_slice(args);
    common::kubectl(&all)
}

/// The annotations of the object a successful kubectl printed (`-o json`).
fn annotations(out: &Output) -> Value {
    let obj: Value = serde_json::from_slice(&out.stdout).expect("kubectl printed the object");
    obj["metadata"]["annotations"].clone()
}

/// Admission policies take effect a moment after they are created: waits (server-side dry runs,
/// which go through admission but change nothing) until alice is refused and bob is accepted,
/// and stamped if `stamped`.
fn wait_for_the_policies(ns: &str, name: &str, stamped: bool) {
    let approve = format!("{APPROVE_ANNOTATION}=probe");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let alice = annotate_as("alice", ns, name, &["--dry-run=server", &approve]);
        let bob = annotate_as("bob", ns, name, &["--dry-run=server", &approve]);
        let bob_ok =
            bob.status.success() && (!stamped || annotations(&bob)[APPROVED_BY_ANNOTATION] == json!("bob"));
        if !alice.status.success() && bob_ok {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the admission policies are not in effect after 30 s: alice: {}; bob: {}",
            text(&alice),
            text(&bob)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn get(ns: &str, name: &str) -> Value {
    let out = common::kubectl(&["-n", ns, "get", "pcp", name, "-o", "json"]);
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_approvers_approve_and_nobody_writes_approved_by_by_hand() {
    let client = common::client().await;
    common::install_crd(&client).await;
    let ns = common::namespace(&client, "approval").await;
    let fullname = install(&ns, &[]);
    let manifest = |name: &str, annotations: Value| {
        json!({
            "apiVersion": "publiccloud.ovh-operator.dev/v1alpha1", "kind": "PublicCloudProject",
            "metadata": {"name": name, "namespace": ns, "annotations": annotations},
            "spec": {"description": name, "approval": "Manual"},
        })
        .to_string()
    };
    let out = common::kubectl_with_input(&["--as", "alice", "create", "-f", "-"], &manifest("p", json!({})));
    assert!(out.status.success(), "alice may create: {}", text(&out));
    wait_for_the_policies(&ns, "p", true);

    // Alice may patch the resource but not approve its order.
    let approve = format!("{APPROVE_ANNOTATION}=cart-1");
    let out = annotate_as("alice", &ns, "p", &[&approve]);
    assert!(!out.status.success(), "alice approved: {}", text(&out));
    assert_mentions(
        &text(&out),
        &[
            "user alice may not approve the order of publiccloudprojects/p",
            "approve on publiccloudprojects/approval",
            &format!("ClusterRole {fullname}-approver"),
        ],
    );
    assert!(get(&ns, "p")["metadata"]["annotations"][APPROVE_ANNOTATION].is_null());
    // Nor by creating a resource approved from the start.
    let out = common::kubectl_with_input(
        &["--as", "alice", "create", "-f", "-"],
        &manifest("q", json!({APPROVE_ANNOTATION: "cart-1"})),
    );
    assert!(
        !out.status.success(),
        "alice created an approved resource: {}",
        text(&out)
    );
    assert_mentions(&text(&out), &["user alice may not approve"]);

    // Bob, an approver, may; the stamp names him.
    let out = annotate_as("bob", &ns, "p", &[&approve]);
    assert!(out.status.success(), "bob approves: {}", text(&out));
    let stored = &get(&ns, "p")["metadata"]["annotations"];
    assert_eq!(stored[APPROVE_ANNOTATION], json!("cart-1"));
    assert_eq!(stored[APPROVED_BY_ANNOTATION], json!("bob"));

    // Nobody writes approved-by by hand, not even an approver.
    let forged = format!("{APPROVED_BY_ANNOTATION}=alice");
    let out = annotate_as("bob", &ns, "p", &[&forged]);
    assert!(!out.status.success(), "bob forged approved-by: {}", text(&out));
    assert_mentions(
        &text(&out),
        &["approved-by records who set the approve annotation", "bob here"],
    );
    let removed = format!("{APPROVED_BY_ANNOTATION}-");
    let out = annotate_as("alice", &ns, "p", &[&removed]);
    assert!(!out.status.success(), "alice erased the record: {}", text(&out));
    // Written with an approval, the stamp wins.
    let out = annotate_as(
        "bob",
        &ns,
        "p",
        &[&format!("{APPROVE_ANNOTATION}=cart-2"), &forged],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(annotations(&out)[APPROVED_BY_ANNOTATION], json!("bob"));
    assert_eq!(
        get(&ns, "p")["metadata"]["annotations"][APPROVED_BY_ANNOTATION],
        json!("bob")
    );

    // Anyone with patch may withdraw an approval (with its record): that spends nothing.
    let out = annotate_as("alice", &ns, "p", &[&format!("{APPROVE_ANNOTATION}-"), &removed]);
    assert!(out.status.success(), "alice withdraws: {}", text(&out));
    // Other changes by non-approvers go through as before.
    let out = annotate_as("alice", &ns, "p", &["example.com/team=a"]);
    assert!(out.status.success(), "{}", text(&out));
}

/// A cluster without MutatingAdmissionPolicy (before 1.36): the chart's validation alone still
/// keeps non-approvers out and approved-by truthful: an approver may name only themselves, or no
/// one, and never leave an earlier approver's name on a new approval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_stamp_the_validation_alone_keeps_approved_by_truthful() {
    let client = common::client().await;
    common::install_crd(&client).await;
    let ns = common::namespace(&client, "no-stamp").await;
    install(
        &ns,
        &["--set", "approval.admissionPolicies.stampApprovedBy=false"],
    );
    let manifest = json!({
        "apiVersion": "publiccloud.ovh-operator.dev/v1alpha1", "kind": "PublicCloudProject",
        "metadata": {"name": "p", "namespace": ns},
        "spec": {"description": "No stamp", "approval": "Manual"},
    });
    let out = common::kubectl_with_input(&["create", "-f", "-"], &manifest.to_string());
    assert!(out.status.success(), "{}", text(&out));
    wait_for_the_policies(&ns, "p", false);

    let out = annotate_as("alice", &ns, "p", &[&format!("{APPROVE_ANNOTATION}=cart-1")]);
    assert!(!out.status.success(), "alice approved: {}", text(&out));
    // No stamp: the approval alone goes through, recording no one (the operator says "(unknown)").
    let out = annotate_as("bob", &ns, "p", &[&format!("{APPROVE_ANNOTATION}=cart-1")]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(annotations(&out)[APPROVED_BY_ANNOTATION].is_null());
    // Or with the approver's own name, never someone else's.
    let out = annotate_as(
        "bob",
        &ns,
        "p",
        &[
            &format!("{APPROVE_ANNOTATION}=cart-2"),
            &format!("{APPROVED_BY_ANNOTATION}=alice"),
        ],
    );
    assert!(!out.status.success(), "bob named alice: {}", text(&out));
    let out = annotate_as(
        "bob",
        &ns,
        "p",
        &[
            &format!("{APPROVE_ANNOTATION}=cart-2"),
            &format!("{APPROVED_BY_ANNOTATION}=bob"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    // A later approval by someone else cannot keep bob's name.
    let out = annotate_as("carol", &ns, "p", &[&format!("{APPROVE_ANNOTATION}=cart-3")]);
    assert!(!out.status.success(), "bob's name kept: {}", text(&out));
    assert_mentions(&text(&out), &["nor kept from an earlier approval", "carol here"]);
    let out = annotate_as(
        "carol",
        &ns,
        "p",
        &[
            &format!("{APPROVE_ANNOTATION}=cart-3"),
            &format!("{APPROVED_BY_ANNOTATION}-"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_records_the_approver_stamped_at_admission() {
    let env = Env::new("approved-by", |_| {}).await;
    install(&env.ns, &[]);
    let _operator = env.start_operator();
    env.create(
        "p",
        json!({"description": "Approved by bob", "approval": "Manual"}),
    )
    .await;
    let obj = env.wait_for_phase("p", Phase::AwaitingApproval, 30).await;
    let cart = obj.status.unwrap().cart.expect("a priced cart").id;
    wait_for_the_policies(&env.ns, "p", true);

    let out = annotate_as("bob", &env.ns, "p", &[&format!("{APPROVE_ANNOTATION}={cart}")]);
    assert!(out.status.success(), "bob approves: {}", text(&out));
    let obj = env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
    let status = obj.status.unwrap();
    assert_eq!(status.approved_by.as_deref(), Some("bob"));
    let order = status.order.expect("an order").id;
    env.wait_for_event("p", "OrderPlaced").await;
    let events = env.events("p").await;
    let placed = events
        .iter()
        .find(|(_, reason, _)| reason == "OrderPlaced")
        .unwrap();
    assert_mentions(&placed.2, &[&format!("Placed order {order} (approved by bob)")]);
    assert_eq!(env.sim.ledger().await.orders.len(), 1, "exactly one order");
}

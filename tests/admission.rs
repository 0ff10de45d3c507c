//! The chart's approval guard against the real API server: its ValidatingAdmissionPolicy lets
//! only users who may `approve` publiccloudprojects/approval set the approve annotation, its
//! MutatingAdmissionPolicy stamps who did in the approved-by annotation (which nobody writes by
//! hand), and the operator records that user in the status and names them in the checkout event.
//! Nor may anyone else create or change a resource into a state where the operator orders, pays
//! or adopts without an approver (approval, payment, maxPrice, projectId, onExisting, order-id).
//! Users are impersonated (`kubectl --as`): the test API server authorizes with RBAC.

mod common;

use std::process::Output;

use common::{assert_mentions, eventually, helm, operator::Env, output_text as text};
use ovh_publiccloud_operator::api::{
    APPROVE_ANNOTATION, APPROVED_BY_ANNOTATION, ORDER_ID_ANNOTATION, PAUSED_ANNOTATION, Phase,
};
use serde_json::{Value, json};

/// Whether the API server under test serves MutatingAdmissionPolicy as admissionregistration.k8s.io/v1
/// (from 1.36). Against an older one (`OVH_OPERATOR_K8S_VERSION`, which scripts/test sets for the
/// chart's lowest supported version) the chart is installed with stampApprovedBy=false, as
/// docs/install.md tells users to, and only the assertions about the stamp are skipped.
fn stamps() -> bool {
    common::k8s_minor() >= 36
}

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
    if !stamps() {
        args.extend_from_slice(&["--set", "approval.admissionPolicies.stampApprovedBy=false"]);
    }
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
async fn wait_for_the_policies(ns: &str, name: &str, stamped: bool) {
    // No MutatingAdmissionPolicy before 1.36 (see stamps()): nothing to wait for but the validation.
    let stamped = stamped && stamps();
    let approve = format!("{APPROVE_ANNOTATION}=probe");
    eventually("the admission policies in effect", 30, async || {
        let alice = annotate_as("alice", ns, name, &["--dry-run=server", &approve]);
        let bob = annotate_as("bob", ns, name, &["--dry-run=server", &approve]);
        let bob_ok =
            bob.status.success() && (!stamped || annotations(&bob)[APPROVED_BY_ANNOTATION] == json!("bob"));
        if !alice.status.success() && bob_ok {
            return Ok(());
        }
        Err(format!("alice: {}; bob: {}", text(&alice), text(&bob)))
    })
    .await
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
    wait_for_the_policies(&ns, "p", true).await;

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
    wait_for_the_policies(&ns, "p", false).await;

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
    wait_for_the_policies(&env.ns, "p", true).await;

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

/// `kubectl --as USER -n NS patch pcp NAME --type merge -p PATCH [--dry-run=server]`.
fn patch_as(user: &str, ns: &str, name: &str, patch: Value, dry_run: bool) -> Output {
    let patch = patch.to_string();
    let mut args = vec![
        "--as", user, "-n", ns, "patch", "pcp", name, "--type", "merge", "-p", &patch,
    ];
    if dry_run {
        args.push("--dry-run=server");
    }
    common::kubectl(&args)
}

/// `kubectl --as USER create -f -` of a PublicCloudProject `name` in `ns`.
fn create_as(user: &str, ns: &str, name: &str, spec: Value, annotations: Value) -> Output {
    let manifest = json!({
        "apiVersion": "publiccloud.ovh-operator.dev/v1alpha1", "kind": "PublicCloudProject",
        "metadata": {"name": name, "namespace": ns, "annotations": annotations},
        "spec": spec,
    });
    common::kubectl_with_input(&["--as", user, "create", "-f", "-"], &manifest.to_string())
}

const PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";

/// Every create that lets the operator order, pay or adopt without an approver: (what, spec,
/// annotations, what the refusal says).
fn spending_creates() -> Vec<(&'static str, Value, Value, Vec<&'static str>)> {
    vec![
        (
            "approval left out (Automatic by default)",
            json!({"description": "d"}),
            json!({}),
            vec![
                "spec.approval: Automatic (also the default when spec.approval is left out)",
                "Set spec.approval: Manual and have an approver approve the priced cart",
            ],
        ),
        (
            "approval: Automatic",
            json!({"description": "d", "approval": "Automatic", "maxPrice": "10.00"}),
            json!({}),
            vec![
                "spec.approval: Automatic",
                "lets the operator order without an approver's decision",
            ],
        ),
        (
            "payment: Automatic",
            json!({"description": "d", "approval": "Manual", "payment": "Automatic"}),
            json!({}),
            vec![
                "spec.payment: Automatic lets the operator charge the account's default payment method",
                "Keep spec.payment: Manual",
            ],
        ),
        (
            "spec.projectId",
            json!({"description": "d", "approval": "Manual", "projectId": PROJECT_ID}),
            json!({}),
            vec![
                "spec.projectId: 0123456789abcdef0123456789abcdef adopts an existing project",
                "Leave spec.projectId out",
            ],
        ),
        (
            "onExisting: Adopt",
            json!({"description": "d", "approval": "Manual", "onExisting": "Adopt"}),
            json!({}),
            vec![
                "spec.onExisting: Adopt lets the operator take over an existing project",
                "Use spec.onExisting: Stop",
            ],
        ),
        (
            "the order-id annotation",
            json!({"description": "d", "approval": "Manual"}),
            json!({ORDER_ID_ANNOTATION: "123456789"}),
            vec![
                "the annotation publiccloud.ovh-operator.dev/order-id=123456789 makes the operator follow",
                "kubectl pcp resolve",
            ],
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_approvers_create_resources_that_order_pay_or_adopt_unapproved() {
    let client = common::client().await;
    common::install_crd(&client).await;
    let ns = common::namespace(&client, "spend-create").await;
    let fullname = install(&ns, &[]);
    let out = create_as(
        "alice",
        &ns,
        "probe",
        json!({"description": "probe", "approval": "Manual"}),
        json!({}),
    );
    assert!(
        out.status.success(),
        "alice may create with approval: Manual: {}",
        text(&out)
    );
    wait_for_the_policies(&ns, "probe", true).await;
    let role = format!("an approver (ClusterRole {fullname}-approver)");

    for (i, (what, spec, annotations, says)) in spending_creates().into_iter().enumerate() {
        let name = format!("c{i}");
        let out = create_as("alice", &ns, &name, spec.clone(), annotations.clone());
        assert!(!out.status.success(), "alice created with {what}: {}", text(&out));
        let refusal = text(&out);
        assert_mentions(
            &refusal,
            &[&format!(
                "user alice may not create publiccloudprojects/{name} in namespace {ns}: "
            )],
        );
        assert_mentions(&refusal, &says);
        assert!(
            refusal.contains(&role) || refusal.contains(&format!("ClusterRole {fullname}-approver")),
            "{refusal}"
        );
        let out = create_as("bob", &ns, &name, spec, annotations);
        assert!(
            out.status.success(),
            "bob, an approver, creates with {what}: {}",
            text(&out)
        );
    }

    // What spends nothing without an approver stays open: approval: Manual with any ceiling (every
    // order then waits for an approver), and onExisting: Stop or Order.
    let out = create_as(
        "alice",
        &ns,
        "manual",
        json!({"description": "d", "approval": "Manual", "maxPrice": "1000", "onExisting": "Order"}),
        json!({}),
    );
    assert!(out.status.success(), "{}", text(&out));

    // A GitOps controller's ServiceAccount bound to the approver role may do all of it.
    let sa = format!(
        r#"
apiVersion: v1
kind: ServiceAccount
metadata: {{name: gitops, namespace: {ns}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: gitops-editor, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: pcp-editor}}
subjects: [{{kind: ServiceAccount, name: gitops, namespace: {ns}}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: gitops-approver, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {fullname}-approver}}
subjects: [{{kind: ServiceAccount, name: gitops, namespace: {ns}}}]
"#
    );
    let out = common::kubectl_with_input(&["apply", "-f", "-"], &sa);
    assert!(out.status.success(), "{}", text(&out));
    let gitops = format!("system:serviceaccount:{ns}:gitops");
    let out = create_as(
        &gitops,
        &ns,
        "from-git",
        json!({"description": "d", "approval": "Automatic", "payment": "Automatic", "maxPrice": "50",
               "projectId": PROJECT_ID, "onExisting": "Adopt"}),
        json!({ORDER_ID_ANNOTATION: "123456789", APPROVE_ANNOTATION: "cart-1"}),
    );
    assert!(
        out.status.success(),
        "the approver ServiceAccount creates: {}",
        text(&out)
    );
    let stored = get(&ns, "from-git");
    // The stamp needs MutatingAdmissionPolicy (1.36+); skipped on the oldest version tested.
    if stamps() {
        assert_eq!(
            stored["metadata"]["annotations"][APPROVED_BY_ANNOTATION],
            json!(gitops)
        );
    }
    // Without the approver role, the same ServiceAccount is refused.
    let out = common::kubectl(&["-n", &ns, "delete", "rolebinding", "gitops-approver"]);
    assert!(out.status.success(), "{}", text(&out));
    let refused = eventually("the ServiceAccount no longer an approver", 30, async || {
        let out = create_as(&gitops, &ns, "from-git-2", json!({"description": "d"}), json!({}));
        if out.status.success() {
            let _ = common::kubectl(&["-n", &ns, "delete", "pcp", "from-git-2"]);
            return Err("created");
        }
        Ok(out)
    })
    .await;
    assert_mentions(
        &text(&refused),
        &[
            &format!("user {gitops} may not create"),
            "spec.approval: Automatic",
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_approvers_change_a_resource_toward_spending_and_anyone_toward_safety() {
    let client = common::client().await;
    common::install_crd(&client).await;
    let ns = common::namespace(&client, "spend-update").await;
    let fullname = install(&ns, &[]);
    let out = create_as(
        "alice",
        &ns,
        "p",
        json!({"description": "p", "approval": "Manual"}),
        json!({}),
    );
    assert!(out.status.success(), "{}", text(&out));
    wait_for_the_policies(&ns, "p", true).await;
    let role = format!("an approver (ClusterRole {fullname}-approver)");
    let start = format!("user alice may not update publiccloudprojects/p in namespace {ns}: ");

    // Toward spending: refused to alice with what to do instead, allowed to bob.
    let changes: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "approval: Automatic",
            json!({"spec": {"approval": "Automatic"}}),
            vec!["spec.approval: Automatic", "Set spec.approval: Manual"],
        ),
        (
            "payment: Automatic",
            json!({"spec": {"payment": "Automatic"}}),
            vec!["spec.payment: Automatic", "Keep spec.payment: Manual"],
        ),
        (
            "spec.projectId",
            json!({"spec": {"projectId": PROJECT_ID}}),
            vec!["adopts an existing project"],
        ),
        (
            "onExisting: Adopt",
            json!({"spec": {"onExisting": "Adopt"}}),
            vec!["spec.onExisting: Adopt"],
        ),
        (
            "the order-id annotation",
            json!({"metadata": {"annotations": {ORDER_ID_ANNOTATION: "42"}}}),
            vec![
                "order-id=42 makes the operator follow",
                "kubectl pcp resolve p --order-id N",
            ],
        ),
    ];
    for (what, patch, says) in &changes {
        let out = patch_as("alice", &ns, "p", patch.clone(), false);
        assert!(!out.status.success(), "alice set {what}: {}", text(&out));
        let refusal = text(&out);
        assert_mentions(&refusal, &[&start, &role]);
        assert_mentions(&refusal, says);
        let out = patch_as("bob", &ns, "p", patch.clone(), true);
        assert!(out.status.success(), "bob sets {what}: {}", text(&out));
    }
    let stored = get(&ns, "p");
    assert_eq!(stored["spec"]["approval"], json!("Manual"));
    assert_eq!(stored["spec"]["payment"], json!("Manual"));
    assert!(stored["spec"]["projectId"].is_null());

    // An order id an approver named: alice may not change it, may remove it (that follows nothing).
    let out = patch_as("bob", &ns, "p", changes[4].1.clone(), false);
    assert!(out.status.success(), "{}", text(&out));
    let out = annotate_as("alice", &ns, "p", &[&format!("{ORDER_ID_ANNOTATION}=43")]);
    assert!(
        !out.status.success(),
        "alice changed the order id: {}",
        text(&out)
    );
    let out = annotate_as("alice", &ns, "p", &[&format!("{ORDER_ID_ANNOTATION}-")]);
    assert!(out.status.success(), "alice removes the order id: {}", text(&out));

    // The price ceiling of a resource an approver made Automatic: raising or removing it is an
    // approver's decision; lowering it is not.
    let out = create_as(
        "bob",
        &ns,
        "auto",
        json!({"description": "auto", "approval": "Automatic", "payment": "Automatic", "maxPrice": "20.00"}),
        json!({}),
    );
    assert!(out.status.success(), "{}", text(&out));
    for (raised, says) in [
        (json!("20.01"), "raising spec.maxPrice from 20.00 to 20.01"),
        (json!("21"), "raising spec.maxPrice from 20.00 to 21"),
        (json!("100.5"), "raising spec.maxPrice from 20.00 to 100.5"),
        (Value::Null, "removing spec.maxPrice (20.00)"),
    ] {
        let out = patch_as("alice", &ns, "auto", json!({"spec": {"maxPrice": raised}}), false);
        assert!(
            !out.status.success(),
            "alice set maxPrice {raised}: {}",
            text(&out)
        );
        assert_mentions(&text(&out), &[says, "Keep or lower the ceiling", &role]);
        let out = patch_as("bob", &ns, "auto", json!({"spec": {"maxPrice": raised}}), true);
        assert!(out.status.success(), "bob sets maxPrice {raised}: {}", text(&out));
    }
    for lower in ["20", "20.0", "19.99", "19.9", "5", "0"] {
        let out = patch_as("alice", &ns, "auto", json!({"spec": {"maxPrice": lower}}), false);
        assert!(
            out.status.success(),
            "alice lowers maxPrice to {lower}: {}",
            text(&out)
        );
    }
    assert_eq!(get(&ns, "auto")["spec"]["maxPrice"], json!("0"));
    // Toward safety: anyone who may patch.
    let out = patch_as(
        "alice",
        &ns,
        "auto",
        json!({"spec": {"payment": "Manual"}}),
        false,
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = patch_as(
        "alice",
        &ns,
        "auto",
        json!({"spec": {"approval": "Manual"}}),
        false,
    );
    assert!(out.status.success(), "{}", text(&out));
    // And back only by an approver.
    let out = patch_as(
        "alice",
        &ns,
        "auto",
        json!({"spec": {"approval": "Automatic"}}),
        false,
    );
    assert!(!out.status.success(), "{}", text(&out));
    // Other changes by non-approvers go through as before, also on a resource whose switches an
    // approver set (nothing toward spending changes).
    let out = patch_as(
        "alice",
        &ns,
        "auto",
        json!({"spec": {"description": "renamed"}}),
        false,
    );
    assert!(out.status.success(), "{}", text(&out));
}

/// approvedBy names who approved the content bought: an approve annotation left on a cart that is
/// then changed in place (approval: Automatic, no ceiling) is not recorded as an approval of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved_by_is_not_kept_for_a_cart_changed_after_the_approval() {
    let env = Env::new("approved-by-kept", |_| {}).await;
    install(&env.ns, &[]);
    let _operator = env.start_operator();
    env.create("p", json!({"description": "Before", "approval": "Manual"}))
        .await;
    let obj = env.wait_for_phase("p", Phase::AwaitingApproval, 30).await;
    let cart = obj.status.unwrap().cart.expect("a priced cart").id;
    wait_for_the_policies(&env.ns, "p", true).await;
    // Paused, bob approves the cart as shown; then an approver switches to Automatic (no
    // ceiling) and the description changes: the operator changes the cart in place.
    env.annotate("p", PAUSED_ANNOTATION, "true").await;
    env.wait_for("p", 30, |o| {
        o.status
            .as_ref()
            .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
            .is_some_and(|c| c.reason == "Paused")
    })
    .await;
    let out = annotate_as("bob", &env.ns, "p", &[&format!("{APPROVE_ANNOTATION}={cart}")]);
    assert!(out.status.success(), "bob approves: {}", text(&out));
    let out = patch_as(
        "carol",
        &env.ns,
        "p",
        json!({"spec": {"approval": "Automatic", "description": "After"}}),
        false,
    );
    assert!(out.status.success(), "{}", text(&out));
    env.remove_annotation("p", PAUSED_ANNOTATION).await;
    let obj = env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
    let status = obj.status.unwrap();
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.orders.len(), 1, "{ledger:#?}");
    assert_eq!(
        ledger.orders[0].cart_id, cart,
        "the cart was changed in place and bought"
    );
    assert_eq!(
        status.approved_by, None,
        "bob approved cart {cart} as it was before the change, not what was bought"
    );
}

//! The Helm chart against the real API server: it lints strictly, its values schema rejects unknown
//! keys, it renders (defaults and every optional object on) into objects the API server accepts,
//! it installs and uninstalls cleanly, its RBAC grants what the operator needs and no more, the
//! operator running as the chart's ServiceAccount orders a project, and the chart's alerts use
//! series the operator really exposes. Its CRD is a copy of the generated one.

mod common;

use std::{collections::BTreeSet, path::Path};

use common::{helm, operator::Env, output_text as text};
use kube::{Client, Config, config::KubeConfigOptions, config::Kubeconfig};
use ovh_publiccloud_operator::{api::Phase, controller::reason::Reason};
use serde::Deserialize;
use serde_json::{Value, json};

fn chart() -> String {
    common::repo_root()
        .join("charts/ovh-publiccloud-operator")
        .to_string_lossy()
        .into_owned()
}

/// Every object of a multi-document YAML stream.
fn documents(yaml: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(yaml)
        .map(|doc| Value::deserialize(doc).expect("rendered YAML parses"))
        .filter(|v| !v.is_null())
        .collect()
}

fn find<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} rendered"))
}

/// `helm template` in namespace `ops` with extra arguments; the rendered objects, or helm's error.
fn template(extra: &[&str]) -> Result<Vec<Value>, String> {
    let chart = chart();
    let mut args = vec![
        "template",
        "t",
        chart.as_str(),
        "--namespace",
        "ops",
        "--kube-version",
        "1.36.3",
    ];
    args.extend(extra.iter().copied());
    let out = helm(&args);
    if out.status.success() {
        Ok(documents(&String::from_utf8_lossy(&out.stdout)))
    } else {
        Err(text(&out))
    }
}

/// Kinds whose CRDs a bare API server lacks (prometheus-operator's): rendered and checked here,
/// but not sent to the server.
const MONITORING_KINDS: [&str; 2] = ["ServiceMonitor", "PrometheusRule"];

/// Server-side dry run of every built-in object: the API server validates each one, strictly.
fn dry_run(docs: &[Value], what: &str) {
    let built_in: Vec<&Value> = docs
        .iter()
        .filter(|d| !MONITORING_KINDS.contains(&d["kind"].as_str().unwrap()))
        .collect();
    let stream = built_in
        .iter()
        .map(|d| serde_yaml::to_string(d).unwrap())
        .collect::<Vec<_>>()
        .join("---\n");
    let out = common::kubectl_with_input(
        &["apply", "--dry-run=server", "--validate=strict", "-f", "-"],
        &stream,
    );
    assert!(out.status.success(), "{what}: {}", text(&out));
}

/// A client that acts as `user` (the API server checks RBAC for that identity).
async fn client_as(user: &str) -> Client {
    let kubeconfig = Kubeconfig::read_from(&common::control_plane().kubeconfig).unwrap();
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    config.auth_info.impersonate = Some(user.into());
    Client::try_from(config).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chart_installs_and_its_service_account_can_run_the_operator() {
    let env = Env::new("chart", |_| {}).await;
    let out = helm(&["lint", "--strict", &chart()]);
    assert!(out.status.success(), "{}", text(&out));

    let release = format!("r{}", &env.ns[env.ns.len() - 8..]);
    let out = helm(&[
        "install",
        &release,
        &chart(),
        "--namespace",
        &env.ns,
        "--set",
        &format!("watchNamespace={}", env.ns),
    ]);
    assert!(out.status.success(), "helm install: {}", text(&out));
    let notes = text(&out);
    assert!(
        notes.contains("kubectl apply --server-side -f crds/") && notes.contains("watching namespace"),
        "NOTES.txt: {notes}"
    );
    let out = common::kubectl(&[
        "get",
        "deployment,serviceaccount,role,rolebinding,service",
        "-n",
        &env.ns,
        "-o",
        "name",
    ]);
    let objects = text(&out);
    let sa = format!("{release}-ovh-publiccloud-operator");
    for expected in [
        "deployment.apps/",
        "serviceaccount/",
        "role.rbac.authorization.k8s.io/",
        "rolebinding.rbac.authorization.k8s.io/",
        "service/",
    ] {
        assert!(
            objects.contains(&format!("{expected}{sa}")),
            "{expected}{sa} missing: {objects}"
        );
    }
    let deployment = text(&common::kubectl(&[
        "get",
        "deployment",
        &sa,
        "-n",
        &env.ns,
        "-o",
        "json",
    ]));
    let deployment: serde_json::Value = serde_json::from_str(&deployment).unwrap();
    assert_eq!(
        deployment["spec"]["strategy"]["type"],
        json!("Recreate"),
        "two versions never run side by side"
    );
    assert_eq!(deployment["spec"]["replicas"], json!(1));
    let args = deployment["spec"]["template"]["spec"]["containers"][0]["args"].to_string();
    assert!(
        args.contains(&format!("--leader-election-namespace={}", env.ns)),
        "{args}"
    );

    // RBAC: what the operator needs, nothing more (every write is a patch: no update).
    let user = format!("system:serviceaccount:{}:{sa}", env.ns);
    let pcp = "publiccloudprojects.publiccloud.ovh-operator.dev";
    let status = "publiccloudprojects.publiccloud.ovh-operator.dev/status";
    let finalizers = "publiccloudprojects.publiccloud.ovh-operator.dev/finalizers";
    let lease = format!("leases.coordination.k8s.io/{sa}");
    for (verb, resource, allowed) in [
        ("get", pcp, true),
        ("list", pcp, true),
        ("watch", pcp, true),
        ("patch", pcp, true),
        ("patch", status, true),
        ("get", "secrets", true),
        ("list", "secrets", true),
        ("watch", "secrets", true),
        // Outputs Secrets (spec.writeOutputsTo): server-side apply creates or patches them.
        ("create", "secrets", true),
        ("patch", "secrets", true),
        ("create", "events.events.k8s.io", true),
        ("patch", "events.events.k8s.io", true),
        ("create", "leases.coordination.k8s.io", true),
        ("get", lease.as_str(), true),
        ("patch", lease.as_str(), true),
        ("update", pcp, false),
        ("update", status, false),
        ("update", finalizers, false),
        ("delete", pcp, false),
        ("create", pcp, false),
        ("update", "secrets", false),
        ("delete", "secrets", false),
        ("update", "events.events.k8s.io", false),
        ("create", "events", false),
        ("update", lease.as_str(), false),
        ("delete", lease.as_str(), false),
        ("patch", "leases.coordination.k8s.io/another-lease", false),
    ] {
        let out = common::kubectl(&["auth", "can-i", verb, resource, "-n", &env.ns, "--as", &user]);
        let answer = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert_eq!(
            answer,
            if allowed { "yes" } else { "no" },
            "{user} {verb} {resource}"
        );
    }
    let other = common::kubectl(&["auth", "can-i", "get", "secrets", "-n", "default", "--as", &user]);
    assert_eq!(
        String::from_utf8_lossy(&other.stdout).trim(),
        "no",
        "a namespaced install reads no other namespace's Secrets"
    );

    // The operator, as that ServiceAccount, orders a project.
    let client = client_as(&user).await;
    // With the chart's leader election (the Lease RBAC is exercised too) and its Lease name.
    let mut options = env.options();
    options.leader_election_namespace = Some(env.ns.clone());
    options.leader_election_lease = sa.clone();
    let metrics_port = common::free_port();
    options.metrics_addr = format!("127.0.0.1:{metrics_port}");
    let operator = tokio::spawn(ovh_publiccloud_operator::controller::start(
        client,
        options,
        Default::default(),
    ));
    env.create("p", json!({"description": "Via the chart's RBAC"}))
        .await;
    // And one whose Secret does not exist: the credentials alert's series.
    env.create(
        "q",
        json!({"description": "No Secret", "credentialsSecretRef": {"name": "missing"}}),
    )
    .await;
    let obj = env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
    assert!(obj.status.unwrap().order.is_some());
    env.wait_for("q", 30, |o| {
        common::operator::condition(o, "CredentialsValid").is_some_and(|c| c.reason == "SecretNotFound")
    })
    .await;

    // The chart's alerts are built on series this operator really exposes.
    let metrics = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let samples: Vec<&str> = metrics.lines().filter(|l| !l.starts_with('#')).collect();
    for expected in [
        "ovh_operator_projects{phase=\"AwaitingPayment\"} 1",
        "ovh_operator_reconcile_failures_total{category=\"SecretNotFound\"} ",
        "ovh_operator_ovh_requests_total{method=\"POST\",route=\"/order/cart\",status=\"200\"} ",
    ] {
        assert!(
            samples.iter().any(|l| l.starts_with(expected)),
            "{expected} not in /metrics:\n{metrics}"
        );
    }
    let docs = template(&["--set", "metrics.prometheusRule.enabled=true"]).unwrap();
    check_alerts(find(&docs, "PrometheusRule"), &samples);
    operator.abort();

    let out = helm(&["uninstall", &release, "--namespace", &env.ns]);
    assert!(out.status.success(), "helm uninstall: {}", text(&out));
    let out = common::kubectl(&[
        "get",
        "deployment,serviceaccount,role,rolebinding",
        "-n",
        &env.ns,
        "-o",
        "name",
    ]);
    assert!(
        !text(&out).contains(&sa),
        "uninstall removes what install made: {}",
        text(&out)
    );
    // The CRD (and so every PublicCloudProject) survives an uninstall: Helm never deletes crds/.
    assert!(
        common::kubectl(&["get", "crd", "publiccloudprojects.publiccloud.ovh-operator.dev"])
            .status
            .success()
    );
}

/// Every series an alert reads is one the operator exposes (`samples`: its /metrics lines); every
/// phase and failure category it names exists.
fn check_alerts(rule: &Value, samples: &[&str]) {
    let rules = rule["spec"]["groups"][0]["rules"].as_array().unwrap();
    let alerts: BTreeSet<&str> = rules.iter().map(|r| r["alert"].as_str().unwrap()).collect();
    assert_eq!(
        alerts,
        BTreeSet::from([
            "OvhProjectNeedsAttention",
            "OvhProjectFailed",
            "OvhProjectAwaitingApproval",
            "OvhProjectAwaitingPayment",
            "OvhCredentialsRefused",
            "OvhErrorsRising",
        ])
    );
    for r in rules {
        let expr = r["expr"].as_str().unwrap();
        // Metric names: identifiers that start with the operator's prefix.
        let mut rest = expr;
        while let Some(at) = rest.find("ovh_operator_") {
            let name: String = rest[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            assert!(
                samples.iter().any(|l| l.starts_with(&format!("{name}{{"))),
                "{}: {name} is not a series of /metrics",
                r["alert"]
            );
            rest = &rest[at + name.len()..];
        }
        // Label values the operator writes.
        if let Some(at) = expr.find("phase=\"") {
            let phase = &expr[at + 7..][..expr[at + 7..].find('"').unwrap()];
            serde_json::from_value::<Phase>(json!(phase))
                .unwrap_or_else(|_| panic!("{phase} is not a phase"));
        }
        if let Some(at) = expr.find("category=~\"") {
            let list = &expr[at + 11..][..expr[at + 11..].find('"').unwrap()];
            for category in list.split('|') {
                assert!(
                    Reason::ALL.iter().any(|r| r.as_str() == category),
                    "{category} is not a failure category"
                );
            }
        }
        assert!(r["labels"]["severity"].is_string(), "{r}");
        assert!(r["annotations"]["summary"].is_string(), "{r}");
    }
}

#[test]
fn the_charts_crd_is_a_file_equal_to_the_generated_one() {
    let root = common::repo_root();
    let in_chart = root.join("charts/ovh-publiccloud-operator/crds/publiccloudproject.yaml");
    // A symlink out of the chart breaks packaged charts and Flux's GitRepository source.
    let meta = std::fs::symlink_metadata(&in_chart).unwrap();
    assert!(
        meta.file_type().is_file(),
        "{} must be a regular file",
        in_chart.display()
    );
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    assert!(
        read(&in_chart) == read(&root.join("crds/publiccloudproject.yaml")),
        "the chart's CRD is stale: cp crds/publiccloudproject.yaml charts/ovh-publiccloud-operator/crds/"
    );
}

#[test]
fn the_values_schema_rejects_unknown_keys() {
    for set in [
        "replica=2",
        "serviceAccount.nmae=x",
        "metrics.serviceMonitor.label.release=x",
        "metrics.prometheusRule.awaitingPaymentfor=1h",
        "networkPolicy.ovh.cidr=10.0.0.0/8",
        "leaderElection.leaseSecond=10",
        "resources.limit.memory=1Gi",
        "image.digests=sha256:0",
        "approval.admissionPolicy.enabled=false",
        "approval.admissionPolicies.stampApprovedby=false",
    ] {
        let err = template(&["--set", set]).expect_err(set);
        assert!(err.contains("additional properties"), "{set}: {err}");
    }
    for (set, why) in [
        (
            "podLabels.app\\.kubernetes\\.io/instance=x",
            "selector labels are the chart's",
        ),
        ("image.pullPolicy=Sometimes", "an enum"),
        ("image.digest=sha256:0", "a sha256 digest"),
        ("image.digest=0.1.0", "a sha256 digest"),
        ("defaultCredentials=ovh", "NAMESPACE/NAME"),
        ("metrics.prometheusRule.awaitingPaymentFor=soon", "a duration"),
        ("maxPrice=25.001", "a price the operator parses"),
        ("maxPrice=cheap", "a price the operator parses"),
        ("defaultCredentialsNamespaces={Team_A}", "namespace names or *"),
        ("allowTerminate=no", "a boolean"),
        (
            "approval.admissionPolicies.mutatingApiVersion=v1",
            "an admissionregistration.k8s.io version",
        ),
    ] {
        assert!(template(&["--set", set]).is_err(), "{set}: {why}");
    }
    let err = template(&["--set", "serviceAccount.create=false"]).unwrap_err();
    assert!(err.contains("serviceAccount.name is required"), "{err}");
}

/// One version everywhere: the chart's version and appVersion are the crate's (scripts/release packages
/// the chart with Cargo.toml's version and refuses any other), and the default image is that version.
#[test]
fn the_chart_is_versioned_as_the_crate() {
    let chart: Value =
        serde_yaml::from_str(&std::fs::read_to_string(Path::new(&chart()).join("Chart.yaml")).unwrap())
            .unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(chart["version"], json!(version), "Chart.yaml version");
    assert_eq!(chart["appVersion"], json!(version), "Chart.yaml appVersion");
    let docs = template(&[]).unwrap();
    let image = &find(&docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"];
    assert_eq!(
        image,
        &json!(format!("ghcr.io/ovh-operator/ovh-publiccloud-operator:{version}")),
        "no digest unless a release pins one"
    );
}

#[test]
fn default_values_render_a_hardened_pod() {
    let docs = template(&[]).unwrap();
    let mut kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "ClusterRole",
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment",
            "MutatingAdmissionPolicy",
            "MutatingAdmissionPolicyBinding",
            "Role",
            "RoleBinding",
            "Service",
            "ServiceAccount",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding",
        ],
        "optional objects are off by default; the approval guard is on"
    );
    let pod = &find(&docs, "Deployment")["spec"]["template"]["spec"];
    let args = pod["containers"][0]["args"].to_string();
    assert!(args.contains("--allow-terminate=true"), "{args}");
    for flag in [
        "--max-price",
        "--watch-selector",
        "--default-credentials-namespaces",
    ] {
        assert!(!args.contains(flag), "{flag} is not passed by default: {args}");
    }
    let container = &pod["containers"][0];
    for sc in [&pod["securityContext"], &container["securityContext"]] {
        assert_eq!(sc["runAsNonRoot"], json!(true), "{sc}");
        assert_eq!(sc["runAsUser"], json!(65532), "the image's numeric USER: {sc}");
        assert_eq!(sc["runAsGroup"], json!(65532), "{sc}");
        assert_eq!(sc["seccompProfile"]["type"], json!("RuntimeDefault"), "{sc}");
    }
    let sc = &container["securityContext"];
    assert_eq!(sc["readOnlyRootFilesystem"], json!(true));
    assert_eq!(sc["allowPrivilegeEscalation"], json!(false));
    assert_eq!(sc["capabilities"], json!({"drop": ["ALL"]}));
    assert_eq!(pod["serviceAccountName"], json!("t-ovh-publiccloud-operator"));
    assert!(pod.get("imagePullSecrets").is_none() && pod.get("priorityClassName").is_none());
}

#[test]
fn the_approval_policies_can_be_narrowed_or_turned_off() {
    let kinds = |set: &[&str]| -> Vec<String> {
        let mut kinds: Vec<String> = template(set)
            .unwrap()
            .iter()
            .map(|d| d["kind"].as_str().unwrap().to_string())
            .filter(|k| k.contains("AdmissionPolicy"))
            .collect();
        kinds.sort();
        kinds
    };
    // An older cluster without MutatingAdmissionPolicy: the validation (and the approver
    // ClusterRole) stay.
    assert_eq!(
        kinds(&["--set", "approval.admissionPolicies.stampApprovedBy=false"]),
        ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]
    );
    let docs = template(&["--set", "approval.admissionPolicies.enabled=false"]).unwrap();
    assert!(
        docs.iter()
            .all(|d| !d["kind"].as_str().unwrap().contains("AdmissionPolicy")
                && !d["metadata"]["name"].as_str().unwrap().ends_with("-approver")),
        "nothing of the approval guard"
    );
    // 1.34 and 1.35 serve the beta API when its feature gate is on.
    let docs = template(&[
        "--set",
        "approval.admissionPolicies.mutatingApiVersion=admissionregistration.k8s.io/v1beta1",
    ])
    .unwrap();
    for kind in ["MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"] {
        assert_eq!(
            find(&docs, kind)["apiVersion"],
            json!("admissionregistration.k8s.io/v1beta1")
        );
    }
    // A cluster-wide install guards every namespace; the approver role grants one verb.
    let docs = template(&[]).unwrap();
    assert!(
        find(&docs, "ValidatingAdmissionPolicyBinding")["spec"]
            .get("matchResources")
            .is_none()
    );
    let approver = docs
        .iter()
        .find(|d| d["metadata"]["name"] == "t-ovh-publiccloud-operator-approver")
        .expect("the approver ClusterRole");
    assert_eq!(approver["kind"], json!("ClusterRole"));
    assert_eq!(
        approver["rules"],
        json!([{"apiGroups": ["publiccloud.ovh-operator.dev"],
                "resources": ["publiccloudprojects/approval"], "verbs": ["approve"]}])
    );
}

#[test]
fn rendered_templates_are_valid_for_cluster_wide_and_namespaced_installs() {
    let namespaces = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ops}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: teams}\n";
    let out = common::kubectl_with_input(&["apply", "-f", "-"], namespaces);
    assert!(out.status.success(), "{}", text(&out));
    for set in [
        vec![],
        vec![
            "--set",
            "watchNamespace=teams",
            "--set",
            "defaultCredentials=ops/ovh",
        ],
        vec![
            "--set",
            "serviceAccount.create=false",
            "--set",
            "serviceAccount.name=existing",
            "--set",
            "leaderElection.enabled=false",
        ],
    ] {
        let docs = template(&set).unwrap();
        dry_run(&docs, &format!("{set:?}"));
    }
    // An existing ServiceAccount: none is made, and the RBAC binds that one.
    let docs = template(&[
        "--set",
        "serviceAccount.create=false",
        "--set",
        "serviceAccount.name=existing",
    ])
    .unwrap();
    assert!(docs.iter().all(|d| d["kind"] != "ServiceAccount"));
    for d in docs
        .iter()
        .filter(|d| d["kind"].as_str().unwrap().ends_with("RoleBinding"))
    {
        assert_eq!(d["subjects"][0]["name"], json!("existing"), "{d}");
    }
}

/// Every optional object and value on, as a production install would set them.
const ALL_ON: &str = r#"
image:
  repository: registry.example/ovh-publiccloud-operator
  tag: "1.2.3"
  digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  pullPolicy: Always
imagePullSecrets: [{name: regcred}]
serviceAccount:
  create: true
  name: ovh-operator
  annotations: {example.com/role: ovh-orderer}
watchNamespace: teams
defaultCredentials: ops/ovh
defaultCredentialsNamespaces: [teams, ops]
maxPrice: "49.90"
allowTerminate: false
watchSelector: "operator in (platform),tier!=test"
approval:
  admissionPolicies: {enabled: true, stampApprovedBy: true, mutatingApiVersion: admissionregistration.k8s.io/v1}
replicas: 2
leaderElection: {enabled: true, leaseSeconds: 15}
extraEnv:
  - {name: HTTPS_PROXY, value: "http://proxy.ops.svc:3128"}
  - {name: NO_PROXY, value: "10.0.0.0/8,.svc,.cluster.local"}
  - name: OVH_OPERATOR_CHECKOUT_GRACE
    valueFrom: {configMapKeyRef: {name: ovh-operator-tuning, key: checkout-grace, optional: true}}
podAnnotations: {example.com/owner: platform}
podLabels: {team: platform}
priorityClassName: operators
metrics:
  port: 9090
  serviceMonitor: {enabled: true, labels: {release: kube-prometheus-stack}, interval: 15s}
  prometheusRule:
    enabled: true
    labels: {release: kube-prometheus-stack}
    awaitingPaymentFor: 1h
    additionalLabels: {team: platform}
networkPolicy:
  enabled: true
  apiServer: {cidrs: [10.0.0.1/32], ports: [6443]}
  ovh: {cidrs: [0.0.0.0/0], ports: [443]}
  dnsTo:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
  extraEgress:
    - to: [{ipBlock: {cidr: 10.1.2.3/32}}]
      ports: [{port: 3128, protocol: TCP}]
  metricsFrom:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
"#;

#[test]
fn every_optional_object_renders_and_the_api_server_accepts_it() {
    let namespaces = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ops}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: teams}\n";
    let out = common::kubectl_with_input(&["apply", "-f", "-"], namespaces);
    assert!(out.status.success(), "{}", text(&out));
    let values = common::control_plane().dir.join("values-all-on.yaml");
    std::fs::write(&values, ALL_ON).unwrap();
    let docs = template(&["--values", values.to_str().unwrap()]).unwrap();
    let kinds: BTreeSet<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    for kind in [
        "NetworkPolicy",
        "ServiceMonitor",
        "PrometheusRule",
        "ServiceAccount",
    ] {
        assert!(kinds.contains(kind), "{kind} missing: {kinds:?}");
    }

    let sa = find(&docs, "ServiceAccount");
    assert_eq!(sa["metadata"]["name"], json!("ovh-operator"));
    assert_eq!(
        sa["metadata"]["annotations"]["example.com/role"],
        json!("ovh-orderer")
    );
    let pod = &find(&docs, "Deployment")["spec"]["template"];
    assert_eq!(
        pod["metadata"]["annotations"]["example.com/owner"],
        json!("platform")
    );
    assert_eq!(pod["metadata"]["labels"]["team"], json!("platform"));
    assert_eq!(
        pod["metadata"]["labels"]["app.kubernetes.io/instance"],
        json!("t")
    );
    let spec = &pod["spec"];
    assert_eq!(spec["serviceAccountName"], json!("ovh-operator"));
    assert_eq!(spec["imagePullSecrets"], json!([{"name": "regcred"}]));
    assert_eq!(spec["priorityClassName"], json!("operators"));
    let container = &spec["containers"][0];
    assert_eq!(
        container["image"],
        json!(
            "registry.example/ovh-publiccloud-operator:1.2.3\
             @sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        )
    );
    let env: Vec<&str> = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        env,
        [
            "RUST_LOG",
            "POD_NAME",
            "HTTPS_PROXY",
            "NO_PROXY",
            "OVH_OPERATOR_CHECKOUT_GRACE"
        ]
    );
    let args = container["args"].to_string();
    for arg in [
        "--metrics-addr=0.0.0.0:9090",
        "--namespace=teams",
        "--default-credentials=ops/ovh",
        "--leader-election-lease-seconds=15",
        "--default-credentials-namespaces=teams,ops",
        "--max-price=49.90",
        "--allow-terminate=false",
        "--watch-selector=operator in (platform),tier!=test",
    ] {
        assert!(args.contains(arg), "{arg}: {args}");
    }
    for d in docs
        .iter()
        .filter(|d| d["kind"].as_str().unwrap().ends_with("RoleBinding"))
    {
        assert_eq!(d["subjects"][0]["name"], json!("ovh-operator"), "{d}");
    }

    // The approval guard covers the watched namespace only.
    for kind in [
        "ValidatingAdmissionPolicyBinding",
        "MutatingAdmissionPolicyBinding",
    ] {
        assert_eq!(
            find(&docs, kind)["spec"]["matchResources"]["namespaceSelector"],
            json!({"matchLabels": {"kubernetes.io/metadata.name": "teams"}}),
            "{kind}"
        );
    }

    // Monitoring: the labels Prometheus selects by; the rule's job is the metrics Service.
    let monitor = find(&docs, "ServiceMonitor");
    assert_eq!(
        monitor["metadata"]["labels"]["release"],
        json!("kube-prometheus-stack")
    );
    assert_eq!(monitor["spec"]["endpoints"][0]["interval"], json!("15s"));
    let rule = find(&docs, "PrometheusRule");
    assert_eq!(
        rule["metadata"]["labels"]["release"],
        json!("kube-prometheus-stack")
    );
    let service = find(&docs, "Service")["metadata"]["name"].as_str().unwrap();
    let rules = rule["spec"]["groups"][0]["rules"].as_array().unwrap();
    for r in rules {
        assert!(
            r["expr"]
                .as_str()
                .unwrap()
                .contains(&format!("job=\"{service}\",namespace=\"ops\"")),
            "{r}"
        );
        assert_eq!(r["labels"]["team"], json!("platform"), "{r}");
    }
    let payment = rules
        .iter()
        .find(|r| r["alert"] == "OvhProjectAwaitingPayment")
        .unwrap();
    assert_eq!(payment["for"], json!("1h"));

    // The NetworkPolicy: metrics in from monitoring only; out to the API server, OVH, DNS, proxy.
    let policy = &find(&docs, "NetworkPolicy")["spec"];
    assert_eq!(policy["policyTypes"], json!(["Ingress", "Egress"]));
    assert_eq!(policy["ingress"][0]["ports"][0]["port"], json!("metrics"));
    let egress = policy["egress"].as_array().unwrap();
    assert_eq!(egress.len(), 4, "{egress:?}");
    assert_eq!(egress[0]["to"][0]["ipBlock"]["cidr"], json!("10.0.0.1/32"));
    assert_eq!(egress[0]["ports"][0]["port"], json!(6443));
    assert_eq!(egress[2]["ports"][0]["port"], json!(53));

    dry_run(&docs, "every optional object on");
}

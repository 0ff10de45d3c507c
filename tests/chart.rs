//! The Helm chart against the real API server: it lints, installs and uninstalls cleanly, its RBAC
//! grants what the operator needs and no more, and the operator running as the chart's
//! ServiceAccount orders a project.

mod common;

use std::process::Output;

use common::{operator::Env, output_text as text};
use kube::{Client, Config, config::KubeConfigOptions, config::Kubeconfig};
use ovh_publiccloud_operator::api::Phase;
use serde_json::json;

fn helm(args: &[&str]) -> Output {
    let cp = common::control_plane();
    std::process::Command::new(cp.bin_dir.join("helm"))
        .args(args)
        .env("KUBECONFIG", &cp.kubeconfig)
        .env("HELM_CACHE_HOME", cp.dir.join("helm/cache"))
        .env("HELM_CONFIG_HOME", cp.dir.join("helm/config"))
        .env("HELM_DATA_HOME", cp.dir.join("helm/data"))
        .output()
        .expect("run helm")
}

fn chart() -> String {
    common::repo_root()
        .join("charts/ovh-publiccloud-operator")
        .to_string_lossy()
        .into_owned()
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
    let out = helm(&["lint", &chart()]);
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

    // RBAC: what the operator needs, nothing more.
    let user = format!("system:serviceaccount:{}:{sa}", env.ns);
    for (verb, resource, allowed) in [
        ("watch", "publiccloudprojects.publiccloud.ovh-operator.dev", true),
        (
            "patch",
            "publiccloudprojects.publiccloud.ovh-operator.dev/status",
            true,
        ),
        ("patch", "publiccloudprojects.publiccloud.ovh-operator.dev", true),
        ("watch", "secrets", true),
        ("create", "events.events.k8s.io", true),
        ("patch", "events.events.k8s.io", true),
        ("create", "leases.coordination.k8s.io", true),
        ("update", "leases.coordination.k8s.io", true),
        (
            "delete",
            "publiccloudprojects.publiccloud.ovh-operator.dev",
            false,
        ),
        ("create", "secrets", false),
        ("delete", "secrets", false),
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
    // With the chart's leader election: the Lease RBAC is exercised too.
    let mut options = env.options();
    options.leader_election_namespace = Some(env.ns.clone());
    let operator = tokio::spawn(ovh_publiccloud_operator::controller::start(
        client,
        options,
        Default::default(),
    ));
    env.create("p", json!({"description": "Via the chart's RBAC"}))
        .await;
    let obj = env.wait_for_phase("p", Phase::AwaitingPayment, 30).await;
    assert!(obj.status.unwrap().order.is_some());
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

#[test]
fn rendered_templates_are_valid_for_cluster_wide_and_namespaced_installs() {
    let namespaces = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ops}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: teams}\n";
    let out = common::kubectl_with_input(&["apply", "-f", "-"], namespaces);
    assert!(out.status.success(), "{}", text(&out));
    let chart = chart();
    for set in [
        vec![],
        vec![
            "--set",
            "watchNamespace=teams",
            "--set",
            "defaultCredentials=ops/ovh",
        ],
    ] {
        let mut args = vec![
            "template",
            "t",
            chart.as_str(),
            "--namespace",
            "ops",
            "--kube-version",
            "1.36.3",
        ];
        args.extend(set.iter().copied());
        let out = helm(&args);
        assert!(out.status.success(), "{}", text(&out));
        // Server-side dry run: the API server validates every object, strictly.
        let rendered = String::from_utf8_lossy(&out.stdout).into_owned();
        let out = common::kubectl_with_input(&["apply", "--dry-run=server", "-f", "-"], &rendered);
        assert!(out.status.success(), "{set:?}: {}", text(&out));
    }
}

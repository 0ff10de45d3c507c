//! The PublicCloudProject API against a real kube-apiserver: installation, documentation,
//! examples, validation (schema and CEL), the status subresource and printer columns.

mod common;

use common::{
    assert_mentions, client, eventually, install_crd, kubectl, kubectl_with_input, namespace,
    output_text as text,
};
use kube::{
    Api,
    api::{Patch, PatchParams},
};
use ovh_publiccloud_operator::PublicCloudProject;
use serde_json::json;

fn manifest(name: &str, spec: &str) -> String {
    let spec = spec
        .trim_end()
        .lines()
        .map(|l| format!("  {l}\n"))
        .collect::<String>();
    format!(
        "apiVersion: publiccloud.ovh-operator.dev/v1alpha1\nkind: PublicCloudProject\nmetadata:\n  name: {name}\nspec:\n{spec}"
    )
}

#[tokio::test]
async fn crd_is_established_and_documented() {
    let client = client().await;
    let crd = install_crd(&client).await;
    assert_eq!(
        crd.spec.names.short_names.as_deref(),
        Some(&["pcp".to_string()][..])
    );
    assert_eq!(
        crd.spec.names.categories.as_deref(),
        Some(&["ovh".to_string()][..])
    );

    // The OpenAPI document kubectl explain reads is published a moment after Established.
    let out = eventually("kubectl explain publiccloudproject.spec", 10, async || {
        let out = kubectl(&["explain", "publiccloudproject.spec"]);
        if out.status.success() {
            Ok(out)
        } else {
            Err(text(&out))
        }
    })
    .await;
    let explained = text(&out).split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "The project's name in OVHcloud",
        "OVH subsidiary the cart is created for",
        "deletionPolicy",
        "Manual: stop at AwaitingApproval",
        "Id of an existing project to adopt",
    ] {
        assert!(
            explained.contains(expected),
            "kubectl explain lacks {expected:?}:\n{explained}"
        );
    }
    let out = kubectl(&["explain", "pcp.status.order.url"]);
    assert!(
        text(&out).contains("Page where a person pays the order"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn every_example_is_accepted() {
    let client = client().await;
    install_crd(&client).await;
    let ns = namespace(&client, "examples").await;
    let dir = common::repo_root().join("examples");
    let out = kubectl(&["apply", "-n", &ns, "-f", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let files = std::fs::read_dir(&dir).unwrap().count();
    let created = Api::<PublicCloudProject>::namespaced(client, &ns)
        .list(&Default::default())
        .await
        .unwrap();
    assert_eq!(created.items.len(), files, "one resource per example file");
    // Defaults are filled in by the API server.
    let team_a = created
        .items
        .iter()
        .find(|p| p.metadata.name.as_deref() == Some("team-a"))
        .unwrap();
    assert_eq!(
        team_a.spec.plan.plan_code, None,
        "no schema default: the plan code follows the endpoint (project.2018, or project on ovh-us)"
    );
    assert_eq!(team_a.spec.plan.duration, "P1M");
}

#[tokio::test]
async fn invalid_manifests_are_rejected_with_a_readable_message() {
    let client = client().await;
    install_crd(&client).await;
    let ns = namespace(&client, "invalid").await;
    let long = "x".repeat(256);
    let seventeen = (0..17)
        .map(|i| format!("  - {{label: l{i}, value: v}}\n"))
        .collect::<String>();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unknown subsidiary",
            "description: a\novhSubsidiary: XX".into(),
            "Unsupported value: \"XX\"",
        ),
        (
            "lower-case subsidiary",
            "description: a\novhSubsidiary: fr".into(),
            "Unsupported value: \"fr\"",
        ),
        (
            "missing description",
            "voucher: ABC".into(),
            "spec.description: Required value",
        ),
        (
            "empty description",
            "description: \"\"".into(),
            "spec.description: Invalid value",
        ),
        (
            "blank description",
            "description: \"   \"".into(),
            "spec.description must not be blank",
        ),
        (
            "oversized description",
            format!("description: {long}"),
            "spec.description: Too long",
        ),
        (
            "budget delay OVH does not offer",
            "description: a\nbudget: {monthlyThreshold: 10, emails: [a@example.com], delay: 1234}".into(),
            "spec.budget.delay must be one of OVH's delays",
        ),
        (
            "budget without e-mails",
            "description: a\nbudget: {monthlyThreshold: 10, emails: []}".into(),
            "spec.budget.emails",
        ),
        (
            "budget e-mail not an address",
            "description: a\nbudget: {monthlyThreshold: 10, emails: [finops]}".into(),
            "spec.budget.emails[0]",
        ),
        (
            "lower-case region",
            "description: a\nregions: [gra11]".into(),
            "spec.regions[0]",
        ),
        (
            "region twice",
            "description: a\nregions: [GRA11, GRA11]".into(),
            "spec.regions[1]: Duplicate value",
        ),
        (
            "duration not ISO-8601",
            "description: a\nplan: {duration: 1 month}".into(),
            "spec.plan.duration",
        ),
        (
            "hourly duration",
            "description: a\nplan: {duration: PT1H}".into(),
            "spec.plan.duration",
        ),
        (
            "empty plan code",
            "description: a\nplan: {planCode: \"\"}".into(),
            "spec.plan.planCode",
        ),
        (
            "unknown approval",
            "description: a\napproval: Sometimes".into(),
            "Unsupported value: \"Sometimes\"",
        ),
        (
            "unknown payment",
            "description: a\npayment: Later".into(),
            "Unsupported value: \"Later\"",
        ),
        (
            "unknown deletionPolicy",
            "description: a\ndeletionPolicy: Delete".into(),
            "Unsupported value: \"Delete\"",
        ),
        (
            "unknown field",
            "description: a\ncolour: red".into(),
            "unknown field \"spec.colour\"",
        ),
        (
            "malformed projectId",
            "description: a\nprojectId: not-a-project".into(),
            "spec.projectId",
        ),
        (
            "description as configuration",
            "description: a\nconfigurations:\n  - {label: description, value: b}".into(),
            "use spec.description and spec.voucher",
        ),
        (
            "voucher with spaces",
            "description: a\nvoucher: \"A B\"".into(),
            "spec.voucher",
        ),
        (
            "too many configurations",
            format!("description: a\nconfigurations:\n{seventeen}"),
            "spec.configurations: Too many",
        ),
        (
            "bad secret name",
            "description: a\ncredentialsSecretRef: {name: Not_A_Name}".into(),
            "spec.credentialsSecretRef.name",
        ),
        (
            "a configuration label twice",
            "description: a\nconfigurations:\n  - {label: infrastructure, value: a}\n  - {label: infrastructure, value: b}".into(),
            "spec.configurations names a label twice",
        ),
        (
            "an option twice",
            "description: a\noptions:\n  - {planCode: certification.hds.2018}\n  - {planCode: certification.hds.2018, duration: P1Y}".into(),
            "spec.options names an option twice",
        ),
        (
            "options with an adopted project",
            "description: a\nprojectId: 0123456789ab4cdef0123456789abcde\noptions:\n  - {planCode: certification.hds.2018}".into(),
            "spec.options cannot be set with spec.projectId: options are ordered with a new project",
        ),
        (
            "option without plan code",
            "description: a\noptions:\n  - {duration: P1M}".into(),
            "spec.options[0].planCode: Required value",
        ),
        (
            "empty configuration value",
            "description: a\nconfigurations:\n  - {label: vrack, value: \"\"}".into(),
            "spec.configurations[0].value",
        ),
        (
            "openstackUser without writeOutputsTo",
            "description: a\nopenstackUser: {role: administrator}".into(),
            "spec.openstackUser needs spec.writeOutputsTo",
        ),
        (
            "unknown user role",
            "description: a\nwriteOutputsTo: out\nopenstackUser: {role: root}".into(),
            "Unsupported value: \"root\"",
        ),
        (
            "bad outputs Secret name",
            "description: a\nwriteOutputsTo: Not_A_Name".into(),
            "spec.writeOutputsTo",
        ),
    ];
    assert!(cases.len() >= 15);
    for (i, (what, spec, expected)) in cases.iter().enumerate() {
        let out = kubectl_with_input(
            &["create", "-n", &ns, "-f", "-"],
            &manifest(&format!("bad-{i}"), spec),
        );
        let said = text(&out);
        assert!(!out.status.success(), "{what}: accepted, but should be rejected");
        assert!(
            said.contains(expected),
            "{what}: expected {expected:?} in:\n{said}"
        );
    }
    let left = Api::<PublicCloudProject>::namespaced(client, &ns)
        .list(&Default::default())
        .await
        .unwrap();
    assert!(left.items.is_empty(), "nothing invalid was stored");
}

/// Creates a valid resource and records an order in its status, as the operator would.
async fn ordered(api: &Api<PublicCloudProject>, name: &str, extra_spec: &str) {
    let ns = api.namespace().unwrap().to_string();
    let spec = format!("description: a\novhSubsidiary: FR\nvoucher: ABC\n{extra_spec}");
    let out = kubectl_with_input(&["create", "-n", &ns, "-f", "-"], &manifest(name, &spec));
    assert!(out.status.success(), "{}", text(&out));
    let status = json!({"status": {"phase": "AwaitingPayment", "order": {"id": 42, "url": "https://example/order/42"}}});
    api.patch_status(name, &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
}

async fn rejected(api: &Api<PublicCloudProject>, name: &str, spec_patch: serde_json::Value) -> String {
    let patch = json!({ "spec": spec_patch });
    match api
        .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
    {
        Ok(_) => panic!("patch {patch} was accepted but should be rejected"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn what_is_bought_cannot_change_once_an_order_exists() {
    let client = client().await;
    install_crd(&client).await;
    let ns = namespace(&client, "immutable").await;
    let api: Api<PublicCloudProject> = Api::namespaced(client, &ns);

    // Before an order exists, everything may change.
    let out = kubectl_with_input(
        &["create", "-n", &ns, "-f", "-"],
        &manifest("draft", "description: a"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let change = json!({"spec": {"plan": {"duration": "P1Y"}, "ovhSubsidiary": "DE", "voucher": "NEW"}});
    api.patch("draft", &PatchParams::default(), &Patch::Merge(&change))
        .await
        .expect("a draft may change");

    ordered(
        &api,
        "bought",
        "configurations:\n  - {label: infrastructure, value: production}\noptions:\n  - {planCode: certification.hds.2018}",
    )
    .await;
    let cases = [
        (
            json!({"plan": {"duration": "P1Y"}}),
            "spec.plan cannot change once an order exists",
        ),
        (
            json!({"plan": {"planCode": "project"}}),
            "spec.plan cannot change once an order exists",
        ),
        (
            json!({"ovhSubsidiary": "DE"}),
            "spec.ovhSubsidiary cannot change once an order exists",
        ),
        (
            json!({"ovhSubsidiary": null}),
            "spec.ovhSubsidiary cannot change once an order exists",
        ),
        (
            json!({"configurations": []}),
            "spec.configurations cannot change once an order exists",
        ),
        (
            json!({"voucher": "OTHER"}),
            "spec.voucher cannot change once an order exists",
        ),
        (
            json!({"description": "b"}),
            "spec.description cannot change between checkout and delivery: the ordered project's name is fixed until OVH delivers it",
        ),
        (
            json!({"options": []}),
            "spec.options cannot change once an order exists",
        ),
        (
            json!({"options": [{"planCode": "certification.hds.2018", "duration": "P1Y"}]}),
            "spec.options cannot change once an order exists",
        ),
        (
            json!({"projectId": "0123456789ab4cdef0123456789abcde"}),
            "spec.projectId cannot be set once an order exists",
        ),
        (
            json!({"credentialsSecretRef": {"name": "another-account"}}),
            "spec.credentialsSecretRef cannot change once an order exists or a project is recorded",
        ),
    ];
    for (patch, expected) in cases {
        let said = rejected(&api, "bought", patch.clone()).await;
        assert!(
            said.contains(expected),
            "{patch}: expected {expected:?} in {said}"
        );
    }
    // Optional fields that were absent when the order was placed: status writes still pass, and
    // adding them is a change of what is bought.
    let out = kubectl_with_input(
        &["create", "-n", &ns, "-f", "-"],
        &manifest("bare", "description: a"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let status = json!({"status": {"phase": "CheckingOut"}});
    api.patch_status("bare", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .expect("status writes pass the rules");
    let status = json!({"status": {"phase": "AwaitingPayment", "order": {"id": 43}}});
    api.patch_status("bare", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
    for (patch, expected) in [
        (
            json!({"configurations": [{"label": "vrack", "value": "pn-1"}]}),
            "spec.configurations cannot change",
        ),
        (json!({"voucher": "LATE"}), "spec.voucher cannot change"),
        (json!({"ovhSubsidiary": "FR"}), "spec.ovhSubsidiary cannot change"),
        (
            json!({"options": [{"planCode": "certification.hds.2018"}]}),
            "spec.options cannot change",
        ),
    ] {
        let said = rejected(&api, "bare", patch.clone()).await;
        assert!(
            said.contains(expected),
            "{patch}: expected {expected:?} in {said}"
        );
    }
    let labels = json!({"metadata": {"labels": {"team": "a"}}});
    api.patch("bare", &PatchParams::default(), &Patch::Merge(&labels))
        .await
        .expect("metadata stays editable");

    // What is not bought stays editable.
    let change = json!({"spec": {"deletionPolicy": "Terminate", "payment": "Automatic"}});
    api.patch("bought", &PatchParams::default(), &Patch::Merge(&change))
        .await
        .expect("policy may change");

    // Once delivered (status.projectId), the description renames the project: it may change;
    // what was bought still may not.
    let status = json!({"status": {"phase": "Ready", "projectId": "0123456789ab4cdef0123456789abcde"}});
    api.patch_status("bought", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
    let rename = json!({"spec": {"description": "renamed"}});
    api.patch("bought", &PatchParams::default(), &Patch::Merge(&rename))
        .await
        .expect("a delivered project may be renamed");
    let said = rejected(&api, "bought", json!({"options": []})).await;
    assert!(said.contains("spec.options cannot change"), "{said}");
}

/// The rule "something may have been bought" is written twice: in CEL (the CRD freezes what is
/// bought) and in Rust (the planner searches for a lost order). On the same statuses, the API
/// server refuses a change of spec.voucher exactly when `order_may_exist` says so.
#[tokio::test]
async fn the_crd_and_the_planner_agree_on_when_an_order_may_exist() {
    use ovh_publiccloud_operator::api::PublicCloudProjectStatus;
    let client = client().await;
    install_crd(&client).await;
    let ns = namespace(&client, "order-may-exist").await;
    let api: Api<PublicCloudProject> = Api::namespaced(client, &ns);
    let ready = |reason: &str| json!([{"type": "Ready", "status": "False", "reason": reason, "message": "m", "lastTransitionTime": "2026-12-01T00:00:00Z"}]);
    let statuses = [
        json!({}),
        json!({"phase": "Pending"}),
        json!({"phase": "CartReady"}),
        json!({"phase": "AwaitingApproval"}),
        json!({"phase": "CheckingOut"}),
        json!({"phase": "NeedsAttention", "conditions": ready("NeedsAttention")}),
        json!({"phase": "NeedsAttention", "conditions": ready("ProjectExists")}),
        json!({"phase": "NeedsAttention"}),
        json!({"phase": "AwaitingPayment", "order": {"id": 42}}),
        json!({"phase": "Failed", "order": {"id": 42}}),
        json!({"phase": "Failed", "conditions": ready("NeedsAttention")}),
        json!({"phase": "Ready", "projectId": "0123456789ab4cdef0123456789abcde"}),
    ];
    for (i, status) in statuses.iter().enumerate() {
        let name = format!("s{i}");
        let out = kubectl_with_input(
            &["create", "-n", &ns, "-f", "-"],
            &manifest(&name, "description: a\nvoucher: ABC"),
        );
        assert!(out.status.success(), "{}", text(&out));
        api.patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(&json!({ "status": status })),
        )
        .await
        .unwrap_or_else(|e| panic!("{status}: {e}"));
        let rust: PublicCloudProjectStatus = serde_json::from_value(status.clone()).unwrap();
        let change = json!({"spec": {"voucher": "OTHER"}});
        let refused = api
            .patch(&name, &PatchParams::default(), &Patch::Merge(&change))
            .await
            .is_err();
        assert_eq!(
            refused,
            rust.order_may_exist(),
            "status {status}: the CRD {} the change, the planner says an order {} exist",
            if refused { "refuses" } else { "accepts" },
            if rust.order_may_exist() { "may" } else { "cannot" }
        );
    }
}

#[tokio::test]
async fn adopted_project_id_cannot_change() {
    let client = client().await;
    install_crd(&client).await;
    let ns = namespace(&client, "adopt").await;
    let api: Api<PublicCloudProject> = Api::namespaced(client, &ns);
    let spec = "description: a\nprojectId: 0123456789ab4cdef0123456789abcde";
    let out = kubectl_with_input(&["create", "-n", &ns, "-f", "-"], &manifest("adopted", spec));
    assert!(out.status.success(), "{}", text(&out));
    for patch in [
        json!({"projectId": "ffffffffffff4cdef0123456789abcde"}),
        json!({"projectId": null}),
    ] {
        let said = rejected(&api, "adopted", patch.clone()).await;
        assert!(
            said.contains("spec.projectId cannot change or be removed once set"),
            "{patch}: {said}"
        );
    }
    // An adopted project is not ordered: an option added later is refused, not silently dropped;
    // other changes of an adopted resource without options still go through.
    let said = rejected(
        &api,
        "adopted",
        json!({"options": [{"planCode": "certification.hds.2018"}]}),
    )
    .await;
    assert!(
        said.contains("spec.options cannot be set with spec.projectId"),
        "{said}"
    );
    let changed = json!({"spec": {"deletionPolicy": "Terminate", "options": []}});
    api.patch("adopted", &PatchParams::default(), &Patch::Merge(&changed))
        .await
        .expect("an adopted resource without options may change");
}

#[tokio::test]
async fn status_is_written_only_through_the_status_subresource() {
    let client = client().await;
    install_crd(&client).await;
    let ns = namespace(&client, "status").await;
    let api: Api<PublicCloudProject> = Api::namespaced(client, &ns);
    let with_status = format!(
        "{}status:\n  phase: Ready\n  projectId: abc\n",
        manifest("s", "description: a")
    );
    let out = kubectl_with_input(&["create", "-n", &ns, "-f", "-"], &with_status);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        api.get("s").await.unwrap().status,
        None,
        "status in a create is ignored"
    );

    let patch = json!({"status": {"phase": "Ready"}});
    api.patch("s", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    assert_eq!(
        api.get("s").await.unwrap().status,
        None,
        "status on the main resource is ignored"
    );

    api.patch_status("s", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    let status = api.get("s").await.unwrap().status.unwrap();
    assert_eq!(status.phase, Some(ovh_publiccloud_operator::api::Phase::Ready));
}

#[tokio::test]
async fn kubectl_get_shows_the_printer_columns() {
    let client = client().await;
    install_crd(&client).await;
    let ns = namespace(&client, "columns").await;
    let api: Api<PublicCloudProject> = Api::namespaced(client, &ns);
    let out = kubectl_with_input(
        &["create", "-n", &ns, "-f", "-"],
        &manifest("p", "description: a"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let status = json!({"status": {
        "phase": "Ready", "projectId": "0123456789ab4cdef0123456789abcde",
        "order": {"id": 4242, "url": "http://pay.example/4242"},
        "price": {"withTax": "0.00", "withoutTax": "0.00", "currency": "EUR"},
        "spend": {"current": "12.34", "currency": "EUR", "readAt": "2026-01-01T00:00:00Z"},
        "conditions": [{"type": "Ready", "status": "True", "reason": "Delivered", "message": "ok",
                        "lastTransitionTime": "2026-01-01T00:00:00Z"}]}});
    api.patch_status("p", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();

    let out = kubectl(&["get", "pcp", "-n", &ns]);
    let table = text(&out);
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "NAME", "PHASE", "ORDER", "PRICE", "PROJECT", "SPEND", "READY", "AGE"
        ],
        "{table}"
    );
    let row: Vec<&str> = table.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(
        &row[..7],
        [
            "p",
            "Ready",
            "4242",
            "0.00",
            "0123456789ab4cdef0123456789abcde",
            "12.34",
            "True"
        ]
    );

    let wide = text(&kubectl(&["get", "ovh", "-n", &ns, "-o", "wide"]));
    assert_mentions(&wide, &["URL", "http://pay.example/4242"]);
}

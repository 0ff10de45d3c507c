//! Outputs end to end (spec.writeOutputsTo, spec.openstackUser): the Secret other tools read, the
//! one OpenStack user per resource whose password OVH shows once, the Secret made again when
//! deleted (a regenerated password, not a second user), crashes at every step of it, and the
//! user's deletion with the resource.
//!
//! The crash test arms the failpoint: the file is empty without the `failpoints` feature (a
//! `[[test]]` entry would make the image's build need this file too).
#![cfg(feature = "failpoints")]

mod common;

use std::{collections::BTreeMap, time::Duration};

use common::{eventually, logs, operator::Env, sim::delivered_project};
use k8s_openapi::api::core::v1::Secret;
use kube::{Api, ResourceExt, api::DeleteParams};
use ovh_publiccloud_operator::{
    api::{Phase, PublicCloudProject},
    controller::CrashHook,
    simulator::{Region, ledger::LedgerUser},
};
use serde_json::{Value, json};

/// Waits until the Secret `name` holds a `clouds.yaml` whose password is the user's current one
/// at OVH, and returns it with that user (the only live one of the project).
async fn wait_complete(
    env: &Env,
    name: &str,
    project_id: &str,
    seconds: u64,
) -> (BTreeMap<String, String>, LedgerUser) {
    let what = format!("Secret {name} complete");
    eventually(&what, seconds, async || {
        let ledger = env.sim.ledger().await;
        let live: Vec<&LedgerUser> = ledger
            .users_of(project_id)
            .into_iter()
            .filter(|u| !u.deleted)
            .collect();
        let data = env.secret_data(name).await;
        if let (Some(data), [user]) = (&data, live.as_slice())
            && data.contains_key("clouds.yaml")
            && data.get("OS_PASSWORD") == Some(&user.password)
        {
            return Ok((data.clone(), (*user).clone()));
        }
        let status = env
            .api
            .get(name_of_resource(env).await.as_str())
            .await
            .ok()
            .map(|o| o.status);
        let keys = data.map(|d| d.keys().cloned().collect::<Vec<_>>());
        Err((keys, ledger.users, status))
    })
    .await
}

async fn name_of_resource(env: &Env) -> String {
    let list = env.api.list(&Default::default()).await.unwrap();
    list.items.first().map(|o| o.name_any()).unwrap_or_default()
}

/// An adopted project (few order steps, so that the crash test reaches the outputs quickly).
async fn adopted(env: &Env) -> String {
    let client = env.sim.client();
    delivered_project(&env.sim, Region::Eu, &client).await.1
}

fn user_spec(project_id: &str, extra: Value) -> Value {
    let mut spec = json!({
        "description": "Outputs",
        "projectId": project_id,
        "writeOutputsTo": "outputs",
        "openstackUser": {"role": "compute_operator", "description": "CI runner", "region": "GRA11"},
    });
    merge(&mut spec, extra);
    spec
}

fn merge(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (a, b) => *a = b,
    }
}

/// No password the simulator ever issued (creations and regenerations, of every user) shows in
/// the resource (status), its events or the operator's logs.
async fn assert_no_password_leaks(env: &Env, name: &str) {
    let obj: PublicCloudProject = env.api.get(name).await.unwrap();
    let logs = logs::captured();
    let shown = [
        ("status", serde_json::to_string(&obj).unwrap()),
        ("events", format!("{:?}", env.events(name).await)),
        ("logs", logs),
    ];
    let users = env.sim.ledger().await.users;
    assert!(!users.is_empty());
    for user in users {
        assert_eq!(user.passwords.len() as u32, user.passwords_issued, "{user:?}");
        for password in &user.passwords {
            for (place, text) in &shown {
                assert!(
                    !text.contains(password.as_str()),
                    "a password shows in the {place}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ordered_project_hands_its_ids_and_one_user_to_other_tools() {
    logs::capture();
    let env = Env::new("outputs", |_| {}).await;
    let _operator = env.start_operator();
    env.create(
        "team",
        json!({"description": "Team outputs", "payment": "Automatic", "writeOutputsTo": "outputs",
               "openstackUser": {"role": "administrator", "description": "CI runner", "region": "GRA11", "deleteOnOrphan": true}}),
    )
    .await;
    let obj = env.wait_for_phase("team", Phase::Ready, 60).await;
    let status = obj.status.clone().unwrap();
    let project_id = status.project_id.clone().unwrap();
    let (data, user) = wait_complete(&env, "outputs", &project_id, 20).await;

    // What the Secret holds, and that it is the resource's.
    assert_eq!(data["projectId"], project_id);
    assert_eq!(data["orderId"], status.order.as_ref().unwrap().id.to_string());
    assert_eq!(data["endpoint"], env.sim.running.base_url);
    assert_eq!(data["OS_AUTH_URL"], "https://auth.cloud.ovh.net/v3");
    assert_eq!(data["OS_TENANT_ID"], project_id);
    assert_eq!(data["OS_PROJECT_ID"], project_id);
    assert_eq!(data["OS_USERNAME"], user.username);
    assert_eq!(data["OS_REGION_NAME"], "GRA11");
    assert_eq!(data["OS_USER_DOMAIN_NAME"], "Default");
    assert_eq!(data["openstackUserId"], user.user_id.to_string());
    let clouds: Value = serde_yaml::from_str(&data["clouds.yaml"]).unwrap();
    let cloud = &clouds["clouds"]["ovh"];
    assert_eq!(cloud["auth"]["password"], json!(user.password));
    assert_eq!(cloud["auth"]["username"], json!(user.username));
    assert_eq!(cloud["auth"]["project_id"], json!(project_id));
    assert_eq!(cloud["region_name"], json!("GRA11"));
    assert_eq!(user.role, "administrator");
    assert!(
        user.description
            .starts_with("CI runner (ovh-publiccloud-operator:"),
        "{user:?}"
    );
    assert_eq!(
        user.passwords_issued, 1,
        "the creation's password reached the Secret"
    );
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), &env.ns);
    let secret = secrets.get("outputs").await.unwrap();
    let owner = &secret.owner_references()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str(), owner.controller),
        ("PublicCloudProject", "team", Some(true))
    );
    assert_eq!(owner.uid, obj.uid().unwrap());
    let recorded = env
        .api
        .get("team")
        .await
        .unwrap()
        .status
        .unwrap()
        .openstack_user
        .unwrap();
    assert_eq!(recorded.id, Some(user.user_id));
    assert_no_password_leaks(&env, "team").await;

    // Deleted: made again, with a regenerated password of the same user.
    secrets.delete("outputs", &DeleteParams::default()).await.unwrap();
    let (again, same) = wait_complete(&env, "outputs", &project_id, 20).await;
    assert_eq!(same.user_id, user.user_id, "the same user, not a second one");
    assert_eq!(same.passwords_issued, 2, "one regeneration");
    assert_ne!(again["OS_PASSWORD"], data["OS_PASSWORD"]);
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.users_of(&project_id).len(), 1, "{:#?}", ledger.users);
    env.wait_for_event("team", "PasswordRegenerated").await;
    assert_no_password_leaks(&env, "team").await;

    // Orphan with deleteOnOrphan: the project stays, the user goes.
    env.delete("team").await;
    env.wait_gone("team", 30).await;
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.project(&project_id).unwrap().status, "ok");
    assert!(
        ledger.users_of(&project_id).iter().all(|u| u.deleted),
        "{:#?}",
        ledger.users
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletion_keeps_the_user_with_orphan_and_removes_it_with_terminate() {
    // First, in every test: the harness's own logging would otherwise take the global slot.
    logs::capture();
    let env = Env::new("outputs-del", |_| {}).await;
    let _operator = env.start_operator();
    let kept = adopted(&env).await;
    let gone = adopted(&env).await;
    env.create(
        "kept",
        user_spec(&kept, json!({"writeOutputsTo": "kept-outputs"})),
    )
    .await;
    env.create(
        "gone",
        user_spec(
            &gone,
            json!({"writeOutputsTo": "gone-outputs", "deletionPolicy": "Terminate"}),
        ),
    )
    .await;
    wait_complete(&env, "kept-outputs", &kept, 30).await;
    wait_complete(&env, "gone-outputs", &gone, 30).await;
    env.delete("kept").await;
    env.delete("gone").await;
    env.wait_gone("kept", 30).await;
    env.wait_gone("gone", 30).await;
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.project(&kept).unwrap().status, "ok");
    assert!(
        !ledger.users_of(&kept)[0].deleted,
        "Orphan without deleteOnOrphan keeps the user"
    );
    assert_eq!(ledger.project(&gone).unwrap().status, "deleted");
    assert!(ledger.users_of(&gone)[0].deleted, "Terminate deletes the user");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_of_that_name_not_written_by_the_operator_is_left_alone() {
    // First, in every test: the harness's own logging would otherwise take the global slot.
    logs::capture();
    let env = Env::new("outputs-taken", |_| {}).await;
    env.put_secret("outputs", &[("mine", "yes")]).await;
    let _operator = env.start_operator();
    let project_id = adopted(&env).await;
    env.create(
        "p",
        json!({"description": "Taken", "projectId": project_id, "writeOutputsTo": "outputs"}),
    )
    .await;
    let obj = env.wait_for_phase("p", Phase::NeedsAttention, 30).await;
    let ready = common::operator::condition(&obj, "Ready").unwrap();
    assert_eq!(ready.reason, "OutputsSecretTaken");
    let data = env.secret_data("outputs").await.unwrap();
    assert_eq!(data.get("mine").map(String::as_str), Some("yes"));
    assert!(!data.contains_key("projectId"));
}

/// Denies, in namespace `ns` only, the create and update of Secrets whose name starts with
/// `outputs` (a ValidatingAdmissionPolicy: what an RBAC or policy refusal looks like to the
/// operator), and waits until the API server enforces it.
async fn deny_outputs_secrets(env: &Env) {
    let ns = &env.ns;
    let policy = format!(
        r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {{name: deny-outputs-{ns}}}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [secrets]
  validations:
    - expression: "!object.metadata.name.startsWith('outputs')"
      message: "outputs Secrets are refused in this namespace (test policy)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {{name: deny-outputs-{ns}}}
spec:
  policyName: deny-outputs-{ns}
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: {{kubernetes.io/metadata.name: {ns}}}
"#
    );
    let out = common::kubectl_with_input(&["apply", "-f", "-"], &policy);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Enforced once a Secret of such a name (not the operator's) is refused.
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), ns);
    let probe: Secret = serde_json::from_value(json!({"metadata": {"name": "outputs-probe"}})).unwrap();
    eventually("the test policy enforced", 20, async || {
        match secrets.create(&Default::default(), &probe).await {
            Err(kube::Error::Api(s)) if s.message.contains("test policy") => Ok(()),
            Ok(_) => {
                secrets
                    .delete("outputs-probe", &DeleteParams::default())
                    .await
                    .unwrap();
                Err("created".to_string())
            }
            Err(e) => Err(e.to_string()),
        }
    })
    .await;
}

/// Removes the policy of [`deny_outputs_secrets`] and waits until the API server lets such a
/// Secret be written again.
async fn allow_outputs_secrets(env: &Env) {
    let binding = format!("validatingadmissionpolicybinding/deny-outputs-{}", env.ns);
    let policy = format!("validatingadmissionpolicy/deny-outputs-{}", env.ns);
    let out = common::kubectl(&["delete", &binding, &policy]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), &env.ns);
    let probe: Secret = serde_json::from_value(json!({"metadata": {"name": "outputs-probe"}})).unwrap();
    eventually("the test policy lifted", 20, async || {
        secrets.create(&Default::default(), &probe).await.map(drop)
    })
    .await;
    secrets
        .delete("outputs-probe", &DeleteParams::default())
        .await
        .unwrap();
}

/// A Secret the operator cannot write is a condition saying so (with the API server's message),
/// and costs no password: no user is created, and a lost password is not regenerated, until a
/// write succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_secret_is_reported_and_asks_ovh_for_no_password() {
    logs::capture();
    let env = Env::new("outputs-refused", |_| {}).await;
    let project_id = adopted(&env).await;
    deny_outputs_secrets(&env).await;
    let _operator = env.start_operator();
    env.create("p", user_spec(&project_id, json!({}))).await;
    let unwritable = |o: &PublicCloudProject| {
        common::operator::condition(o, "Ready").is_some_and(|c| c.reason == "OutputsSecretUnwritable")
    };
    let obj = env.wait_for("p", 30, unwritable).await;
    let ready = common::operator::condition(&obj, "Ready").unwrap();
    assert!(ready.message.contains("test policy"), "{}", ready.message);
    assert_eq!(obj.status.as_ref().unwrap().phase, Some(Phase::NeedsAttention));
    let (kind, _, _) = env.wait_for_event("p", "OutputsSecretUnwritable").await;
    assert_eq!(kind, "Warning");
    // Passes go on (a change of the resource makes one at once): still no user.
    env.annotate("p", "example.com/poke", "1").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        env.sim.ledger().await.users_of(&project_id).is_empty(),
        "no user while unwritable"
    );

    // Allowed: one user, its password delivered.
    allow_outputs_secrets(&env).await;
    env.annotate("p", "example.com/poke", "2").await;
    let (_, user) = wait_complete(&env, "outputs", &project_id, 30).await;
    assert_eq!(user.passwords_issued, 1);

    // Refused again and the Secret deleted: the lost password is not regenerated while the
    // Secret cannot be written.
    deny_outputs_secrets(&env).await;
    env.delete_secret("outputs").await;
    env.wait_for("p", 30, unwritable).await;
    env.annotate("p", "example.com/poke", "3").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let users = env
        .sim
        .ledger()
        .await
        .users_of(&project_id)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(users.len(), 1, "{users:#?}");
    assert_eq!(users[0].passwords_issued, 1, "no regeneration while unwritable");

    allow_outputs_secrets(&env).await;
    env.annotate("p", "example.com/poke", "4").await;
    let (_, again) = wait_complete(&env, "outputs", &project_id, 30).await;
    assert_eq!(
        (again.user_id, again.passwords_issued),
        (user.user_id, 2),
        "one regeneration"
    );
    assert_no_password_leaks(&env, "p").await;
}

/// The operator is killed at every step of the outputs — before each step's call and between
/// the call and the status write — and restarted: each run ends with the Secret holding the
/// password of exactly one user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_any_step_the_operator_makes_one_user_and_delivers_its_password() {
    logs::capture();
    let mut covered = Vec::new();
    'steps: for step in 1.. {
        for after_call in [false, true] {
            let env = Env::new("outputs-crash", |_| {}).await;
            let project_id = adopted(&env).await;
            let (hook, point) = CrashHook::at(step, after_call);
            let operator = env.start_operator_with(env.options(), hook);
            env.create("p", user_spec(&project_id, json!({}))).await;
            let froze = tokio::time::timeout(Duration::from_secs(20), point.reached.notified())
                .await
                .is_ok();
            operator.kill();
            if !froze {
                assert!(step > 4, "the flow has more than 4 steps");
                break 'steps;
            }
            let at = point.frozen_at.lock().unwrap().clone().unwrap();
            covered.push(format!(
                "{at}{}",
                if after_call { " (after its call)" } else { "" }
            ));
            let _operator = env.start_operator();
            let (_, user) = wait_complete(&env, "outputs", &project_id, 30).await;
            let ledger = env.sim.ledger().await;
            assert_eq!(
                ledger.users_of(&project_id).len(),
                1,
                "killed at {at}: exactly one user: {:#?}",
                ledger.users
            );
            let recorded = env
                .api
                .get("p")
                .await
                .unwrap()
                .status
                .unwrap()
                .openstack_user
                .unwrap();
            assert_eq!(recorded.id, Some(user.user_id), "killed at {at}");
            if covered
                .last()
                .is_some_and(|c| c == "User::Create (after its call)")
            {
                // The answer (and its password) was lost: the user is found by its marker and
                // its password regenerated.
                assert_eq!(user.passwords_issued, 2, "{user:?}");
                env.wait_for_event("p", "OpenstackUserFound").await;
            }
            assert_no_password_leaks(&env, "p").await;
        }
    }
    println!("killed and restarted at: {covered:#?}");
    for expected in [
        "User::Begin",
        "User::Create",
        "User::Create (after its call)",
        "Outputs::Write",
        "Outputs::Write (after its call)",
    ] {
        assert!(
            covered.iter().any(|c| c == expected),
            "{expected} not covered: {covered:?}"
        );
    }
}

/// The creation's answer is lost on the wire (OVH created the user): the user is found by its
/// marker and its password regenerated; no second POST is even tried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_whose_creation_answer_is_lost_is_found_not_created_again() {
    logs::capture();
    let env = Env::new("outputs-lost", |_| {}).await;
    let project_id = adopted(&env).await;
    env.sim
        .fault(json!({"method": "POST", "route": "/cloud/project/{serviceName}/user", "dropResponse": true, "count": 1}))
        .await;
    let _operator = env.start_operator();
    env.create("p", user_spec(&project_id, json!({}))).await;
    let (_, user) = wait_complete(&env, "outputs", &project_id, 30).await;
    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.users_of(&project_id).len(), 1, "{:#?}", ledger.users);
    assert_eq!(user.passwords_issued, 2, "the lost password was replaced");
    assert_eq!(
        env.sim
            .stats()
            .await
            .calls_to("POST /cloud/project/{serviceName}/user"),
        1,
        "no second creation was tried"
    );
    env.wait_for_event("p", "OpenstackUserFound").await;
    assert_no_password_leaks(&env, "p").await;
}

/// Two users carrying the resource's marker (a creation sent again after a slow answer, before
/// this was waited out): the lowest id is kept and delivered, the other named in a Warning, and
/// no user is created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_several_users_with_the_marker_the_lowest_is_kept_and_the_others_named() {
    logs::capture();
    use ovh_publiccloud_operator::ovh::model::ProjectUserCreation;
    let env = Env::new("outputs-extra", |_| {}).await;
    let project_id = adopted(&env).await;
    let obj = env.create("p", user_spec(&project_id, json!({}))).await;
    // As a crashed earlier operator left it: the intent recorded before the grace (6 s in these
    // tests), no id. (Not long ago: waits poll at a fifth of the time since the last intent.)
    let requested = (jiff::Timestamp::now() - std::time::Duration::from_secs(10)).to_string();
    env.api
        .patch_status(
            "p",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(json!({"status": {"openstackUser": {"requestedAt": requested}}})),
        )
        .await
        .unwrap();
    let client = env.sim.client();
    let marker = format!("CI runner (ovh-publiccloud-operator:{})", obj.uid().unwrap());
    let mut ids = Vec::new();
    for _ in 0..2 {
        let creation = ProjectUserCreation {
            description: Some(marker.clone()),
            role: Some("compute_operator".into()),
            roles: vec![],
        };
        ids.push(client.create_user(&project_id, &creation).await.unwrap().user.id);
    }
    ids.sort_unstable();
    let _operator = env.start_operator();
    let kept = ids[0].to_string();
    let data = eventually("the outputs Secret naming the kept user", 30, async || {
        let data = env.secret_data("outputs").await.unwrap_or_default();
        if data.contains_key("clouds.yaml") && data.get("openstackUserId") == Some(&kept) {
            Ok(data)
        } else {
            Err(data)
        }
    })
    .await;
    let ledger = env.sim.ledger().await;
    let user = ledger.users.iter().find(|u| u.user_id == ids[0]).unwrap();
    assert_eq!(data["OS_PASSWORD"], user.password);
    let (kind, _, note) = env.wait_for_event("p", "ExtraOpenstackUsers").await;
    assert_eq!(kind, "Warning");
    assert!(note.contains(&ids[1].to_string()), "{note}");
    assert_eq!(
        env.sim
            .stats()
            .await
            .calls_to("POST /cloud/project/{serviceName}/user"),
        2,
        "the operator created no user"
    );
    let obj = env.api.get("p").await.unwrap();
    assert_eq!(obj.status.unwrap().openstack_user.unwrap().id, Some(ids[0]));
    assert_no_password_leaks(&env, "p").await;
}

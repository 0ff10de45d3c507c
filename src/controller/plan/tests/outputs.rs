//! The planner for outputs: the user made once, its password delivered or regenerated (never a
//! second user), the Secret made again, the user deleted with the resource when the spec says.

use super::*;
use crate::api::OpenstackUserStatus;

const PROJECT: &str = "0123456789ab4cdef0123456789abcde";

fn ready(mut case: Case) -> Case {
    case.spec.project_id = Some(PROJECT.into());
    case.status.project_id = Some(PROJECT.into());
    case.status.project_status = Some("ok".into());
    // Its name recorded as the spec says, so nothing about the name comes first.
    case.status.project_description = Some(case.spec.description.clone());
    case.observed.project = Some(ProjectSeen::Found {
        status: "ok".into(),
        description: Some(case.spec.description.clone()),
    });
    case.day_two_read();
    case
}

fn with_user(mut case: Case) -> Case {
    case.spec.write_outputs_to = Some("out".into());
    case.spec.openstack_user = Some(
        serde_json::from_value(
            serde_json::json!({"role": "compute_operator", "description": "CI", "region": "GRA11"}),
        )
        .unwrap(),
    );
    case
}

fn recorded(case: &mut Case, id: Option<i64>) {
    case.status.openstack_user = Some(OpenstackUserStatus {
        requested_at: "2026-11-27T09:59:00Z".into(),
        id,
        username: id.map(|_| "user-abc".into()),
        deleted_at: None,
    });
}

fn seen(user_id: Option<&str>, password: Option<&str>, clouds: bool) -> Option<Option<SecretSeen>> {
    Some(Some(SecretSeen {
        ours: true,
        project_id: Some(PROJECT.into()),
        user_id: user_id.map(Into::into),
        password: password.map(Into::into),
        has_clouds_yaml: clouds,
    }))
}

fn is_ready(step: &Step) -> bool {
    matches!(
        step,
        Step::Wait {
            phase: Phase::Ready,
            reason: Reason::Ready,
            ..
        }
    )
}

fn written(step: Step) -> Outputs {
    match step {
        Step::Act(Act::Outputs(OutputsAct::Write { name, outputs })) => {
            assert_eq!(name, "out");
            outputs
        }
        other => panic!("expected WriteOutputs, got {other:?}"),
    }
}

#[test]
fn without_outputs_a_ready_project_just_waits() {
    assert!(is_ready(&ready(Case::new()).plan()));
}

#[test]
fn ids_only_are_written_once_then_ready() {
    let mut case = ready(Case::new());
    case.spec.write_outputs_to = Some("out".into());
    assert_eq!(case.plan(), Step::Look(Lookup::OutputsSecret("out".into())));
    case.observed.outputs_secret = Some(None);
    let outputs = written(case.plan());
    assert_eq!(outputs.values["projectId"], PROJECT);
    assert_eq!(outputs.password, None);
    case.observed.outputs_secret = seen(None, None, false);
    assert!(is_ready(&case.plan()));
}

#[test]
fn a_secret_of_someone_else_is_never_overwritten() {
    let mut case = with_user(ready(Case::new()));
    case.observed.outputs_secret = Some(Some(SecretSeen {
        ours: false,
        project_id: None,
        user_id: None,
        password: None,
        has_clouds_yaml: false,
    }));
    assert!(matches!(
        case.plan(),
        Step::Wait {
            phase: Phase::NeedsAttention,
            reason: Reason::OutputsSecretTaken,
            warning: true,
            ..
        }
    ));
}

#[test]
fn the_user_is_created_only_after_its_intent_is_recorded_and_never_twice() {
    let mut case = with_user(ready(Case::new()));
    case.observed.outputs_secret = Some(None);
    case.memory.outputs_writable = true;
    assert_eq!(case.plan(), Step::Act(Act::User(UserAct::Begin)), "intent first");
    recorded(&mut case, None);
    // A restart with the intent recorded but no id: the user may exist, unrecorded.
    let marker = format!("{MARKER_PREFIX}{UID}");
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::UserByMarker {
            project_id: PROJECT.into(),
            marker: marker.clone()
        })
    );
    case.observed.marker_users = Some(vec![77]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::User(UserAct::ReadFound {
            project_id: PROJECT.into(),
            user_id: 77,
            extra: vec![],
        }))
    );
    // None found, the intent older than the grace: stamped anew, then created.
    case.observed.marker_users = Some(vec![]);
    assert_eq!(case.plan(), Step::Act(Act::User(UserAct::Begin)));
    let create = Step::Act(Act::User(UserAct::Create {
        project_id: PROJECT.into(),
        description: format!("CI ({marker})"),
        role: "compute_operator".into(),
    }));
    // In the pass that recorded the intent, nothing can be unrecorded: no lookup.
    case.observed.marker_users = None;
    case.memory.user_begun = true;
    assert_eq!(case.plan(), create);
}

#[test]
fn a_slow_creation_is_waited_for_and_extra_users_are_named_never_used() {
    let mut case = with_user(ready(Case::new()));
    case.observed.outputs_secret = seen(None, None, false);
    case.memory.outputs_writable = true;
    recorded(&mut case, None);
    // The POST may still be running at OVH: within the grace (60 s here) nothing is sent.
    case.status.openstack_user.as_mut().unwrap().requested_at = "2026-11-27T09:59:30Z".into();
    case.observed.marker_users = Some(vec![]);
    let Step::Wait {
        phase,
        reason,
        message,
        requeue,
        ..
    } = case.plan()
    else {
        panic!("{:?}", case.plan())
    };
    assert_eq!(
        (phase, reason, requeue),
        (Phase::Delivering, Reason::WritingOutputs, Requeue::Progress)
    );
    assert!(message.contains("2026-11-27T10:00:30Z"), "{message}");
    // Both the slow one and a second one show: the lowest is kept, the other named.
    case.observed.marker_users = Some(vec![78, 91]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::User(UserAct::ReadFound {
            project_id: PROJECT.into(),
            user_id: 78,
            extra: vec![91],
        }))
    );
    // Past the grace: the intent is stamped again before the next POST.
    case.now = "2026-11-27T10:00:31Z".parse().unwrap();
    case.observed.marker_users = Some(vec![]);
    assert_eq!(case.plan(), Step::Act(Act::User(UserAct::Begin)));
}

#[test]
fn a_lost_password_is_regenerated_never_a_second_user() {
    let mut case = with_user(ready(Case::new()));
    recorded(&mut case, Some(77));
    case.memory.outputs_writable = true;
    for secret in [
        Some(None),
        seen(Some("77"), None, false),
        seen(Some("12"), Some("old"), true),
    ] {
        case.observed.outputs_secret = secret;
        assert_eq!(
            case.plan(),
            Step::Act(Act::User(UserAct::RegeneratePassword {
                project_id: PROJECT.into(),
                user_id: 77
            }))
        );
    }
}

#[test]
fn no_password_is_asked_of_ovh_before_the_pass_wrote_the_secret() {
    // The ids-only Secret is written first (claims the name, proves the write works): a Secret the
    // operator cannot write stops the pass there, before a user or a password is made.
    let ids_only = |case: &Case| {
        let ids = written(case.plan());
        assert_eq!(ids.values["projectId"], PROJECT);
        assert_eq!(ids.password, None);
        ids
    };
    let mut case = with_user(ready(Case::new()));
    case.observed.outputs_secret = Some(None);
    ids_only(&case);
    case.memory.outputs_writable = true;
    assert_eq!(case.plan(), Step::Act(Act::User(UserAct::Begin)));

    // Intent recorded in this pass, creation next: the same.
    recorded(&mut case, None);
    case.memory.user_begun = true;
    case.memory.outputs_writable = false;
    ids_only(&case);
    case.memory.outputs_writable = true;
    assert!(matches!(
        case.plan(),
        Step::Act(Act::User(UserAct::Create { .. }))
    ));

    // A password to regenerate: the same, and the write names the user.
    recorded(&mut case, Some(77));
    case.observed.outputs_secret = seen(Some("77"), None, false);
    case.memory.outputs_writable = false;
    assert_eq!(ids_only(&case).values["openstackUserId"], "77");
    case.memory.outputs_writable = true;
    assert!(matches!(
        case.plan(),
        Step::Act(Act::User(UserAct::RegeneratePassword { user_id: 77, .. }))
    ));
}

#[test]
fn the_password_is_written_first_then_the_openrc_once_the_user_is_ok() {
    let mut case = with_user(ready(Case::new()));
    recorded(&mut case, Some(77));
    case.observed.outputs_secret = Some(None);
    case.memory.new_password = Some("fresh".into());
    let first = written(case.plan());
    assert_eq!(first.password, Some("fresh".into()));
    assert_eq!(first.openrc, None, "the password does not wait for the openrc");
    assert_eq!(first.values["openstackUserId"], "77");

    case.memory.new_password = None;
    case.observed.outputs_secret = seen(Some("77"), Some("fresh"), false);
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::User {
            project_id: PROJECT.into(),
            user_id: 77
        })
    );
    case.observed.user = Some(UserSeen::Found {
        status: "creating".into(),
        username: "user-abc".into(),
    });
    assert!(matches!(
        case.plan(),
        Step::Wait {
            phase: Phase::Delivering,
            reason: Reason::WritingOutputs,
            ..
        }
    ));
    case.observed.user = Some(UserSeen::Found {
        status: "ok".into(),
        username: "user-abc".into(),
    });
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::Openrc {
            project_id: PROJECT.into(),
            user_id: 77,
            region: Some("GRA11".into())
        })
    );
    case.observed.openrc = Some(parse_openrc("export OS_AUTH_URL=https://auth.cloud.ovh.net/v3\n"));
    let full = written(case.plan());
    assert_eq!(
        full.password,
        Some("fresh".into()),
        "the Secret's password is kept"
    );
    assert!(full.openrc.is_some());

    case.observed.outputs_secret = seen(Some("77"), Some("fresh"), true);
    assert!(is_ready(&case.plan()));
}

#[test]
fn a_user_gone_at_ovh_is_forgotten_and_one_not_ok_is_reported() {
    let mut case = with_user(ready(Case::new()));
    recorded(&mut case, Some(77));
    case.observed.outputs_secret = seen(Some("77"), Some("pw"), false);
    case.observed.user = Some(UserSeen::NotFound);
    assert_eq!(case.plan(), Step::Act(Act::User(UserAct::Forget)));
    case.observed.user = Some(UserSeen::Found {
        status: "disabled".into(),
        username: "u".into(),
    });
    assert!(matches!(
        case.plan(),
        Step::Wait {
            reason: Reason::OpenstackUserNotOk,
            warning: true,
            ..
        }
    ));
}

#[test]
fn deletion_deletes_the_user_only_when_the_spec_says() {
    let mut case = with_user(ready(Case::new()));
    recorded(&mut case, Some(77));
    assert!(
        matches!(case.delete(), Step::ReleaseFinalizer { .. }),
        "Orphan keeps the user"
    );
    case.spec.openstack_user.as_mut().unwrap().delete_on_orphan = true;
    let delete = Step::Act(Act::User(UserAct::Delete {
        project_id: PROJECT.into(),
        user_id: 77,
    }));
    assert_eq!(case.delete(), delete);
    case.status.openstack_user.as_mut().unwrap().deleted_at = Some("2026-11-27T10:00:00Z".into());
    assert!(matches!(case.delete(), Step::ReleaseFinalizer { .. }));

    // Terminate: the user goes first (its credentials stop now, not at the token's confirmation).
    case.status.openstack_user.as_mut().unwrap().deleted_at = None;
    case.spec.openstack_user.as_mut().unwrap().delete_on_orphan = false;
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    assert_eq!(case.delete(), delete);
    case.status.openstack_user.as_mut().unwrap().deleted_at = Some("2026-11-27T10:00:00Z".into());
    assert_eq!(case.delete(), Step::Look(Lookup::NewestEmail));

    // A user whose creation was not recorded is looked for by its marker, then deleted.
    recorded(&mut case, None);
    assert!(matches!(case.delete(), Step::Look(Lookup::UserByMarker { .. })));
    case.observed.marker_users = Some(vec![5]);
    assert_eq!(
        case.delete(),
        Step::Act(Act::User(UserAct::Delete {
            project_id: PROJECT.into(),
            user_id: 5
        }))
    );
    case.observed.marker_users = Some(vec![]);
    assert_eq!(case.delete(), Step::Look(Lookup::NewestEmail));
}

#[test]
fn openrc_is_read_as_ovh_writes_it_and_clouds_yaml_is_built_from_it() {
    let openrc = "#!/bin/bash\nexport OS_AUTH_URL=https://auth.cloud.ovh.net/v3\n\
        export OS_IDENTITY_API_VERSION=3\n\
        export OS_USER_DOMAIN_NAME=${OS_USER_DOMAIN_NAME:-\"Default\"}\n\
        export OS_TENANT_ID=abc\nexport OS_TENANT_NAME=\"1234\"\nexport OS_USERNAME=\"user-x\"\n\
        read -sr OS_PASSWORD_INPUT\nexport OS_PASSWORD=$OS_PASSWORD_INPUT\nexport OS_REGION_NAME=\"GRA11\"\n";
    let vars = parse_openrc(openrc);
    assert_eq!(vars["OS_USER_DOMAIN_NAME"], "Default");
    assert_eq!(vars["OS_TENANT_NAME"], "1234");
    assert!(
        !vars.contains_key("OS_PASSWORD"),
        "a shell variable is not a value"
    );
    let outputs = Outputs {
        values: [("projectId".to_string(), "abc".to_string())].into(),
        password: Some("s3cret".into()),
        openrc: Some(vars),
    };
    let data = outputs.secret_data("https://eu.api.ovh.com/1.0", "https://unused/v3");
    assert_eq!(
        data["OS_AUTH_URL"], "https://auth.cloud.ovh.net/v3",
        "the openrc's wins"
    );
    assert_eq!(data["OS_PROJECT_ID"], "abc");
    assert_eq!(data["OS_PASSWORD"], "s3cret");
    let clouds: serde_json::Value = serde_yaml::from_str(&data["clouds.yaml"]).unwrap();
    assert_eq!(clouds["clouds"]["ovh"]["auth"]["password"], "s3cret");
    assert_eq!(clouds["clouds"]["ovh"]["auth"]["project_name"], "1234");
    assert_eq!(clouds["clouds"]["ovh"]["region_name"], "GRA11");
    assert!(
        !format!("{outputs:?}").contains("s3cret"),
        "Debug redacts the password"
    );
}

//! Handing the project to the tools that use it (spec.writeOutputsTo, spec.openstackUser): the
//! OpenStack user made exactly once, its password delivered to the Secret (regenerated when it
//! was lost, never a second user), the Secret made again when deleted, and the user deleted when
//! the resource goes (Terminate, or Orphan with deleteOnOrphan).
//!
//! OVH shows a user's password once, in the creation's answer. The steps, each its own status
//! write: [`UserAct::Begin`] records the intent; [`UserAct::Create`] posts, and its outcome
//! records the user id before anything else; [`OutputsAct::Write`] writes the Secret with the
//! password held in this pass only. A restart between intent and id looks the user up by its
//! description marker (the resource UID) instead of posting again; a restart after the id with a
//! Secret lacking the password calls [`UserAct::RegeneratePassword`]. Before either call the pass
//! writes the Secret with the ids only: it claims the name and proves the write works, so a
//! Secret the operator cannot write never costs a password (nor a regeneration per retry).

use std::collections::BTreeMap;

use super::*;
use crate::{api::OpenstackUser, controller::plan::*};

/// Secret keys written without an OpenStack user.
pub const PROJECT_ID_KEY: &str = "projectId";
pub const ORDER_ID_KEY: &str = "orderId";
/// Key of the OVH user id in the Secret: it tells which user the password belongs to.
pub const USER_ID_KEY: &str = "openstackUserId";
pub const PASSWORD_KEY: &str = "OS_PASSWORD";
pub const CLOUDS_YAML_KEY: &str = "clouds.yaml";
/// Name of the cloud in `clouds.yaml` (`openstack --os-cloud ovh`).
pub const CLOUD_NAME: &str = "ovh";

/// The openrc variables copied into the Secret (as `export NAME=value` in OVH's openrc, v3).
pub const OPENRC_KEYS: &[&str] = &[
    "OS_AUTH_URL",
    "OS_IDENTITY_API_VERSION",
    "OS_USER_DOMAIN_NAME",
    "OS_PROJECT_DOMAIN_NAME",
    "OS_TENANT_ID",
    "OS_TENANT_NAME",
    "OS_USERNAME",
    "OS_REGION_NAME",
];

/// What the outputs Secret holds now, as the planner needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct SecretSeen {
    /// Written by the operator for this resource (its label and this resource as controller
    /// owner). Any other Secret of that name is never overwritten.
    pub ours: bool,
    pub project_id: Option<String>,
    pub user_id: Option<String>,
    /// The user's password as last written (redacted in Debug).
    pub password: Option<Sensitive>,
    pub has_clouds_yaml: bool,
}

/// What OVH shows of the recorded user.
#[derive(Clone, Debug, PartialEq)]
pub enum UserSeen {
    NotFound,
    Found { status: String, username: String },
}

/// What the Secret will hold: plain values, the password (redacted in Debug), and the openrc
/// values when known (then `clouds.yaml` is written too).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Outputs {
    pub values: BTreeMap<String, String>,
    pub password: Option<Sensitive>,
    pub openrc: Option<BTreeMap<String, String>>,
}

impl Outputs {
    /// The Secret's `stringData`; `endpoint` is the OVH API's base URL and `auth_url` the
    /// Keystone URL of that API's cloud (used when no openrc names one).
    pub fn secret_data(&self, endpoint: &str, auth_url: &str) -> BTreeMap<String, String> {
        let mut data = self.values.clone();
        data.insert("endpoint".into(), endpoint.into());
        data.insert("OS_AUTH_URL".into(), auth_url.into());
        if let Some(openrc) = self.openrc.as_ref() {
            for key in OPENRC_KEYS {
                if let Some(v) = openrc.get(*key) {
                    data.insert((*key).into(), v.clone());
                }
            }
            // Keystone v3 names the tenant a project (openstackclient reads either).
            if let Some(v) = openrc.get("OS_TENANT_ID") {
                data.insert("OS_PROJECT_ID".into(), v.clone());
            }
            if let Some(v) = openrc.get("OS_TENANT_NAME") {
                data.insert("OS_PROJECT_NAME".into(), v.clone());
            }
        }
        if let Some(password) = self.password.as_ref() {
            data.insert(PASSWORD_KEY.into(), password.0.clone());
            if self.openrc.is_some() {
                data.insert(CLOUDS_YAML_KEY.into(), clouds_yaml(&data));
            }
        }
        data
    }
}

/// `clouds.yaml` (openstacksdk's format) from the Secret's `OS_*` values. OVH's API has no route
/// that returns one (`…/user/{userId}/openrc` gives a shell script), so it is built here.
pub fn clouds_yaml(data: &BTreeMap<String, String>) -> String {
    let get = |k: &str| data.get(k).cloned().unwrap_or_default();
    let mut auth = serde_json::json!({
        "auth_url": get("OS_AUTH_URL"),
        "username": get("OS_USERNAME"),
        "password": get(PASSWORD_KEY),
        "project_id": get("OS_PROJECT_ID"),
        "project_name": get("OS_PROJECT_NAME"),
        "user_domain_name": data.get("OS_USER_DOMAIN_NAME").cloned().unwrap_or_else(|| "Default".into()),
        "project_domain_name": data.get("OS_PROJECT_DOMAIN_NAME").cloned().unwrap_or_else(|| "Default".into()),
    });
    if let Some(map) = auth.as_object_mut() {
        map.retain(|_, v| v.as_str().is_some_and(|s| !s.is_empty()));
    }
    let mut cloud = serde_json::json!({
        "auth": auth,
        "identity_api_version": 3,
        "interface": "public",
    });
    if let Some(region) = data.get("OS_REGION_NAME") {
        cloud["region_name"] = region.clone().into();
    }
    let doc = serde_json::json!({"clouds": {CLOUD_NAME: cloud}});
    serde_yaml::to_string(&doc).unwrap_or_default()
}

/// The `export NAME=value` lines of an openrc script, quotes removed; values that refer to a
/// shell variable (`$OS_PASSWORD_INPUT`) or a default (`${…:-…}`) are read as OVH writes them:
/// `${OS_USER_DOMAIN_NAME:-"Default"}` gives `Default`, `$X` is skipped.
pub fn parse_openrc(content: &str) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    for line in content.lines() {
        let Some(rest) = line.trim().strip_prefix("export ") else {
            continue;
        };
        let Some((name, value)) = rest.split_once('=') else {
            continue;
        };
        let mut value = value.trim();
        if let Some(inner) = value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
            match inner.split_once(":-") {
                Some((_, default)) => value = default,
                None => continue,
            }
        }
        if value.starts_with('$') {
            continue;
        }
        let value = value.trim_matches('"').trim_matches('\'');
        vars.insert(name.trim().to_string(), value.to_string());
    }
    vars
}

impl Input<'_> {
    /// The user's description at OVH: the spec's, then the marker.
    pub(crate) fn user_description(&self, user: &OpenstackUser) -> String {
        match user
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            Some(d) => format!("{d} ({})", self.marker()),
            None => self.marker(),
        }
    }
}

pub(crate) fn pending(message: String) -> Step {
    wait(
        Phase::Delivering,
        Reason::WritingOutputs,
        message,
        Requeue::Progress,
    )
}

/// The next step for the outputs of a Ready project, or `None` when they are complete.
pub(crate) fn plan_outputs(input: &Input, project_id: &str) -> Option<Step> {
    let (spec, status, observed) = (input.spec, input.status, input.observed);
    let name = spec.write_outputs_to.as_deref()?;
    let mut outputs = Outputs::default();
    outputs
        .values
        .insert(PROJECT_ID_KEY.into(), project_id.to_string());
    if let Some(order) = status.order.as_ref() {
        outputs.values.insert(ORDER_ID_KEY.into(), order.id.to_string());
    }
    let Some(secret) = observed.outputs_secret.as_ref() else {
        return Some(Step::Look(Lookup::OutputsSecret(name.into())));
    };
    if secret.as_ref().is_some_and(|s| !s.ours) {
        return Some(warn(
            Phase::NeedsAttention,
            Reason::OutputsSecretTaken,
            format!(
                "Secret {name} exists and was not written by the operator for this resource: it is \
                 left alone. Delete it or name another Secret in spec.writeOutputsTo"
            ),
            Requeue::Person,
        ));
    }
    let Some(want) = spec.openstack_user.as_ref() else {
        let current = secret
            .as_ref()
            .is_some_and(|s| s.project_id.as_deref() == Some(project_id));
        return (!current).then(|| write(name, outputs));
    };
    let (user_id, username) = match recorded_user(input, want, project_id) {
        Ok(user) => user,
        // Written with the ids only before OVH is asked for a password (see the module's doc).
        Err(UserStep::AsksPassword(step)) => return Some(ids_first(input, name, &outputs).unwrap_or(step)),
        Err(UserStep::Other(step)) => return Some(step),
    };
    outputs.values.insert(USER_ID_KEY.into(), user_id.to_string());
    if let Some(username) = username {
        outputs.values.insert("OS_USERNAME".into(), username);
    }
    deliver(input, (want, project_id, user_id), name, secret.as_ref(), outputs)
}

/// The outputs Secret written with what is known now.
fn write(name: &str, outputs: Outputs) -> Step {
    Step::Act(Act::Outputs(OutputsAct::Write {
        name: name.into(),
        outputs,
    }))
}

/// The Secret written with the ids only, if no write of it succeeded in this pass yet: OVH is
/// asked for no password the Secret cannot receive.
fn ids_first(input: &Input, name: &str, outputs: &Outputs) -> Option<Step> {
    (!input.memory.outputs_writable).then(|| write(name, outputs.clone()))
}

/// The user's password reaches the Secret (regenerated if it was lost), then its openrc once the
/// user is ok. None: the Secret is complete.
fn deliver(
    input: &Input,
    (want, project_id, user_id): (&OpenstackUser, &str, i64),
    name: &str,
    secret: Option<&SecretSeen>,
    mut outputs: Outputs,
) -> Option<Step> {
    let observed = input.observed;
    let same_user = secret.is_some_and(|s| s.user_id.as_deref() == Some(user_id.to_string().as_str()));
    let complete = same_user
        && secret.is_some_and(|s| {
            s.project_id.as_deref() == Some(project_id) && s.password.is_some() && s.has_clouds_yaml
        });
    if complete && input.memory.new_password.is_none() {
        return None;
    }
    let kept = secret.filter(|_| same_user).and_then(|s| s.password.clone());
    let Some(password) = input.memory.new_password.clone().or(kept) else {
        // The password was lost (a crash between OVH's answer and the Secret write, or the Secret
        // was deleted): OVH makes a new one for the same user, once the Secret is writable.
        let regenerate = Step::Act(Act::User(UserAct::RegeneratePassword {
            project_id: project_id.into(),
            user_id,
        }));
        return Some(ids_first(input, name, &outputs).unwrap_or(regenerate));
    };
    outputs.password = Some(password);
    let delivered = same_user && secret.is_some_and(|s| s.password.is_some());
    if !delivered {
        // The password first, on its own: the openrc can wait for the user to be ok.
        return Some(write(name, outputs));
    }
    if let Some(step) = user_not_ready(input, project_id, user_id) {
        return Some(step);
    }
    let Some(openrc) = observed.openrc.as_ref() else {
        return Some(Step::Look(Lookup::Openrc {
            project_id: project_id.into(),
            user_id,
            region: want.region.clone(),
        }));
    };
    outputs.openrc = Some(openrc.clone());
    Some(write(name, outputs))
}

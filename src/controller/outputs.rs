//! The outputs Secret (spec.writeOutputsTo) on the Kubernetes side: read by name, written with
//! server-side apply, labelled and owned (controller reference) by its resource, so that the
//! metadata-only Secret watch maps it back to its resource when it is deleted or changed.

use std::collections::BTreeMap;

use k8s_openapi::{ByteString, api::core::v1::Secret, apimachinery::pkg::apis::meta::v1::ObjectMeta};
use kube::{
    Api, Resource, ResourceExt,
    api::{Patch, PatchParams},
};

use super::plan::{
    CLOUDS_YAML_KEY, Outputs, PASSWORD_KEY, PROJECT_ID_KEY, SecretSeen, Sensitive, USER_ID_KEY,
};
use crate::api::{FIELD_MANAGER, PublicCloudProject};

/// Label on every outputs Secret: the name of the resource whose outputs it holds.
pub const OUTPUTS_OF_LABEL: &str = "publiccloud.ovh-operator.dev/outputs-of";

/// The Keystone URL of the OVH API's cloud, used when no openrc names one: `auth.cloud.ovh.us`
/// for the US API, `auth.cloud.ovh.net` for the others (assumed from OVH's openrc files, whose
/// `OS_AUTH_URL` is what clients use; terraform-provider-ovh reads it from the openrc too).
pub fn auth_url(base_url: &str) -> &'static str {
    if base_url.contains("ovhcloud.com") {
        "https://auth.cloud.ovh.us/v3"
    } else {
        "https://auth.cloud.ovh.net/v3"
    }
}

fn text(secret: &Secret, key: &str) -> Option<String> {
    let data = secret.data.as_ref()?;
    data.get(key).and_then(|b| String::from_utf8(b.0.clone()).ok())
}

/// What the Secret `name` holds, as the planner needs it (`None`: it does not exist).
pub async fn read(
    api: &Api<Secret>,
    obj: &PublicCloudProject,
    name: &str,
) -> kube::Result<Option<SecretSeen>> {
    let Some(secret) = api.get_opt(name).await? else {
        return Ok(None);
    };
    let uid = obj.metadata.uid.as_deref();
    let labelled = secret.labels().get(OUTPUTS_OF_LABEL) == Some(&obj.name_any());
    let owned = secret
        .owner_references()
        .iter()
        .any(|o| o.controller == Some(true) && Some(o.uid.as_str()) == uid);
    Ok(Some(SecretSeen {
        ours: labelled && owned,
        project_id: text(&secret, PROJECT_ID_KEY),
        user_id: text(&secret, USER_ID_KEY),
        password: text(&secret, PASSWORD_KEY).map(Sensitive),
        has_clouds_yaml: text(&secret, CLOUDS_YAML_KEY).is_some(),
    }))
}

/// Writes the Secret `name` with `outputs` (the whole data: keys no longer wanted go).
pub async fn write(
    api: &Api<Secret>,
    obj: &PublicCloudProject,
    name: &str,
    outputs: &Outputs,
    base_url: &str,
) -> kube::Result<SecretSeen> {
    let data: BTreeMap<String, String> = outputs.secret_data(base_url, auth_url(base_url));
    let owner = obj
        .controller_owner_ref(&())
        .expect("a stored resource has a name and uid");
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: obj.namespace(),
            labels: Some(BTreeMap::from([
                (OUTPUTS_OF_LABEL.to_string(), obj.name_any()),
                (
                    "app.kubernetes.io/managed-by".to_string(),
                    FIELD_MANAGER.to_string(),
                ),
            ])),
            owner_references: Some(vec![owner]),
            ..Default::default()
        },
        type_: Some("Opaque".into()),
        data: Some(
            data.iter()
                .map(|(k, v)| (k.clone(), ByteString(v.clone().into_bytes())))
                .collect(),
        ),
        ..Default::default()
    };
    let mut patch = serde_json::to_value(&secret).expect("a Secret serialises");
    patch["apiVersion"] = "v1".into();
    patch["kind"] = "Secret".into();
    api.patch(
        name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&patch),
    )
    .await?;
    Ok(SecretSeen {
        ours: true,
        project_id: data.get(PROJECT_ID_KEY).cloned(),
        user_id: data.get(USER_ID_KEY).cloned(),
        password: data.get(PASSWORD_KEY).cloned().map(Sensitive),
        has_clouds_yaml: data.contains_key(CLOUDS_YAML_KEY),
    })
}

/// The resource an outputs Secret belongs to: its controller owner of our kind, in its
/// namespace (read from metadata only).
pub fn owner_of(secret: &kube::core::PartialObjectMeta<Secret>) -> Option<String> {
    secret.labels().get(OUTPUTS_OF_LABEL)?;
    secret
        .owner_references()
        .iter()
        .find(|o| o.controller == Some(true) && o.kind == PublicCloudProject::kind(&()))
        .map(|o| o.name.clone())
}

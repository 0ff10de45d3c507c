//! Adding and removing the operator's finalizer with JSON patches whose `test` op makes them fail
//! if someone else changed the list meanwhile (as controller-rs does).

use kube::{
    Api, ResourceExt,
    api::{Patch, PatchParams},
};
use serde_json::json;

use crate::api::{FINALIZER, PublicCloudProject};

pub fn has_finalizer(obj: &PublicCloudProject) -> bool {
    obj.finalizers().iter().any(|f| f == FINALIZER)
}

/// Before the first OVH write: from then on, deletion waits for the operator's cleanup.
pub async fn add(api: &Api<PublicCloudProject>, obj: &PublicCloudProject) -> kube::Result<()> {
    let mut finalizers = obj.metadata.finalizers.clone().unwrap_or_default();
    finalizers.push(FINALIZER.to_string());
    patch(api, obj, "add", finalizers).await
}

/// Nothing (more) to do at OVH: let Kubernetes delete the resource. A resource already gone is
/// not an error.
pub async fn remove(api: &Api<PublicCloudProject>, obj: &PublicCloudProject) -> kube::Result<()> {
    match patch(api, obj, "replace", without_ours(obj)).await {
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        other => other,
    }
}

/// The resource's finalizers but the operator's.
pub(crate) fn without_ours(obj: &PublicCloudProject) -> Vec<String> {
    obj.finalizers()
        .iter()
        .filter(|f| *f != FINALIZER)
        .cloned()
        .collect()
}

async fn patch(
    api: &Api<PublicCloudProject>,
    obj: &PublicCloudProject,
    op: &str,
    finalizers: Vec<String>,
) -> kube::Result<()> {
    let patch: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/metadata/finalizers", "value": obj.metadata.finalizers},
        {"op": op, "path": "/metadata/finalizers", "value": finalizers},
    ]))
    .expect("valid JSON patch");
    api.patch(
        &obj.name_any(),
        &PatchParams::default(),
        &Patch::Json::<()>(patch),
    )
    .await
    .map(drop)
}

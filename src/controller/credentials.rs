//! The credentials Secret of a resource (or the operator's default), read and checked: the OVH
//! SDKs' key names, exactly one method. Secret values never reach logs or errors.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::{Api, ResourceExt};

use super::Error;
use crate::{api::PublicCloudProject, ovh::Credentials};

/// Reads the credentials Secret named by the resource (or the operator's default).
pub async fn credentials(
    client: &kube::Client,
    obj: &PublicCloudProject,
    default: Option<&(String, String)>,
) -> Result<(Credentials, SecretVersion), Error> {
    let (ns, name) = match obj.spec.credentials_secret_ref.as_ref() {
        Some(r) => (obj.namespace().unwrap_or_default(), r.name.clone()),
        None => default.cloned().ok_or(Error::NoCredentials)?,
    };
    let secret = match Api::<Secret>::namespaced(client.clone(), &ns)
        .get_opt(&name)
        .await
        .map_err(Error::Kube)?
    {
        Some(s) => s,
        None => return Err(Error::SecretNotFound { namespace: ns, name }),
    };
    let keys: BTreeMap<String, String> = secret
        .data
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
        .chain(secret.string_data.unwrap_or_default())
        .collect();
    let credentials = Credentials::from_keys(&keys).map_err(|e| Error::SecretInvalid {
        namespace: ns.clone(),
        name: name.clone(),
        reason: e.to_string(),
    })?;
    let version = SecretVersion {
        namespace: ns,
        name,
        resource_version: secret.metadata.resource_version,
    };
    Ok((credentials, version))
}

/// Which Secret, in which version, the credentials came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretVersion {
    pub namespace: String,
    pub name: String,
    pub resource_version: Option<String>,
}

//! The credentials Secret of a resource (or the operator's default), read and checked: the OVH
//! SDKs' key names, exactly one method. Secret values never reach logs or errors.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::{Api, ResourceExt};

use super::Error;
use crate::{api::PublicCloudProject, ovh::Credentials};

/// The credentials Secret (namespace, name) a resource uses: its own, or the operator's default
/// where that is allowed.
pub fn secret_ref(
    obj: &PublicCloudProject,
    default: Option<&(String, String)>,
    default_allowed_in: &[String],
) -> Result<(String, String), Error> {
    match obj.spec.credentials_secret_ref.as_ref() {
        Some(r) => Ok((obj.namespace().unwrap_or_default(), r.name.clone())),
        None => {
            let (ns, name) = default.cloned().ok_or(Error::NoCredentials)?;
            let from = obj.namespace().unwrap_or_default();
            if !default_credentials_allowed(&from, &ns, default_allowed_in) {
                return Err(Error::DefaultCredentialsRefused { namespace: from });
            }
            Ok((ns, name))
        }
    }
}

/// Reads the credentials Secret `namespace/name` (one GET: the data of Secrets is not cached).
pub async fn credentials(
    client: &kube::Client,
    (ns, name): (String, String),
) -> Result<(Credentials, SecretVersion), Error> {
    let secret = match Api::<Secret>::namespaced(client.clone(), &ns)
        .get_opt(&name)
        .await
        .map_err(Error::Kube)?
    {
        Some(s) => s,
        None => return Err(Error::SecretNotFound { namespace: ns, name }),
    };
    let resource_version = secret.metadata.resource_version.clone();
    let keys = secret_keys(secret);
    let credentials = Credentials::from_keys(&keys).map_err(|e| Error::SecretInvalid {
        namespace: ns.clone(),
        name: name.clone(),
        reason: e.to_string(),
    })?;
    let version = SecretVersion {
        namespace: ns,
        name,
        resource_version,
    };
    Ok((credentials, version))
}

/// A Secret's keys as text (`data` decoded, `stringData` on top, as the API server merges them):
/// what [`Credentials::from_keys`] reads. Shared with `kubectl pcp plan --credentials-secret`.
pub fn secret_keys(secret: Secret) -> BTreeMap<String, String> {
    secret
        .data
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
        .chain(secret.string_data.unwrap_or_default())
        .collect()
}

/// Which Secret, in which version, the credentials came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretVersion {
    pub namespace: String,
    pub name: String,
    pub resource_version: Option<String>,
}

/// Whether a resource in `namespace` may use the default credentials Secret, which lives in
/// `secret_namespace`: only listed namespaces (`*`: all), by default only the Secret's own.
pub fn default_credentials_allowed(namespace: &str, secret_namespace: &str, allowed: &[String]) -> bool {
    if allowed.is_empty() {
        return namespace == secret_namespace;
    }
    allowed.iter().any(|a| a == "*" || a == namespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_credentials_serve_only_listed_namespaces() {
        assert!(default_credentials_allowed("ops", "ops", &[]));
        assert!(
            !default_credentials_allowed("team-a", "ops", &[]),
            "not by default"
        );
        let listed = ["team-a".to_string(), "team-b".to_string()];
        assert!(default_credentials_allowed("team-a", "ops", &listed));
        assert!(!default_credentials_allowed("team-c", "ops", &listed));
        assert!(default_credentials_allowed("any", "ops", &["*".to_string()]));
    }
}

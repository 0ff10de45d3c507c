//! Who calls OVH: an endpoint plus exactly one authentication method (application keys or an
//! OAuth2 service account), read from SDK-named configuration keys. Secrets are held as
//! `SecretString`s so no `Debug` output ever shows them.

use std::collections::BTreeMap;

use secrecy::SecretString;

use super::endpoint::resolve_endpoint;
use super::error::{OvhError, Result};

/// How a client proves who it is. Secrets are `SecretString`s: their Debug output is redacted.
#[derive(Clone, Debug)]
pub enum Auth {
    /// Application key/secret plus consumer key: every request is signed.
    Application {
        application_key: String,
        application_secret: SecretString,
        consumer_key: SecretString,
    },
    /// OAuth2 service account: a bearer token from the client-credentials flow.
    OAuth2 {
        client_id: String,
        client_secret: SecretString,
    },
}

/// Where and as whom to call OVH.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub endpoint: String,
    pub auth: Auth,
}

impl Credentials {
    /// From configuration keys named as in the OVH SDKs (`endpoint`, `application_key`,
    /// `application_secret`, `consumer_key`, `client_id`, `client_secret`). Exactly one method.
    pub fn from_keys(keys: &BTreeMap<String, String>) -> Result<Self> {
        let get = |k: &str| {
            keys.get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let endpoint = get("endpoint").unwrap_or_else(|| "ovh-eu".into());
        let app = [
            get("application_key"),
            get("application_secret"),
            get("consumer_key"),
        ];
        let oauth = [get("client_id"), get("client_secret")];
        let auth = match (app, oauth) {
            ([Some(ak), Some(as_), Some(ck)], [None, None]) => Auth::Application {
                application_key: ak,
                application_secret: as_.into(),
                consumer_key: ck.into(),
            },
            ([None, None, None], [Some(id), Some(secret)]) => Auth::OAuth2 {
                client_id: id,
                client_secret: secret.into(),
            },
            (app, oauth) => return Err(OvhError::Config(what_is_missing(&app, &oauth).into())),
        };
        resolve_endpoint(&endpoint)?;
        Ok(Self { endpoint, auth })
    }
}

/// Why keys that are not exactly one complete method are refused.
fn what_is_missing(app: &[Option<String>], oauth: &[Option<String>]) -> &'static str {
    let set = |keys: &[Option<String>]| keys.iter().filter(|v| v.is_some()).count();
    match (set(app), set(oauth)) {
        (0, 0) => {
            "no credentials: set application_key, application_secret and consumer_key, \
             or client_id and client_secret"
        }
        (a, o) if a > 0 && o > 0 => {
            "both application keys and OAuth2 client credentials are set; use exactly one method"
        }
        (_, 0) => {
            "incomplete application credentials: application_key, application_secret and \
             consumer_key are all required"
        }
        _ => "incomplete OAuth2 credentials: client_id and client_secret are both required",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn credentials_need_exactly_one_complete_method() {
        let app = keys(&[
            ("application_key", "ak"),
            ("application_secret", "as"),
            ("consumer_key", "ck"),
        ]);
        assert!(matches!(
            Credentials::from_keys(&app).unwrap().auth,
            Auth::Application { .. }
        ));
        let oauth = keys(&[
            ("client_id", "id"),
            ("client_secret", "s"),
            ("endpoint", "ovh-ca"),
        ]);
        let c = Credentials::from_keys(&oauth).unwrap();
        assert!(matches!(c.auth, Auth::OAuth2 { .. }));
        assert_eq!(c.endpoint, "ovh-ca");

        let both = keys(&[
            ("application_key", "ak"),
            ("application_secret", "as"),
            ("consumer_key", "ck"),
            ("client_id", "id"),
        ]);
        assert!(
            Credentials::from_keys(&both)
                .unwrap_err()
                .to_string()
                .contains("exactly one method")
        );
        let partial = keys(&[("application_key", "ak"), ("consumer_key", "ck")]);
        assert!(
            Credentials::from_keys(&partial)
                .unwrap_err()
                .to_string()
                .contains("incomplete application")
        );
        assert!(
            Credentials::from_keys(&keys(&[("client_id", "id")]))
                .unwrap_err()
                .to_string()
                .contains("incomplete OAuth2")
        );
        assert!(
            Credentials::from_keys(&BTreeMap::new())
                .unwrap_err()
                .to_string()
                .contains("no credentials")
        );
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let app = keys(&[
            ("application_key", "ak"),
            ("application_secret", "TOPSECRET-AS"),
            ("consumer_key", "TOPSECRET-CK"),
        ]);
        let debug = format!("{:?}", Credentials::from_keys(&app).unwrap());
        assert!(!debug.contains("TOPSECRET"), "{debug}");
    }
}

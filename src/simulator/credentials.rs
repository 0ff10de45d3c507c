//! Consumer keys: requested with `POST /auth/credential`, validated by a person at their
//! `validationUrl`, and held to their access rules on every signed call, as OVH does. The built-in
//! consumer key (`--consumer-key`, `sim-ck`) is validated with every method on `/*`.
//!
//! Evidence: the request and answer models are OVH's schema (auth.json
//! `auth.ApiCredentialRequestParams`, `auth.ApiCredentialRequest`, `auth.CredentialStateEnum`);
//! `*` in a path matches any subpath (go-ovh `CkRequest.AddRecursiveRules`); the validation URL
//! has the form `https://eu.api.ovh.com/auth/?credentialToken=…` (the SDKs'
//! READMEs, docs/ovh-evidence.md#consumer-keys). Error bodies are cited where they are produced
//! (`gate/auth.rs`).

use std::collections::HashMap;

use rand::{Rng, SeedableRng, rngs::StdRng};

use super::world::SimError;
use crate::ovh::{
    access::{METHODS, allows},
    model::{ApiCredentialRequest, ApiCredentialRequestParams},
};

/// A consumer key the simulator issued.
#[derive(Clone, Debug)]
pub struct IssuedKey {
    /// `(method, path pattern)`.
    pub rules: Vec<(String, String)>,
    /// `auth.CredentialStateEnum`: `pendingValidation` until validated, then `validated`.
    pub state: &'static str,
    /// The `credentialToken` of its validation URL.
    token: String,
    pub redirection: Option<String>,
}

pub struct ConsumerKeys {
    rng: StdRng,
    keys: HashMap<String, IssuedKey>,
}

impl ConsumerKeys {
    /// The built-in key `consumer_key`, validated with full access (`/*` for every method).
    pub fn new(seed: u64, consumer_key: &str) -> Self {
        let mut keys = HashMap::new();
        keys.insert(
            consumer_key.to_string(),
            IssuedKey {
                rules: METHODS
                    .iter()
                    .map(|m| (m.to_string(), "/*".to_string()))
                    .collect(),
                state: "validated",
                token: String::new(),
                redirection: None,
            },
        );
        Self {
            rng: StdRng::seed_from_u64(seed ^ 0xc0_5e_4e_7c),
            keys,
        }
    }

    /// 32 letters and digits, as OVH's keys look (e.g. go-ovh's test vectors).
    fn random_key(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..32)
            .map(|_| ALPHABET[self.rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    }

    /// `POST /auth/credential`: a new key, `pendingValidation`, and where to validate it.
    pub fn issue(
        &mut self,
        params: ApiCredentialRequestParams,
        origin: &str,
    ) -> Result<ApiCredentialRequest, SimError> {
        // accessRules is required and its methods are `auth.HTTPMethodEnum` (schema); the 400
        // bodies are assumed.
        if params.access_rules.is_empty() {
            return Err(SimError::bad_request("accessRules must not be empty"));
        }
        for rule in &params.access_rules {
            if !METHODS.contains(&rule.method.as_str()) {
                return Err(SimError::bad_request(format!(
                    "Invalid value for accessRules.method: {} is not one of {METHODS:?}",
                    rule.method
                )));
            }
            if !rule.path.starts_with('/') && rule.path != "*" {
                return Err(SimError::bad_request(format!(
                    "Invalid value for accessRules.path: {}",
                    rule.path
                )));
            }
        }
        let consumer_key = self.random_key();
        let token = self.random_key();
        let validation_url = format!("{origin}/auth/?credentialToken={token}");
        self.keys.insert(
            consumer_key.clone(),
            IssuedKey {
                rules: params
                    .access_rules
                    .into_iter()
                    .map(|r| (r.method, r.path))
                    .collect(),
                state: "pendingValidation",
                token,
                redirection: params.redirection,
            },
        );
        Ok(ApiCredentialRequest {
            consumer_key,
            state: "pendingValidation".into(),
            validation_url,
        })
    }

    /// The key a validation URL's `credentialToken` names.
    pub fn by_token(&self, token: &str) -> Option<(&String, &IssuedKey)> {
        self.keys
            .iter()
            .find(|(_, k)| !token.is_empty() && k.token == token)
    }

    /// A person validates the key (on its validation page, or through `/_sim/credentials`).
    pub fn validate(&mut self, consumer_key: &str) -> Result<(), SimError> {
        let key = self
            .keys
            .get_mut(consumer_key)
            .ok_or_else(|| SimError::class(404, "Client::NotFound", "This credential does not exist"))?;
        key.state = "validated";
        Ok(())
    }

    /// The rules of a key a signed call carries, or why the call is refused before its signature
    /// is even checked.
    pub fn rules_of(&self, consumer_key: &str) -> Result<&[(String, String)], SimError> {
        match self.keys.get(consumer_key) {
            // "This credential does not exist" (docs/ovh-evidence.md#errors) with py-ovh's
            // INVALID_CREDENTIAL.
            None => Err(SimError::code(
                403,
                "INVALID_CREDENTIAL",
                "This credential does not exist",
            )),
            // While a key waits for validation OVH answers `{"errorCode":"INVALID_CREDENTIAL",
            // "httpCode":"403 Forbidden","message":"This credential is not valid"}`: the comment
            // of the Node client UrielCh/api-ovh-node `packages/core/src/index.ts`, which polls
            // a new key until it is validated.
            Some(k) if k.state != "validated" => Err(SimError::code(
                403,
                "INVALID_CREDENTIAL",
                "This credential is not valid",
            )),
            Some(k) => Ok(&k.rules),
        }
    }
}

/// A signed call outside its key's rules: `{"errorCode":"NOT_GRANTED_CALL","httpCode":"403
/// Forbidden","message":"This call has not been granted"}` (py-ovh maps 403 `NOT_GRANTED_CALL` to
/// `NotGrantedCall`; the message is what users of consumer keys quote, e.g. the certbot and
/// createToken troubleshooting notes; the errorCode/httpCode/message shape is the Node client's
/// `IOvhError`).
pub fn check_granted(rules: &[(String, String)], method: &str, path: &str) -> Result<(), SimError> {
    if allows(rules.iter().map(|(m, p)| (m.as_str(), p.as_str())), method, path) {
        Ok(())
    } else {
        Err(SimError::code(
            403,
            "NOT_GRANTED_CALL",
            "This call has not been granted",
        ))
    }
}

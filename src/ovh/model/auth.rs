//! Consumer keys (`auth`): the request for a new key with its access rules, and OVH's answer.

use serde::{Deserialize, Serialize};

/// `auth.AccessRuleRequest`: one method on one path pattern (`*` matches anything, `/` included).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AccessRuleRequest {
    /// `auth.HTTPMethodEnum`: DELETE, GET, PATCH, POST, PUT.
    pub method: String,
    pub path: String,
}

/// `auth.ApiCredentialRequestParams`, the body of `POST /auth/credential`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApiCredentialRequestParams {
    pub access_rules: Vec<AccessRuleRequest>,
    /// Where OVH sends the person after validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirection: Option<String>,
    /// IP blocks the key may be used from (`ipBlock[]`).
    #[serde(default, rename = "allowedIPs", skip_serializing_if = "Option::is_none")]
    pub allowed_ips: Option<Vec<String>>,
}

/// `auth.ApiCredentialRequest`, the answer of `POST /auth/credential`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApiCredentialRequest {
    pub consumer_key: String,
    /// `auth.CredentialStateEnum`: expired, pendingValidation, refused, validated.
    pub state: String,
    /// Where a person logs in to validate the key.
    pub validation_url: String,
}

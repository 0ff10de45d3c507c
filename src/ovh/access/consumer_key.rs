//! The request for a consumer key with exactly [`ACCESS_RULES`]: `POST /auth/credential`,
//! unsigned but for `X-Ovh-Application`.

use super::ACCESS_RULES;
use crate::ovh::client::{api_error, http_client, read_bounded, redirected};
use crate::ovh::endpoint::resolve_endpoint;
use crate::ovh::error::{OvhError, Result};
use crate::ovh::model::{AccessRuleRequest, ApiCredentialRequest, ApiCredentialRequestParams};

/// The body of `POST /auth/credential` asking for exactly [`ACCESS_RULES`].
pub fn credential_request(
    redirection: Option<String>,
    allowed_ips: Vec<String>,
) -> ApiCredentialRequestParams {
    ApiCredentialRequestParams {
        access_rules: ACCESS_RULES
            .iter()
            .map(|(method, path)| AccessRuleRequest {
                method: method.to_string(),
                path: path.to_string(),
            })
            .collect(),
        redirection,
        allowed_ips: (!allowed_ips.is_empty()).then_some(allowed_ips),
    }
}

/// `POST /auth/credential` on `endpoint` (a name or a base URL) for application `application_key`:
/// unsigned, with `X-Ovh-Application` only (python-ovh `request_consumerkey` calls it with
/// `_need_auth=False`; go-ovh `CkRequest.Do` uses `PostUnAuth`). The key answers
/// `pendingValidation` until a person opens `validationUrl` and validates it.
pub async fn request_consumer_key(
    endpoint: &str,
    application_key: &str,
    params: &ApiCredentialRequestParams,
) -> Result<ApiCredentialRequest> {
    const ROUTE: &str = "/auth/credential";
    let (base_url, _) = resolve_endpoint(endpoint)?;
    let http = http_client(std::time::Duration::from_secs(180))?;
    let body = serde_json::to_vec(params).expect("a credential request serialises");
    let transport = |e: reqwest::Error| OvhError::Transport {
        method: "POST".into(),
        route: ROUTE,
        reason: e.to_string(),
    };
    let response = http
        .post(format!("{base_url}{ROUTE}"))
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .header("X-Ovh-Application", application_key)
        .body(body)
        .send()
        .await
        .map_err(transport)?;
    let status = response.status();
    if status.is_redirection() {
        return Err(redirected("POST", ROUTE, status));
    }
    let headers = response.headers().clone();
    let (bytes, _) = read_bounded(response, 64 << 10).await.map_err(transport)?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| OvhError::Decode {
            method: "POST".into(),
            route: ROUTE,
            expected: "auth.ApiCredentialRequest",
            reason: e.to_string(),
        });
    }
    Err(OvhError::Api(Box::new(api_error(
        "POST", ROUTE, status, &headers, &bytes,
    ))))
}

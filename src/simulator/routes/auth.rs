//! Simulated authentication routes: the server clock, `/auth/details`, consumer-key requests
//! and the OAuth2 client-credentials token endpoint.

use base64::Engine;

use std::collections::HashMap;

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::HeaderMap,
    response::{IntoResponse, Response},
};

use super::{Answer, OvhBody, S};
use crate::{ovh::model::*, simulator::world::SimError};

// ---- auth ---------------------------------------------------------------------------------------

/// A bare integer (schema auth.json `long`; go-ovh and py-ovh compute their clock delta from it).
pub(super) async fn auth_time(State(sim): S) -> Json<i64> {
    Json(sim.server_time())
}

/// `auth.Details` (schema auth.json); tf calls it at start-up (tf `ovh/config.go`).
pub(super) async fn auth_details(headers: HeaderMap) -> Json<serde_json::Value> {
    let method = if headers.contains_key("authorization") {
        "oauth2_client_credentials"
    } else {
        "account"
    };
    Json(serde_json::json!({
        "account": "sim12345-ovh", "method": method, "identities": [], "allowedRoutes": null,
        "roles": [], "user": null, "description": null,
    }))
}

/// A new consumer key with the requested access rules, `pendingValidation` until a person
/// validates it at `validationUrl` (schema auth.json; `credentials.rs`). Unsigned, but the
/// application must be known: an unknown `X-Ovh-Application` is 403 INVALID_KEY "This application
/// key is invalid" (py-ovh maps INVALID_KEY; the message as for signed calls, `gate/auth.rs`).
pub(super) async fn request_credential(
    State(sim): S,
    headers: HeaderMap,
    OvhBody(body): OvhBody<ApiCredentialRequestParams>,
) -> Answer<ApiCredentialRequest> {
    let application = headers.get("x-ovh-application").and_then(|v| v.to_str().ok());
    if application != Some(sim.cfg.application_key.as_str()) {
        return Err(SimError::code(
            403,
            "INVALID_KEY",
            "This application key is invalid",
        ));
    }
    let origin = sim.cfg.public_origin();
    sim.consumer_keys.lock().unwrap().issue(body, &origin).map(Json)
}

/// Client-credentials grant; client id and secret in the form or as HTTP Basic (both are what
/// OAuth2 libraries send).
pub(super) async fn oauth2_token(State(sim): S, headers: HeaderMap, body: Bytes) -> Response {
    sim.count_call(&axum::http::Method::POST, "/auth/oauth2/token");
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(i, p)| (percent_decode(i), percent_decode(p)))
        });
    let (id, secret) = basic.unwrap_or_else(|| {
        (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
        )
    });
    let error = |status: u16, error: &str, description: &str| {
        let status = axum::http::StatusCode::from_u16(status).unwrap();
        (
            status,
            Json(serde_json::json!({"error": error, "error_description": description})),
        )
            .into_response()
    };
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return error(
            400,
            "unsupported_grant_type",
            "only client_credentials is supported",
        );
    }
    if id != sim.cfg.client_id {
        // go-ovh `ovh/ovh_test.go`: `{"error":"invalid_client","error_description":"ovhcloud
        // oauth2 client does not exists"}`; the secret message is assumed.
        return error(401, "invalid_client", "ovhcloud oauth2 client does not exists");
    }
    if secret != sim.cfg.client_secret {
        return error(401, "invalid_client", "ovhcloud oauth2 client secret is invalid");
    }
    Json(TokenResponse {
        access_token: sim.issue_token(),
        token_type: "Bearer".into(),
        expires_in: sim.cfg.token_ttl_secs,
        scope: Some("all".into()),
    })
    .into_response()
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

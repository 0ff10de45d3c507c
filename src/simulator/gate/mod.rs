//! What stands in front of every simulated OVH route, as OVH's own front does: call counting, a
//! query id on every answer, injected faults (`faults`), and authentication (`auth`: AK/AS/CK
//! signature with its timestamp window, or an OAuth2 bearer token).

mod auth;
mod faults;

use std::sync::Arc;

use axum::{
    body::{Body, to_bytes},
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

pub use faults::{CommitAfter, Fault, Faults, LateEffect};

use super::{Sim, world::SimError};
use faults::{Action, after_call, before_call};

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let status = axum::http::StatusCode::from_u16(self.status)
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self.body)).into_response()
    }
}

/// Routes the schema marks `noAuthentication` (they also accept authenticated calls).
pub fn is_no_auth(method: &str, template: &str) -> bool {
    super::routes::ROUTES
        .iter()
        .any(|r| r.method == method && r.template == template && r.no_auth)
}

/// The middleware of every OVH route: counts the call and gives its answer a query id, whatever
/// the answer is.
pub async fn gate(
    State(sim): State<Arc<Sim>>,
    matched: MatchedPath,
    request: Request,
    next: Next,
) -> Response {
    let template = matched
        .as_str()
        .strip_prefix("/1.0")
        .unwrap_or(matched.as_str())
        .to_string();
    let method = request.method().clone();
    // Every answer carries `X-Ovh-Queryid` (go-ovh reads `X-Ovh-QueryID`, py-ovh
    // `X-OVH-QUERYID`; docs/ovh-evidence.md#errors). The `SIM.` value format is assumed.
    let query_id = sim.next_query_id();
    sim.count_call(&method, &template);
    let response = match pass(&sim, &method, &template, request, next).await {
        Ok(response) | Err(response) => response,
    };
    with_query_id(response, &query_id)
}

/// A call from its arrival to its answer: the body read (at most 1 MiB), the faults before the
/// call, authentication, the route itself (told to commit late by a fault), the faults after.
async fn pass(
    sim: &Sim,
    method: &Method,
    template: &str,
    request: Request,
    next: Next,
) -> Result<Response, Response> {
    let (mut parts, body) = request.into_parts();
    let bytes = to_bytes(body, 1 << 20)
        .await
        .map_err(|_| SimError::bad_request("Request body too large").into_response())?;
    let action = before_call(sim, method, template).await?;
    sim.authenticate_request(method, template, &parts, &bytes)
        .map_err(IntoResponse::into_response)?;
    let action = match action {
        Some(Action::CommitAfter(delay)) => {
            parts.extensions.insert(CommitAfter(delay));
            None
        }
        Some(Action::EffectLater(late)) => {
            parts.extensions.insert(late);
            None
        }
        other => other,
    };
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    Ok(after_call(response, action).await)
}

fn with_query_id(mut response: Response, query_id: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(query_id) {
        response.headers_mut().insert("X-Ovh-Queryid", v);
    }
    response
}

impl Sim {
    fn next_query_id(&self) -> String {
        let n = self
            .query_counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!(
            "SIM.ext-1.{:08x}.{n}.{:04x}",
            self.cfg.seed as u32,
            n.wrapping_mul(2654435761) & 0xffff
        )
    }

    pub(super) fn count_call(&self, method: &Method, template: &str) {
        *self
            .stats
            .lock()
            .unwrap()
            .calls
            .entry(format!("{method} {template}"))
            .or_default() += 1;
    }
}

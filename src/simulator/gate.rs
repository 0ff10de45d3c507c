//! What stands in front of every simulated OVH route, as OVH's own front does: call counting, a
//! query id on every answer, injected faults, and authentication (AK/AS/CK signature with its
//! timestamp window, or an OAuth2 bearer token).

use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    body::{Body, to_bytes},
    extract::{MatchedPath, OriginalUri, Request, State},
    http::{HeaderMap, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::Deserialize;

use super::{Sim, credentials, world::SimError};
use crate::ovh::signing::signature;

/// Accepted distance between a request's `X-Ovh-Timestamp` and the server clock. OVH documents
/// none; five minutes is an assumption.
const TIMESTAMP_WINDOW_SECS: i64 = 300;

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let status = axum::http::StatusCode::from_u16(self.status)
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self.body)).into_response()
    }
}

/// One injected fault, as posted to `/_sim/faults`.
#[derive(Deserialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// HTTP method to match; any when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// Path template as in OVH's schema, e.g. `/order/cart/{cartId}/checkout`.
    pub route: String,
    /// Probability (0..=1) that a matching call fails.
    #[serde(default = "always")]
    pub error_rate: f64,
    /// Status of the injected error (429 adds Retry-After when `retryAfter` is set).
    #[serde(default = "server_error")]
    pub status: u16,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Delay added to every matching call.
    #[serde(default)]
    pub latency_ms: u64,
    /// Perform the call, then close the connection without answering.
    #[serde(default)]
    pub drop_response: bool,
    /// Only honoured on `POST /order/cart/{cartId}/checkout`: the checkout waits this long, then
    /// commits the order even if the client has given up and disconnected meanwhile (the commit
    /// runs in a detached task), then answers. Until the commit the cart stays open (not
    /// `readOnly`) and no order exists (assumed: a slow OVH that commits after the client's
    /// timeout, the case the `CheckingOut` recovery is for, docs/explanation/exactly-once.md).
    #[serde(default)]
    pub commit_after_ms: Option<u64>,
    /// The call waits this long before it is handled (a stalled OVH: beyond the client's
    /// timeout, a timeout). Unlike `latencyMs`, only the calls the fault picks (`errorRate`,
    /// `count`) wait. Whether a call the client gave up on still takes effect depends on the
    /// server noticing the closed connection; either is what a real timeout may leave behind.
    #[serde(default)]
    pub stall_ms: Option<u64>,
    /// Test control, not OVH behaviour: the call takes effect, then its answer's body is replaced
    /// by this text (hostile answers: malformed, truncated, of the wrong type). `{pad:N}` in it
    /// becomes N `x` characters (a 10 MB answer without posting 10 MB).
    #[serde(default)]
    pub body: Option<String>,
    /// Test control, not OVH behaviour: with `body` or `slowBodyMs`, the status of the replaced
    /// answer; the real answer's status when absent.
    #[serde(default)]
    pub body_status: Option<u16>,
    /// Test control, not OVH behaviour: the answer's body (the real one, or `body`) is sent one
    /// byte at a time, this many milliseconds apart.
    #[serde(default)]
    pub slow_body_ms: Option<u64>,
    /// How many more times the fault may fire; forever when absent.
    #[serde(default)]
    pub count: Option<u32>,
}

fn always() -> f64 {
    1.0
}
fn server_error() -> u16 {
    500
}

enum Action {
    Fail(SimError, Option<u64>),
    Drop,
    CommitAfter(Duration),
    Stall(Duration),
    Rewrite {
        body: Option<String>,
        status: Option<u16>,
        byte_delay: Option<Duration>,
    },
}

/// Request extension telling the checkout handler to commit late (see [`Fault::commit_after_ms`]).
#[derive(Clone, Copy, Debug)]
pub struct CommitAfter(pub Duration);

pub struct Faults {
    rng: StdRng,
    list: Vec<Fault>,
}

impl Faults {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed ^ 0x5eed_f417),
            list: Vec::new(),
        }
    }

    pub fn add(&mut self, fault: Fault) {
        self.list.push(fault);
    }

    pub fn clear(&mut self) {
        self.list.clear();
    }

    /// Latency to add and what, if anything, goes wrong with this call.
    fn decide(&mut self, method: &Method, route: &str) -> (Duration, Option<Action>) {
        let mut latency = Duration::ZERO;
        let mut action = None;
        for fault in &mut self.list {
            if fault.route != route
                || fault
                    .method
                    .as_deref()
                    .is_some_and(|m| !m.eq_ignore_ascii_case(method.as_str()))
            {
                continue;
            }
            latency += Duration::from_millis(fault.latency_ms);
            if action.is_some()
                || fault.count == Some(0)
                || !self.rng.random_bool(fault.error_rate.clamp(0.0, 1.0))
            {
                continue;
            }
            if let Some(n) = fault.count.as_mut() {
                *n -= 1;
            }
            action = Some(if fault.drop_response {
                Action::Drop
            } else if let Some(ms) = fault.commit_after_ms {
                Action::CommitAfter(Duration::from_millis(ms))
            } else if let Some(ms) = fault.stall_ms {
                Action::Stall(Duration::from_millis(ms))
            } else if fault.body.is_some() || fault.slow_body_ms.is_some() {
                Action::Rewrite {
                    body: fault.body.as_deref().map(expand_padding),
                    status: fault.body_status,
                    byte_delay: fault.slow_body_ms.map(Duration::from_millis),
                }
            } else {
                let message = fault.message.clone().unwrap_or_else(|| match fault.status {
                    429 => "Too many requests".into(),
                    s if s >= 500 => "Internal server error".into(),
                    _ => "Injected error".into(),
                });
                let class = match fault.status {
                    429 => "Client::TooManyRequests",
                    503 => "Server::ServiceUnavailable",
                    s if s >= 500 => "Server::InternalServerError",
                    403 => "Client::Forbidden",
                    404 => "Client::NotFound",
                    _ => "Client::BadRequest",
                };
                Action::Fail(SimError::class(fault.status, class, message), fault.retry_after)
            });
        }
        self.list.retain(|f| f.count != Some(0));
        (latency, action)
    }
}

/// Routes the schema marks `noAuthentication` (they also accept authenticated calls).
pub fn is_no_auth(method: &str, template: &str) -> bool {
    super::routes::ROUTES
        .iter()
        .any(|r| r.method == method && r.template == template && r.no_auth)
}

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
    // `X-OVH-QUERYID`; notes §1.5). The `SIM.` value format is assumed.
    let query_id = sim.next_query_id();
    sim.count_call(&method, &template);

    let (mut parts, body) = request.into_parts();
    let bytes = match to_bytes(body, 1 << 20).await {
        Ok(b) => b,
        Err(_) => {
            return with_query_id(
                SimError::bad_request("Request body too large").into_response(),
                &query_id,
            );
        }
    };

    let (fault_latency, mut action) = sim.faults.lock().await.decide(&method, &template);
    let latency = fault_latency + Duration::from_millis(sim.cfg.latency_ms);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(Action::Stall(delay)) = action {
        tokio::time::sleep(delay).await;
        action = None;
    }
    if let Some(Action::Fail(error, retry_after)) = action {
        let mut response = with_query_id(error.into_response(), &query_id);
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert("Retry-After", HeaderValue::from(secs));
        }
        return response;
    }

    // The URL as the client sent (and signed) it: `nest` strips `/1.0` from `parts.uri`.
    let original = parts
        .extensions
        .get::<OriginalUri>()
        .map(|o| &o.0)
        .unwrap_or(&parts.uri);
    let uri = original.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let url = format!("{}{}", sim.cfg.public_origin(), uri);
    // The path a consumer key's rules are matched against: no `/1.0`, no query string.
    let path = original.path();
    let path = path.strip_prefix("/1.0").unwrap_or(path);
    if let Err(e) = sim.authenticate(
        &method,
        (&url, path),
        &parts.headers,
        &bytes,
        is_no_auth(method.as_str(), &template),
    ) {
        return with_query_id(e.into_response(), &query_id);
    }

    if let Some(Action::CommitAfter(delay)) = action {
        parts.extensions.insert(CommitAfter(delay));
    }
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    if matches!(action, Some(Action::Drop)) {
        // The call took effect; now lose the answer. Unwinding the connection task closes the
        // socket before any byte of the response is written, like a dropped connection.
        std::panic::resume_unwind(Box::new("simulated lost response"));
    }
    let response = match action {
        Some(Action::Rewrite {
            body,
            status,
            byte_delay,
        }) => rewrite(response, body, status, byte_delay).await,
        _ => response,
    };
    with_query_id(response, &query_id)
}

/// `{pad:N}` replaced by N `x` characters (test control).
fn expand_padding(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{pad:") {
        let Some(len) = rest[start..].find('}') else { break };
        let n: usize = rest[start + 5..start + len].parse().unwrap_or(0);
        out.push_str(&rest[..start]);
        out.extend(std::iter::repeat_n('x', n));
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Test control, not OVH behaviour: the answer with its body replaced and/or sent byte by byte.
async fn rewrite(
    response: Response,
    body: Option<String>,
    status: Option<u16>,
    byte_delay: Option<Duration>,
) -> Response {
    let (mut parts, original) = response.into_parts();
    let bytes = match body {
        Some(text) => axum::body::Bytes::from(text),
        None => to_bytes(original, usize::MAX).await.unwrap_or_default(),
    };
    if let Some(status) = status.and_then(|s| axum::http::StatusCode::from_u16(s).ok()) {
        parts.status = status;
    }
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let body = match byte_delay {
        None => Body::from(bytes),
        Some(delay) => Body::from_stream(futures::stream::unfold(0, move |i| {
            let bytes = bytes.clone();
            async move {
                if i >= bytes.len() {
                    return None;
                }
                tokio::time::sleep(delay).await;
                Some((Ok::<_, std::convert::Infallible>(bytes.slice(i..i + 1)), i + 1))
            }
        })),
    };
    Response::from_parts(parts, body)
}

fn with_query_id(mut response: Response, query_id: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(query_id) {
        response.headers_mut().insert("X-Ovh-Queryid", v);
    }
    response
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
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

    /// Server clock, seconds since the epoch (with the configured skew).
    pub(super) fn server_time(&self) -> i64 {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64 + self.cfg.clock_skew_secs
    }

    pub(super) fn issue_token(&self) -> String {
        let token = format!("sim-at-{:032x}", rand::random::<u128>());
        let expiry = std::time::Instant::now() + Duration::from_secs(self.cfg.token_ttl_secs);
        self.tokens.lock().unwrap().insert(token.clone(), expiry);
        token
    }

    /// `target`: the full URL the client signed, and the API path its key's rules must grant.
    fn authenticate(
        &self,
        method: &Method,
        (url, path): (&str, &str),
        headers: &HeaderMap,
        body: &[u8],
        no_auth: bool,
    ) -> Result<(), SimError> {
        // OAuth2 access tokens come as `Authorization: Bearer` (go-ovh `NewOAuth2Client`, py-ovh
        // `ovh/oauth2.py`); the 401 body for a bad token is assumed.
        if let Some(auth) = header(headers, "authorization") {
            let token = auth.strip_prefix("Bearer ").unwrap_or_default();
            let valid = self
                .tokens
                .lock()
                .unwrap()
                .get(token)
                .is_some_and(|exp| *exp > std::time::Instant::now());
            return if valid {
                Ok(())
            } else {
                Err(SimError::code(
                    401,
                    "INVALID_CREDENTIAL",
                    "This credential is not valid",
                ))
            };
        }
        // Routes the schema marks `noAuthentication` also work unsigned (tf signs
        // `POST /order/cart`, the manager does not); the 401 body is assumed.
        let Some(ck) = header(headers, "x-ovh-consumer") else {
            // Unsigned calls to open routes pass whatever application key they carry.
            return if no_auth {
                Ok(())
            } else {
                Err(SimError::class(
                    401,
                    "Client::Unauthorized",
                    "You must login first",
                ))
            };
        };
        // errorCodes INVALID_KEY / INVALID_CREDENTIAL (py-ovh's 403 mapping) and "This credential
        // does not exist" (notes §1.5).
        if header(headers, "x-ovh-application") != Some(self.cfg.application_key.as_str()) {
            return Err(SimError::code(
                403,
                "INVALID_KEY",
                "This application key is invalid",
            ));
        }
        // Unknown or not yet validated keys are refused here (`credentials.rs` cites the bodies).
        let rules = self.consumer_keys.lock().unwrap().rules_of(ck)?.to_vec();
        let timestamp: i64 = header(headers, "x-ovh-timestamp")
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| SimError::code(400, "INVALID_TIMESTAMP", "Invalid timestamp"))?;
        if (timestamp - self.server_time()).abs() > TIMESTAMP_WINDOW_SECS {
            return Err(SimError::code(400, "QUERY_TIME_OUT", "Query out of time"));
        }
        // "$1$" + SHA1(AS+CK+METHOD+URL+BODY+TS) over the URL and raw body the client sent
        // (go-ovh `NewRequest`, py-ovh `raw_call`, their test vectors); mismatch →
        // INVALID_SIGNATURE (php-ovh #62, #80, #97).
        let expected = signature(
            &self.cfg.application_secret,
            ck,
            method.as_str(),
            url,
            &String::from_utf8_lossy(body),
            timestamp,
        );
        if header(headers, "x-ovh-signature") != Some(expected.as_str()) {
            return Err(SimError::code(400, "INVALID_SIGNATURE", "Invalid signature"));
        }
        // A signed call is held to its key's access rules, on routes marked `noAuthentication`
        // too (assumed: OVH documents no exception); 403 NOT_GRANTED_CALL otherwise. The order of
        // the checks (key, time, signature, rules) is assumed.
        credentials::check_granted(&rules, method.as_str(), path)
    }
}

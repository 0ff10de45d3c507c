//! Injected faults (test control, posted to `/_sim/faults`): latency, stalls, error answers,
//! lost answers, late checkout commits and rewritten answers; which call a fault picks is drawn
//! from the simulator's seed.

use std::time::Duration;

use axum::{
    body::{Body, to_bytes},
    http::{HeaderValue, Method},
    response::{IntoResponse, Response},
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::Deserialize;

use crate::simulator::{Sim, world::SimError};

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
    /// Only honoured on `POST /cloud/project/{serviceName}/region`: the call answers this fault's
    /// error (`status`, 500 by default) yet takes effect later: the region appears in `GET
    /// …/region` after this many reads of that route for the project have gone by without it
    /// (public-cloud-roadmap #791: a region may appear hours after its activation failed).
    #[serde(default)]
    pub effect_after_reads: Option<u32>,
    /// Like `effectAfterReads`, after this many milliseconds instead (whichever comes first
    /// when both are set; one read when neither is).
    #[serde(default)]
    pub effect_after_ms: Option<u64>,
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

pub(super) enum Action {
    Fail(SimError, Option<u64>),
    Drop,
    CommitAfter(Duration),
    EffectLater(LateEffect),
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

/// Request extension telling the region handler to answer `error` and take effect later (see
/// [`Fault::effect_after_reads`]).
#[derive(Clone, Debug)]
pub struct LateEffect {
    pub error: SimError,
    pub reads: Option<u32>,
    pub after: Option<Duration>,
}

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
            } else if fault.effect_after_reads.is_some() || fault.effect_after_ms.is_some() {
                Action::EffectLater(LateEffect {
                    error: injected_error(fault),
                    reads: fault.effect_after_reads,
                    after: fault.effect_after_ms.map(Duration::from_millis),
                })
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
                Action::Fail(injected_error(fault), fault.retry_after)
            });
        }
        self.list.retain(|f| f.count != Some(0));
        (latency, action)
    }
}

/// The error answer a fault injects: its status, OVH's class for it, its message.
fn injected_error(fault: &Fault) -> SimError {
    let (class, default_message) = injected(fault.status);
    let message = fault.message.clone().unwrap_or_else(|| default_message.into());
    SimError::class(fault.status, class, message)
}

/// The class and default message of an injected error of `status`: the classes OVH answers
/// with (docs/ovh-evidence.md#errors), `Client::TooManyRequests` assumed (no source shows OVH's
/// 429 body); the messages are assumed.
fn injected(status: u16) -> (&'static str, &'static str) {
    match status {
        429 => ("Client::TooManyRequests", "Too many requests"),
        503 => ("Server::ServiceUnavailable", "Internal server error"),
        500.. => ("Server::InternalServerError", "Internal server error"),
        403 => ("Client::Forbidden", "Injected error"),
        404 => ("Client::NotFound", "Injected error"),
        _ => ("Client::BadRequest", "Injected error"),
    }
}

/// Before the route runs: the faults' latency plus `--latency-ms`, then a stall or an injected
/// error answer (with `Retry-After` when the fault sets one). What is left acts on the call itself
/// ([`Action::CommitAfter`]) or after it ([`after_call`]).
pub(super) async fn before_call(
    sim: &Sim,
    method: &Method,
    template: &str,
) -> Result<Option<Action>, Response> {
    let (fault_latency, action) = sim.faults.lock().await.decide(method, template);
    let latency = fault_latency + Duration::from_millis(sim.cfg.latency_ms);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match action {
        Some(Action::Stall(delay)) => {
            tokio::time::sleep(delay).await;
            Ok(None)
        }
        Some(Action::Fail(error, retry_after)) => {
            let mut response = error.into_response();
            if let Some(secs) = retry_after {
                response
                    .headers_mut()
                    .insert("Retry-After", HeaderValue::from(secs));
            }
            Err(response)
        }
        other => Ok(other),
    }
}

/// After the route ran: its answer lost ([`Fault::drop_response`]) or rewritten.
pub(super) async fn after_call(response: Response, action: Option<Action>) -> Response {
    match action {
        Some(Action::Drop) => {
            // The call took effect; now lose the answer. Unwinding the connection task closes the
            // socket before any byte of the response is written, like a dropped connection.
            std::panic::resume_unwind(Box::new("simulated lost response"))
        }
        Some(Action::Rewrite {
            body,
            status,
            byte_delay,
        }) => rewrite(response, body, status, byte_delay).await,
        _ => response,
    }
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

//! Transport to the OVH v1 API: one client per account sending each call with its timeout, under
//! a rate limit, with retries that never repeat a POST (a POST at OVH can cost money; only the
//! caller may decide to try it again). Authentication is in `auth`, addresses in `routes`,
//! tunables and call counts in `options`.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use backon::{BackoffBuilder, ExponentialBuilder, Retryable};
use reqwest::{Method, StatusCode, header::HeaderMap};
use secrecy::SecretString;
use serde::{Serialize, de::DeserializeOwned};
use tokio::sync::OnceCell;
use tracing::{Instrument, field::Empty};

use super::credentials::{Auth, Credentials};
use super::endpoint::resolve_endpoint;
use super::error::{ApiError, ErrorBody, OvhError, Result};
use super::options::{CallStats, ClientOptions};
use super::routes::Route;

/// The largest answer read from OVH; the rest is never read. OVH's largest answers are id lists
/// (an account's orders): 4 MiB holds some 400,000 ids. A larger or endless answer is an error,
/// not a process out of memory.
pub const MAX_ANSWER_BYTES: usize = 4 << 20;

/// The most offer answers a client keeps: their keys are plan codes of specs, which any resource
/// may set, so the cache starts again rather than grow without end.
const MAX_OFFERS_CACHED: usize = 64;

/// The longest text of OVH's kept in an error (a condition, an event, a log line).
const MAX_MESSAGE_CHARS: usize = 1000;

/// A client of the OVH v1 API. Cheap to clone; clones share the clock delta, token and limit.
#[derive(Clone)]
pub struct OvhClient {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    base_url: String,
    pub(super) token_url: String,
    pub(super) auth: Auth,
    options: ClientOptions,
    /// Server time minus local time, fetched once, lazily, before the first signed call.
    pub(super) time_delta: OnceCell<i64>,
    pub(super) token: tokio::sync::Mutex<Option<(SecretString, Instant)>>,
    next_slot: tokio::sync::Mutex<Instant>,
    /// What the account is offered (plan codes, configuration labels), read only to explain a
    /// refusal and kept for the client's life: never a call on the common path.
    offer_cache: Mutex<BTreeMap<String, Vec<String>>>,
    /// The account's projects (id, description) and when they were listed (never locked across
    /// a call); a burst of new resources shares one listing, whose end `projects_listed` tells.
    pub(super) projects: Mutex<super::projects::ProjectCache>,
    pub(super) projects_listed: tokio::sync::Notify,
}

impl std::fmt::Debug for OvhClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OvhClient")
            .field("base_url", &self.inner.base_url)
            .finish_non_exhaustive()
    }
}

/// A failed attempt, with what the server said about when to come back.
pub(super) struct Failure {
    pub(super) error: OvhError,
    pub(super) retry_after: Option<Duration>,
}

impl From<OvhError> for Failure {
    fn from(error: OvhError) -> Self {
        Self {
            error,
            retry_after: None,
        }
    }
}

impl OvhClient {
    pub fn new(credentials: Credentials, options: ClientOptions) -> Result<Self> {
        let (base_url, token_url) = resolve_endpoint(&credentials.endpoint)?;
        let http = http_client(options.timeout)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url,
                token_url,
                auth: credentials.auth,
                options,
                offer_cache: Mutex::default(),
                projects: Mutex::default(),
                projects_listed: tokio::sync::Notify::new(),
                time_delta: OnceCell::new(),
                token: tokio::sync::Mutex::new(None),
                next_slot: tokio::sync::Mutex::new(Instant::now()),
            }),
        })
    }

    /// A cached answer of [`OvhClient`]'s offer reads, by key.
    pub(super) fn cached_offer(&self, key: &str) -> Option<Vec<String>> {
        self.inner.offer_cache.lock().unwrap().get(key).cloned()
    }

    /// Keeps an offer read; at most [`MAX_OFFERS_CACHED`] of them (the keys come from specs).
    pub(super) fn cache_offer(&self, key: String, values: Vec<String>) {
        let mut cache = self.inner.offer_cache.lock().unwrap();
        if cache.len() >= MAX_OFFERS_CACHED && !cache.contains_key(&key) {
            cache.clear();
        }
        cache.insert(key, values);
    }

    /// The API's base URL, e.g. `https://eu.api.ovh.com/1.0`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    pub fn stats(&self) -> &Arc<CallStats> {
        &self.inner.options.stats
    }

    pub async fn get<R: DeserializeOwned>(&self, route: Route) -> Result<R> {
        self.call(Method::GET, route, None).await
    }

    pub async fn post<B: Serialize, R: DeserializeOwned>(&self, route: Route, body: Option<&B>) -> Result<R> {
        let body = body.map(|b| serde_json::to_vec(b).expect("request bodies serialise"));
        self.call(Method::POST, route, body).await
    }

    pub async fn put<B: Serialize, R: DeserializeOwned>(&self, route: Route, body: &B) -> Result<R> {
        let body = serde_json::to_vec(body).expect("request bodies serialise");
        self.call(Method::PUT, route, Some(body)).await
    }

    pub async fn delete<R: DeserializeOwned>(&self, route: Route) -> Result<R> {
        self.call(Method::DELETE, route, None).await
    }

    /// Sends one call, retrying transient failures of idempotent methods with exponential
    /// backoff and jitter, or after the server's Retry-After; both capped at `retry_max_delay`.
    async fn call<R: DeserializeOwned>(
        &self,
        method: Method,
        route: Route,
        body: Option<Vec<u8>>,
    ) -> Result<R> {
        let o = &self.inner.options;
        let retries = if method == Method::POST { 0 } else { o.max_retries };
        let mut attempt = 0;
        let bytes = (|| self.send_once(&method, &route, body.as_deref()))
            .retry(self.backoff(retries))
            .when(|failure| failure.error.is_transient())
            // No delay left means no retry left, whatever the server says.
            .adjust(|failure, delay| delay.map(|d| failure.retry_after.unwrap_or(d).min(o.retry_max_delay)))
            .notify(|Failure { error, .. }, delay| {
                tracing::info!(method = %method, route = route.template, attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying OVH call");
                attempt += 1;
            })
            .await
            .map_err(|failure| failure.error)?;
        decode(&method, route.template, &bytes)
    }

    /// `retries` delays from `retry_base_delay`, doubling up to `retry_max_delay`, each drawn from
    /// [d/2, d): backon's jitter draws from [d, 2d), halved here.
    fn backoff(&self, retries: u32) -> impl Iterator<Item = Duration> + Send + Sync + Unpin + use<> {
        let o = &self.inner.options;
        ExponentialBuilder::default()
            .with_min_delay(o.retry_base_delay.min(o.retry_max_delay))
            .with_max_delay(o.retry_max_delay)
            .with_factor(2.0)
            .with_jitter()
            .with_max_times(retries as usize)
            .build()
            .map(|d| d / 2)
    }

    async fn send_once(
        &self,
        method: &Method,
        route: &Route,
        body: Option<&[u8]>,
    ) -> Result<Vec<u8>, Failure> {
        let span = tracing::debug_span!("ovh_call", method = %method, route = route.template, status = Empty, query_id = Empty, duration_ms = Empty);
        async {
            self.wait_for_rate_limit().await;
            let url = format!("{}{}", self.inner.base_url, route.path_and_query());
            let mut request = self
                .inner
                .http
                .request(method.clone(), &url)
                .header("Accept", "application/json")
                .timeout(self.timeout_of(route));
            if let Some(body) = body {
                request = request
                    .header("Content-Type", "application/json")
                    .body(body.to_vec());
            }
            request = self
                .authenticate(
                    request,
                    method,
                    &url,
                    body.unwrap_or_default(),
                    route.template != "/auth/time",
                )
                .await?;

            let started = Instant::now();
            let sent = request.send().await;
            let span = tracing::Span::current();
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    self.stats().record(method.as_str(), route.template, 0);
                    return Err(self.transport_error(method, route, e).into());
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            let query_id = header(&headers, "x-ovh-queryid");
            span.record("status", status.as_u16());
            if let Some(q) = &query_id {
                span.record("query_id", q.as_str());
            }
            self.stats()
                .record(method.as_str(), route.template, status.as_u16());
            if status.is_redirection() {
                tracing::warn!(status = status.as_u16(), "OVH call redirected; not followed");
                return Err(redirected(method.as_str(), route.template, status).into());
            }
            let (bytes, cut) = read_bounded(response, MAX_ANSWER_BYTES)
                .await
                .map_err(|e| self.transport_error(method, route, e))?;
            if status.is_success() {
                if cut {
                    return Err(OvhError::Decode {
                        method: method.to_string(),
                        route: route.template,
                        expected: "answer",
                        reason: format!("it is longer than {} MiB", MAX_ANSWER_BYTES >> 20),
                    }
                    .into());
                }
                tracing::debug!("OVH call succeeded");
                return Ok(bytes);
            }
            // Kept on the error too: a POST is never retried here, and its caller decides when
            // to send it again (a payment answered 429, docs/guides/payment.md).
            let retry_after = (status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error())
                .then(|| header(&headers, "retry-after").and_then(|s| s.trim().parse::<u64>().ok()))
                .flatten();
            let parsed: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
            let error = ApiError {
                method: method.to_string(),
                route: route.template,
                status: status.as_u16(),
                class: parsed.class.map(|c| clip(&c, 100)),
                error_code: parsed.error_code.map(|c| clip(&c, 100)),
                message: match parsed.message {
                    Some(m) => clip(&m, MAX_MESSAGE_CHARS),
                    None => clip(&String::from_utf8_lossy(&bytes), 500),
                },
                query_id,
                retry_after,
            };
            if status == StatusCode::NOT_FOUND {
                // Often expected (a project not visible yet, a cart gone): the caller decides.
                tracing::debug!(error = %error, "OVH call failed");
            } else {
                tracing::warn!(error = %error, "OVH call failed");
            }
            let retry_after = retry_after.map(Duration::from_secs);
            Err(Failure {
                error: OvhError::Api(Box::new(error)),
                retry_after,
            })
        }
        .instrument(span)
        .await
    }

    fn timeout_of(&self, route: &Route) -> Duration {
        route.timeout.unwrap_or(self.inner.options.timeout)
    }

    /// The checkout POST's timeout (see [`ClientOptions::checkout_timeout`]).
    pub fn checkout_timeout(&self) -> Duration {
        self.inner
            .options
            .checkout_timeout
            .max(self.inner.options.timeout)
    }

    fn transport_error(&self, method: &Method, route: &Route, e: reqwest::Error) -> OvhError {
        if e.is_timeout() {
            OvhError::Timeout {
                method: method.to_string(),
                route: route.template,
                seconds: self.timeout_of(route).as_secs(),
            }
        } else {
            // without_url: keep errors short; the route template says which call it was.
            let e = e.without_url();
            let mut reason = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                reason.push_str(": ");
                reason.push_str(&s.to_string());
                source = s.source();
            }
            OvhError::Transport {
                method: method.to_string(),
                route: route.template,
                reason,
            }
        }
    }

    async fn wait_for_rate_limit(&self) {
        let Some(per_second) = self.inner.options.rate_limit.filter(|r| *r > 0.0) else {
            return;
        };
        let interval = Duration::from_secs_f64(1.0 / per_second);
        let slot = {
            let mut next = self.inner.next_slot.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + interval;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

/// The HTTP client of every call to an OVH endpoint (and its OAuth2 token URL): it never follows
/// a redirect. Following one would send the signed headers (or the client secret) to whatever
/// host the answer names, and could take an https endpoint's calls to plain http, which the
/// endpoint rules allow only to this machine; a 3xx is an error instead ([`redirected`]).
pub(super) fn http_client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("ovh-publiccloud-operator/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| OvhError::Config(format!("HTTP client: {e}")))
}

/// The error of a call answered with a redirect (where it points is not shown: the answer is
/// not OVH's and may echo anything).
pub(super) fn redirected(method: &str, route: &'static str, status: StatusCode) -> OvhError {
    OvhError::Redirected {
        method: method.to_string(),
        route,
        status: status.as_u16(),
    }
}

fn decode<R: DeserializeOwned>(method: &Method, route: &'static str, bytes: &[u8]) -> Result<R> {
    // OVH answers `null` for void; an empty body (a 204 from a proxy) means the same.
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"null".as_slice()
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|e| OvhError::Decode {
        method: method.to_string(),
        route,
        expected: std::any::type_name::<R>().rsplit("::").next().unwrap_or("value"),
        // serde quotes the offending value: keep it short.
        reason: clip(&e.to_string(), 300),
    })
}

/// Reads at most `limit` bytes of the answer's body (whatever its Content-Length says); whether
/// there was more.
pub(super) async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<(Vec<u8>, bool)> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok((bytes, true));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, false))
}

/// `text` cut to `max` characters (with `…` when cut), control characters (newlines, terminal
/// escapes) as spaces: OVH's words go into conditions, events and log lines.
pub(super) fn clip(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(options: ClientOptions) -> OvhClient {
        let keys =
            [("client_id", "id"), ("client_secret", "secret")].map(|(k, v)| (k.to_string(), v.to_string()));
        OvhClient::new(Credentials::from_keys(&keys.into()).unwrap(), options).unwrap()
    }

    #[test]
    fn retry_delays_double_from_the_base_up_to_the_cap_with_jitter() {
        let options = ClientOptions {
            retry_base_delay: Duration::from_millis(250),
            retry_max_delay: Duration::from_secs(1),
            ..Default::default()
        };
        let client = client(options);
        for _ in 0..50 {
            let delays: Vec<_> = client.backoff(5).collect();
            let caps = [250, 500, 1000, 1000, 1000].map(Duration::from_millis);
            assert_eq!(delays.len(), caps.len(), "one delay per retry");
            for (delay, cap) in delays.iter().zip(caps) {
                assert!(
                    cap / 2 <= *delay && *delay <= cap,
                    "{delay:?} within [{:?}, {cap:?}]",
                    cap / 2
                );
            }
        }
        assert_eq!(client.backoff(0).count(), 0, "no retries, no delays");
    }
}

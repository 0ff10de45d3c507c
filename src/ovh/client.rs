//! Transport to the OVH v1 API: endpoints, credentials, AK/AS/CK signing with the server clock
//! delta, OAuth2 client-credentials tokens, timeouts, a rate limit, and retries that never repeat
//! a POST (a POST at OVH can cost money; only the caller may decide to try it again).

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rand::Rng;
use reqwest::{Method, StatusCode, header::HeaderMap};
use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, de::DeserializeOwned};
use sha1::{Digest, Sha1};
use tokio::sync::OnceCell;
use tracing::{Instrument, field::Empty};

use super::error::{ApiError, ErrorBody, OvhError};
use super::model::TokenResponse;

pub type Result<T, E = OvhError> = std::result::Result<T, E>;

/// `$1$` + hex SHA1 of `AS+CK+METHOD+URL+BODY+TIMESTAMP`: OVH's request signature.
pub fn signature(
    application_secret: &str,
    consumer_key: &str,
    method: &str,
    url: &str,
    body: &str,
    timestamp: i64,
) -> String {
    let mut sha = Sha1::new();
    for (i, part) in [
        application_secret,
        consumer_key,
        method,
        url,
        body,
        &timestamp.to_string(),
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            sha.update(b"+");
        }
        sha.update(part.as_bytes());
    }
    format!("$1${}", hex::encode(sha.finalize()))
}

/// OVH's API endpoints: name, base URL and OAuth2 token URL (go-ovh `ovh/ovh.go` `Endpoints` and
/// `tokensURLs`; python-ovh `ovh/client.py` `ENDPOINTS`, `OAUTH2_TOKEN_URLS`).
const OVH_ENDPOINTS: &[(&str, &str, &str)] = &[
    (
        "ovh-eu",
        "https://eu.api.ovh.com/1.0",
        "https://www.ovh.com/auth/oauth2/token",
    ),
    (
        "ovh-ca",
        "https://ca.api.ovh.com/1.0",
        "https://ca.ovh.com/auth/oauth2/token",
    ),
    (
        "ovh-us",
        "https://api.us.ovhcloud.com/1.0",
        "https://us.ovhcloud.com/auth/oauth2/token",
    ),
];

/// Base URL and OAuth2 token URL for an endpoint name (`ovh-eu`, `ovh-ca`, `ovh-us`) or a literal
/// base URL. OVH's own base URLs (`…/1.0` or `…/v1`) keep their named token URL, as go-ovh looks
/// the token URL up by base URL (`ovh/configuration.go`); only other URLs (a simulator's
/// `http://127.0.0.1:PORT/1.0`) get the token URL at their origin.
pub fn resolve_endpoint(endpoint: &str) -> Result<(String, String)> {
    let known = OVH_ENDPOINTS.iter().find(|(name, base, _)| {
        endpoint == *name
            || endpoint == *base
            || Some(endpoint) == base.strip_suffix("/1.0").map(|o| format!("{o}/v1")).as_deref()
    });
    if let Some((name, base, token)) = known {
        let base = if endpoint == *name { base } else { endpoint };
        return Ok((base.to_string(), token.to_string()));
    }
    let url = reqwest::Url::parse(endpoint).map_err(|_| {
        OvhError::Config(format!(
            "endpoint {endpoint:?} is neither ovh-eu, ovh-ca, ovh-us nor an http(s) URL"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || endpoint.ends_with('/') {
        return Err(OvhError::Config(format!(
            "endpoint {endpoint:?} must be an http(s) base URL without a trailing slash"
        )));
    }
    Ok((
        endpoint.into(),
        format!("{}/auth/oauth2/token", url.origin().ascii_serialization()),
    ))
}

/// Whether the endpoint is OVH's US API, where the plan code, order details and termination
/// differ (terraform-provider-ovh PR #455, `docs/resources/cloud_project.md`).
pub fn is_us_endpoint(endpoint: &str) -> bool {
    endpoint == "ovh-us" || endpoint.starts_with("https://api.us.ovhcloud.com/")
}

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
        let app_set = app.iter().filter(|v| v.is_some()).count();
        let oauth_set = oauth.iter().filter(|v| v.is_some()).count();
        let auth = match (app_set, oauth_set) {
            (3, 0) => {
                let [Some(ak), Some(as_), Some(ck)] = app else {
                    unreachable!()
                };
                Auth::Application {
                    application_key: ak,
                    application_secret: as_.into(),
                    consumer_key: ck.into(),
                }
            }
            (0, 2) => {
                let [Some(id), Some(secret)] = oauth else {
                    unreachable!()
                };
                Auth::OAuth2 {
                    client_id: id,
                    client_secret: secret.into(),
                }
            }
            (a, o) if a > 0 && o > 0 => {
                return Err(OvhError::Config(
                    "both application keys and OAuth2 client credentials are set; use exactly one method"
                        .into(),
                ));
            }
            (0, 0) => {
                return Err(OvhError::Config(
                    "no credentials: set application_key, application_secret and consumer_key, \
                     or client_id and client_secret"
                        .into(),
                ));
            }
            (_, 0) => {
                return Err(OvhError::Config(
                    "incomplete application credentials: application_key, application_secret and \
                     consumer_key are all required"
                        .into(),
                ));
            }
            _ => {
                return Err(OvhError::Config(
                    "incomplete OAuth2 credentials: client_id and client_secret are both required".into(),
                ));
            }
        };
        resolve_endpoint(&endpoint)?;
        Ok(Self { endpoint, auth })
    }
}

/// Tunables of one client.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Per-request timeout.
    pub timeout: Duration,
    /// Timeout of the checkout POST: OVH's SDKs wait 180 s for any answer (go-ovh `ovh/ovh.go`
    /// `DefaultTimeout`, python-ovh `ovh/client.py` `TIMEOUT`), and a checkout can be that slow.
    pub checkout_timeout: Duration,
    /// Retries of a failed GET/PUT/DELETE (never of a POST).
    pub max_retries: u32,
    pub retry_base_delay: Duration,
    pub retry_max_delay: Duration,
    /// Requests per second this client sends at most; `None` for no limit.
    pub rate_limit: Option<f64>,
    /// Where call counts go; share one between clients to count them together.
    pub stats: Arc<CallStats>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            checkout_timeout: Duration::from_secs(180),
            max_retries: 4,
            retry_base_delay: Duration::from_millis(250),
            retry_max_delay: Duration::from_secs(30),
            rate_limit: Some(10.0),
            stats: Arc::default(),
        }
    }
}

/// Calls per (method, path template, HTTP status); status 0 means no answer (timeout/transport).
#[derive(Debug, Default)]
pub struct CallStats(Mutex<BTreeMap<(String, &'static str, u16), u64>>);

impl CallStats {
    fn record(&self, method: &str, route: &'static str, status: u16) {
        *self
            .0
            .lock()
            .unwrap()
            .entry((method.to_string(), route, status))
            .or_default() += 1;
    }

    pub fn snapshot(&self) -> BTreeMap<(String, &'static str, u16), u64> {
        self.0.lock().unwrap().clone()
    }
}

/// One call's path: its template (for logs and metrics) and the concrete path and query.
#[derive(Clone, Debug)]
pub struct Route {
    pub template: &'static str,
    path: String,
    query: Vec<(&'static str, String)>,
    /// Overrides the client's per-request timeout.
    timeout: Option<Duration>,
}

/// Characters left as they are in a path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

impl Route {
    /// Fills each `{param}` of `template` with the next of `args`, percent-encoded.
    pub fn new(template: &'static str, args: &[&str]) -> Self {
        let mut path = String::with_capacity(template.len());
        let mut args = args.iter();
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').expect("template braces balance") + start;
            path.push_str(&rest[..start]);
            let arg = args.next().expect("one argument per template parameter");
            path.extend(utf8_percent_encode(arg, SEGMENT));
            rest = &rest[end + 1..];
        }
        path.push_str(rest);
        assert!(
            args.next().is_none(),
            "more arguments than parameters in {template}"
        );
        Self {
            template,
            path,
            query: Vec::new(),
            timeout: None,
        }
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.query {
            q.append_pair(k, v);
        }
        format!("{}?{}", self.path, q.finish())
    }
}

/// A client of the OVH v1 API. Cheap to clone; clones share the clock delta, token and limit.
#[derive(Clone)]
pub struct OvhClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    token_url: String,
    auth: Auth,
    options: ClientOptions,
    /// Server time minus local time, fetched once, lazily, before the first signed call.
    time_delta: OnceCell<i64>,
    token: tokio::sync::Mutex<Option<(SecretString, Instant)>>,
    next_slot: tokio::sync::Mutex<Instant>,
    /// What the account is offered (plan codes, configuration labels), read only to explain a
    /// refusal and kept for the client's life: never a call on the common path.
    offer_cache: Mutex<BTreeMap<String, Vec<String>>>,
}

impl std::fmt::Debug for OvhClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OvhClient")
            .field("base_url", &self.inner.base_url)
            .finish_non_exhaustive()
    }
}

/// A failed attempt, with what the server said about when to come back.
struct Failure {
    error: OvhError,
    retry_after: Option<Duration>,
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
        let http = reqwest::Client::builder()
            .timeout(options.timeout)
            .user_agent(concat!("ovh-publiccloud-operator/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OvhError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url,
                token_url,
                auth: credentials.auth,
                options,
                offer_cache: Mutex::default(),
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

    pub(super) fn cache_offer(&self, key: String, values: Vec<String>) {
        self.inner.offer_cache.lock().unwrap().insert(key, values);
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
    /// backoff and full jitter, or after the server's Retry-After.
    async fn call<R: DeserializeOwned>(
        &self,
        method: Method,
        route: Route,
        body: Option<Vec<u8>>,
    ) -> Result<R> {
        let retries = if method == Method::POST {
            0
        } else {
            self.inner.options.max_retries
        };
        let mut attempt = 0;
        let bytes = loop {
            match self.send_once(&method, &route, body.as_deref()).await {
                Ok(bytes) => break bytes,
                Err(Failure { error, retry_after }) if attempt < retries && error.is_transient() => {
                    let delay = retry_after
                        .unwrap_or_else(|| self.backoff(attempt))
                        .min(self.inner.options.retry_max_delay);
                    tracing::info!(method = %method, route = route.template, attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying OVH call");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err(failure) => return Err(failure.error),
            }
        };
        decode(&method, route.template, &bytes)
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let o = &self.inner.options;
        let cap = o
            .retry_base_delay
            .saturating_mul(1 << attempt.min(16))
            .min(o.retry_max_delay);
        cap.mul_f64(rand::rng().random_range(0.5..=1.0))
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
            let bytes = response
                .bytes()
                .await
                .map_err(|e| self.transport_error(method, route, e))?;
            if status.is_success() {
                tracing::debug!("OVH call succeeded");
                return Ok(bytes.to_vec());
            }
            let parsed: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
            let error = ApiError {
                method: method.to_string(),
                route: route.template,
                status: status.as_u16(),
                class: parsed.class,
                error_code: parsed.error_code,
                message: parsed
                    .message
                    .unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(500).collect()),
                query_id,
            };
            if status == StatusCode::NOT_FOUND {
                // Often expected (a project not visible yet, a cart gone): the caller decides.
                tracing::debug!(error = %error, "OVH call failed");
            } else {
                tracing::warn!(error = %error, "OVH call failed");
            }
            let retry_after = (status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error())
                .then(|| {
                    header(&headers, "retry-after")
                        .and_then(|s| s.parse::<u64>().ok())
                        .map(Duration::from_secs)
                })
                .flatten();
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

    async fn authenticate(
        &self,
        request: reqwest::RequestBuilder,
        method: &Method,
        url: &str,
        body: &[u8],
        needs_auth: bool,
    ) -> Result<reqwest::RequestBuilder, Failure> {
        match &self.inner.auth {
            Auth::Application {
                application_key,
                application_secret,
                consumer_key,
            } => {
                let request = request.header("X-Ovh-Application", application_key);
                if !needs_auth {
                    return Ok(request);
                }
                let timestamp = now_unix() + self.time_delta().await.map_err(Failure::from)?;
                let sig = signature(
                    application_secret.expose_secret(),
                    consumer_key.expose_secret(),
                    method.as_str(),
                    url,
                    std::str::from_utf8(body).unwrap_or_default(),
                    timestamp,
                );
                Ok(request
                    .header("X-Ovh-Consumer", consumer_key.expose_secret())
                    .header("X-Ovh-Timestamp", timestamp.to_string())
                    .header("X-Ovh-Signature", sig))
            }
            Auth::OAuth2 {
                client_id,
                client_secret,
            } if needs_auth => {
                let token = self.access_token(client_id, client_secret).await?;
                Ok(request.bearer_auth(token.expose_secret()))
            }
            Auth::OAuth2 { .. } => Ok(request),
        }
    }

    /// `GET /auth/time` once per client: signatures carry the server's clock, not ours.
    async fn time_delta(&self) -> Result<i64> {
        self.inner
            .time_delta
            .get_or_try_init(|| async {
                // Boxed: /auth/time is itself sent through `call`, unsigned, so this never recurses.
                let server: i64 = Box::pin(self.get(Route::new("/auth/time", &[]))).await?;
                let delta = server - now_unix();
                tracing::debug!(delta, "OVH clock delta");
                Ok(delta)
            })
            .await
            .copied()
    }

    /// A cached bearer token, renewed 10 % of its lifetime (at least 10 s) before it expires.
    async fn access_token(
        &self,
        client_id: &str,
        client_secret: &SecretString,
    ) -> Result<SecretString, Failure> {
        let mut cached = self.inner.token.lock().await;
        if let Some((token, renew_at)) = cached.as_ref()
            && Instant::now() < *renew_at
        {
            return Ok(token.clone());
        }
        let token_url = &self.inner.token_url;
        let oauth_error = |status: Option<u16>, reason: String| OvhError::OAuth2 {
            token_url: token_url.clone(),
            status,
            reason,
        };
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", client_secret.expose_secret()),
            ("scope", "all"),
        ];
        let response = self
            .inner
            .http
            .post(token_url)
            .form(&form)
            .send()
            .await
            .map_err(|e| oauth_error(None, e.without_url().to_string()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| oauth_error(Some(status.as_u16()), e.without_url().to_string()))?;
        if !status.is_success() {
            let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            let reason = match (body["error"].as_str(), body["error_description"].as_str()) {
                (Some(e), Some(d)) => format!("{e}: {d}"),
                (Some(e), None) => e.to_string(),
                _ => format!("HTTP {status}"),
            };
            return Err(oauth_error(Some(status.as_u16()), reason).into());
        }
        let token: TokenResponse = serde_json::from_slice(&bytes)
            .map_err(|e| oauth_error(Some(status.as_u16()), format!("unexpected token response: {e}")))?;
        let lifetime = Duration::from_secs(token.expires_in);
        let renew_at = Instant::now() + lifetime.saturating_sub((lifetime / 10).max(Duration::from_secs(10)));
        let secret = SecretString::from(token.access_token);
        *cached = Some((secret.clone(), renew_at));
        Ok(secret)
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
        reason: e.to_string(),
    })
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const AK_AS: &str = "9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk";
    const CK: &str = "5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY";
    const TS: i64 = 1457018875;

    /// Vectors from go-ovh `ovh_test.go` and python-ovh `test_client.py` (the last two computed
    /// independently with Python's hashlib).
    #[test]
    fn signatures_match_the_sdk_test_vectors() {
        let vectors = [
            (
                "GET",
                "https://eu.api.ovh.com/1.0/auth",
                "",
                "$1$e9556054b6309771395efa467c22e627407461ad",
            ),
            (
                "POST",
                "https://eu.api.ovh.com/1.0/auth",
                r#"{"a":"b","c":"d"}"#,
                "$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1",
            ),
            (
                "PUT",
                "https://eu.api.ovh.com/1.0/auth",
                r#"{"a":"b","c":"d"}"#,
                "$1$8a75a9e7c8e7296c9dbeda6a2a735eb6bd58ec4b",
            ),
            (
                "DELETE",
                "https://eu.api.ovh.com/1.0/auth",
                "",
                "$1$a1eecd00b3b02b6cf5708b84b9ff42059a950d85",
            ),
            (
                "GET",
                "https://eu.api.ovh.com/1.0/authTO",
                "",
                "$1$1f0958be70f095ddaba525778a9ac1dcffac89f3",
            ),
            (
                "GET",
                "https://eu.api.ovh.com/1.0/call",
                "",
                "$1$7f2db49253edfc41891023fcd1a54cf61db05fbb",
            ),
            (
                "GET",
                "https://eu.api.ovh.com/v1/call",
                "",
                "$1$e6e7906d385eb28adcbfbe6b66c1528a42d741ad",
            ),
            (
                "GET",
                "https://eu.api.ovh.com/v2/call",
                "",
                "$1$bb63b132a6f84ad5433d0c534d48d3f7c3804285",
            ),
            (
                "POST",
                "https://eu.api.ovh.com/1.0/order/cart",
                r#"{"ovhSubsidiary":"FR"}"#,
                "$1$3825b99e24075550735799e9d7a76f89a1ae9c0b",
            ),
            (
                "GET",
                "https://eu.api.ovh.com/1.0/me/payment/method?default=true",
                "",
                "$1$9a41e869d6075e1666b2d2b2b8c704ff2d69524e",
            ),
        ];
        for (method, url, body, expected) in vectors {
            assert_eq!(
                signature(AK_AS, CK, method, url, body, TS),
                expected,
                "{method} {url}"
            );
        }
    }

    #[test]
    fn endpoints_resolve_like_the_sdks() {
        assert_eq!(
            resolve_endpoint("ovh-eu").unwrap().0,
            "https://eu.api.ovh.com/1.0"
        );
        assert_eq!(
            resolve_endpoint("ovh-ca").unwrap().0,
            "https://ca.api.ovh.com/1.0"
        );
        assert_eq!(
            resolve_endpoint("ovh-us").unwrap().0,
            "https://api.us.ovhcloud.com/1.0"
        );
        let (base, token) = resolve_endpoint("http://127.0.0.1:8080/1.0").unwrap();
        assert_eq!(
            (base.as_str(), token.as_str()),
            (
                "http://127.0.0.1:8080/1.0",
                "http://127.0.0.1:8080/auth/oauth2/token"
            )
        );
        assert!(resolve_endpoint("http://127.0.0.1:8080/1.0/").is_err());
        assert!(resolve_endpoint("ovh-mars").is_err());
    }

    #[test]
    fn ovh_base_urls_keep_the_named_token_url() {
        for (base, token) in [
            (
                "https://eu.api.ovh.com/1.0",
                "https://www.ovh.com/auth/oauth2/token",
            ),
            (
                "https://eu.api.ovh.com/v1",
                "https://www.ovh.com/auth/oauth2/token",
            ),
            (
                "https://ca.api.ovh.com/1.0",
                "https://ca.ovh.com/auth/oauth2/token",
            ),
            (
                "https://ca.api.ovh.com/v1",
                "https://ca.ovh.com/auth/oauth2/token",
            ),
            (
                "https://api.us.ovhcloud.com/1.0",
                "https://us.ovhcloud.com/auth/oauth2/token",
            ),
            (
                "https://api.us.ovhcloud.com/v1",
                "https://us.ovhcloud.com/auth/oauth2/token",
            ),
        ] {
            assert_eq!(
                resolve_endpoint(base).unwrap(),
                (base.to_string(), token.to_string()),
                "{base}"
            );
        }
        // Not OVH's: the token URL is at the URL's own origin.
        assert_eq!(
            resolve_endpoint("https://eu.api.ovh.com.example/1.0").unwrap().1,
            "https://eu.api.ovh.com.example/auth/oauth2/token"
        );
        assert!(is_us_endpoint("ovh-us"));
        assert!(is_us_endpoint("https://api.us.ovhcloud.com/1.0"));
        assert!(!is_us_endpoint("ovh-eu"));
        assert!(!is_us_endpoint("http://127.0.0.1:8080/1.0"));
    }

    #[test]
    fn routes_fill_and_encode_parameters() {
        let r = Route::new("/order/cart/{cartId}/item/{itemId}", &["a b/c", "7"]);
        assert_eq!(r.path_and_query(), "/order/cart/a%20b%2Fc/item/7");
        let r = Route::new("/order/cart", &[]).query("description", "ovh-operator uid=1&x");
        assert_eq!(
            r.path_and_query(),
            "/order/cart?description=ovh-operator+uid%3D1%26x"
        );
    }

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

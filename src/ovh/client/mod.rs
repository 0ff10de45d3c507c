//! Transport to the OVH v1 API: one client per account sending each call with its timeout, under
//! a rate limit, with retries that never repeat a POST (a POST at OVH can cost money; only the
//! caller may decide to try it again; which errors are retried is their disposition,
//! `error::Disposition`). One attempt is in `send`, bounded reads and OVH's error answers in
//! `wire`, authentication in `ovh::auth`, addresses in `ovh::routes`, tunables and call counts in
//! `ovh::options`; the typed calls are in `ovh::calls`.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use backon::{BackoffBuilder, ExponentialBuilder, Retryable};
use reqwest::Method;
use secrecy::SecretString;
use serde::{Serialize, de::DeserializeOwned};
use tokio::sync::OnceCell;

use super::credentials::{Auth, Credentials};
use super::endpoint::resolve_endpoint;
use super::error::{OvhError, Result};
use super::options::{CallStats, ClientOptions};
use super::routes::Route;

mod limit;
mod send;
mod wire;

use limit::Limiter;
pub use limit::{HOLD_OFF, Lane};

pub use wire::MAX_ANSWER_BYTES;
use wire::decode;
pub(in crate::ovh) use wire::{api_error, clip, http_client, read_bounded, redirected};

/// The most offer answers a client keeps: their keys are plan codes of specs, which any resource
/// may set, so the cache starts again rather than grow without end.
const MAX_OFFERS_CACHED: usize = 64;

/// A client of the OVH v1 API. Cheap to clone; clones share the clock delta, token and limit.
/// Its calls go in the priority lane of the rate limit; [`OvhClient::routine`]'s in the routine
/// lane ([`Lane`]).
#[derive(Clone)]
pub struct OvhClient {
    pub(super) inner: Arc<Inner>,
    lane: Lane,
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
    limiter: Limiter,
    /// What the account is offered (plan codes, configuration labels), read only to explain a
    /// refusal and kept for the client's life: never a call on the common path.
    offer_cache: Mutex<BTreeMap<String, Vec<String>>>,
    /// The account's projects (id, description) and when they were listed (never locked across
    /// a call); a burst of new resources shares one listing, whose end `projects_listed` tells.
    pub(super) projects: Mutex<super::projects::ProjectCache>,
    pub(super) projects_listed: tokio::sync::Notify,
    /// Orders' contents, read once each (`ovh::orders`).
    pub(super) orders: super::orders::OrderCache,
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
        let limiter = Limiter::new(options.rate_limit);
        Ok(Self {
            lane: Lane::Priority,
            inner: Arc::new(Inner {
                http,
                base_url,
                token_url,
                auth: credentials.auth,
                options,
                offer_cache: Mutex::default(),
                projects: Mutex::default(),
                projects_listed: tokio::sync::Notify::new(),
                orders: Default::default(),
                time_delta: OnceCell::new(),
                token: tokio::sync::Mutex::new(None),
                limiter,
            }),
        })
    }

    /// The same client, whose calls wait behind every waiting call of the priority lane and are
    /// held to one slot in ten while priority calls are being made: for routine reads (a Ready
    /// project's resync, a spend refresh), which must not delay a resource with work to do. Both
    /// lanes share one rate limit, clock delta, token and caches.
    pub fn routine(&self) -> OvhClient {
        OvhClient {
            inner: self.inner.clone(),
            lane: Lane::Routine,
        }
    }

    /// The lane this client's calls wait in.
    pub fn lane(&self) -> Lane {
        self.lane
    }

    /// A cached answer of [`OvhClient`]'s offer reads, by key.
    pub(in crate::ovh) fn cached_offer(&self, key: &str) -> Option<Vec<String>> {
        self.inner.offer_cache.lock().unwrap().get(key).cloned()
    }

    /// Keeps an offer read; at most [`MAX_OFFERS_CACHED`] of them (the keys come from specs).
    pub(in crate::ovh) fn cache_offer(&self, key: String, values: Vec<String>) {
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

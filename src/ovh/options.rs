//! What a client is told and what it tells back: its tunables (timeouts, retries, rate limit)
//! and the count of its calls per method, route and status, which the metrics endpoint exports.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::Duration,
};

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
    pub(super) fn record(&self, method: &str, route: &'static str, status: u16) {
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

//! One attempt at one call: wait for the rate limit, build and authenticate the request, send
//! it, and read the answer into bytes or a [`Failure`] (retries are decided by the caller,
//! `OvhClient::call`).

use std::time::{Duration, Instant};

use reqwest::Method;
use tracing::{Instrument, field::Empty};

use super::wire::{MAX_ANSWER_BYTES, api_error, header, read_bounded, redirected};
use super::{Failure, OvhClient};
use crate::ovh::error::{OvhError, Result};
use crate::ovh::routes::Route;

impl OvhClient {
    pub(super) async fn send_once(
        &self,
        method: &Method,
        route: &Route,
        body: Option<&[u8]>,
    ) -> Result<Vec<u8>, Failure> {
        let span = tracing::debug_span!("ovh_call", method = %method, route = route.template, status = Empty, query_id = Empty, duration_ms = Empty);
        async {
            self.wait_for_rate_limit().await;
            let request = self.request(method, route, body).await?;
            let started = Instant::now();
            let sent = request.send().await;
            tracing::Span::current().record("duration_ms", started.elapsed().as_millis() as u64);
            match sent {
                Ok(response) => self.answer(method, route, response).await,
                Err(e) => {
                    self.stats().record(method.as_str(), route.template, 0);
                    Err(self.transport_error(method, route, e).into())
                }
            }
        }
        .instrument(span)
        .await
    }

    /// The request of one attempt, with its timeout and authentication (every route but the
    /// server clock's, `/auth/time`, is authenticated).
    async fn request(
        &self,
        method: &Method,
        route: &Route,
        body: Option<&[u8]>,
    ) -> Result<reqwest::RequestBuilder, Failure> {
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
        let signed = route.template != "/auth/time";
        self.authenticate(request, method, &url, body.unwrap_or_default(), signed)
            .await
    }

    /// The answer's body if it is a success no longer than [`MAX_ANSWER_BYTES`]; else the error
    /// (a redirect is never followed: [`redirected`]).
    async fn answer(
        &self,
        method: &Method,
        route: &Route,
        response: reqwest::Response,
    ) -> Result<Vec<u8>, Failure> {
        let status = response.status();
        let headers = response.headers().clone();
        let span = tracing::Span::current();
        span.record("status", status.as_u16());
        if let Some(q) = header(&headers, "x-ovh-queryid") {
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
        if !status.is_success() {
            let error = OvhError::Api(Box::new(api_error(
                method.as_str(),
                route.template,
                status,
                &headers,
                &bytes,
            )));
            if error.is_not_found() {
                // Often expected (a project not visible yet, a cart gone): the caller decides.
                tracing::debug!(error = %error, "OVH call failed");
            } else {
                tracing::warn!(error = %error, "OVH call failed");
            }
            // Kept on the error too: a POST is never retried here, and its caller decides when
            // to send it again (a payment answered 429, docs/guides/payment.md).
            let retry_after = error.retry_after().map(Duration::from_secs);
            return Err(Failure { error, retry_after });
        }
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
        Ok(bytes)
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

    /// Waits for this call's slot under the client's rate limit, in its lane.
    async fn wait_for_rate_limit(&self) {
        self.inner.limiter.acquire(self.lane).await;
    }
}

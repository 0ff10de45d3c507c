//! How the transport proves who it is on each request: AK/AS/CK headers signed with the server's
//! clock (the delta is read once per client from `/auth/time`), or an OAuth2 bearer token from the
//! client-credentials flow, cached and renewed before it expires.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};

use super::client::{Failure, OvhClient, clip, read_bounded, redirected};
use super::credentials::Auth;
use super::error::{OvhError, Result};
use super::model::TokenResponse;
use super::routes::Route;
use super::signing::signature;

impl OvhClient {
    pub(super) async fn authenticate(
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

    /// Makes sure the next signed call begins at once: the server's clock is known (AK/AS/CK) or
    /// a bearer token is at hand (OAuth2). Reads only (a token request changes nothing at OVH),
    /// so a caller may give up on it at any point, unlike on the call that follows.
    pub async fn authenticate_ahead(&self) -> Result<()> {
        match &self.inner.auth {
            Auth::Application { .. } => self.time_delta().await.map(|_| ()),
            Auth::OAuth2 {
                client_id,
                client_secret,
            } => self
                .access_token(client_id, client_secret)
                .await
                .map(|_| ())
                .map_err(|failure| failure.error),
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
        if status.is_redirection() {
            return Err(redirected("POST", "/auth/oauth2/token", status).into());
        }
        let (bytes, cut) = read_bounded(response, 64 << 10)
            .await
            .map_err(|e| oauth_error(Some(status.as_u16()), e.without_url().to_string()))?;
        if !status.is_success() {
            let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            let reason = match (body["error"].as_str(), body["error_description"].as_str()) {
                (Some(e), Some(d)) => clip(&format!("{e}: {d}"), 500),
                (Some(e), None) => clip(e, 500),
                _ => format!("HTTP {status}"),
            };
            return Err(oauth_error(Some(status.as_u16()), reason).into());
        }
        if cut {
            return Err(oauth_error(
                Some(status.as_u16()),
                "the token response is longer than 64 KiB".into(),
            )
            .into());
        }
        // serde's message may quote a value of the answer: not shown, it may be the token.
        let token: TokenResponse = serde_json::from_slice(&bytes).map_err(|e| {
            oauth_error(
                Some(status.as_u16()),
                format!(
                    "unexpected token response (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let lifetime = Duration::from_secs(token.expires_in);
        let renew_at = Instant::now() + lifetime.saturating_sub((lifetime / 10).max(Duration::from_secs(10)));
        let secret = SecretString::from(token.access_token);
        *cached = Some((secret.clone(), renew_at));
        Ok(secret)
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

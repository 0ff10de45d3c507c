//! Errors from the OVH API, keeping everything a person needs to ask OVH about a failed call
//! (status, class or error code, OVH's message, query id) and nothing secret.

use serde::Deserialize;

pub type Result<T, E = OvhError> = std::result::Result<T, E>;

/// An error answer from OVH (any non-2xx status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub method: String,
    /// Path template of the call, e.g. `/order/cart/{cartId}/checkout`.
    pub route: &'static str,
    pub status: u16,
    /// `class` of application errors, e.g. `Client::NotFound`.
    pub class: Option<String>,
    /// `errorCode` of authentication-layer errors, e.g. `INVALID_SIGNATURE`.
    pub error_code: Option<String>,
    pub message: String,
    /// `X-Ovh-Queryid`: what OVH support asks for.
    pub query_id: Option<String>,
    /// `Retry-After` of a 429 or 5xx answer, in seconds: when the server asks to be called again.
    pub retry_after: Option<u64>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "OVH answered {} {} with HTTP {}",
            self.method, self.route, self.status
        )?;
        if let Some(kind) = self.class.as_ref().or(self.error_code.as_ref()) {
            write!(f, " ({kind})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(q) = &self.query_id {
            write!(f, " [query id {q}]")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum OvhError {
    #[error("{0}")]
    Api(Box<ApiError>),

    #[error("OVH {method} {route} timed out after {seconds} s")]
    Timeout {
        method: String,
        route: &'static str,
        seconds: u64,
    },

    /// Connection refused/reset, TLS failure or a response cut short. For a POST the call may or
    /// may not have taken effect at OVH.
    #[error("OVH {method} {route} failed in transport: {reason}")]
    Transport {
        method: String,
        route: &'static str,
        reason: String,
    },

    #[error("OVH {method} {route} returned a body that is not the expected {expected}: {reason}")]
    Decode {
        method: String,
        route: &'static str,
        expected: &'static str,
        reason: String,
    },

    /// The endpoint answered a redirect (3xx). Never followed: it could send signed requests (or
    /// the OAuth2 client secret) to another host, or an https endpoint's calls over plain http.
    #[error(
        "OVH answered {method} {route} with HTTP {status}, a redirect, which the operator never \
         follows (it would send signed requests elsewhere): check the credentials Secret's endpoint"
    )]
    Redirected {
        method: String,
        route: &'static str,
        status: u16,
    },

    /// A listing longer than the operator reads in one lookup (one GET per item would follow):
    /// refused rather than read in part, since a part could miss what is looked for.
    #[error(
        "OVH listed {count} items at GET {route}, more than the {max} the operator reads in one lookup: {hint}"
    )]
    ListTooLong {
        route: &'static str,
        count: usize,
        max: usize,
        hint: &'static str,
    },

    #[error("OAuth2 token request to {token_url} failed: {reason}")]
    OAuth2 {
        token_url: String,
        status: Option<u16>,
        reason: String,
    },

    #[error("OVH credentials configuration: {0}")]
    Config(String),
}

/// The JSON error bodies OVH sends: `{"class","message"}`, `{"errorCode","httpCode","message"}`
/// or just `{"message"}`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorBody {
    pub class: Option<String>,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

/// What an error means for the caller: the one place that says whether OVH's refusal is final.
/// Each [`OvhError`] has exactly one ([`OvhError::disposition`]); the client's retries, the
/// credentials condition and every "is this final?" read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Worth the same call again soon: OVH was busy or failing (429, 5xx), or the call or its
    /// answer was lost (timeout, transport). The client retries these itself for GET, PUT and
    /// DELETE, never for a POST (whose caller first reads what OVH shows).
    Transient,
    /// Neither known to pass soon nor known to be final: a 409 (a conflict with OVH's state,
    /// which the next pass reads anew), a 4xx no rule names, an answer that could not be read, a
    /// token endpoint failing without refusing the credentials. Not retried by the client; the
    /// caller tries again after a backoff.
    Indeterminate,
    /// Refused for good: the same request will be refused until something changes (the spec,
    /// the account): 400, 403 without an authentication `errorCode`, 405, and a listing longer
    /// than the operator reads (its hint says what a person sets).
    Refused,
    /// The credentials are wrong, lack a right, or send the operator elsewhere (401, a 403 with
    /// an `errorCode`, `INVALID_SIGNATURE`, the OAuth2 token request refused with 400/401/403, a
    /// redirect, an invalid credentials configuration): nothing passes until they change.
    Credentials,
    /// 404: what the call names does not exist (or not yet, or no longer).
    NotFound,
    /// 460: the service expired (python-ovh `ResourceExpiredError`); OVH answers it on every call
    /// about that service, and its body may carry only a message.
    Expired,
}

impl Disposition {
    /// Whether the same call is refused until something changes: [`Self::Refused`],
    /// [`Self::Credentials`] and [`Self::Expired`].
    pub fn is_final(self) -> bool {
        matches!(self, Self::Refused | Self::Credentials | Self::Expired)
    }
}

impl OvhError {
    /// What this error means for the caller (see [`Disposition`]).
    pub fn disposition(&self) -> Disposition {
        match self {
            Self::Api(e) => e.disposition(),
            Self::Timeout { .. } | Self::Transport { .. } => Disposition::Transient,
            Self::Decode { .. } => Disposition::Indeterminate,
            Self::ListTooLong { .. } => Disposition::Refused,
            Self::OAuth2 {
                status: Some(400 | 401 | 403),
                ..
            } => Disposition::Credentials,
            Self::OAuth2 { .. } => Disposition::Indeterminate,
            // The endpoint, part of the credentials, sends the operator elsewhere.
            Self::Config(_) | Self::Redirected { .. } => Disposition::Credentials,
        }
    }

    /// Stable PascalCase category: used as Kubernetes event reason and as a metric label. Finer
    /// than [`Self::disposition`] (a name per status a person may look up), never in
    /// disagreement with it.
    pub fn category(&self) -> &'static str {
        match self {
            Self::Api(e) => match e.status {
                400 => "OvhBadRequest",
                401 | 403 => "OvhForbidden",
                404 => "OvhNotFound",
                409 => "OvhConflict",
                429 => "OvhRateLimited",
                460 => "OvhServiceExpired",
                500..=599 => "OvhServerError",
                _ => "OvhError",
            },
            Self::Timeout { .. } => "OvhTimeout",
            Self::Transport { .. } => "OvhUnreachable",
            Self::Decode { .. } => "OvhInvalidResponse",
            Self::Redirected { .. } => "OvhRedirected",
            Self::ListTooLong { .. } => "OvhListTooLong",
            Self::OAuth2 { .. } => "OvhOAuth2Failed",
            Self::Config(_) => "OvhCredentialsInvalid",
        }
    }

    /// HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            Self::OAuth2 { status, .. } => *status,
            Self::Redirected { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The same error, its message followed by what a person needs to fix it.
    pub fn with_hint(self, hint: &str) -> Self {
        match self {
            Self::Api(mut e) => {
                e.message = format!("{}. {hint}", e.message.trim_end_matches('.'));
                Self::Api(e)
            }
            other => other,
        }
    }

    /// [`Disposition::NotFound`].
    pub fn is_not_found(&self) -> bool {
        self.disposition() == Disposition::NotFound
    }

    /// [`Disposition::Expired`].
    pub fn is_expired(&self) -> bool {
        self.disposition() == Disposition::Expired
    }

    /// [`Disposition::Credentials`]: retrying without a change will not help.
    pub fn is_credentials_problem(&self) -> bool {
        self.disposition() == Disposition::Credentials
    }

    /// [`Disposition::Transient`]: whether a GET/PUT/DELETE may be retried at once.
    pub fn is_transient(&self) -> bool {
        self.disposition() == Disposition::Transient
    }

    /// The `Retry-After` (seconds) of a 429 or 5xx answer, when OVH sent one.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Api(e) => e.retry_after,
            _ => None,
        }
    }

    pub fn query_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.query_id.as_deref(),
            _ => None,
        }
    }
}

impl ApiError {
    /// The disposition of an error answer: the credentials first (an authentication-layer
    /// `errorCode` can come with 400 or 403), then the status.
    pub fn disposition(&self) -> Disposition {
        let credentials = self.status == 401
            || self.status == 403 && self.error_code.is_some()
            || self.error_code.as_deref() == Some("INVALID_SIGNATURE");
        match self.status {
            _ if credentials => Disposition::Credentials,
            404 => Disposition::NotFound,
            460 => Disposition::Expired,
            400 | 403 | 405 => Disposition::Refused,
            429 | 500.. => Disposition::Transient,
            _ => Disposition::Indeterminate,
        }
    }
}

#[cfg(test)]
mod tests;

//! The wire under every call: the HTTP client (never following a redirect), reading an answer
//! with a bound, decoding it, and turning an error answer into an [`ApiError`] (shared by the
//! signed calls, the OAuth2 token request and the consumer-key request).

use reqwest::{Method, StatusCode, header::HeaderMap};
use serde::de::DeserializeOwned;
use std::time::Duration;

use crate::ovh::error::{ApiError, Disposition, ErrorBody, OvhError, Result};

/// The largest answer read from OVH; the rest is never read. OVH's largest answers are id lists
/// (an account's orders): 4 MiB holds some 400,000 ids. A larger or endless answer is an error,
/// not a process out of memory.
pub const MAX_ANSWER_BYTES: usize = 4 << 20;

/// The longest text of OVH's kept in an error (a condition, an event, a log line).
const MAX_MESSAGE_CHARS: usize = 1000;

/// The HTTP client of every call to an OVH endpoint (and its OAuth2 token URL): it never follows
/// a redirect. Following one would send the signed headers (or the client secret) to whatever
/// host the answer names, and could take an https endpoint's calls to plain http, which the
/// endpoint rules allow only to this machine; a 3xx is an error instead ([`redirected`]).
pub(in crate::ovh) fn http_client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("ovh-publiccloud-operator/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| OvhError::Config(format!("HTTP client: {e}")))
}

/// The error of a call answered with a redirect (where it points is not shown: the answer is
/// not OVH's and may echo anything).
pub(in crate::ovh) fn redirected(method: &str, route: &'static str, status: StatusCode) -> OvhError {
    OvhError::Redirected {
        method: method.to_string(),
        route,
        status: status.as_u16(),
    }
}

pub(super) fn decode<R: DeserializeOwned>(method: &Method, route: &'static str, bytes: &[u8]) -> Result<R> {
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
pub(in crate::ovh) async fn read_bounded(
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
pub(in crate::ovh) fn clip(text: &str, max: usize) -> String {
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

pub(super) fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// OVH's error answer as an [`ApiError`]: status, class or error code, message (the raw body
/// when it is not OVH's JSON), query id, and the `Retry-After` of an answer worth calling again
/// ([`Disposition::Transient`]: 429, 5xx). OVH's words are clipped ([`clip`]): they go into
/// conditions, events and log lines.
pub(in crate::ovh) fn api_error(
    method: &str,
    route: &'static str,
    status: StatusCode,
    headers: &HeaderMap,
    bytes: &[u8],
) -> ApiError {
    let parsed: ErrorBody = serde_json::from_slice(bytes).unwrap_or_default();
    let mut error = ApiError {
        method: method.to_string(),
        route,
        status: status.as_u16(),
        class: parsed.class.map(|c| clip(&c, 100)),
        error_code: parsed.error_code.map(|c| clip(&c, 100)),
        message: match parsed.message {
            Some(m) => clip(&m, MAX_MESSAGE_CHARS),
            None => clip(&String::from_utf8_lossy(bytes), 500),
        },
        query_id: header(headers, "x-ovh-queryid"),
        retry_after: None,
    };
    if error.disposition() == Disposition::Transient {
        error.retry_after = header(headers, "retry-after").and_then(|s| s.trim().parse::<u64>().ok());
    }
    error
}

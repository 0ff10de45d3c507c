//! Where OVH lives: the named endpoints (`ovh-eu`, `ovh-ca`, `ovh-us`) and their OAuth2 token
//! URLs, as the SDKs define them, or a literal base URL (a simulator). Separate from the transport
//! so credentials can be checked without building a client.

use super::error::{OvhError, Result};

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
    // A value that is not a URL is not echoed: it may be a secret put under the wrong key.
    let url = reqwest::Url::parse(endpoint).map_err(|_| {
        OvhError::Config(format!(
            "endpoint (a {}-character value, not shown) is neither ovh-eu, ovh-ca, ovh-us nor an \
             http(s) URL",
            endpoint.chars().count()
        ))
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(OvhError::Config(
            "endpoint carries credentials (user:password@, not shown): the URL must not; the \
             Secret's keys hold them"
                .into(),
        ));
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(OvhError::Config(
            "endpoint (not shown) is neither ovh-eu, ovh-ca, ovh-us nor an http(s) base URL".into(),
        ));
    }
    // Not echoed: a query or fragment may carry a token.
    if url.query().is_some() || url.fragment().is_some() || has_dot_segment(endpoint) {
        return Err(OvhError::Config(
            "endpoint (not shown) must be a plain base URL: no query, fragment, or '.'/'..' path \
             segment"
                .into(),
        ));
    }
    if endpoint.ends_with('/') {
        return Err(OvhError::Config(format!(
            "endpoint {endpoint:?} must be an http(s) base URL without a trailing slash"
        )));
    }
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(OvhError::Config(format!(
            "endpoint {endpoint:?} is plain http to a host that is not this machine: credentials \
             and orders must travel over https (http is for a local simulator on 127.0.0.1, ::1 \
             or localhost)"
        )));
    }
    Ok((
        endpoint.into(),
        format!("{}/auth/oauth2/token", url.origin().ascii_serialization()),
    ))
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Whether the URL's path, as written, has a `.` or `..` segment (also percent-encoded, which URL
/// parsers resolve the same way): the parsed URL would silently point elsewhere.
fn has_dot_segment(endpoint: &str) -> bool {
    let after_scheme = endpoint.split_once("://").map_or(endpoint, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("", |start| &after_scheme[start..]);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let decoded = path
        .to_ascii_lowercase()
        .replace("%2e", ".")
        .replace("%2f", "/")
        .replace("%5c", "/");
    decoded
        .split(['/', '\\'])
        .any(|segment| segment == "." || segment == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn refusal(endpoint: &str) -> String {
        resolve_endpoint(endpoint).expect_err(endpoint).to_string()
    }

    #[test]
    fn plain_http_only_to_this_machine() {
        for local in [
            "http://127.0.0.1:8080/1.0",
            "http://127.1.2.3/1.0",
            "http://[::1]:8443/1.0",
            "http://localhost:8443/1.0",
        ] {
            assert!(resolve_endpoint(local).is_ok(), "{local}");
        }
        for remote in [
            "http://eu.api.ovh.com/1.0",
            "http://10.0.0.7:8443/1.0",
            "http://simulator.ovh-system.svc:8443/1.0",
            "http://localhost.example.com/1.0",
        ] {
            assert!(refusal(remote).contains("plain http"), "{remote}");
        }
        assert!(resolve_endpoint("https://10.0.0.7:8443/1.0").is_ok());
        assert!(refusal("ftp://127.0.0.1/1.0").contains("http(s) base URL"));
        // Whatever precedes a colon may be a secret too: not echoed.
        assert!(!refusal("S3CRET:x").contains("S3CRET"));
    }

    #[test]
    fn credentials_in_the_url_are_refused_and_never_echoed() {
        for endpoint in [
            "https://user:S3CRET-PW@eu.api.ovh.com/1.0",
            "https://S3CRET-PW@eu.api.ovh.com/1.0",
            "http://user:S3CRET-PW@127.0.0.1:8080/1.0",
            "https://:S3CRET-PW@eu.api.ovh.com/1.0",
        ] {
            let said = refusal(endpoint);
            assert!(said.contains("carries credentials"), "{said}");
            assert!(!said.contains("S3CRET"), "{said}");
        }
        // Not a URL at all (e.g. a secret under the wrong key): not echoed either.
        let said = refusal("S3CRET-application-secret");
        assert!(
            !said.contains("S3CRET") && said.contains("25-character"),
            "{said}"
        );
    }

    #[test]
    fn dot_segments_queries_and_fragments_are_refused() {
        for endpoint in [
            "https://eu.api.ovh.com/1.0/../../admin",
            "https://eu.api.ovh.com/../1.0",
            "https://eu.api.ovh.com/1.0/..",
            "https://eu.api.ovh.com/./1.0",
            "https://eu.api.ovh.com/%2e%2e/1.0",
            "https://eu.api.ovh.com/%2E./1.0",
            "http://127.0.0.1:8080/1.0/..%2f",
            "https://eu.api.ovh.com/1.0?x=1",
            "https://eu.api.ovh.com/1.0#top",
            "http://10.0.0.7/1.0?token=S3CRET",
        ] {
            assert!(!refusal(endpoint).contains("S3CRET"), "{endpoint}");
            assert!(refusal(endpoint).contains("plain base URL"), "{endpoint}");
        }
        assert!(resolve_endpoint("https://eu.api.ovh.com/v1.0..x").is_ok());
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
    }
}

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

//! What the operator may do at OVH, in one place: the access rules of a consumer key made for it
//! ([`ACCESS_RULES`]) and the IAM actions of an OAuth2 service account's policy
//! ([`IAM_ACTIONS`]); how OVH matches a rule's path; and the request for a consumer key with
//! exactly those rules (`POST /auth/credential`, unsigned but for `X-Ovh-Application`, as
//! python-ovh `request_consumerkey` and go-ovh `CkRequest.Do` send it).
//!
//! Both lists are derived from the routes `order.rs` calls: a unit test reads that file and checks
//! that every route is granted and every rule is needed; another checks the IAM actions against
//! the `iamActions` of OVH's schema (tests/fixtures/ovh-schema.json).

use super::endpoint::resolve_endpoint;
use super::error::{ApiError, ErrorBody, OvhError, Result};
use super::model::{AccessRuleRequest, ApiCredentialRequest, ApiCredentialRequestParams};

/// `(method, path pattern)` of every OVH call the operator makes, least privilege. `*` matches any
/// run of characters, `/` included, and `path/*` does not match `path` itself (go-ovh
/// `CkRequest.AddRecursiveRules` grants "path and all subpaths" as `path` plus `path/*`; the
/// certbot-dns-ovh docs grant `GET /domain/zone/*` for `/domain/zone/{zone}/record/{id}`). Each
/// rule is a route template of `order.rs` with its parameters as `*`, minus those another rule
/// already covers (`GET /me/order/*` covers `…/status`, `…/details/*`).
///
/// Calls to routes OVH marks `noAuthentication` (cart items and configurations) are granted too:
/// the client signs them, and a signed call is checked against the key's rules (assumed; granting
/// a public route grants nothing more).
pub const ACCESS_RULES: &[(&str, &str)] = &[
    // Who the account is (its subsidiary, when the resource does not name one).
    ("GET", "/me"),
    // Carts: create, find again by description, read, assign, fill, price, check out, delete.
    ("POST", "/order/cart"),
    ("GET", "/order/cart"),
    ("GET", "/order/cart/*"),
    ("POST", "/order/cart/*/assign"),
    ("POST", "/order/cart/*/cloud"),
    ("POST", "/order/cart/*/cloud/options"),
    ("POST", "/order/cart/*/item/*/configuration"),
    ("POST", "/order/cart/*/checkout"),
    ("DELETE", "/order/cart/*"),
    // Orders: find, follow, read the delivered project id, pay (payment: Automatic).
    ("GET", "/me/order"),
    ("GET", "/me/order/*"),
    ("POST", "/me/order/*/pay"),
    ("POST", "/me/order/*/payWithRegisteredPaymentMean"),
    ("GET", "/me/payment/method"),
    ("GET", "/me/payment/method/*"),
    // The project, and its termination (deletionPolicy: Terminate) with the e-mailed token.
    ("GET", "/cloud/project"),
    ("GET", "/cloud/project/*"),
    // Renaming it when spec.description changes after delivery.
    ("PUT", "/cloud/project/*"),
    ("POST", "/cloud/project/*/terminate"),
    ("POST", "/cloud/project/*/confirmTermination"),
    // The OpenStack user of spec.openstackUser: create, new password, delete (reads: above).
    ("POST", "/cloud/project/*/user"),
    ("POST", "/cloud/project/*/user/*/regeneratePassword"),
    ("DELETE", "/cloud/project/*/user/*"),
    ("GET", "/me/notification/email/history"),
    ("GET", "/me/notification/email/history/*"),
];

/// The IAM actions of those calls for an OAuth2 service account's policy: the `iamActions` of each
/// operation in OVH's schema (routes marked `noAuthentication` list none). The US-only routes
/// `GET /me/order/{orderId}/details/{orderDetailId}/operations[/{operationId}]` are absent from
/// the EU schema, so their actions are unknown and not listed.
pub const IAM_ACTIONS: &[&str] = &[
    "account:apiovh:me/get",
    "order:apiovh:cart/get",
    "order:apiovh:cart/assign",
    "order:apiovh:cart/checkout/simulate",
    "order:apiovh:cart/checkout/execute",
    "order:apiovh:cart/delete",
    "account:apiovh:me/order/get",
    "account:apiovh:me/order/status/get",
    "account:apiovh:me/order/details/get",
    "account:apiovh:me/order/details/extension/get",
    "account:apiovh:me/order/pay",
    "account:apiovh:me/order/payWithRegisteredPaymentMean",
    "account:apiovh:me/order/payment/get",
    "account:apiovh:me/payment/method/get",
    "account:apiovh:me/notification/email/history/get",
    "publicCloudProject:apiovh:get",
    "publicCloudProject:apiovh:edit",
    "publicCloudProject:apiovh:terminate",
    "publicCloudProject:apiovh:confirmTermination",
    "publicCloudProject:apiovh:user/get",
    "publicCloudProject:apiovh:user/create",
    "publicCloudProject:apiovh:user/delete",
    "publicCloudProject:apiovh:user/regeneratePassword",
    "publicCloudProject:apiovh:user/openrc/get",
];

/// The methods a consumer-key rule may name (`auth.HTTPMethodEnum`).
pub const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH"];

/// Whether `path` (no query string) matches the rule pattern `pattern`: `*` matches any run of
/// characters, `/` included; everything else matches itself.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Whether one of `rules` grants `method` on `path`.
pub fn allows<'a>(rules: impl IntoIterator<Item = (&'a str, &'a str)>, method: &str, path: &str) -> bool {
    rules
        .into_iter()
        .any(|(m, p)| m.eq_ignore_ascii_case(method) && path_matches(p, path))
}

/// A route template as a rule pattern: each `{param}` becomes `*`.
pub fn template_pattern(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').map_or(rest.len() - 1, |e| e + start);
        out.push_str(&rest[..start]);
        out.push('*');
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The body of `POST /auth/credential` asking for exactly [`ACCESS_RULES`].
pub fn credential_request(
    redirection: Option<String>,
    allowed_ips: Vec<String>,
) -> ApiCredentialRequestParams {
    ApiCredentialRequestParams {
        access_rules: ACCESS_RULES
            .iter()
            .map(|(method, path)| AccessRuleRequest {
                method: method.to_string(),
                path: path.to_string(),
            })
            .collect(),
        redirection,
        allowed_ips: (!allowed_ips.is_empty()).then_some(allowed_ips),
    }
}

/// `POST /auth/credential` on `endpoint` (a name or a base URL) for application `application_key`:
/// unsigned, with `X-Ovh-Application` only (python-ovh `request_consumerkey` calls it with
/// `_need_auth=False`; go-ovh `CkRequest.Do` uses `PostUnAuth`). The key answers
/// `pendingValidation` until a person opens `validationUrl` and validates it.
pub async fn request_consumer_key(
    endpoint: &str,
    application_key: &str,
    params: &ApiCredentialRequestParams,
) -> Result<ApiCredentialRequest> {
    const ROUTE: &str = "/auth/credential";
    let (base_url, _) = resolve_endpoint(endpoint)?;
    let http = super::client::http_client(std::time::Duration::from_secs(180))?;
    let body = serde_json::to_vec(params).expect("a credential request serialises");
    let transport = |e: reqwest::Error| OvhError::Transport {
        method: "POST".into(),
        route: ROUTE,
        reason: e.to_string(),
    };
    let response = http
        .post(format!("{base_url}{ROUTE}"))
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .header("X-Ovh-Application", application_key)
        .body(body)
        .send()
        .await
        .map_err(transport)?;
    let status = response.status();
    if status.is_redirection() {
        return Err(super::client::redirected("POST", ROUTE, status));
    }
    let query_id = response
        .headers()
        .get("x-ovh-queryid")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let bytes = response.bytes().await.map_err(transport)?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| OvhError::Decode {
            method: "POST".into(),
            route: ROUTE,
            expected: "auth.ApiCredentialRequest",
            reason: e.to_string(),
        });
    }
    let parsed: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
    Err(OvhError::Api(Box::new(ApiError {
        method: "POST".into(),
        route: ROUTE,
        status: status.as_u16(),
        class: parsed.class,
        error_code: parsed.error_code,
        message: parsed
            .message
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(500).collect()),
        query_id,
        retry_after: None,
    })))
}

/// The IAM plate (`eu`, `ca`, `us`) of an endpoint; a literal URL other than OVH's counts as `eu`.
pub fn iam_plate(endpoint: &str) -> &'static str {
    match resolve_endpoint(endpoint).map(|(base, _)| base) {
        Ok(b) if b.starts_with("https://ca.api.ovh.com") => "ca",
        Ok(b) if b.starts_with("https://api.us.ovhcloud.com") => "us",
        _ => "eu",
    }
}

/// An IAM policy (the body of `POST /v2/iam/policy`) allowing [`IAM_ACTIONS`] to the service
/// account `client_id` of `account` (a nichandle such as `xx11111-ovh`). Shape, identity URN
/// `urn:v1:<plate>:identity:credential:<account>/oauth2-<clientId>` and account resource URN from
/// OVH's guides (docs `manage-service-account`, `iam-policies-api`); account and cart actions are
/// granted on the account resource (as public `ovh_iam_policy` examples for ordering do), the
/// project actions on every project, `publicCloudProject:*` (a URN may end with `*`), since the
/// projects are ordered after the policy is written.
pub fn iam_policy(plate: &str, account: &str, client_id: &str) -> serde_json::Value {
    let allow: Vec<_> = IAM_ACTIONS
        .iter()
        .map(|a| serde_json::json!({ "action": a }))
        .collect();
    serde_json::json!({
        "name": "ovh-publiccloud-operator",
        "description": "What ovh-publiccloud-operator calls to order, follow and terminate Public Cloud projects",
        "identities": [format!("urn:v1:{plate}:identity:credential:{account}/oauth2-{client_id}")],
        "resources": [
            { "urn": format!("urn:v1:{plate}:resource:account:{account}") },
            { "urn": format!("urn:v1:{plate}:resource:publicCloudProject:*") },
        ],
        "permissions": { "allow": allow },
    })
}

/// The OVH access reference's list of access rules (docs/reference/ovh-access.md) and IAM actions, generated from [`ACCESS_RULES`] and
/// [`IAM_ACTIONS`].
pub fn markdown() -> String {
    let mut out = String::from("| method | path |\n|---|---|\n");
    for (method, path) in ACCESS_RULES {
        out.push_str(&format!("| `{method}` | `{path}` |\n"));
    }
    out.push_str("\nIAM actions for an OAuth2 service account:\n\n");
    for action in IAM_ACTIONS {
        out.push_str(&format!("- `{action}`\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// `(method, template)` of every call in `order.rs` (each `pub async fn` that builds a
    /// `Route::new` sends it with `self.get`, `self.post` or `self.delete`).
    fn called_routes() -> BTreeSet<(&'static str, &'static str)> {
        let source = include_str!("order.rs");
        let mut routes = BTreeSet::new();
        for function in source.split("pub async fn ").skip(1) {
            let Some(at) = function.find("Route::new(") else {
                continue;
            };
            let template = function[at + "Route::new(".len()..].trim_start();
            let template = template.strip_prefix('"').expect("a literal template");
            let template = &template[..template.find('"').unwrap()];
            // Whitespace removed: rustfmt may break `self\n.get(` over lines.
            let compact: String = function.split_whitespace().collect();
            let verbs: Vec<&str> = [
                ("self.get", "GET"),
                ("self.post", "POST"),
                ("self.put", "PUT"),
                ("self.delete", "DELETE"),
            ]
            .into_iter()
            .filter(|(call, _)| compact.contains(call))
            .map(|(_, method)| method)
            .collect();
            assert_eq!(verbs.len(), 1, "one verb per call in order.rs: {function}");
            routes.insert((verbs[0], template));
        }
        routes
    }

    #[test]
    fn order_rs_is_read_as_expected() {
        let routes = called_routes();
        assert!(routes.contains(&("POST", "/order/cart/{cartId}/checkout")));
        assert!(routes.contains(&("GET", "/order/cart/{cartId}/checkout")));
        assert!(routes.contains(&("POST", "/cloud/project/{serviceName}/confirmTermination")));
        assert!(routes.contains(&(
            "DELETE",
            "/order/cart/{cartId}/item/{itemId}/configuration/{configurationId}"
        )));
        assert!(routes.len() >= 30, "{routes:?}");
    }

    #[test]
    fn every_route_the_client_calls_is_granted() {
        for (method, template) in called_routes() {
            // A template's own parameters, filled with something OVH could send.
            let path = template_pattern(template).replace('*', "x1");
            assert!(
                allows(ACCESS_RULES.iter().copied(), method, &path),
                "{method} {template} is called but no access rule grants it"
            );
        }
    }

    #[test]
    fn every_rule_is_needed_and_none_covers_another() {
        let patterns: BTreeSet<(&str, String)> = called_routes()
            .into_iter()
            .map(|(m, t)| (m, template_pattern(t)))
            .collect();
        for (method, rule) in ACCESS_RULES {
            assert!(METHODS.contains(method), "{method}");
            assert!(
                patterns.iter().any(|(m, p)| m == method && path_matches(rule, p)),
                "{method} {rule} grants no call the operator makes"
            );
            for (other_method, other) in ACCESS_RULES {
                if (other_method, other) != (method, rule) && other_method == method {
                    assert!(
                        !path_matches(other, rule),
                        "{method} {rule} is already granted by {other}"
                    );
                }
            }
        }
        let unique: BTreeSet<_> = ACCESS_RULES.iter().collect();
        assert_eq!(unique.len(), ACCESS_RULES.len(), "a rule twice");
    }

    #[test]
    fn paths_match_like_ovh_rules() {
        assert!(path_matches("/*", "/me/bill"));
        assert!(path_matches("/me", "/me"));
        assert!(!path_matches("/me", "/me/bill"));
        assert!(!path_matches("/me/order/*", "/me/order"));
        assert!(path_matches("/me/order/*", "/me/order/1/details/2"));
        assert!(path_matches(
            "/order/cart/*/item/*/configuration",
            "/order/cart/c/item/2/configuration"
        ));
        assert!(!path_matches(
            "/order/cart/*/item/*/configuration",
            "/order/cart/c/item/2/configuration/3"
        ));
        assert!(!path_matches(
            "/me/order/*/pay",
            "/me/order/1/payWithRegisteredPaymentMean"
        ));
        assert!(path_matches("*", ""));
        assert!(!path_matches("/a*a", "/a"));
        assert_eq!(
            template_pattern("/order/cart/{cartId}/item/{itemId}"),
            "/order/cart/*/item/*"
        );
        assert!(allows([("get", "/me")], "GET", "/me"));
        assert!(!allows(ACCESS_RULES.iter().copied(), "GET", "/me/bill"));
        assert!(allows(ACCESS_RULES.iter().copied(), "PUT", "/cloud/project/p"));
        assert!(!allows(ACCESS_RULES.iter().copied(), "DELETE", "/me/order/1"));
    }

    /// The IAM actions are exactly the schema's `iamActions` of the operations the client calls
    /// (the fixture is cut from OVH's schemas by scripts/trim-ovh-schema, `iamActions` kept).
    #[test]
    fn iam_actions_are_those_of_the_called_operations_in_ovh_schema() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/ovh-schema.json")).unwrap();
        let operations = schema["operations"].as_array().unwrap();
        let mut needed = BTreeSet::new();
        for (method, template) in called_routes() {
            let op = operations
                .iter()
                .find(|o| o["method"] == method && o["path"] == template)
                .unwrap_or_else(|| panic!("{method} {template} is not in the fixture"));
            if op.get("missing").is_some() {
                // The US-only operations routes (absent from OVH's EU schema).
                assert!(template.contains("/operations"), "{method} {template}");
                continue;
            }
            let actions = op["iamActions"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {template}: no iamActions in the fixture"));
            if op["noAuthentication"] == true {
                assert!(actions.is_empty(), "{method} {template}: {actions:?}");
            } else {
                assert!(!actions.is_empty(), "{method} {template} needs an IAM action");
            }
            for action in actions {
                assert_eq!(action["required"], true, "{method} {template}: {action}");
                let name = action["name"].as_str().unwrap();
                assert!(
                    IAM_ACTIONS.contains(&name),
                    "{method} {template} needs IAM action {name}"
                );
                needed.insert(name);
            }
        }
        let listed: BTreeSet<&str> = IAM_ACTIONS.iter().copied().collect();
        assert_eq!(listed.len(), IAM_ACTIONS.len(), "an action twice");
        assert_eq!(listed, needed, "IAM_ACTIONS lists an action no call needs");
    }

    #[test]
    fn the_credential_request_asks_for_exactly_the_rules() {
        let body = serde_json::to_value(credential_request(None, vec![])).unwrap();
        assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
        assert_eq!(body["accessRules"].as_array().unwrap().len(), ACCESS_RULES.len());
        assert_eq!(
            body["accessRules"][0],
            serde_json::json!({"method": "GET", "path": "/me"})
        );
        let body = serde_json::to_value(credential_request(
            Some("https://example.com/".into()),
            vec!["192.0.2.0/24".into()],
        ))
        .unwrap();
        assert_eq!(body["redirection"], "https://example.com/");
        assert_eq!(body["allowedIPs"], serde_json::json!(["192.0.2.0/24"]));
    }

    #[test]
    fn the_iam_policy_names_the_service_account_and_its_resources() {
        assert_eq!(iam_plate("ovh-ca"), "ca");
        assert_eq!(iam_plate("ovh-us"), "us");
        assert_eq!(iam_plate("ovh-eu"), "eu");
        assert_eq!(iam_plate("http://127.0.0.1:1/1.0"), "eu");
        let policy = iam_policy("eu", "xx11111-ovh", "0f0f");
        assert_eq!(
            policy["identities"],
            serde_json::json!(["urn:v1:eu:identity:credential:xx11111-ovh/oauth2-0f0f"])
        );
        assert_eq!(
            policy["resources"][0]["urn"],
            "urn:v1:eu:resource:account:xx11111-ovh"
        );
        assert_eq!(
            policy["permissions"]["allow"].as_array().unwrap().len(),
            IAM_ACTIONS.len()
        );
    }

    #[test]
    fn the_readme_lists_exactly_these_rights() {
        let readme = include_str!("../../docs/reference/ovh-access.md");
        let begin = "<!-- access:begin (generated from src/ovh/access.rs) -->\n";
        let start = readme
            .find(begin)
            .expect("docs/reference/ovh-access.md has the access markers")
            + begin.len();
        let end = readme[start..].find("<!-- access:end -->").expect("end marker") + start;
        assert_eq!(
            &readme[start..end],
            markdown(),
            "docs/reference/ovh-access.md is stale: cargo run -q -- docs-reference docs/reference"
        );
    }
}

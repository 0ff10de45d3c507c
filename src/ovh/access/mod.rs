//! What the operator may do at OVH, in one place: the access rules of a consumer key made for it
//! ([`ACCESS_RULES`]) and the IAM actions of an OAuth2 service account's policy
//! ([`IAM_ACTIONS`]); how OVH matches a rule's path; and the request for a consumer key with
//! exactly those rules (`POST /auth/credential`, unsigned but for `X-Ovh-Application`, as
//! python-ovh `request_consumerkey` and go-ovh `CkRequest.Do` send it).
//!
//! Both lists are derived from the routes the call families of `ovh::calls` use: a unit test reads those files and checks
//! that every route is granted and every rule is needed; another checks the IAM actions against
//! the `iamActions` of OVH's schema (tests/fixtures/ovh-schema.json).

mod consumer_key;
mod iam;
#[cfg(test)]
mod tests;

pub use consumer_key::{credential_request, request_consumer_key};
pub use iam::{IAM_ACTIONS, iam_plate, iam_policy};

/// `(method, path pattern)` of every OVH call the operator makes, least privilege. `*` matches any
/// run of characters, `/` included, and `path/*` does not match `path` itself (go-ovh
/// `CkRequest.AddRecursiveRules` grants "path and all subpaths" as `path` plus `path/*`; the
/// certbot-dns-ovh docs grant `GET /domain/zone/*` for `/domain/zone/{zone}/record/{id}`). Each
/// rule is a route template of `ovh::calls` with its parameters as `*`, minus those another rule
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
    // Day two (reads, the PUT of an alerting and of manualQuota: granted above): budget alerts
    // made and deleted, regions activated.
    ("POST", "/cloud/project/*/alerting"),
    ("DELETE", "/cloud/project/*/alerting/*"),
    ("POST", "/cloud/project/*/region"),
    ("GET", "/me/notification/email/history"),
    ("GET", "/me/notification/email/history/*"),
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

//! The IAM side of the operator's rights: the actions an OAuth2 service account's policy must
//! allow, and that policy.

use crate::ovh::endpoint::resolve_endpoint;

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
    "publicCloudProject:apiovh:usage/current/get",
    "publicCloudProject:apiovh:usage/forecast/get",
    "publicCloudProject:apiovh:serviceInfos/get",
    "publicCloudProject:apiovh:alerting/get",
    "publicCloudProject:apiovh:alerting/create",
    "publicCloudProject:apiovh:alerting/edit",
    "publicCloudProject:apiovh:alerting/delete",
    "publicCloudProject:apiovh:alerting/alert/get",
    "publicCloudProject:apiovh:region/get",
    "publicCloudProject:apiovh:region/create",
    "publicCloudProject:apiovh:regionAvailable/get",
    "publicCloudProject:apiovh:quota/get",
];

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

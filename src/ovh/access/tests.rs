use super::*;
use std::collections::BTreeSet;

/// The source of every call family (`src/ovh/calls/*.rs`, all of them: see
/// [`every_call_family_is_read`]).
const CALL_SOURCES: &[(&str, &str)] = &[
    ("account.rs", include_str!("../calls/account.rs")),
    ("alerting.rs", include_str!("../calls/alerting.rs")),
    ("cart.rs", include_str!("../calls/cart.rs")),
    ("checkout.rs", include_str!("../calls/checkout.rs")),
    ("offer.rs", include_str!("../calls/offer.rs")),
    ("order.rs", include_str!("../calls/order.rs")),
    ("payment.rs", include_str!("../calls/payment.rs")),
    ("project.rs", include_str!("../calls/project.rs")),
    ("quota.rs", include_str!("../calls/quota.rs")),
    ("region.rs", include_str!("../calls/region.rs")),
    ("termination.rs", include_str!("../calls/termination.rs")),
    ("usage.rs", include_str!("../calls/usage.rs")),
    ("user.rs", include_str!("../calls/user.rs")),
];

#[test]
fn every_call_family_is_read() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ovh/calls");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rs") && name != "mod.rs" && name != "tests.rs")
        .collect();
    files.sort();
    let read: Vec<&str> = CALL_SOURCES.iter().map(|(name, _)| *name).collect();
    assert_eq!(files, read, "a call family is missing from CALL_SOURCES");
}

/// `(method, template)` of every call in `calls/` (each `pub async fn` that builds a
/// `Route::new` sends it with `self.get`, `self.post`, `self.put` or `self.delete`).
fn called_routes() -> BTreeSet<(&'static str, &'static str)> {
    let mut routes = BTreeSet::new();
    let functions = CALL_SOURCES
        .iter()
        .flat_map(|(_, source)| source.split("pub async fn ").skip(1));
    for function in functions {
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
        assert_eq!(verbs.len(), 1, "one verb per call in calls/: {function}");
        routes.insert((verbs[0], template));
    }
    routes
}

#[test]
fn the_call_families_are_read_as_expected() {
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
        serde_json::from_str(include_str!("../../../tests/fixtures/ovh-schema.json")).unwrap();
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
    let readme = include_str!("../../../docs/reference/ovh-access.md");
    let begin = "<!-- access:begin (generated from src/ovh/access/mod.rs) -->\n";
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

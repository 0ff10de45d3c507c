//! The reference pages read from the Helm chart: its values (schema and comments) and the RBAC
//! it grants.

use std::fmt::Write;

use serde_json::Value;

use super::{cell, header, repo_file};

pub(super) const VALUES_YAML: &str = "charts/ovh-publiccloud-operator/values.yaml";
pub(super) const VALUES_SCHEMA: &str = "charts/ovh-publiccloud-operator/values.schema.json";
pub(super) const RBAC_YAML: &str = "charts/ovh-publiccloud-operator/templates/rbac.yaml";

/// values.yaml's keys in order: (dotted path, value on the key's line, the comment above it).
pub(super) fn values_yaml() -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut comment: Vec<String> = Vec::new();
    for line in repo_file(VALUES_YAML).lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(text) = trimmed.strip_prefix('#') {
            comment.push(text.trim().to_string());
            continue;
        }
        let key_value = trimmed
            .split_once(':')
            .filter(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        let Some((key, value)) = key_value else {
            comment.clear();
            continue;
        };
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let path: Vec<&str> = stack.iter().map(|(_, k)| k.as_str()).chain([key]).collect();
        rows.push((path.join("."), value.trim().to_string(), comment.join(" ")));
        stack.push((indent, key.to_string()));
        comment.clear();
    }
    rows
}

pub(super) fn helm_values() -> String {
    let schema: Value = serde_json::from_str(&repo_file(VALUES_SCHEMA)).expect("values.schema.json is JSON");
    let mut out = header(
        "Helm values",
        "charts/ovh-publiccloud-operator/values.schema.json and values.yaml",
    );
    out.push_str(
        "`values.schema.json` refuses any key it does not know, so a misspelt value fails the install. \
         A value whose default is empty is a map of the values below it.\n\n\
         | value | type | default | description |\n|---|---|---|---|\n",
    );
    for (path, value, comment) in values_yaml() {
        let mut node = &schema;
        for part in path.split('.') {
            node = &node["properties"][part];
        }
        let kind = match &node["type"] {
            Value::String(s) => s.clone(),
            Value::Array(a) => a
                .iter()
                .filter_map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
            _ if node["enum"].is_array() => "enum".to_string(),
            _ => String::new(),
        };
        let mut description = comment;
        if description.is_empty() {
            description = node["description"].as_str().unwrap_or_default().to_string();
        }
        if let Some(values) = node["enum"].as_array() {
            let values: Vec<String> = values
                .iter()
                .map(|v| format!("`{}`", v.as_str().unwrap_or(&v.to_string())))
                .collect();
            let _ = write!(description, " One of {}.", values.join(", "));
        }
        let default = if value.is_empty() {
            String::new()
        } else {
            format!("`{value}`")
        };
        let _ = writeln!(
            out,
            "| `{path}` | {kind} | {} | {} |",
            cell(&default),
            cell(&description)
        );
    }
    out
}

pub(super) fn rbac() -> String {
    let mut out = header(
        "RBAC the chart grants",
        "charts/ovh-publiccloud-operator/templates/rbac.yaml",
    );
    out.push_str(
        "The operator's ServiceAccount gets these rules. With `watchNamespace` the first object is a \
         Role in that namespace (plus a Role for the default credentials Secret if it lives elsewhere); \
         without it, a ClusterRole, so Secrets are then readable and writable in every namespace. With \
         the approval policies on, the chart also creates the ClusterRole `<release>-ovh-publiccloud-operator-approver` \
         (verb `approve` on `publiccloudprojects/approval`), bound to nobody.\n\n\
         | object | API group | resources | names | verbs | why |\n|---|---|---|---|---|---|\n",
    );
    let mut object = String::new();
    let mut comment: Vec<String> = Vec::new();
    let mut rule: Vec<(String, String)> = Vec::new();
    let flush = |out: &mut String, object: &str, rule: &mut Vec<(String, String)>, why: &str| {
        if rule.is_empty() {
            return;
        }
        let get = |k: &str| {
            rule.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let group = get("apiGroups").trim_matches(['[', ']']).replace('"', "");
        let group = if group.is_empty() {
            "core".to_string()
        } else {
            group
        };
        let _ = writeln!(
            out,
            "| {object} | `{group}` | {} | {} | {} | {} |",
            get("resources").trim_matches(['[', ']']),
            names(&get("resourceNames")),
            get("verbs").trim_matches(['[', ']']),
            cell(why)
        );
        rule.clear();
    };
    let mut why = String::new();
    for line in repo_file(RBAC_YAML).lines() {
        let trimmed = line.trim();
        if trimmed == "---" {
            flush(&mut out, &object, &mut rule, &why);
            object.clear();
        } else if let Some(name) = trimmed.strip_prefix("name: {{ include \"ovh-operator.fullname\" . }}") {
            if object.is_empty() {
                object = format!("`<fullname>{name}`");
            }
        } else if let Some(text) = trimmed.strip_prefix("# ") {
            comment.push(text.to_string());
        } else if let Some(rest) = trimmed.strip_prefix("- apiGroups:") {
            flush(&mut out, &object, &mut rule, &why);
            why = comment.join(" ");
            rule.push(("apiGroups".into(), rest.trim().to_string()));
            comment.clear();
        } else if !rule.is_empty() {
            if let Some((key, value)) = trimmed.split_once(':')
                && ["resources", "verbs", "resourceNames"].contains(&key)
            {
                rule.push((key.to_string(), value.trim().to_string()));
                continue;
            }
            flush(&mut out, &object, &mut rule, &why);
            comment.clear();
        } else if !trimmed.starts_with('#') {
            comment.clear();
        }
    }
    flush(&mut out, &object, &mut rule, &why);
    out
}

/// A rule's resourceNames, template expressions named for what they stand for.
fn names(raw: &str) -> String {
    let raw = raw.trim_matches(['[', ']']);
    if raw.contains("defaultCredentials") {
        "the `defaultCredentials` Secret".to_string()
    } else if raw.contains("fullname") {
        "the chart's Lease (`<fullname>`)".to_string()
    } else {
        cell(raw)
    }
}

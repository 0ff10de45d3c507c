//! The docs site's reference pages (`docs/reference/`), generated from the code: the resource's
//! fields (the CRD schema), the operator's flags (clap), metrics (the registry), reasons (the
//! reason vocabulary), annotations, Helm values (`values.schema.json` and `values.yaml`'s
//! comments), the RBAC the chart grants and the OVH access rules. `ovh-publiccloud-operator
//! docs-reference docs/reference` writes them; a test fails when a committed page differs.

use std::fmt::Write;

use serde_json::Value;

/// The command that regenerates the pages.
pub const COMMAND: &str = "cargo run -q -- docs-reference docs/reference";

/// A file of the repository, read when the pages are generated (not compiled in: the image's
/// build context holds only the crate, and this is a tool for the repository).
fn repo_file(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full)
        .unwrap_or_else(|e| panic!("docs-reference runs in the repository: {}: {e}", full.display()))
}

const VALUES_YAML: &str = "charts/ovh-publiccloud-operator/values.yaml";
const VALUES_SCHEMA: &str = "charts/ovh-publiccloud-operator/values.schema.json";
const RBAC_YAML: &str = "charts/ovh-publiccloud-operator/templates/rbac.yaml";

fn header(title: &str, source: &str) -> String {
    format!("# {title}\n\n<!-- Generated from {source} by `{COMMAND}`; do not edit by hand. -->\n\n")
}

/// Text for a Markdown table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// Every page: (file name under docs/reference/, content).
pub fn pages() -> Vec<(&'static str, String)> {
    vec![
        ("index.md", index()),
        ("resource.md", resource()),
        ("operator.md", operator()),
        ("metrics.md", metrics()),
        ("reasons.md", reasons()),
        ("conditions.md", conditions()),
        ("annotations.md", annotations()),
        ("helm-values.md", helm_values()),
        ("rbac.md", rbac()),
        ("ovh-access.md", ovh_access()),
    ]
}

/// Writes every page into `dir`.
pub fn write(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, content) in pages() {
        std::fs::write(dir.join(name), content)?;
    }
    Ok(())
}

fn index() -> String {
    let mut out = header("Reference", "src/docs_reference.rs");
    out.push_str(
        "These pages are generated from the code, and a test fails when a committed page differs \
         from what the code would generate.\n\n\
         - [The resource's fields](resource.md): from the CRD schema\n\
         - [Operator flags and environment variables](operator.md): from the `run` command's clap definition\n\
         - [Metrics](metrics.md): from the operator's Prometheus registry\n\
         - [Reasons, health and events](reasons.md): from the reason vocabulary\n\
         - [Conditions](conditions.md): from the condition types the operator writes\n\
         - [Conditions](conditions.md): from the condition types the operator writes\n\
         - [Annotations and labels](annotations.md): from the API constants\n\
         - [Helm values](helm-values.md): from `values.schema.json` and `values.yaml`'s comments\n\
         - [RBAC the chart grants](rbac.md): from the chart's `templates/rbac.yaml`\n\
         - [OVH access rules](ovh-access.md): from `src/ovh/access.rs`\n\n\
         The [OVH simulator](simulator.md) page is written by hand.\n",
    );
    out
}

fn resource() -> String {
    let crd = serde_json::to_value(crate::api::crd()).expect("the CRD serialises");
    let version = &crd["spec"]["versions"][0];
    let mut out = header("PublicCloudProject fields", "the CRD schema (src/api/)");
    let _ = writeln!(
        out,
        "Group `{}`, version `{}`, kind `{}`, short name `pcp`. `kubectl explain pcp.spec` shows the same \
         descriptions. The API server also enforces the CEL rules of the schema (see \
         [how an order flows](../explanation/order-flow.md)).\n",
        crd["spec"]["group"].as_str().unwrap_or_default(),
        version["name"].as_str().unwrap_or_default(),
        crd["spec"]["names"]["kind"].as_str().unwrap_or_default(),
    );
    let schema = &version["schema"]["openAPIV3Schema"]["properties"];
    for part in ["spec", "status"] {
        let _ = writeln!(
            out,
            "## {part}\n\n| field | type | default | description |\n|---|---|---|---|"
        );
        walk(&mut out, part, &schema[part]);
        out.push('\n');
    }
    out
}

fn walk(out: &mut String, path: &str, schema: &Value) {
    let Some(properties) = schema["properties"].as_object() else {
        return;
    };
    for (name, field) in properties {
        let here = format!("{path}.{name}");
        let mut kind = field["type"].as_str().unwrap_or("object").to_string();
        let mut described = field;
        if kind == "array" {
            let items = &field["items"];
            kind = format!("[]{}", items["type"].as_str().unwrap_or("object"));
            if items["properties"].is_object() {
                described = field;
                row(out, &here, &kind, described);
                walk(out, &format!("{here}[]"), items);
                continue;
            }
        }
        row(out, &here, &kind, described);
        walk(out, &here, field);
    }
}

fn row(out: &mut String, path: &str, kind: &str, field: &Value) {
    let default = match &field["default"] {
        Value::Null => String::new(),
        v => format!("`{v}`"),
    };
    let mut description = field["description"].as_str().unwrap_or_default().to_string();
    if let Some(values) = field["enum"].as_array() {
        let values: Vec<String> = values
            .iter()
            .map(|v| match v.as_str() {
                Some("") => "`\"\"`".to_string(),
                Some(s) => format!("`{s}`"),
                None => format!("`{v}`"),
            })
            .collect();
        let _ = write!(description, " One of {}.", values.join(", "));
    }
    if let Some(pattern) = field["pattern"].as_str() {
        let _ = write!(description, " Pattern `{pattern}`.");
    }
    let _ = writeln!(
        out,
        "| `{path}` | {kind} | {} | {} |",
        cell(&default),
        cell(&description)
    );
}

fn operator() -> String {
    use clap::Args;
    let command = crate::controller::Options::augment_args(clap::Command::new("run"));
    let mut out = header("Operator flags", "src/controller/options.rs (clap)");
    out.push_str(
        "Flags of `ovh-publiccloud-operator run`; each is also read from its environment variable \
         (the chart sets them from its values, and `extraEnv` can set any). \
         `ovh-publiccloud-operator --help` lists the other subcommands (`crd`, `simulator`, \
         `credentials`, `pcp`).\n\n| flag | environment variable | default | description |\n|---|---|---|---|\n",
    );
    for arg in command.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if long == "help" {
            continue;
        }
        let env = arg
            .get_env()
            .map(|e| format!("`{}`", e.to_string_lossy()))
            .unwrap_or_default();
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|d| d.to_string_lossy().into_owned())
            .collect();
        let default = if defaults.is_empty() {
            String::new()
        } else {
            format!("`{}`", defaults.join(","))
        };
        let help = arg
            .get_long_help()
            .or(arg.get_help())
            .map(|h| h.to_string())
            .unwrap_or_default();
        let _ = writeln!(out, "| `--{long}` | {env} | {default} | {} |", cell(&help));
    }
    out
}

fn metrics() -> String {
    let stats = std::sync::Arc::new(crate::ovh::CallStats::default());
    let registry = crate::metrics::Metrics::new(stats);
    // A labelled family shows in the encoding once it has a series.
    registry.failure("OvhServerError");
    registry.phase_changed(None, Some("Ready"));
    let text = registry.render();
    let mut out = header("Metrics", "src/metrics.rs (the registry's encoding)");
    out.push_str(
        "Served on `--metrics-addr` at `/metrics` (OpenMetrics text). Counters are exposed with the \
         `_total` suffix. `ovh_operator_ovh_requests_total` has the labels `method`, `route` (the path \
         template) and `status` (`0`: no answer).\n\n| metric | type | labels | help |\n|---|---|---|---|\n",
    );
    let mut rows: Vec<(String, String, String, String)> = Vec::new();
    let mut help = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            help = rest
                .split_once(' ')
                .map(|(_, h)| h.to_string())
                .unwrap_or_default();
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, ""));
            let shown = if kind == "counter" {
                format!("{name}_total")
            } else {
                name.to_string()
            };
            rows.push((shown, kind.to_string(), String::new(), std::mem::take(&mut help)));
        } else if let (Some(row), Some((_, labels))) = (rows.last_mut(), line.split_once('{'))
            && row.2.is_empty()
        {
            let names: Vec<&str> = labels
                .split(',')
                .filter_map(|l| l.split_once('=').map(|(k, _)| k))
                .filter(|k| *k != "le")
                .collect();
            row.2 = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
        }
    }
    for (name, kind, labels, help) in rows {
        let _ = writeln!(out, "| `{name}` | {kind} | {labels} | {} |", cell(&help));
    }
    out
}

fn reasons() -> String {
    use crate::controller::reason::Reason;
    let mut out = header("Reasons, health and events", "src/controller/reason.rs");
    out.push_str(
        "Every condition and event reason, with the health it stands for (Argo CD's vocabulary). \
         The Ready condition carries the reason of the phase a resource is in; \
         [troubleshooting](../operations/troubleshooting.md) says what a person does.\n\n\
         ## Which reasons are events\n\n\
         Warnings (OVH errors, refused credentials, anything a person must fix) are always Warning \
         events, with OVH's message and query id. Every other reason is a Normal event when its step \
         happens, except these routine steps, which are logged and recorded in the status only; they \
         become an event when a pass ends waiting on one of them and the Ready condition changes:\n\n",
    );
    let routine: Vec<String> = Reason::ALL
        .iter()
        .filter(|r| r.routine())
        .map(|r| format!("`{}`", r.as_str()))
        .collect();
    let _ = writeln!(out, "{}.\n\n## Every reason\n", routine.join(", "));
    out.push_str("<!-- reasons:begin (generated from src/controller/reason.rs) -->\n");
    out.push_str(&crate::controller::reason::markdown_table());
    out.push_str("<!-- reasons:end -->\n");
    out
}

fn conditions() -> String {
    let mut out = header("Conditions", "src/controller/status.rs");
    out.push_str(
        "`status.conditions` are `metav1.Condition`s with `observedGeneration`; each carries a \
         [reason](reasons.md). `kubectl wait --for=condition=Ready pcp/NAME` waits for the project.\n\n\
         | type | meaning |\n|---|---|\n",
    );
    for (kind, meaning) in crate::controller::status::CONDITIONS {
        let _ = writeln!(out, "| `{kind}` | {} |", cell(meaning));
    }
    out
}

fn annotations() -> String {
    use crate::api::*;
    let rows = [
        (
            APPROVE_ANNOTATION,
            "annotation",
            "a cart id: approves the order of that cart (an approver's, with the chart's policy); `kubectl pcp approve` writes it",
        ),
        (
            APPROVED_BY_ANNOTATION,
            "annotation",
            "who approved: stamped at admission by the chart's MutatingAdmissionPolicy; copied into `status.approvedBy`",
        ),
        (
            ORDER_ID_ANNOTATION,
            "annotation",
            "names the order a lost checkout created, when the operator could not identify it (`kubectl pcp resolve`)",
        ),
        (
            TERMINATION_TOKEN_ANNOTATION,
            "annotation",
            "the termination token OVH e-mailed, when the operator cannot read it from the account's e-mail history",
        ),
        (
            PAUSED_ANNOTATION,
            "annotation",
            "`\"true\"`: no OVH call for this resource until the annotation goes",
        ),
        (
            crate::controller::outputs::OUTPUTS_OF_LABEL,
            "label",
            "on the outputs Secret: the resource whose outputs it holds",
        ),
        (
            FINALIZER,
            "finalizer",
            "kept until the resource's cart, order or project has been dealt with; `kubectl pcp forget` removes it without touching OVH",
        ),
        (
            FIELD_MANAGER,
            "field manager",
            "the field manager of every write the operator makes",
        ),
    ];
    let mut out = header("Annotations, labels and finalizer", "src/api/mod.rs");
    out.push_str("| name | kind | meaning |\n|---|---|---|\n");
    for (name, kind, meaning) in rows {
        let _ = writeln!(out, "| `{name}` | {kind} | {meaning} |");
    }
    out
}

/// values.yaml's keys in order: (dotted path, value on the key's line, the comment above it).
fn values_yaml() -> Vec<(String, String, String)> {
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

fn helm_values() -> String {
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

fn rbac() -> String {
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

fn ovh_access() -> String {
    let mut out = header("OVH access rules", "src/ovh/access.rs");
    out.push_str(
        "The OVH API calls the operator needs (method and path; `*` matches anything, `/` included, as \
         in OVH's access rules), and the IAM actions an OAuth2 service account needs. \
         `ovh-publiccloud-operator credentials` requests a consumer key with exactly these rules \
         (see [OVH credentials](../guides/credentials.md)).\n\n",
    );
    out.push_str("<!-- access:begin (generated from src/ovh/access.rs) -->\n");
    out.push_str(&crate::ovh::access::markdown());
    out.push_str("<!-- access:end -->\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_reference_pages_match_the_code() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/reference");
        for (name, generated) in super::pages() {
            let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            assert!(
                committed == generated,
                "docs/reference/{name} is stale: run `{}`",
                super::COMMAND
            );
        }
    }

    #[test]
    fn every_helm_value_is_in_the_schema() {
        let schema: serde_json::Value =
            serde_json::from_str(&super::repo_file(super::VALUES_SCHEMA)).unwrap();
        for (path, _, _) in super::values_yaml() {
            let mut node = &schema;
            for part in path.split('.') {
                if node["type"] == "object" && node["properties"].is_null() {
                    break; // a free-form object, such as a securityContext
                }
                node = &node["properties"][part];
            }
            assert!(
                !node.is_null(),
                "values.yaml's {path} is not in values.schema.json"
            );
        }
    }

    /// The prose (README.md and docs/) names only flags, annotations and fields that exist: a
    /// renamed flag or field fails here, not in a reader's cluster.
    #[test]
    fn every_flag_annotation_and_field_the_prose_names_exists() {
        use clap::{Args, CommandFactory};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = vec![(
            "README.md".to_string(),
            std::fs::read_to_string(root.join("README.md")).unwrap(),
        )];
        let mut dirs = vec![root.join("docs")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "md") {
                    let name = path.strip_prefix(root).unwrap().display().to_string();
                    texts.push((name, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        // Every long flag of the binary's subcommands (and the kubectl plugin).
        let mut commands = vec![
            crate::controller::Options::augment_args(clap::Command::new("run")),
            crate::simulator::SimConfig::augment_args(clap::Command::new("simulator")),
            crate::credentials_cmd::CredentialsArgs::augment_args(clap::Command::new("credentials")),
            crate::pcp::PluginCli::command(),
        ];
        let mut flags = std::collections::BTreeSet::new();
        while let Some(command) = commands.pop() {
            flags.extend(
                command
                    .get_arguments()
                    .filter_map(|a| a.get_long())
                    .map(String::from),
            );
            commands.extend(command.get_subcommands().cloned());
        }
        // Other tools' flags the docs use (kubectl, helm, docker, the kube-apiserver).
        let external = [
            "help",
            "version",
            "namespace",
            "kubeconfig",
            "context",
            "include-crds",
            "runtime-config",
            "build-arg",
            "set",
            "as",
            "overwrite",
            "dry-run",
            "server-side",
            "for",
            "timeout",
            "create-namespace",
            "values",
            "wait",
            "type",
            "from-literal",
            "clusterrole",
            "user",
            "serviceaccount",
            "output",
            "selector",
            "all-namespaces",
            "force",
        ];
        let annotations = [
            crate::api::APPROVE_ANNOTATION,
            crate::api::APPROVED_BY_ANNOTATION,
            crate::api::ORDER_ID_ANNOTATION,
            crate::api::PAUSED_ANNOTATION,
            crate::api::TERMINATION_TOKEN_ANNOTATION,
            crate::api::FINALIZER,
            crate::controller::outputs::OUTPUTS_OF_LABEL,
        ];
        let crd = serde_json::to_value(crate::api::crd()).unwrap();
        let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        let field_exists = |path: &str| {
            let mut node = schema;
            for part in path.split('.') {
                if node["type"] == "array" {
                    node = &node["items"];
                }
                node = &node["properties"][part];
                if node.is_null() {
                    return false;
                }
            }
            true
        };
        let flag = regex_lite_words(r"`--", |c: char| c.is_ascii_alphanumeric() || c == '-');
        let mut unknown = Vec::new();
        for (file, text) in &texts {
            for word in flag(text) {
                let name = word.trim_end_matches('-');
                let known = flags.contains(name)
                    || external.contains(&name)
                    // `--leader-election-*`: a family of flags.
                    || flags.iter().any(|f| word.ends_with('-') && f.starts_with(&word));
                if !known {
                    unknown.push(format!("{file}: flag --{word}"));
                }
            }
            // `publiccloudproject.publiccloud.ovh-operator.dev/NAME` is kubectl naming an object.
            let unprefixed = text.replace("publiccloudproject.publiccloud.ovh-operator.dev/", "");
            for word in regex_lite_words("publiccloud.ovh-operator.dev/", |c: char| {
                c.is_ascii_lowercase() || c == '-'
            })(&unprefixed)
            {
                let name = format!("publiccloud.ovh-operator.dev/{}", word.trim_end_matches('-'));
                // `…/v1alpha1` is the API version, not an annotation.
                if !word.is_empty() && word != "v" && !annotations.contains(&name.as_str()) {
                    unknown.push(format!("{file}: annotation {name}"));
                }
            }
            for prefix in ["`spec.", "`status."] {
                for word in regex_lite_words(prefix, |c: char| c.is_ascii_alphanumeric() || c == '.')(text) {
                    let path = format!("{}{}", &prefix[1..], word.trim_end_matches('.'));
                    // Flux's HelmRelease field, named in the GitOps guide.
                    if path != "spec.upgrade.crds" && !field_exists(&path) {
                        unknown.push(format!("{file}: field {path}"));
                    }
                }
            }
        }
        unknown.extend(unknown_names(&texts, schema));
        assert!(
            unknown.is_empty(),
            "the docs name what does not exist:\n{}",
            unknown.join("\n")
        );
    }

    /// The `PascalCase` names in backquotes that are neither a reason, a phase, a condition type,
    /// a value of the CRD's enums, an alert of the chart, nor one of the other terms listed.
    fn unknown_names(texts: &[(String, String)], schema: &serde_json::Value) -> Vec<String> {
        use crate::controller::{reason::Reason, status::CONDITIONS};
        let mut known: std::collections::BTreeSet<String> =
            Reason::ALL.iter().map(|r| r.as_str().to_string()).collect();
        known.extend(CONDITIONS.iter().map(|(kind, _)| kind.to_string()));
        // Enum values of the CRD (phases, approval, payment, policies, subsidiaries, roles…).
        let mut nodes = vec![schema];
        while let Some(node) = nodes.pop() {
            if let Some(values) = node["enum"].as_array() {
                known.extend(values.iter().filter_map(|v| v.as_str()).map(String::from));
            }
            if let Some(map) = node["properties"].as_object() {
                nodes.extend(map.values());
            }
            if node["items"].is_object() {
                nodes.push(&node["items"]);
            }
        }
        let rules = super::repo_file("charts/ovh-publiccloud-operator/templates/prometheusrule.yaml");
        known.extend(
            rules
                .lines()
                .filter_map(|l| l.trim().strip_prefix("- alert: "))
                .map(String::from),
        );
        // Kubernetes kinds, HTTP methods, image and Dockerfile terms, planner steps named in the
        // explanation pages, an OVH payment method status.
        let others = [
            "PublicCloudProject",
            "HelmRelease",
            "MutatingAdmissionPolicy",
            "Dockerfile",
            "GET",
            "POST",
            "PUT",
            "DELETE",
            "PATH",
            "USER",
            "TARGETARCH",
            "ID",
            "Always",
            "IfNotPresent",
            "Never",
            "Recreate",
            "RuntimeDefault",
            "VmHWM",
            "VALID",
            "BeginUser",
            "CreateUser",
            "WriteOutputs",
        ];
        known.extend(others.iter().map(|s| s.to_string()));
        let mut unknown = Vec::new();
        for (file, text) in texts {
            for word in regex_lite_words("`", |c: char| c.is_ascii_alphanumeric())(text) {
                // One letter is a placeholder (`P`), not a name.
                let pascal = word.len() > 1
                    && word.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && text.contains(&format!("`{word}`"));
                if pascal && !known.contains(&word) {
                    unknown.push(format!("{file}: name {word}"));
                }
            }
        }
        unknown.sort();
        unknown.dedup();
        unknown
    }

    /// The words that follow each occurrence of `prefix`, made of the characters `keep` accepts.
    fn regex_lite_words(prefix: &'static str, keep: fn(char) -> bool) -> impl Fn(&str) -> Vec<String> {
        move |text: &str| {
            text.match_indices(prefix)
                .map(|(i, _)| {
                    text[i + prefix.len()..]
                        .chars()
                        .take_while(|c| keep(*c))
                        .collect::<String>()
                })
                .collect()
        }
    }
}

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

/// The prose of the repository under `root`: README.md and every Markdown page of docs/ (the
/// docs tests read them all).
pub fn prose_files(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = vec![root.join("README.md")];
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
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
         - [OVH access rules](ovh-access.md): from `src/ovh/access/mod.rs`\n\n\
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
    let mut out = header("Metrics", "src/metrics.rs (the registry's encoding)");
    out.push_str(
        "Served on `--metrics-addr` at `/metrics` (OpenMetrics text). Counters are exposed with the \
         `_total` suffix. `ovh_operator_ovh_requests_total` has the labels `method`, `route` (the path \
         template) and `status` (`0`: no answer).\n\n| metric | type | labels | help |\n|---|---|---|---|\n",
    );
    for (name, kind, labels, help) in metric_rows(&encoded_metrics()) {
        let _ = writeln!(out, "| `{name}` | {kind} | {labels} | {} |", cell(&help));
    }
    out
}

/// The registry's encoding, with a series in every labelled family (a labelled family shows in
/// the encoding once it has one).
fn encoded_metrics() -> String {
    let stats = std::sync::Arc::new(crate::ovh::CallStats::default());
    let registry = crate::metrics::Metrics::new(stats);
    registry.failure("OvhServerError");
    registry.phase_changed(None, Some("Ready"));
    registry.project_listing("listed");
    let money = crate::metrics::Money {
        currency: "EUR".into(),
        current: Some(1.0),
        forecast: Some(2.0),
        budget: Some(3.0),
    };
    registry.project_money("team-a", "project", Some(&money), None);
    registry.render()
}

/// One row per metric family of an OpenMetrics text: its name as scraped (a counter's with
/// `_total`), its type, its label names (from its first series; not a histogram's `le`) and its
/// help.
fn metric_rows(text: &str) -> Vec<(String, String, String, String)> {
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
    rows
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

fn ovh_access() -> String {
    let mut out = header("OVH access rules", "src/ovh/access/mod.rs");
    out.push_str(
        "The OVH API calls the operator needs (method and path; `*` matches anything, `/` included, as \
         in OVH's access rules), and the IAM actions an OAuth2 service account needs. \
         `ovh-publiccloud-operator credentials` requests a consumer key with exactly these rules \
         (see [OVH credentials](../guides/credentials.md)).\n\n",
    );
    out.push_str("<!-- access:begin (generated from src/ovh/access/mod.rs) -->\n");
    out.push_str(&crate::ovh::access::markdown());
    out.push_str("<!-- access:end -->\n");
    out
}

mod chart;
use chart::{helm_values, rbac};

#[cfg(test)]
mod tests;

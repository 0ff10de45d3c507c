//! The reference pages and the prose checked against the code.

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
        serde_json::from_str(&super::repo_file(super::chart::VALUES_SCHEMA)).unwrap();
    for (path, _, _) in super::chart::values_yaml() {
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
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let texts: Vec<(String, String)> = super::prose_files(root)
        .into_iter()
        .map(|path| {
            let name = path.strip_prefix(root).unwrap().display().to_string();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    let crd = serde_json::to_value(crate::api::crd()).unwrap();
    let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    let mut unknown = Vec::new();
    for (file, text) in &texts {
        let named = unknown_flags(text)
            .into_iter()
            .chain(unknown_annotations(text))
            .chain(unknown_fields(text, schema));
        unknown.extend(named.map(|what| format!("{file}: {what}")));
    }
    unknown.extend(unknown_names(&texts, schema));
    assert!(
        unknown.is_empty(),
        "the docs name what does not exist:\n{}",
        unknown.join("\n")
    );
}

/// The `--flags` of `text` that no subcommand of the binary (nor the kubectl plugin) has and
/// that are not other tools' flags the docs use.
fn unknown_flags(text: &str) -> Vec<String> {
    use clap::{Args, CommandFactory};
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
    regex_lite_words("`--", |c: char| c.is_ascii_alphanumeric() || c == '-')(text)
        .into_iter()
        .filter(|word| {
            let name = word.trim_end_matches('-');
            // `--leader-election-*`: a family of flags.
            let family = word.ends_with('-') && flags.iter().any(|f| f.starts_with(word.as_str()));
            !(flags.contains(name) || external.contains(&name) || family)
        })
        .map(|word| format!("flag --{word}"))
        .collect()
}

/// The `publiccloud.ovh-operator.dev/…` names of `text` that are no annotation, label or
/// finalizer of the operator.
fn unknown_annotations(text: &str) -> Vec<String> {
    let annotations = [
        crate::api::APPROVE_ANNOTATION,
        crate::api::APPROVED_BY_ANNOTATION,
        crate::api::ORDER_ID_ANNOTATION,
        crate::api::PAUSED_ANNOTATION,
        crate::api::TERMINATION_TOKEN_ANNOTATION,
        crate::api::FINALIZER,
        crate::controller::outputs::OUTPUTS_OF_LABEL,
    ];
    // `publiccloudproject.publiccloud.ovh-operator.dev/NAME` is kubectl naming an object.
    let unprefixed = text.replace("publiccloudproject.publiccloud.ovh-operator.dev/", "");
    regex_lite_words("publiccloud.ovh-operator.dev/", |c: char| {
        c.is_ascii_lowercase() || c == '-'
    })(&unprefixed)
    .into_iter()
    // `…/v1alpha1` is the API version, not an annotation.
    .filter(|word| !word.is_empty() && word != "v")
    .map(|word| format!("publiccloud.ovh-operator.dev/{}", word.trim_end_matches('-')))
    .filter(|name| !annotations.contains(&name.as_str()))
    .map(|name| format!("annotation {name}"))
    .collect()
}

/// The `spec.…`/`status.…` paths of `text` that the CRD's schema does not have.
fn unknown_fields(text: &str, schema: &serde_json::Value) -> Vec<String> {
    let exists = |path: &str| {
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
    let mut unknown = Vec::new();
    for prefix in ["`spec.", "`status."] {
        for word in regex_lite_words(prefix, |c: char| c.is_ascii_alphanumeric() || c == '.')(text) {
            let path = format!("{}{}", &prefix[1..], word.trim_end_matches('.'));
            // Flux's HelmRelease field, named in the GitOps guide.
            if path != "spec.upgrade.crds" && !exists(&path) {
                unknown.push(format!("field {path}"));
            }
        }
    }
    unknown
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

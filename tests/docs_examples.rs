//! Every PublicCloudProject in a YAML block of the README and the docs site is accepted by the
//! real API server (server-side dry run against the committed CRD), so a sample a reader copies
//! cannot be one the CRD refuses.

mod common;

use serde::Deserialize as _;

use common::{client, install_crd, kubectl_with_input, namespace, output_text as text, repo_root};

/// The ```yaml blocks of a Markdown file, each as (first line number, text), without the
/// indentation of their fence (blocks inside list items).
fn yaml_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, usize, String)> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut current {
            None if trimmed.starts_with("```yaml") => {
                current = Some((i + 2, line.len() - trimmed.len(), String::new()))
            }
            Some(_) if trimmed.starts_with("```") => {
                let (at, _, text) = current.take().unwrap();
                blocks.push((at, text));
            }
            Some((_, indent, text)) => {
                text.push_str(line.get(*indent..).unwrap_or(""));
                text.push('\n');
            }
            None => {}
        }
    }
    blocks
}

fn markdown_files() -> Vec<std::path::PathBuf> {
    ovh_publiccloud_operator::docs_reference::prose_files(&repo_root())
}

#[tokio::test]
async fn every_publiccloudproject_in_the_docs_is_accepted() {
    let client = client().await;
    install_crd(&client).await;
    let ns = namespace(&client, "docs").await;
    let mut checked = 0;
    for file in markdown_files() {
        let markdown = std::fs::read_to_string(&file).unwrap();
        let shown = file.strip_prefix(repo_root()).unwrap().display().to_string();
        for (line, block) in yaml_blocks(&markdown) {
            for document in serde_yaml::Deserializer::from_str(&block) {
                let value = serde_yaml::Value::deserialize(document);
                let Ok(mut object) = value else { continue };
                if object["kind"].as_str() != Some("PublicCloudProject") {
                    continue;
                }
                object["metadata"]["namespace"] = serde_yaml::Value::String(ns.clone());
                let json = serde_json::to_string(&object).unwrap();
                let out = kubectl_with_input(&["create", "--dry-run=server", "-n", &ns, "-f", "-"], &json);
                assert!(
                    out.status.success(),
                    "{shown}, the YAML block at line {line}, is refused by the API server: {}",
                    text(&out)
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 3,
        "only {checked} PublicCloudProjects found in README.md and docs/"
    );
    eprintln!("{checked} PublicCloudProjects from README.md and docs/ accepted");
}

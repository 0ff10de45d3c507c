//! `kubectl pcp pin NAME`: the delivered (or adopted) project's id as a `spec.projectId` patch,
//! for the manifest in Git: a cluster rebuilt from it then adopts the project instead of
//! ordering another one. Prints only; changes nothing.

use super::{Cluster, PcpError, shell_word};

/// Print the patch that writes status.projectId into spec.projectId.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:\n  kubectl pcp pin team-a >> team-a.patch.yaml\n\n\
Prints the spec.projectId snippet for the manifest in Git. The API server refuses spec.projectId on \
a resource whose order exists, so for an ordered project the snippet is for the manifest a \
rebuilt cluster applies; for an adopted one, the printed kubectl patch also pins the live resource.")]
pub struct PinArgs {
    /// The PublicCloudProject.
    pub name: String,
}

pub async fn run(cluster: &Cluster, args: &PinArgs) -> Result<(), PcpError> {
    let who = cluster.qualified(&args.name);
    let obj = cluster.get(&args.name).await?;
    let status = obj.status.clone().unwrap_or_default();
    let Some(project_id) = status.project_id.as_deref() else {
        return Err(PcpError::Refused(format!(
            "{who} has no status.projectId yet: nothing to pin (kubectl pcp status {})",
            args.name
        )));
    };
    if obj.spec.project_id.as_deref() == Some(project_id) {
        println!("# {who} is already pinned: spec.projectId is {project_id}");
        return Ok(());
    }
    println!("# status.projectId of {who}, for its manifest in Git:");
    println!("spec:");
    println!("  projectId: {project_id:?}");
    // The API server refuses spec.options with spec.projectId (an adopted project is not
    // ordered): pinning drops them, saying so.
    let options = if obj.spec.options.is_empty() {
        ""
    } else {
        println!(
            "  options: []  # the API server refuses spec.options with spec.projectId; they were \
             ordered with the project, or never (an adopted project is not ordered)"
        );
        ",\"options\":null"
    };
    let patch = format!("{{\"spec\":{{\"projectId\":\"{project_id}\"{options}}}}}");
    if status.order.is_some() {
        println!(
            "# Ordered by this resource (order {}): the API server refuses spec.projectId on it, so \
             keep the live resource as it is; a cluster rebuilt from the pinned manifest adopts \
             the project instead of ordering another.",
            status.order.as_ref().map(|o| o.id).unwrap_or_default()
        );
    } else {
        println!("# To pin the live resource too:");
        println!(
            "# kubectl patch publiccloudproject {} -n {} --type merge -p {}",
            shell_word(&args.name),
            shell_word(&cluster.namespace),
            shell_word(&patch)
        );
    }
    Ok(())
}

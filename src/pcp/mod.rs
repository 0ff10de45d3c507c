//! `kubectl pcp`: the operator's binary as a kubectl plugin (installed, or linked, as
//! `kubectl-pcp` on the PATH) and as `ovh-publiccloud-operator pcp`. One file per command:
//! `plan` previews an order at OVH without a cluster; `approve`, `status`, `resolve`, `forget`
//! and `pin` read and write PublicCloudProjects the way the operator expects a person to.

use std::path::PathBuf;

use kube::{
    Api, Client, Config,
    config::{KubeConfigOptions, Kubeconfig},
};

use crate::{api::PublicCloudProject, ovh::OvhError};

mod approve;
mod forget;
mod next;
mod pin;
mod plan;
mod resolve;
pub mod sdk_config;
mod status;

/// `kubectl pcp` as a plugin: the same commands as `ovh-publiccloud-operator pcp`.
#[derive(clap::Parser, Debug)]
#[command(name = "kubectl pcp", bin_name = "kubectl pcp", version)]
pub struct PluginCli {
    #[command(flatten)]
    pub args: PcpArgs,
}

/// Plan, approve and follow PublicCloudProjects (also installed as the kubectl plugin `kubectl pcp`).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  kubectl pcp plan -f project.yaml\n  kubectl pcp status team-a -n team-a\n  kubectl pcp approve team-a --max-price 25.00"
)]
pub struct PcpArgs {
    #[command(flatten)]
    pub kube: KubeFlags,
    #[command(subcommand)]
    pub command: PcpCommand,
}

/// The usual kubectl flags.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct KubeFlags {
    /// Namespace of the resource (default: the kubeconfig context's namespace).
    #[arg(short = 'n', long, global = true)]
    pub namespace: Option<String>,
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long, global = true)]
    pub context: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum PcpCommand {
    Plan(plan::PlanArgs),
    Approve(approve::ApproveArgs),
    Status(status::StatusArgs),
    Resolve(resolve::ResolveArgs),
    Forget(forget::ForgetArgs),
    Pin(pin::PinArgs),
}

/// Why a command failed. Refusals wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum PcpError {
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    #[error("kubeconfig: {0}")]
    Kubeconfig(String),
    #[error("OVH: {0}")]
    Ovh(#[from] OvhError),
    /// A manifest or credentials file that cannot be used.
    #[error("{0}")]
    Input(String),
    /// A check refused the command; nothing was written.
    #[error("{0}")]
    Refused(String),
    #[error("PublicCloudProject {namespace}/{name} not found")]
    NotFound { namespace: String, name: String },
}

impl PcpError {
    /// A stable category, as the operator's errors have.
    pub fn category(&self) -> &'static str {
        match self {
            Self::Kube(_) => "kubernetes",
            Self::Kubeconfig(_) => "kubeconfig",
            Self::Ovh(e) => e.category(),
            Self::Input(_) => "input",
            Self::Refused(_) => "refused",
            Self::NotFound { .. } => "not_found",
        }
    }
}

/// Runs a command that reads or writes the cluster.
async fn in_cluster(cluster: &Cluster, command: &PcpCommand) -> Result<(), PcpError> {
    match command {
        PcpCommand::Approve(a) => approve::run(cluster, a).await,
        PcpCommand::Status(a) => status::run(cluster, a).await,
        PcpCommand::Resolve(a) => resolve::run(cluster, a).await,
        PcpCommand::Forget(a) => forget::run(cluster, a).await,
        PcpCommand::Pin(a) => pin::run(cluster, a).await,
        PcpCommand::Plan(a) => plan::run(a).await,
    }
}

/// Runs a `pcp` command; failures are printed on stderr.
pub async fn main(args: PcpArgs) -> std::process::ExitCode {
    let result = match &args.command {
        // The only command without a cluster.
        PcpCommand::Plan(a) => plan::run(a).await,
        command => match Cluster::connect(&args.kube).await {
            Ok(cluster) => in_cluster(&cluster, command).await,
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kubectl pcp: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The cluster a command talks to, and the namespace of its resources.
pub struct Cluster {
    pub client: Client,
    pub namespace: String,
}

impl Cluster {
    /// As kubectl: --kubeconfig, else $KUBECONFIG or ~/.kube/config, else in-cluster; --context;
    /// the namespace from -n, else the context's, else `default`.
    pub async fn connect(flags: &KubeFlags) -> Result<Self, PcpError> {
        let options = KubeConfigOptions {
            context: flags.context.clone(),
            ..Default::default()
        };
        let config = match (&flags.kubeconfig, &flags.context) {
            (Some(path), _) => {
                let kubeconfig = Kubeconfig::read_from(path)
                    .map_err(|e| PcpError::Kubeconfig(format!("{}: {e}", path.display())))?;
                Config::from_custom_kubeconfig(kubeconfig, &options)
                    .await
                    .map_err(|e| PcpError::Kubeconfig(e.to_string()))?
            }
            (None, Some(_)) => Config::from_kubeconfig(&options)
                .await
                .map_err(|e| PcpError::Kubeconfig(e.to_string()))?,
            (None, None) => Config::infer()
                .await
                .map_err(|e| PcpError::Kubeconfig(e.to_string()))?,
        };
        let namespace = flags
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        let client = Client::try_from(config).map_err(PcpError::Kube)?;
        Ok(Self { client, namespace })
    }

    pub fn api(&self) -> Api<PublicCloudProject> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    /// The resource, or a clear "not found".
    pub async fn get(&self, name: &str) -> Result<PublicCloudProject, PcpError> {
        self.api().get_opt(name).await?.ok_or_else(|| PcpError::NotFound {
            namespace: self.namespace.clone(),
            name: name.to_string(),
        })
    }

    /// `namespace/name`, as messages name a resource.
    pub fn qualified(&self, name: &str) -> String {
        format!("{}/{name}", self.namespace)
    }
}

/// A merge patch of annotations, applied only if the resource is still at `resource_version`:
/// the API server answers 409 otherwise, and the change is refused with `changed` as the reason.
pub async fn annotate_if_unchanged(
    cluster: &Cluster,
    obj: &PublicCloudProject,
    annotations: serde_json::Value,
    changed: &str,
) -> Result<(), PcpError> {
    use kube::{
        ResourceExt,
        api::{Patch, PatchParams},
    };
    let patch = serde_json::json!({
        "metadata": {
            "resourceVersion": obj.resource_version(),
            "annotations": annotations,
        }
    });
    match cluster
        .api()
        .patch(&obj.name_any(), &PatchParams::default(), &Patch::Merge(&patch))
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 409 => Err(PcpError::Refused(changed.to_string())),
        Err(e) => Err(e.into()),
    }
}

/// The Ready condition's reason and message.
pub(crate) fn ready(status: &crate::api::PublicCloudProjectStatus) -> Option<(&str, &str)> {
    crate::controller::status::condition(status, crate::controller::status::READY)
        .map(|c| (c.reason.as_str(), c.message.as_str()))
}

/// `value` as one shell word (single-quoted unless it is made only of safe characters).
pub(crate) fn shell_word(value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

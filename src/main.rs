use clap::{Parser, Subcommand};

/// Orders OVHcloud Public Cloud projects from Kubernetes.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the PublicCloudProject CustomResourceDefinition as YAML.
    Crd,
    /// Run the operator (in a cluster, or against the current kubeconfig).
    Run(Box<ovh_publiccloud_operator::controller::Options>),
    /// Request an OVH consumer key with exactly the operator's access rules and print where to
    /// validate it and the Secret to create; or, with --oauth2, print the IAM policy of an OAuth2
    /// service account.
    Credentials(Box<ovh_publiccloud_operator::credentials_cmd::CredentialsArgs>),
    /// Serve a local OVH API simulator (prints its base URL on the first line of stdout).
    Simulator(Box<ovh_publiccloud_operator::simulator::SimConfig>),
    /// Plan, approve and follow PublicCloudProjects: the kubectl plugin `kubectl pcp` (this
    /// binary, linked as `kubectl-pcp` on the PATH).
    Pcp(Box<ovh_publiccloud_operator::pcp::PcpArgs>),
    /// Write the docs site's reference pages (docs/reference/) from the code.
    #[command(hide = true)]
    DocsReference {
        /// The directory to write them into.
        dir: std::path::PathBuf,
    },
}

/// Whether this binary runs as the kubectl plugin: kubectl runs `kubectl-pcp` from the PATH.
fn invoked_as_plugin() -> bool {
    std::env::args_os()
        .next()
        .and_then(|argv0| {
            std::path::Path::new(&argv0)
                .file_name()
                .map(|f| f.to_string_lossy().starts_with("kubectl-pcp"))
        })
        .unwrap_or(false)
}

fn main() -> std::process::ExitCode {
    let multi_thread = || {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    };
    if invoked_as_plugin() {
        use clap::Parser as _;
        let cli = ovh_publiccloud_operator::pcp::PluginCli::parse();
        return multi_thread().block_on(ovh_publiccloud_operator::pcp::main(cli.args));
    }
    let cli = Cli::parse();
    // The operator waits on the network nearly all the time (its CPU is a few ms per project):
    // one thread does its work without the cross-thread wake-ups and per-thread allocator arenas
    // of a multi-threaded runtime, which cost it more CPU and memory than they saved.
    let runtime = match cli.command {
        Command::Run(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime"),
        _ => multi_thread(),
    };
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> std::process::ExitCode {
    match cli.command {
        Command::Crd => print!("{}", ovh_publiccloud_operator::crd_yaml()),
        Command::DocsReference { dir } => {
            if let Err(e) = ovh_publiccloud_operator::docs_reference::write(&dir) {
                eprintln!("ovh-publiccloud-operator docs-reference: {}: {e}", dir.display());
                return std::process::ExitCode::FAILURE;
            }
        }
        Command::Run(options) => {
            ovh_publiccloud_operator::telemetry::init();
            if let Err(e) = ovh_publiccloud_operator::controller::run(*options).await {
                tracing::error!(category = e.category(), error = %e, "operator stopped");
                eprintln!("ovh-publiccloud-operator: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
        Command::Credentials(args) => match ovh_publiccloud_operator::credentials_cmd::run(&args).await {
            Ok(printed) => {
                eprint!("{}", printed.stderr);
                print!("{}", printed.stdout);
            }
            Err(e) => {
                eprintln!("ovh-publiccloud-operator credentials: {e}");
                return std::process::ExitCode::FAILURE;
            }
        },
        Command::Pcp(args) => return ovh_publiccloud_operator::pcp::main(*args).await,
        Command::Simulator(cfg) => {
            ovh_publiccloud_operator::telemetry::init();
            if let Err(e) = ovh_publiccloud_operator::simulator::run(*cfg).await {
                eprintln!("simulator: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    std::process::ExitCode::SUCCESS
}

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
    /// Serve a local OVH API simulator (prints its base URL on the first line of stdout).
    Simulator(Box<ovh_publiccloud_operator::simulator::SimConfig>),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match Cli::parse().command {
        Command::Crd => print!("{}", ovh_publiccloud_operator::crd_yaml()),
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

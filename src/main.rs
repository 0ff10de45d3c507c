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
}

fn main() {
    match Cli::parse().command {
        Command::Crd => print!("{}", ovh_publiccloud_operator::crd_yaml()),
    }
}

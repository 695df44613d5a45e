//! Subcommands, one file each.

mod audit;
mod baseline;
mod completions;
mod config;
mod explain;
mod image;
mod netpol;
mod node;
mod probe;
mod pss;
mod rbac;
mod rules;
pub mod scan;
mod serve;

use clap::{Parser, Subcommand};

/// kubeward: Kubernetes security toolkit.
#[derive(Debug, Parser)]
#[command(name = "kubeward", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan manifests (files, directories, `-` for stdin) and report findings.
    Scan(scan::ScanArgs),
    /// Evaluate workloads against the Pod Security Standards exactly as Pod Security Admission does.
    Pss(pss::PssArgs),
    /// Answer RBAC questions exactly as the API server's authorizer would (who-can, can-i, access, paths).
    #[command(subcommand)]
    Rbac(rbac::RbacCommand),
    /// Network policies: connections, explain, graph, synth, isolate, diff.
    #[command(subcommand)]
    Netpol(netpol::NetpolCommand),
    /// Check a node's control-plane, etcd and kubelet configuration against the CIS Kubernetes Benchmark.
    Node(node::NodeArgs),
    /// Probe live API server, kubelet and etcd endpoints the way an attacker would (read-only).
    Probe(probe::ProbeArgs),
    /// Detect attacks and anomalies in API-server audit logs (files, `-`, `--follow`).
    Audit(audit::AuditArgs),
    /// Image supply chain: verify cosign signatures in a registry, match SBOMs against OSV.
    #[command(subcommand)]
    Image(image::ImageCommand),
    /// Run the validating admission webhook (and the audit webhook backend) over HTTPS.
    Serve(serve::ServeArgs),
    /// Admission webhook install artefacts: certificates and manifests.
    #[command(subcommand)]
    Webhook(serve::WebhookCommand),
    /// List the rules.
    Rules(rules::RulesArgs),
    /// Show the documentation of a rule (by code or name).
    Explain(explain::ExplainArgs),
    /// Create a baseline of current findings so only new ones fail CI.
    #[command(subcommand)]
    Baseline(baseline::BaselineCommand),
    /// Configuration file helpers.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Print shell completions.
    Completions(completions::CompletionsArgs),
    /// Print the version.
    Version,
}

/// Runs the parsed command line and returns the exit code.
///
/// # Errors
/// Usage, configuration and I/O errors (exit code 2).
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Pss(args) => pss::run(&args),
        Command::Rbac(command) => rbac::run(&command),
        Command::Netpol(command) => netpol::run(&command),
        Command::Node(args) => node::run(&args),
        Command::Probe(args) => probe::run(&args),
        Command::Audit(args) => audit::run(&args),
        Command::Image(command) => image::run(&command),
        Command::Serve(args) => serve::run(&args),
        Command::Webhook(command) => serve::run_webhook(&command),
        Command::Rules(args) => rules::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Baseline(command) => baseline::run(command),
        Command::Config(command) => config::run(&command),
        Command::Completions(args) => completions::run(&args),
        Command::Version => {
            println!("kubeward {}", env!("CARGO_PKG_VERSION"));
            Ok(crate::EXIT_OK)
        }
    }
}

/// The clap command, for completions.
#[must_use]
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

//! `kubeward serve` and `kubeward webhook`.
//! OWNED BY THE WEBHOOK INTEGRATION WORK: replace with the real commands.

use clap::{Args, Subcommand};

/// Arguments of `kubeward serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {}

/// `kubeward webhook` subcommands.
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Not implemented yet.
    Todo,
}

/// Runs `kubeward serve`.
///
/// # Errors
/// Always, until the command is implemented.
pub fn run(_args: &ServeArgs) -> anyhow::Result<u8> {
    anyhow::bail!("`kubeward serve` is not implemented yet")
}

/// Runs `kubeward webhook`.
///
/// # Errors
/// Always, until the command is implemented.
pub fn run_webhook(_command: &WebhookCommand) -> anyhow::Result<u8> {
    anyhow::bail!("`kubeward webhook` is not implemented yet")
}

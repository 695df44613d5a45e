//! `kubeward rbac`.
//! OWNED BY THE RBAC INTEGRATION WORK: replace with the real command.

use clap::Subcommand;

/// `kubeward rbac` subcommands.
#[derive(Debug, Subcommand)]
pub enum RbacCommand {
    /// Not implemented yet.
    Todo,
}

/// Runs `kubeward rbac`.
///
/// # Errors
/// Always, until the command is implemented.
pub fn run(_command: &RbacCommand) -> anyhow::Result<u8> {
    anyhow::bail!("`kubeward rbac` is not implemented yet")
}

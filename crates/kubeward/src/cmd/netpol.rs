//! `kubeward netpol`.
//! OWNED BY THE NETWORK POLICY INTEGRATION WORK: replace with the real command.

use clap::Subcommand;

/// `kubeward netpol` subcommands.
#[derive(Debug, Subcommand)]
pub enum NetpolCommand {
    /// Not implemented yet.
    Todo,
}

/// Runs `kubeward netpol`.
///
/// # Errors
/// Always, until the command is implemented.
pub fn run(_command: &NetpolCommand) -> anyhow::Result<u8> {
    anyhow::bail!("`kubeward netpol` is not implemented yet")
}

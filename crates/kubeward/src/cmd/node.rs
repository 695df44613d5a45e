//! `kubeward node`.
//! OWNED BY THE CONTROL PLANE INTEGRATION WORK: replace with the real command.

use clap::Args;

/// Arguments of `kubeward node`.
#[derive(Debug, Args)]
pub struct NodeArgs {}

/// Runs `kubeward node`.
///
/// # Errors
/// Always, until the command is implemented.
pub fn run(_args: &NodeArgs) -> anyhow::Result<u8> {
    anyhow::bail!("`kubeward node` is not implemented yet")
}

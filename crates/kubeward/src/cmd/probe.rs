//! `kubeward probe`.
//! OWNED BY THE CONTROL PLANE INTEGRATION WORK: replace with the real command.

use clap::Args;

/// Arguments of `kubeward probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {}

/// Runs `kubeward probe`.
///
/// # Errors
/// Always, until the command is implemented.
pub fn run(_args: &ProbeArgs) -> anyhow::Result<u8> {
    anyhow::bail!("`kubeward probe` is not implemented yet")
}

//! `kubeward pss`: Pod Security Standards verdicts.
//! OWNED BY THE PSS INTEGRATION WORK: replace with the real command.

use clap::Args;

/// Arguments of `kubeward pss`.
#[derive(Debug, Args)]
pub struct PssArgs {}

/// Runs `kubeward pss`.
///
/// # Errors
/// Always, until the command is implemented.
pub fn run(_args: &PssArgs) -> anyhow::Result<u8> {
    anyhow::bail!("`kubeward pss` is not implemented yet")
}

//! `kubeward audit`.
//! OWNED BY THE AUDIT INTEGRATION WORK: replace with the real command.

use clap::Args;

/// Arguments of `kubeward audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {}

/// Runs `kubeward audit`.
///
/// # Errors
/// Always, until the command is implemented.
pub fn run(_args: &AuditArgs) -> anyhow::Result<u8> {
    anyhow::bail!("`kubeward audit` is not implemented yet")
}

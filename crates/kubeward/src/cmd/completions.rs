//! `kubeward completions SHELL`.

use clap::Args;
use clap_complete::Shell;

use crate::EXIT_OK;

/// Arguments of `kubeward completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    shell: Shell,
}

/// Prints completions for the shell.
///
/// # Errors
/// Never in practice; kept for a uniform signature.
pub fn run(args: &CompletionsArgs) -> anyhow::Result<u8> {
    let mut command = super::command();
    clap_complete::generate(args.shell, &mut command, "kubeward", &mut std::io::stdout());
    Ok(EXIT_OK)
}

//! `kubeward config schema|check`.

use std::path::PathBuf;

use clap::Subcommand;
use kubeward_rules::Config;

use crate::{EXIT_OK, output};

/// Configuration subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the JSON Schema of `.kubeward.yaml`.
    Schema,
    /// Validate a configuration file.
    Check {
        /// The file (default `.kubeward.yaml`).
        #[arg(default_value = ".kubeward.yaml")]
        file: PathBuf,
    },
}

/// Runs a configuration subcommand.
///
/// # Errors
/// Unreadable or invalid configuration.
pub fn run(command: &ConfigCommand) -> anyhow::Result<u8> {
    match command {
        ConfigCommand::Schema => {
            let mut schema = Config::json_schema();
            schema.push('\n');
            output::write(&schema, None)?;
        }
        ConfigCommand::Check { file } => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            Config::parse(&file.display().to_string(), &text)?;
            println!("{}: ok", file.display());
        }
    }
    Ok(EXIT_OK)
}

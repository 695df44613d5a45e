//! `kubeward baseline create`: record current findings so a team adopting kubeward on an
//! existing repository fails CI only on new ones.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::scan::{BaselineEntry, BaselineFile, RuleArgs, scan_paths};
use crate::{EXIT_ERROR, EXIT_OK, output};

/// Baseline subcommands.
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Scan and write every current finding to a baseline file.
    Create(CreateArgs),
}

/// Arguments of `kubeward baseline create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    rules: RuleArgs,
    /// Where to write the baseline.
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        default_value = ".kubeward-baseline.json"
    )]
    output: PathBuf,
}

/// Runs the baseline command.
///
/// # Errors
/// Configuration and output errors.
pub fn run(command: BaselineCommand) -> anyhow::Result<u8> {
    let BaselineCommand::Create(args) = command;
    let (_, _, result) = scan_paths(&args.rules)?;
    let findings = result
        .diagnostics
        .iter()
        .map(|d| BaselineEntry {
            fingerprint: d.fingerprint(),
            code: d.code.to_string(),
            file: d.location.file.to_string(),
            object: d.object.as_ref().map(ToString::to_string),
        })
        .collect::<Vec<_>>();
    let count = findings.len();
    let file = BaselineFile {
        schema: "kubeward/baseline/v1".to_string(),
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file)?;
    text.push('\n');
    output::write(&text, Some(&args.output))?;
    eprintln!(
        "kubeward: wrote {count} finding{} to {}",
        if count == 1 { "" } else { "s" },
        args.output.display()
    );
    Ok(if result.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}

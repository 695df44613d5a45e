//! The `kubeward` command line.
#![forbid(unsafe_code)]

mod adapters;
mod cmd;
mod input;
mod output;
mod pipeline;

use std::process::ExitCode;

use clap::Parser;

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, configuration or unreadable input.
pub const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match cmd::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cmd::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("kubeward: error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

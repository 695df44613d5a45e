//! `kubeward rules`: the rule catalogue.

use std::fmt::Write as _;

use clap::{Args, ValueEnum};
use kubeward_rules::{Selection, registry};

use crate::{EXIT_OK, output};

/// Catalogue formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// A table.
    Text,
    /// JSON.
    Json,
}

/// Arguments of `kubeward rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Only rules matching these codes, names or prefixes.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    select: Vec<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Text)]
    format: RulesFormat,
}

/// Runs `kubeward rules`.
///
/// # Errors
/// Output errors.
pub fn run(args: &RulesArgs) -> anyhow::Result<u8> {
    let selection = Selection::new(args.select.clone(), Vec::new());
    let rules: Vec<_> = registry::all()
        .iter()
        .filter(|r| selection.enabled(r))
        .collect();
    let text = match args.format {
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code,
                        "name": r.name,
                        "severity": r.severity,
                        "category": r.category.as_str(),
                        "summary": r.summary(),
                        "fix": r.fix,
                        "kinds": r.kinds,
                        "compliance": r.compliance,
                        "since": r.since,
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&serde_json::json!({ "rules": list }))?;
            s.push('\n');
            s
        }
        RulesFormat::Text => {
            let mut s = String::new();
            let _ = writeln!(
                s,
                "{:<8} {:<34} {:<9} {:<13} SUMMARY",
                "CODE", "NAME", "SEVERITY", "CATEGORY"
            );
            for r in &rules {
                let _ = writeln!(
                    s,
                    "{:<8} {:<34} {:<9} {:<13} {}",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    r.category.as_str(),
                    r.summary()
                );
            }
            let _ = writeln!(
                s,
                "\n{} rules. `kubeward explain CODE` shows one in full.",
                rules.len()
            );
            s
        }
    };
    output::write(&text, None)?;
    Ok(EXIT_OK)
}

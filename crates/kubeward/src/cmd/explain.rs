//! `kubeward explain CODE|NAME`: a rule's full documentation.

use clap::Args;
use kubeward_rules::registry;

use crate::{EXIT_ERROR, EXIT_OK, output};

/// Arguments of `kubeward explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule code (`POD001`) or name (`privileged-container`).
    rule: String,
}

/// Runs `kubeward explain`.
///
/// # Errors
/// Output errors.
pub fn run(args: &ExplainArgs) -> anyhow::Result<u8> {
    let Some(rule) = registry::find(&args.rule) else {
        eprintln!("kubeward: no rule `{}` (see `kubeward rules`)", args.rule);
        return Ok(EXIT_ERROR);
    };
    let compliance: Vec<String> = rule.compliance.iter().map(ToString::to_string).collect();
    let kinds = if rule.kinds.is_empty() {
        "all".to_string()
    } else {
        rule.kinds.join(", ")
    };
    let docs: String = rule
        .docs
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let text = format!(
        "# {} {}\n\nSeverity: {}  Category: {}  Since: {}\nKinds: {}\nCompliance: {}\nFix: {}\n\n{}\n",
        rule.code,
        rule.name,
        rule.severity,
        rule.category,
        rule.since,
        kinds,
        if compliance.is_empty() {
            "-".to_string()
        } else {
            compliance.join(", ")
        },
        rule.fix,
        docs.trim()
    );
    output::write(&text, None)?;
    Ok(EXIT_OK)
}

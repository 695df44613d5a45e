//! JSON output, schema `kubeward/scan/v1` (documented in docs/output-formats.md). Field order
//! is fixed and findings are sorted, so output is deterministic.

use std::collections::BTreeMap;

use kubeward_diagnostics::{Compliance, Diagnostic, InputError, ObjectId, Severity};
use serde::Serialize;

use crate::{Report, TOOL_VERSION};

/// The schema identifier; bumped on incompatible changes.
pub const SCHEMA: &str = "kubeward/scan/v1";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool,
    summary: JsonSummary,
    findings: Vec<Finding<'a>>,
    errors: &'a [InputError],
    skipped: Vec<Skipped<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    objects: usize,
    findings: usize,
    by_severity: BTreeMap<&'static str, usize>,
    suppressed: usize,
    errors: usize,
}

#[derive(Serialize)]
struct Finding<'a> {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    category: &'static str,
    message: &'a str,
    object: Option<&'a ObjectId>,
    location: Location<'a>,
    fix: Option<&'a str>,
    compliance: &'static [Compliance],
    fingerprint: String,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Location<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    path: Option<&'a str>,
    template: Option<&'a str>,
}

#[derive(Serialize)]
struct Related<'a> {
    message: &'a str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Skipped<'a> {
    file: &'a str,
    reason: &'a str,
}

fn location(l: &kubeward_diagnostics::Location) -> Location<'_> {
    Location {
        file: &l.file,
        line: l.start.line,
        column: l.start.col,
        end_line: l.end.line,
        end_column: l.end.col,
        path: l.path.as_deref(),
        template: l.template.as_deref(),
    }
}

fn finding(d: &Diagnostic) -> Finding<'_> {
    Finding {
        code: d.code,
        name: d.name,
        severity: d.severity,
        category: d.category.as_str(),
        message: &d.message,
        object: d.object.as_ref(),
        location: location(&d.location),
        fix: d.fix.as_deref(),
        compliance: d.compliance,
        fingerprint: d.fingerprint(),
        related: d
            .related
            .iter()
            .map(|r| Related {
                message: &r.message,
                location: location(&r.location),
            })
            .collect(),
    }
}

/// Renders the report as pretty-printed JSON with a trailing newline.
#[must_use]
pub fn render(report: &Report<'_>) -> String {
    let mut by_severity: BTreeMap<&'static str, usize> =
        Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for d in report.diagnostics {
        *by_severity.entry(d.severity.as_str()).or_insert(0) += 1;
    }
    let document = Document {
        schema: SCHEMA,
        tool: Tool {
            name: "kubeward",
            version: TOOL_VERSION,
        },
        summary: JsonSummary {
            files: report.summary.files,
            objects: report.summary.objects,
            findings: report.diagnostics.len(),
            by_severity,
            suppressed: report.summary.suppressed,
            errors: report.errors.len(),
        },
        findings: report.diagnostics.iter().map(finding).collect(),
        errors: report.errors,
        skipped: report
            .summary
            .skipped
            .iter()
            .map(|(file, reason)| Skipped { file, reason })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_else(|e| {
        format!("{{\"schema\": \"{SCHEMA}\", \"error\": \"cannot serialize report: {e}\"}}")
    });
    out.push('\n');
    out
}

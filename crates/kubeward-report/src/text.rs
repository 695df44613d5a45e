//! Human output in the style of rustc and ruff: `file:line:col`, the rule code and name, the
//! severity, the source line with a caret under the offending field, and the fix.

use std::fmt::Write as _;

use kubeward_diagnostics::{Diagnostic, Severity};

use crate::Report;

/// Rendering options.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Emit ANSI colours.
    pub color: bool,
    /// Only the summary line and errors.
    pub quiet: bool,
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.wrap("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.wrap("2", t)
    }
    fn blue(&self, t: &str) -> String {
        self.wrap("1;34", t)
    }
    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1;36",
            Severity::Info => "1;37",
        };
        self.wrap(code, s.as_str())
    }
}

/// Renders the report as text.
#[must_use]
pub fn render(report: &Report<'_>, options: TextOptions) -> String {
    let paint = Paint { on: options.color };
    let mut out = String::new();
    for e in report.errors {
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {}",
            paint.bold(&e.file),
            e.line,
            e.column,
            paint.wrap("1;31", &format!("error[{}]:", e.code)),
            e.message
        );
    }
    for (file, reason) in &report.summary.skipped {
        let _ = writeln!(
            out,
            "{}: {} {reason}",
            paint.bold(file),
            paint.dim("skipped:")
        );
    }
    if !options.quiet {
        let mut current_file: Option<&str> = None;
        for d in report.diagnostics {
            if current_file != Some(&d.location.file) {
                current_file = Some(&d.location.file);
            }
            render_one(&mut out, d, &paint);
            out.push('\n');
        }
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

fn render_one(out: &mut String, d: &Diagnostic, paint: &Paint) {
    let _ = writeln!(
        out,
        "{}:{}:{}: {} {} [{}] {}",
        paint.bold(&d.location.file),
        d.location.start.line,
        d.location.start.col,
        paint.bold(d.code),
        d.name,
        paint.severity(d.severity),
        d.message
    );
    if let Some(snippet) = &d.snippet {
        let last = snippet.first_line as usize + snippet.lines.len().saturating_sub(1);
        let width = last.to_string().len();
        let gutter = " ".repeat(width);
        let _ = writeln!(out, "{gutter} {}", paint.blue("|"));
        for (i, line) in snippet.lines.iter().enumerate() {
            let number = snippet.first_line as usize + i;
            let _ = writeln!(
                out,
                "{} {} {line}",
                paint.blue(&format!("{number:>width$}")),
                paint.blue("|")
            );
            if number == d.location.start.line as usize {
                let start = d.location.start.col.saturating_sub(1) as usize;
                let line_len = line.chars().count();
                let end = if d.location.end.line == d.location.start.line {
                    (d.location.end.col.saturating_sub(1) as usize).min(line_len)
                } else {
                    line_len
                };
                let carets = end.saturating_sub(start).max(1);
                let _ = writeln!(
                    out,
                    "{gutter} {} {}{}",
                    paint.blue("|"),
                    " ".repeat(start),
                    paint.severity_colored(d.severity, &"^".repeat(carets))
                );
                break;
            }
        }
        let _ = writeln!(out, "{gutter} {}", paint.blue("|"));
        if let Some(object) = &d.object {
            let _ = writeln!(out, "{gutter} {} object: {object}", paint.blue("="));
        }
        if let Some(template) = &d.location.template {
            let _ = writeln!(out, "{gutter} {} template: {template}", paint.blue("="));
        }
        if let Some(fix) = &d.fix {
            let _ = writeln!(
                out,
                "{gutter} {} {} {fix}",
                paint.blue("="),
                paint.bold("fix:")
            );
        }
        for r in &d.related {
            let _ = writeln!(
                out,
                "{gutter} {} note: {}:{}:{}: {}",
                paint.blue("="),
                r.location.file,
                r.location.start.line,
                r.location.start.col,
                r.message
            );
        }
    } else if let Some(fix) = &d.fix {
        let _ = writeln!(out, "  {} {} {fix}", paint.blue("="), paint.bold("fix:"));
    }
}

impl Paint {
    fn severity_colored(&self, s: Severity, text: &str) -> String {
        let code = match s {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1;36",
            Severity::Info => "1;37",
        };
        self.wrap(code, text)
    }
}

/// `Found 12 findings (1 critical, 3 high, ...) in 4 files (37 objects); 2 suppressed.`
#[must_use]
pub fn summary_line(report: &Report<'_>) -> String {
    let n = report.diagnostics.len();
    let mut parts = Vec::new();
    for s in Severity::ALL {
        let count = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .count();
        if count > 0 {
            parts.push(format!("{count} {s}"));
        }
    }
    let mut line = if n == 0 {
        "No findings".to_string()
    } else {
        format!(
            "Found {n} finding{} ({})",
            if n == 1 { "" } else { "s" },
            parts.join(", ")
        )
    };
    let _ = write!(
        line,
        " in {} file{} ({} object{})",
        report.summary.files,
        if report.summary.files == 1 { "" } else { "s" },
        report.summary.objects,
        if report.summary.objects == 1 { "" } else { "s" }
    );
    if report.summary.suppressed > 0 {
        let _ = write!(line, "; {} suppressed", report.summary.suppressed);
    }
    if !report.errors.is_empty() {
        let _ = write!(
            line,
            "; {} input error{}",
            report.errors.len(),
            if report.errors.len() == 1 { "" } else { "s" }
        );
    }
    line.push('.');
    line
}

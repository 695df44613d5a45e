//! JUnit XML: one test suite per file, one test case per scanned object and applicable rule;
//! a finding is a `<failure>`, an input error an `<error>`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use kubeward_diagnostics::Diagnostic;

use crate::Report;

/// Escapes text for XML attributes and content; drops characters XML 1.0 forbids.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Renders the report as JUnit XML.
#[must_use]
pub fn render(report: &Report<'_>) -> String {
    // file -> object -> rule code -> findings
    let mut by_file: BTreeMap<&str, BTreeMap<String, BTreeMap<&str, Vec<&Diagnostic>>>> =
        BTreeMap::new();
    for object in report.objects {
        let cases = by_file
            .entry(object.file.as_str())
            .or_default()
            .entry(object.id.to_string())
            .or_default();
        for rule in report.rules {
            if rule.kinds.is_empty() || rule.kinds.contains(&object.id.kind.as_str()) {
                cases.entry(rule.code).or_default();
            }
        }
    }
    let mut loose: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in report.diagnostics {
        match &d.object {
            Some(object) => by_file
                .entry(&d.location.file)
                .or_default()
                .entry(object.to_string())
                .or_default()
                .entry(d.code)
                .or_default()
                .push(d),
            None => loose.entry(&d.location.file).or_default().push(d),
        }
    }
    let mut errors_by_file: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in report.errors {
        errors_by_file
            .entry(e.file.as_str())
            .or_default()
            .push(format!(
                "{}:{}: {}: {}",
                e.line, e.column, e.code, e.message
            ));
    }
    for file in errors_by_file.keys().chain(loose.keys()) {
        by_file.entry(file).or_default();
    }
    let mut total = 0usize;
    let mut failures = 0usize;
    let mut suites = String::new();
    for (file, objects) in &by_file {
        let mut cases = String::new();
        let mut suite_tests = 0usize;
        let mut suite_failures = 0usize;
        for (object, rules) in objects {
            for (code, findings) in rules {
                suite_tests += 1;
                let name = format!("{code} {object}");
                let _ = write!(
                    cases,
                    "    <testcase classname=\"{}\" name=\"{}\"",
                    escape(file),
                    escape(&name)
                );
                if findings.is_empty() {
                    cases.push_str("/>\n");
                    continue;
                }
                suite_failures += 1;
                cases.push_str(">\n");
                for f in findings {
                    let _ = writeln!(
                        cases,
                        "      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {} [{}] {}</failure>",
                        escape(f.code),
                        escape(&f.message),
                        escape(file),
                        f.location.start.line,
                        f.location.start.col,
                        escape(f.name),
                        f.severity,
                        escape(f.fix.as_deref().unwrap_or(""))
                    );
                }
                cases.push_str("    </testcase>\n");
            }
        }
        for d in loose.get(file).into_iter().flatten() {
            suite_tests += 1;
            suite_failures += 1;
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"{} {}:{}\">\n      <failure type=\"{}\" message=\"{}\"/>\n    </testcase>",
                escape(file),
                escape(d.code),
                d.location.start.line,
                d.location.start.col,
                escape(d.code),
                escape(&d.message)
            );
        }
        let errors = errors_by_file.get(file).map_or(0, Vec::len);
        for message in errors_by_file.get(file).into_iter().flatten() {
            suite_tests += 1;
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"load\">\n      <error message=\"{}\"/>\n    </testcase>",
                escape(file),
                escape(message)
            );
        }
        total += suite_tests;
        failures += suite_failures;
        let _ = write!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{suite_tests}\" failures=\"{suite_failures}\" errors=\"{errors}\" skipped=\"0\">\n{cases}  </testsuite>\n",
            escape(file)
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kubeward\" tests=\"{total}\" failures=\"{failures}\" errors=\"{}\">\n{suites}</testsuites>\n",
        report.errors.len()
    )
}

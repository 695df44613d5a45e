//! SARIF 2.1.0 output, as GitHub code scanning and other SARIF consumers read it: rules with
//! help text generated from the rule docs, regions with 1-based lines and columns, partial
//! fingerprints for stable alerting, and the `security-severity` property.

use std::collections::BTreeMap;

use kubeward_diagnostics::{Diagnostic, Severity};
use serde_json::{Value, json};

use crate::{Report, TOOL_VERSION};

/// SARIF level of a severity.
#[must_use]
pub const fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// Percent-encodes a file path into a relative URI reference.
#[must_use]
pub fn path_to_uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if path.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

fn region(l: &kubeward_diagnostics::Location) -> Value {
    let start_line = l.start.line.max(1);
    let start_col = l.start.col.max(1);
    let (end_line, end_col) = if (l.end.line, l.end.col) > (start_line, start_col) {
        (l.end.line, l.end.col)
    } else {
        (start_line, start_col + 1)
    };
    json!({
        "startLine": start_line,
        "startColumn": start_col,
        "endLine": end_line,
        "endColumn": end_col,
    })
}

fn physical(l: &kubeward_diagnostics::Location) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": path_to_uri(&l.file) },
            "region": region(l),
        }
    })
}

fn result(d: &Diagnostic, rule_index: Option<usize>) -> Value {
    let mut location = physical(&d.location);
    if let (Some(object), Some(obj)) = (&d.object, location.as_object_mut()) {
        let fq = format!(
            "{}/{}/{}",
            object.kind,
            object.namespace.as_deref().unwrap_or("-"),
            object.name
        );
        let path = d.location.path.as_deref().unwrap_or("");
        obj.insert(
            "logicalLocations".into(),
            json!([{ "fullyQualifiedName": if path.is_empty() { fq } else { format!("{fq}:{path}") }, "kind": "object" }]),
        );
    }
    let mut message = d.message.clone();
    if let Some(fix) = &d.fix {
        message.push_str(". Fix: ");
        message.push_str(fix);
    }
    let mut r = json!({
        "ruleId": d.code,
        "level": level(d.severity),
        "message": { "text": message },
        "locations": [location],
        "partialFingerprints": { "kubeward/v1": d.fingerprint() },
        "properties": { "severity": d.severity.as_str(), "security-severity": d.severity.security_severity() },
    });
    if let Some(obj) = r.as_object_mut() {
        if let Some(i) = rule_index {
            obj.insert("ruleIndex".into(), json!(i));
        }
        if !d.related.is_empty() {
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, rel)| {
                    let mut loc = physical(&rel.location);
                    if let Some(o) = loc.as_object_mut() {
                        o.insert("id".into(), json!(i));
                        o.insert("message".into(), json!({ "text": rel.message }));
                    }
                    loc
                })
                .collect();
            obj.insert("relatedLocations".into(), Value::Array(related));
        }
    }
    r
}

/// Renders the report as a SARIF 2.1.0 log.
#[must_use]
pub fn render(report: &Report<'_>) -> String {
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let rules: Vec<Value> = report
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            rule_index.insert(rule.code, i);
            let tags: Vec<String> = std::iter::once("security".to_string())
                .chain(std::iter::once(rule.category.as_str().to_string()))
                .chain(rule.compliance.iter().map(ToString::to_string))
                .collect();
            json!({
                "id": rule.code,
                "name": pascal_case(rule.name),
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": rule.summary },
                "help": { "text": rule.docs, "markdown": rule.docs },
                "helpUri": format!("https://kubeward.dev/rules/{}", rule.code),
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": {
                    "tags": tags,
                    "precision": "high",
                    "security-severity": rule.severity.security_severity(),
                    "problem.severity": level(rule.severity),
                },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| result(d, rule_index.get(d.code).copied()))
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": format!("{}: {}", e.code, e.message) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": path_to_uri(&e.file) },
                        "region": { "startLine": e.line.max(1), "startColumn": e.column.max(1) },
                    }
                }],
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "kubeward",
                "version": TOOL_VERSION,
                "semanticVersion": TOOL_VERSION,
                "informationUri": "https://kubeward.dev",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

fn pascal_case(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(path_to_uri("./a b/c.yaml"), "a%20b/c.yaml");
        assert_eq!(path_to_uri("/abs/x.yaml"), "file:///abs/x.yaml");
        assert_eq!(pascal_case("privileged-container"), "PrivilegedContainer");
    }
}

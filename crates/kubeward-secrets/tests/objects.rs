//! End-to-end tests over YAML fixtures (`tests/fixtures/objects/*.yaml`): every document goes
//! through `scan_object`, `analyze_secret_object` and `analyze_encryption_config`, and the
//! rendered results are snapshotted with insta. The rendering shows masked previews only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::path::Path;

use kubeward_secrets::{analyze_encryption_config, analyze_secret_object, scan_object};
use kubeward_yaml::Node;

fn render(root: &Node) -> String {
    let mut out = String::new();
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("?");
    let name = root
        .at_path("metadata.name")
        .and_then(Node::as_str)
        .unwrap_or("-");
    writeln!(out, "== {kind}/{name}").unwrap();
    for f in scan_object(root) {
        let m = &f.matched;
        writeln!(
            out,
            "  secret {}{} key={:?} [{:?}] {} {:?} {:?} {}",
            f.path,
            f.embedded_path
                .as_deref()
                .map(|p| format!(" > {p}"))
                .unwrap_or_default(),
            f.key.as_deref().unwrap_or("-"),
            f.encoding,
            m.detector.id,
            m.confidence,
            m.byte_range,
            m.redacted
        )
        .unwrap();
    }
    if let Some(s) = analyze_secret_object(root) {
        writeln!(
            out,
            "  committed type={} has_data={} keys={:?} verdict={:?}",
            s.secret_type, s.has_data, s.keys, s.verdict
        )
        .unwrap();
        for v in &s.values {
            writeln!(out, "    {} {:?}", v.path, v.status).unwrap();
        }
    }
    if let Some(r) = analyze_encryption_config(root) {
        writeln!(out, "  encryption kind={} secrets={:?}", r.kind, r.secrets).unwrap();
        for f in &r.findings {
            writeln!(
                out,
                "    {:?} {:?} {}: {}",
                f.severity, f.kind, f.path, f.message
            )
            .unwrap();
        }
    }
    out
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/objects")
        .join(name);
    let src = std::fs::read_to_string(&path).unwrap();
    let parsed = kubeward_yaml::parse_str(&src);
    assert!(parsed.issues.is_empty(), "{name}: {:?}", parsed.issues);
    parsed.documents.iter().map(|d| render(&d.root)).collect()
}

#[test]
fn workloads() {
    insta::assert_snapshot!(fixture("workloads.yaml"));
}

#[test]
fn secrets() {
    insta::assert_snapshot!(fixture("secrets.yaml"));
}

#[test]
fn configmaps() {
    insta::assert_snapshot!(fixture("configmaps.yaml"));
}

#[test]
fn encryption() {
    insta::assert_snapshot!(fixture("encryption.yaml"));
}

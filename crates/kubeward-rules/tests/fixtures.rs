//! The generic fixture harness: every `fixtures/<CODE>/{fail,pass}*.yaml` is scanned with all
//! rules; the findings of `<CODE>` must be exactly the `# expect: CODE path` markers of the file
//! (`# expect: none` for none). Fail fixtures are snapshotted as text output.
//!
//! A fixture may carry `# config: <YAML flow mapping>` with `.kubeward.yaml` content
//! (e.g. `# config: {options: {allowed-registries: [ghcr.io/acme]}}`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kubeward_diagnostics::Diagnostic;
use kubeward_model::{ObjectIndex, load_text};
use kubeward_report::{Report, Summary, text};
use kubeward_rules::{Config, Engine, registry};

fn fixture_files() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        let code = dir.file_name().unwrap().to_str().unwrap().to_string();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "yaml") {
                out.push((code.clone(), file));
            }
        }
    }
    out.sort();
    out
}

/// Scans one fixture text as `kubeward scan` would (per-object rules, bundle rules, finalize).
pub fn scan_text(display: &str, text: &str) -> Vec<Diagnostic> {
    let config = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("# config:"))
        .map(|c| Config::parse(display, c.trim()).unwrap())
        .unwrap_or_default();
    let engine = Engine::new(config.into_settings("2026-01-01".to_string()));
    let loaded = load_text(display, text);
    let file: Arc<str> = Arc::from(display);
    let outcome = engine.check_file(&loaded, &file);
    let mut diagnostics = outcome.diagnostics;
    let retained = loaded
        .objects
        .iter()
        .filter(|o| engine.retains(o.kind()))
        .cloned()
        .collect();
    diagnostics.extend(engine.check_bundle(&ObjectIndex::new(retained)));
    engine
        .finalize(diagnostics, outcome.suppressions, &outcome.facts)
        .diagnostics
}

fn expectations(text: &str) -> Option<BTreeSet<(String, String)>> {
    let mut set = BTreeSet::new();
    let mut any = false;
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("# expect:") else {
            continue;
        };
        any = true;
        let rest = rest.trim();
        if rest == "none" {
            continue;
        }
        let (code, path) = rest.split_once(' ').unwrap_or((rest, ""));
        set.insert((code.to_string(), path.trim().to_string()));
    }
    any.then_some(set)
}

#[test]
fn every_fixture_matches_its_expectations() {
    let mut failures = Vec::new();
    let files = fixture_files();
    assert!(!files.is_empty(), "no fixtures found");
    for (code, path) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let display = format!(
            "fixtures/{code}/{}",
            path.file_name().unwrap().to_str().unwrap()
        );
        let Some(expected) = expectations(&text) else {
            failures.push(format!("{display}: no `# expect:` marker"));
            continue;
        };
        let diagnostics = scan_text(&display, &text);
        let got: BTreeSet<(String, String)> = diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| {
                (
                    d.code.to_string(),
                    d.location.path.clone().unwrap_or_default(),
                )
            })
            .collect();
        if got != expected {
            failures.push(format!(
                "{display}:\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
        let name = path.file_name().unwrap().to_str().unwrap();
        if name.starts_with("fail") {
            let mine: Vec<Diagnostic> =
                diagnostics.into_iter().filter(|d| d.code == code).collect();
            let report = Report {
                diagnostics: &mine,
                errors: &[],
                summary: Summary {
                    files: 1,
                    objects: 0,
                    suppressed: 0,
                    skipped: Vec::new(),
                },
                rules: &[],
                objects: &[],
            };
            let rendered = text::render(&report, text::TextOptions::default());
            insta::assert_snapshot!(
                format!("{code}__{}", name.trim_end_matches(".yaml")),
                rendered
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_object_and_bundle_rule_has_fail_and_pass_fixtures() {
    let files = fixture_files();
    let mut missing = Vec::new();
    for rule in registry::all() {
        if matches!(rule.check, kubeward_rules::Check::External) {
            continue;
        }
        let has = |prefix: &str| {
            files.iter().any(|(code, p)| {
                code == rule.code && p.file_name().unwrap().to_str().unwrap().starts_with(prefix)
            })
        };
        if !has("fail") || !has("pass") {
            missing.push(rule.code);
        }
    }
    assert!(
        missing.is_empty(),
        "rules without fail and pass fixtures: {missing:?}"
    );
}

//! Precision and recall of the `SEC` rules end to end (loader, engine, routing to rules,
//! selection, finalize) over the secrets engine's labelled set
//! (`crates/kubeward-secrets/tests/fixtures/labelled/*.yaml`).
//!
//! An object case is scanned as its own manifest; a value case (`key` + `value`) becomes a
//! ConfigMap `data` entry and, for a second measurement, a container env var. A positive is
//! found when a detection rule (SEC002, SEC003, SEC004, SEC005, SEC008, SEC009) reports on
//! the object; a negative is a false positive when one does. Output names cases, never
//! values.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::sync::Arc;

use kubeward_model::{ObjectIndex, load_text};
use kubeward_rules::{Engine, Selection, Settings};
use kubeward_yaml::Node;

const DETECTION: &[&str] = &["SEC002", "SEC003", "SEC004", "SEC005", "SEC008", "SEC009"];

struct Case {
    id: String,
    positive: bool,
    /// Manifests to scan (one per wrapping).
    manifests: Vec<String>,
}

fn text<'a>(n: &'a Node, k: &str) -> Option<&'a str> {
    n.get(k).and_then(Node::as_str)
}

/// The `object:` block of a labelled document, de-indented into a manifest.
fn object_text(doc: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in doc.lines() {
        if line == "object:" {
            inside = true;
            continue;
        }
        if inside {
            match line.strip_prefix("  ") {
                Some(rest) => {
                    out.push_str(rest);
                    out.push('\n');
                }
                None if line.trim().is_empty() => out.push('\n'),
                None => break,
            }
        }
    }
    out
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn load() -> Vec<Case> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../kubeward-secrets/tests/fixtures/labelled");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        // Documents are separated by `---` lines; parse each on its own to keep its text.
        for (i, doc) in src.split("\n---\n").enumerate() {
            let parsed = kubeward_yaml::parse_str(doc);
            let Some(root) = parsed.documents.first().map(|d| &d.root) else {
                continue;
            };
            let positive = match text(root, "label") {
                Some("positive") => true,
                Some("negative") => false,
                other => panic!("{name}#{i}: bad label {other:?}"),
            };
            let note = text(root, "note").unwrap_or("");
            let manifests = if root.get("object").is_some() {
                vec![object_text(doc)]
            } else {
                let value = root
                    .get("value")
                    .and_then(|v| v.scalar_string())
                    .unwrap_or_default()
                    .into_owned();
                let key = text(root, "key").unwrap_or("value");
                let env_name = if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    key.to_string()
                } else {
                    key.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                };
                vec![
                    format!(
                        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: case}}\ndata:\n  {}: {}\n",
                        quote(key),
                        quote(&value)
                    ),
                    format!(
                        "apiVersion: v1\nkind: Pod\nmetadata: {{name: case}}\nspec:\n  containers:\n  - name: app\n    image: app:1\n    env:\n    - name: {}\n      value: {}\n",
                        quote(&env_name),
                        quote(&value)
                    ),
                ]
            };
            cases.push(Case {
                id: format!("{name}#{i} ({note})"),
                positive,
                manifests,
            });
        }
    }
    cases
}

fn detected(engine: &Engine, manifest: &str) -> bool {
    let loaded = load_text("case.yaml", manifest);
    assert!(!loaded.objects.is_empty(), "case did not load");
    let file: Arc<str> = Arc::from("case.yaml");
    let outcome = engine.check_file(&loaded, &file);
    let mut diagnostics = outcome.diagnostics;
    diagnostics.extend(engine.check_bundle(&ObjectIndex::new(loaded.objects.clone())));
    diagnostics.iter().any(|d| DETECTION.contains(&d.code))
}

#[test]
fn sec_rules_precision_and_recall_on_the_labelled_set() {
    let cases = load();
    let settings = Settings {
        selection: Selection::new(vec!["SEC".to_string()], Vec::new()),
        ..Settings::default()
    };
    let engine = Engine::new(settings);
    let positives = cases.iter().filter(|c| c.positive).count();
    let negatives = cases.len() - positives;
    assert!(
        positives >= 100 && negatives >= 100,
        "{positives} / {negatives}"
    );
    // Measurement per wrapping: 0 = as labelled (object, or value in a ConfigMap), 1 = value
    // as a container env var (object cases keep their object).
    for (wrapping, label) in [
        (0, "objects + values in ConfigMaps"),
        (1, "objects + values as env vars"),
    ] {
        let (mut tp, mut fp) = (0usize, 0usize);
        let mut missed = Vec::new();
        let mut false_alarms = Vec::new();
        for c in &cases {
            let manifest = c.manifests.get(wrapping).or(c.manifests.first()).unwrap();
            let hit = detected(&engine, manifest);
            match (c.positive, hit) {
                (true, true) => tp += 1,
                (true, false) => missed.push(c.id.as_str()),
                (false, true) => {
                    fp += 1;
                    false_alarms.push(c.id.as_str());
                }
                (false, false) => {}
            }
        }
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / positives as f64;
        println!("SEC rules, {label}: {positives} positives, {negatives} negatives");
        println!(
            "  TP {tp}  FN {}  FP {fp}  precision {precision:.3}  recall {recall:.3}",
            missed.len()
        );
        for m in &missed {
            println!("  missed: {m}");
        }
        for f in &false_alarms {
            println!("  false positive: {f}");
        }
        assert!(precision >= 0.95, "{label}: precision {precision:.3}");
        assert!(recall >= 0.95, "{label}: recall {recall:.3}");
    }
}

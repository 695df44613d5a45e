//! Precision and recall over the labelled fixture set (`tests/fixtures/labelled/*.yaml`).
//!
//! A value case runs `scan_value` with its key; an object case runs `scan_object`. A
//! positive counts as found when a match exists (for object cases: at the labelled path).
//! Failure output names cases by file, index and note, never by value.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use kubeward_secrets::{ValueContext, scan_object, scan_value};
use kubeward_yaml::Node;

struct Case {
    id: String,
    positive: bool,
    detector: Option<String>,
    /// Detector ids found (for object cases: at the labelled path, or anywhere for negatives).
    found: Vec<&'static str>,
}

fn text<'a>(n: &'a Node, k: &str) -> Option<&'a str> {
    n.get(k).and_then(Node::as_str)
}

fn run_case(id: String, doc: &Node) -> Case {
    let positive = match text(doc, "label") {
        Some("positive") => true,
        Some("negative") => false,
        other => panic!("{id}: bad label {other:?}"),
    };
    let detector = text(doc, "detector").map(str::to_string);
    let found = if let Some(obj) = doc.get("object") {
        let findings = scan_object(obj);
        match text(doc, "path") {
            Some(path) => findings
                .iter()
                .filter(|f| f.path == path)
                .map(|f| f.matched.detector.id)
                .collect(),
            None => findings.iter().map(|f| f.matched.detector.id).collect(),
        }
    } else {
        let value = doc
            .get("value")
            .and_then(|v| v.scalar_string())
            .unwrap_or_default();
        let ctx = ValueContext {
            key: text(doc, "key"),
            ..ValueContext::default()
        };
        scan_value(&ctx, &value)
            .iter()
            .map(|m| m.detector.id)
            .collect()
    };
    Case {
        id,
        positive,
        detector,
        found,
    }
}

fn load() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/labelled");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        let parsed = kubeward_yaml::parse_str(&src);
        assert!(
            parsed.issues.is_empty(),
            "{}: {:?}",
            file.display(),
            parsed.issues
        );
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for (i, d) in parsed.documents.iter().enumerate() {
            let note = text(&d.root, "note").unwrap_or("");
            cases.push(run_case(format!("{name}#{i} ({note})"), &d.root));
        }
    }
    cases
}

#[test]
fn precision_and_recall() {
    let cases = load();
    let positives = cases.iter().filter(|c| c.positive).count();
    let negatives = cases.len() - positives;
    assert!(
        positives >= 100,
        "need at least 100 positives, have {positives}"
    );
    assert!(
        negatives >= 100,
        "need at least 100 negatives, have {negatives}"
    );

    let tp = cases
        .iter()
        .filter(|c| c.positive && !c.found.is_empty())
        .count();
    let fn_ = positives - tp;
    let fp = cases
        .iter()
        .filter(|c| !c.positive && !c.found.is_empty())
        .count();
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / positives.max(1) as f64;
    let wrong_detector: Vec<&Case> = cases
        .iter()
        .filter(|c| {
            c.positive
                && !c.found.is_empty()
                && c.detector.as_deref().is_some_and(|d| !c.found.contains(&d))
        })
        .collect();

    println!("labelled set: {positives} positives, {negatives} negatives");
    println!("TP {tp}  FN {fn_}  FP {fp}");
    println!("precision {precision:.3}  recall {recall:.3}");
    println!(
        "detector attribution: {}/{tp} as labelled",
        tp - wrong_detector.len()
    );
    let mut per: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for c in cases.iter().filter(|c| c.positive) {
        let e = per.entry(c.detector.as_deref().unwrap_or("?")).or_default();
        e.0 += 1;
        if !c.found.is_empty() {
            e.1 += 1;
        }
    }
    for (d, (n, found)) in &per {
        println!("  {d:<28} {found}/{n}");
    }
    for c in cases.iter().filter(|c| c.positive && c.found.is_empty()) {
        println!("  missed: {}", c.id);
    }
    for c in cases.iter().filter(|c| !c.positive && !c.found.is_empty()) {
        println!("  false positive: {} -> {:?}", c.id, c.found);
    }
    for c in &wrong_detector {
        println!(
            "  attributed to {:?} instead of {:?}: {}",
            c.found, c.detector, c.id
        );
    }
    assert!(precision >= 0.95, "precision {precision:.3} < 0.95");
    assert!(recall >= 0.95, "recall {recall:.3} < 0.95");
    assert!(
        wrong_detector.len() * 10 <= tp,
        "more than 10% of true positives attributed to another detector"
    );
}

//! Runs every YAML fixture under `tests/fixtures/`.
//!
//! Each document of a fixture file is one case:
//!
//! ```yaml
//! case: what is being tested
//! level: restricted            # privileged | baseline | restricted
//! versions: [v1.24, latest]    # evaluated at each
//! focus: runAsNonRoot          # optional: compare only this check's violations
//! expect:                      # the violations, in order ([] = allowed)
//! - check: runAsNonRoot
//!   reason: runAsNonRoot != true
//!   detail: pod or container "a" must set securityContext.runAsNonRoot=true
//!   paths: [containers[0].securityContext.runAsNonRoot]   # optional
//! message: violates PodSecurity "restricted:{version}": ... # optional, full forbidden message
//! malformed: [hostNetwork]                                 # optional
//! pod: {metadata: ..., spec: ...}
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::path::Path;

use kubeward_pss::{Evaluation, Level, PodInput, Version, evaluate, forbidden_message};
use kubeward_yaml::Node;

fn strings(node: Option<&Node>) -> Option<Vec<String>> {
    node.map(|n| {
        n.items()
            .map(|i| i.scalar_string().unwrap().into_owned())
            .collect()
    })
}

fn run_case(file: &str, doc: &Node, failures: &mut String) -> usize {
    let case = doc.get("case").and_then(Node::as_str).unwrap_or("?");
    let level: Level = doc
        .get("level")
        .and_then(Node::as_str)
        .unwrap()
        .parse()
        .unwrap();
    let versions = strings(doc.get("versions")).unwrap_or_else(|| vec!["latest".into()]);
    let focus = doc.get("focus").and_then(Node::as_str);
    let pod = doc
        .get("pod")
        .unwrap_or_else(|| panic!("{file}: {case}: no pod"));
    let spec = pod
        .get("spec")
        .unwrap_or_else(|| panic!("{file}: {case}: no spec"));
    let input = PodInput {
        metadata: pod.get("metadata"),
        spec,
    };
    let expect = doc
        .get("expect")
        .unwrap_or_else(|| panic!("{file}: {case}: no expect"));
    let mut count = 0;
    for v in &versions {
        let version: Version = v.parse().unwrap_or_else(|e| panic!("{file}: {case}: {e}"));
        let eval = evaluate(input, level, version);
        count += 1;
        let mut problems = Vec::new();
        compare(&eval, focus, expect, &mut problems);
        if let Some(msg) = doc.get("message").and_then(Node::as_str) {
            let msg = msg.replace("{version}", v);
            let got = forbidden_message(&eval);
            if got != msg {
                problems.push(format!("message:\n    want {msg}\n    got  {got}"));
            }
        }
        if let Some(want) = strings(doc.get("malformed"))
            && want != eval.malformed
        {
            problems.push(format!(
                "malformed: want {want:?}, got {:?}",
                eval.malformed
            ));
        }
        if !problems.is_empty() {
            let _ = writeln!(failures, "{file}: {case} [{level}:{v}]");
            for p in problems {
                let _ = writeln!(failures, "  {p}");
            }
        }
    }
    count
}

fn compare(eval: &Evaluation, focus: Option<&str>, expect: &Node, problems: &mut Vec<String>) {
    let got: Vec<_> = eval
        .violations
        .iter()
        .filter(|v| focus.is_none_or(|f| v.check == f))
        .collect();
    let want: Vec<&Node> = expect.items().collect();
    if focus.is_none() && eval.allowed != want.is_empty() {
        problems.push(format!(
            "allowed: want {}, got {}",
            want.is_empty(),
            eval.allowed
        ));
    }
    if got.len() != want.len() {
        problems.push(format!(
            "want {} violations, got {}: {:?}",
            want.len(),
            got.len(),
            got.iter().map(|v| (v.check, &v.detail)).collect::<Vec<_>>()
        ));
        return;
    }
    for (g, w) in got.iter().zip(want) {
        let field = |k: &str| {
            w.get(k)
                .and_then(Node::scalar_string)
                .map(|s| s.into_owned())
        };
        if let Some(c) = field("check")
            && c != g.check
        {
            problems.push(format!("check: want {c}, got {}", g.check));
        }
        if let Some(r) = field("reason")
            && r != g.reason
        {
            problems.push(format!(
                "{}: reason:\n    want {r}\n    got  {}",
                g.check, g.reason
            ));
        }
        if let Some(d) = field("detail")
            && d != g.detail
        {
            problems.push(format!(
                "{}: detail:\n    want {d}\n    got  {}",
                g.check, g.detail
            ));
        }
        if let Some(p) = strings(w.get("paths"))
            && p != g.paths
        {
            problems.push(format!(
                "{}: paths:\n    want {p:?}\n    got  {:?}",
                g.check, g.paths
            ));
        }
    }
}

#[test]
fn fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut failures = String::new();
    let mut evaluated = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = kubeward_yaml::parse_str(&text);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(parsed.issues.is_empty(), "{name}: {:?}", parsed.issues);
        for doc in &parsed.documents {
            evaluated += run_case(&name, &doc.root, &mut failures);
        }
    }
    assert!(failures.is_empty(), "fixture failures:\n{failures}");
    assert!(evaluated > 100, "only {evaluated} evaluations");
}

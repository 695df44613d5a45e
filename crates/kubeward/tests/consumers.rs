//! Our reports read back by real third-party consumers: Microsoft's SARIF validator and the
//! `junitparser` Python library (both installed by scripts/install-test-deps.sh).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tools() -> PathBuf {
    std::env::var_os("KUBEWARD_TOOLS").map_or_else(|| repo_root().join(".tools"), PathBuf::from)
}

fn tool_or_skip(path: &Path) -> bool {
    if path.exists() {
        return true;
    }
    assert!(
        std::env::var_os("KUBEWARD_REQUIRE_EXTERNAL").is_none(),
        "{} missing: run scripts/install-test-deps.sh",
        path.display()
    );
    eprintln!(
        "skipping: {} not installed (scripts/install-test-deps.sh)",
        path.display()
    );
    false
}

fn scan_example(format: &str, out: &Path) {
    Command::cargo_bin("kubeward")
        .unwrap()
        .current_dir(repo_root())
        .args([
            "scan",
            "examples/",
            "--format",
            format,
            "-o",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(1);
}

#[test]
fn sarif_passes_microsofts_validator() {
    let validator = tools().join("node_modules/.bin/sarif-multitool");
    if !tool_or_skip(&validator) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("scan.sarif");
    scan_example("sarif", &sarif);
    let log = dir.path().join("validation.sarif");
    let status = Std::new(&validator)
        .args([
            "validate",
            sarif.to_str().unwrap(),
            "-o",
            log.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success(), "validator failed to run");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    let problems: Vec<String> = v["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|r| matches!(r["level"].as_str(), Some("error" | "warning")))
        .map(|r| format!("{} {}", r["ruleId"], r["message"]))
        .collect();
    assert!(problems.is_empty(), "SARIF validator: {problems:#?}");
    // The log must carry results and rule help, or the check above proves nothing.
    let ours: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert!(!ours["runs"][0]["results"].as_array().unwrap().is_empty());
    assert!(
        ours["runs"][0]["tool"]["driver"]["rules"][0]["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad?")
    );
}

#[test]
fn junit_is_read_back_by_junitparser() {
    let python = tools().join("venv/bin/python");
    if !tool_or_skip(&python) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("scan.xml");
    let json = dir.path().join("scan.json");
    scan_example("junit", &xml);
    scan_example("json", &json);
    let script = r#"
import sys, junitparser
xml = junitparser.JUnitXml.fromfile(sys.argv[1])
tests = failures = 0
for suite in xml:
    for case in suite:
        tests += 1
        if any(isinstance(r, junitparser.Failure) for r in case.result):
            failures += 1
print(tests, failures)
"#;
    let out = Std::new(&python)
        .args(["-c", script, xml.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut parts = text.split_whitespace().map(|n| n.parse::<usize>().unwrap());
    let (tests, failures) = (parts.next().unwrap(), parts.next().unwrap());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let mut failing_cases: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for f in findings {
        failing_cases.insert(format!(
            "{} {} {}",
            f["location"]["file"], f["code"], f["object"]
        ));
    }
    assert_eq!(
        failures,
        failing_cases.len(),
        "one failing test case per object and rule with findings"
    );
    assert!(
        tests > failures,
        "passing test cases exist too ({tests} tests)"
    );
}

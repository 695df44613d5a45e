//! `kubeward scan` on Dockerfiles and Containerfiles, end to end with the real binary.
//!
//! Fixtures live in `tests/fixtures/dockerfile/`:
//! - `rules/<CODE>/{fail,pass}*.Dockerfile`: every `# expect: <CODE>` comment names a finding
//!   of `<CODE>` on the next instruction (the first line below it that is not a comment);
//!   `# expect: none` means no finding of `<CODE>`. Findings of `<CODE>` must match exactly.
//! - `broken/`: a Dockerfile with a syntax error next to a valid Containerfile and a manifest.
//! - `names/`: the file names the directory walk picks up.
//! - `report/`: one Dockerfile whose JSON and SARIF reports are snapshotted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfile")
}

/// Runs `kubeward` in the fixtures directory (so reported paths are relative and stable),
/// without picking up a configuration file.
fn kubeward(args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("kubeward")
        .unwrap()
        .current_dir(fixtures())
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn scan_json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = kubeward(&all);
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    (code, json)
}

/// The `(code, line)` pairs a fixture expects for its own code.
fn expectations(code: &str, text: &str) -> BTreeSet<(String, u64)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = BTreeSet::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim().strip_prefix("# expect:") else {
            continue;
        };
        let rest = rest.trim();
        if rest == "none" {
            continue;
        }
        assert_eq!(rest, code, "a fixture of {code} expects only {code}");
        let target = (i + 1..lines.len())
            .find(|&j| !lines[j].trim_start().starts_with('#'))
            .expect("`# expect:` must be followed by an instruction");
        out.insert((rest.to_string(), target as u64 + 1));
    }
    out
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

#[test]
fn every_rule_fixture_reports_exactly_what_it_expects() {
    let (code, report) = scan_json(&["rules"]);
    assert_eq!(code, 1, "findings at or above high exit 1");
    assert_eq!(report["errors"], Value::Array(Vec::new()));
    let mut by_file: BTreeMap<String, BTreeSet<(String, u64)>> = BTreeMap::new();
    for f in findings(&report) {
        by_file
            .entry(f["location"]["file"].as_str().unwrap().to_string())
            .or_default()
            .insert((
                f["code"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            ));
    }
    let mut failures = Vec::new();
    let mut files = 0;
    for dir in std::fs::read_dir(fixtures().join("rules")).unwrap() {
        let dir = dir.unwrap().path();
        let rule = dir.file_name().unwrap().to_str().unwrap().to_string();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            files += 1;
            let text = std::fs::read_to_string(&file).unwrap();
            let shown = format!(
                "rules/{rule}/{}",
                file.file_name().unwrap().to_str().unwrap()
            );
            let expected = expectations(&rule, &text);
            let actual: BTreeSet<_> = by_file
                .get(&shown)
                .into_iter()
                .flatten()
                .filter(|(c, _)| *c == rule)
                .cloned()
                .collect();
            if expected != actual {
                failures.push(format!("{shown}: expected {expected:?}, got {actual:?}"));
            }
            let is_fail = shown.contains("/fail");
            if is_fail == expected.is_empty() {
                failures.push(format!(
                    "{shown}: fail fixtures expect findings, pass fixtures none"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(report["summary"]["files"].as_u64().unwrap(), files);
}

#[test]
fn every_dockerfile_rule_has_a_failing_and_a_passing_fixture() {
    let (code, stdout, _) = kubeward(&["rules", "--format", "json", "--select", "IMG1"]);
    assert_eq!(code, 0);
    let rules: Value = serde_json::from_str(&stdout).unwrap();
    let rules = rules["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 17);
    for rule in rules {
        let code = rule["code"].as_str().unwrap();
        let dir = fixtures().join("rules").join(code);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("no fixtures for {code}"))
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("fail")),
            "{code}: no fail fixture"
        );
        assert!(
            names.iter().any(|n| n.starts_with("pass")),
            "{code}: no pass fixture"
        );
        assert_eq!(rule["kinds"], serde_json::json!(["Dockerfile"]));
        assert!(!rule["compliance"].as_array().unwrap().is_empty(), "{code}");
    }
}

#[test]
fn explain_shows_the_full_documentation() {
    let (code, stdout, _) = kubeward(&["explain", "IMG107"]);
    assert_eq!(code, 0);
    for part in [
        "# IMG107 curl-pipe-shell",
        "Compliance: CIS Docker 4.11, CWE CWE-494, MITRE-ATTACK T1195.002",
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "```dockerfile",
        "RUN curl -fsSL https://example.com/install.sh | bash",
        "Use instead:",
        "## Fix",
        "## Exceptions",
        "# kubeward:ignore IMG107: <reason>",
        "## References",
    ] {
        assert!(stdout.contains(part), "missing `{part}` in:\n{stdout}");
    }
    let (code, stdout, _) = kubeward(&["explain", "expose-ssh"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("# IMG112 expose-ssh"));
}

#[test]
fn a_broken_dockerfile_is_a_located_error_and_the_rest_is_scanned() {
    let (code, report) = scan_json(&["broken"]);
    assert_eq!(code, 2, "unparsable input exits 2");
    assert_eq!(
        report["errors"],
        serde_json::json!([{
            "file": "broken/bad/Dockerfile",
            "line": 2,
            "column": 1,
            "code": "KW001",
            "message": "unknown instruction: COPPY",
        }])
    );
    let seen: BTreeSet<(String, String)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["location"]["file"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The rest of the broken file, the Containerfile next to it and the manifest are scanned.
    for (file, code) in [
        ("broken/bad/Dockerfile", "IMG112"),
        ("broken/good/Containerfile", "IMG107"),
        ("broken/pod.yaml", "POD001"),
    ] {
        assert!(
            seen.contains(&(file.to_string(), code.to_string())),
            "{file} {code} missing from {seen:?}"
        );
    }
    assert_eq!(report["summary"]["files"], 3);

    let (code, stdout, _) = kubeward(&["scan", "--quiet", "broken"]);
    assert_eq!(code, 2);
    assert!(
        stdout.contains("broken/bad/Dockerfile:2:1: error[KW001]: unknown instruction: COPPY"),
        "{stdout}"
    );
}

#[test]
fn directory_walk_picks_dockerfile_and_containerfile_names() {
    let (_, report) = scan_json(&["--select", "IMG112", "names"]);
    let files: BTreeSet<&str> = findings(&report)
        .iter()
        .map(|f| f["location"]["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        BTreeSet::from([
            "names/Containerfile",
            "names/Dockerfile",
            "names/Dockerfile.prod",
            "names/api.Dockerfile",
        ])
    );
    let skipped: Vec<&str> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["names/Dockerfile.md"]);
}

#[test]
fn selection_and_severity_flags_apply_to_dockerfile_rules() {
    let (code, report) = scan_json(&[
        "--select",
        "IMG11",
        "--fail-on",
        "medium",
        "names/Dockerfile",
    ]);
    assert_eq!(code, 1);
    let codes: BTreeSet<&str> = findings(&report)
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, BTreeSet::from(["IMG112", "IMG114"]));
    let (code, _) = scan_json(&["--ignore", "IMG1", "names/Dockerfile"]);
    assert_eq!(code, 0);
}

#[test]
fn inline_suppressions_are_counted_and_stale_ones_reported() {
    let (_, report) = scan_json(&["report"]);
    assert_eq!(report["summary"]["suppressed"], 1);
    let kw007: Vec<&Value> = findings(&report)
        .iter()
        .filter(|f| f["code"] == "KW007")
        .collect();
    assert_eq!(kw007.len(), 1);
    assert_eq!(kw007[0]["location"]["line"], 11);
    assert!(!findings(&report).iter().any(|f| f["code"] == "IMG112"));
}

/// Canary secrets of the fixtures never appear in any output format.
#[test]
fn secret_values_never_leave_the_scanner() {
    for format in ["text", "json", "sarif", "junit"] {
        let (_, stdout, stderr) = kubeward(&[
            "scan",
            "--format",
            format,
            "rules/IMG105",
            "rules/IMG106",
            "report",
        ]);
        assert!(stdout.contains("IMG105"), "{format}: {stdout}");
        assert!(
            !stdout.contains("canary") && !stderr.contains("canary"),
            "{format} leaks a secret:\n{stdout}"
        );
    }
}

fn stable(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn json_report_snapshot() {
    let (code, stdout, _) = kubeward(&["scan", "--format", "json", "report"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("dockerfile_report_json", stable(&stdout));
}

#[test]
fn sarif_report_snapshot() {
    let (code, stdout, _) = kubeward(&[
        "scan",
        "--format",
        "sarif",
        "--select",
        "IMG100,IMG105,IMG108,KW007",
        "report",
    ]);
    assert_eq!(code, 1);
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let img100 = rules.iter().find(|r| r["id"] == "IMG100").unwrap();
    let help = img100["help"]["markdown"].as_str().unwrap_or_default();
    assert!(
        help.contains("## Why is this bad?") && help.contains("```dockerfile"),
        "{img100:#}"
    );
    insta::assert_snapshot!("dockerfile_report_sarif", stable(&stdout));
}

/// The shared Dockerfile corpus (real projects' Dockerfiles) scans without input errors.
#[test]
fn corpus_scans_without_input_errors() {
    let corpus = Path::new("/work/shared/corpus/dockerfiles");
    if !corpus.is_dir() {
        eprintln!("skipped: {} not present", corpus.display());
        return;
    }
    let (code, report) = scan_json(&[corpus.to_str().unwrap()]);
    assert!(
        code == 0 || code == 1,
        "exit {code}: {:#}",
        report["errors"]
    );
    assert_eq!(report["errors"], Value::Array(Vec::new()));
    let all = findings(&report);
    let kw: Vec<&Value> = all
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("KW"))
        .collect();
    assert!(kw.is_empty(), "{kw:#?}");
    assert!(
        all.len() > 50,
        "the corpus has many findings, got {}",
        all.len()
    );
    assert!(report["summary"]["files"].as_u64().unwrap() >= 50);
}

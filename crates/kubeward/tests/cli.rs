//! End-to-end tests of `kubeward scan` and friends, running the real binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn kubeward() -> Command {
    let mut cmd = Command::cargo_bin("kubeward").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(output)))
}

const GOOD_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: ok, namespace: shop}\nspec:\n  hostPID: true\n  containers:\n  - {name: c, image: nginx:1.27}\n";

#[test]
fn example_app_produces_findings_and_exit_1() {
    let out = kubeward()
        .current_dir(repo_root())
        .args(["scan", "examples/", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    assert_eq!(v["schema"], "kubeward/scan/v1");
    let categories: std::collections::BTreeSet<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["category"].as_str().unwrap())
        .collect();
    for c in ["workload", "image", "secrets"] {
        assert!(
            categories.contains(c),
            "no {c} finding in the example app: {categories:?}"
        );
    }
    assert!(v["errors"].as_array().unwrap().is_empty());
}

#[test]
fn text_output_has_frames_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "pod.yaml", GOOD_POD);
    kubeward()
        .args(["scan", file.to_str().unwrap(), "--select", "POD011"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "pod.yaml:5:3: POD011 host-pid [high]",
        ))
        .stdout(predicate::str::contains("5 |   hostPID: true"))
        .stdout(predicate::str::contains("  |   ^^^^^^^^^^^^^"))
        .stdout(predicate::str::contains(
            "Found 1 finding (1 high) in 1 file (1 object).",
        ));
}

#[test]
fn stdin_lists_and_kubectl_output() {
    let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\n    namespace: x\n    managedFields:\n    - manager: kubectl\n  spec:\n    hostIPC: true\n    containers: [{name: c, image: nginx:1.27}]\n  status:\n    phase: Running\n";
    let out = kubeward()
        .args(["scan", "-", "--format", "json", "--select", "POD012"])
        .write_stdin(list)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    let f = &v["findings"][0];
    assert_eq!(f["code"], "POD012");
    assert_eq!(f["location"]["file"], "<stdin>");
    assert_eq!(f["location"]["line"], 12);
    assert_eq!(f["object"]["name"], "a");
}

#[test]
fn fail_on_and_select_control_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "pod.yaml", GOOD_POD);
    let path = file.to_str().unwrap();
    kubeward()
        .args(["scan", path, "--fail-on", "never"])
        .assert()
        .code(0);
    kubeward()
        .args(["scan", path, "--fail-on", "critical", "--select", "POD011"])
        .assert()
        .code(0);
    kubeward()
        .args(["scan", path, "--ignore", "POD011,POD0,IMG,SEC"])
        .assert()
        .code(0);
    kubeward()
        .args(["scan", path, "--select", "NOPE999"])
        .assert()
        .code(2);
    kubeward()
        .args(["scan", path, "--fail-on", "urgent"])
        .assert()
        .code(2);
}

#[test]
fn malformed_yaml_is_located_and_other_documents_and_files_still_scanned() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a-bad.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: yy}\nspec: {hostPID: true}\n",
    );
    write(dir.path(), "b-good.yaml", GOOD_POD);
    write(
        dir.path(),
        "c-tabs.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: t\n",
    );
    let out = kubeward()
        .args([
            "scan",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
            "--select",
            "POD011",
        ])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0]["file"].as_str().unwrap().ends_with("a-bad.yaml"));
    assert_eq!(errors[0]["code"], "KW001");
    assert!(errors[0]["line"].as_u64().unwrap() >= 3);
    assert!(errors[1]["file"].as_str().unwrap().ends_with("c-tabs.yaml"));
    assert_eq!(errors[1]["line"], 4);
    let names: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["object"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["yy", "ok"],
        "the document after the error and the other file are scanned"
    );
}

#[test]
fn hostile_inputs_are_bounded_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    write(dir.path(), "bomb.yaml", &bomb);
    write(dir.path(), "deep.yaml", &("- ".repeat(10_000) + "x\n"));
    write(dir.path(), "deepflow.json", &"[".repeat(10_000));
    std::fs::write(
        dir.path().join("garbage.yaml"),
        [0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0xff, 0xfe],
    )
    .unwrap();
    std::fs::write(
        dir.path().join("latin1.yaml"),
        b"kind: Pod\nname: caf\xe9\n",
    )
    .unwrap();
    let big = std::fs::File::create(dir.path().join("huge.yaml")).unwrap();
    big.set_len(200 * 1024 * 1024).unwrap();
    write(dir.path(), "zz-good.yaml", GOOD_POD);
    let out = kubeward()
        .args([
            "scan",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
            "--select",
            "POD011",
        ])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    let errors = v["errors"].as_array().unwrap();
    let by_file = |name: &str| {
        errors
            .iter()
            .find(|e| e["file"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("no error for {name}: {errors:?}"))
            .clone()
    };
    assert!(
        by_file("bomb.yaml")["message"]
            .as_str()
            .unwrap()
            .contains("billion laughs")
    );
    assert_eq!(by_file("bomb.yaml")["code"], "KW003");
    assert!(
        by_file("deep.yaml")["message"]
            .as_str()
            .unwrap()
            .contains("nesting")
    );
    by_file("deepflow.json");
    assert!(
        by_file("garbage.yaml")["message"]
            .as_str()
            .unwrap()
            .contains("binary")
    );
    let latin = by_file("latin1.yaml");
    assert!(latin["message"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(
        (latin["line"].as_u64(), latin["column"].as_u64()),
        (Some(2), Some(10))
    );
    assert!(
        by_file("huge.yaml")["message"]
            .as_str()
            .unwrap()
            .contains("limit")
    );
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        1,
        "the good file is still scanned"
    );
}

#[test]
fn wrong_types_unknown_kinds_duplicates_and_empty_documents() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "odd.yaml",
        "---\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  containers: \"x\"\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: v}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext:\n      privileged: \"yes please\"\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, name: w2}\nspec: {anything: [1, 2]}\n---\nreplicaCount: 3\n",
    );
    let out = kubeward()
        .args([
            "scan",
            file.to_str().unwrap(),
            "--format",
            "json",
            "--select",
            "KW",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    let got: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("KW006".to_string(), 7),
            ("KW006".to_string(), 17),
            ("KW002".to_string(), 21),
            ("KW005".to_string(), 24),
        ]
    );
    assert_eq!(v["summary"]["objects"], 3, "the CRD object is kept");
}

#[test]
fn unreadable_entries_and_symlink_loops_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.yaml", GOOD_POD);
    std::os::unix::fs::symlink(
        dir.path().join("missing.yaml"),
        dir.path().join("dangling.yaml"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
    write(dir.path(), "README.md", "# not a manifest\n");
    let out = kubeward()
        .args([
            "scan",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
            "--select",
            "POD011",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    let messages: Vec<String> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["file"], e["message"]))
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("dangling.yaml")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("loop")), "{messages:?}");
    let skipped = v["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["file"].as_str().unwrap().ends_with("README.md"))
    );
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn suppressions_and_unused_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "s.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: s\n  annotations:\n    kubeward.io/ignore: \"POD011: node agent; POD010: not needed\"\nspec:\n  hostPID: true\n  containers: [{name: c, image: nginx:1.27}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    kubeward.io/ignore: \"POD011\"\nspec:\n  containers: [{name: c, image: nginx:1.27}]\n",
    );
    let out = kubeward()
        .args([
            "scan",
            file.to_str().unwrap(),
            "--format",
            "json",
            "--select",
            "POD011,KW007,KW008",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["KW007", "KW008"]);
    assert_eq!(v["summary"]["suppressed"], 1);
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("POD010")
    );
}

#[test]
fn config_file_options_exemptions_and_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let pod = write(
        dir.path(),
        "p.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web-1, namespace: shop, labels: {team: a}}\nspec:\n  hostPID: true\n  containers: [{name: c, image: docker.io/library/nginx:1.27}]\n",
    );
    let config = write(
        dir.path(),
        "kw.yaml",
        "select: [POD011, IMG003]\nseverity: {POD011: critical}\noptions:\n  allowed-registries: [ghcr.io/acme]\nexemptions:\n- rules: [IMG003]\n  namespaces: [shop]\n  names: [\"web-*\"]\n  labels: {team: a}\n  reason: migrating images in Q3\n",
    );
    let out = kubeward()
        .args([
            "scan",
            pod.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
    assert_eq!(v["findings"][0]["severity"], "critical");
    assert_eq!(v["summary"]["suppressed"], 1);

    let bad = write(
        dir.path(),
        "bad.yaml",
        "select: [POD011]\noptions:\n  allowed-registris: [x]\n",
    );
    kubeward()
        .args([
            "scan",
            pod.to_str().unwrap(),
            "--config",
            bad.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.yaml:3:3"))
        .stderr(predicate::str::contains("allowed-registris"));
    let no_reason = write(
        dir.path(),
        "noreason.yaml",
        "exemptions:\n- rules: [POD011]\n  reason: \"\"\n",
    );
    kubeward()
        .args([
            "scan",
            pod.to_str().unwrap(),
            "--config",
            no_reason.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("noreason.yaml:2:3"));
}

#[test]
fn baseline_hides_known_findings_only() {
    let dir = tempfile::tempdir().unwrap();
    let pod = write(dir.path(), "p.yaml", GOOD_POD);
    let baseline = dir.path().join("baseline.json");
    kubeward()
        .args([
            "baseline",
            "create",
            pod.to_str().unwrap(),
            "-o",
            baseline.to_str().unwrap(),
        ])
        .assert()
        .code(0);
    kubeward()
        .args([
            "scan",
            pod.to_str().unwrap(),
            "--baseline",
            baseline.to_str().unwrap(),
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No findings"));
    // A new finding (hostNetwork) is still reported; lines moved, old ones still baselined.
    std::fs::write(
        &pod,
        format!(
            "# moved\n{}",
            GOOD_POD.replace("hostPID: true", "hostPID: true\n  hostNetwork: true")
        ),
    )
    .unwrap();
    let out = kubeward()
        .args([
            "scan",
            pod.to_str().unwrap(),
            "--baseline",
            baseline.to_str().unwrap(),
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["POD010"]);
}

#[test]
fn rules_explain_version_completions() {
    kubeward()
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("POD001   privileged-container"));
    kubeward()
        .args(["explain", "privileged-container"])
        .assert()
        .success()
        .stdout(predicate::str::contains("# POD001 privileged-container"))
        .stdout(predicate::str::contains("## Why is this bad?"));
    kubeward().args(["explain", "NOPE"]).assert().code(2);
    kubeward()
        .arg("version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("kubeward "));
    kubeward()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("kubeward"));
    kubeward()
        .args(["config", "schema"])
        .assert()
        .success()
        .stdout(predicate::str::contains("allowed-registries"));
    kubeward().arg("--bogus").assert().code(2);
}

#[test]
fn output_file_and_json_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let pod = write(dir.path(), "p.yaml", GOOD_POD);
    let out = dir.path().join("report.json");
    kubeward()
        .current_dir(dir.path())
        .args([
            "scan",
            "p.yaml",
            "--format",
            "json",
            "-o",
            out.to_str().unwrap(),
            "--select",
            "POD011,IMG002",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let _ = pod;
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    v["tool"]["version"] = Value::String("[version]".into());
    insta::assert_json_snapshot!("scan_json", v);
}

#[test]
fn broken_pipe_exits_quietly() {
    use std::io::Read;
    use std::process::{Command as Std, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("kubeward");
    let mut child = Std::new(bin)
        .current_dir(repo_root())
        .args(["scan", "examples/", "--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(status.code().is_some());
}

#[test]
fn every_corpus_manifest_loads_without_parse_errors() {
    let corpus = repo_root().join("../shared/corpus/manifests");
    if !corpus.is_dir() {
        assert!(
            std::env::var_os("KUBEWARD_REQUIRE_CORPUS").is_none(),
            "corpus missing at {}",
            corpus.display()
        );
        eprintln!("skipping: no corpus at {}", corpus.display());
        return;
    }
    let out = kubeward()
        .args([
            "scan",
            corpus.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{}", v["errors"]);
    assert_eq!(v["summary"]["files"], 694);
    assert!(v["summary"]["objects"].as_u64().unwrap() >= 1970);
}

#[test]
fn helm_template_stream_reports_the_template() {
    let stream = "---\n# Source: shop/templates/api.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: nginx:1.27}]\n";
    let out = kubeward()
        .args(["scan", "-", "--select", "POD010"])
        .write_stdin(stream)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("<stdin>:8:3: POD010 host-network [high]"),
        "{text}"
    );
    assert!(
        text.contains("= template: shop/templates/api.yaml"),
        "{text}"
    );
}

#[test]
fn sarif_and_junit_goldens() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.yaml", GOOD_POD);
    for (format, name) in [
        ("sarif", "scan_sarif"),
        ("junit", "scan_junit"),
        ("text", "scan_text"),
    ] {
        let out = kubeward()
            .current_dir(dir.path())
            .args([
                "scan",
                "p.yaml",
                "--format",
                format,
                "--select",
                "POD011,IMG002",
            ])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out)
            .unwrap()
            .replace(env!("CARGO_PKG_VERSION"), "[version]");
        insta::assert_snapshot!(name, text);
    }
}

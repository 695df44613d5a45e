//! End-to-end tests of `kubeward audit`, running the real binary on the JSON-lines fixtures of
//! `tests/fixtures/audit/` (written by `generate.py` there).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

const CANARY: &str = "S3CR3T-CANARY-kw-audit-7731";
const CANARY_B64: &str = "UzNDUjNULUNBTkFSWS1rdy1hdWRpdC03NzMx";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audit")
}

/// `kubeward audit ARGS` run in the fixtures directory (relative paths in the output, and no
/// `.kubeward.yaml` of the repository picked up).
fn audit(args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("kubeward").unwrap();
    cmd.env("NO_COLOR", "1")
        .current_dir(fixtures())
        .arg("audit")
        .args(args);
    cmd
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = audit(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn alerts(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn codes_and_ids(alerts: &[Value]) -> BTreeSet<(String, String)> {
    alerts
        .iter()
        .map(|a| {
            (
                a["code"].as_str().unwrap().to_owned(),
                a["audit_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_planted_attack_is_reported_and_nothing_from_the_benign_traffic() {
    let (code, stdout, stderr) = run(&[
        "attack.jsonl",
        "--config",
        "kubeward.yaml",
        "--format",
        "jsonl",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let alerts = alerts(&stdout);
    let found = codes_and_ids(&alerts);
    for (code, id) in [
        ("AUD012", "attack-anon-403-19"), // forbidden burst: the 20th denial
        ("AUD011", "attack-anon-allowed"),
        ("AUD001", "attack-secret-get"),
        ("AUD002", "attack-secret-list"),
        ("AUD003", "attack-exec"),
        ("AUD007", "attack-crb"),
        ("AUD023", "attack-stolen-kubeconfig"), // known user, new source IP
        ("AUD024", "attack-stolen-kubeconfig"), // ... and a new client program
    ] {
        assert!(
            found.contains(&(code.to_owned(), id.to_owned())),
            "{code} on {id} missing in {found:#?}"
        );
    }
    assert!(
        found
            .iter()
            .any(|(c, id)| c == "AUD021" && id.starts_with("attack-spike-")),
        "no rate-spike for the 3 AM pod creations: {found:#?}"
    );
    for (c, id) in &found {
        assert!(id.starts_with("attack-"), "{c} fired on benign event {id}");
    }
    // The exec request is logged at three stages and reported once.
    assert_eq!(
        alerts
            .iter()
            .filter(|a| a["code"] == "AUD003" && a["audit_id"] == "attack-exec")
            .count(),
        1
    );
    let exec = alerts.iter().find(|a| a["code"] == "AUD003").unwrap();
    assert_eq!(exec["user"], "mallory");
    assert_eq!(exec["source_ips"][0], "203.0.113.50");
    assert_eq!(exec["verb"], "create");
    assert_eq!(
        (
            &exec["resource"],
            &exec["subresource"],
            &exec["namespace"],
            &exec["object_name"]
        ),
        (
            &Value::from("pods"),
            &Value::from("exec"),
            &Value::from("web"),
            &Value::from("api-0")
        )
    );
    assert_eq!(exec["mitre"][0], "T1609");
    assert_eq!(exec["timestamp"], "2024-05-01T03:05:00.000000Z");
    assert_eq!(exec["details"]["command"], "sh");
    assert_eq!(exec["file"], "attack.jsonl");
    assert!(exec["line"].as_u64().unwrap() > 1);
}

#[test]
fn benign_log_has_no_findings_and_exits_0() {
    let (code, stdout, stderr) = run(&["benign.jsonl", "--config", "kubeward.yaml"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("No findings"), "{stdout}");
    assert!(stdout.contains("Audit events: 1100 read"), "{stdout}");
    // Without the allow-list, the on-call engineer's routine exec sessions are reported.
    let (code, stdout, _) = run(&["benign.jsonl", "--format", "jsonl"]);
    assert_eq!(code, 0, "medium findings are below `--fail-on high`");
    let found = codes_and_ids(&alerts(&stdout));
    assert!(
        !found.is_empty() && found.iter().all(|(c, _)| c == "AUD003"),
        "{found:?}"
    );
}

#[test]
fn text_output_shows_the_evidence() {
    let (code, stdout, _) = run(&["attack.jsonl", "--config", "kubeward.yaml"]);
    assert_eq!(
        code, 1,
        "a critical finding (cluster-admin binding) fails at `high`"
    );
    let exec = stdout
        .lines()
        .find(|l| l.contains("AUD003 exec-into-pod"))
        .unwrap_or_else(|| panic!("{stdout}"));
    for part in [
        "attack.jsonl:",
        "[medium]",
        "auditID attack-exec",
        "2024-05-01T03:05:00.000000Z",
        "user `mallory`",
        "from 203.0.113.50",
        "create pods/exec web/api-0",
        "response 101",
    ] {
        assert!(exec.contains(part), "`{part}` missing in: {exec}");
    }
    assert!(stdout.contains("Findings by rule:"), "{stdout}");
    assert!(
        stdout.contains("AUD007  cluster-admin-binding-created"),
        "{stdout}"
    );
}

#[test]
fn json_report_snapshot() {
    let (code, stdout, stderr) = run(&[
        "attack.jsonl",
        "--config",
        "kubeward.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["schema"], "kubeward/scan/v1");
    // Evidence is in the message and, in full, in a related note.
    let exec = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "AUD003")
        .unwrap();
    assert_eq!(exec["object"]["kind"], "Pod");
    assert_eq!(exec["category"], "audit");
    let note = exec["related"][0]["message"].as_str().unwrap();
    let evidence: Value = serde_json::from_str(note.strip_prefix("evidence: ").unwrap()).unwrap();
    assert_eq!(evidence["auditID"], "attack-exec");
    assert_eq!(evidence["sourceIPs"][0], "203.0.113.50");
    insta::assert_snapshot!("audit_attack_json", stdout);
}

#[test]
fn gzip_input_gives_the_same_findings() {
    let (_, plain, _) = run(&["attack.jsonl", "--format", "jsonl"]);
    let (code, gz, stderr) = run(&["attack.jsonl.gz", "--format", "jsonl"]);
    assert_eq!(code, 1, "{stderr}");
    let strip = |s: &str| {
        alerts(s)
            .into_iter()
            .map(|mut a| {
                a.as_object_mut().unwrap().remove("file");
                a
            })
            .collect::<Vec<_>>()
    };
    assert!(!strip(&plain).is_empty());
    assert_eq!(strip(&plain), strip(&gz));
}

#[test]
fn standard_input_is_read() {
    let log = std::fs::read(fixtures().join("attack.jsonl.gz")).unwrap();
    let out = audit(&[
        "-",
        "--config",
        "kubeward.yaml",
        "--format",
        "jsonl",
        "--select",
        "AUD003",
    ])
    .write_stdin(log)
    .output()
    .unwrap();
    let alerts = alerts(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["file"], "<stdin>");
    // Only a medium finding: below the default `--fail-on high`.
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn malformed_lines_are_located_and_the_rest_is_read() {
    let (code, stdout, stderr) = run(&["malformed.jsonl"]);
    assert_eq!(code, 2, "input errors exit 2: {stdout}{stderr}");
    for expected in [
        "malformed.jsonl:4:2: error[KW001]: invalid JSON",
        "malformed.jsonl:5:1: error[KW005]: unsupported apiVersion `audit.k8s.io/v1beta1`",
        "malformed.jsonl:6:",
        "error[KW006]",
        "malformed.jsonl:7:",
    ] {
        assert!(stdout.contains(expected), "`{expected}` missing:\n{stdout}");
    }
    // The exec request after the bad lines is still found.
    assert!(stdout.contains("AUD003 exec-into-pod"), "{stdout}");
    assert!(stdout.contains("4 input errors"), "{stdout}");
    let (code, _, _) = run(&["malformed.jsonl", "--format", "json", "--fail-on", "never"]);
    assert_eq!(code, 2, "input errors win over --fail-on never");
}

#[test]
fn exit_codes_follow_fail_on() {
    assert_eq!(run(&["attack.jsonl", "--fail-on", "never"]).0, 0);
    assert_eq!(run(&["attack.jsonl", "--fail-on", "critical"]).0, 1);
    assert_eq!(
        run(&["attack.jsonl", "--select", "AUD003", "--fail-on", "high"]).0,
        0
    );
    assert_eq!(
        run(&["attack.jsonl", "--select", "AUD003", "--fail-on", "medium"]).0,
        1
    );
    let (code, _, stderr) = run(&["attack.jsonl", "--fail-on", "bad"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--fail-on"), "{stderr}");
    let (code, stdout, _) = run(&["no-such-file.jsonl", "benign.jsonl"]);
    assert_eq!(code, 2);
    assert!(
        stdout.contains("no-such-file.jsonl:0:0: error[KW004]: cannot read"),
        "{stdout}"
    );
    let (code, _, stderr) = run(&["attack.jsonl", "--select", "NOPE999"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("matches no rule"), "{stderr}");
}

#[test]
fn selection_and_ignore_pick_rules() {
    let (_, stdout, _) = run(&["attack.jsonl", "--format", "jsonl", "--select", "AUD00"]);
    let codes: BTreeSet<String> = codes_and_ids(&alerts(&stdout))
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert!(codes.iter().all(|c| c.starts_with("AUD00")), "{codes:?}");
    assert!(codes.contains("AUD003"));
    let (_, stdout, _) = run(&[
        "attack.jsonl",
        "--format",
        "jsonl",
        "--ignore",
        "exec-into-pod,AUD02",
    ]);
    let codes: BTreeSet<String> = codes_and_ids(&alerts(&stdout))
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert!(!codes.contains("AUD003") && !codes.contains("AUD021") && !codes.contains("AUD023"));
    assert!(codes.contains("AUD007"));
}

#[test]
fn audit_section_of_the_configuration_configures_the_detectors() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kubeward.yaml");
    std::fs::write(
        &config,
        "severity:\n  AUD003: critical\nexemptions:\n  - rules: [AUD001]\n    namespaces: [payments]\n    reason: payments secrets are read by the frontend on purpose\naudit:\n  allow:\n    secret-list-cluster-wide:\n      users: [\"system:serviceaccount:web:*\"]\n  forbiddenBurst: {threshold: 100}\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let (_, stdout, stderr) = run(&["attack.jsonl", "--format", "jsonl", "--config", config]);
    let alerts = alerts(&stdout);
    let found = codes_and_ids(&alerts);
    assert!(
        !found.iter().any(|(c, _)| c == "AUD002"),
        "allow-listed: {stderr}"
    );
    assert!(
        !found.iter().any(|(c, _)| c == "AUD012"),
        "threshold raised"
    );
    assert!(
        !found.contains(&("AUD001".into(), "attack-secret-get".into())),
        "exempted by namespace"
    );
    let exec = alerts.iter().find(|a| a["code"] == "AUD003").unwrap();
    assert_eq!(exec["severity"], "critical", "severity override");

    // Errors in the section are located in the file.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "audit:\n  forbiddenBurst:\n    threshold: 0\n").unwrap();
    let (code, _, stderr) = run(&["attack.jsonl", "--config", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("bad.yaml:3:"), "{stderr}");
    assert!(stderr.contains("forbiddenBurst.threshold"), "{stderr}");
    std::fs::write(
        &bad,
        "audit:\n  allow:\n    no-such-detector: {users: [x]}\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&["attack.jsonl", "--config", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("bad.yaml:3:"), "{stderr}");
    assert!(stderr.contains("no-such-detector"), "{stderr}");
}

#[test]
fn canary_secret_values_never_reach_any_output() {
    let mut total = 0;
    for format in ["text", "json", "jsonl", "sarif", "junit"] {
        let (code, stdout, stderr) = run(&["canary.jsonl", "--format", format]);
        assert_eq!(code, 1, "{format}: {stderr}");
        for canary in [CANARY, CANARY_B64] {
            assert!(
                !stdout.contains(canary) && !stderr.contains(canary),
                "{format} output leaks a canary"
            );
        }
        assert!(stdout.contains("AUD001"), "{format}: {stdout}");
        total += stdout.len();
    }
    assert!(total > 0);
    // The canary is really there to be leaked.
    let log = std::fs::read_to_string(fixtures().join("canary.jsonl")).unwrap();
    assert!(log.contains(CANARY) && log.contains(CANARY_B64));
}

#[test]
fn control_characters_from_events_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("evil.jsonl");
    std::fs::write(
        &log,
        concat!(
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"x\u001b[2J","stage":"ResponseComplete","#,
            r#""requestURI":"/api/v1/namespaces/web/pods/api-0/exec?command=sh","verb":"create","#,
            r#""user":{"username":"eve\u001b]0;pwned\u0007\nFAKE LINE","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"#,
            r#""objectRef":{"resource":"pods","namespace":"web","name":"api-0","apiVersion":"v1","subresource":"exec"},"#,
            r#""responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2024-05-01T03:00:00.000000Z"}"#,
            "\n"
        ),
    )
    .unwrap();
    for format in ["text", "junit"] {
        let (_, stdout, _) = run(&[log.to_str().unwrap(), "--format", format]);
        assert!(stdout.contains("AUD003"), "{stdout}");
        assert!(
            !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
            "{format}: raw control characters in {stdout:?}"
        );
        assert!(!stdout.contains("\nFAKE LINE"), "{format}: {stdout}");
    }
}

#[test]
fn sarif_and_junit_reports_are_well_formed() {
    let (_, stdout, _) = run(&["attack.jsonl", "--format", "sarif"]);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "AUD007"));
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .all(|r| r["id"].as_str().unwrap().starts_with("AUD"))
    );
    let (_, stdout, _) = run(&["attack.jsonl", "--format", "junit"]);
    assert!(stdout.starts_with("<?xml"));
    assert!(stdout.contains("AUD007"), "{stdout}");
}

#[test]
fn explain_shows_the_detector_documentation() {
    let out = Command::cargo_bin("kubeward")
        .unwrap()
        .args(["explain", "AUD003"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0));
    for part in [
        "# AUD003 exec-into-pod",
        "Category: audit",
        "MITRE-ATTACK T1609",
        "## What it does",
        "## Why is this bad?",
        "## Example event",
        "## Fix",
        "## False positives",
    ] {
        assert!(text.contains(part), "`{part}` missing:\n{text}");
    }
}

// --- --follow ------------------------------------------------------------------------------

/// Reads the child's stdout lines on a thread.
fn line_reader(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn next_line(rx: &mpsc::Receiver<String>, what: &str) -> String {
    rx.recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("no output line for {what}: {e}"))
}

fn exec_event(id: &str, pod: &str) -> String {
    format!(
        concat!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseComplete","#,
            r#""requestURI":"/api/v1/namespaces/web/pods/{pod}/exec?command=sh","verb":"create","#,
            r#""user":{{"username":"mallory","groups":["system:authenticated"]}},"sourceIPs":["203.0.113.50"],"#,
            r#""objectRef":{{"resource":"pods","namespace":"web","name":"{pod}","apiVersion":"v1","subresource":"exec"}},"#,
            r#""responseStatus":{{"metadata":{{}},"code":101}},"requestReceivedTimestamp":"2024-05-01T03:00:00.000000Z"}}"#,
            "\n"
        ),
        id = id,
        pod = pod
    )
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f.flush().unwrap();
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn follow_prints_findings_as_the_log_grows_and_rotates() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    // Existing content is read first.
    append(&log, &exec_event("f-1", "api-0"));
    let bin = assert_cmd::cargo::cargo_bin("kubeward");
    let mut child = Killed(
        std::process::Command::new(bin)
            .current_dir(dir.path())
            .args([
                "audit",
                "audit.log",
                "--follow",
                "--format",
                "json",
                "--poll-interval-ms",
                "50",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let rx = line_reader(&mut child.0);
    let first: Value = serde_json::from_str(&next_line(&rx, "existing line")).unwrap();
    assert_eq!(
        (first["code"].as_str(), first["audit_id"].as_str()),
        (Some("AUD003"), Some("f-1"))
    );
    assert_eq!(first["line"], 1);

    // A line written in two parts is read once complete.
    let second = exec_event("f-2", "api-1");
    let (head, tail) = second.split_at(40);
    append(&log, head);
    std::thread::sleep(Duration::from_millis(200));
    append(&log, tail);
    let v: Value = serde_json::from_str(&next_line(&rx, "appended line")).unwrap();
    assert_eq!(v["audit_id"], "f-2");
    assert_eq!(v["line"], 2);

    // Rotation as the API server does it: rename, then a new file at the same path. A last
    // line written to the old file before the switch is not lost.
    append(&log, &exec_event("f-3", "api-2"));
    std::fs::rename(&log, dir.path().join("audit-2024-05-01T03-00-00.000.log")).unwrap();
    append(&log, &exec_event("f-4", "api-3"));
    let mut ids = BTreeSet::new();
    for _ in 0..2 {
        let v: Value = serde_json::from_str(&next_line(&rx, "rotated lines")).unwrap();
        ids.insert(v["audit_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids, BTreeSet::from(["f-3".to_owned(), "f-4".to_owned()]));

    // A bad line is reported on stderr and following goes on.
    append(&log, "garbage\n");
    append(&log, &exec_event("f-5", "api-4"));
    let v: Value = serde_json::from_str(&next_line(&rx, "after a bad line")).unwrap();
    assert_eq!(v["audit_id"], "f-5");
    assert_eq!(v["line"], 3, "line numbers restart in the new file");
    drop(child);
}

#[test]
fn follow_text_lines_and_from_end() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    append(&log, &exec_event("old", "api-0"));
    let bin = assert_cmd::cargo::cargo_bin("kubeward");
    let mut child = Killed(
        std::process::Command::new(bin)
            .current_dir(dir.path())
            .args([
                "audit",
                "audit.log",
                "--follow",
                "--from-end",
                "--poll-interval-ms",
                "50",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let rx = line_reader(&mut child.0);
    std::thread::sleep(Duration::from_millis(300));
    append(&log, &exec_event("new", "api-9"));
    let line = next_line(&rx, "new line");
    assert!(
        line.starts_with("audit.log:2:1: AUD003 exec-into-pod [medium]"),
        "{line}"
    );
    assert!(line.contains("auditID new"), "{line}");
    assert!(
        rx.recv_timeout(Duration::from_millis(300)).is_err(),
        "one finding only"
    );
}

#[test]
fn follow_reads_standard_input_as_it_arrives() {
    let bin = assert_cmd::cargo::cargo_bin("kubeward");
    let mut child = Killed(
        std::process::Command::new(bin)
            .current_dir(fixtures())
            .args(["audit", "-", "--follow", "--format", "json"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdin = child.0.stdin.take().unwrap();
    let rx = line_reader(&mut child.0);
    stdin
        .write_all(exec_event("s-1", "api-0").as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    let v: Value = serde_json::from_str(&next_line(&rx, "stdin line")).unwrap();
    assert_eq!(v["audit_id"], "s-1");
    assert_eq!(v["file"], "<stdin>");
    drop(stdin);
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(0), "a medium finding is below `high`");
}

#[test]
fn follow_rejects_report_formats() {
    let (code, _, stderr) = run(&["attack.jsonl", "--follow", "--format", "sarif"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--follow"), "{stderr}");
}

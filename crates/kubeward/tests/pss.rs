//! End-to-end tests of `kubeward pss` (and of the PSS profile of `kubeward scan`), running the
//! real binary on `tests/fixtures/pss/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pss")
}

/// `kubeward` running in the fixtures directory (so reported paths are relative).
fn kubeward() -> Command {
    let mut cmd = Command::cargo_bin("kubeward").unwrap();
    cmd.env("NO_COLOR", "1").current_dir(fixtures());
    cmd
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(output)))
}

fn run_json(args: &[&str], code: i32) -> Value {
    let out = kubeward()
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .clone();
    json_of(&out.stdout)
}

fn results_by_name(v: &Value) -> BTreeMap<String, Value> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                format!(
                    "{}/{}",
                    r["object"]["kind"].as_str().unwrap(),
                    r["object"]["name"].as_str().unwrap()
                ),
                r.clone(),
            )
        })
        .collect()
}

fn paths_of(result: &Value) -> Vec<String> {
    result["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["path"].as_str().unwrap().to_string())
        .collect()
}

fn checks_of(result: &Value) -> Vec<String> {
    let mut checks: Vec<String> = result["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["check"].as_str().unwrap().to_string())
        .collect();
    checks.dedup();
    checks
}

#[test]
fn json_shape_snapshot() {
    let out = kubeward()
        .args([
            "pss",
            "kinds.yaml",
            "--level",
            "baseline",
            "--version",
            "v1.30",
        ])
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("pss_kinds_baseline_json", String::from_utf8(out).unwrap());
}

#[test]
fn every_workload_kind_with_full_field_paths() {
    let v = run_json(
        &["pss", "kinds.yaml", "--level", "baseline", "-f", "json"],
        1,
    );
    assert_eq!(v["level"], "baseline");
    assert_eq!(v["version"], "latest");
    let r = results_by_name(&v);
    let expected: &[(&str, &str, &str)] = &[
        (
            "Pod/pod",
            "privileged",
            "spec.containers[0].securityContext.privileged",
        ),
        (
            "Deployment/deployment",
            "hostNamespaces",
            "spec.template.spec.hostNetwork",
        ),
        (
            "ReplicaSet/replicaset",
            "hostPorts",
            "spec.template.spec.containers[0].ports[0].hostPort",
        ),
        (
            "StatefulSet/statefulset",
            "hostPathVolumes",
            "spec.template.spec.volumes[0].hostPath",
        ),
        (
            "DaemonSet/daemonset",
            "appArmorProfile",
            "spec.template.metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/agent\"]",
        ),
        (
            "Job/job",
            "capabilities_baseline",
            "spec.template.spec.initContainers[0].securityContext.capabilities.add[0]",
        ),
        (
            "CronJob/cronjob",
            "sysctls",
            "spec.jobTemplate.spec.template.spec.securityContext.sysctls[0].name",
        ),
        (
            "ReplicationController/replicationcontroller",
            "seccompProfile_baseline",
            "spec.template.spec.securityContext.seccompProfile.type",
        ),
        (
            "PodTemplate/podtemplate",
            "procMount",
            "template.spec.ephemeralContainers[0].securityContext.procMount",
        ),
    ];
    assert_eq!(
        r.len(),
        expected.len(),
        "ConfigMap is not a workload: {r:?}"
    );
    for (name, check, path) in expected {
        let result = &r[*name];
        assert_eq!(result["allowed"], false, "{name}");
        assert_eq!(checks_of(result), vec![check.to_string()], "{name}");
        assert_eq!(paths_of(result), vec![path.to_string()], "{name}");
        assert_eq!(result["location"]["file"], "kinds.yaml");
    }
    // The location is the offending field's.
    assert_eq!(r["Pod/pod"]["location"]["line"], 9);
    assert_eq!(r["Pod/pod"]["location"]["column"], 23);
    assert_eq!(r["Deployment/deployment"]["location"]["line"], 19);
    assert_eq!(r["Pod/pod"]["object"]["namespace"], "shop");
    assert_eq!(
        r["ReplicationController/replicationcontroller"]["object"]["namespace"],
        Value::Null
    );
}

#[test]
fn restricted_reports_every_check_and_the_forbidden_message() {
    let out = kubeward()
        .args(["pss", "kinds.yaml"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(
        "error: Pod shop/pod is not allowed by PodSecurity \"restricted:latest\"\n  --> kinds.yaml:2:1\n"
    ), "{text}");
    assert!(text.contains(
        "kinds.yaml:9:23: privileged (container \"app\" must not set securityContext.privileged=true) [privileged]\n    at kinds.yaml:9:23 spec.containers[0].securityContext.privileged\n"
    ), "{text}");
    assert!(text.contains(
        "  = forbidden: pods \"pod\" is forbidden: violates PodSecurity \"restricted:latest\": privileged (container \"app\" must not set securityContext.privileged=true), allowPrivilegeEscalation != false"
    ), "{text}");
    assert!(
        text.ends_with("Evaluated 9 workloads at restricted:latest: 0 allowed, 9 not allowed.\n"),
        "{text}"
    );
}

#[test]
fn text_output_snapshot() {
    let out = kubeward()
        .args([
            "pss",
            "versions.yaml",
            "--level",
            "baseline",
            "--version",
            "v1.30",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("pss_versions_text_v1_30", String::from_utf8(out).unwrap());
}

#[test]
fn exit_codes() {
    // All allowed (a Deployment and a Pod inside a List).
    let v = run_json(&["pss", "compliant.yaml", "-f", "json"], 0);
    assert_eq!(v["results"].as_array().unwrap().len(), 2);
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["allowed"] == true)
    );
    assert_eq!(v["results"][1]["object"]["name"], "listed");
    // Some not allowed.
    kubeward().args(["pss", "kinds.yaml"]).assert().code(1);
    // Privileged allows everything.
    kubeward()
        .args(["pss", "kinds.yaml", "--level", "privileged"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("9 allowed, 0 not allowed"));
    // Unreadable input, bad usage.
    kubeward()
        .args(["pss", "no-such-file.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-file.yaml"));
    kubeward()
        .args(["pss", "kinds.yaml", "--level", "strict"])
        .assert()
        .code(2);
    kubeward()
        .args(["pss", "kinds.yaml", "--version", "1.x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid version"));
}

#[test]
fn broken_yaml_is_exit_2_but_other_documents_are_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.yaml");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, securityContext: {privileged: true}}]\n---\nkind: [unclosed\n",
    )
    .unwrap();
    let out = Command::cargo_bin("kubeward")
        .unwrap()
        .args(["pss", "--level", "baseline", "-f", "json"])
        .arg(&path)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let v = json_of(&out.stdout);
    assert_eq!(v["results"][0]["allowed"], false);
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.yaml:"));
}

#[test]
fn stdin_input() {
    let v = json_of(
        &kubeward()
            .args(["pss", "-", "-f", "json", "--level", "baseline"])
            .write_stdin("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostIPC: true\n  containers: [{name: a}]\n")
            .assert()
            .code(1)
            .get_output()
            .stdout,
    );
    assert_eq!(v["results"][0]["location"]["file"], "<stdin>");
    assert_eq!(v["results"][0]["location"]["line"], 5);
    assert_eq!(v["results"][0]["violations"][0]["path"], "spec.hostIPC");
    assert_eq!(v["results"][0]["violations"][0]["detail"], "hostIPC=true");
}

fn allowed_at(file: &str, level: &str, version: &str) -> BTreeMap<String, bool> {
    let out = kubeward()
        .args([
            "pss",
            file,
            "-f",
            "json",
            "--level",
            level,
            "--version",
            version,
        ])
        .output()
        .unwrap();
    let v = json_of(&out.stdout);
    results_by_name(&v)
        .into_iter()
        .map(|(k, r)| (k, r["allowed"].as_bool().unwrap()))
        .collect()
}

#[test]
fn version_dependent_verdicts() {
    let at = |v| allowed_at("versions.yaml", "baseline", v);
    // sysctls: tcp_rmem allowed from v1.32.
    assert!(!at("v1.31")["Pod/sysctl"]);
    assert!(at("v1.32")["Pod/sysctl"]);
    // hostProbesAndHostLifecycle from v1.34.
    assert!(at("v1.33")["Pod/probe"]);
    assert!(!at("v1.34")["Pod/probe"]);
    assert!(!at("latest")["Pod/probe"]);
    // seLinuxOptions: container_engine_t from v1.31.
    assert!(!at("v1.30")["Pod/selinux"]);
    assert!(at("v1.31")["Pod/selinux"]);
    // Versions newer than any policy revision evaluate as the newest.
    assert_eq!(at("v1.99"), at("latest"));
}

#[test]
fn windows_exemptions_from_v1_25() {
    let v = run_json(
        &["pss", "windows.yaml", "-f", "json", "--version", "v1.24"],
        1,
    );
    assert_eq!(
        checks_of(&v["results"][0]),
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "seccompProfile_restricted"
        ]
    );
    run_json(
        &["pss", "windows.yaml", "-f", "json", "--version", "v1.25"],
        0,
    );
    run_json(&["pss", "windows.yaml", "-f", "json"], 0);
}

#[test]
fn namespace_labels_set_each_workloads_policy() {
    let out = kubeward()
        .args([
            "pss",
            "namespaces",
            "--namespace-labels",
            "--level",
            "baseline",
        ])
        .args(["-f", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let v = json_of(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid label pod-security.kubernetes.io/enforce"),
        "{stderr}"
    );
    let policy_of = |ns: &str, name: &str| {
        let r = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["object"]["namespace"] == ns && r["object"]["name"] == name)
            .unwrap_or_else(|| panic!("{ns}/{name}"));
        (
            r["level"].as_str().unwrap().to_string(),
            r["version"].as_str().unwrap().to_string(),
            r["policy"].as_str().unwrap().to_string(),
            r["allowed"].as_bool().unwrap(),
        )
    };
    let s = |a: &str, b: &str, c: &str, d: bool| (a.to_string(), b.to_string(), c.to_string(), d);
    assert_eq!(
        policy_of("prod", "api"),
        s("restricted", "latest", "namespace-labels", false)
    );
    assert_eq!(
        policy_of("prod", "hardened"),
        s("restricted", "latest", "namespace-labels", true)
    );
    assert_eq!(
        policy_of("dev", "builder"),
        s("baseline", "v1.31", "namespace-labels", true)
    );
    assert_eq!(
        policy_of("dev", "debug"),
        s("baseline", "v1.31", "namespace-labels", false)
    );
    assert_eq!(
        policy_of("legacy", "agent"),
        s("privileged", "latest", "namespace-labels", true)
    );
    // An invalid level is evaluated as restricted, as Pod Security Admission does.
    assert_eq!(
        policy_of("typo", "web"),
        s("restricted", "latest", "namespace-labels", false)
    );
    assert_eq!(
        policy_of("unlabelled", "web"),
        s("baseline", "latest", "default", true)
    );
    assert_eq!(
        policy_of("other", "web"),
        s("baseline", "latest", "default", true)
    );

    let namespaces: BTreeMap<String, Value> = v["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["name"].as_str().unwrap().to_string(), n.clone()))
        .collect();
    assert_eq!(namespaces["prod"]["rejected"][0]["name"], "api");
    assert_eq!(namespaces["prod"]["workloads"], 2);
    assert_eq!(namespaces["dev"]["rejected"][0]["name"], "debug");
    assert_eq!(
        namespaces["legacy"]["rejected"].as_array().unwrap().len(),
        0
    );
    assert_eq!(namespaces["other"]["found"], false);
    assert_eq!(namespaces["unlabelled"]["found"], true);
    assert_eq!(namespaces["unlabelled"]["policy"], "default");
    assert_eq!(namespaces["typo"]["errors"].as_array().unwrap().len(), 1);

    // Text: which namespaces would reject what.
    let out = kubeward()
        .args([
            "pss",
            "namespaces",
            "--namespace-labels",
            "--level",
            "baseline",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("namespace prod (enforce=restricted:latest, Namespace at namespaces/namespaces.yaml:1:1): would reject 1 of 2 workloads: Deployment api\n"), "{text}");
    assert!(text.contains("namespace legacy (enforce=privileged:latest, Namespace at namespaces/namespaces.yaml:16:1): admits all 1 workloads\n"), "{text}");
    assert!(text.contains("namespace other (no Namespace object in the input; default baseline:latest): admits all 1 workloads\n"), "{text}");

    // Without the flag every workload is evaluated at --level.
    let v = run_json(
        &["pss", "namespaces", "--level", "baseline", "-f", "json"],
        1,
    );
    assert!(v.get("namespaces").is_none());
    assert!(v["results"][0].get("level").is_none());
    let allowed: Vec<bool> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["allowed"].as_bool().unwrap())
        .collect();
    assert_eq!(allowed, [true, true, true, false, false, true, true, true]);
}

#[test]
fn summary_answers_the_migration_question() {
    let out = kubeward()
        .args(["pss", "namespaces", "kinds.yaml", "--summary"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("pss_summary_text", String::from_utf8(out).unwrap());

    let v = run_json(
        &[
            "pss",
            "namespaces",
            "--summary",
            "--level",
            "baseline",
            "-f",
            "json",
        ],
        1,
    );
    let rows: BTreeMap<String, Value> = v["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["namespace"].as_str().unwrap_or("(none)").to_string(),
                n.clone(),
            )
        })
        .collect();
    assert_eq!(rows["prod"]["highest"], "baseline");
    assert_eq!(rows["prod"]["restricted"], 1);
    assert_eq!(rows["prod"]["baseline"], 1);
    assert_eq!(rows["dev"]["highest"], "privileged");
    assert_eq!(rows["legacy"]["highest"], "privileged");
    assert_eq!(rows["legacy"]["enforce"], "privileged:latest");
    assert_eq!(rows["other"]["highest"], "baseline");
    assert_eq!(rows["other"]["enforce"], Value::Null);

    // The summary of an all-compliant input says restricted everywhere and exits 0.
    let v = run_json(&["pss", "compliant.yaml", "--summary", "-f", "json"], 0);
    assert_eq!(v["namespaces"][0]["namespace"], "shop");
    assert_eq!(v["namespaces"][0]["highest"], "restricted");
    assert_eq!(v["namespaces"][0]["workloads"], 2);
}

fn scan_codes(args: &[&str]) -> Vec<String> {
    let out = kubeward()
        .arg("scan")
        .args(args)
        .args(["--format", "json", "--fail-on", "never"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    let mut codes: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

#[test]
fn scan_pss_profiles_select_the_profile_rules() {
    let baseline = scan_codes(&["kinds.yaml", "--pss", "baseline"]);
    assert_eq!(
        baseline,
        [
            "POD001", "POD008", "POD010", "POD013", "POD014", "POD023", "POD025", "POD026",
            "POD027"
        ]
    );
    let restricted = scan_codes(&["kinds.yaml", "--pss", "restricted"]);
    for code in ["POD001", "POD002", "POD004", "POD007", "POD024"] {
        assert!(
            restricted.contains(&code.to_string()),
            "{code}: {restricted:?}"
        );
    }
    assert!(!restricted.iter().any(|c| c.starts_with("IMG")));
    kubeward()
        .args(["scan", "kinds.yaml", "--pss", "strict"])
        .assert()
        .code(2);
}

#[test]
fn scan_pss_version_changes_verdicts() {
    // sysctl tcp_rmem: unsafe before v1.32.
    assert!(
        scan_codes(&[
            "versions.yaml",
            "--pss",
            "baseline",
            "--pss-version",
            "v1.31"
        ])
        .contains(&"POD026".to_string())
    );
    assert!(
        !scan_codes(&[
            "versions.yaml",
            "--pss",
            "baseline",
            "--pss-version",
            "v1.32"
        ])
        .contains(&"POD026".to_string())
    );
    assert!(scan_codes(&["versions.yaml", "--pss", "baseline"]).contains(&"POD102".to_string()));
    kubeward()
        .args(["scan", "versions.yaml", "--pss-version", "1.x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--pss-version"));
}

#[test]
fn scan_and_pss_agree_on_fields() {
    // Every field `kubeward pss` reports at restricted is reported by exactly one scan finding.
    let v = run_json(&["pss", "kinds.yaml", "-f", "json"], 1);
    let mut pss_fields: Vec<(String, String)> = Vec::new();
    for r in v["results"].as_array().unwrap() {
        for p in paths_of(r) {
            pss_fields.push((r["object"]["name"].as_str().unwrap().to_string(), p));
        }
    }
    let out = kubeward()
        .args([
            "scan",
            "kinds.yaml",
            "--pss",
            "restricted",
            "-f",
            "json",
            "--fail-on",
            "never",
        ])
        .output()
        .unwrap();
    let scan = json_of(&out.stdout);
    let mut scan_fields: Vec<(String, String)> = scan["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["object"]["name"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // POD013 points into the hostPath volume (`.hostPath.path`).
    for (_, p) in &mut scan_fields {
        if let Some(stripped) = p.strip_suffix(".hostPath.path") {
            *p = format!("{stripped}.hostPath");
        }
    }
    pss_fields.sort();
    scan_fields.sort();
    assert_eq!(pss_fields, scan_fields);
}

#[test]
fn explain_shows_the_pss_control() {
    kubeward()
        .args(["explain", "POD100"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Pod Security Standards control **SELinux**",
        ))
        .stdout(predicate::str::contains("container_engine_t"))
        .stdout(predicate::str::contains("v1.31"));
    kubeward()
        .args(["explain", "privileged-container"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Pod Security Standards control **Privileged Containers**",
        ));
}

//! End-to-end tests of `kubeward node`, running the real binary on kubeadm control-plane node
//! fixtures (the `kubeward-controlplane` engine's `tests/fixtures/{secure,insecure}` trees,
//! copied to a temporary directory with file modes set here, since git does not keep them).
//!
//! Files are owned by whoever runs the test, so the test passes that user's uid:gid as
//! `--root-owner` and `--etcd-owner`; on CI (root) that is 0:0, as CIS expects.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The plaintext-looking key planted in the fixtures' EncryptionConfiguration: it must never
/// reach any output.
const CANARY: &str = "S1VCRVdBUkQtRklYVFVSRS1DQU5BUlktS0VZLTAwMDAwMDA=";

fn kubeward() -> Command {
    let mut cmd = Command::cargo_bin("kubeward").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn engine_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../kubeward-controlplane/tests/fixtures")
}

fn copy_tree(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to);
        } else {
            fs::copy(e.path(), &to).unwrap();
        }
    }
}

fn walk(p: &Path, f: &mut dyn FnMut(&Path, bool)) {
    for e in fs::read_dir(p).unwrap() {
        let e = e.unwrap();
        let is_dir = e.file_type().unwrap().is_dir();
        f(&e.path(), is_dir);
        if is_dir {
            walk(&e.path(), f);
        }
    }
}

fn chmod(p: &Path, mode: u32) {
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

/// Secure: files 600, certificates 644, directories 755, etcd data 700.
/// Insecure: files 644, kubeconfigs 666, etcd data 755.
fn apply_modes(root: &Path, secure: bool) {
    walk(root, &mut |p, is_dir| {
        let name = p.to_string_lossy();
        let mode = match (is_dir, secure) {
            (true, _) => 0o755,
            (false, true) if name.ends_with(".crt") => 0o644,
            (false, true) => 0o600,
            (false, false) if name.ends_with(".conf") && name.contains("etc/kubernetes/") => 0o666,
            (false, false) => 0o644,
        };
        chmod(p, mode);
    });
    if root.join("var/lib/etcd").is_dir() {
        chmod(
            &root.join("var/lib/etcd"),
            if secure { 0o700 } else { 0o755 },
        );
    }
}

/// A node tree in a temporary directory.
fn node(variant: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&engine_fixtures().join(variant), dir.path());
    apply_modes(dir.path(), variant == "secure");
    dir
}

fn owner(root: &Path) -> String {
    let meta = fs::metadata(root).unwrap();
    format!("{}:{}", meta.uid(), meta.gid())
}

/// `kubeward node --root DIR` with the test user standing for root and etcd.
fn node_cmd(root: &Path) -> Command {
    let mut cmd = kubeward();
    let who = owner(root);
    cmd.arg("node")
        .arg("--root")
        .arg(root)
        .arg("--root-owner")
        .arg(&who)
        .arg("--etcd-owner")
        .arg(&who);
    cmd
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(output)))
}

fn check<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

fn finding<'a>(doc: &'a Value, code: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no finding {code}: {doc:#}"))
}

fn stdout_of(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn secure_node_passes_with_a_results_table() {
    let dir = node("secure");
    let (code, text) = stdout_of(node_cmd(dir.path()).arg("--fail-on").arg("low"));
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("CIS Kubernetes Benchmark v1.12.0: 98 checks"),
        "{text}"
    );
    assert!(text.contains("[1.2] API Server"), "{text}");
    assert!(
        text.contains("[PASS] 1.2.1   CP030  API server --anonymous-auth is false"),
        "{text}"
    );
    // Manual recommendations stay WARN (manual review), never findings.
    assert!(text.contains("[WARN] 3.1.1"), "{text}");
    assert!(text.contains(" 0 FAIL,"), "{text}");
    assert!(text.contains("No findings"), "{text}");
    insta::assert_snapshot!("node_secure_text", text);
}

#[test]
fn insecure_node_findings_are_located_in_every_format() {
    let dir = node("insecure");
    let out = node_cmd(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    // The insecure fixture also has an unparseable scheduler manifest and an invalid kubelet
    // configuration: input errors make the exit code 2.
    assert_eq!(out.status.code(), Some(2));
    let doc = json_of(&out.stdout);
    assert_eq!(doc["schema"], "kubeward/scan/v1");
    assert_eq!(doc["benchmark"], "CIS Kubernetes Benchmark v1.12.0");

    // A flag that is set: the diagnostic points at the argument.
    let auto_tls = finding(&doc, "CP092");
    assert_eq!(auto_tls["name"], "etcd-auto-tls-enabled");
    assert_eq!(
        auto_tls["location"]["file"],
        "/etc/kubernetes/manifests/etcd.yaml"
    );
    assert_eq!(auto_tls["location"]["line"], 12);
    assert_eq!(auto_tls["location"]["column"], 7);
    assert_eq!(
        auto_tls["location"]["path"],
        "spec.containers[0].command[3]"
    );
    assert_eq!(auto_tls["object"]["kind"], "Pod");
    assert!(
        auto_tls["compliance"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["framework"] == "CIS" && c["id"] == "2.3")
    );
    // A flag that is missing: the container.
    let anon = finding(&doc, "CP030");
    assert_eq!(anon["severity"], "high");
    assert_eq!(
        anon["location"]["file"],
        "/etc/kubernetes/manifests/kube-apiserver.yaml"
    );
    assert_eq!(anon["location"]["path"], "spec.containers[0]");
    assert_eq!(anon["location"]["line"], 8);
    // A flag given twice: the effective (last) one.
    let maxage = finding(&doc, "CP046");
    assert_eq!(maxage["location"]["line"], 23);
    // File modes have no field: the whole file.
    let key_mode = finding(&doc, "CP021");
    assert_eq!(key_mode["location"]["line"], 0);
    // The EncryptionConfiguration's first provider is identity.
    let enc = finding(&doc, "CP057");
    assert_eq!(
        enc["location"]["file"],
        "/etc/kubernetes/enc/encryption.yaml"
    );
    assert!(enc["location"]["line"].as_u64().unwrap() > 0);

    // kube-bench style results for every check.
    let checks = doc["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 98);
    let c = check(&doc, "2.3");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["cis"], "2.3");
    assert_eq!(c["code"], "CP092");
    assert_eq!(c["evidence"][0]["line"], 12);
    assert_eq!(check(&doc, "1.4.1")["status"], "warn");
    assert_eq!(check(&doc, "kw.command-line")["cis"], Value::Null);
    let fails = checks.iter().filter(|c| c["status"] == "fail").count();
    assert_eq!(fails, doc["findings"].as_array().unwrap().len());

    // Bad files are located input errors, not crashes.
    let errors = doc["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["code"] == "KW001"
        && e["file"] == "/etc/kubernetes/manifests/kube-scheduler.yaml"
        && e["line"] == 9));
    assert!(errors.iter().any(|e| e["code"] == "KW006"
        && e["file"] == "/var/lib/kubelet/config.yaml"
        && e["line"].as_u64().unwrap() > 0));

    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains(CANARY));

    // The same diagnostics in SARIF, JUnit and text.
    for (format, needle) in [
        ("sarif", "\"ruleId\": \"CP092\""),
        ("junit", "CP092"),
        ("text", "etcd.yaml:12:7: CP092 etcd-auto-tls-enabled [high]"),
    ] {
        let (code, text) = stdout_of(node_cmd(dir.path()).args(["--format", format]));
        assert_eq!(code, 2, "{format}");
        assert!(text.contains(needle), "{format}:\n{text}");
        assert!(!text.contains(CANARY), "{format} leaks the canary");
    }
}

#[test]
fn insecure_etcd_json_snapshot() {
    let dir = node("insecure");
    // Without the broken files, findings alone decide the exit code.
    fs::remove_file(
        dir.path()
            .join("etc/kubernetes/manifests/kube-scheduler.yaml"),
    )
    .unwrap();
    fs::write(
        dir.path().join("var/lib/kubelet/config.yaml"),
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n",
    )
    .unwrap();
    let out = node_cmd(dir.path())
        .args(["--format", "json", "--select", "CP09"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let doc = json_of(text.as_bytes());
    assert_eq!(doc["checks"].as_array().unwrap().len(), 7);
    insta::assert_snapshot!("node_insecure_etcd_json", text);
    // --fail-on decides the exit code.
    let (code, _) =
        stdout_of(node_cmd(dir.path()).args(["--select", "CP09", "--fail-on", "never"]));
    assert_eq!(code, 0);
    let (code, _) =
        stdout_of(node_cmd(dir.path()).args(["--select", "CP096", "--fail-on", "high"]));
    assert_eq!(code, 0, "CP096 is medium");
}

#[test]
fn managed_cluster_node_is_not_applicable_not_failed() {
    // A managed worker node: kubelet only, no control-plane manifests, no etcd.
    let secure = node("secure");
    let dir = tempfile::tempdir().unwrap();
    for part in [
        "usr",
        "var/lib/kubelet",
        "etc/kubernetes/kubelet.conf",
        "etc/default",
    ] {
        let from = secure.path().join(part);
        let to = dir.path().join(part);
        if from.is_dir() {
            copy_tree(&from, &to);
        } else {
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(&from, &to).unwrap();
        }
    }
    apply_modes(dir.path(), true);
    let out = node_cmd(dir.path())
        .args(["--format", "json", "--fail-on", "info"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let doc = json_of(&out.stdout);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
    for id in ["1.1.1", "1.2.1", "1.2.6", "1.3.2", "1.4.1", "2.2", "3.2.1"] {
        let c = check(&doc, id);
        assert_eq!(c["status"], "not-applicable", "{id}: {c:#}");
        assert!(!c["reason"].as_str().unwrap().is_empty());
    }
    assert!(
        check(&doc, "1.2.1")["reason"]
            .as_str()
            .unwrap()
            .contains("managed control plane")
    );
    // The kubelet is checked.
    assert_eq!(check(&doc, "4.2.1")["status"], "pass");
    assert_eq!(check(&doc, "4.1.9")["status"], "pass");

    // An empty root (nothing of Kubernetes at all): everything is N/A or manual.
    let empty = tempfile::tempdir().unwrap();
    let (code, text) =
        stdout_of(node_cmd(empty.path()).args(["--show", "pass,fail", "--fail-on", "info"]));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("== Total: 0 PASS, 0 FAIL"), "{text}");
    assert!(!text.contains("[N/A "), "--show hides N/A lines: {text}");
}

#[test]
fn explicit_files_are_checked_without_a_root() {
    let src = engine_fixtures().join("insecure");
    let out = kubeward()
        .arg("node")
        .arg("--manifests")
        .arg(src.join("etc/kubernetes/manifests"))
        .arg("--encryption-config")
        .arg(src.join("etc/kubernetes/enc/encryption.yaml"))
        .arg("--kubelet-arg=--anonymous-auth=true")
        .arg("--kubelet-arg=--read-only-port=10255")
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc = json_of(&out.stdout);
    // The scheduler manifest does not parse: exit 2, but everything else is checked.
    assert_eq!(out.status.code(), Some(2));
    let anon = finding(&doc, "CP030");
    assert!(
        anon["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("manifests/kube-apiserver.yaml")
    );
    assert!(anon["location"]["line"].as_u64().unwrap() > 0);
    assert_eq!(check(&doc, "4.2.1")["status"], "fail");
    assert_eq!(check(&doc, "4.2.4")["status"], "fail");
    // The EncryptionConfiguration is reviewed (with or without an API server manifest).
    assert_eq!(check(&doc, "1.2.28")["status"], "fail");
    // No root to walk: file ownership is not applicable.
    assert_eq!(check(&doc, "1.1.2")["status"], "not-applicable");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(CANARY));
}

#[test]
fn policy_files_alone_are_reviewed() {
    let src = engine_fixtures().join("insecure/etc/kubernetes");
    let out = kubeward()
        .arg("node")
        .arg("--encryption-config")
        .arg(src.join("enc/encryption.yaml"))
        .arg("--audit-policy")
        .arg(src.join("audit/policy.yaml"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc = json_of(&out.stdout);
    // No API server manifest: its flag checks are not applicable, the files are reviewed.
    assert_eq!(check(&doc, "1.2.1")["status"], "not-applicable");
    assert_eq!(check(&doc, "1.2.28")["status"], "fail");
    assert_eq!(check(&doc, "3.2.2")["status"], "fail");
    let enc = finding(&doc, "CP057");
    assert!(enc["location"]["line"].as_u64().unwrap() > 0, "{enc:#}");
    let audit = finding(&doc, "CP106");
    assert!(audit["location"]["line"].as_u64().unwrap() > 0, "{audit:#}");
    assert!(!audit["related"].as_array().unwrap().is_empty());
    assert!(!String::from_utf8_lossy(&out.stdout).contains(CANARY));
}

#[test]
fn bad_input_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    // Nonexistent root.
    let out = kubeward()
        .args(["node", "--root"])
        .arg(dir.path().join("missing"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a directory"));
    // --root with explicit files is a usage error.
    let out = kubeward()
        .args(["node", "--root"])
        .arg(dir.path())
        .arg("--manifests")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Bad owner, bad status name, bad severity.
    for args in [
        &["--root-owner", "root"][..],
        &["--show", "maybe"][..],
        &["--fail-on", "urgent"][..],
        &["--select", "NOPE999"][..],
    ] {
        let out = kubeward()
            .args(["node", "--root"])
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    // An unparseable manifest, a kubelet config of the wrong shape, a flag given twice with
    // different values.
    let manifests = dir.path().join("manifests");
    fs::create_dir_all(&manifests).unwrap();
    fs::write(
        manifests.join("kube-apiserver.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --profiling=false, --profiling=true, --anonymous-auth, \"false\"]\n",
    )
    .unwrap();
    fs::write(
        manifests.join("etcd.yaml"),
        "apiVersion: v1\nkind: Pod\nspec: [\n",
    )
    .unwrap();
    let kubelet = dir.path().join("kubelet.yaml");
    fs::write(
        &kubelet,
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: \"zero\"\nauthentication: []\n",
    )
    .unwrap();
    let out = kubeward()
        .arg("node")
        .arg("--manifests")
        .arg(&manifests)
        .arg("--kubelet-config")
        .arg(&kubelet)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc = json_of(&out.stdout);
    let errors = doc["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["code"] == "KW001" && e["file"].as_str().unwrap().ends_with("etcd.yaml")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e["code"] == "KW006" && e["file"].as_str().unwrap().ends_with("kubelet.yaml")),
        "{errors:#?}"
    );
    // etcd's manifest is broken: its checks say so instead of failing or passing.
    assert_eq!(check(&doc, "2.2")["status"], "warn");
    // `--anonymous-auth false` is a stray argument (the flag is boolean) and --profiling is
    // given twice: kubeward's command-line check reports it at the argument.
    let cl = finding(&doc, "CP181");
    assert!(cl["location"]["line"].as_u64().unwrap() > 0, "{cl:#}");
    // The last --profiling wins.
    assert_eq!(check(&doc, "1.2.15")["status"], "fail");
}

#[test]
fn explain_shows_the_check_text() {
    let out = kubeward().args(["explain", "CP030"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("CP030 apiserver-anonymous-auth-enabled"),
        "{text}"
    );
    assert!(text.contains("CIS 1.2.1"), "{text}");
    assert!(
        text.contains("Checks kube-apiserver --anonymous-auth (default true)."),
        "{text}"
    );
    assert!(text.contains("Set --anonymous-auth=false"), "{text}");
    assert!(
        text.contains("CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.1"),
        "{text}"
    );
    let out = kubeward()
        .args(["rules", "--select", "CP"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("CP200"), "{text}");
    assert!(text.contains("etcd-client-cert-auth-disabled"), "{text}");
}

//! End-to-end checks over kubeadm control-plane node fixtures.
//!
//! `tests/fixtures/<variant>/` is a node's file tree (relative to `/`); the test copies it to
//! a temporary directory and sets file modes itself (git does not keep them). Files are owned
//! by whoever runs the test, so the test passes that user's uid/gid as the `root` (and `etcd`)
//! identity in [`Options`]: on CI, which runs as root, that is 0:0 as CIS expects; elsewhere the
//! ownership checks still exercise the comparison. `tests/fixtures/<variant>.expected.yaml`
//! lists the status every check must have.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use kubeward_controlplane::{
    ExplicitFiles, LayoutError, NodeLayout, Options, Report, Status, run_checks,
};

const CANARY: &str = "S1VCRVdBUkQtRklYVFVSRS1DQU5BUlktS0VZLTAwMDAwMDA=";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
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

fn chmod(p: &Path, mode: u32) {
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
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

/// Secure: files 600, certificates 644, directories 755, etcd data 700.
/// Insecure: files 644, keys 644, kubeconfigs 666, etcd data 755.
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
    chmod(
        &root.join("var/lib/etcd"),
        if secure { 0o700 } else { 0o755 },
    );
}

fn options_for(root: &Path) -> Options {
    let meta = fs::metadata(root).unwrap();
    Options {
        root_uid: meta.uid(),
        root_gid: meta.gid(),
        etcd_owner: Some((meta.uid(), meta.gid())),
    }
}

fn node(variant: &str) -> (tempfile::TempDir, Report) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join(variant), dir.path());
    apply_modes(dir.path(), variant == "secure");
    let layout = NodeLayout::from_root(dir.path());
    let report = run_checks(&layout, &options_for(dir.path()));
    (dir, report)
}

fn statuses(report: &Report) -> BTreeMap<String, String> {
    report
        .results
        .iter()
        .map(|r| (r.meta.id.to_string(), format!("{:?}", r.status)))
        .collect()
}

fn expected(variant: &str) -> BTreeMap<String, String> {
    let text = fs::read_to_string(fixtures().join(format!("{variant}.expected.yaml"))).unwrap();
    let doc = kubeward_yaml::parse_str(&text).documents.remove(0).root;
    doc.entries()
        .map(|(k, v)| (k.into_owned(), v.as_str().unwrap().to_string()))
        .collect()
}

fn explain(report: &Report) -> String {
    report
        .results
        .iter()
        .map(|r| format!("{:<28} {:?}: {}", r.meta.id, r.status, r.reason))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_matches_expected(variant: &str) -> Report {
    let (_dir, report) = node(variant);
    let actual = statuses(&report);
    if std::env::var_os("KUBEWARD_BLESS").is_some() {
        let text: String = actual
            .iter()
            .map(|(k, v)| format!("\"{k}\": {v}\n"))
            .collect();
        fs::write(fixtures().join(format!("{variant}.expected.yaml")), text).unwrap();
    }
    let want = expected(variant);
    let diffs: Vec<String> = want
        .iter()
        .filter(|(id, st)| actual.get(*id) != Some(*st))
        .map(|(id, st)| format!("{id}: expected {st}, got {:?}", actual.get(id)))
        .chain(
            actual
                .keys()
                .filter(|id| !want.contains_key(*id))
                .map(|id| format!("{id}: not in expectations")),
        )
        .collect();
    assert!(
        diffs.is_empty(),
        "{variant}:\n{}\n\nfull report:\n{}",
        diffs.join("\n"),
        explain(&report)
    );
    report
}

#[test]
fn secure_node_matches_expectations() {
    let report = assert_matches_expected("secure");
    assert_eq!(report.count(Status::Fail), 0, "{}", explain(&report));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[test]
fn insecure_node_matches_expectations() {
    let report = assert_matches_expected("insecure");
    // The broken scheduler manifest is a located error, and the kubelet config's problems too.
    let errs: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert!(
        errs.iter()
            .any(|e| e.contains("/etc/kubernetes/manifests/kube-scheduler.yaml:")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.contains("protectKernelDefault") && e.contains("unknown field")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.contains("podPidsLimit") && e.contains("expected integer")),
        "{errs:?}"
    );
}

#[test]
fn insecure_evidence_points_at_fields() {
    let (_dir, report) = node("insecure");
    let token = report.get("1.2.2").unwrap();
    assert_eq!(
        token.evidence[0].field_path.as_deref(),
        Some("spec.containers[0].args[6]")
    );
    assert_eq!(
        token.evidence[0].detail,
        "--token-auth-file=/etc/kubernetes/tokens.csv"
    );
    // `--profiling "false"`: the boolean takes no separate value, so profiling is on.
    let prof = report.get("1.2.15").unwrap();
    assert_eq!(prof.status, Status::Fail);
    assert!(prof.reason.contains("--profiling=true"), "{}", prof.reason);
    let cl = report.get("kw.command-line").unwrap();
    assert!(
        cl.evidence
            .iter()
            .any(|e| e.detail.contains("stray argument \"false\"")
                && e.field_path.as_deref() == Some("spec.containers[0].args[8]")),
        "{:?}",
        cl.evidence
    );
    // audit-log-maxage given twice: the last (7) wins.
    let age = report.get("1.2.17").unwrap();
    assert!(age.reason.contains("=7"), "{}", age.reason);
    assert!(
        age.evidence
            .iter()
            .any(|e| e.detail.contains("given 2 times"))
    );
    // etcd's client-cert-auth comes from the ETCD_CLIENT_CERT_AUTH environment variable.
    let cca = report.get("2.2").unwrap();
    assert!(
        cca.evidence
            .iter()
            .any(|e| e.detail.starts_with("ETCD_CLIENT_CERT_AUTH=")),
        "{:?}",
        cca.evidence
    );
    // Kubelet flags from /etc/default/kubelet override config.yaml; the last duplicate wins.
    let anon = report.get("4.2.1").unwrap();
    assert_eq!(anon.status, Status::Fail);
    assert!(
        anon.evidence
            .iter()
            .any(|e| e.detail.contains("--anonymous-auth=true")
                && e.detail.contains("/etc/default/kubelet")),
        "{:?}",
        anon.evidence
    );
    let rop = report.get("4.2.4").unwrap();
    assert!(rop.reason.contains("10255"), "{}", rop.reason);
}

#[test]
fn secrets_never_appear_in_reports() {
    for variant in ["secure", "insecure"] {
        let (_dir, report) = node(variant);
        let text = format!("{report:?}");
        assert!(!text.contains(CANARY), "{variant}: canary key leaked");
    }
}

#[test]
fn managed_node_is_not_applicable_not_failed() {
    // A worker of a managed cluster: only a kubelet, no manifests, no etcd.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("var/lib/kubelet");
    fs::create_dir_all(&cfg).unwrap();
    fs::write(cfg.join("config.yaml"), "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nrotateCertificates: true\nserverTLSBootstrap: true\n").unwrap();
    let report = run_checks(&NodeLayout::from_root(dir.path()), &options_for(dir.path()));
    for r in &report.results {
        if r.meta.id.starts_with("1.") || r.meta.id.starts_with("2.") || r.meta.id == "3.2.1" {
            assert_eq!(
                r.status,
                Status::NotApplicable,
                "{} {}",
                r.meta.id,
                r.reason
            );
        }
    }
    // The kubelet's configuration-file defaults are secure.
    assert_eq!(report.get("4.2.1").unwrap().status, Status::Pass);
    assert_eq!(report.get("4.2.2").unwrap().status, Status::Pass);
    assert_eq!(report.get("4.2.4").unwrap().status, Status::Pass);
    assert_eq!(report.get("4.2.13").unwrap().status, Status::Fail);
}

#[test]
fn bad_files_are_located_and_the_rest_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("secure"), dir.path());
    apply_modes(dir.path(), true);
    let m = dir.path().join("etc/kubernetes/manifests");
    // Unparseable YAML, a wrong `command` type, and invalid UTF-8.
    fs::write(
        m.join("kube-controller-manager.yaml"),
        "kind: Pod\nspec:\n  containers:\n  - name: x\n    command: [kube-controller-manager\n",
    )
    .unwrap();
    fs::write(m.join("kube-scheduler.yaml"), "kind: Pod\nspec:\n  containers:\n  - name: kube-scheduler\n    command: kube-scheduler --profiling=false\n").unwrap();
    fs::write(m.join("etcd.yaml"), b"kind: Pod\n\xff\xfe\n").unwrap();
    // A directory where the kubelet's config file should be.
    let cfg = dir.path().join("var/lib/kubelet/config.yaml");
    fs::remove_file(&cfg).unwrap();
    fs::create_dir(&cfg).unwrap();
    let report = run_checks(&NodeLayout::from_root(dir.path()), &options_for(dir.path()));
    let errs: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert!(
        report.errors.iter().any(|e| matches!(
            e,
            LayoutError::Unparseable { line: 6, .. } | LayoutError::Unparseable { line: 5, .. }
        )),
        "{errs:?}"
    );
    assert!(
        errs.iter().any(|e| e.contains("kube-scheduler.yaml")
            && e.contains("spec.containers[0].command")
            && e.contains("expected a sequence")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.contains("etcd.yaml") && e.contains("UTF-8")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.contains("config.yaml") && e.contains("directory")),
        "{errs:?}"
    );
    for id in ["1.3.2", "1.4.1", "2.2"] {
        let r = report.get(id).unwrap();
        assert_eq!(r.status, Status::Warn, "{id}: {}", r.reason);
        assert!(
            r.reason.contains("could not be evaluated"),
            "{id}: {}",
            r.reason
        );
    }
    // The API server was still checked, and the broken manifests' file modes too.
    assert_eq!(report.get("1.2.1").unwrap().status, Status::Pass);
    assert_eq!(report.get("1.1.3").unwrap().status, Status::Pass);
}

#[test]
fn unreadable_file_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("etc/kubernetes/manifests");
    fs::create_dir_all(&m).unwrap();
    let f = m.join("kube-apiserver.yaml");
    fs::write(&f, "kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver]\n").unwrap();
    chmod(&f, 0o000);
    if fs::read(&f).is_ok() {
        eprintln!(
            "SKIP unreadable_file_is_a_located_error: running as root, permissions do not stop reads"
        );
        return;
    }
    let report = run_checks(&NodeLayout::from_root(dir.path()), &Options::default());
    assert!(report.errors.iter().any(|e| matches!(e, LayoutError::Unreadable { path, .. } if path == Path::new("/etc/kubernetes/manifests/kube-apiserver.yaml"))));
    assert_eq!(report.get("1.2.1").unwrap().status, Status::Warn);
}

#[test]
fn explicit_files_without_a_root() {
    let secure = fixtures().join("secure");
    let layout = NodeLayout::from_files(&ExplicitFiles {
        manifests_dir: Some(secure.join("etc/kubernetes/manifests")),
        kubelet_config: Some(secure.join("var/lib/kubelet/config.yaml")),
        kubelet_args: Some(vec!["--read-only-port=10255".into()]),
        encryption_config: Some(fixtures().join("insecure/etc/kubernetes/enc/encryption.yaml")),
        audit_policy: Some(secure.join("etc/kubernetes/audit/policy.yaml")),
    });
    let report = run_checks(&layout, &Options::default());
    assert_eq!(report.get("1.2.1").unwrap().status, Status::Pass);
    assert_eq!(report.get("1.2.28").unwrap().status, Status::Fail); // identity first
    assert_eq!(report.get("3.2.2").unwrap().status, Status::Warn); // clean, manual review left
    assert_eq!(report.get("4.2.4").unwrap().status, Status::Fail); // the flag overrides the file
    assert_eq!(report.get("1.1.1").unwrap().status, Status::NotApplicable);
    assert_eq!(report.get("4.1.9").unwrap().status, Status::NotApplicable);
}

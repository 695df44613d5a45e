//! Smaller node variants built in code: etcd with --config-file, kubelet drop-in
//! configuration, structured authorization configuration, etcd user lookup, a kubelet
//! without a systemd unit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use kubeward_controlplane::{NodeLayout, Options, Status, run_checks};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, text).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
}

fn me(root: &Path) -> Options {
    let m = fs::metadata(root).unwrap();
    Options {
        root_uid: m.uid(),
        root_gid: m.gid(),
        etcd_owner: None,
    }
}

#[test]
fn etcd_config_file_replaces_flags() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "etc/kubernetes/manifests/etcd.yaml",
        "kind: Pod\nspec:\n  containers:\n  - name: etcd\n    command: [etcd, --config-file=/etc/etcd/etcd.yaml, --client-cert-auth=false]\n    volumeMounts: [{name: cfg, mountPath: /etc/etcd}]\n  volumes: [{name: cfg, hostPath: {path: /srv/etcd-config}}]\n",
    );
    write(
        r,
        "srv/etcd-config/etcd.yaml",
        "data-dir: /var/lib/etcd-data\nclient-transport-security:\n  cert-file: /pki/server.crt\n  key-file: /pki/server.key\n  client-cert-auth: true\n  trusted-ca-file: /pki/etcd-ca.crt\npeer-transport-security:\n  auto-tls: true\n",
    );
    fs::create_dir_all(r.join("var/lib/etcd-data")).unwrap();
    let layout = NodeLayout::from_root(r);
    assert!(layout.etcd_config.is_some());
    assert_eq!(
        layout.etcd_data_dir.as_ref().unwrap().path,
        Path::new("/var/lib/etcd-data")
    );
    let report = run_checks(&layout, &me(r));
    // The command-line --client-cert-auth=false is ignored: the config file says true.
    let cca = report.get("2.2").unwrap();
    assert_eq!(cca.status, Status::Pass, "{}", cca.reason);
    assert!(
        cca.evidence
            .iter()
            .any(|e| e.field_path.as_deref() == Some("client-transport-security.client-cert-auth"))
    );
    assert_eq!(report.get("2.1").unwrap().status, Status::Pass);
    assert_eq!(report.get("2.6").unwrap().status, Status::Fail);
    assert_eq!(report.get("2.4").unwrap().status, Status::Fail);
}

#[test]
fn etcd_missing_config_file_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "etc/kubernetes/manifests/etcd.yaml",
        "kind: Pod\nspec:\n  containers:\n  - name: etcd\n    command: [etcd, --config-file=/nowhere.yaml]\n",
    );
    let layout = NodeLayout::from_root(dir.path());
    assert!(
        layout
            .errors
            .iter()
            .any(|e| e.to_string().contains("/nowhere.yaml"))
    );
    let report = run_checks(&layout, &me(dir.path()));
    assert_eq!(report.get("2.2").unwrap().status, Status::Warn);
}

#[test]
fn kubelet_dropins_override_config_and_flags_override_dropins() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "usr/lib/systemd/system/kubelet.service",
        "[Service]\nExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --config-dir=/etc/kubernetes/kubelet.conf.d --read-only-port=0\n",
    );
    write(
        r,
        "var/lib/kubelet/config.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\nseccompDefault: false\nauthorization: {mode: Webhook}\n",
    );
    write(
        r,
        "etc/kubernetes/kubelet.conf.d/10-a.conf",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nseccompDefault: true\nauthorization: {mode: AlwaysAllow}\n",
    );
    write(
        r,
        "etc/kubernetes/kubelet.conf.d/20-b.conf",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthorization: {mode: Webhook}\n",
    );
    let layout = NodeLayout::from_root(r);
    assert_eq!(layout.kubelet.as_ref().unwrap().config_dropins.len(), 2);
    let report = run_checks(&layout, &me(r));
    let seccomp = report.get("4.2.14").unwrap();
    assert_eq!(seccomp.status, Status::Pass);
    assert_eq!(
        seccomp.evidence[0].file.as_deref(),
        Some(Path::new("/etc/kubernetes/kubelet.conf.d/10-a.conf"))
    );
    // 20-b wins over 10-a.
    assert_eq!(report.get("4.2.2").unwrap().status, Status::Pass);
    // The flag wins over the file.
    assert_eq!(report.get("4.2.4").unwrap().status, Status::Pass);
    // Permissions cover the drop-ins.
    assert_eq!(report.get("4.1.9").unwrap().evidence.len(), 3);
}

#[test]
fn structured_authorization_config() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "etc/kubernetes/manifests/kube-apiserver.yaml",
        "kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --authorization-config=/etc/kubernetes/authz.yaml]\n",
    );
    write(
        r,
        "etc/kubernetes/authz.yaml",
        "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- type: Node\n  name: node\n- type: Webhook\n  name: opa\n",
    );
    let report = run_checks(&NodeLayout::from_root(r), &me(r));
    assert_eq!(report.get("1.2.6").unwrap().status, Status::Pass);
    assert_eq!(report.get("1.2.7").unwrap().status, Status::Pass);
    let rbac = report.get("1.2.8").unwrap();
    assert_eq!(rbac.status, Status::Fail);
    assert!(
        rbac.evidence
            .iter()
            .any(|e| e.field_path.as_deref() == Some("authorizers[1].type"))
    );
}

#[test]
fn etcd_owner_from_passwd() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "etc/kubernetes/manifests/etcd.yaml",
        "kind: Pod\nspec:\n  containers:\n  - name: etcd\n    command: [etcd, --data-dir=/var/lib/etcd]\n",
    );
    fs::create_dir_all(r.join("var/lib/etcd")).unwrap();
    let m = fs::metadata(r).unwrap();
    // No etcd account: fail with an explanation.
    let report = run_checks(&NodeLayout::from_root(r), &me(r));
    let own = report.get("1.1.12").unwrap();
    assert_eq!(own.status, Status::Fail);
    assert!(own.reason.contains("no `etcd` user"), "{}", own.reason);
    // An etcd account with the ids that own the directory: pass.
    write(
        r,
        "etc/passwd",
        &format!(
            "root:x:0:0:root:/root:/bin/sh\netcd:x:{}:{}::/var/lib/etcd:/usr/sbin/nologin\n",
            m.uid(),
            m.gid()
        ),
    );
    write(r, "etc/group", &format!("root:x:0:\netcd:x:{}:\n", m.gid()));
    let report = run_checks(&NodeLayout::from_root(r), &me(r));
    assert_eq!(report.get("1.1.12").unwrap().status, Status::Pass);
    // An etcd account with other ids: fail.
    write(
        r,
        "etc/passwd",
        "etcd:x:4242:4242::/var/lib/etcd:/usr/sbin/nologin\n",
    );
    write(r, "etc/group", "etcd:x:4242:\n");
    let report = run_checks(&NodeLayout::from_root(r), &me(r));
    assert_eq!(report.get("1.1.12").unwrap().status, Status::Fail);
}

#[test]
fn kubelet_without_unit_uses_kubeadm_files() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "var/lib/kubelet/config.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n",
    );
    write(
        r,
        "etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=\"--anonymous-auth=true --hostname-override=x\"\n",
    );
    let layout = NodeLayout::from_root(r);
    let k = layout.kubelet.as_ref().unwrap();
    assert!(k.config.is_some());
    let report = run_checks(&layout, &me(r));
    assert_eq!(report.get("4.2.1").unwrap().status, Status::Fail);
    assert_eq!(report.get("4.2.7").unwrap().status, Status::Fail);
}

#[test]
fn stray_argument_in_kubelet_extra_args() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "lib/systemd/system/kubelet.service",
        "[Service]\nEnvironmentFile=-/etc/default/kubelet\nExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS\n",
    );
    write(
        r,
        "etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=--anonymous-auth false\n",
    );
    let report = run_checks(&NodeLayout::from_root(r), &me(r));
    let cl = report.get("kw.command-line").unwrap();
    assert_eq!(cl.status, Status::Fail);
    assert!(
        cl.evidence
            .iter()
            .any(|e| e.detail.contains("\"false\"") && e.detail.contains("/etc/default/kubelet")),
        "{:?}",
        cl.evidence
    );
    // Without a config file the flag defaults apply, and the bare flag means true.
    assert_eq!(report.get("4.2.1").unwrap().status, Status::Fail);
    assert_eq!(report.get("4.2.4").unwrap().status, Status::Fail);
}

#[test]
fn structured_authentication_config_anonymous() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "etc/kubernetes/manifests/kube-apiserver.yaml",
        "kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --authentication-config=/etc/kubernetes/authn.yaml]\n",
    );
    let head = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n";
    let cases = [
        (
            "anonymous:\n  enabled: true\n  conditions:\n  - path: /livez\n  - path: /readyz\n",
            Status::Pass,
        ),
        (
            "anonymous:\n  enabled: true\n  conditions:\n  - path: /livez\n  - path: /api\n",
            Status::Fail,
        ),
        ("anonymous:\n  enabled: false\n", Status::Pass),
        ("jwt: []\n", Status::Fail),
    ];
    for (body, want) in cases {
        write(r, "etc/kubernetes/authn.yaml", &format!("{head}{body}"));
        let report = run_checks(&NodeLayout::from_root(r), &me(r));
        let res = report.get("1.2.1").unwrap();
        assert_eq!(res.status, want, "{body}: {}", res.reason);
    }
}

//! End-to-end tests of `kubeward probe`, running the real binary against a real etcd started
//! on loopback (plain HTTP, TLS without client certificate authentication, TLS with it) and
//! against an endpoint that accepts connections and never answers.
//!
//! Needs `etcd` on PATH (Debian package `etcd-server`, installed by `.ci/run`). Without it the
//! etcd tests print `SKIP` and pass, unless `KUBEWARD_REQUIRE_ETCD=1` (CI) makes them fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use kubeward_controlplane::test_support::{EtcdMode as Mode, TestEtcd, find_etcd};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use serde_json::Value;

/// A value stored in etcd before probing: it must never appear in any output.
const CANARY_VALUE: &str = "kubeward-canary-secret-value-7f3a";

fn kubeward() -> Command {
    let mut cmd = Command::cargo_bin("kubeward").unwrap();
    cmd.env("NO_COLOR", "1");
    // A probe never hangs: every step has a timeout, and so does the test.
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// Stores the canary under the key the probe reads, through etcd's plain-HTTP gateway.
fn put_canary(port: u16) {
    let b64 = |s: &str| {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let bytes = s.as_bytes();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    };
    let body = format!(
        "{{\"key\":\"{}\",\"value\":\"{}\"}}",
        b64("kubeward-probe"),
        b64(CANARY_VALUE)
    );
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "POST /v3/kv/put HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

struct Pki {
    _dir: tempfile::TempDir,
    ca: PathBuf,
    other_ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    /// A client certificate and key issued by `ca`.
    client_cert: PathBuf,
    client_key: PathBuf,
    /// A client certificate and key issued by `other_ca`.
    wrong_cert: PathBuf,
    wrong_key: PathBuf,
}

/// A CA, a server certificate for 127.0.0.1 signed by it, and an unrelated CA; client
/// certificates from each CA.
fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        fs::write(&p, text).unwrap();
        p
    };
    let ca_for = |cn: &str| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        CertifiedIssuer::self_signed(params, key).unwrap()
    };
    let ca = ca_for("kubeward-test-etcd-ca");
    let other = ca_for("some-other-ca");
    let server_key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "etcd-server");
    let server = params.signed_by(&server_key, &ca).unwrap();
    let client_for = |issuer: &CertifiedIssuer<'_, KeyPair>| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "kube-apiserver-etcd-client");
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        (
            params.signed_by(&key, issuer).unwrap().pem(),
            key.serialize_pem(),
        )
    };
    let (client_cert, client_key) = client_for(&ca);
    let (wrong_cert, wrong_key) = client_for(&other);
    Pki {
        client_cert: write("client.crt", &client_cert),
        client_key: write("client.key", &client_key),
        wrong_cert: write("wrong.crt", &wrong_cert),
        wrong_key: write("wrong.key", &wrong_key),
        ca: write("ca.crt", &ca.pem()),
        other_ca: write("other-ca.crt", &other.pem()),
        cert: write("server.crt", &server.pem()),
        key: write("server.key", &server_key.serialize_pem()),
        _dir: dir,
    }
}

fn run_json(args: &[&str]) -> (i32, Value, String) {
    let out = kubeward().arg("probe").args(args).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), doc, text)
}

fn codes(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn probe_ids(doc: &Value) -> Vec<String> {
    doc["probes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["findings"].as_array().unwrap().iter())
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn etcd_over_plain_http() {
    let Some(etcd) = find_etcd("etcd_over_plain_http") else {
        return;
    };
    let e = TestEtcd::start(&etcd, &Mode::Plain).unwrap();
    put_canary(e.port());
    let target = format!("127.0.0.1:{}", e.port());
    let (code, doc, text) = run_json(&["--etcd", &target, "--timeout", "5", "--format", "json"]);
    assert_eq!(code, 1, "{text}");
    let got = codes(&doc);
    assert!(got.contains(&"CP200".to_string()), "{text}");
    assert!(got.contains(&"CP202".to_string()), "{text}");
    assert!(!got.iter().any(|c| c.starts_with("CP23")), "no TLS: {text}");
    let plain = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CP200")
        .unwrap();
    assert_eq!(plain["severity"], "critical");
    assert_eq!(plain["location"]["file"], target);
    assert!(
        plain["message"]
            .as_str()
            .unwrap()
            .contains("etcd version 3."),
        "{plain:#}"
    );
    assert_eq!(doc["probes"][0]["component"], "etcd");
    // The value the probe could read is never shown, in any format.
    assert!(!text.contains(CANARY_VALUE));
    assert!(!text.contains("a3ViZXdhcmQtY2FuYXJ5")); // its base64 prefix
    for format in ["text", "sarif", "junit"] {
        let out = kubeward()
            .args(["probe", "--etcd", &target, "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("CP200"), "{format}: {text}");
        assert!(!text.contains(CANARY_VALUE), "{format}");
        assert!(!text.contains("a3ViZXdhcmQtY2FuYXJ5"), "{format}");
    }
}

#[test]
fn etcd_over_tls_without_client_cert_auth() {
    let Some(etcd) = find_etcd("etcd_over_tls_without_client_cert_auth") else {
        return;
    };
    let pki = pki();
    let e = TestEtcd::start(
        &etcd,
        &Mode::Tls {
            cert: &pki.cert,
            key: &pki.key,
        },
    )
    .unwrap();
    let target = format!("https://127.0.0.1:{}", e.port());
    let ca = pki.ca.to_string_lossy().to_string();
    let (code, doc, text) = run_json(&["--etcd", &target, "--cacert", &ca, "--format", "json"]);
    assert_eq!(code, 1, "{text}");
    let got = codes(&doc);
    assert!(got.contains(&"CP201".to_string()), "{text}");
    assert!(got.contains(&"CP202".to_string()), "{text}");
    // A certificate from the given CA, for the dialled IP: no TLS findings.
    for tls in ["CP200", "CP230", "CP231", "CP233", "CP234"] {
        assert!(!got.contains(&tls.to_string()), "{tls}: {text}");
    }
    assert!(probe_ids(&doc).contains(&"probe.tls.negotiated".to_string()));

    // The same endpoint checked against another CA: the issuer is not trusted.
    let other = pki.other_ca.to_string_lossy().to_string();
    let (_, doc, text) = run_json(&["--etcd", &target, "--cacert", &other, "--format", "json"]);
    assert!(codes(&doc).contains(&"CP234".to_string()), "{text}");
    assert!(
        text.contains("kubeward-test-etcd-ca"),
        "the issuer is the evidence: {text}"
    );

    // Text: the probe results table and the diagnostics.
    let out = kubeward()
        .args(["probe", "--etcd", &target, "--fail-on", "critical"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "CP202 is critical");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("[etcd] 127.0.0.1:{}", e.port())),
        "{text}"
    );
    assert!(text.contains("FINDING  CP201"), "{text}");
    assert!(text.contains("OK       -"), "{text}");
}

#[test]
fn etcd_with_client_cert_auth_is_fine() {
    let Some(etcd) = find_etcd("etcd_with_client_cert_auth_is_fine") else {
        return;
    };
    let pki = pki();
    let e = TestEtcd::start(
        &etcd,
        &Mode::TlsClientAuth {
            cert: &pki.cert,
            key: &pki.key,
            ca: &pki.ca,
        },
    )
    .unwrap();
    let target = format!("127.0.0.1:{}", e.port());
    let (code, doc, text) = run_json(&["--etcd", &target, "--format", "json", "--fail-on", "info"]);
    assert_eq!(code, 0, "{text}");
    assert!(codes(&doc).is_empty(), "{text}");
    assert!(
        probe_ids(&doc).contains(&"probe.etcd.client-cert-required".to_string()),
        "{text}"
    );
}

fn probe_finding<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["probes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["findings"].as_array().unwrap().iter())
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id}: {doc:#}"))
}

#[test]
fn etcd_with_client_cert_auth_and_a_client_certificate() {
    let Some(etcd) = find_etcd("etcd_with_client_cert_auth_and_a_client_certificate") else {
        return;
    };
    let pki = pki();
    let e = TestEtcd::start(
        &etcd,
        &Mode::TlsClientAuth {
            cert: &pki.cert,
            key: &pki.key,
            ca: &pki.ca,
        },
    )
    .unwrap();
    let target = format!("127.0.0.1:{}", e.port());
    let path = |p: &PathBuf| p.to_string_lossy().to_string();
    let (ca, cert, key) = (path(&pki.ca), path(&pki.client_cert), path(&pki.client_key));
    let (code, doc, text) = run_json(&[
        "--etcd",
        &target,
        "--cacert",
        &ca,
        "--cert",
        &cert,
        "--key",
        &key,
        "--format",
        "json",
        "--fail-on",
        "info",
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(codes(&doc).is_empty(), "{text}");
    let ids = probe_ids(&doc);
    // Anonymous: rejected; with the certificate: authenticated access works.
    assert!(
        ids.contains(&"probe.etcd.client-cert-required".to_string()),
        "{text}"
    );
    assert!(
        !ids.contains(&"probe.etcd.no-client-cert-auth".to_string()),
        "{text}"
    );
    assert!(
        !ids.contains(&"probe.etcd.data-readable".to_string()),
        "{text}"
    );
    assert!(
        !ids.contains(&"probe.etcd.client-cert-rejected".to_string()),
        "{text}"
    );
    let auth = probe_finding(&doc, "probe.etcd.authenticated");
    assert_eq!(auth["severity"], "info");
    assert_eq!(auth["result"], "ok");
    let ev: Vec<&str> = auth["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(ev.contains(&"client certificate presented: true"), "{ev:?}");
    assert!(ev.contains(&"GET /version: HTTP 200"), "{ev:?}");
    assert!(
        ev.iter().any(|e| e.starts_with("etcd version 3.")),
        "{ev:?}"
    );
    assert!(
        ev.iter().any(|e| e.contains("kube-apiserver-etcd-client")),
        "{ev:?}"
    );
    assert!(
        ev.contains(&"POST /v3/kv/range (key `kubeward-probe`): HTTP 200 (body not read)"),
        "{ev:?}"
    );
    // The server chain verifies against --cacert (webpki), reported as evidence.
    let negotiated = probe_finding(&doc, "probe.tls.negotiated");
    assert!(
        negotiated["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "server certificate verifies against --cacert: yes"),
        "{negotiated:#}"
    );
    // Key material never appears.
    let key_pem = fs::read_to_string(&pki.client_key).unwrap();
    assert!(!text.contains("PRIVATE KEY"));
    assert!(!text.contains(key_pem.lines().nth(1).unwrap()));

    // A client certificate from another CA is rejected by etcd.
    let (wrong_cert, wrong_key) = (path(&pki.wrong_cert), path(&pki.wrong_key));
    let (code, doc, text) = run_json(&[
        "--etcd",
        &target,
        "--cert",
        &wrong_cert,
        "--key",
        &wrong_key,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{text}");
    let ids = probe_ids(&doc);
    assert!(
        ids.contains(&"probe.etcd.client-cert-rejected".to_string()),
        "{text}"
    );
    assert!(
        !ids.contains(&"probe.etcd.authenticated".to_string()),
        "{text}"
    );
    let rejected = probe_finding(&doc, "probe.etcd.client-cert-rejected");
    assert!(
        rejected["evidence"].as_array().unwrap().iter().any(|e| e
            .as_str()
            .unwrap()
            .starts_with("GET /version: TLS error")
            || e.as_str().unwrap().starts_with("GET /version: connection")),
        "{rejected:#}"
    );

    // Text: the authenticated result is listed.
    let out = kubeward()
        .args(["probe", "--etcd", &target, "--cert", &cert, "--key", &key])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("authenticated access works"), "{text}");
}

#[test]
fn hanging_endpoint_times_out_quickly() {
    // Accepts connections and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut conns = Vec::new();
        for c in listener.incoming().take(8) {
            match c {
                Ok(c) => conns.push(c),
                Err(_) => break,
            }
        }
        std::thread::sleep(Duration::from_secs(30));
        drop(conns);
    });
    let target = format!("127.0.0.1:{port}");
    // Every target kind against the hanging port, concurrently.
    let (code, doc, text) = run_json(&[
        "--etcd",
        &target,
        "--kubelet",
        &target,
        "--kubelet-readonly",
        &format!("http://{target}"),
        "--apiserver",
        &target,
        "--timeout",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "timeouts are informational: {text}");
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 4, "{text}");
    for f in findings {
        assert_eq!(f["code"], "CP240", "{text}");
        assert_eq!(f["severity"], "info");
        assert!(
            f["message"].as_str().unwrap().contains("timed out"),
            "{f:#}"
        );
    }
    assert!(
        probe_ids(&doc).iter().all(|i| i == "probe.timeout"),
        "{text}"
    );
    drop(held);
}

/// A plain-TCP server answering every connection with `reply` (after reading the request head).
fn fake_server(reply: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut c in listener.incoming().flatten() {
            c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match c.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let _ = c.write_all(reply);
        }
    });
    port
}

#[test]
fn plain_http_kubelet_and_apiserver_ports_and_other_protocols() {
    let readonly = fake_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{\"items\":[]}");
    let insecure = fake_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 26\r\nConnection: close\r\n\r\n{\"gitVersion\":\"v1.30.2\"}\n");
    let ssh = fake_server(b"SSH-2.0-OpenSSH_9.6\r\n");
    let (code, doc, text) = run_json(&[
        "--kubelet-readonly",
        &format!("127.0.0.1:{readonly}"),
        "--apiserver",
        &format!("http://127.0.0.1:{insecure}"),
        "--kubelet-readonly",
        &format!("http://127.0.0.1:{ssh}"),
        "--timeout",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{text}");
    let got = codes(&doc);
    assert!(got.contains(&"CP222".to_string()), "{text}");
    assert!(got.contains(&"CP210".to_string()), "{text}");
    assert!(got.contains(&"CP241".to_string()), "{text}");
    let not_http = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CP241")
        .unwrap();
    assert_eq!(
        not_http["location"]["file"],
        format!("http://127.0.0.1:{ssh}")
    );
    assert_eq!(doc["probes"].as_array().unwrap().len(), 3);
}

#[test]
fn usage_errors() {
    for args in [
        &[][..],
        &["--etcd", "::1"][..],
        &["--etcd", "h:99999"][..],
        &["--kubelet", "ftp://h"][..],
        &["--etcd", "h", "--timeout", "0"][..],
        &["--etcd", "h", "--cert", "c.pem", "--key", "k.pem"][..],
        &["--etcd", "h", "--cacert", "/nonexistent/ca.pem"][..],
        &["--etcd", "h", "--cert", "c.pem"][..],
        &["--etcd", "h", "--key", "k.pem"][..],
    ] {
        let out = kubeward().arg("probe").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
    // Unreadable, invalid and mismatched PEM: exit 2 with a message naming the flag, never
    // quoting the key.
    let pki = pki();
    let junk = pki._dir.path().join("junk.pem");
    fs::write(&junk, "not pem at all\n").unwrap();
    let key_pem = fs::read_to_string(&pki.client_key).unwrap();
    let broken_key = pki._dir.path().join("broken.key");
    fs::write(
        &broken_key,
        key_pem.replace("-----END PRIVATE KEY-----", ""),
    )
    .unwrap();
    let p = |p: &Path| p.to_string_lossy().to_string();
    for (cert, key, expect) in [
        (p(&junk), p(&pki.client_key), "--cert"),
        (p(&pki.client_cert), p(&junk), "--key"),
        (p(&pki.client_cert), p(&broken_key), "--key"),
        (
            p(&pki.client_cert),
            p(&pki.wrong_key),
            "cannot be used with the --cert certificate",
        ),
        (
            p(&pki.client_cert),
            "/nonexistent/k.pem".to_string(),
            "--key /nonexistent/k.pem",
        ),
    ] {
        let out = kubeward()
            .args(["probe", "--etcd", "h", "--cert", &cert, "--key", &key])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{cert} {key}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(expect), "{expect}: {err}");
        assert!(!err.contains(key_pem.lines().nth(1).unwrap()), "{err}");
    }
}

//! Probes a real etcd on loopback in three configurations: plain HTTP, TLS without client
//! certificate authentication (self-signed certificate with the wrong name), and TLS with
//! client certificate authentication (CA-signed certificate for 127.0.0.1).
//!
//! Needs `etcd` on PATH (Debian package `etcd-server`; `.ci/run` installs it). Without it the
//! test prints `SKIP` and passes, unless `KUBEWARD_REQUIRE_ETCD=1` is set (as in CI): then a
//! missing etcd fails the test instead of skipping it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kubeward_controlplane::probe::{Finding, ProbeConfig, Severity, probe_etcd};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

fn find_etcd() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("etcd"))
        .find(|p| p.is_file())
}

/// `KUBEWARD_REQUIRE_ETCD=1` (CI): a missing etcd is a failure, not a skip.
fn etcd_required() -> bool {
    std::env::var("KUBEWARD_REQUIRE_ETCD").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Etcd {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

enum Mode {
    Plain,
    Tls {
        cert: PathBuf,
        key: PathBuf,
    },
    TlsClientAuth {
        cert: PathBuf,
        key: PathBuf,
        ca: PathBuf,
    },
}

fn start(etcd: &Path, mode: &Mode) -> Etcd {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let peer = free_port();
    let scheme = if matches!(mode, Mode::Plain) {
        "http"
    } else {
        "https"
    };
    let client_url = format!("{scheme}://127.0.0.1:{port}");
    let peer_url = format!("http://127.0.0.1:{peer}");
    let mut cmd = Command::new(etcd);
    cmd.arg("--name=probe-test")
        .arg(format!("--data-dir={}", dir.path().join("data").display()))
        .arg(format!("--listen-client-urls={client_url}"))
        .arg(format!("--advertise-client-urls={client_url}"))
        .arg(format!("--listen-peer-urls={peer_url}"))
        .arg(format!("--initial-advertise-peer-urls={peer_url}"))
        .arg(format!("--initial-cluster=probe-test={peer_url}"))
        .env("ETCD_UNSUPPORTED_ARCH", std::env::consts::ARCH);
    match mode {
        Mode::Plain => {}
        Mode::Tls { cert, key } => {
            cmd.arg(format!("--cert-file={}", cert.display()))
                .arg(format!("--key-file={}", key.display()));
        }
        Mode::TlsClientAuth { cert, key, ca } => {
            cmd.arg(format!("--cert-file={}", cert.display()))
                .arg(format!("--key-file={}", key.display()))
                .arg("--client-cert-auth=true")
                .arg(format!("--trusted-ca-file={}", ca.display()));
        }
    }
    let log = fs::File::create(dir.path().join("etcd.log")).unwrap();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let etcd = Etcd {
        child,
        port,
        _dir: dir,
    };
    // Wait (bounded) until the client port accepts connections.
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            std::thread::sleep(Duration::from_millis(300));
            return etcd;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = fs::read_to_string(etcd._dir.path().join("etcd.log")).unwrap_or_default();
    panic!("etcd did not start listening on {port}:\n{log}");
}

fn ids(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.id).collect()
}

fn cfg() -> ProbeConfig {
    ProbeConfig {
        connect_timeout: Duration::from_secs(2),
        io_timeout: Duration::from_secs(5),
        max_response: 64 * 1024,
        ..ProbeConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_real_etcd_in_three_configurations() {
    let Some(etcd) = find_etcd() else {
        assert!(
            !etcd_required(),
            "KUBEWARD_REQUIRE_ETCD=1 but `etcd` is not on PATH (apt-get install etcd-server)"
        );
        eprintln!(
            "SKIP probes_real_etcd_in_three_configurations: `etcd` is not on PATH (apt-get install etcd-server)"
        );
        return;
    };
    let certs = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = certs.path().join(name);
        fs::write(&p, text).unwrap();
        p
    };

    // A CA and a server certificate for 127.0.0.1 signed by it.
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "kubeward-test-etcd-ca");
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let mut server_params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    server_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "etcd-server");
    let server_cert = server_params.signed_by(&server_key, &ca).unwrap();
    let ca_pem = write("ca.crt", &ca.pem());
    let server_crt = write("server.crt", &server_cert.pem());
    let server_key_path = write("server.key", &server_key.serialize_pem());

    // A self-signed certificate for a name that is not the one dialled.
    let ss_key = KeyPair::generate().unwrap();
    let ss_params = CertificateParams::new(vec!["etcd.wrong.example".to_string()]).unwrap();
    let ss_cert = ss_params.self_signed(&ss_key).unwrap();
    let ss_crt = write("ss.crt", &ss_cert.pem());
    let ss_key_path = write("ss.key", &ss_key.serialize_pem());

    // 1. Plain HTTP.
    {
        let e = start(&etcd, &Mode::Plain);
        let f = probe_etcd("127.0.0.1", e.port, &cfg()).await;
        let got = ids(&f);
        assert!(got.contains(&"probe.etcd.plain-http"), "{f:#?}");
        assert!(got.contains(&"probe.etcd.data-readable"), "{f:#?}");
        assert!(f.iter().any(|x| x.severity == Severity::Critical));
        assert!(!got.iter().any(|i| i.starts_with("probe.tls.")), "{f:#?}");
        // The version is reported, key values never are.
        assert!(
            f.iter()
                .any(|x| x.evidence.iter().any(|e| e.starts_with("etcd version 3."))),
            "{f:#?}"
        );
    }

    // 2. TLS, no client certificate authentication, self-signed certificate with the wrong name.
    {
        let e = start(
            &etcd,
            &Mode::Tls {
                cert: ss_crt.clone(),
                key: ss_key_path.clone(),
            },
        );
        let f = probe_etcd("127.0.0.1", e.port, &cfg()).await;
        let got = ids(&f);
        assert!(got.contains(&"probe.etcd.no-client-cert-auth"), "{f:#?}");
        assert!(got.contains(&"probe.etcd.data-readable"), "{f:#?}");
        assert!(got.contains(&"probe.tls.negotiated"), "{f:#?}");
        assert!(got.contains(&"probe.tls.self-signed"), "{f:#?}");
        assert!(got.contains(&"probe.tls.name-mismatch"), "{f:#?}");
        assert!(!got.contains(&"probe.etcd.plain-http"), "{f:#?}");
    }

    // 3. TLS with client certificate authentication, CA-signed certificate for 127.0.0.1.
    {
        let e = start(
            &etcd,
            &Mode::TlsClientAuth {
                cert: server_crt,
                key: server_key_path,
                ca: ca_pem,
            },
        );
        let f = probe_etcd("127.0.0.1", e.port, &cfg()).await;
        let got = ids(&f);
        assert!(got.contains(&"probe.etcd.client-cert-required"), "{f:#?}");
        assert!(!got.contains(&"probe.etcd.data-readable"), "{f:#?}");
        assert!(!got.contains(&"probe.etcd.no-client-cert-auth"), "{f:#?}");
        assert!(!got.contains(&"probe.tls.self-signed"), "{f:#?}");
        assert!(!got.contains(&"probe.tls.name-mismatch"), "{f:#?}");
    }
}

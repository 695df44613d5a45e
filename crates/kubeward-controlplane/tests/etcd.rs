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
use std::time::Duration;

use kubeward_controlplane::probe::{Finding, ProbeConfig, Severity, probe_etcd};
use kubeward_controlplane::test_support::{EtcdMode as Mode, TestEtcd, find_etcd};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

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
    let Some(etcd) = find_etcd("probes_real_etcd_in_three_configurations") else {
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
        let e = TestEtcd::start(&etcd, &Mode::Plain).unwrap();
        let f = probe_etcd("127.0.0.1", e.port(), &cfg()).await;
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
        let e = TestEtcd::start(
            &etcd,
            &Mode::Tls {
                cert: &ss_crt,
                key: &ss_key_path,
            },
        )
        .unwrap();
        let f = probe_etcd("127.0.0.1", e.port(), &cfg()).await;
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
        let e = TestEtcd::start(
            &etcd,
            &Mode::TlsClientAuth {
                cert: &server_crt,
                key: &server_key_path,
                ca: &ca_pem,
            },
        )
        .unwrap();
        let f = probe_etcd("127.0.0.1", e.port(), &cfg()).await;
        let got = ids(&f);
        assert!(got.contains(&"probe.etcd.client-cert-required"), "{f:#?}");
        assert!(!got.contains(&"probe.etcd.data-readable"), "{f:#?}");
        assert!(!got.contains(&"probe.etcd.no-client-cert-auth"), "{f:#?}");
        assert!(!got.contains(&"probe.tls.self-signed"), "{f:#?}");
        assert!(!got.contains(&"probe.tls.name-mismatch"), "{f:#?}");
    }
}

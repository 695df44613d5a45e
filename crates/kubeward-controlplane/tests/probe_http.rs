//! The API server and kubelet probes against small local HTTPS servers that answer like an
//! open or a locked-down component.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::Duration;

use kubeward_controlplane::probe::{
    Finding, ProbeConfig, Severity, probe_apiserver, probe_apiserver_insecure, probe_kubelet,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const CANARY: &str = "a3ViZXdhcmQtY2FuYXJ5LXNlY3JldA==";

type Router = fn(&str) -> (u16, String);

fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

async fn answer<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(mut s: S, route: Router) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let path = head.split(' ').nth(1).unwrap_or("/").to_string();
    let (status, body) = route(&path);
    // Chunked, to exercise the client's de-chunking.
    let resp = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(resp.as_bytes()).await;
    let _ = s.shutdown().await;
}

/// Serves up to `n` connections with `route`, over TLS or plain HTTP.
async fn server(route: Router, tls: bool, n: usize) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let acceptor = tls_acceptor();
    tokio::spawn(async move {
        for _ in 0..n {
            let Ok((s, _)) = l.accept().await else { break };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if tls {
                    if let Ok(t) = acceptor.accept(s).await {
                        answer(t, route).await;
                    }
                } else {
                    answer(s, route).await;
                }
            });
        }
    });
    port
}

fn cfg() -> ProbeConfig {
    ProbeConfig {
        connect_timeout: Duration::from_secs(2),
        io_timeout: Duration::from_secs(3),
        max_response: 64 * 1024,
        ..ProbeConfig::default()
    }
}

fn ids(f: &[Finding]) -> Vec<&'static str> {
    f.iter().map(|x| x.id).collect()
}

fn open_apiserver(path: &str) -> (u16, String) {
    match path {
        "/version" => (
            200,
            r#"{"major":"1","minor":"34","gitVersion":"v1.34.1"}"#.into(),
        ),
        "/api" | "/apis" => (200, r#"{"kind":"APIVersions"}"#.into()),
        p if p.starts_with("/api/v1/secrets") => (
            200,
            format!(r#"{{"items":[{{"data":{{"password":"{CANARY}"}}}}]}}"#),
        ),
        p if p.starts_with("/api/v1/namespaces") => (200, r#"{"items":[]}"#.into()),
        _ => (403, r#"{"kind":"Status","reason":"Forbidden"}"#.into()),
    }
}

fn locked(_: &str) -> (u16, String) {
    (401, r#"{"kind":"Status","reason":"Unauthorized"}"#.into())
}

#[tokio::test]
async fn open_apiserver_is_reported() {
    let port = server(open_apiserver, true, 20).await;
    let f = probe_apiserver("127.0.0.1", port, &cfg()).await;
    let got = ids(&f);
    assert!(got.contains(&"probe.apiserver.version-disclosed"), "{f:#?}");
    assert!(f.iter().any(|x| x.title.contains("v1.34.1")), "{f:#?}");
    assert!(got.contains(&"probe.apiserver.discovery-open"), "{f:#?}");
    let lists: Vec<&Finding> = f
        .iter()
        .filter(|x| x.id == "probe.apiserver.anonymous-list")
        .collect();
    assert_eq!(lists.len(), 2, "{f:#?}");
    assert!(
        lists
            .iter()
            .any(|x| x.title.ends_with("secrets") && x.severity == Severity::Critical)
    );
    assert!(got.contains(&"probe.tls.self-signed"), "{f:#?}");
    assert!(!got.contains(&"probe.tls.name-mismatch"), "{f:#?}");
    assert!(
        !format!("{f:?}").contains(CANARY),
        "a secret value leaked into findings"
    );
}

#[tokio::test]
async fn locked_apiserver_only_reports_facts() {
    let port = server(locked, true, 20).await;
    let f = probe_apiserver("localhost", port, &cfg()).await;
    let got = ids(&f);
    assert!(
        got.contains(&"probe.apiserver.anonymous-disabled"),
        "{f:#?}"
    );
    assert!(f.iter().all(|x| x.severity <= Severity::Medium), "{f:#?}");
    assert!(!got.contains(&"probe.apiserver.anonymous-list"), "{f:#?}");
}

#[tokio::test]
async fn insecure_port_is_critical() {
    let port = server(open_apiserver, false, 2).await;
    let f = probe_apiserver_insecure("127.0.0.1", port, &cfg()).await;
    assert_eq!(ids(&f), vec!["probe.apiserver.insecure-port"], "{f:#?}");
    assert_eq!(f[0].severity, Severity::Critical);
}

#[tokio::test]
async fn kubelet_anonymous_pods() {
    fn open(_: &str) -> (u16, String) {
        (200, r#"{"kind":"PodList","items":[]}"#.into())
    }
    let port = server(open, true, 2).await;
    let f = probe_kubelet("127.0.0.1", port, &cfg()).await;
    assert!(
        f.iter()
            .any(|x| x.id == "probe.kubelet.anonymous-pods" && x.severity == Severity::Critical),
        "{f:#?}"
    );
    let port = server(locked, true, 2).await;
    let f = probe_kubelet("127.0.0.1", port, &cfg()).await;
    assert!(ids(&f).contains(&"probe.kubelet.auth-required"), "{f:#?}");
}

//! Probes against local TCP servers that never answer, or answer with something that is not
//! HTTP: each must become a clear finding, quickly, without a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use kubeward_controlplane::probe::{
    Exchange, ProbeConfig, Request, Scheme, probe_apiserver, probe_etcd, probe_kubelet,
    probe_kubelet_readonly, send,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn cfg() -> ProbeConfig {
    ProbeConfig {
        connect_timeout: Duration::from_millis(500),
        io_timeout: Duration::from_millis(400),
        max_response: 4096,
        ..ProbeConfig::default()
    }
}

/// Accepts connections and holds them open without ever writing (bounded: 20 connections).
async fn silent_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        for _ in 0..20 {
            let Ok((s, _)) = l.accept().await else { break };
            held.push(s);
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
    });
    port
}

/// Answers every connection with an SSH banner and closes (bounded: 20 connections).
async fn garbage_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        for _ in 0..20 {
            let Ok((mut s, _)) = l.accept().await else {
                break;
            };
            let mut buf = [0u8; 512];
            let _ = tokio::time::timeout(Duration::from_millis(100), s.read(&mut buf)).await;
            let _ = s
                .write_all(b"SSH-2.0-OpenSSH_9.6 garbage garbage\r\n")
                .await;
            let _ = s.shutdown().await;
        }
    });
    port
}

#[tokio::test]
async fn silent_server_times_out() {
    let port = silent_server().await;
    let start = std::time::Instant::now();
    let req = Request {
        method: "GET",
        path: "/version",
        body: None,
        read_body: true,
    };
    let plain = send("127.0.0.1", port, Scheme::Http, &req, &cfg())
        .await
        .unwrap();
    assert_eq!(plain.exchange, Exchange::Timeout { phase: "response" });
    let tls = send("127.0.0.1", port, Scheme::Https, &req, &cfg())
        .await
        .unwrap();
    assert_eq!(
        tls.exchange,
        Exchange::Timeout {
            phase: "tls handshake"
        }
    );
    for findings in [
        probe_etcd("127.0.0.1", port, &cfg()).await,
        probe_apiserver("127.0.0.1", port, &cfg()).await,
        probe_kubelet("127.0.0.1", port, &cfg()).await,
        probe_kubelet_readonly("127.0.0.1", port, &cfg()).await,
    ] {
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0].id, "probe.timeout", "{findings:#?}");
    }
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "probes must respect their timeouts"
    );
}

#[tokio::test]
async fn garbage_server_is_not_http() {
    let port = garbage_server().await;
    let req = Request {
        method: "GET",
        path: "/version",
        body: None,
        read_body: true,
    };
    let plain = send("127.0.0.1", port, Scheme::Http, &req, &cfg())
        .await
        .unwrap();
    assert!(
        matches!(&plain.exchange, Exchange::NotHttp { first_bytes } if first_bytes.starts_with("SSH-2.0")),
        "{plain:?}"
    );
    let f = probe_kubelet_readonly("127.0.0.1", port, &cfg()).await;
    assert_eq!(f[0].id, "probe.not-http", "{f:#?}");
    let f = probe_etcd("127.0.0.1", port, &cfg()).await;
    assert!(
        f.iter()
            .any(|x| x.id == "probe.not-http" || x.id == "probe.not-tls"),
        "{f:#?}"
    );
    let f = probe_apiserver("127.0.0.1", port, &cfg()).await;
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, "probe.not-tls", "{f:#?}");
}

#[tokio::test]
async fn nothing_listening_is_refused() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let f = probe_kubelet("127.0.0.1", port, &cfg()).await;
    assert_eq!(f[0].id, "probe.unreachable", "{f:#?}");
}

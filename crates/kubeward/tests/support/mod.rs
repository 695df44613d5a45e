//! A `kubeward serve` process and an HTTPS client trusting its CA, shared by the webhook and
//! image admission tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Std, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;

pub fn kubeward() -> Std {
    Std::cargo_bin("kubeward").unwrap()
}

pub fn gen_certs(dir: &Path) {
    let status = kubeward()
        .args(["webhook", "certs", "--service", "kubeward-webhook"])
        .args(["--namespace", "kubeward", "--local", "--out"])
        .arg(dir)
        .status()
        .unwrap();
    assert!(status.success());
    for f in ["ca.crt", "tls.crt", "tls.key"] {
        assert!(dir.join(f).exists(), "{f}");
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Server {
    pub child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Server {
    pub fn start(dir: &Path, certs: &Path, config: &str) -> Server {
        let config_path = dir.join("kubeward.yaml");
        std::fs::write(&config_path, config).unwrap();
        let log = dir.join("server.log");
        let port = free_port();
        let child = kubeward()
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--tls-cert")
            .arg(certs.join("tls.crt"))
            .arg("--tls-key")
            .arg(certs.join("tls.key"))
            .arg("--config")
            .arg(&config_path)
            .args(["--reload-interval", "0.2", "--shutdown-delay", "0"])
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let server = Server { child, port, log };
        let client = Client::new(&[&certs.join("ca.crt")]);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok((200, _)) = client.try_request(port, "GET", "/readyz", "") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "server did not become ready: {}",
                server.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(
            Std::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone)]
pub struct Client {
    config: Arc<rustls::ClientConfig>,
}

impl Client {
    pub fn new(cas: &[&Path]) -> Client {
        let mut roots = rustls::RootCertStore::empty();
        for ca in cas {
            for c in CertificateDer::pem_file_iter(ca).unwrap() {
                roots.add(c.unwrap()).unwrap();
            }
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        Client {
            config: Arc::new(config),
        }
    }

    pub fn try_request(
        &self,
        port: u16,
        method: &str,
        path: &str,
        body: &str,
    ) -> std::io::Result<(u16, String)> {
        let name = ServerName::try_from("127.0.0.1").unwrap();
        let conn = rustls::ClientConnection::new(Arc::clone(&self.config), name)
            .map_err(std::io::Error::other)?;
        let sock = TcpStream::connect(("127.0.0.1", port))?;
        sock.set_read_timeout(Some(Duration::from_secs(20)))?;
        let mut tls = rustls::StreamOwned::new(conn, sock);
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        tls.write_all(head.as_bytes())?;
        // A server that refuses an oversized body answers (413) and closes before the client
        // finished writing it; the answer is still there to read.
        match tls.write_all(body.as_bytes()).and_then(|()| tls.flush()) {
            Ok(()) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
                ) => {}
            Err(e) => return Err(e),
        }
        let mut raw = Vec::new();
        match tls.read_to_end(&mut raw) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => {}
            Err(e) => return Err(e),
        }
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text
            .split_once("\r\n\r\n")
            .ok_or_else(|| std::io::Error::other(format!("no header end: {text}")))?;
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line: {head}")))?;
        assert!(
            !head
                .to_ascii_lowercase()
                .contains("transfer-encoding: chunked"),
            "unexpected chunked response"
        );
        Ok((status, body.to_owned()))
    }

    pub fn request(&self, port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
        self.try_request(port, method, path, body).unwrap()
    }

    pub fn review(&self, port: u16, path: &str, review: &Value) -> Value {
        let (code, body) = self.request(port, "POST", path, &review.to_string());
        assert_eq!(code, 200, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["apiVersion"], "admission.k8s.io/v1");
        assert_eq!(v["kind"], "AdmissionReview");
        assert_eq!(v["response"]["uid"], review["request"]["uid"]);
        v["response"].clone()
    }
}

//! A real etcd on loopback for tests (cargo feature `test-support`): plain HTTP, TLS, or TLS
//! with client-certificate authentication, in a temporary data directory, killed on drop.
//! Shared by this crate's probe tests and the `kubeward probe` end-to-end tests.
//!
//! `etcd` comes from the Debian package `etcd-server` (installed by
//! `scripts/install-test-deps.sh`). [`find_etcd`] applies the project's external-tool rule:
//! missing etcd skips the test, unless `KUBEWARD_REQUIRE_ETCD=1` (CI) makes it fail.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How the test etcd serves clients.
#[derive(Debug, Clone, Copy)]
pub enum EtcdMode<'a> {
    /// Plain HTTP.
    Plain,
    /// TLS with this certificate and key, no client-certificate authentication.
    Tls {
        /// Server certificate (PEM).
        cert: &'a Path,
        /// Server key (PEM).
        key: &'a Path,
    },
    /// TLS that requires a client certificate issued by `ca`.
    TlsClientAuth {
        /// Server certificate (PEM).
        cert: &'a Path,
        /// Server key (PEM).
        key: &'a Path,
        /// CA trusted for client certificates (PEM).
        ca: &'a Path,
    },
}

/// A running etcd, killed (and its data removed) on drop.
#[derive(Debug)]
pub struct TestEtcd {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for TestEtcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port (bound, then released).
///
/// # Errors
/// When no port can be bound.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Whether `KUBEWARD_REQUIRE_ETCD` is set (CI): a missing etcd is then a failure.
#[must_use]
pub fn etcd_required() -> bool {
    std::env::var("KUBEWARD_REQUIRE_ETCD").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// The `etcd` binary on `PATH`. When it is missing: prints `SKIP <test>: …` and returns
/// `None`, or panics when [`etcd_required`] (CI), so the calling test fails.
#[must_use]
#[allow(clippy::panic)] // Test support: failing the calling test loudly is the point.
pub fn find_etcd(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("etcd"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if etcd_required() {
            panic!(
                "KUBEWARD_REQUIRE_ETCD=1 but `etcd` is not on PATH (apt-get install etcd-server)"
            );
        }
        eprintln!("SKIP {test}: `etcd` is not on PATH (apt-get install etcd-server)");
    }
    found
}

impl TestEtcd {
    /// Starts `etcd` in `mode` on free loopback ports and waits (bounded, 10 s) until its
    /// client port accepts connections.
    ///
    /// # Errors
    /// The process cannot start, or does not listen in time (with the tail of its log).
    pub fn start(etcd: &Path, mode: &EtcdMode<'_>) -> Result<TestEtcd, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let port = free_port().map_err(|e| e.to_string())?;
        let peer = free_port().map_err(|e| e.to_string())?;
        let scheme = if matches!(mode, EtcdMode::Plain) {
            "http"
        } else {
            "https"
        };
        let client_url = format!("{scheme}://127.0.0.1:{port}");
        let peer_url = format!("http://127.0.0.1:{peer}");
        let mut cmd = Command::new(etcd);
        cmd.arg("--name=kubeward-test")
            .arg(format!("--data-dir={}", dir.path().join("data").display()))
            .arg(format!("--listen-client-urls={client_url}"))
            .arg(format!("--advertise-client-urls={client_url}"))
            .arg(format!("--listen-peer-urls={peer_url}"))
            .arg(format!("--initial-advertise-peer-urls={peer_url}"))
            .arg(format!("--initial-cluster=kubeward-test={peer_url}"))
            .env("ETCD_UNSUPPORTED_ARCH", std::env::consts::ARCH);
        match mode {
            EtcdMode::Plain => {}
            EtcdMode::Tls { cert, key } => {
                cmd.arg(format!("--cert-file={}", cert.display()))
                    .arg(format!("--key-file={}", key.display()));
            }
            EtcdMode::TlsClientAuth { cert, key, ca } => {
                cmd.arg(format!("--cert-file={}", cert.display()))
                    .arg(format!("--key-file={}", key.display()))
                    .arg("--client-cert-auth=true")
                    .arg(format!("--trusted-ca-file={}", ca.display()));
            }
        }
        let log_path = dir.path().join("etcd.log");
        let log = fs::File::create(&log_path).map_err(|e| e.to_string())?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", etcd.display()))?;
        let etcd = TestEtcd { child, port, dir };
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                // Listening is not serving yet: give the raft loop a moment.
                std::thread::sleep(Duration::from_millis(300));
                return Ok(etcd);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = fs::read_to_string(&log_path).unwrap_or_default();
        Err(format!("etcd did not start listening on {port}:\n{log}"))
    }

    /// The client port on 127.0.0.1.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The temporary directory (data and `etcd.log`).
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

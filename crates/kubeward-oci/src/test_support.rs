//! A real CNCF distribution registry (`docker-registry serve`) for tests
//! (cargo feature `test-support`).
//!
//! [`TestRegistry::start`] writes a config into a temporary directory (filesystem storage there,
//! `http.addr: 127.0.0.1:<free port>`), starts the registry, waits until it answers, and kills it
//! on drop. [`TestRegistry::start_tls`] also generates a CA and a serving certificate for
//! `127.0.0.1`/`localhost` (rcgen) and serves HTTPS; [`TestRegistry::ca_pem`] returns the CA.
//!
//! ```no_run
//! use kubeward_oci::test_support::{TestRegistry, external_tool_required};
//! if external_tool_required("docker-registry") {
//!     let reg = TestRegistry::start().unwrap();
//!     let client = kubeward_oci::RegistryClient::new(reg.client_options()).unwrap();
//!     let r = reg.reference("demo/app:v1").unwrap();
//!     # let _ = (client, r);
//! }
//! ```

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::client::ClientOptions;
use crate::reference::{Reference, ReferenceError};

/// The registry binary (override with `KUBEWARD_REGISTRY_BIN`).
pub const REGISTRY_BIN: &str = "docker-registry";

/// Why a test registry could not start.
#[derive(Debug, thiserror::Error)]
pub enum TestRegistryError {
    /// The binary is not on `PATH`.
    #[error("{0} is not installed")]
    NotInstalled(String),
    /// Filesystem or process error.
    #[error("test registry: {0}")]
    Io(#[from] std::io::Error),
    /// Certificate generation failed.
    #[error("test registry certificates: {0}")]
    Certificates(String),
    /// The registry did not come up; carries the tail of its log.
    #[error("test registry did not start: {0}")]
    NotReady(String),
}

/// A running `docker-registry`, killed (and its storage removed) on drop.
pub struct TestRegistry {
    child: Child,
    addr: String,
    ca_pem: Option<String>,
    dir: tempfile::TempDir,
}

impl std::fmt::Debug for TestRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestRegistry")
            .field("addr", &self.addr)
            .field("tls", &self.ca_pem.is_some())
            .finish()
    }
}

impl TestRegistry {
    /// Starts a plain-HTTP registry on a free loopback port.
    pub fn start() -> Result<TestRegistry, TestRegistryError> {
        Self::start_with_config(false, "")
    }

    /// Starts an HTTPS registry with a fresh CA (see [`TestRegistry::ca_pem`]).
    pub fn start_tls() -> Result<TestRegistry, TestRegistryError> {
        Self::start_with_config(true, "")
    }

    /// Starts a registry (HTTPS when `tls`) with `extra_yaml` appended to the generated config as
    /// top-level keys, e.g. an `auth:` section (`auth: {token: {realm, service, issuer,
    /// rootcertbundle}}`). Readiness accepts `/v2/` answering 200 or 401.
    pub fn start_with_config(
        tls: bool,
        extra_yaml: &str,
    ) -> Result<TestRegistry, TestRegistryError> {
        Self::start_inner(tls, extra_yaml)
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The CA certificate (PEM) that signed the serving certificate, for TLS registries.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Where the registry keeps its data and log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Client options for this registry: plain HTTP allowed (insecure) or the CA trusted.
    pub fn client_options(&self) -> ClientOptions {
        let mut o = ClientOptions::default();
        match &self.ca_pem {
            Some(ca) => o.ca_pem.push(ca.as_bytes().to_vec()),
            None => o.insecure_registries.push(self.addr.clone()),
        }
        o
    }

    /// `addr/<repo_and_tag>` parsed, e.g. `reference("demo/app:v1")`.
    pub fn reference(&self, repo_and_tag: &str) -> Result<Reference, ReferenceError> {
        Reference::parse(&format!("{}/{repo_and_tag}", self.addr))
    }

    fn start_inner(tls: bool, extra_yaml: &str) -> Result<TestRegistry, TestRegistryError> {
        let bin = std::env::var("KUBEWARD_REGISTRY_BIN").unwrap_or_else(|_| REGISTRY_BIN.into());
        if !tool_on_path(&bin) {
            return Err(TestRegistryError::NotInstalled(bin));
        }
        let dir = tempfile::Builder::new()
            .prefix("kubeward-registry-")
            .tempdir()?;
        let ca_pem = if tls {
            Some(write_certificates(dir.path())?)
        } else {
            None
        };
        let mut last = String::new();
        for _attempt in 0..5 {
            let port = free_port()?;
            let addr = format!("127.0.0.1:{port}");
            let config = dir.path().join("config.yml");
            let mut yaml = config_yaml(dir.path(), &addr, tls);
            if !extra_yaml.is_empty() {
                yaml.push_str(extra_yaml);
                if !extra_yaml.ends_with('\n') {
                    yaml.push('\n');
                }
            }
            std::fs::write(&config, yaml)?;
            let log_path = dir.path().join("registry.log");
            let log = File::create(&log_path)?;
            let child = Command::new(&bin)
                .arg("serve")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()?;
            let mut child = child;
            match wait_ready(&mut child, &addr, &log_path, tls) {
                Ok(()) => {
                    return Ok(TestRegistry {
                        child,
                        addr,
                        ca_pem,
                        dir,
                    });
                }
                Err(e) => {
                    last = e;
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
        }
        Err(TestRegistryError::NotReady(last))
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_ready(child: &mut Child, addr_s: &str, log: &Path, tls: bool) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let addr: SocketAddr = addr_s.parse().map_err(|_| "bad address".to_owned())?;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited with {status}: {}", log_tail(log)));
        }
        if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            if tls {
                return Ok(());
            }
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let req = format!("GET /v2/ HTTP/1.0\r\nHost: {addr_s}\r\n\r\n");
            if s.write_all(req.as_bytes()).is_ok() {
                let mut buf = [0u8; 64];
                if let Ok(n) = s.read(&mut buf) {
                    let head = String::from_utf8_lossy(buf.get(..n).unwrap_or_default());
                    if head.starts_with("HTTP/1.")
                        && (head.contains(" 200") || head.contains(" 401"))
                    {
                        return Ok(());
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("no answer within 15 s: {}", log_tail(log)))
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        self.kill();
    }
}

fn config_yaml(dir: &Path, addr: &str, tls: bool) -> String {
    let storage = dir.join("storage");
    let mut y = format!(
        "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n  secret: kubeward-test-secret\n",
        storage.display()
    );
    if tls {
        y.push_str(&format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            dir.join("server.crt").display(),
            dir.join("server.key").display()
        ));
    }
    y
}

/// Generates a CA and a serving certificate for 127.0.0.1 and localhost; writes
/// `server.crt`/`server.key` into `dir`; returns the CA PEM.
fn write_certificates(dir: &Path) -> Result<String, TestRegistryError> {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair,
    };
    let e = |e: rcgen::Error| TestRegistryError::Certificates(e.to_string());
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.distinguished_name
        .push(DnType::CommonName, "kubeward-oci test CA");
    let ca_key = KeyPair::generate().map_err(e)?;
    let issuer = CertifiedIssuer::self_signed(ca, ca_key).map_err(e)?;
    let mut leaf =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).map_err(e)?;
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    let leaf_key = KeyPair::generate().map_err(e)?;
    let cert = leaf.signed_by(&leaf_key, &issuer).map_err(e)?;
    std::fs::write(dir.join("server.crt"), cert.pem())?;
    std::fs::write(dir.join("server.key"), leaf_key.serialize_pem())?;
    Ok(issuer.pem())
}

fn free_port() -> std::io::Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let start = text.len().saturating_sub(2000);
    text.get(start..).unwrap_or_default().trim().to_owned()
}

/// Whether `name` is an executable on `PATH` (or an existing path).
pub fn tool_on_path(name: &str) -> bool {
    if name.contains('/') {
        return Path::new(name).is_file();
    }
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| is_file(d.join(name))))
        .unwrap_or(false)
}

fn is_file(p: PathBuf) -> bool {
    p.is_file()
}

/// The external-tool rule of the project's tests: returns `true` when `tool` is installed.
/// When it is missing, prints `SKIP: <tool> not installed` and returns `false`, unless
/// `KUBEWARD_REQUIRE_EXTERNAL=1` is set (CI): then it panics so the test fails.
#[allow(clippy::panic)] // Test support: failing the calling test loudly is the point.
pub fn external_tool_required(tool: &str) -> bool {
    if tool_on_path(tool) {
        return true;
    }
    if std::env::var("KUBEWARD_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
        panic!("{tool} is not installed and KUBEWARD_REQUIRE_EXTERNAL=1");
    }
    eprintln!("SKIP: {tool} not installed");
    false
}

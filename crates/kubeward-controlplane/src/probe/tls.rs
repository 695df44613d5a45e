//! A TLS client that accepts any server certificate and records what it saw, so that the
//! probe can report facts (self-signed, expired, wrong name) instead of failing the handshake.

use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde::Serialize;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use crate::error::ProbeError;

/// What the server presented and what was negotiated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TlsFacts {
    /// Negotiated protocol (`TLSv1_3`).
    pub version: String,
    /// Negotiated cipher suite.
    pub cipher_suite: String,
    /// Whether the server asked for a client certificate.
    pub client_cert_requested: bool,
    /// Whether a client certificate ([`ClientIdentity`]) was offered to the server.
    pub client_cert_presented: bool,
    /// The server chain verified against the [`CaBundle`], when one was given.
    pub ca_check: Option<CaCheck>,
    /// Facts about the leaf certificate, when one was presented and parsed.
    pub certificate: Option<CertFacts>,
}

/// Facts about a server certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CertFacts {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Subject alternative names (DNS names and IP addresses).
    pub sans: Vec<String>,
    /// Not-before as a Unix timestamp.
    pub not_before: i64,
    /// Not-after as a Unix timestamp.
    pub not_after: i64,
    /// Issuer equals subject and the signature verifies with the certificate's own key.
    pub self_signed: bool,
    /// Past its not-after time.
    pub expired: bool,
    /// Before its not-before time.
    pub not_yet_valid: bool,
    /// Whether the host name or IP that was dialled is covered by the SANs.
    pub name_matches: bool,
}

/// The result of verifying a server's certificate chain against a [`CaBundle`] (webpki).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CaCheck {
    /// The chain leads to a CA of the bundle and is valid now (the host name is checked
    /// separately, see [`CertFacts::name_matches`]).
    Verified,
    /// It does not verify.
    Failed {
        /// Why (the verifier's error).
        reason: String,
    },
}

fn ring() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn pem_error(what: &str, path: Option<&Path>, message: impl std::fmt::Display) -> ProbeError {
    ProbeError::Credentials {
        what: match path {
            Some(p) => format!("{what} {}", p.display()),
            None => what.to_string(),
        },
        message: message.to_string(),
    }
}

fn read_file(what: &str, path: &Path) -> Result<Vec<u8>, ProbeError> {
    std::fs::read(path).map_err(|e| pem_error(what, Some(path), e))
}

/// A client certificate chain and its private key (PEM), offered to servers that ask for a
/// client certificate. `Debug` shows the certificate subject only, never the key.
#[derive(Clone)]
pub struct ClientIdentity {
    key: Arc<CertifiedKey>,
    subject: String,
}

impl ClientIdentity {
    /// Loads a PEM certificate chain (leaf first) and a PEM private key (PKCS#8, PKCS#1 or
    /// SEC1), and checks that the key belongs to the leaf certificate.
    ///
    /// # Errors
    /// [`ProbeError::Credentials`] when the PEM holds no certificate or key, cannot be parsed,
    /// the key type is unsupported, or the key does not match the certificate.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Self, ProbeError> {
        Self::load(cert_pem, key_pem, None, None)
    }

    /// [`ClientIdentity::from_pem`] on the contents of two files (errors name the file).
    ///
    /// # Errors
    /// As [`ClientIdentity::from_pem`], and when a file cannot be read.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Self, ProbeError> {
        let cert_pem = read_file("--cert", cert)?;
        let key_pem = read_file("--key", key)?;
        Self::load(&cert_pem, &key_pem, Some(cert), Some(key))
    }

    fn load(
        cert_pem: &[u8],
        key_pem: &[u8],
        cert_path: Option<&Path>,
        key_path: Option<&Path>,
    ) -> Result<Self, ProbeError> {
        let chain = CertificateDer::pem_slice_iter(cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| pem_error("--cert", cert_path, e))?;
        let Some(leaf) = chain.first() else {
            return Err(pem_error("--cert", cert_path, "no PEM certificate found"));
        };
        let subject = X509Certificate::from_der(leaf.as_ref())
            .map(|(_, c)| c.subject().to_string())
            .map_err(|e| pem_error("--cert", cert_path, e))?;
        // Never echo the parser's view of the key: only that it could not be read.
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| {
            pem_error(
                "--key",
                key_path,
                match e {
                    rustls::pki_types::pem::Error::NoItemsFound => "no PEM private key found",
                    _ => "not a valid PEM private key",
                },
            )
        })?;
        let certified = CertifiedKey::from_der(chain, key, &ring()).map_err(|e| {
            pem_error(
                "--key",
                key_path,
                format!("cannot be used with the --cert certificate: {e}"),
            )
        })?;
        Ok(Self {
            key: Arc::new(certified),
            subject,
        })
    }

    /// Subject of the leaf certificate.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("subject", &self.subject)
            .field("chain_len", &self.key.cert.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl PartialEq for ClientIdentity {
    fn eq(&self, other: &Self) -> bool {
        self.key.cert == other.key.cert
    }
}

impl Eq for ClientIdentity {}

/// CA certificates (PEM) that server certificate chains are verified against, with the
/// webpki verifier of rustls (ring provider).
#[derive(Clone)]
pub struct CaBundle {
    verifier: Arc<WebPkiServerVerifier>,
    certs: Vec<CertificateDer<'static>>,
    subjects: Vec<String>,
}

impl CaBundle {
    /// Loads every `CERTIFICATE` of a PEM bundle as a trust anchor.
    ///
    /// # Errors
    /// [`ProbeError::Credentials`] when the bundle holds no certificate or one is invalid.
    pub fn from_pem(pem: &[u8]) -> Result<Self, ProbeError> {
        Self::load(pem, None)
    }

    /// [`CaBundle::from_pem`] on the contents of a file (errors name the file).
    ///
    /// # Errors
    /// As [`CaBundle::from_pem`], and when the file cannot be read.
    pub fn from_pem_file(path: &Path) -> Result<Self, ProbeError> {
        let pem = read_file("--cacert", path)?;
        Self::load(&pem, Some(path))
    }

    fn load(pem: &[u8], path: Option<&Path>) -> Result<Self, ProbeError> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| pem_error("--cacert", path, e))?;
        if certs.is_empty() {
            return Err(pem_error("--cacert", path, "no PEM certificate found"));
        }
        let mut roots = RootCertStore::empty();
        let mut subjects = Vec::new();
        for c in &certs {
            let (_, parsed) = X509Certificate::from_der(c.as_ref())
                .map_err(|e| pem_error("--cacert", path, e))?;
            subjects.push(parsed.subject().to_string());
            roots
                .add(c.clone())
                .map_err(|e| pem_error("--cacert", path, e))?;
        }
        let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), ring())
            .build()
            .map_err(|e| pem_error("--cacert", path, e))?;
        Ok(Self {
            verifier,
            certs,
            subjects,
        })
    }

    /// Subjects of the CA certificates.
    #[must_use]
    pub fn subjects(&self) -> &[String] {
        &self.subjects
    }
}

impl std::fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaBundle")
            .field("subjects", &self.subjects)
            .finish()
    }
}

impl PartialEq for CaBundle {
    fn eq(&self, other: &Self) -> bool {
        self.certs == other.certs
    }
}

impl Eq for CaBundle {}

/// Checks whether `host` (a DNS name or IP literal) is covered by the SANs of a certificate.
#[must_use]
pub fn name_matches(host: &str, sans: &[String]) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return sans
            .iter()
            .any(|s| s.strip_prefix("IP:").and_then(|v| v.parse::<IpAddr>().ok()) == Some(ip));
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    sans.iter()
        .filter_map(|s| s.strip_prefix("DNS:"))
        .any(|pat| {
            let pat = pat.trim_end_matches('.').to_ascii_lowercase();
            match pat.strip_prefix("*.") {
                // A wildcard covers exactly one label.
                Some(suffix) => host
                    .split_once('.')
                    .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix),
                None => pat == host,
            }
        })
}

/// Parses a DER certificate into [`CertFacts`] (`now` is a Unix timestamp).
#[must_use]
pub fn cert_facts(der: &[u8], host: &str, now: i64) -> Option<CertFacts> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        for name in &ext.value.general_names {
            match name {
                GeneralName::DNSName(d) => sans.push(format!("DNS:{d}")),
                GeneralName::IPAddress(bytes) => {
                    let ip = match bytes.len() {
                        4 => <[u8; 4]>::try_from(*bytes)
                            .ok()
                            .map(|b| IpAddr::from(b).to_string()),
                        16 => <[u8; 16]>::try_from(*bytes)
                            .ok()
                            .map(|b| IpAddr::from(b).to_string()),
                        _ => None,
                    };
                    if let Some(ip) = ip {
                        sans.push(format!("IP:{ip}"));
                    }
                }
                _ => {}
            }
        }
    }
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    let self_signed =
        cert.subject().as_raw() == cert.issuer().as_raw() && cert.verify_signature(None).is_ok();
    let not_before = cert.validity().not_before.timestamp();
    let not_after = cert.validity().not_after.timestamp();
    let name_ok = name_matches(host, &sans);
    Some(CertFacts {
        subject,
        issuer,
        sans,
        not_before,
        not_after,
        self_signed,
        expired: now > not_after,
        not_yet_valid: now < not_before,
        name_matches: name_ok,
    })
}

/// Records the server's certificates and accepts them; with a CA bundle, also records
/// whether the chain verifies against it.
#[derive(Debug)]
pub(crate) struct RecordingVerifier {
    pub seen: Mutex<Vec<CertificateDer<'static>>>,
    pub ca_check: Mutex<Option<CaCheck>>,
    ca: Option<Arc<WebPkiServerVerifier>>,
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.clear();
            seen.push(end_entity.clone().into_owned());
            seen.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        }
        if let Some(ca) = &self.ca {
            let verdict =
                match ca.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
                    Ok(_) => CaCheck::Verified,
                    // webpki checks the name only after the chain verified; a wrong name is
                    // its own finding.
                    Err(rustls::Error::InvalidCertificate(
                        CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. },
                    )) => CaCheck::Verified,
                    Err(e) => CaCheck::Failed {
                        reason: e.to_string(),
                    },
                };
            if let Ok(mut c) = self.ca_check.lock() {
                *c = Some(verdict);
            }
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

/// Notes that the server asked for a client certificate, and offers the identity if any
/// (what `ClientConfig::with_client_auth_cert` does, plus the note).
#[derive(Debug, Default)]
pub(crate) struct ClientCert {
    pub asked: Mutex<bool>,
    pub presented: Mutex<bool>,
    identity: Option<Arc<CertifiedKey>>,
}

impl ResolvesClientCert for ClientCert {
    fn resolve(&self, _hints: &[&[u8]], _schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        if let Ok(mut a) = self.asked.lock() {
            *a = true;
        }
        let offered = self.identity.clone();
        if offered.is_some()
            && let Ok(mut p) = self.presented.lock()
        {
            *p = true;
        }
        offered
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// A client configuration for one probe connection.
pub(crate) struct ProbeTls {
    pub config: Arc<rustls::ClientConfig>,
    pub verifier: Arc<RecordingVerifier>,
    pub client_cert: Arc<ClientCert>,
}

pub(crate) fn client(
    alpn_http1: bool,
    identity: Option<&ClientIdentity>,
    ca: Option<&CaBundle>,
) -> Result<ProbeTls, rustls::Error> {
    let provider = ring();
    let verifier = Arc::new(RecordingVerifier {
        seen: Mutex::new(Vec::new()),
        ca_check: Mutex::new(None),
        ca: ca.map(|c| Arc::clone(&c.verifier)),
        algs: provider.signature_verification_algorithms,
    });
    let client_cert = Arc::new(ClientCert {
        identity: identity.map(|i| Arc::clone(&i.key)),
        ..ClientCert::default()
    });
    let mut config =
        rustls::ClientConfig::builder_with_provider(Arc::clone(&provider) as Arc<CryptoProvider>)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::clone(&verifier) as Arc<dyn ServerCertVerifier>)
            .with_client_cert_resolver(Arc::clone(&client_cert) as Arc<dyn ResolvesClientCert>);
    if alpn_http1 {
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
    }
    Ok(ProbeTls {
        config: Arc::new(config),
        verifier,
        client_cert,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let sans = vec![
            "DNS:*.example.com".to_string(),
            "DNS:kubernetes".to_string(),
            "IP:10.96.0.1".to_string(),
        ];
        assert!(name_matches("api.example.com", &sans));
        assert!(!name_matches("a.b.example.com", &sans));
        assert!(!name_matches("example.com", &sans));
        assert!(name_matches("KUBERNETES", &sans));
        assert!(name_matches("10.96.0.1", &sans));
        assert!(!name_matches("127.0.0.1", &sans));
    }

    fn ca(cn: &str) -> rcgen::CertifiedIssuer<'static, rcgen::KeyPair> {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap()).unwrap()
    }

    fn leaf(
        issuer: &rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
        cn: &str,
    ) -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        let cert = params.signed_by(&key, issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn client_identity_loads_and_never_shows_the_key() {
        let ca = ca("test-ca");
        let (cert, key) = leaf(&ca, "kube-apiserver-etcd-client");
        let id = ClientIdentity::from_pem(cert.as_bytes(), key.as_bytes()).unwrap();
        assert!(id.subject().contains("kube-apiserver-etcd-client"));
        let shown = format!("{id:?}");
        assert!(shown.contains("<redacted>"), "{shown}");
        let body = key.lines().nth(1).unwrap();
        assert!(!shown.contains(body), "{shown}");
        assert_eq!(id, id.clone());
    }

    #[test]
    fn client_identity_errors() {
        let ca = ca("test-ca");
        let (cert, key) = leaf(&ca, "a");
        let (_, other_key) = leaf(&ca, "b");
        let err = |c: &str, k: &str| {
            ClientIdentity::from_pem(c.as_bytes(), k.as_bytes())
                .unwrap_err()
                .to_string()
        };
        assert!(
            err("", &key).contains("no PEM certificate"),
            "{}",
            err("", &key)
        );
        assert!(
            err(&cert, "").contains("no PEM private key"),
            "{}",
            err(&cert, "")
        );
        // A key that belongs to another certificate.
        let mismatch = err(&cert, &other_key);
        assert!(
            mismatch.contains("cannot be used with the --cert certificate"),
            "{mismatch}"
        );
        // A corrupt key: the message never quotes it.
        let corrupt = key.replace("-----END PRIVATE KEY-----", "");
        let shown = err(&cert, &corrupt);
        assert!(shown.contains("--key"), "{shown}");
        assert!(!shown.contains(key.lines().nth(1).unwrap()), "{shown}");
        // Files: a missing file is named.
        let missing = ClientIdentity::from_pem_files(
            Path::new("/nonexistent/c.pem"),
            Path::new("/nonexistent/k.pem"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            missing.starts_with("--cert /nonexistent/c.pem"),
            "{missing}"
        );
    }

    #[test]
    fn ca_bundle_verifies_chains() {
        let ca1 = ca("ca-one");
        let ca2 = ca("ca-two");
        let bundle = CaBundle::from_pem(format!("{}{}", ca1.pem(), ca2.pem()).as_bytes()).unwrap();
        assert_eq!(bundle.subjects(), ["CN=ca-one", "CN=ca-two"]);
        assert!(
            CaBundle::from_pem(b"")
                .unwrap_err()
                .to_string()
                .contains("no PEM certificate")
        );
        assert!(
            CaBundle::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                .is_err()
        );

        let only_one = CaBundle::from_pem(ca1.pem().as_bytes()).unwrap();
        let (good, _) = leaf(&ca1, "server");
        let (stranger, _) = leaf(&ca2, "server");
        let check = |pem: &str, name: &str| {
            let der = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
            let t = client(true, None, Some(&only_one)).unwrap();
            let name = ServerName::try_from(name.to_string()).unwrap();
            t.verifier
                .verify_server_cert(&der, &[], &name, &[], UnixTime::now())
                .unwrap();
            t.verifier.ca_check.lock().unwrap().clone()
        };
        assert_eq!(check(&good, "127.0.0.1"), Some(CaCheck::Verified));
        // The wrong name is its own finding: the chain still verifies.
        assert_eq!(check(&good, "10.0.0.9"), Some(CaCheck::Verified));
        match check(&stranger, "127.0.0.1") {
            Some(CaCheck::Failed { reason }) => {
                assert!(reason.contains("UnknownIssuer"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        // Without a bundle nothing is checked.
        let t = client(true, None, None).unwrap();
        let der = CertificateDer::from_pem_slice(stranger.as_bytes()).unwrap();
        let name = ServerName::try_from("127.0.0.1".to_string()).unwrap();
        t.verifier
            .verify_server_cert(&der, &[], &name, &[], UnixTime::now())
            .unwrap();
        assert_eq!(*t.verifier.ca_check.lock().unwrap(), None);
    }
}

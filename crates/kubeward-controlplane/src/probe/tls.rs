//! A TLS client that accepts any server certificate and records what it saw, so that the
//! probe can report facts (self-signed, expired, wrong name) instead of failing the handshake.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use rustls::client::ResolvesClientCert;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

/// What the server presented and what was negotiated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TlsFacts {
    /// Negotiated protocol (`TLSv1_3`).
    pub version: String,
    /// Negotiated cipher suite.
    pub cipher_suite: String,
    /// Whether the server asked for a client certificate.
    pub client_cert_requested: bool,
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

/// Records the server's certificates and accepts them.
#[derive(Debug)]
pub(crate) struct RecordingVerifier {
    pub seen: Mutex<Vec<CertificateDer<'static>>>,
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.clear();
            seen.push(end_entity.clone().into_owned());
            seen.extend(intermediates.iter().map(|c| c.clone().into_owned()));
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

/// Notes that the server asked for a client certificate, and offers none.
#[derive(Debug, Default)]
pub(crate) struct NoClientCert {
    pub asked: Mutex<bool>,
}

impl ResolvesClientCert for NoClientCert {
    fn resolve(
        &self,
        _hints: &[&[u8]],
        _schemes: &[SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        if let Ok(mut a) = self.asked.lock() {
            *a = true;
        }
        None
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// A client configuration for one probe connection.
pub(crate) struct ProbeTls {
    pub config: Arc<rustls::ClientConfig>,
    pub verifier: Arc<RecordingVerifier>,
    pub client_cert: Arc<NoClientCert>,
}

pub(crate) fn client(alpn_http1: bool) -> Result<ProbeTls, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(RecordingVerifier {
        seen: Mutex::new(Vec::new()),
        algs: provider.signature_verification_algorithms,
    });
    let client_cert = Arc::new(NoClientCert::default());
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
}

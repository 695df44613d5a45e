//! TLS: rustls with the ring provider only, TLS 1.2 and 1.3, certificate chain and key from
//! PEM files. [`TlsFiles`] remembers what it loaded so a poller can tell when the files
//! changed (Kubernetes Secret volumes swap a `..data` symlink, which path watchers miss, so
//! contents are compared, not events). Connections already open keep their session; new
//! handshakes use the new certificate, so a rotation drops no request.
//!
//! ```
//! use kubeward_webhook::{certs, tls};
//! let set = certs::generate("kubeward-webhook", "kubeward", true, 30).unwrap();
//! let config = tls::server_config(set.tls_crt.as_bytes(), set.tls_key.as_bytes()).unwrap();
//! assert_eq!(config.alpn_protocols[0], b"h2");
//! // A key that does not belong to the certificate is refused.
//! let other = certs::generate("x", "y", false, 30).unwrap();
//! assert!(tls::server_config(set.tls_crt.as_bytes(), other.tls_key.as_bytes()).is_err());
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Why certificates could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The certificate file holds no PEM certificate, or a bad one.
    #[error("{path}: no usable PEM certificate ({message})")]
    Certificate {
        /// The file.
        path: PathBuf,
        /// Details.
        message: String,
    },
    /// The key file holds no PEM private key.
    #[error("{path}: no usable PEM private key ({message})")]
    Key {
        /// The file.
        path: PathBuf,
        /// Details.
        message: String,
    },
    /// rustls refused the pair (e.g. the key does not match the certificate).
    #[error("certificate and key rejected: {0}")]
    Rustls(#[from] rustls::Error),
}

/// A rustls server configuration (ring provider, TLS 1.3 and 1.2, ALPN `h2`, `http/1.1`)
/// from PEM certificate chain and key.
///
/// # Errors
/// [`TlsError`] when the PEM holds no certificate or key, or they do not match.
pub fn server_config(cert_pem: &[u8], key_pem: &[u8]) -> Result<ServerConfig, TlsError> {
    build(
        cert_pem,
        key_pem,
        Path::new("<certificate>"),
        Path::new("<key>"),
    )
}

fn build(
    cert_pem: &[u8],
    key_pem: &[u8],
    cert_path: &Path,
    key_path: &Path,
) -> Result<ServerConfig, TlsError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::Certificate {
            path: cert_path.to_path_buf(),
            message: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::Certificate {
            path: cert_path.to_path_buf(),
            message: "no CERTIFICATE block".to_owned(),
        });
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| TlsError::Key {
        path: key_path.to_path_buf(),
        message: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The certificate and key files, and the contents last loaded from them.
#[derive(Debug)]
pub struct TlsFiles {
    cert: PathBuf,
    key: PathBuf,
    loaded: (Vec<u8>, Vec<u8>),
}

impl TlsFiles {
    /// Loads the pair once.
    ///
    /// # Errors
    /// [`TlsError`] when a file is unreadable or the pair is unusable.
    pub fn load(cert: &Path, key: &Path) -> Result<(TlsFiles, ServerConfig), TlsError> {
        let contents = read_pair(cert, key)?;
        let config = build(&contents.0, &contents.1, cert, key)?;
        Ok((
            TlsFiles {
                cert: cert.to_path_buf(),
                key: key.to_path_buf(),
                loaded: contents,
            },
            config,
        ))
    }

    /// Re-reads the files: `Ok(None)` when unchanged, `Ok(Some(config))` when changed and
    /// usable, an error when changed but unusable (e.g. only one of the two files written
    /// yet; the next poll tries again and the old certificate stays in use meanwhile).
    ///
    /// # Errors
    /// [`TlsError`] for unreadable or mismatched files.
    pub fn poll(&mut self) -> Result<Option<ServerConfig>, TlsError> {
        let contents = read_pair(&self.cert, &self.key)?;
        if contents == self.loaded {
            return Ok(None);
        }
        let config = build(&contents.0, &contents.1, &self.cert, &self.key)?;
        self.loaded = contents;
        Ok(Some(config))
    }
}

fn read_pair(cert: &Path, key: &Path) -> Result<(Vec<u8>, Vec<u8>), TlsError> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|source| TlsError::Read {
            path: p.to_path_buf(),
            source,
        })
    };
    Ok((read(cert)?, read(key)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs;

    #[test]
    fn poll_detects_changes_and_keeps_old_on_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let a = certs::generate("s", "n", true, 30).unwrap();
        let b = certs::generate("s", "n", true, 30).unwrap();
        let (c, k) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
        std::fs::write(&c, &a.tls_crt).unwrap();
        std::fs::write(&k, &a.tls_key).unwrap();
        let (mut files, _) = TlsFiles::load(&c, &k).unwrap();
        assert!(files.poll().unwrap().is_none());
        // Half-written rotation: new cert, old key.
        std::fs::write(&c, &b.tls_crt).unwrap();
        assert!(files.poll().is_err());
        std::fs::write(&k, &b.tls_key).unwrap();
        assert!(files.poll().unwrap().is_some());
        assert!(files.poll().unwrap().is_none());
    }

    #[test]
    fn empty_files_are_errors() {
        assert!(matches!(
            server_config(b"", b""),
            Err(TlsError::Certificate { .. })
        ));
    }
}

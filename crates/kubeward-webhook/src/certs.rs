//! Certificates for the webhook (rcgen, ECDSA P-256): a CA and a serving certificate for the
//! Service's DNS names. The CA's private key is not kept: rotating means generating a new
//! set and updating the `caBundle` with it.
//!
//! ```
//! let set = kubeward_webhook::certs::generate("kubeward-webhook", "kubeward", false, 365).unwrap();
//! assert!(set.ca_crt.starts_with("-----BEGIN CERTIFICATE-----"));
//! assert_eq!(set.dns_names, vec![
//!     "kubeward-webhook", "kubeward-webhook.kubeward", "kubeward-webhook.kubeward.svc",
//!     "kubeward-webhook.kubeward.svc.cluster.local",
//! ]);
//! ```

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};

/// A generated CA and serving certificate, PEM encoded.
#[derive(Debug, Clone)]
pub struct CertSet {
    /// The CA certificate (`ca.crt`, the `caBundle`).
    pub ca_crt: String,
    /// The serving certificate (`tls.crt`).
    pub tls_crt: String,
    /// The serving key (`tls.key`, PKCS#8).
    pub tls_key: String,
    /// The names in the serving certificate.
    pub dns_names: Vec<String>,
}

/// Why certificates could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// rcgen failed.
    #[error("certificate generation failed: {0}")]
    Rcgen(#[from] rcgen::Error),
    /// A name is not usable.
    #[error("invalid {what} `{value}`: must be a DNS label (lowercase letters, digits, `-`)")]
    Name {
        /// Which argument.
        what: &'static str,
        /// Its value.
        value: String,
    },
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Today (UTC) as (year, month, day), from the system clock.
fn today() -> (i32, u8, u8) {
    let t = kubeward_rules::today_utc();
    let part = |r: std::ops::Range<usize>| t.get(r).and_then(|s| s.parse::<i32>().ok());
    match (part(0..4), part(5..7), part(8..10)) {
        (Some(y), Some(m), Some(d)) => (
            y,
            u8::try_from(m).unwrap_or(1),
            u8::try_from(d).unwrap_or(1),
        ),
        _ => (2025, 1, 1),
    }
}

/// Generates a CA (valid 10 years) and a serving certificate (valid `days`) for
/// `service.namespace.svc` and its shorter and longer forms; `local` adds `localhost` and
/// `127.0.0.1` for running outside the cluster.
///
/// # Errors
/// [`CertError`] for names that are not DNS labels or a generation failure.
pub fn generate(
    service: &str,
    namespace: &str,
    local: bool,
    days: u32,
) -> Result<CertSet, CertError> {
    for (what, value) in [("service", service), ("namespace", namespace)] {
        if !is_dns_label(value) {
            return Err(CertError::Name {
                what,
                value: value.to_owned(),
            });
        }
    }
    let (y, m, d) = today();
    let start = rcgen::date_time_ymd(y, m, d) - time::Duration::days(1);

    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.distinguished_name = DistinguishedName::new();
    ca.distinguished_name.push(
        DnType::CommonName,
        format!("kubeward webhook CA ({namespace})"),
    );
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.not_before = start;
    ca.not_after = start + time::Duration::days(3650);
    let ca_key = KeyPair::generate()?;
    let issuer = CertifiedIssuer::self_signed(ca, ca_key)?;

    let mut names = vec![
        service.to_owned(),
        format!("{service}.{namespace}"),
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.cluster.local"),
    ];
    let dns_names = names.clone();
    if local {
        names.push("localhost".to_owned());
        names.push("127.0.0.1".to_owned());
    }
    let mut leaf = CertificateParams::new(names)?;
    leaf.distinguished_name = DistinguishedName::new();
    leaf.distinguished_name
        .push(DnType::CommonName, format!("{service}.{namespace}.svc"));
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.not_before = start;
    leaf.not_after = start + time::Duration::days(i64::from(days.max(1)) + 1);
    let leaf_key = KeyPair::generate()?;
    let cert = leaf.signed_by(&leaf_key, &issuer)?;
    Ok(CertSet {
        ca_crt: issuer.pem(),
        tls_crt: cert.pem(),
        tls_key: leaf_key.serialize_pem(),
        dns_names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_names() {
        assert!(generate("Bad_Name", "ns", false, 1).is_err());
        assert!(generate("svc", "", false, 1).is_err());
    }

    #[test]
    fn local_adds_loopback_and_chain_verifies() {
        let set = generate("svc", "ns", true, 1).unwrap();
        // The serving certificate validates against the CA for 127.0.0.1 and the service name.
        use rustls::client::danger::ServerCertVerifier;
        let mut roots = rustls::RootCertStore::empty();
        use rustls::pki_types::pem::PemObject;
        for c in rustls::pki_types::CertificateDer::pem_slice_iter(set.ca_crt.as_bytes()) {
            roots.add(c.unwrap()).unwrap();
        }
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            std::sync::Arc::new(roots),
            std::sync::Arc::new(rustls::crypto::ring::default_provider()),
        )
        .build()
        .unwrap();
        let leaf =
            rustls::pki_types::CertificateDer::from_pem_slice(set.tls_crt.as_bytes()).unwrap();
        let now = rustls::pki_types::UnixTime::now();
        for name in [
            "127.0.0.1",
            "localhost",
            "svc.ns.svc",
            "svc.ns.svc.cluster.local",
        ] {
            let sn = rustls::pki_types::ServerName::try_from(name).unwrap();
            verifier
                .verify_server_cert(&leaf, &[], &sn, &[], now)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let sn = rustls::pki_types::ServerName::try_from("other.ns.svc").unwrap();
        assert!(
            verifier
                .verify_server_cert(&leaf, &[], &sn, &[], now)
                .is_err()
        );
    }
}

//! Public keys (verification) and the ECDSA P-256 signing key.

use std::fmt;

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _, UnparsedPublicKey, VerificationAlgorithm};

use crate::der::{self, oid};
use crate::{pem, sha256_digest};

/// A key could not be parsed or used. Messages never contain key material; at most a key id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// No PEM block in the input.
    #[error("the key is not PEM: no `-----BEGIN …-----` / `-----END …-----` block was found")]
    NotPem,
    /// A private key was given where a public key is expected.
    #[error(
        "a private key (PEM `{label}`) was given where a public key is expected; pass the public key (cosign.pub)"
    )]
    PrivateKeyGiven {
        /// The PEM label found.
        label: String,
    },
    /// A certificate was given where a public key is expected.
    #[error(
        "a certificate (PEM `CERTIFICATE`) was given where a public key is expected; extract its key with `openssl x509 -pubkey -noout`"
    )]
    CertificateGiven,
    /// A PEM block of another kind.
    #[error(
        "PEM block `{label}` is not a public key; expected `PUBLIC KEY` (PKIX) or `RSA PUBLIC KEY` (PKCS#1), as cosign accepts"
    )]
    UnexpectedPemLabel {
        /// The PEM label found.
        label: String,
    },
    /// The DER structure is malformed.
    #[error("malformed public key: {0}")]
    Malformed(String),
    /// A key algorithm cosign or this crate cannot verify with.
    #[error("unsupported key algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// An elliptic curve ring does not implement.
    #[error("unsupported elliptic curve {0}: only P-256 and P-384 are supported")]
    UnsupportedCurve(String),
    /// RSA modulus outside 2048..=8192 bits.
    #[error("RSA key of {bits} bits is not supported: the modulus must be 2048 to 8192 bits")]
    RsaKeySize {
        /// Modulus size.
        bits: usize,
    },
    /// The key type cannot be combined with the requested digest.
    #[error("{key} keys cannot verify with {digest}")]
    DigestNotSupported {
        /// Key type.
        key: &'static str,
        /// Requested digest.
        digest: &'static str,
    },
    /// RSA-PSS requested for a non-RSA key.
    #[error("RSA-PSS applies to RSA keys only, this key is {0}")]
    NotRsa(&'static str),
    /// The private key is unusable.
    #[error("invalid private key: {0}")]
    InvalidPrivateKey(String),
    /// Cosign's own encrypted private key format.
    #[error(
        "encrypted cosign private keys (`{0}`) are not supported; export an unencrypted PKCS#8 P-256 key"
    )]
    EncryptedCosignKey(String),
    /// The password does not decrypt the key (or the file was altered).
    #[error("the password does not decrypt this cosign private key (or the key file is corrupted)")]
    WrongPassword,
    /// The random generator or the signer failed.
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),
}

/// The digest cosign hashes the payload with (`cosign verify --signature-digest-algorithm`,
/// default `sha256` for every key type). `sha224` is not offered: ring lacks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum SignatureDigest {
    /// SHA-256, cosign's default.
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl SignatureDigest {
    /// Lower-case name as cosign's flag spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureDigest::Sha256 => "sha256",
            SignatureDigest::Sha384 => "sha384",
            SignatureDigest::Sha512 => "sha512",
        }
    }
}

/// The signature scheme a [`PublicKey`] verifies with.
///
/// Cosign hashes with SHA-256 whatever the key (`LoadPublicKey` hard-codes
/// `crypto.SHA256`; `--signature-digest-algorithm` defaults to `sha256`), so a P-384 key
/// parsed by [`PublicKey::from_pem`] is [`KeyAlgorithm::EcdsaP384Sha256`], and RSA keys use
/// PKCS#1 v1.5 (`signature.LoadVerifier`); PSS is opt-in ([`PublicKey::with_rsa_pss`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// ECDSA P-256, SHA-256, ASN.1 DER signature (cosign's default key).
    EcdsaP256Sha256,
    /// ECDSA P-256, SHA-384.
    EcdsaP256Sha384,
    /// ECDSA P-384, SHA-256 (cosign's default digest).
    EcdsaP384Sha256,
    /// ECDSA P-384, SHA-384.
    EcdsaP384Sha384,
    /// RSA PKCS#1 v1.5, SHA-256 (cosign's default for RSA).
    RsaPkcs1Sha256,
    /// RSA PKCS#1 v1.5, SHA-384.
    RsaPkcs1Sha384,
    /// RSA PKCS#1 v1.5, SHA-512.
    RsaPkcs1Sha512,
    /// RSA-PSS, SHA-256, salt length = 32.
    RsaPssSha256,
    /// RSA-PSS, SHA-384, salt length = 48.
    RsaPssSha384,
    /// RSA-PSS, SHA-512, salt length = 64.
    RsaPssSha512,
    /// Ed25519 (pure, over the payload bytes).
    Ed25519,
}

impl KeyAlgorithm {
    /// Stable kebab-case name for reports, e.g. `ecdsa-p256-sha256`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            KeyAlgorithm::EcdsaP256Sha384 => "ecdsa-p256-sha384",
            KeyAlgorithm::EcdsaP384Sha256 => "ecdsa-p384-sha256",
            KeyAlgorithm::EcdsaP384Sha384 => "ecdsa-p384-sha384",
            KeyAlgorithm::RsaPkcs1Sha256 => "rsa-pkcs1v15-sha256",
            KeyAlgorithm::RsaPkcs1Sha384 => "rsa-pkcs1v15-sha384",
            KeyAlgorithm::RsaPkcs1Sha512 => "rsa-pkcs1v15-sha512",
            KeyAlgorithm::RsaPssSha256 => "rsa-pss-sha256",
            KeyAlgorithm::RsaPssSha384 => "rsa-pss-sha384",
            KeyAlgorithm::RsaPssSha512 => "rsa-pss-sha512",
            KeyAlgorithm::Ed25519 => "ed25519",
        }
    }

    fn ring(self) -> &'static dyn VerificationAlgorithm {
        match self {
            KeyAlgorithm::EcdsaP256Sha256 => &signature::ECDSA_P256_SHA256_ASN1,
            KeyAlgorithm::EcdsaP256Sha384 => &signature::ECDSA_P256_SHA384_ASN1,
            KeyAlgorithm::EcdsaP384Sha256 => &signature::ECDSA_P384_SHA256_ASN1,
            KeyAlgorithm::EcdsaP384Sha384 => &signature::ECDSA_P384_SHA384_ASN1,
            KeyAlgorithm::RsaPkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            KeyAlgorithm::RsaPkcs1Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            KeyAlgorithm::RsaPkcs1Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            KeyAlgorithm::RsaPssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
            KeyAlgorithm::RsaPssSha384 => &signature::RSA_PSS_2048_8192_SHA384,
            KeyAlgorithm::RsaPssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
            KeyAlgorithm::Ed25519 => &signature::ED25519,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Key family, independent of the digest chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    P256,
    P384,
    Rsa,
    Ed25519,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::P256 => "ECDSA P-256",
            Family::P384 => "ECDSA P-384",
            Family::Rsa => "RSA",
            Family::Ed25519 => "Ed25519",
        }
    }
}

/// A parsed verification key.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    family: Family,
    algorithm: KeyAlgorithm,
    /// Canonical SubjectPublicKeyInfo DER (also for PKCS#1 input).
    spki: Vec<u8>,
    /// The bytes ring verifies with: EC point, PKCS#1 RSAPublicKey or raw Ed25519 key.
    ring_key: Vec<u8>,
    key_id: String,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .finish()
    }
}

impl PublicKey {
    /// Parses a PEM public key as cosign does (`cryptoutils.UnmarshalPEMToPublicKey`): the
    /// first PEM block must be `PUBLIC KEY` (PKIX SubjectPublicKeyInfo) or `RSA PUBLIC KEY`
    /// (PKCS#1). `EC PUBLIC KEY` is not a label cosign accepts, so neither do we.
    pub fn from_pem(pem: &[u8]) -> Result<PublicKey, KeyError> {
        let block = pem::first_block(pem).ok_or(KeyError::NotPem)?;
        match block.label.as_str() {
            "PUBLIC KEY" => PublicKey::from_spki_der(&block.der),
            "RSA PUBLIC KEY" => PublicKey::from_pkcs1_rsa_der(&block.der),
            "CERTIFICATE" => Err(KeyError::CertificateGiven),
            label
                if label.starts_with("ENCRYPTED SIGSTORE")
                    || label.starts_with("ENCRYPTED COSIGN") =>
            {
                Err(KeyError::PrivateKeyGiven {
                    label: label.to_string(),
                })
            }
            label if label.contains("PRIVATE KEY") => Err(KeyError::PrivateKeyGiven {
                label: label.to_string(),
            }),
            label => Err(KeyError::UnexpectedPemLabel {
                label: label.to_string(),
            }),
        }
    }

    /// The subject public key of a DER X.509 certificate (for instance the leaf in a Sigstore
    /// bundle's `verificationMaterial.certificate.rawBytes`), parsed like
    /// [`PublicKey::from_spki_der`]. Only the structure up to `subjectPublicKeyInfo` is
    /// read: the certificate's signature, validity, extensions and chain are NOT checked, so
    /// use this only to pin a key you already trust (not for keyless verification).
    pub fn from_certificate_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let malformed = |what: &str| KeyError::Malformed(what.to_string());
        let (cert_body, trailing) = der::expect(der, der::TAG_SEQUENCE)
            .ok_or_else(|| malformed("not a DER certificate SEQUENCE"))?;
        if !trailing.is_empty() {
            return Err(malformed("trailing data after the certificate"));
        }
        let (tbs, _) = der::expect(cert_body, der::TAG_SEQUENCE)
            .ok_or_else(|| malformed("missing TBSCertificate"))?;
        let mut rest = tbs;
        // [0] EXPLICIT version, optional.
        if rest.first() == Some(&0xa0) {
            let (_, _, after) =
                der::read_tlv(rest).ok_or_else(|| malformed("malformed certificate version"))?;
            rest = after;
        }
        // serialNumber, signature, issuer, validity, subject.
        for (tag, what) in [
            (der::TAG_INTEGER, "serialNumber"),
            (der::TAG_SEQUENCE, "signature algorithm"),
            (der::TAG_SEQUENCE, "issuer"),
            (der::TAG_SEQUENCE, "validity"),
            (der::TAG_SEQUENCE, "subject"),
        ] {
            let (_, after) = der::expect(rest, tag)
                .ok_or_else(|| KeyError::Malformed(format!("certificate {what} missing")))?;
            rest = after;
        }
        let (_, after) = der::expect(rest, der::TAG_SEQUENCE)
            .ok_or_else(|| malformed("certificate subjectPublicKeyInfo missing"))?;
        let spki = rest
            .get(..rest.len().saturating_sub(after.len()))
            .ok_or_else(|| malformed("certificate subjectPublicKeyInfo missing"))?;
        PublicKey::from_spki_der(spki)
    }

    /// Parses a DER SubjectPublicKeyInfo (what a `PUBLIC KEY` PEM block holds).
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let malformed = |what: &str| KeyError::Malformed(what.to_string());
        let (spki_body, trailing) = der::expect(der, der::TAG_SEQUENCE)
            .ok_or_else(|| malformed("not a DER SubjectPublicKeyInfo SEQUENCE"))?;
        if !trailing.is_empty() {
            return Err(malformed("trailing data after the SubjectPublicKeyInfo"));
        }
        let (alg_body, rest) = der::expect(spki_body, der::TAG_SEQUENCE)
            .ok_or_else(|| malformed("missing AlgorithmIdentifier"))?;
        let (bits, rest) = der::expect(rest, der::TAG_BIT_STRING)
            .ok_or_else(|| malformed("missing subjectPublicKey BIT STRING"))?;
        if !rest.is_empty() {
            return Err(malformed("extra fields in SubjectPublicKeyInfo"));
        }
        let key = match bits.split_first() {
            Some((0, key)) => key,
            _ => return Err(malformed("subjectPublicKey BIT STRING has unused bits")),
        };
        let (alg_oid, params) = der::expect(alg_body, der::TAG_OID)
            .ok_or_else(|| malformed("missing algorithm OID"))?;

        if alg_oid == oid::EC_PUBLIC_KEY {
            let (curve, rest) = der::expect(params, der::TAG_OID)
                .ok_or_else(|| malformed("EC key without a named-curve OID parameter"))?;
            if !rest.is_empty() {
                return Err(malformed("extra EC parameters"));
            }
            let (family, point_len, algorithm) = if curve == oid::P256 {
                (Family::P256, 65, KeyAlgorithm::EcdsaP256Sha256)
            } else if curve == oid::P384 {
                (Family::P384, 97, KeyAlgorithm::EcdsaP384Sha256)
            } else if curve == oid::P521 {
                return Err(KeyError::UnsupportedCurve("P-521 (secp521r1)".to_string()));
            } else if curve == oid::SECP256K1 {
                return Err(KeyError::UnsupportedCurve("secp256k1".to_string()));
            } else {
                return Err(KeyError::UnsupportedCurve(der::oid_to_string(curve)));
            };
            // Go's elliptic.Unmarshal accepts only the uncompressed form.
            if key.len() != point_len || key.first() != Some(&0x04) {
                return Err(malformed(
                    "EC public key is not an uncompressed point of the curve's size",
                ));
            }
            return Ok(PublicKey::assemble(
                family,
                algorithm,
                der.to_vec(),
                key.to_vec(),
            ));
        }
        if alg_oid == oid::RSA_ENCRYPTION {
            // Go requires the NULL parameter for rsaEncryption.
            match der::read_tlv(params) {
                Some((der::TAG_NULL, [], [])) => {}
                _ => {
                    return Err(malformed(
                        "RSA AlgorithmIdentifier must have NULL parameters",
                    ));
                }
            }
            check_rsa(key)?;
            return Ok(PublicKey::assemble(
                Family::Rsa,
                KeyAlgorithm::RsaPkcs1Sha256,
                der.to_vec(),
                key.to_vec(),
            ));
        }
        if alg_oid == oid::ED25519 {
            if !params.is_empty() {
                return Err(malformed(
                    "Ed25519 AlgorithmIdentifier must not have parameters",
                ));
            }
            if key.len() != 32 {
                return Err(malformed("Ed25519 public key must be 32 bytes"));
            }
            return Ok(PublicKey::assemble(
                Family::Ed25519,
                KeyAlgorithm::Ed25519,
                der.to_vec(),
                key.to_vec(),
            ));
        }
        let name = if alg_oid == oid::ED448 {
            "Ed448".to_string()
        } else if alg_oid == oid::RSASSA_PSS {
            "RSASSA-PSS-restricted key (id-RSASSA-PSS); use an rsaEncryption key".to_string()
        } else {
            format!("OID {}", der::oid_to_string(alg_oid))
        };
        Err(KeyError::UnsupportedAlgorithm(name))
    }

    /// Parses a DER PKCS#1 `RSAPublicKey` (what an `RSA PUBLIC KEY` PEM block holds).
    pub fn from_pkcs1_rsa_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        check_rsa(der)?;
        let mut alg = der::tlv(der::TAG_OID, oid::RSA_ENCRYPTION);
        alg.extend_from_slice(&der::tlv(der::TAG_NULL, &[]));
        let spki = der::spki(&alg, der);
        Ok(PublicKey::assemble(
            Family::Rsa,
            KeyAlgorithm::RsaPkcs1Sha256,
            spki,
            der.to_vec(),
        ))
    }

    fn assemble(
        family: Family,
        algorithm: KeyAlgorithm,
        spki: Vec<u8>,
        ring_key: Vec<u8>,
    ) -> PublicKey {
        let key_id = sha256_digest(&spki);
        PublicKey {
            family,
            algorithm,
            spki,
            ring_key,
            key_id,
        }
    }

    /// The signature scheme this key verifies with.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// `sha256:<hex>` of the SubjectPublicKeyInfo DER: a stable, non-secret fingerprint
    /// (`openssl pkey -pubin -outform der | sha256sum`).
    pub fn key_id(&self) -> String {
        self.key_id.clone()
    }

    /// The SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// PEM `PUBLIC KEY` in Go's layout (what `cosign public-key` prints).
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.spki)
    }

    /// The same key hashing with `digest`, like `cosign verify --signature-digest-algorithm`.
    /// ECDSA supports SHA-256 and SHA-384 (ring has no ECDSA SHA-512); RSA all three;
    /// Ed25519 ignores the digest, as cosign does.
    pub fn with_signature_digest(mut self, digest: SignatureDigest) -> Result<PublicKey, KeyError> {
        let pss = matches!(
            self.algorithm,
            KeyAlgorithm::RsaPssSha256 | KeyAlgorithm::RsaPssSha384 | KeyAlgorithm::RsaPssSha512
        );
        self.algorithm = match (self.family, digest) {
            (Family::P256, SignatureDigest::Sha256) => KeyAlgorithm::EcdsaP256Sha256,
            (Family::P256, SignatureDigest::Sha384) => KeyAlgorithm::EcdsaP256Sha384,
            (Family::P384, SignatureDigest::Sha256) => KeyAlgorithm::EcdsaP384Sha256,
            (Family::P384, SignatureDigest::Sha384) => KeyAlgorithm::EcdsaP384Sha384,
            (Family::P256 | Family::P384, SignatureDigest::Sha512) => {
                return Err(KeyError::DigestNotSupported {
                    key: self.family.name(),
                    digest: digest.as_str(),
                });
            }
            (Family::Rsa, SignatureDigest::Sha256) if pss => KeyAlgorithm::RsaPssSha256,
            (Family::Rsa, SignatureDigest::Sha384) if pss => KeyAlgorithm::RsaPssSha384,
            (Family::Rsa, SignatureDigest::Sha512) if pss => KeyAlgorithm::RsaPssSha512,
            (Family::Rsa, SignatureDigest::Sha256) => KeyAlgorithm::RsaPkcs1Sha256,
            (Family::Rsa, SignatureDigest::Sha384) => KeyAlgorithm::RsaPkcs1Sha384,
            (Family::Rsa, SignatureDigest::Sha512) => KeyAlgorithm::RsaPkcs1Sha512,
            (Family::Ed25519, _) => KeyAlgorithm::Ed25519,
        };
        Ok(self)
    }

    /// The same RSA key verifying RSA-PSS (salt length = digest length) instead of
    /// PKCS#1 v1.5. Cosign uses PKCS#1 v1.5 for `--key` RSA keys; PSS is for keys whose
    /// signer is known to use it.
    pub fn with_rsa_pss(mut self) -> Result<PublicKey, KeyError> {
        self.algorithm = match self.algorithm {
            KeyAlgorithm::RsaPkcs1Sha256 | KeyAlgorithm::RsaPssSha256 => KeyAlgorithm::RsaPssSha256,
            KeyAlgorithm::RsaPkcs1Sha384 | KeyAlgorithm::RsaPssSha384 => KeyAlgorithm::RsaPssSha384,
            KeyAlgorithm::RsaPkcs1Sha512 | KeyAlgorithm::RsaPssSha512 => KeyAlgorithm::RsaPssSha512,
            _ => return Err(KeyError::NotRsa(self.family.name())),
        };
        Ok(self)
    }

    /// True when `signature` (raw bytes, not base64) is a valid signature of `payload`.
    pub fn verify(&self, payload: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(self.algorithm.ring(), &self.ring_key)
            .verify(payload, signature)
            .is_ok()
    }
}

/// Validates a PKCS#1 `RSAPublicKey` against what ring (and sane policy) accepts.
fn check_rsa(pkcs1: &[u8]) -> Result<(), KeyError> {
    let malformed = |what: &str| KeyError::Malformed(what.to_string());
    let (body, trailing) = der::expect(pkcs1, der::TAG_SEQUENCE)
        .ok_or_else(|| malformed("RSA key is not a DER SEQUENCE"))?;
    if !trailing.is_empty() {
        return Err(malformed("trailing data after the RSA key"));
    }
    let (modulus, rest) =
        der::expect(body, der::TAG_INTEGER).ok_or_else(|| malformed("RSA modulus missing"))?;
    let (exponent, rest) =
        der::expect(rest, der::TAG_INTEGER).ok_or_else(|| malformed("RSA exponent missing"))?;
    if !rest.is_empty() {
        return Err(malformed("extra fields in the RSA key"));
    }
    if modulus.first().is_some_and(|b| b & 0x80 != 0)
        || exponent.first().is_some_and(|b| b & 0x80 != 0)
    {
        return Err(malformed("negative RSA modulus or exponent"));
    }
    let bits = der::bit_len(modulus);
    if !(2048..=8192).contains(&bits) {
        return Err(KeyError::RsaKeySize { bits });
    }
    let e_bits = der::bit_len(exponent);
    if !(2..=33).contains(&e_bits) || exponent.last().is_some_and(|b| b & 1 == 0) {
        return Err(malformed(
            "RSA public exponent must be odd, at least 3 and at most 33 bits",
        ));
    }
    Ok(())
}

/// An ECDSA P-256 signing key (the kind `cosign generate-key-pair` makes), held as PKCS#8.
pub struct SigningKey {
    pair: EcdsaKeyPair,
    pkcs8: zeroize::Zeroizing<Vec<u8>>,
    public: PublicKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &self.public.key_id)
            .finish_non_exhaustive()
    }
}

const P256_SIGNING: &signature::EcdsaSigningAlgorithm = &signature::ECDSA_P256_SHA256_ASN1_SIGNING;

impl SigningKey {
    /// A fresh random key; also returns the public key PEM (`cosign.pub` content).
    pub fn generate() -> Result<(SigningKey, String), KeyError> {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(P256_SIGNING, &rng)
            .map_err(|_| KeyError::Crypto("key generation failed"))?;
        let key = SigningKey::from_pkcs8_der(doc.as_ref())?;
        let pem = key.public_key_pem();
        Ok((key, pem))
    }

    /// Loads an unencrypted PKCS#8 `PRIVATE KEY` PEM holding an ECDSA P-256 key.
    pub fn from_pkcs8_pem(pem: &[u8]) -> Result<SigningKey, KeyError> {
        let block = pem::first_block(pem).ok_or(KeyError::NotPem)?;
        match block.label.as_str() {
            "PRIVATE KEY" => SigningKey::from_pkcs8_der(&block.der),
            label if label.starts_with("ENCRYPTED SIGSTORE") || label.starts_with("ENCRYPTED COSIGN") => {
                Err(KeyError::EncryptedCosignKey(label.to_string()))
            }
            "EC PRIVATE KEY" => Err(KeyError::InvalidPrivateKey(
                "SEC1 `EC PRIVATE KEY` is not supported; convert with `openssl pkcs8 -topk8 -nocrypt`".to_string(),
            )),
            label => Err(KeyError::InvalidPrivateKey(format!("expected a PKCS#8 `PRIVATE KEY` PEM block, found `{label}`"))),
        }
    }

    /// Loads a DER PKCS#8 ECDSA P-256 private key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<SigningKey, KeyError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(P256_SIGNING, der, &rng).map_err(|e| {
            KeyError::InvalidPrivateKey(format!("not an ECDSA P-256 PKCS#8 key ({e})"))
        })?;
        let mut alg = der::tlv(der::TAG_OID, oid::EC_PUBLIC_KEY);
        alg.extend_from_slice(&der::tlv(der::TAG_OID, oid::P256));
        let point = pair.public_key().as_ref().to_vec();
        let spki = der::spki(&alg, &point);
        let public = PublicKey::assemble(Family::P256, KeyAlgorithm::EcdsaP256Sha256, spki, point);
        Ok(SigningKey {
            pair,
            pkcs8: zeroize::Zeroizing::new(der.to_vec()),
            public,
        })
    }

    /// Loads cosign's encrypted `cosign.key` (PEM `ENCRYPTED SIGSTORE PRIVATE KEY` or the older
    /// `ENCRYPTED COSIGN PRIVATE KEY`) with its password (`COSIGN_PASSWORD`; empty allowed),
    /// as `cosign sign --key cosign.key` does. Only ECDSA P-256 keys can sign here.
    #[cfg(feature = "encrypted-keys")]
    pub fn from_cosign_encrypted_pem(pem: &[u8], password: &[u8]) -> Result<SigningKey, KeyError> {
        let block = pem::first_block(pem).ok_or(KeyError::NotPem)?;
        if block.label != crate::encrypted::SIGSTORE_LABEL
            && block.label != crate::encrypted::COSIGN_LABEL
        {
            return Err(KeyError::InvalidPrivateKey(format!(
                "expected a `{}` PEM block, found `{}`",
                crate::encrypted::SIGSTORE_LABEL,
                block.label
            )));
        }
        let pkcs8 = crate::encrypted::decrypt(&block.der, password)?;
        SigningKey::from_pkcs8_der(&pkcs8)
    }

    /// This key in cosign's encrypted format (`ENCRYPTED SIGSTORE PRIVATE KEY`, scrypt
    /// N = 2^16, r = 8, p = 1, fresh random salt and nonce), loadable by `cosign sign --key`.
    #[cfg(feature = "encrypted-keys")]
    pub fn to_cosign_encrypted_pem(&self, password: &[u8]) -> Result<String, KeyError> {
        let body = crate::encrypted::encrypt(&self.pkcs8, password)?;
        Ok(pem::encode(
            crate::encrypted::SIGSTORE_LABEL,
            body.as_bytes(),
        ))
    }

    /// The public key as PEM `PUBLIC KEY`.
    pub fn public_key_pem(&self) -> String {
        self.public.to_pem()
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The private key as PEM `PRIVATE KEY` (PKCS#8, unencrypted). Secret: store with care.
    pub fn to_pkcs8_pem(&self) -> String {
        pem::encode("PRIVATE KEY", &self.pkcs8)
    }

    /// Signs `manifest_digest` as `cosign sign --key` does: the payload of [`crate::payload_for`]
    /// and the artifacts to push at [`crate::signature_tag`]. To add to an existing
    /// signature image, use [`crate::build_signature_manifest_with_annotations`].
    pub fn sign_image(
        &self,
        docker_reference: &str,
        manifest_digest: &str,
    ) -> Result<crate::SignatureArtifacts, crate::CosignError> {
        crate::signature_tag(manifest_digest)?;
        let payload = crate::payload_for(docker_reference, manifest_digest);
        let signature = self
            .sign(&payload)
            .map_err(|e| crate::CosignError::Signing(e.to_string()))?;
        crate::build_signature_manifest(&[(payload, signature)])
    }

    /// ECDSA P-256 / SHA-256 signature of `payload`, ASN.1 DER (what cosign stores, base64,
    /// in the `dev.cosignproject.cosign/signature` annotation).
    pub fn sign(&self, payload: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        self.pair
            .sign(&rng, payload)
            .map(|sig| sig.as_ref().to_vec())
            .map_err(|_| KeyError::Crypto("signing failed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    #[test]
    fn generated_key_signs_and_verifies() {
        let (key, pem) = SigningKey::generate().unwrap();
        let public = PublicKey::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(public.algorithm(), KeyAlgorithm::EcdsaP256Sha256);
        assert_eq!(public.key_id(), key.public_key().key_id());
        let sig = key.sign(b"payload").unwrap();
        assert!(public.verify(b"payload", &sig));
        assert!(!public.verify(b"payloaD", &sig));
        let reloaded = SigningKey::from_pkcs8_pem(key.to_pkcs8_pem().as_bytes()).unwrap();
        assert_eq!(reloaded.public_key(), key.public_key());
    }

    #[test]
    fn key_id_is_sha256_of_spki() {
        let (key, _) = SigningKey::generate().unwrap();
        assert_eq!(
            key.public_key().key_id(),
            sha256_digest(key.public_key().spki_der())
        );
        assert!(key.public_key().key_id().starts_with("sha256:"));
        assert_eq!(key.public_key().key_id().len(), 7 + 64);
    }

    #[test]
    fn debug_shows_no_key_material() {
        let (key, _) = SigningKey::generate().unwrap();
        let dbg = format!("{key:?} {:?}", key.public_key());
        assert!(dbg.contains("sha256:"));
        assert!(!dbg.contains(&hex(&key.pkcs8)));
    }

    #[test]
    fn spki_rejects_trailing_and_unused_bits() {
        let (key, _) = SigningKey::generate().unwrap();
        let mut der = key.public_key().spki_der().to_vec();
        der.push(0);
        assert!(matches!(
            PublicKey::from_spki_der(&der),
            Err(KeyError::Malformed(_))
        ));
        assert!(matches!(
            PublicKey::from_spki_der(&[0x30, 0x00]),
            Err(KeyError::Malformed(_))
        ));
    }

    #[test]
    fn digest_switches() {
        let (key, _) = SigningKey::generate().unwrap();
        let p = key.public_key().clone();
        assert_eq!(
            p.clone()
                .with_signature_digest(SignatureDigest::Sha384)
                .unwrap()
                .algorithm(),
            KeyAlgorithm::EcdsaP256Sha384
        );
        assert!(matches!(
            p.clone().with_signature_digest(SignatureDigest::Sha512),
            Err(KeyError::DigestNotSupported { .. })
        ));
        assert!(matches!(p.with_rsa_pss(), Err(KeyError::NotRsa(_))));
    }

    #[test]
    fn signing_key_rejects_other_pem() {
        assert_eq!(
            SigningKey::from_pkcs8_pem(b"nope").unwrap_err(),
            KeyError::NotPem
        );
        let enc = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAQID\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
        assert!(matches!(
            SigningKey::from_pkcs8_pem(enc.as_bytes()),
            Err(KeyError::EncryptedCosignKey(_))
        ));
        let junk = "-----BEGIN PRIVATE KEY-----\nAQID\n-----END PRIVATE KEY-----\n";
        assert!(matches!(
            SigningKey::from_pkcs8_pem(junk.as_bytes()),
            Err(KeyError::InvalidPrivateKey(_))
        ));
    }
}

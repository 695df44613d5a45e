//! Cosign key-based image signatures, without network: the "simple signing" payload,
//! the signature manifest stored at tag `sha256-<hex>.sig`, verification against trusted
//! public keys and ECDSA P-256 signing, byte-compatible with sigstore cosign
//! (specs/SIGNATURE_SPEC.md). Also cosign v3's default format: a Sigstore bundle attached
//! through the OCI 1.1 referrers API (specs/BUNDLE_SPEC.md), verified with
//! [`verify_bundle`] and made with [`SigningKey::sign_bundle`]. Fetching and pushing belong
//! to the caller.
//!
//! ```
//! use kubeward_cosign::*;
//!
//! let digest = "sha256:bfec161fecb0a887df7cb85e4da327c65986ccda7060cf3cd92171c6c90d7533";
//! // Sign, as `cosign sign --key` would, and build what it pushes to the `.sig` tag.
//! let (key, public_pem) = SigningKey::generate()?;
//! let payload = payload_for("registry.example/app", digest);
//! let signature = key.sign(&payload)?;
//! let artifacts = build_signature_manifest(&[(payload.clone(), signature)])?;
//! assert_eq!(signature_tag(digest)?, "sha256-bfec161fecb0a887df7cb85e4da327c65986ccda7060cf3cd92171c6c90d7533.sig");
//!
//! // Verify, as `cosign verify --key cosign.pub` would.
//! let keys = [PublicKey::from_pem(public_pem.as_bytes())?];
//! let layers = parse_signature_manifest(&artifacts.manifest)?;
//! let verified = verify_layer(&layers[0], &payload, &keys, digest).map_err(|r| r.to_string())?;
//! assert_eq!(verified.key_id, keys[0].key_id());
//!
//! // cosign v3: a Sigstore bundle (DSSE in-toto statement), pushed as a referrer of the image.
//! let bundle = key.sign_bundle("registry.example/app", digest)?;
//! let referrer = build_bundle_referrer_manifest(&bundle, OCI_MANIFEST_MEDIA_TYPE, digest, 1234)?;
//! assert_eq!(referrer.bundle.data, bundle);
//! let verified = verify_bundle(&bundle, &keys, digest).map_err(|r| r.to_string())?;
//! assert_eq!(verified.key_id, keys[0].key_id());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod bundle;
mod der;
#[cfg(feature = "encrypted-keys")]
mod encrypted;
mod gojson;
mod key;
mod manifest;
mod payload;
mod pem;
mod verify;

pub use bundle::{
    BundleArtifacts, BundleContent, BundleReferrer, COSIGN_SIGN_PREDICATE_TYPE,
    IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_V01, IN_TOTO_STATEMENT_V1, OCI_EMPTY_MEDIA_TYPE,
    SIGSTORE_BUNDLE_V01_MEDIA_TYPE, SIGSTORE_BUNDLE_V02_MEDIA_TYPE, SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    VerifiedBundle, build_bundle_referrer_manifest, cosign_sign_statement, is_bundle_media_type,
    pae, parse_bundle_referrer, public_key_hint, verify_bundle, verify_bundle_artifact,
    verify_bundle_blob, verify_bundle_details,
};
pub use key::{KeyAlgorithm, KeyError, PublicKey, SignatureDigest, SigningKey};
pub use manifest::{
    BUNDLE_ANNOTATION, Blob, CERTIFICATE_ANNOTATION, CHAIN_ANNOTATION, DOCKER_MANIFEST_MEDIA_TYPE,
    OCI_CONFIG_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE, SIGNATURE_ANNOTATION,
    SIMPLE_SIGNING_MEDIA_TYPE, SignatureArtifacts, SignatureLayer, TIMESTAMP_ANNOTATION,
    attestation_tag, build_signature_manifest, build_signature_manifest_with_annotations,
    parse_signature_manifest, signature_tag,
};
pub use payload::{
    COSIGN_SIGNATURE_TYPE, SimpleSigningPayload, parse_payload, payload_for,
    payload_with_annotations,
};
pub use verify::{Rejection, VerifiedSignature, verify_layer};

/// Errors about digests, manifests and payloads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CosignError {
    /// Not `sha256:` followed by 64 lower-case hex digits.
    #[error("`{0}` is not a sha256 digest (`sha256:` followed by 64 lower-case hex digits)")]
    InvalidDigest(String),
    /// The manifest is not JSON of the expected shape.
    #[error("the signature manifest is not valid: {0}")]
    ManifestJson(String),
    /// The document is not an image manifest.
    #[error("the signature document is not an image manifest: {0}")]
    NotAManifest(String),
    /// A simple-signing layer descriptor is malformed.
    #[error("signature layer {index} is malformed: {reason}")]
    MalformedLayer {
        /// Index in `layers`.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// The payload is not a decodable simple-signing document.
    #[error("the payload is not a valid simple-signing document: {0}")]
    PayloadJson(String),
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// Nothing to build.
    #[error("a signature manifest needs at least one signature")]
    NoSignatures,
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(
            HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
        ));
        out.push(char::from(
            HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'),
        ));
    }
    out
}

/// `sha256:<hex>` of `bytes`, the OCI digest form.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    format!("sha256:{}", hex(d.as_ref()))
}

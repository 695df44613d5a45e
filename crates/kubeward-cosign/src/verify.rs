//! Verifying one signature layer against trusted keys and the expected image digest.

use crate::manifest::{SIMPLE_SIGNING_MEDIA_TYPE, SignatureLayer};
use crate::payload::{COSIGN_SIGNATURE_TYPE, parse_payload};
use crate::{PublicKey, pem, sha256_digest};

/// Why a signature layer was not accepted. Messages carry digests and key ids only,
/// never key material or signature bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The layer is not a simple-signing payload.
    #[error("the layer has media type `{0}`, not a cosign simple-signing payload")]
    NotSimpleSigning(String),
    /// No `dev.cosignproject.cosign/signature` annotation (or an empty one).
    #[error("the layer has no `dev.cosignproject.cosign/signature` annotation")]
    NoSignatureAnnotation,
    /// The signature annotation is not standard base64.
    #[error("the signature annotation is not valid base64")]
    BadBase64,
    /// The payload descriptor digest is not a sha256 digest.
    #[error("the payload descriptor digest `{0}` is not a sha256 digest")]
    UnsupportedPayloadDigest(String),
    /// The fetched payload size differs from the descriptor.
    #[error("the payload blob is {actual} bytes but its descriptor says {declared}")]
    PayloadSizeMismatch {
        /// Descriptor size.
        declared: u64,
        /// Bytes received.
        actual: u64,
    },
    /// The fetched payload bytes do not hash to the descriptor digest.
    #[error("the payload blob hashes to `{actual}` but its descriptor says `{declared}`")]
    PayloadDigestMismatch {
        /// Descriptor digest.
        declared: String,
        /// sha256 of the bytes received.
        actual: String,
    },
    /// No trusted key verifies the signature.
    #[error("the signature does not verify with any of the trusted keys")]
    NoKeyMatched,
    /// The signed payload is not a decodable simple-signing document.
    #[error("the signed payload is not a valid simple-signing document: {0}")]
    BadPayload(String),
    /// The signed payload has another `critical.type`.
    #[error("the signed payload has type `{0}`, not `cosign container image signature`")]
    WrongType(String),
    /// The expected digest is not `sha256:` followed by 64 lower-case hex digits.
    #[error("the expected image digest `{0}` is not a sha256 digest")]
    InvalidExpectedDigest(String),
    /// The document is not a Sigstore bundle this crate reads (JSON, shape, media type).
    #[error("not a usable Sigstore bundle: {0}")]
    NotABundle(String),
    /// A well-formed bundle whose content this crate does not verify.
    #[error("unsupported Sigstore bundle content: {0}")]
    UnsupportedBundleContent(String),
    /// The DSSE envelope does not carry an in-toto statement.
    #[error("the DSSE payload type is `{0}`, not `application/vnd.in-toto+json`")]
    WrongPayloadType(String),
    /// The signed statement is valid but names other subjects.
    #[error(
        "the signed statement is for subject digest(s) [{}], not `{expected}`",
        .found.join(", ")
    )]
    SubjectMismatch {
        /// The digest the caller resolved.
        expected: String,
        /// `algorithm:hex` of the statement's subjects (sorted, at most 16).
        found: Vec<String>,
    },
    /// A message signature over another artifact.
    #[error("the message signature is for digest `{signed}`, not `{expected}`")]
    MessageDigestMismatch {
        /// `messageDigest` of the bundle.
        signed: String,
        /// sha256 of the artifact given.
        expected: String,
    },
    /// The signature is valid but for another image.
    #[error("the signature is for image digest `{signed}`, not `{expected}`")]
    DigestMismatch {
        /// `critical.image.docker-manifest-digest` of the payload.
        signed: String,
        /// The digest the caller resolved.
        expected: String,
    },
}

/// A signature that verified: a simple-signing layer ([`verify_layer`]) or a Sigstore
/// bundle ([`crate::verify_bundle`]; see [`crate::VerifiedBundle`] for what the fields hold
/// there: the statement subject's `name` and `annotations`, the DSSE payload digest).
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedSignature {
    /// [`PublicKey::key_id`] of the first trusted key (in the order given) that verified it.
    pub key_id: String,
    /// `critical.identity.docker-reference` (informational: cosign does not match it).
    pub docker_reference: String,
    /// `critical.image.docker-manifest-digest` (equal to the expected digest).
    pub manifest_digest: String,
    /// Digest of the payload blob.
    pub payload_digest: String,
    /// Signer annotations (`optional`).
    pub optional: serde_json::Map<String, serde_json::Value>,
}

impl VerifiedSignature {
    /// True when every `wanted` annotation is present in `optional` as an equal string, the
    /// check `cosign verify -a key=value` makes (`correctAnnotations`).
    pub fn annotations_match(&self, wanted: &std::collections::BTreeMap<String, String>) -> bool {
        wanted.iter().all(|(k, v)| {
            self.optional.get(k).and_then(serde_json::Value::as_str) == Some(v.as_str())
        })
    }
}

/// Verifies one signature layer like `cosign verify --key` (without transparency-log or
/// certificate checks), in this order: simple-signing media type; the payload bytes match
/// the descriptor's size and sha256 digest; the base64 signature verifies over the exact
/// payload bytes with one of `keys`; only then is the payload decoded (Go rules, see
/// [`crate::parse_payload`]); its type is `cosign container image signature` (stricter than
/// cosign, whose `SimpleClaimVerifier` ignores the type); and its
/// `critical.image.docker-manifest-digest` equals `expected_manifest_digest` exactly, as
/// cosign compares it (no normalisation).
pub fn verify_layer(
    layer: &SignatureLayer,
    payload: &[u8],
    keys: &[PublicKey],
    expected_manifest_digest: &str,
) -> Result<VerifiedSignature, Rejection> {
    if layer.media_type != SIMPLE_SIGNING_MEDIA_TYPE {
        return Err(Rejection::NotSimpleSigning(layer.media_type.clone()));
    }
    if !layer.payload_digest.starts_with("sha256:") {
        return Err(Rejection::UnsupportedPayloadDigest(
            layer.payload_digest.clone(),
        ));
    }
    let actual_size = payload.len() as u64;
    if actual_size != layer.payload_size {
        return Err(Rejection::PayloadSizeMismatch {
            declared: layer.payload_size,
            actual: actual_size,
        });
    }
    let actual = sha256_digest(payload);
    if actual != layer.payload_digest {
        return Err(Rejection::PayloadDigestMismatch {
            declared: layer.payload_digest.clone(),
            actual,
        });
    }
    let b64 = layer
        .signature_b64
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or(Rejection::NoSignatureAnnotation)?;
    let signature = pem::decode_go_base64(b64).ok_or(Rejection::BadBase64)?;
    let key = keys
        .iter()
        .find(|k| k.verify(payload, &signature))
        .ok_or(Rejection::NoKeyMatched)?;

    let parsed = parse_payload(payload).map_err(|e| Rejection::BadPayload(e.to_string()))?;
    if parsed.payload_type != COSIGN_SIGNATURE_TYPE {
        return Err(Rejection::WrongType(parsed.payload_type));
    }
    if parsed.docker_manifest_digest != expected_manifest_digest {
        return Err(Rejection::DigestMismatch {
            signed: parsed.docker_manifest_digest,
            expected: expected_manifest_digest.to_string(),
        });
    }
    Ok(VerifiedSignature {
        key_id: key.key_id(),
        docker_reference: parsed.docker_reference,
        manifest_digest: parsed.docker_manifest_digest,
        payload_digest: actual,
        optional: parsed.optional,
    })
}

//! Sigstore bundles (protobuf-specs `Bundle`, JSON form) as cosign v3 attaches them to an
//! image through the OCI 1.1 referrers API (cosign `specs/BUNDLE_SPEC.md`): key-based
//! verification, like `cosign verify --key … --insecure-ignore-tlog` (no Fulcio chain,
//! no Rekor, no timestamps), and signing exactly as `cosign sign --key` v3 does
//! (`--new-bundle-format`, `--tlog-upload=false`).
//!
//! What cosign v3 `sign` puts in the bundle for an image (`signDigestBundle`): a
//! `dsseEnvelope` with `payloadType` `application/vnd.in-toto+json` whose payload is the
//! protojson of an in-toto Statement v1: `subject` = one descriptor
//! `{"digest":{"sha256":<manifest hex>},"annotations":{<cosign sign -a k=v>}}` (no `name`),
//! `predicateType` `https://sigstore.dev/cosign/sign/v1`, `predicate` `{}`. The DSSE
//! signature is over PAE (`DSSEv1 <len type> <type> <len body> <body>`). With a key, the
//! verification material is `publicKey.hint` = base64(sha256(SubjectPublicKeyInfo DER)).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::gojson::GoValue;
use crate::verify::{Rejection, VerifiedSignature};
use crate::{CosignError, KeyAlgorithm, PublicKey, SignatureDigest, SigningKey, sha256_digest};

/// Media type of a Sigstore bundle v0.3 (what cosign v3 writes; also the `artifactType` of
/// the referrer manifest and the media type of its single layer).
pub const SIGSTORE_BUNDLE_V03_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// Media type of a Sigstore bundle v0.2.
pub const SIGSTORE_BUNDLE_V02_MEDIA_TYPE: &str =
    "application/vnd.dev.sigstore.bundle+json;version=0.2";
/// Media type of a Sigstore bundle v0.1.
pub const SIGSTORE_BUNDLE_V01_MEDIA_TYPE: &str =
    "application/vnd.dev.sigstore.bundle+json;version=0.1";
/// DSSE `payloadType` of an in-toto statement.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// `_type` of an in-toto Statement v1 (what cosign v3 writes).
pub const IN_TOTO_STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// `_type` of an in-toto Statement v0.1 (older `cosign attest`).
pub const IN_TOTO_STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// `predicateType` of a cosign v3 image signature (`types.CosignSignPredicateType`).
pub const COSIGN_SIGN_PREDICATE_TYPE: &str = "https://sigstore.dev/cosign/sign/v1";
/// Media type of the OCI empty descriptor (`{}`), the config of a bundle referrer manifest.
pub const OCI_EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";

/// Every spelling sigstore-go accepts for bundles v0.1 to v0.3
/// (`getBundleVersion`): `application/vnd.dev.sigstore.bundle+json;version=0.N` and
/// `application/vnd.dev.sigstore.bundle.v0.N+json`, N in 1..=3. Later versions (v0.4+)
/// are refused by sigstore-go, and so here.
const BUNDLE_MEDIA_TYPES: [&str; 6] = [
    SIGSTORE_BUNDLE_V01_MEDIA_TYPE,
    SIGSTORE_BUNDLE_V02_MEDIA_TYPE,
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle.v0.1+json",
    "application/vnd.dev.sigstore.bundle.v0.2+json",
    SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
];

/// True for the Sigstore bundle media types v0.1, v0.2 and v0.3, in both spellings
/// (`…bundle+json;version=0.N` and `…bundle.v0.N+json`). Exact, case-sensitive match.
pub fn is_bundle_media_type(s: &str) -> bool {
    BUNDLE_MEDIA_TYPES.contains(&s)
}

/// DSSE pre-authentication encoding, the bytes a DSSE signature covers:
/// `"DSSEv1" SP len(type) SP type SP len(body) SP body` (lengths in ASCII decimal).
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + payload.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Which signed content a bundle carries (the `content` oneof).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BundleContent {
    /// `dsseEnvelope`: a signed in-toto statement (what cosign v3 `sign` and `attest` write).
    DsseEnvelope,
    /// `messageSignature`: a signature over the artifact bytes (`cosign sign-blob`).
    MessageSignature,
}

/// A bundle that verified, with the bundle-specific details [`VerifiedSignature`] lacks.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedBundle {
    /// The common result. `docker_reference` is the matching subject's `name` (empty for
    /// cosign v3 signatures, which write none); `manifest_digest` is the expected digest;
    /// `payload_digest` is the sha256 of the DSSE payload (of the artifact for a message
    /// signature); `optional` holds the matching subject's `annotations` (cosign's `-a`).
    pub signature: VerifiedSignature,
    /// The bundle's `mediaType`.
    pub media_type: String,
    /// DSSE envelope or message signature.
    pub content: BundleContent,
    /// The statement's `_type` (DSSE only).
    pub statement_type: Option<String>,
    /// The statement's `predicateType` (DSSE only), e.g. [`COSIGN_SIGN_PREDICATE_TYPE`].
    pub predicate_type: Option<String>,
    /// `verificationMaterial.publicKey.hint`, when the material is a public key
    /// (informational: the trusted keys decide, as with cosign `--key`).
    pub key_hint: Option<String>,
    /// Whether the bundle carries transparency-log entries (not verified here).
    pub has_tlog_entries: bool,
}

impl VerifiedBundle {
    /// True when the statement is a cosign image signature (`predicateType`
    /// [`COSIGN_SIGN_PREDICATE_TYPE`]) rather than an attestation. cosign v3 `verify` did
    /// not make this check before GHSA-w6c6-c85g-mmv6; callers admitting images on a
    /// *signature* should.
    pub fn is_cosign_signature(&self) -> bool {
        self.predicate_type.as_deref() == Some(COSIGN_SIGN_PREDICATE_TYPE)
    }
}

/// Verifies a Sigstore bundle (the JSON blob of a referrer layer) for the image manifest
/// `expected_manifest_digest` (`sha256:<64 lower-case hex>`) with the trusted `keys`, like
/// `cosign verify --key … --insecure-ignore-tlog` on a cosign v3 signature. See
/// [`verify_bundle_details`] for the checks; this returns only the common result.
pub fn verify_bundle(
    bundle_json: &[u8],
    keys: &[PublicKey],
    expected_manifest_digest: &str,
) -> Result<VerifiedSignature, Rejection> {
    verify_bundle_details(bundle_json, keys, expected_manifest_digest).map(|b| b.signature)
}

/// Verifies a bundle for an image digest, in this order:
///
/// 1. `expected_manifest_digest` is `sha256:` + 64 lower-case hex ([`Rejection::InvalidExpectedDigest`]).
/// 2. The bundle parses as protobuf JSON ([`Rejection::NotABundle`]): an object; field
///    names in lowerCamelCase or the proto snake_case (protojson accepts both; the same field
///    twice is refused, as protojson does); unknown fields ignored; bytes in standard or
///    URL-safe base64, padded or not; `mediaType` one of [`is_bundle_media_type`];
///    `verificationMaterial` with exactly one of `publicKey`, `certificate`,
///    `x509CertificateChain` (not a chain in v0.3); exactly one of `dsseEnvelope` and
///    `messageSignature`; an envelope with a payload and exactly one signature (sigstore-go
///    refuses more, although DSSE allows them). Transparency-log entries and timestamps are
///    not parsed (sigstore-go would refuse malformed ones; `--insecure-ignore-tlog` still
///    parses them).
/// 3. A `messageSignature` cannot be checked from a digest alone (ring verifies over the
///    message, and the signature binds no reference): [`Rejection::UnsupportedBundleContent`];
///    use [`verify_bundle_artifact`] with the manifest bytes.
/// 4. The envelope's signature verifies over PAE(payloadType, payload) with one of
///    `keys` (the first key in order wins; [`Rejection::NoKeyMatched`]). A P-384 key
///    is also tried with SHA-384, the hash sigstore-go signs bundles with for P-384.
///    The verification material (hint, certificate) is not used for trust.
/// 5. Only then: `payloadType` is [`IN_TOTO_PAYLOAD_TYPE`] ([`Rejection::WrongPayloadType`]);
///    the payload is a JSON statement with at most 1024 subjects of at most 32 digests each
///    (sigstore-go's limits) ([`Rejection::BadPayload`]) whose `_type` is in-toto
///    v1 or v0.1 ([`Rejection::UnsupportedBundleContent`]); one subject has
///    `digest.sha256` equal to the expected hex, compared exactly (lower case; sigstore-go
///    hex-decodes, so it would also take upper case) ([`Rejection::SubjectMismatch`]).
///
/// The `predicateType` is recorded, not required: check [`VerifiedBundle::is_cosign_signature`].
pub fn verify_bundle_details(
    bundle_json: &[u8],
    keys: &[PublicKey],
    expected_manifest_digest: &str,
) -> Result<VerifiedBundle, Rejection> {
    let expected_hex = crate::manifest::sha256_hex(expected_manifest_digest)
        .map_err(|_| Rejection::InvalidExpectedDigest(clip(expected_manifest_digest)))?;
    let bundle = parse_bundle(bundle_json)?;
    match bundle.content {
        Content::Dsse(envelope) => verify_dsse(
            bundle.header,
            envelope,
            keys,
            expected_manifest_digest,
            expected_hex,
        ),
        Content::Message(_) => Err(Rejection::UnsupportedBundleContent(
            "a messageSignature bundle signs the artifact bytes; verify it with the manifest bytes (verify_bundle_artifact)"
                .to_string(),
        )),
    }
}

/// Verifies a bundle against the artifact bytes themselves (for an image: the exact
/// manifest bytes), like sigstore-go's `WithArtifact`: a DSSE bundle as in
/// [`verify_bundle_details`] with the expected digest `sha256(artifact)`; a
/// `messageSignature` (digest algorithm `SHA2_256` only) whose `messageDigest` equals
/// sha256(artifact) ([`Rejection::MessageDigestMismatch`]) and whose signature verifies
/// over `artifact` with one of `keys`.
pub fn verify_bundle_artifact(
    bundle_json: &[u8],
    keys: &[PublicKey],
    artifact: &[u8],
) -> Result<VerifiedBundle, Rejection> {
    let digest = sha256_digest(artifact);
    let bundle = parse_bundle(bundle_json)?;
    match bundle.content {
        Content::Dsse(envelope) => {
            let hex = digest.strip_prefix("sha256:").unwrap_or_default();
            verify_dsse(bundle.header, envelope, keys, &digest, hex)
        }
        Content::Message(message) => {
            if message.algorithm != HashAlgorithm::Sha2_256 {
                return Err(Rejection::UnsupportedBundleContent(format!(
                    "messageSignature digest algorithm {}: only SHA2_256 is supported",
                    message.algorithm.name()
                )));
            }
            let key = keys
                .iter()
                .find(|k| {
                    candidates(k)
                        .iter()
                        .any(|c| c.verify(artifact, &message.signature))
                })
                .ok_or(Rejection::NoKeyMatched)?;
            let signed = format!("sha256:{}", crate::hex(&message.digest));
            if signed != digest {
                return Err(Rejection::MessageDigestMismatch {
                    signed: clip(&signed),
                    expected: digest,
                });
            }
            Ok(VerifiedBundle {
                signature: VerifiedSignature {
                    key_id: key.key_id(),
                    docker_reference: String::new(),
                    manifest_digest: digest.clone(),
                    payload_digest: digest,
                    optional: serde_json::Map::new(),
                },
                media_type: bundle.header.media_type,
                content: BundleContent::MessageSignature,
                statement_type: None,
                predicate_type: None,
                key_hint: bundle.header.key_hint,
                has_tlog_entries: bundle.header.has_tlog_entries,
            })
        }
    }
}

/// The keys to try for `key`: itself, and for P-384 also SHA-384 (sigstore-go's default
/// for P-384 in bundles, where legacy cosign hashes with SHA-256).
fn candidates(key: &PublicKey) -> Vec<PublicKey> {
    let mut out = vec![key.clone()];
    if key.algorithm() == KeyAlgorithm::EcdsaP384Sha256
        && let Ok(k) = key.clone().with_signature_digest(SignatureDigest::Sha384)
    {
        out.push(k);
    }
    out
}

fn verify_dsse(
    header: Header,
    envelope: Envelope,
    keys: &[PublicKey],
    expected_digest: &str,
    expected_hex: &str,
) -> Result<VerifiedBundle, Rejection> {
    let signed = pae(&envelope.payload_type, &envelope.payload);
    let key = keys
        .iter()
        .find(|k| {
            candidates(k)
                .iter()
                .any(|c| envelope.signatures.iter().any(|s| c.verify(&signed, s)))
        })
        .ok_or(Rejection::NoKeyMatched)?;
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(Rejection::WrongPayloadType(clip(&envelope.payload_type)));
    }
    let statement = parse_statement(&envelope.payload)?;
    if statement.statement_type != IN_TOTO_STATEMENT_V1
        && statement.statement_type != IN_TOTO_STATEMENT_V01
    {
        return Err(Rejection::UnsupportedBundleContent(format!(
            "in-toto statement type `{}`; expected `{IN_TOTO_STATEMENT_V1}` or `{IN_TOTO_STATEMENT_V01}`",
            clip(&statement.statement_type)
        )));
    }
    let Some(subject) = statement
        .subjects
        .iter()
        .find(|s| s.digests.get("sha256").map(String::as_str) == Some(expected_hex))
    else {
        let mut found: Vec<String> = statement
            .subjects
            .iter()
            .flat_map(|s| s.digests.iter().map(|(a, h)| clip(&format!("{a}:{h}"))))
            .collect();
        found.sort();
        found.dedup();
        found.truncate(MAX_REPORTED_SUBJECTS);
        return Err(Rejection::SubjectMismatch {
            expected: expected_digest.to_string(),
            found,
        });
    };
    Ok(VerifiedBundle {
        signature: VerifiedSignature {
            key_id: key.key_id(),
            docker_reference: subject.name.clone(),
            manifest_digest: expected_digest.to_string(),
            payload_digest: sha256_digest(&envelope.payload),
            optional: subject.annotations.clone(),
        },
        media_type: header.media_type,
        content: BundleContent::DsseEnvelope,
        statement_type: Some(statement.statement_type),
        predicate_type: statement.predicate_type,
        key_hint: header.key_hint,
        has_tlog_entries: header.has_tlog_entries,
    })
}

/// sigstore-go `limitSubjects`: at most 1024 subjects, 32 digests each.
const MAX_SUBJECTS: usize = 1024;
const MAX_SUBJECT_DIGESTS: usize = 32;

/// At most this many subject digests are listed in a [`Rejection::SubjectMismatch`].
const MAX_REPORTED_SUBJECTS: usize = 16;

/// Attacker-controlled strings are cut in messages.
fn clip(s: &str) -> String {
    const MAX: usize = 128;
    if s.chars().count() <= MAX {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX).collect();
    out.push('…');
    out
}

// ---------------------------------------------------------------------------------------
// Parsing (protobuf JSON mapping).

struct Header {
    media_type: String,
    key_hint: Option<String>,
    has_tlog_entries: bool,
}

struct Envelope {
    payload: Vec<u8>,
    payload_type: String,
    signatures: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HashAlgorithm {
    Unspecified,
    Sha2_256,
    Other(i64),
    Named(&'static str),
}

impl HashAlgorithm {
    fn name(self) -> String {
        match self {
            HashAlgorithm::Unspecified => "HASH_ALGORITHM_UNSPECIFIED".to_string(),
            HashAlgorithm::Sha2_256 => "SHA2_256".to_string(),
            HashAlgorithm::Named(n) => n.to_string(),
            HashAlgorithm::Other(n) => n.to_string(),
        }
    }
}

struct Message {
    algorithm: HashAlgorithm,
    digest: Vec<u8>,
    signature: Vec<u8>,
}

enum Content {
    Dsse(Envelope),
    Message(Message),
}

struct Bundle {
    header: Header,
    content: Content,
}

fn bad(what: impl Into<String>) -> Rejection {
    Rejection::NotABundle(what.into())
}

/// An object's members with protojson field lookup.
struct Obj<'a>(&'a [(String, GoValue)]);

impl<'a> Obj<'a> {
    /// The member named `json` or `proto` (protojson accepts both); `null` is absent; the
    /// field given twice is an error.
    fn get(&self, json: &str, proto: &str, path: &str) -> Result<Option<&'a GoValue>, Rejection> {
        let mut found: Option<&'a GoValue> = None;
        let mut seen = false;
        for (k, v) in self.0 {
            if k == json || k == proto {
                if seen {
                    return Err(bad(format!(
                        "field `{path}.{json}` is given more than once"
                    )));
                }
                seen = true;
                if !matches!(v, GoValue::Null) {
                    found = Some(v);
                }
            }
        }
        Ok(found)
    }
}

fn kind_error(path: &str, want: &str, v: &GoValue) -> Rejection {
    bad(format!(
        "`{path}` must be a JSON {want}, found {}",
        v.kind()
    ))
}

fn obj<'a>(v: &'a GoValue, path: &str) -> Result<Obj<'a>, Rejection> {
    match v {
        GoValue::Object(m) => Ok(Obj(m)),
        other => Err(kind_error(path, "object", other)),
    }
}

fn string<'a>(v: &'a GoValue, path: &str) -> Result<&'a str, Rejection> {
    match v {
        GoValue::String(s) => Ok(s),
        other => Err(kind_error(path, "string", other)),
    }
}

fn array<'a>(v: &'a GoValue, path: &str) -> Result<&'a [GoValue], Rejection> {
    match v {
        GoValue::Array(a) => Ok(a),
        other => Err(kind_error(path, "array", other)),
    }
}

/// protojson `bytes`: standard alphabet, or URL-safe when `-` or `_` occurs; padded when
/// the length is a multiple of 4, unpadded otherwise; `\r`/`\n` skipped (Go base64).
fn bytes(v: &GoValue, path: &str) -> Result<Vec<u8>, Rejection> {
    let text = string(v, path)?;
    let cleaned: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    let url = cleaned.contains(['-', '_']);
    let padded = cleaned.len().is_multiple_of(4);
    let config = GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(if padded {
            DecodePaddingMode::RequireCanonical
        } else {
            DecodePaddingMode::RequireNone
        });
    let alphabet = if url {
        &base64::alphabet::URL_SAFE
    } else {
        &base64::alphabet::STANDARD
    };
    GeneralPurpose::new(alphabet, config)
        .decode(cleaned.as_bytes())
        .map_err(|_| bad(format!("`{path}` is not valid base64")))
}

fn parse_bundle(input: &[u8]) -> Result<Bundle, Rejection> {
    let root: GoValue =
        serde_json::from_slice(input).map_err(|e| bad(format!("not JSON ({e})")))?;
    let top = obj(&root, "bundle")?;
    let media_type = top
        .get("mediaType", "media_type", "bundle")?
        .ok_or_else(|| bad("no `mediaType`"))
        .and_then(|v| string(v, "mediaType"))?;
    if !is_bundle_media_type(media_type) {
        return Err(bad(format!(
            "media type `{}` is not a Sigstore bundle v0.1, v0.2 or v0.3",
            clip(media_type)
        )));
    }
    let v03 = media_type == SIGSTORE_BUNDLE_V03_MEDIA_TYPE
        || media_type == "application/vnd.dev.sigstore.bundle+json;version=0.3";

    let material = top
        .get("verificationMaterial", "verification_material", "bundle")?
        .ok_or_else(|| bad("no `verificationMaterial`"))?;
    let material = obj(material, "verificationMaterial")?;
    let public_key = material.get("publicKey", "public_key", "verificationMaterial")?;
    let certificate = material.get("certificate", "certificate", "verificationMaterial")?;
    let chain = material.get(
        "x509CertificateChain",
        "x509_certificate_chain",
        "verificationMaterial",
    )?;
    let set = [public_key, certificate, chain]
        .iter()
        .filter(|v| v.is_some())
        .count();
    if set == 0 {
        return Err(bad(
            "`verificationMaterial` has none of `publicKey`, `certificate`, `x509CertificateChain`",
        ));
    }
    if set > 1 {
        return Err(bad(
            "`verificationMaterial` sets more than one of `publicKey`, `certificate`, `x509CertificateChain`",
        ));
    }
    if v03 && chain.is_some() {
        return Err(bad(
            "a v0.3 bundle cannot carry an `x509CertificateChain` (only a single `certificate`)",
        ));
    }
    let key_hint = match public_key {
        Some(pk) => obj(pk, "verificationMaterial.publicKey")?
            .get("hint", "hint", "verificationMaterial.publicKey")?
            .map(|h| string(h, "verificationMaterial.publicKey.hint").map(str::to_string))
            .transpose()?,
        None => None,
    };
    if let Some(c) = certificate {
        obj(c, "verificationMaterial.certificate")?
            .get("rawBytes", "raw_bytes", "verificationMaterial.certificate")?
            .ok_or_else(|| bad("`verificationMaterial.certificate` has no `rawBytes`"))
            .and_then(|b| bytes(b, "verificationMaterial.certificate.rawBytes"))?;
    }
    let has_tlog_entries =
        match material.get("tlogEntries", "tlog_entries", "verificationMaterial")? {
            Some(v) => !array(v, "verificationMaterial.tlogEntries")?.is_empty(),
            None => false,
        };

    let dsse = top.get("dsseEnvelope", "dsse_envelope", "bundle")?;
    let message = top.get("messageSignature", "message_signature", "bundle")?;
    let content = match (dsse, message) {
        (Some(_), Some(_)) => {
            return Err(bad(
                "the bundle sets both `dsseEnvelope` and `messageSignature`",
            ));
        }
        (None, None) => {
            return Err(bad(
                "the bundle has neither `dsseEnvelope` nor `messageSignature`",
            ));
        }
        (Some(env), None) => Content::Dsse(parse_envelope(env)?),
        (None, Some(msg)) => Content::Message(parse_message(msg)?),
    };
    Ok(Bundle {
        header: Header {
            media_type: media_type.to_string(),
            key_hint,
            has_tlog_entries,
        },
        content,
    })
}

fn parse_envelope(v: &GoValue) -> Result<Envelope, Rejection> {
    let env = obj(v, "dsseEnvelope")?;
    let payload = env
        .get("payload", "payload", "dsseEnvelope")?
        .ok_or_else(|| bad("`dsseEnvelope` has no `payload`"))
        .and_then(|p| bytes(p, "dsseEnvelope.payload"))?;
    let payload_type = match env.get("payloadType", "payload_type", "dsseEnvelope")? {
        Some(t) => string(t, "dsseEnvelope.payloadType")?.to_string(),
        None => String::new(),
    };
    let mut signatures = Vec::new();
    if let Some(sigs) = env.get("signatures", "signatures", "dsseEnvelope")? {
        for (i, s) in array(sigs, "dsseEnvelope.signatures")?.iter().enumerate() {
            let path = format!("dsseEnvelope.signatures[{i}]");
            let sig = obj(s, &path)?;
            if let Some(k) = sig.get("keyid", "keyid", &path)? {
                string(k, &format!("{path}.keyid"))?;
            }
            let bytes = match sig.get("sig", "sig", &path)? {
                Some(b) => bytes(b, &format!("{path}.sig"))?,
                None => Vec::new(),
            };
            signatures.push(bytes);
        }
    }
    // sigstore-go `verifyEnvelope`: "A DSSE envelope in a Sigstore bundle MUST only contain
    // one signature, even though DSSE is more permissive."
    if signatures.len() != 1 {
        return Err(bad(format!(
            "`dsseEnvelope` has {} signatures; a Sigstore bundle's envelope carries exactly one",
            signatures.len()
        )));
    }
    Ok(Envelope {
        payload,
        payload_type,
        signatures,
    })
}

fn parse_message(v: &GoValue) -> Result<Message, Rejection> {
    let msg = obj(v, "messageSignature")?;
    let signature = msg
        .get("signature", "signature", "messageSignature")?
        .ok_or_else(|| bad("`messageSignature` has no `signature`"))
        .and_then(|s| bytes(s, "messageSignature.signature"))?;
    let digest = msg
        .get("messageDigest", "message_digest", "messageSignature")?
        .ok_or_else(|| bad("`messageSignature` has no `messageDigest`"))?;
    let digest = obj(digest, "messageSignature.messageDigest")?;
    let algorithm = match digest.get("algorithm", "algorithm", "messageSignature.messageDigest")? {
        None => HashAlgorithm::Unspecified,
        Some(GoValue::String(s)) => match s.as_str() {
            "HASH_ALGORITHM_UNSPECIFIED" => HashAlgorithm::Unspecified,
            "SHA2_256" => HashAlgorithm::Sha2_256,
            "SHA2_384" => HashAlgorithm::Named("SHA2_384"),
            "SHA2_512" => HashAlgorithm::Named("SHA2_512"),
            "SHA3_256" => HashAlgorithm::Named("SHA3_256"),
            "SHA3_384" => HashAlgorithm::Named("SHA3_384"),
            other => {
                return Err(bad(format!(
                    "unknown messageDigest algorithm `{}`",
                    clip(other)
                )));
            }
        },
        Some(GoValue::Number(n)) => match n.as_i64() {
            Some(0) => HashAlgorithm::Unspecified,
            Some(1) => HashAlgorithm::Sha2_256,
            Some(n) => HashAlgorithm::Other(n),
            None => return Err(bad("messageDigest algorithm is not an integer")),
        },
        Some(other) => {
            return Err(kind_error(
                "messageSignature.messageDigest.algorithm",
                "string or number",
                other,
            ));
        }
    };
    let digest = match digest.get("digest", "digest", "messageSignature.messageDigest")? {
        Some(d) => bytes(d, "messageSignature.messageDigest.digest")?,
        None => Vec::new(),
    };
    Ok(Message {
        algorithm,
        digest,
        signature,
    })
}

struct Subject {
    name: String,
    digests: BTreeMap<String, String>,
    annotations: serde_json::Map<String, serde_json::Value>,
}

struct Statement {
    statement_type: String,
    predicate_type: Option<String>,
    subjects: Vec<Subject>,
}

fn payload_error(what: impl Into<String>) -> Rejection {
    Rejection::BadPayload(what.into())
}

/// The signed statement (protojson of in-toto `Statement`): `_type` (or `type`),
/// `subject[]` with `name`, `digest` (string map) and `annotations` (object),
/// `predicateType` (or `predicate_type`). Unknown members are ignored.
fn parse_statement(payload: &[u8]) -> Result<Statement, Rejection> {
    let root: GoValue = serde_json::from_slice(payload)
        .map_err(|e| payload_error(format!("the in-toto statement is not JSON ({e})")))?;
    let top = match &root {
        GoValue::Object(m) => Obj(m),
        other => {
            return Err(payload_error(format!(
                "the in-toto statement must be a JSON object, found {}",
                other.kind()
            )));
        }
    };
    let as_payload = |r: Rejection| match r {
        Rejection::NotABundle(m) => Rejection::BadPayload(m),
        other => other,
    };
    let statement_type = match top.get("_type", "type", "statement").map_err(as_payload)? {
        Some(t) => string(t, "statement._type")
            .map_err(as_payload)?
            .to_string(),
        None => String::new(),
    };
    let predicate_type = top
        .get("predicateType", "predicate_type", "statement")
        .map_err(as_payload)?
        .map(|p| string(p, "statement.predicateType").map(str::to_string))
        .transpose()
        .map_err(as_payload)?;
    let mut subjects = Vec::new();
    if let Some(list) = top
        .get("subject", "subject", "statement")
        .map_err(as_payload)?
    {
        let list = array(list, "statement.subject").map_err(as_payload)?;
        if list.len() > MAX_SUBJECTS {
            return Err(payload_error(format!(
                "the statement has {} subjects, more than {MAX_SUBJECTS}",
                list.len()
            )));
        }
        for (i, s) in list.iter().enumerate() {
            subjects.push(parse_subject(s, i).map_err(as_payload)?);
        }
    }
    Ok(Statement {
        statement_type,
        predicate_type,
        subjects,
    })
}

fn parse_subject(v: &GoValue, i: usize) -> Result<Subject, Rejection> {
    let path = format!("statement.subject[{i}]");
    let s = obj(v, &path)?;
    let name = match s.get("name", "name", &path)? {
        Some(n) => string(n, &format!("{path}.name"))?.to_string(),
        None => String::new(),
    };
    let mut digests = BTreeMap::new();
    if let Some(d) = s.get("digest", "digest", &path)? {
        let dpath = format!("{path}.digest");
        let members = obj(d, &dpath)?.0;
        if members.len() > MAX_SUBJECT_DIGESTS {
            return Err(bad(format!(
                "`{dpath}` has {} digests, more than {MAX_SUBJECT_DIGESTS}",
                members.len()
            )));
        }
        for (alg, hex) in members {
            let hex = string(hex, &format!("{dpath}.{}", clip(alg)))?;
            if digests.insert(alg.clone(), hex.to_string()).is_some() {
                return Err(bad(format!("`{dpath}` repeats algorithm `{}`", clip(alg))));
            }
        }
    }
    let mut annotations = serde_json::Map::new();
    if let Some(a) = s.get("annotations", "annotations", &path)? {
        match a.clone().into_json() {
            serde_json::Value::Object(m) => annotations = m,
            _ => return Err(kind_error(&format!("{path}.annotations"), "object", a)),
        }
    }
    Ok(Subject {
        name,
        digests,
        annotations,
    })
}

// ---------------------------------------------------------------------------------------
// Signing.

/// The in-toto statement cosign v3 `sign` signs for `manifest_digest`, as compact JSON in
/// protojson field order: `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":
/// {"sha256":<hex>},"annotations":{…}}],"predicateType":"https://sigstore.dev/cosign/sign/v1",
/// "predicate":{}}`. (Go's protojson randomises insignificant whitespace per build, so
/// cosign's bytes are not reproducible byte for byte; the structure is.)
pub fn cosign_sign_statement(
    manifest_digest: &str,
    annotations: &BTreeMap<String, String>,
) -> Result<Vec<u8>, CosignError> {
    let hex = crate::manifest::sha256_hex(manifest_digest)?;
    let annotations: serde_json::Map<String, serde_json::Value> = annotations
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let annotations =
        serde_json::to_string(&annotations).map_err(|e| CosignError::Signing(e.to_string()))?;
    Ok(format!(
        r#"{{"_type":"{IN_TOTO_STATEMENT_V1}","subject":[{{"digest":{{"sha256":"{hex}"}},"annotations":{annotations}}}],"predicateType":"{COSIGN_SIGN_PREDICATE_TYPE}","predicate":{{}}}}"#
    )
    .into_bytes())
}

/// `verificationMaterial.publicKey.hint` cosign writes for `key`: standard base64 of the
/// SHA-256 of its SubjectPublicKeyInfo DER (cosign `NewSignerVerifierKeypair`).
pub fn public_key_hint(key: &PublicKey) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, key.spki_der());
    STANDARD.encode(d.as_ref())
}

impl SigningKey {
    /// A Sigstore bundle v0.3 (JSON) signing `manifest_digest` as `cosign sign --key
    /// cosign.key --tlog-upload=false` v3 does: a DSSE envelope over
    /// [`cosign_sign_statement`] (no annotations) with payload type
    /// [`IN_TOTO_PAYLOAD_TYPE`], `verificationMaterial.publicKey.hint` =
    /// [`public_key_hint`], no transparency-log entries or timestamps. cosign v3 records no
    /// image name in the statement, so `docker_reference` (kept for symmetry with
    /// [`SigningKey::sign_image`]) is not written. Push it as the single
    /// layer of a referrer manifest (see [`build_bundle_referrer_manifest`]).
    pub fn sign_bundle(
        &self,
        docker_reference: &str,
        manifest_digest: &str,
    ) -> Result<Vec<u8>, CosignError> {
        let _ = docker_reference;
        self.sign_bundle_with_annotations(manifest_digest, &BTreeMap::new())
    }

    /// Like [`SigningKey::sign_bundle`] with `cosign sign -a key=value` annotations (in the
    /// subject's `annotations`).
    pub fn sign_bundle_with_annotations(
        &self,
        manifest_digest: &str,
        annotations: &BTreeMap<String, String>,
    ) -> Result<Vec<u8>, CosignError> {
        let statement = cosign_sign_statement(manifest_digest, annotations)?;
        let signature = self
            .sign(&pae(IN_TOTO_PAYLOAD_TYPE, &statement))
            .map_err(|e| CosignError::Signing(e.to_string()))?;
        let hint = public_key_hint(self.public_key());
        Ok(format!(
            r#"{{"mediaType":"{SIGSTORE_BUNDLE_V03_MEDIA_TYPE}","verificationMaterial":{{"publicKey":{{"hint":"{hint}"}}}},"dsseEnvelope":{{"payload":"{}","payloadType":"{IN_TOTO_PAYLOAD_TYPE}","signatures":[{{"sig":"{}"}}]}}}}"#,
            STANDARD.encode(&statement),
            STANDARD.encode(&signature),
        )
        .into_bytes())
    }
}

/// The artifacts to push for one bundle: the referrer manifest and its two blobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleArtifacts {
    /// The OCI image manifest (push by digest; its `subject` makes it a referrer).
    pub manifest: Vec<u8>,
    /// `sha256:` digest of `manifest`.
    pub manifest_digest: String,
    /// The empty config blob `{}` ([`OCI_EMPTY_MEDIA_TYPE`]).
    pub config: crate::Blob,
    /// The bundle blob (the single layer).
    pub bundle: crate::Blob,
}

/// The referrer manifest cosign v3 pushes for a bundle (BUNDLE_SPEC.md): OCI image
/// manifest, `artifactType` [`SIGSTORE_BUNDLE_V03_MEDIA_TYPE`], the empty config, one layer
/// (the bundle), `subject` = the signed image's descriptor, and the annotations
/// `dev.sigstore.bundle.content` = `dsse-envelope` and
/// `dev.sigstore.bundle.predicateType` = [`COSIGN_SIGN_PREDICATE_TYPE`]. cosign
/// (`WriteAttestationNewBundleFormat`) also writes `org.opencontainers.image.created`; it is
/// left out here so the bytes are deterministic.
pub fn build_bundle_referrer_manifest(
    bundle_json: &[u8],
    subject_media_type: &str,
    subject_digest: &str,
    subject_size: u64,
) -> Result<BundleArtifacts, CosignError> {
    crate::manifest::sha256_hex(subject_digest)?;
    let config = crate::Blob {
        digest: sha256_digest(b"{}"),
        size: 2,
        media_type: OCI_EMPTY_MEDIA_TYPE.to_string(),
        data: b"{}".to_vec(),
    };
    let bundle = crate::Blob {
        digest: sha256_digest(bundle_json),
        size: bundle_json.len() as u64,
        media_type: SIGSTORE_BUNDLE_V03_MEDIA_TYPE.to_string(),
        data: bundle_json.to_vec(),
    };
    let value = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": crate::OCI_MANIFEST_MEDIA_TYPE,
        "artifactType": SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
        "config": {
            "mediaType": OCI_EMPTY_MEDIA_TYPE,
            "digest": config.digest,
            "size": 2,
        },
        "layers": [{
            "mediaType": SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
            "digest": bundle.digest,
            "size": bundle_json.len(),
        }],
        "subject": {
            "mediaType": subject_media_type,
            "digest": subject_digest,
            "size": subject_size,
        },
        "annotations": {
            "dev.sigstore.bundle.content": "dsse-envelope",
            "dev.sigstore.bundle.predicateType": COSIGN_SIGN_PREDICATE_TYPE,
        },
    });
    let manifest =
        serde_json::to_vec(&value).map_err(|e| CosignError::ManifestJson(e.to_string()))?;
    Ok(BundleArtifacts {
        manifest_digest: sha256_digest(&manifest),
        manifest,
        config,
        bundle,
    })
}

/// A bundle referrer manifest (what the referrers API lists with `artifactType` a bundle
/// media type), reduced to what verification needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleReferrer {
    /// `artifactType` of the manifest (a bundle media type).
    pub artifact_type: String,
    /// Digest of the bundle blob: the first layer, as cosign reads it (BUNDLE_SPEC.md).
    pub bundle_digest: String,
    /// Size of the bundle blob.
    pub bundle_size: u64,
    /// Media type of that layer.
    pub bundle_media_type: String,
    /// `subject.digest`, when present.
    pub subject_digest: Option<String>,
    /// Manifest annotations (`dev.sigstore.bundle.content`, `.predicateType`,
    /// `org.opencontainers.image.created`).
    pub annotations: BTreeMap<String, String>,
}

impl BundleReferrer {
    /// `dev.sigstore.bundle.predicateType` (unsigned metadata: a hint for choosing which
    /// bundles to fetch, never a substitute for [`VerifiedBundle::predicate_type`]).
    pub fn predicate_type_hint(&self) -> Option<&str> {
        self.annotations
            .get("dev.sigstore.bundle.predicateType")
            .map(String::as_str)
    }
}

#[derive(serde::Deserialize)]
struct RawReferrer {
    #[serde(rename = "schemaVersion", default)]
    schema_version: Option<serde_json::Value>,
    #[serde(rename = "mediaType", default)]
    media_type: Option<String>,
    #[serde(rename = "artifactType", default)]
    artifact_type: Option<String>,
    #[serde(default)]
    layers: Option<Vec<RawDescriptor>>,
    #[serde(default)]
    subject: Option<RawDescriptor>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
}

#[derive(serde::Deserialize)]
struct RawDescriptor {
    #[serde(rename = "mediaType", default)]
    media_type: Option<String>,
    digest: String,
    #[serde(default)]
    size: Option<u64>,
}

/// Reads a bundle referrer manifest: an OCI image manifest (`schemaVersion` 2, media type
/// [`crate::OCI_MANIFEST_MEDIA_TYPE`] when given) whose `artifactType` is a bundle media
/// type ([`is_bundle_media_type`]) and whose first layer (a bundle media type, with a
/// sha256 digest and a size) is the bundle. Unknown fields are ignored.
pub fn parse_bundle_referrer(manifest_json: &[u8]) -> Result<BundleReferrer, CosignError> {
    let raw: RawReferrer = serde_json::from_slice(manifest_json)
        .map_err(|e| CosignError::ManifestJson(e.to_string()))?;
    if raw
        .schema_version
        .as_ref()
        .is_some_and(|v| v.as_i64() != Some(2))
    {
        return Err(CosignError::ManifestJson(
            "schemaVersion must be 2".to_string(),
        ));
    }
    if let Some(mt) = raw.media_type.as_deref()
        && mt != crate::OCI_MANIFEST_MEDIA_TYPE
    {
        return Err(CosignError::NotAManifest(clip(mt)));
    }
    let artifact_type = raw.artifact_type.unwrap_or_default();
    if !is_bundle_media_type(&artifact_type) {
        return Err(CosignError::NotAManifest(format!(
            "artifactType `{}` is not a Sigstore bundle",
            clip(&artifact_type)
        )));
    }
    let layer = raw
        .layers
        .unwrap_or_default()
        .into_iter()
        .next()
        .ok_or_else(|| CosignError::ManifestJson("no bundle layer".to_string()))?;
    let malformed = |reason: String| CosignError::MalformedLayer { index: 0, reason };
    let media_type = layer.media_type.unwrap_or_default();
    if !is_bundle_media_type(&media_type) {
        return Err(malformed(format!(
            "media type `{}` is not a Sigstore bundle",
            clip(&media_type)
        )));
    }
    crate::manifest::sha256_hex(&layer.digest)
        .map_err(|_| malformed(format!("digest `{}` is not sha256", clip(&layer.digest))))?;
    let size = layer.size.ok_or_else(|| malformed("no size".to_string()))?;
    Ok(BundleReferrer {
        artifact_type,
        bundle_digest: layer.digest,
        bundle_size: size,
        bundle_media_type: media_type,
        subject_digest: raw.subject.map(|s| s.digest),
        annotations: raw.annotations.unwrap_or_default(),
    })
}

/// [`verify_bundle_details`] on a fetched bundle blob, after checking it against the
/// referrer's layer descriptor: the size ([`Rejection::PayloadSizeMismatch`]) and sha256
/// ([`Rejection::PayloadDigestMismatch`]).
pub fn verify_bundle_blob(
    referrer: &BundleReferrer,
    blob: &[u8],
    keys: &[PublicKey],
    expected_manifest_digest: &str,
) -> Result<VerifiedBundle, Rejection> {
    let actual_size = blob.len() as u64;
    if actual_size != referrer.bundle_size {
        return Err(Rejection::PayloadSizeMismatch {
            declared: referrer.bundle_size,
            actual: actual_size,
        });
    }
    let actual = sha256_digest(blob);
    if actual != referrer.bundle_digest {
        return Err(Rejection::PayloadDigestMismatch {
            declared: referrer.bundle_digest.clone(),
            actual,
        });
    }
    verify_bundle_details(blob, keys, expected_manifest_digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:bfec161fecb0a887df7cb85e4da327c65986ccda7060cf3cd92171c6c90d7533";

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // DSSE protocol.md test vector.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn media_types() {
        for ok in BUNDLE_MEDIA_TYPES {
            assert!(is_bundle_media_type(ok));
        }
        for no in [
            "application/vnd.dev.sigstore.bundle.v0.4+json",
            "application/vnd.dev.sigstore.bundle+json",
            "application/vnd.dev.sigstore.bundle.V0.3+json",
            "",
        ] {
            assert!(!is_bundle_media_type(no), "{no}");
        }
    }

    #[test]
    fn protojson_bytes_variants() {
        let v = |s: &str| GoValue::String(s.to_string());
        assert_eq!(bytes(&v("AQID"), "x").unwrap(), [1, 2, 3]);
        assert_eq!(bytes(&v("AQ"), "x").unwrap(), [1], "unpadded");
        assert_eq!(bytes(&v("AQ=="), "x").unwrap(), [1], "padded");
        assert_eq!(bytes(&v("-_8"), "x").unwrap(), [0xfb, 0xff], "url-safe");
        assert_eq!(bytes(&v("+/8="), "x").unwrap(), [0xfb, 0xff]);
        assert!(bytes(&v("AQ="), "x").is_err(), "bad padding");
        assert!(bytes(&v("A Q=="), "x").is_err());
        assert!(bytes(&GoValue::Bool(true), "x").is_err());
    }

    #[test]
    fn statement_is_cosigns_shape() {
        let s = cosign_sign_statement(DIGEST, &BTreeMap::new()).unwrap();
        assert_eq!(
            String::from_utf8(s).unwrap(),
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"bfec161fecb0a887df7cb85e4da327c65986ccda7060cf3cd92171c6c90d7533"},"annotations":{}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}"#
        );
        assert!(cosign_sign_statement("sha256:AB", &BTreeMap::new()).is_err());
    }

    #[test]
    fn certificate_key_extraction_rejects_junk() {
        assert!(PublicKey::from_certificate_der(&[]).is_err());
        assert!(PublicKey::from_certificate_der(&[0x30, 0x00]).is_err());
        assert!(PublicKey::from_certificate_der(&[0x30, 0x02, 0x30, 0x00]).is_err());
    }

    #[test]
    fn clip_cuts_long_text() {
        assert_eq!(clip("abc"), "abc");
        assert_eq!(clip(&"x".repeat(500)).chars().count(), 129);
    }
}

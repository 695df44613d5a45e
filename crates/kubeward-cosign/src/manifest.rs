//! The signature image at tag `sha256-<hex>.sig`: reading it, and building the exact
//! bytes cosign (go-containerregistry) pushes.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::gojson::push_string;
use crate::{CosignError, sha256_digest};

/// Media type of a simple-signing payload layer.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// OCI image manifest media type (what cosign pushes by default).
pub const OCI_MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker schema 2 manifest media type (cosign with `COSIGN_DOCKER_MEDIA_TYPES=1`).
pub const DOCKER_MANIFEST_MEDIA_TYPE: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// OCI image config media type.
pub const OCI_CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";
/// Layer annotation: base64 signature over the payload bytes.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// Layer annotation: PEM signing certificate (keyless / certificate signing).
pub const CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
/// Layer annotation: PEM certificate chain.
pub const CHAIN_ANNOTATION: &str = "dev.sigstore.cosign/chain";
/// Layer annotation: Rekor bundle JSON.
pub const BUNDLE_ANNOTATION: &str = "dev.sigstore.cosign/bundle";
/// Layer annotation: RFC 3161 timestamp JSON.
pub const TIMESTAMP_ANNOTATION: &str = "dev.sigstore.cosign/timestamp";

/// Checks `sha256:<64 lowercase hex>` (go-containerregistry's `v1.NewHash` rules) and
/// returns the hex part.
pub(crate) fn sha256_hex(digest: &str) -> Result<&str, CosignError> {
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|h| {
            h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
        .ok_or_else(|| CosignError::InvalidDigest(digest.to_string()))?;
    Ok(hex)
}

/// The tag cosign stores signatures of `manifest_digest` under:
/// `sha256:abc…` -> `sha256-abc….sig`.
pub fn signature_tag(manifest_digest: &str) -> Result<String, CosignError> {
    Ok(format!("sha256-{}.sig", sha256_hex(manifest_digest)?))
}

/// The tag cosign stores attestations under: `sha256-<hex>.att`.
pub fn attestation_tag(manifest_digest: &str) -> Result<String, CosignError> {
    Ok(format!("sha256-{}.att", sha256_hex(manifest_digest)?))
}

/// One signature layer of a signature manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureLayer {
    /// Descriptor digest of the payload blob (`sha256:…`).
    pub payload_digest: String,
    /// Descriptor size of the payload blob.
    pub payload_size: u64,
    /// Descriptor media type ([`SIMPLE_SIGNING_MEDIA_TYPE`]).
    pub media_type: String,
    /// [`SIGNATURE_ANNOTATION`], when present.
    pub signature_b64: Option<String>,
    /// [`CERTIFICATE_ANNOTATION`], when present.
    pub certificate_pem: Option<String>,
    /// All descriptor annotations.
    pub annotations: BTreeMap<String, String>,
}

impl SignatureLayer {
    /// [`CHAIN_ANNOTATION`], when present.
    pub fn chain_pem(&self) -> Option<&str> {
        self.annotations.get(CHAIN_ANNOTATION).map(String::as_str)
    }
    /// [`BUNDLE_ANNOTATION`] (Rekor bundle JSON), when present. Not verified by this crate.
    pub fn bundle_json(&self) -> Option<&str> {
        self.annotations.get(BUNDLE_ANNOTATION).map(String::as_str)
    }
    /// [`TIMESTAMP_ANNOTATION`], when present. Not verified by this crate.
    pub fn timestamp_json(&self) -> Option<&str> {
        self.annotations
            .get(TIMESTAMP_ANNOTATION)
            .map(String::as_str)
    }
}

#[derive(Deserialize)]
struct RawManifest {
    #[serde(rename = "schemaVersion", default)]
    schema_version: Option<serde_json::Value>,
    #[serde(rename = "mediaType", default)]
    media_type: Option<String>,
    #[serde(default)]
    layers: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    manifests: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawDescriptor {
    digest: String,
    size: u64,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
}

/// Reads the simple-signing layers of a signature manifest (OCI or Docker schema 2).
/// Unknown fields are ignored, and so are layers of other media types (they are not
/// parsed at all). A simple-signing layer without a string `digest` or a non-negative
/// integer `size`, or with non-string annotations, makes the manifest malformed.
pub fn parse_signature_manifest(manifest_json: &[u8]) -> Result<Vec<SignatureLayer>, CosignError> {
    let raw: RawManifest = serde_json::from_slice(manifest_json)
        .map_err(|e| CosignError::ManifestJson(e.to_string()))?;
    if let Some(mt) = raw.media_type.as_deref()
        && mt != OCI_MANIFEST_MEDIA_TYPE
        && mt != DOCKER_MANIFEST_MEDIA_TYPE
    {
        return Err(CosignError::NotAManifest(mt.to_string()));
    }
    if raw
        .schema_version
        .as_ref()
        .is_some_and(|v| v.as_i64() != Some(2))
    {
        return Err(CosignError::ManifestJson(
            "schemaVersion must be 2".to_string(),
        ));
    }
    let Some(layers) = raw.layers else {
        if raw.manifests.is_some() {
            return Err(CosignError::NotAManifest(
                "an image index (it has `manifests`)".to_string(),
            ));
        }
        return Err(CosignError::ManifestJson("no `layers` array".to_string()));
    };
    let mut out = Vec::new();
    for (index, layer) in layers.into_iter().enumerate() {
        let media_type = layer
            .get("mediaType")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string();
        if media_type != SIMPLE_SIGNING_MEDIA_TYPE {
            continue;
        }
        let desc: RawDescriptor =
            serde_json::from_value(layer).map_err(|e| CosignError::MalformedLayer {
                index,
                reason: e.to_string(),
            })?;
        let annotations = desc.annotations.unwrap_or_default();
        out.push(SignatureLayer {
            payload_digest: desc.digest,
            payload_size: desc.size,
            media_type,
            signature_b64: annotations.get(SIGNATURE_ANNOTATION).cloned(),
            certificate_pem: annotations.get(CERTIFICATE_ANNOTATION).cloned(),
            annotations,
        });
    }
    Ok(out)
}

/// A blob to push before the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// `sha256:<hex>` of `data`.
    pub digest: String,
    /// Length of `data`.
    pub size: u64,
    /// Descriptor media type.
    pub media_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

impl Blob {
    fn new(media_type: &str, data: Vec<u8>) -> Blob {
        Blob {
            digest: sha256_digest(&data),
            size: data.len() as u64,
            media_type: media_type.to_string(),
            data,
        }
    }
}

/// Everything a pusher needs for the `.sig` tag: push `config` and every blob of
/// `payloads`, then PUT `manifest` with content type `manifest_media_type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureArtifacts {
    /// The config blob bytes (go-containerregistry's empty-image config).
    pub config: Vec<u8>,
    /// `sha256:<hex>` of `config`.
    pub config_digest: String,
    /// The first layer's payload (convenience for the single-signature case).
    pub payload: Vec<u8>,
    /// Every distinct payload blob, in first-use layer order.
    pub payloads: Vec<Blob>,
    /// The manifest bytes.
    pub manifest: Vec<u8>,
    /// `sha256:<hex>` of `manifest`.
    pub manifest_digest: String,
    /// [`OCI_MANIFEST_MEDIA_TYPE`].
    pub manifest_media_type: String,
}

/// Builds the signature manifest cosign pushes for `(payload, raw signature)` pairs, one
/// layer each in order, with the base64 signature annotation.
pub fn build_signature_manifest(
    signatures: &[(Vec<u8>, Vec<u8>)],
) -> Result<SignatureArtifacts, CosignError> {
    use base64::Engine as _;
    let layers: Vec<(Vec<u8>, BTreeMap<String, String>)> = signatures
        .iter()
        .map(|(payload, sig)| {
            let mut annotations = BTreeMap::new();
            annotations.insert(
                SIGNATURE_ANNOTATION.to_string(),
                base64::engine::general_purpose::STANDARD.encode(sig),
            );
            (payload.clone(), annotations)
        })
        .collect();
    build_signature_manifest_with_annotations(&layers)
}

/// Builds a signature manifest from `(payload, layer annotations)` pairs: use it to add a
/// signature to an existing `.sig` image (pass the existing layers' annotations, from
/// [`parse_signature_manifest`], with their payloads, then the new one) or to carry
/// certificate/bundle annotations. Exact duplicates (same payload and annotations) are
/// kept once, like cosign's duplicate detection. Bytes follow go-containerregistry:
/// compact JSON, Go string escaping, annotations sorted, zero creation time.
pub fn build_signature_manifest_with_annotations(
    layers: &[(Vec<u8>, BTreeMap<String, String>)],
) -> Result<SignatureArtifacts, CosignError> {
    let mut unique: Vec<&(Vec<u8>, BTreeMap<String, String>)> = Vec::new();
    for layer in layers {
        if !unique.contains(&layer) {
            unique.push(layer);
        }
    }
    let first = unique.first().ok_or(CosignError::NoSignatures)?;

    let mut payloads: Vec<Blob> = Vec::new();
    let mut descriptors = Vec::with_capacity(unique.len());
    for (payload, annotations) in &unique {
        let blob = Blob::new(SIMPLE_SIGNING_MEDIA_TYPE, payload.clone());
        descriptors.push((blob.digest.clone(), blob.size, annotations));
        if !payloads.iter().any(|b| b.digest == blob.digest) {
            payloads.push(blob);
        }
    }

    // go-containerregistry ConfigFile of empty.Image + one zero-time history entry and one
    // diff_id (= the uncompressed layer digest) per appended layer.
    let mut config =
        String::from(r#"{"architecture":"","created":"0001-01-01T00:00:00Z","history":["#);
    for i in 0..descriptors.len() {
        if i > 0 {
            config.push(',');
        }
        config.push_str(r#"{"created":"0001-01-01T00:00:00Z"}"#);
    }
    config.push_str(r#"],"os":"","rootfs":{"type":"layers","diff_ids":["#);
    for (i, (digest, _, _)) in descriptors.iter().enumerate() {
        if i > 0 {
            config.push(',');
        }
        push_string(&mut config, digest);
    }
    config.push_str(r#"]},"config":{}}"#);
    let config = config.into_bytes();
    let config_digest = sha256_digest(&config);

    let mut m = String::from(r#"{"schemaVersion":2,"mediaType":"#);
    push_string(&mut m, OCI_MANIFEST_MEDIA_TYPE);
    m.push_str(r#","config":{"mediaType":"#);
    push_string(&mut m, OCI_CONFIG_MEDIA_TYPE);
    m.push_str(&format!(r#","size":{},"digest":"#, config.len()));
    push_string(&mut m, &config_digest);
    m.push_str(r#"},"layers":["#);
    for (i, (digest, size, annotations)) in descriptors.iter().enumerate() {
        if i > 0 {
            m.push(',');
        }
        m.push_str(r#"{"mediaType":"#);
        push_string(&mut m, SIMPLE_SIGNING_MEDIA_TYPE);
        m.push_str(&format!(r#","size":{size},"digest":"#));
        push_string(&mut m, digest);
        if !annotations.is_empty() {
            m.push_str(r#","annotations":{"#);
            for (j, (k, v)) in annotations.iter().enumerate() {
                if j > 0 {
                    m.push(',');
                }
                push_string(&mut m, k);
                m.push(':');
                push_string(&mut m, v);
            }
            m.push('}');
        }
        m.push('}');
    }
    m.push_str("]}");
    let manifest = m.into_bytes();

    Ok(SignatureArtifacts {
        config,
        config_digest,
        payload: first.0.clone(),
        payloads,
        manifest_digest: sha256_digest(&manifest),
        manifest,
        manifest_media_type: OCI_MANIFEST_MEDIA_TYPE.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:97fc222cee7991b5b061d4d4afdb5f3428fcb0c9054e1690313786befa1e4e36";

    #[test]
    fn tags() {
        // The example of SIGNATURE_SPEC.md.
        assert_eq!(
            signature_tag(D).unwrap(),
            "sha256-97fc222cee7991b5b061d4d4afdb5f3428fcb0c9054e1690313786befa1e4e36.sig"
        );
        assert!(attestation_tag(D).unwrap().ends_with(".att"));
        for bad in [
            "",
            "sha256:",
            "sha256:abc",
            "sha512:97fc",
            "97fc222cee7991b5b061d4d4afdb5f3428fcb0c9054e1690313786befa1e4e36",
        ] {
            assert!(
                matches!(signature_tag(bad), Err(CosignError::InvalidDigest(_))),
                "{bad}"
            );
        }
        let upper = D.to_uppercase().replace("SHA256", "sha256");
        assert!(
            signature_tag(&upper).is_err(),
            "upper-case hex is not a valid digest"
        );
    }

    #[test]
    fn parse_is_lenient_and_filters() {
        let m = br#"{"schemaVersion":2,"extra":true,"layers":[
            {"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":5},
            {"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":3,"digest":"sha256:x",
             "annotations":{"dev.cosignproject.cosign/signature":"AQID","dev.sigstore.cosign/certificate":"CERT","dev.sigstore.cosign/bundle":"{}","z":"1"}}]}"#;
        let layers = parse_signature_manifest(m).unwrap();
        assert_eq!(layers.len(), 1);
        let l = &layers[0];
        assert_eq!((l.payload_digest.as_str(), l.payload_size), ("sha256:x", 3));
        assert_eq!(l.signature_b64.as_deref(), Some("AQID"));
        assert_eq!(l.certificate_pem.as_deref(), Some("CERT"));
        assert_eq!(l.bundle_json(), Some("{}"));
        assert_eq!(l.chain_pem(), None);
        assert_eq!(l.annotations.len(), 4);
    }

    #[test]
    fn parse_errors() {
        assert!(matches!(
            parse_signature_manifest(b"nope"),
            Err(CosignError::ManifestJson(_))
        ));
        assert!(matches!(
            parse_signature_manifest(b"{}"),
            Err(CosignError::ManifestJson(_))
        ));
        assert!(matches!(
            parse_signature_manifest(
                br#"{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#
            ),
            Err(CosignError::NotAManifest(_))
        ));
        assert!(matches!(
            parse_signature_manifest(br#"{"manifests":[]}"#),
            Err(CosignError::NotAManifest(_))
        ));
        assert!(matches!(
            parse_signature_manifest(br#"{"schemaVersion":1,"layers":[]}"#),
            Err(CosignError::ManifestJson(_))
        ));
        let neg = br#"{"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":-1,"digest":"sha256:x"}]}"#;
        assert!(matches!(
            parse_signature_manifest(neg),
            Err(CosignError::MalformedLayer { index: 0, .. })
        ));
        let docker = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","layers":[]}"#;
        assert_eq!(parse_signature_manifest(docker).unwrap(), vec![]);
    }

    #[test]
    fn build_dedupes_and_orders() {
        let a = (b"one".to_vec(), vec![1u8]);
        let b = (b"one".to_vec(), vec![2u8]);
        let art = build_signature_manifest(&[a.clone(), b, a]).unwrap();
        let layers = parse_signature_manifest(&art.manifest).unwrap();
        assert_eq!(layers.len(), 2, "exact duplicate dropped");
        assert_eq!(art.payloads.len(), 1, "same payload blob pushed once");
        assert_eq!(layers[0].signature_b64.as_deref(), Some("AQ=="));
        assert_eq!(layers[1].signature_b64.as_deref(), Some("Ag=="));
        let config = String::from_utf8(art.config.clone()).unwrap();
        assert_eq!(
            config
                .matches(r#"{"created":"0001-01-01T00:00:00Z"}"#)
                .count(),
            2
        );
        assert_eq!(art.config_digest, sha256_digest(&art.config));
        assert_eq!(art.manifest_digest, sha256_digest(&art.manifest));
        assert!(matches!(
            build_signature_manifest(&[]),
            Err(CosignError::NoSignatures)
        ));
    }
}

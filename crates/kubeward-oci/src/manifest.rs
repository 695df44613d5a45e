//! Manifests, indexes and descriptors (OCI image spec and Docker schema 2).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::error::OciError;

/// `application/vnd.oci.image.manifest.v1+json`
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// `application/vnd.oci.image.index.v1+json`
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// `application/vnd.docker.distribution.manifest.v2+json`
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// `application/vnd.docker.distribution.manifest.list.v2+json`
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// `application/vnd.oci.image.config.v1+json`
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// `application/vnd.oci.image.layer.v1.tar`
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
/// `application/vnd.oci.image.layer.v1.tar+gzip`
pub const OCI_LAYER_TAR_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// `application/vnd.oci.empty.v1+json`: the media type of the empty descriptor (content `{}`),
/// used as the config of artifacts (OCI image spec 1.1, "Guidance for an Empty Descriptor").
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";

/// The manifest media types a client accepts, in preference order (sent as `Accept`).
pub const MANIFEST_ACCEPT: [&str; 4] = [
    OCI_INDEX,
    OCI_MANIFEST,
    DOCKER_MANIFEST_LIST,
    DOCKER_MANIFEST,
];

/// A manifest as fetched: its digest (computed from the bytes), media type and raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The digest of `bytes` (the requested algorithm when fetched by digest, else sha256).
    pub digest: Digest,
    /// The media type: the response `Content-Type`, or the JSON `mediaType` field when the
    /// registry sent no specific type.
    pub media_type: String,
    /// The manifest bytes exactly as served (their hash is the digest).
    pub bytes: Vec<u8>,
}

/// A platform (for index entries).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Platform {
    /// CPU architecture (`amd64`, `arm64`, ...).
    #[serde(default)]
    pub architecture: String,
    /// Operating system (`linux`, `windows`).
    #[serde(default)]
    pub os: String,
    /// CPU variant (`v8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// OS version (Windows).
    #[serde(
        default,
        rename = "os.version",
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
}

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the referenced content.
    #[serde(default)]
    pub media_type: String,
    /// Digest of the referenced content.
    pub digest: Digest,
    /// Size in bytes of the referenced content.
    #[serde(default)]
    pub size: u64,
    /// The artifact type (OCI image spec 1.1; set on referrers-list entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Platform (index entries only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
}

/// A parsed manifest.
#[allow(clippy::large_enum_variant)] // Matches the documented shape; values are short-lived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestKind {
    /// An image manifest (OCI or Docker schema 2).
    ImageManifest {
        /// The config blob.
        config: Descriptor,
        /// The layers, base first.
        layers: Vec<Descriptor>,
        /// Manifest annotations.
        annotations: BTreeMap<String, String>,
        /// The `artifactType` field (OCI image spec 1.1), if set.
        artifact_type: Option<String>,
        /// The `subject` field (OCI image spec 1.1): the manifest this one refers to.
        subject: Option<Descriptor>,
    },
    /// An image index / Docker manifest list.
    Index {
        /// The referenced manifests.
        manifests: Vec<Descriptor>,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    #[serde(default)]
    artifact_type: Option<String>,
    #[serde(default)]
    subject: Option<Descriptor>,
}

impl Manifest {
    /// Parses the bytes as an image manifest or an index. The kind is decided by the media type
    /// when it is one of the four known types, else by the JSON shape (`manifests` vs `config`).
    /// Unknown fields are ignored.
    pub fn parse(&self) -> Result<ManifestKind, OciError> {
        let raw: RawManifest =
            serde_json::from_slice(&self.bytes).map_err(|e| OciError::InvalidResponse {
                what: format!("manifest is not valid JSON: {e}"),
            })?;
        let media_type = if self.media_type.is_empty() {
            raw.media_type.clone().unwrap_or_default()
        } else {
            self.media_type.clone()
        };
        let is_index = match media_type.as_str() {
            OCI_INDEX | DOCKER_MANIFEST_LIST => true,
            OCI_MANIFEST | DOCKER_MANIFEST => false,
            _ => raw.manifests.is_some() && raw.config.is_none(),
        };
        if is_index {
            let manifests = raw.manifests.ok_or_else(|| OciError::InvalidResponse {
                what: "index has no `manifests`".to_owned(),
            })?;
            return Ok(ManifestKind::Index { manifests });
        }
        let config = raw.config.ok_or_else(|| OciError::InvalidResponse {
            what: "image manifest has no `config`".to_owned(),
        })?;
        Ok(ManifestKind::ImageManifest {
            config,
            layers: raw.layers.unwrap_or_default(),
            annotations: raw.annotations,
            artifact_type: raw.artifact_type.filter(|t| !t.is_empty()),
            subject: raw.subject,
        })
    }
}

/// The media type without parameters, lowercased (`application/json; charset=utf-8` ->
/// `application/json`).
pub(crate) fn bare_media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The `mediaType` field of a JSON document, if it has one.
pub(crate) fn json_media_type(bytes: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct M {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
    }
    serde_json::from_slice::<M>(bytes).ok()?.media_type
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(media_type: &str, json: &str) -> Manifest {
        Manifest {
            digest: Digest::sha256_of(json.as_bytes()),
            media_type: media_type.to_owned(),
            bytes: json.as_bytes().to_vec(),
        }
    }

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn parses_image_manifest_leniently() {
        let json = format!(
            r#"{{"schemaVersion":2,"unknown":[1,2],"config":{{"mediaType":"{OCI_CONFIG}","digest":"{D}","size":2,"extra":true}},"layers":[{{"mediaType":"{OCI_LAYER_TAR}","digest":"{D}","size":0}}],"annotations":{{"a":"b"}}}}"#
        );
        match m(OCI_MANIFEST, &json).parse().unwrap() {
            ManifestKind::ImageManifest {
                config,
                layers,
                annotations,
                artifact_type,
                subject,
            } => {
                assert_eq!(artifact_type, None);
                assert_eq!(subject, None);
                assert_eq!(config.size, 2);
                assert_eq!(layers.len(), 1);
                assert_eq!(annotations.get("a").map(String::as_str), Some("b"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_index_by_shape() {
        let json = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{D}","size":7,"platform":{{"architecture":"arm64","os":"linux","variant":"v8"}}}}]}}"#
        );
        match m("", &json).parse().unwrap() {
            ManifestKind::Index { manifests } => {
                let p = manifests[0].platform.clone().unwrap();
                assert_eq!(p.architecture, "arm64");
                assert_eq!(p.variant.as_deref(), Some("v8"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_artifact_type_and_subject() {
        let json = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"application/x.t","config":{{"mediaType":"{OCI_EMPTY}","digest":"{D}","size":2}},"layers":[],"subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{D}","size":9}}}}"#
        );
        let ManifestKind::ImageManifest {
            artifact_type,
            subject,
            ..
        } = m(OCI_MANIFEST, &json).parse().unwrap()
        else {
            panic!("not an image manifest");
        };
        assert_eq!(artifact_type.as_deref(), Some("application/x.t"));
        let subject = subject.unwrap();
        assert_eq!(
            (subject.size, subject.digest.to_string()),
            (9, D.to_owned())
        );
        // A descriptor's artifactType round-trips and is omitted when unset.
        let d: Descriptor = serde_json::from_str(&format!(
            r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{D}","size":1,"artifactType":"a/b"}}"#
        ))
        .unwrap();
        assert_eq!(d.artifact_type.as_deref(), Some("a/b"));
        assert!(
            serde_json::to_string(&d)
                .unwrap()
                .contains(r#""artifactType":"a/b""#)
        );
        let plain = Descriptor {
            artifact_type: None,
            ..d
        };
        assert!(
            !serde_json::to_string(&plain)
                .unwrap()
                .contains("artifactType")
        );
    }

    #[test]
    fn rejects_garbage_and_bad_digests() {
        assert!(m(OCI_MANIFEST, "nope").parse().is_err());
        assert!(m(OCI_MANIFEST, r#"{"layers":[]}"#).parse().is_err());
        let bad = r#"{"config":{"mediaType":"x","digest":"sha256:abc","size":1}}"#;
        assert!(m(OCI_MANIFEST, bad).parse().is_err());
        assert_eq!(
            bare_media_type("Application/JSON; charset=utf-8"),
            "application/json"
        );
    }
}

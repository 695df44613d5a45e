//! The `images:` section of `.kubeward.yaml`: the image supply-chain policy shared by
//! `kubeward scan`, `kubeward image` and the admission webhook (cosign signatures required per
//! registry, SBOM-based vulnerability gate, registry access, admission cache and failure
//! policy). Pure data validated at load; the runtime lives in `kubeward-imagepolicy`.
//!
//! ```
//! use kubeward_rules::Config;
//! let text = "images:\n  signatures:\n  - images: [registry.example.com/team/**]\n    keys: [keys/cosign.pub]\n  vulnerabilities:\n    db: osv\n    fail-on: high\n    sboms:\n    - {image: registry.example.com/team/app:*, sbom: sboms/app.cdx.json}\n";
//! let c = Config::parse("k.yaml", text).unwrap();
//! assert_eq!(c.images.signatures[0].keys, vec!["keys/cosign.pub"]);
//! assert!(c.images.is_active());
//! let err = Config::parse("k.yaml", "images:\n  signatures:\n  - images: [x/**]\n    keys: []\n").unwrap_err();
//! assert_eq!((err.line, err.column), (3, 5));
//! ```

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The image supply-chain policy (`images:`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ImagesConfig {
    /// Signature requirements: images matching a policy's patterns must carry a valid cosign
    /// signature by one of its keys (rule IMG200). The first matching policy applies.
    pub signatures: Vec<SignaturePolicy>,
    /// The SBOM-based vulnerability gate (rule IMG201).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vulnerabilities: Option<VulnerabilityGate>,
    /// How registries are reached.
    pub registry: RegistryAccess,
    /// Admission-time behaviour (cache, registry failures).
    pub admission: AdmissionImages,
}

impl ImagesConfig {
    /// Whether any image check is configured (signatures or vulnerabilities).
    #[must_use]
    pub fn is_active(&self) -> bool {
        !self.signatures.is_empty() || self.vulnerabilities.is_some()
    }
}

/// One signature requirement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct SignaturePolicy {
    /// A name for reports (defaults to the first pattern).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Image patterns on the normalised `registry/repository` (`docker.io/library/nginx`):
    /// `*` matches within one path segment, `**` across segments; a pattern without `*`
    /// matches that repository and everything below it.
    pub images: Vec<String>,
    /// Cosign public keys (PEM files, relative to the configuration file); a signature by any
    /// one of them is accepted.
    pub keys: Vec<String>,
}

/// The vulnerability gate: SBOMs of images matched against a local OSV database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct VulnerabilityGate {
    /// Directory of OSV advisories (one JSON file per advisory, any depth).
    pub db: String,
    /// Lowest advisory severity that produces a finding: `low`, `medium`, `high` (default)
    /// or `critical`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<String>,
    /// Which SBOM describes which image.
    pub sboms: Vec<SbomMapping>,
}

/// An image-to-SBOM mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct SbomMapping {
    /// The image: an exact reference (`ghcr.io/acme/app:1.4`, `ghcr.io/acme/app@sha256:…`) or
    /// a pattern with `*` (`ghcr.io/acme/app:1.4.*`), compared with the normalised reference.
    pub image: String,
    /// CycloneDX (1.4–1.6) or SPDX 2.3 JSON file, relative to the configuration file.
    pub sbom: String,
}

/// Registry access shared by every image check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RegistryAccess {
    /// Registries (`host[:port]`) spoken to over plain HTTP.
    pub insecure: Vec<String>,
    /// Extra CA certificates (PEM files) trusted for registry TLS.
    pub ca: Vec<String>,
    /// Per-request timeout in milliseconds.
    pub timeout_ms: u64,
    /// A Docker `config.json` with registry credentials (never printed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docker_config: Option<String>,
}

impl Default for RegistryAccess {
    fn default() -> Self {
        RegistryAccess {
            insecure: Vec::new(),
            ca: Vec::new(),
            timeout_ms: 5_000,
            docker_config: None,
        }
    }
}

/// What admission does when a registry cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RegistryFailure {
    /// Deny the request (IMG202 is enforced): nothing unverified runs.
    #[default]
    FailClosed,
    /// Allow with a warning (IMG202 is a warning): availability first.
    FailOpen,
}

/// Admission-time image checking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct AdmissionImages {
    /// Registry unreachable, slow or broken: `fail-closed` (deny) or `fail-open` (warn).
    pub on_registry_error: RegistryFailure,
    /// How long a verified (or rejected) digest stays cached, in seconds.
    pub cache_ttl_seconds: u64,
    /// How long a rejection stays cached, in seconds (a newly signed image is accepted after
    /// at most this long).
    pub negative_ttl_seconds: u64,
    /// How long a tag's resolved digest is reused, in seconds.
    pub tag_ttl_seconds: u64,
    /// Entries kept per replica (oldest evicted first).
    pub cache_entries: usize,
}

impl Default for AdmissionImages {
    fn default() -> Self {
        AdmissionImages {
            on_registry_error: RegistryFailure::FailClosed,
            cache_ttl_seconds: 3_600,
            negative_ttl_seconds: 60,
            tag_ttl_seconds: 60,
            cache_entries: 10_000,
        }
    }
}

/// Whether the section is absent (all defaults), to keep it out of serialised configs.
pub(crate) fn is_default(images: &ImagesConfig) -> bool {
    images == &ImagesConfig::default()
}

/// The first problem of an `images:` section: a serde path and a message.
pub(crate) fn validate(images: &ImagesConfig) -> Option<(String, String)> {
    for (i, p) in images.signatures.iter().enumerate() {
        if p.images.is_empty() {
            return Some((
                format!("images.signatures[{i}]"),
                "a signature policy needs at least one image pattern in `images`".into(),
            ));
        }
        if p.keys.is_empty() {
            return Some((
                format!("images.signatures[{i}]"),
                "a signature policy needs at least one public key in `keys`".into(),
            ));
        }
        for (j, pattern) in p.images.iter().enumerate() {
            if pattern.trim().is_empty() || pattern.contains(char::is_whitespace) {
                return Some((
                    format!("images.signatures[{i}].images[{j}]"),
                    format!("`{pattern}` is not an image pattern"),
                ));
            }
        }
    }
    if let Some(v) = &images.vulnerabilities {
        if v.db.trim().is_empty() {
            return Some((
                "images.vulnerabilities".into(),
                "the vulnerability gate needs `db`: a directory of OSV advisories".into(),
            ));
        }
        if let Some(level) = &v.fail_on
            && !matches!(level.as_str(), "low" | "medium" | "high" | "critical")
        {
            return Some((
                "images.vulnerabilities.fail-on".into(),
                format!("`{level}` is not a severity (low, medium, high, critical)"),
            ));
        }
        for (i, m) in v.sboms.iter().enumerate() {
            if m.image.trim().is_empty() || m.sbom.trim().is_empty() {
                return Some((
                    format!("images.vulnerabilities.sboms[{i}]"),
                    "an SBOM mapping needs both `image` and `sbom`".into(),
                ));
            }
        }
    }
    let a = &images.admission;
    if a.cache_entries == 0 {
        return Some((
            "images.admission.cache-entries".into(),
            "must be at least 1".into(),
        ));
    }
    if images.registry.timeout_ms == 0 {
        return Some((
            "images.registry.timeout-ms".into(),
            "must be at least 1".into(),
        ));
    }
    None
}

//! SBOM input: CycloneDX JSON 1.4–1.6 and SPDX JSON 2.2/2.3, read with
//! lenient serde structs (unknown fields ignored).

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::purl::Purl;

/// The largest SBOM file [`load_sbom`] reads (256 MiB).
pub const MAX_SBOM_BYTES: u64 = 256 * 1024 * 1024;

/// The detected SBOM format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "format", rename_all = "lowercase")]
pub enum SbomFormat {
    /// CycloneDX JSON.
    CycloneDx {
        /// `specVersion` (`1.4`, `1.5`, `1.6`).
        spec_version: String,
    },
    /// SPDX JSON.
    Spdx {
        /// `spdxVersion` without the `SPDX-` prefix (`2.3`).
        version: String,
    },
}

/// One package of an SBOM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// Package name as the SBOM gives it (binary package name for OS packages).
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Package URL, if the SBOM has one.
    pub purl: Option<String>,
    /// OSV base ecosystem derived from the purl (`Debian`, `Alpine`, `npm`, `PyPI`, `Go`, ...).
    pub ecosystem: Option<String>,
    /// OSV ecosystem with release, for OS packages (`Debian:12`, `Alpine:v3.18`, `Ubuntu:22.04`).
    pub distro: Option<String>,
    /// Source package name (syft `upstream=` qualifier, trivy `SrcName`, SPDX `sourceInfo`).
    pub source_name: Option<String>,
    /// Source package version, when the SBOM gives one.
    pub source_version: Option<String>,
}

/// A parsed SBOM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sbom {
    /// Format and spec version.
    pub format: SbomFormat,
    /// What the SBOM describes (CycloneDX `metadata.component`, SPDX described package or document name).
    pub subject: Option<String>,
    /// All packages, nested CycloneDX components flattened, in document order.
    pub packages: Vec<Package>,
}

/// Why an SBOM could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// The file could not be read.
    #[error("{}: cannot read SBOM: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_SBOM_BYTES`].
    #[error("{}: SBOM is larger than the {limit}-byte limit", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// An error in a named file.
    #[error("{}: {source}", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: Box<SbomError>,
    },
    /// Not valid JSON.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's message.
        message: String,
    },
    /// Valid JSON, but a field has the wrong type for the format.
    #[error("invalid {format} document at line {line}, column {column}: {message}")]
    Schema {
        /// `CycloneDX` or `SPDX`.
        format: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's message.
        message: String,
    },
    /// XML input (CycloneDX XML, SPDX RDF/XML).
    #[error("XML SBOMs are not supported; export CycloneDX or SPDX as JSON")]
    Xml,
    /// SPDX tag-value input.
    #[error("SPDX tag-value documents are not supported; export SPDX as JSON (SPDX 2.3)")]
    SpdxTagValue,
    /// JSON that is neither CycloneDX nor SPDX.
    #[error("not an SBOM: {0}")]
    NotSbom(String),
    /// A CycloneDX or SPDX version this crate does not read.
    #[error("unsupported {format} version `{version}` (supported: {supported})")]
    UnsupportedVersion {
        /// `CycloneDX` or `SPDX`.
        format: &'static str,
        /// The version found.
        version: String,
        /// The versions supported.
        supported: &'static str,
    },
}

impl SbomError {
    /// The 1-based line of a syntax or schema error.
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        match self {
            SbomError::Syntax { line, .. } | SbomError::Schema { line, .. } => Some(*line),
            SbomError::InFile { source, .. } => source.line(),
            _ => None,
        }
    }

    /// The 1-based column of a syntax or schema error.
    #[must_use]
    pub fn column(&self) -> Option<usize> {
        match self {
            SbomError::Syntax { column, .. } | SbomError::Schema { column, .. } => Some(*column),
            SbomError::InFile { source, .. } => source.column(),
            _ => None,
        }
    }
}

/// Read and parse an SBOM file (at most [`MAX_SBOM_BYTES`]); errors name the file.
///
/// # Errors
/// I/O errors, oversized files and every [`parse_sbom`] error, wrapped with the path.
pub fn load_sbom(path: &Path) -> Result<Sbom, SbomError> {
    load_sbom_with_limit(path, MAX_SBOM_BYTES)
}

/// [`load_sbom`] with a caller-chosen size limit in bytes.
///
/// # Errors
/// As [`load_sbom`]; [`SbomError::TooLarge`] above `limit`.
pub fn load_sbom_with_limit(path: &Path, limit: u64) -> Result<Sbom, SbomError> {
    let io = |source| SbomError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(SbomError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    parse_sbom(&bytes).map_err(|e| SbomError::InFile {
        path: path.to_path_buf(),
        source: Box::new(e),
    })
}

#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "bomFormat")]
    bom_format: Option<serde_json::Value>,
    #[serde(rename = "specVersion")]
    spec_version: Option<serde_json::Value>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CdxBom {
    metadata: Option<CdxMetadata>,
    components: Option<Vec<CdxComponent>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CdxMetadata {
    component: Option<CdxComponent>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CdxComponent {
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    group: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    properties: Option<Vec<CdxProperty>>,
    components: Option<Vec<CdxComponent>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CdxProperty {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SpdxDoc {
    name: Option<String>,
    #[serde(rename = "documentDescribes")]
    document_describes: Option<Vec<String>>,
    packages: Option<Vec<SpdxPackage>>,
    relationships: Option<Vec<SpdxRelationship>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SpdxPackage {
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
    name: Option<String>,
    #[serde(rename = "versionInfo")]
    version_info: Option<String>,
    #[serde(rename = "externalRefs")]
    external_refs: Option<Vec<SpdxExternalRef>>,
    #[serde(rename = "sourceInfo")]
    source_info: Option<String>,
    #[serde(rename = "primaryPackagePurpose")]
    primary_package_purpose: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SpdxExternalRef {
    #[serde(rename = "referenceCategory")]
    reference_category: Option<String>,
    #[serde(rename = "referenceType")]
    reference_type: Option<String>,
    #[serde(rename = "referenceLocator")]
    reference_locator: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SpdxRelationship {
    #[serde(rename = "spdxElementId")]
    element: Option<String>,
    #[serde(rename = "relationshipType")]
    kind: Option<String>,
    #[serde(rename = "relatedSpdxElement")]
    related: Option<String>,
}

fn syntax(e: &serde_json::Error) -> SbomError {
    SbomError::Syntax {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    }
}

fn schema(format: &'static str, e: &serde_json::Error) -> SbomError {
    SbomError::Schema {
        format,
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    }
}

/// serde_json appends " at line L column C"; the error variants carry both.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_string(),
        None => msg.to_string(),
    }
}

/// Parse an SBOM, detecting CycloneDX or SPDX JSON.
///
/// # Errors
/// JSON syntax errors (with line and column), XML and SPDX tag-value input,
/// JSON that is not an SBOM, unsupported spec versions (CycloneDX other than
/// 1.4–1.6, SPDX other than 2.2/2.3) and fields of the wrong type.
pub fn parse_sbom(bytes: &[u8]) -> Result<Sbom, SbomError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = bytes.get(start..).unwrap_or_default();
    if head.starts_with(b"<") {
        return Err(SbomError::Xml);
    }
    if head.starts_with(b"SPDXVersion:") || head.starts_with(b"##") {
        return Err(SbomError::SpdxTagValue);
    }
    if head.is_empty() {
        return Err(SbomError::NotSbom("the input is empty".to_string()));
    }
    if !head.starts_with(b"{") {
        // Let serde_json produce a located error for non-object input.
        return match serde_json::from_slice::<serde_json::Value>(bytes) {
            Err(e) => Err(syntax(&e)),
            Ok(_) => Err(SbomError::NotSbom(
                "the document is not a JSON object".to_string(),
            )),
        };
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| syntax(&e))?;
    let as_text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(format) = &probe.bom_format {
        let format = as_text(format);
        if format != "CycloneDX" {
            return Err(SbomError::NotSbom(format!("unknown bomFormat `{format}`")));
        }
        let spec = probe.spec_version.as_ref().map(as_text).unwrap_or_default();
        if !matches!(spec.as_str(), "1.4" | "1.5" | "1.6") {
            return Err(SbomError::UnsupportedVersion {
                format: "CycloneDX",
                version: spec,
                supported: "1.4, 1.5, 1.6",
            });
        }
        let bom: CdxBom = serde_json::from_slice(bytes).map_err(|e| schema("CycloneDX", &e))?;
        return Ok(cyclonedx(bom, spec));
    }
    if let Some(v) = &probe.spdx_version {
        let v = as_text(v);
        let version = v.strip_prefix("SPDX-").unwrap_or(&v).to_string();
        if !matches!(version.as_str(), "2.2" | "2.3") {
            return Err(SbomError::UnsupportedVersion {
                format: "SPDX",
                version: v,
                supported: "SPDX-2.2, SPDX-2.3 (JSON)",
            });
        }
        let doc: SpdxDoc = serde_json::from_slice(bytes).map_err(|e| schema("SPDX", &e))?;
        return Ok(spdx(doc, version));
    }
    Err(SbomError::NotSbom(
        "neither `bomFormat` (CycloneDX) nor `spdxVersion` (SPDX) is present".to_string(),
    ))
}

/// The operating system an SBOM declares (trivy/syft `operating-system` component).
#[derive(Default)]
struct OsHint {
    name: Option<String>,
    version: Option<String>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn cyclonedx(bom: CdxBom, spec_version: String) -> Sbom {
    let subject = bom.metadata.and_then(|m| m.component).and_then(|c| {
        let name = non_empty(c.name)?;
        Some(match non_empty(c.version) {
            Some(v) => format!("{name}@{v}"),
            None => name,
        })
    });
    // Flatten nested components depth-first, in document order.
    let mut flat = Vec::new();
    let mut stack: Vec<CdxComponent> = bom
        .components
        .unwrap_or_default()
        .into_iter()
        .rev()
        .collect();
    while let Some(mut c) = stack.pop() {
        if let Some(children) = c.components.take() {
            stack.extend(children.into_iter().rev());
        }
        flat.push(c);
    }
    let mut os = OsHint::default();
    let mut raw = Vec::new();
    for c in flat {
        match c.kind.as_deref() {
            Some("operating-system") => {
                if os.name.is_none() {
                    os.name = non_empty(c.name);
                    os.version = non_empty(c.version);
                }
                continue;
            }
            Some("file" | "container" | "data" | "device" | "platform" | "firmware") => continue,
            _ => {}
        }
        let props = c.properties.unwrap_or_default();
        let prop = |key: &str| {
            props
                .iter()
                .find(|p| p.name.as_deref() == Some(key))
                .and_then(|p| non_empty(p.value.clone()))
        };
        let mut src = SourceInfo {
            name: prop("aquasecurity:trivy:SrcName").or_else(|| prop("syft:metadata:source")),
            version: None,
        };
        if let Some(v) = prop("aquasecurity:trivy:SrcVersion") {
            let mut full = v;
            if let Some(rel) = prop("aquasecurity:trivy:SrcRelease") {
                full = format!("{full}-{rel}");
            }
            if let Some(ep) = prop("aquasecurity:trivy:SrcEpoch").filter(|e| e != "0") {
                full = format!("{ep}:{full}");
            }
            src.version = Some(full);
        } else {
            src.version = prop("syft:metadata:sourceVersion");
        }
        let name = match (non_empty(c.group), non_empty(c.name)) {
            (_, None) => String::new(),
            (Some(g), Some(n)) if c.purl.is_none() => format!("{g}:{n}"),
            (_, Some(n)) => n,
        };
        raw.push((name, non_empty(c.version), non_empty(c.purl), src));
    }
    let packages = raw
        .into_iter()
        .map(|(name, version, purl, src)| build_package(name, version, purl, src, &os))
        .collect();
    Sbom {
        format: SbomFormat::CycloneDx { spec_version },
        subject,
        packages,
    }
}

fn spdx(doc: SpdxDoc, version: String) -> Sbom {
    let mut described: Vec<String> = doc.document_describes.unwrap_or_default();
    for r in doc.relationships.unwrap_or_default() {
        if r.element.as_deref() == Some("SPDXRef-DOCUMENT")
            && r.kind.as_deref() == Some("DESCRIBES")
            && let Some(rel) = r.related
        {
            described.push(rel);
        }
    }
    let packages_in = doc.packages.unwrap_or_default();
    let subject = described
        .iter()
        .find_map(|id| {
            packages_in
                .iter()
                .find(|p| p.spdx_id.as_deref() == Some(id.as_str()))
                .and_then(|p| non_empty(p.name.clone()))
        })
        .or_else(|| non_empty(doc.name.clone()));
    let mut os = OsHint::default();
    let mut raw = Vec::new();
    for p in packages_in {
        if p.spdx_id.as_ref().is_some_and(|id| described.contains(id)) {
            continue;
        }
        match p.primary_package_purpose.as_deref() {
            Some("OPERATING-SYSTEM" | "OPERATING_SYSTEM") => {
                if os.name.is_none() {
                    os.name = non_empty(p.name);
                    os.version = non_empty(p.version_info);
                }
                continue;
            }
            Some("CONTAINER" | "FILE") => continue,
            _ => {}
        }
        let purl = p
            .external_refs
            .unwrap_or_default()
            .into_iter()
            .find_map(|r| {
                let cat_ok = r
                    .reference_category
                    .as_deref()
                    .is_none_or(|c| matches!(c, "PACKAGE-MANAGER" | "PACKAGE_MANAGER"));
                (cat_ok && r.reference_type.as_deref() == Some("purl"))
                    .then_some(r.reference_locator)
                    .flatten()
            });
        // trivy: "built package from: NAME VERSION"; syft: free text.
        let mut src = SourceInfo::default();
        if let Some(rest) = p
            .source_info
            .as_deref()
            .and_then(|s| s.strip_prefix("built package from: "))
        {
            let mut it = rest.split_whitespace();
            src.name = it.next().map(str::to_string);
            src.version = it.next().map(str::to_string);
        }
        raw.push((
            non_empty(p.name).unwrap_or_default(),
            non_empty(p.version_info),
            non_empty(purl),
            src,
        ));
    }
    let packages = raw
        .into_iter()
        .map(|(name, version, purl, src)| build_package(name, version, purl, src, &os))
        .collect();
    Sbom {
        format: SbomFormat::Spdx { version },
        subject,
        packages,
    }
}

#[derive(Default)]
struct SourceInfo {
    name: Option<String>,
    version: Option<String>,
}

/// The OSV base ecosystem for a purl type (and namespace, for OS packages).
fn ecosystem_of(p: &Purl) -> Option<&'static str> {
    // The namespace names the distribution; without one, the `distro`
    // qualifier's prefix (`debian-12`) may.
    let ns = p
        .namespace
        .as_deref()
        .map(str::to_ascii_lowercase)
        .or_else(|| {
            p.qualifier("distro")
                .and_then(|d| d.split('-').next())
                .map(str::to_ascii_lowercase)
        });
    Some(match p.ty.as_str() {
        "deb" => match ns.as_deref() {
            Some("debian") => "Debian",
            Some("ubuntu") => "Ubuntu",
            _ => return None,
        },
        "apk" => match ns.as_deref() {
            Some("alpine") => "Alpine",
            Some("wolfi") => "Wolfi",
            Some("chainguard") => "Chainguard",
            _ => return None,
        },
        "npm" => "npm",
        "pypi" => "PyPI",
        "golang" => "Go",
        "cargo" => "crates.io",
        "maven" => "Maven",
        "gem" => "RubyGems",
        "nuget" => "NuGet",
        "composer" => "Packagist",
        "hex" => "Hex",
        "pub" => "Pub",
        "conan" => "ConanCenter",
        _ => return None,
    })
}

/// PEP 503 normalised name: lowercase, runs of `-`, `_`, `.` become `-`.
pub(crate) fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The OSV package name for a purl.
fn osv_name(eco: &str, p: &Purl) -> String {
    match (eco, p.namespace.as_deref()) {
        ("PyPI", _) => pep503(&p.name),
        ("Maven", Some(ns)) => format!("{ns}:{}", p.name),
        ("npm", Some(ns)) => {
            let ns = if ns.starts_with('@') {
                ns.to_string()
            } else {
                format!("@{ns}")
            };
            format!("{ns}/{}", p.name)
        }
        ("Go" | "Packagist", Some(ns)) => format!("{ns}/{}", p.name),
        _ => p.name.clone(),
    }
}

const DEBIAN_CODENAMES: [(&str, &str); 8] = [
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("sid", "sid"),
];

/// `Debian:12`, `Alpine:v3.18`, `Ubuntu:22.04` from a distro qualifier
/// (`debian-12`, `debian-12.4`, `12.4`, `alpine-3.18.4`, `3.18.4`, `ubuntu-22.04`)
/// or an operating-system component's version.
fn distro_ecosystem(eco: &str, distro: &str) -> Option<String> {
    let d = distro.trim().to_ascii_lowercase();
    let prefix = format!("{}-", eco.to_ascii_lowercase());
    let ver = d.strip_prefix(&prefix).unwrap_or(&d);
    let ver = ver.strip_prefix('v').unwrap_or(ver);
    if ver.is_empty() {
        return None;
    }
    match eco {
        "Debian" => {
            if let Some((_, n)) = DEBIAN_CODENAMES.iter().find(|(c, _)| *c == ver) {
                return Some(format!("Debian:{n}"));
            }
            let major = ver.split('.').next().unwrap_or_default();
            (!major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()))
                .then(|| format!("Debian:{major}"))
        }
        "Ubuntu" => {
            let mut parts = ver.split('.');
            let (y, m) = (parts.next()?, parts.next()?);
            (y.bytes().all(|b| b.is_ascii_digit()) && m.bytes().all(|b| b.is_ascii_digit()))
                .then(|| format!("Ubuntu:{y}.{m}"))
        }
        "Alpine" => {
            if ver == "edge" {
                return Some("Alpine:edge".to_string());
            }
            let mut parts = ver.split('.');
            let (maj, min) = (parts.next()?, parts.next()?);
            (maj.bytes().all(|b| b.is_ascii_digit()) && min.bytes().all(|b| b.is_ascii_digit()))
                .then(|| format!("Alpine:v{maj}.{min}"))
        }
        _ => None,
    }
}

fn build_package(
    name: String,
    version: Option<String>,
    purl_text: Option<String>,
    mut src: SourceInfo,
    os: &OsHint,
) -> Package {
    let parsed = purl_text.as_deref().and_then(|t| Purl::parse(t).ok());
    let mut pkg = Package {
        name,
        version: version.unwrap_or_default(),
        purl: purl_text,
        ecosystem: None,
        distro: None,
        source_name: None,
        source_version: None,
    };
    let Some(p) = parsed else {
        return pkg;
    };
    // The purl's version is the ecosystem's spelling (syft writes `go1.21.1`
    // as the component version of Go's stdlib but `@1.21.1` in the purl).
    if let Some(v) = p.version.clone() {
        pkg.version = v;
    }
    // trivy writes a dpkg epoch as a qualifier (`?epoch=1`), syft inside the version.
    if p.ty == "deb"
        && let Some(epoch) = p.qualifier("epoch").filter(|e| *e != "0")
        && !pkg.version.contains(':')
        && !pkg.version.is_empty()
    {
        pkg.version = format!("{epoch}:{}", pkg.version);
    }
    let Some(eco) = ecosystem_of(&p) else {
        return pkg;
    };
    if matches!(eco, "Debian" | "Ubuntu" | "Alpine") {
        pkg.distro = p
            .qualifier("distro")
            .and_then(|d| distro_ecosystem(eco, d))
            .or_else(|| {
                let os_matches = os
                    .name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(eco));
                os.version
                    .as_deref()
                    .filter(|_| os_matches)
                    .and_then(|v| distro_ecosystem(eco, v))
            });
        if src.name.is_none()
            && let Some(up) = p.qualifier("upstream")
        {
            // syft: `upstream=NAME` or `upstream=NAME@VERSION`.
            match up.split_once('@') {
                Some((n, v)) => {
                    src.name = Some(n.to_string());
                    src.version = Some(v.to_string());
                }
                None => src.name = Some(up.to_string()),
            }
        }
        pkg.source_name = src.name.filter(|s| !s.is_empty());
        pkg.source_version = src.version.filter(|s| !s.is_empty());
    }
    pkg.name = osv_name(eco, &p);
    pkg.ecosystem = Some(eco.to_string());
    pkg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_names() {
        assert_eq!(pep503("Django"), "django");
        assert_eq!(pep503("zope.interface"), "zope-interface");
        assert_eq!(pep503("Foo__Bar-.baz"), "foo-bar-baz");
    }

    #[test]
    fn distros() {
        assert_eq!(
            distro_ecosystem("Debian", "debian-12").as_deref(),
            Some("Debian:12")
        );
        assert_eq!(
            distro_ecosystem("Debian", "debian-12.4").as_deref(),
            Some("Debian:12")
        );
        assert_eq!(
            distro_ecosystem("Debian", "12.4").as_deref(),
            Some("Debian:12")
        );
        assert_eq!(
            distro_ecosystem("Debian", "bookworm").as_deref(),
            Some("Debian:12")
        );
        assert_eq!(
            distro_ecosystem("Alpine", "alpine-3.18.4").as_deref(),
            Some("Alpine:v3.18")
        );
        assert_eq!(
            distro_ecosystem("Alpine", "3.18.4").as_deref(),
            Some("Alpine:v3.18")
        );
        assert_eq!(
            distro_ecosystem("Ubuntu", "ubuntu-22.04").as_deref(),
            Some("Ubuntu:22.04")
        );
        assert_eq!(distro_ecosystem("Alpine", "3"), None);
    }
}

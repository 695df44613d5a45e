//! The one diagnostic model: every finding of every rule, and every input error, becomes a
//! [`Diagnostic`] that the reporters (text, JSON, SARIF, JUnit) render. Reporters see only
//! this crate, never the model or the engines.
//!
//! ```
//! use kubeward_diagnostics::{Severity, Redacted};
//! assert!(Severity::Critical > Severity::High);
//! assert_eq!("medium".parse::<Severity>(), Ok(Severity::Medium));
//! let token = Redacted::new("ghp_secretvalue".to_string());
//! assert_eq!(format!("{token}"), "****");
//! assert_eq!(format!("{token:?}"), "Redacted(****)");
//! ```
#![forbid(unsafe_code)]

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use kubeward_source::Pos;
use serde::{Deserialize, Serialize, Serializer};

/// How bad a finding is. Ordered from least to most severe.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: worth knowing, not a weakness on its own.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical: direct path to node or cluster compromise.
    Critical,
}

impl Severity {
    /// All severities from most to least severe.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// Lowercase name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The `security-severity` score GitHub code scanning reads from SARIF rule properties.
    #[must_use]
    pub const fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
            Severity::Info => "1.0",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`Severity`] or [`Category`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName(pub String);

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown name `{}`", self.0)
    }
}

impl std::error::Error for UnknownName {}

impl FromStr for Severity {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return Err(UnknownName(s.to_string())),
        })
    }
}

/// The area of Kubernetes security a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Problems reading the input itself (`KW` codes).
    Input,
    /// Workload hardening and Pod Security Standards (`POD` codes).
    Workload,
    /// Container images (`IMG` codes).
    Image,
    /// Secrets and credentials (`SEC` codes).
    Secrets,
    /// RBAC (`RBAC` codes).
    Rbac,
    /// Network policies (`NET` codes).
    Network,
    /// Control plane, etcd and kubelet configuration (`CP` codes).
    ControlPlane,
    /// Audit-log detections (`AUD` codes).
    Audit,
}

impl Category {
    /// Kebab-case name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Input => "input",
            Category::Workload => "workload",
            Category::Image => "image",
            Category::Secrets => "secrets",
            Category::Rbac => "rbac",
            Category::Network => "network",
            Category::ControlPlane => "control-plane",
            Category::Audit => "audit",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A compliance framework a rule maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Framework {
    /// Kubernetes Pod Security Standards control.
    #[serde(rename = "PSS")]
    Pss,
    /// CIS Kubernetes Benchmark recommendation.
    #[serde(rename = "CIS")]
    Cis,
    /// NSA/CISA Kubernetes Hardening Guidance section.
    #[serde(rename = "NSA-CISA")]
    NsaCisa,
    /// MITRE ATT&CK technique.
    #[serde(rename = "MITRE-ATTACK")]
    Mitre,
    /// Common Weakness Enumeration.
    #[serde(rename = "CWE")]
    Cwe,
}

impl Framework {
    /// Display name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Framework::Pss => "PSS",
            Framework::Cis => "CIS",
            Framework::NsaCisa => "NSA-CISA",
            Framework::Mitre => "MITRE-ATTACK",
            Framework::Cwe => "CWE",
        }
    }
}

/// One compliance reference, e.g. `CIS 5.2.2` or `CWE-250`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Compliance {
    /// The framework.
    pub framework: Framework,
    /// The control id in that framework.
    pub id: &'static str,
}

impl fmt::Display for Compliance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.framework.as_str(), self.id)
    }
}

/// Identity of the object a diagnostic is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectId {
    /// `apiVersion`.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace` if written.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// Where a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Location {
    /// File path as given (or `<stdin>`).
    pub file: Arc<str>,
    /// First character.
    pub start: Pos,
    /// Just after the last character.
    pub end: Pos,
    /// Field path inside the object, e.g. `spec.template.spec.containers[0].securityContext.privileged`.
    pub path: Option<String>,
    /// The template that rendered the object (Helm `# Source:`, Kustomize origin).
    pub template: Option<String>,
}

/// Source lines around a location, captured when the diagnostic is made so that reporters
/// never need to re-read input (stdin cannot be re-read).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// Number of the first line.
    pub first_line: u32,
    /// The lines, without terminators.
    pub lines: Vec<String>,
}

/// A secondary location with a note (e.g. the role rule behind a binding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Where.
    pub location: Location,
    /// Why it matters.
    pub message: String,
}

/// One finding or input problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Rule code, e.g. `POD001`.
    pub code: &'static str,
    /// Rule name, e.g. `privileged-container`.
    pub name: &'static str,
    /// Effective severity (after configuration overrides).
    pub severity: Severity,
    /// Rule category.
    pub category: Category,
    /// What is wrong, naming the part in backticks. Never contains a secret value.
    pub message: String,
    /// The object concerned, if any.
    pub object: Option<ObjectId>,
    /// Where.
    pub location: Location,
    /// One-line fix.
    pub fix: Option<String>,
    /// Compliance references of the rule.
    pub compliance: &'static [Compliance],
    /// Source lines for frames.
    pub snippet: Option<Snippet>,
    /// Secondary locations.
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// A stable fingerprint for baselines and SARIF `partialFingerprints`: independent of line
    /// numbers, so that edits elsewhere in a file do not make old findings look new.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        let object = self
            .object
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let key = format!(
            "{}|{}|{}|{}",
            self.code,
            self.location.file,
            object,
            self.location.path.as_deref().unwrap_or("")
        );
        format!("{:016x}", fnv1a(key.as_bytes()))
    }

    /// Sort key giving deterministic output: file, position, code, message.
    #[must_use]
    pub fn sort_key(&self) -> (&str, Pos, &str, &str) {
        (
            &self.location.file,
            self.location.start,
            self.code,
            &self.message,
        )
    }
}

/// FNV-1a 64-bit: tiny, stable across platforms and releases (unlike `DefaultHasher`).
#[must_use]
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A problem reading input that stopped part of it from being scanned (syntax errors,
/// unreadable files, limits). Rendered in the `errors` section of reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InputError {
    /// File path.
    pub file: String,
    /// Line (1-based), 0 when the whole file is concerned.
    pub line: u32,
    /// Column (1-based), 0 when the whole file is concerned.
    pub column: u32,
    /// Code of the problem (`KW001`, ...).
    pub code: &'static str,
    /// Explanation.
    pub message: String,
}

/// What reporters need to know about a rule (its documentation), without depending on the
/// rule engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDoc {
    /// Code.
    pub code: &'static str,
    /// Name.
    pub name: &'static str,
    /// One-sentence summary.
    pub summary: String,
    /// Full Markdown documentation.
    pub docs: String,
    /// Default severity.
    pub severity: Severity,
    /// Category.
    pub category: Category,
    /// Kinds the rule applies to (empty: all).
    pub kinds: &'static [&'static str],
    /// Compliance references.
    pub compliance: &'static [Compliance],
    /// One-line fix.
    pub fix: &'static str,
}

/// A value that must never be shown: `Display`, `Debug` and `Serialize` print `****`.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Redacted<T>(T);

impl<T> Redacted<T> {
    /// Wraps a secret.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself, for comparisons and hashing only; never for output.
    pub const fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Display for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl<T> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redacted(****)")
    }
}

impl<T> Serialize for Redacted<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("****")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_round_trip() {
        for s in Severity::ALL {
            assert_eq!(s.as_str().parse::<Severity>(), Ok(s));
        }
        assert!("urgent".parse::<Severity>().is_err());
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}

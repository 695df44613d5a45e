//! Detector metadata and findings.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::event::{Event, Stage, Timestamp};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Unusual, rarely malicious.
    Low,
    /// Often legitimate, sometimes an attack step.
    Medium,
    /// Likely an attack step or a dangerous change.
    High,
    /// Cluster takeover.
    Critical,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        })
    }
}

/// The minimum audit level a detector needs to see its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NeedsLevel {
    /// Works on `Metadata` events.
    Metadata,
    /// Needs the request body (`Request`), or for patches the response (`RequestResponse`).
    Request,
}

/// A detector's identity and documentation: the one source for `explain`, SARIF and docs.
#[derive(Debug, Serialize)]
pub struct DetectorMeta {
    /// Stable code, never reused (`AUD003`).
    pub code: &'static str,
    /// Stable kebab-case name (`exec-into-pod`).
    pub name: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// MITRE ATT&CK (Containers matrix where it has one) technique id.
    pub mitre_id: &'static str,
    /// MITRE ATT&CK technique name.
    pub mitre_name: &'static str,
    /// The audit level the detector needs.
    pub needs: NeedsLevel,
    /// Markdown documentation with the sections `What it does`, `Why is this bad?`,
    /// `Example event`, `Fix` and `False positives`.
    pub doc: &'static str,
}

/// What a detector reports for one event, before the engine adds the evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hit {
    /// One sentence naming what happened.
    pub message: String,
    /// Extra facts (never secret values): key to value.
    pub details: Vec<(&'static str, String)>,
}

impl Hit {
    /// A hit with a message.
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Adds a detail.
    #[must_use]
    pub fn with(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.details.push((key, value.into()));
        self
    }
}

/// `objectRef` of the evidence, owned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ObjectRefEvidence {
    /// `resource`.
    pub resource: String,
    /// `subresource`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subresource: String,
    /// `namespace`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `name`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `apiGroup`.
    #[serde(rename = "apiGroup", skip_serializing_if = "String::is_empty")]
    pub api_group: String,
    /// `apiVersion`.
    #[serde(rename = "apiVersion", skip_serializing_if = "String::is_empty")]
    pub api_version: String,
}

/// The facts of the event behind a finding. Request and response bodies are never copied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// `auditID`.
    #[serde(rename = "auditID")]
    pub audit_id: String,
    /// The stage of the event that fired.
    pub stage: String,
    /// `requestReceivedTimestamp` (else `stageTimestamp`).
    pub timestamp: Option<Timestamp>,
    /// `user.username`.
    pub user: String,
    /// `user.groups`.
    pub groups: Vec<String>,
    /// `impersonatedUser.username`, when impersonating.
    #[serde(rename = "impersonatedUser", skip_serializing_if = "Option::is_none")]
    pub impersonated_user: Option<String>,
    /// `sourceIPs`.
    #[serde(rename = "sourceIPs")]
    pub source_ips: Vec<String>,
    /// `verb`.
    pub verb: String,
    /// `requestURI` (cut at 512 bytes).
    #[serde(rename = "requestURI")]
    pub request_uri: String,
    /// `objectRef`.
    #[serde(rename = "objectRef", skip_serializing_if = "Option::is_none")]
    pub object_ref: Option<ObjectRefEvidence>,
    /// `responseStatus.code`.
    #[serde(rename = "responseCode", skip_serializing_if = "Option::is_none")]
    pub response_code: Option<i32>,
    /// `userAgent`.
    #[serde(rename = "userAgent")]
    pub user_agent: String,
    /// `authorization.k8s.io/decision`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// `authorization.k8s.io/reason`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Longest `requestURI` kept in evidence.
pub const MAX_URI_BYTES: usize = 512;

fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = s.get(..end).unwrap_or_default().to_owned();
    out.push('…');
    out
}

impl Evidence {
    /// Copies the metadata of `ev` (never its bodies).
    #[must_use]
    pub fn from_event(ev: &Event<'_>) -> Self {
        Self {
            audit_id: ev.audit_id.to_string(),
            stage: ev.stage.as_str().to_owned(),
            timestamp: ev.time(),
            user: ev.user.username.to_string(),
            groups: ev.user.groups.iter().map(|g| g.to_string()).collect(),
            impersonated_user: ev
                .impersonated_user
                .as_ref()
                .map(|u| u.username.to_string()),
            source_ips: ev.source_ips.iter().map(|s| s.to_string()).collect(),
            verb: ev.verb.to_string(),
            request_uri: cut(&ev.request_uri, MAX_URI_BYTES),
            object_ref: ev.object_ref.as_ref().map(|o| ObjectRefEvidence {
                resource: o.resource.to_string(),
                subresource: o.subresource.to_string(),
                namespace: o.namespace.to_string(),
                name: o.name.to_string(),
                api_group: o.api_group.to_string(),
                api_version: o.api_version.to_string(),
            }),
            response_code: ev.code(),
            user_agent: ev.user_agent.to_string(),
            decision: ev.decision().map(str::to_owned),
            reason: ev
                .annotations
                .get(crate::event::REASON_ANNOTATION)
                .map(|r| cut(r, MAX_URI_BYTES)),
        }
    }

    /// True when the evidence came from a stage with an outcome.
    #[must_use]
    pub fn stage_is(&self, stage: Stage) -> bool {
        self.stage == stage.as_str()
    }
}

/// A detection: what fired, why, and the event behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Detector code (`AUD003`).
    pub code: &'static str,
    /// Detector name (`exec-into-pod`).
    pub name: &'static str,
    /// Severity.
    pub severity: Severity,
    /// MITRE ATT&CK technique id.
    pub mitre: &'static str,
    /// What happened, in one sentence.
    pub message: String,
    /// The event's metadata.
    pub evidence: Evidence,
    /// Extra facts from the detector (sorted by key).
    pub details: BTreeMap<String, String>,
}

impl Finding {
    /// Builds a finding of `meta` from `hit` on `ev`.
    #[must_use]
    pub fn new(meta: &'static DetectorMeta, ev: &Event<'_>, hit: Hit) -> Self {
        Self {
            code: meta.code,
            name: meta.name,
            severity: meta.severity,
            mitre: meta.mitre_id,
            message: hit.message,
            evidence: Evidence::from_event(ev),
            details: hit
                .details
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        }
    }
}

impl fmt::Display for Finding {
    /// `AUD003 exec-into-pod [medium] <time> <user>: <message> (auditID ...)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} [{}] ", self.code, self.name, self.severity)?;
        if let Some(t) = self.evidence.timestamp {
            write!(f, "{t} ")?;
        }
        write!(
            f,
            "{}: {} (auditID {})",
            self.evidence.user, self.message, self.evidence.audit_id
        )
    }
}

//! Audit-engine findings to kubeward diagnostics (through [`Engine::external`], so selection
//! and severity overrides apply) and to JSON-lines alerts, for `kubeward audit` and the audit
//! webhook backend of `kubeward serve` alike.
//!
//! ```
//! use std::sync::Arc;
//! use kubeward_rules::rules::audit::adapter::{Alert, diagnostic};
//! use kubeward_rules::{Engine, Settings};
//! let line = concat!(
//!     r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"e1","#,
//!     r#""stage":"ResponseComplete","requestURI":"/api/v1/namespaces/web/pods/api-0/exec?command=sh","#,
//!     r#""verb":"create","user":{"username":"mallory","groups":["system:authenticated"]},"#,
//!     r#""sourceIPs":["203.0.113.5"],"objectRef":{"resource":"pods","namespace":"web","name":"api-0","#,
//!     r#""apiVersion":"v1","subresource":"exec"},"responseStatus":{"metadata":{},"code":101},"#,
//!     r#""requestReceivedTimestamp":"2024-05-01T03:00:00.000000Z"}"#,
//! );
//! let mut detectors = kubeward_audit::Engine::new(kubeward_audit::Config::default()).unwrap();
//! let mut found = Vec::new();
//! detectors.process_body(line, &mut found).unwrap();
//! let rules = Engine::new(Settings::default());
//! let file: Arc<str> = Arc::from("audit.log");
//! let d = diagnostic(&rules, &found[0], &file, 1).unwrap();
//! assert_eq!(d.code, "AUD003");
//! assert!(d.message.contains("[auditID e1, 2024-05-01T03:00:00.000000Z, user `mallory`, from 203.0.113.5, create pods/exec web/api-0, response 101]"));
//! assert_eq!(d.object.as_ref().unwrap().to_string(), "Pod web/api-0");
//! let alert: serde_json::Value = serde_json::from_str(&Alert::new(&d, &found[0]).to_line()).unwrap();
//! assert_eq!(alert["audit_id"], "e1");
//! assert_eq!(alert["mitre"][0], "T1609");
//! ```
//!
//! The evidence (auditID, time, user, impersonated user, source IPs, verb, object reference,
//! response code) is written into the diagnostic's message, so that every report format shows
//! it, and in full (with groups, user agent, request URI, authorization decision and the
//! detector's details) as a JSON `related` note. Request and response bodies never reach a
//! finding (the engine does not copy them). Strings taken from the event are attacker
//! controlled (user agents, names, exec commands): control characters are escaped in messages
//! so that they cannot rewrite an analyst's terminal or break XML reports.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use kubeward_audit::event::Timestamp;
use kubeward_audit::{Evidence, Finding};
use kubeward_diagnostics::{Diagnostic, Location, ObjectId, Related};
use kubeward_source::Pos;

use crate::{Engine, ExternalFinding};
use serde::Serialize;

/// `Kind` of the common built-in resources (`objectRef` carries the plural resource name);
/// other resources keep their resource name.
const KINDS: &[(&str, &str)] = &[
    ("apiservices", "APIService"),
    ("certificatesigningrequests", "CertificateSigningRequest"),
    ("clusterrolebindings", "ClusterRoleBinding"),
    ("clusterroles", "ClusterRole"),
    ("configmaps", "ConfigMap"),
    ("cronjobs", "CronJob"),
    ("customresourcedefinitions", "CustomResourceDefinition"),
    ("daemonsets", "DaemonSet"),
    ("deployments", "Deployment"),
    ("endpoints", "Endpoints"),
    ("endpointslices", "EndpointSlice"),
    ("events", "Event"),
    ("ingresses", "Ingress"),
    ("jobs", "Job"),
    ("leases", "Lease"),
    ("mutatingadmissionpolicies", "MutatingAdmissionPolicy"),
    (
        "mutatingadmissionpolicybindings",
        "MutatingAdmissionPolicyBinding",
    ),
    (
        "mutatingwebhookconfigurations",
        "MutatingWebhookConfiguration",
    ),
    ("namespaces", "Namespace"),
    ("networkpolicies", "NetworkPolicy"),
    ("nodes", "Node"),
    ("persistentvolumeclaims", "PersistentVolumeClaim"),
    ("persistentvolumes", "PersistentVolume"),
    ("pods", "Pod"),
    ("replicasets", "ReplicaSet"),
    ("replicationcontrollers", "ReplicationController"),
    ("rolebindings", "RoleBinding"),
    ("roles", "Role"),
    ("secrets", "Secret"),
    ("serviceaccounts", "ServiceAccount"),
    ("services", "Service"),
    ("statefulsets", "StatefulSet"),
    ("validatingadmissionpolicies", "ValidatingAdmissionPolicy"),
    (
        "validatingadmissionpolicybindings",
        "ValidatingAdmissionPolicyBinding",
    ),
    (
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration",
    ),
];

/// The object a finding is about: the `objectRef` when it names an object (the parent object
/// for subresources such as `pods/exec`).
#[must_use]
pub fn object_id(evidence: &Evidence) -> Option<ObjectId> {
    let o = evidence.object_ref.as_ref()?;
    if o.name.is_empty() || o.resource.is_empty() {
        return None;
    }
    let kind = KINDS
        .iter()
        .find(|(resource, _)| *resource == o.resource)
        .map_or_else(|| o.resource.clone(), |(_, kind)| (*kind).to_string());
    let api_version = match (o.api_group.as_str(), o.api_version.as_str()) {
        ("", "") => "v1".to_string(),
        ("", v) => v.to_string(),
        (g, "") => g.to_string(),
        (g, v) => format!("{g}/{v}"),
    };
    Some(ObjectId {
        api_version: clean(&api_version),
        kind: clean(&kind),
        namespace: (!o.namespace.is_empty()).then(|| clean(&o.namespace)),
        name: clean(&o.name),
    })
}

/// Escapes control characters (ANSI escapes, newlines, NUL) so that event text cannot change
/// what a terminal shows or make an XML report invalid.
#[must_use]
pub fn clean(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// `resource[/subresource] [namespace/]name`, or the request path of non-resource requests.
fn target(e: &Evidence) -> String {
    match &e.object_ref {
        Some(o) => {
            let mut s = o.resource.clone();
            if !o.subresource.is_empty() {
                s.push('/');
                s.push_str(&o.subresource);
            }
            match (o.namespace.as_str(), o.name.as_str()) {
                ("", "") => {}
                (ns, "") => {
                    let _ = write!(s, " in namespace {ns}");
                }
                ("", name) => {
                    let _ = write!(s, " {name}");
                }
                (ns, name) => {
                    let _ = write!(s, " {ns}/{name}");
                }
            }
            s
        }
        None => e
            .request_uri
            .split_once('?')
            .map_or(e.request_uri.as_str(), |(path, _)| path)
            .to_string(),
    }
}

/// The evidence in one line: `auditID …, <time>, user `…` as `…`, from …, <verb> <target>,
/// response <code>`.
#[must_use]
pub fn evidence_line(e: &Evidence) -> String {
    let mut s = format!("auditID {}", e.audit_id);
    if let Some(t) = e.timestamp {
        let _ = write!(s, ", {t}");
    }
    let _ = write!(s, ", user `{}`", e.user);
    if let Some(imp) = &e.impersonated_user {
        let _ = write!(s, " as `{imp}`");
    }
    if !e.source_ips.is_empty() {
        let _ = write!(s, ", from {}", e.source_ips.join(", "));
    }
    let _ = write!(s, ", {} {}", e.verb, target(e));
    if let Some(code) = e.response_code {
        let _ = write!(s, ", response {code}");
    }
    clean(&s)
}

#[derive(Serialize)]
struct EvidenceNote<'a> {
    #[serde(flatten)]
    evidence: &'a Evidence,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    details: &'a BTreeMap<String, String>,
}

/// The full evidence and the detector's details as compact JSON.
#[must_use]
pub fn evidence_json(f: &Finding) -> String {
    serde_json::to_string(&EvidenceNote {
        evidence: &f.evidence,
        details: &f.details,
    })
    .unwrap_or_default()
}

/// The diagnostic of `f`, found on line `line` of `file`; `None` when its rule is not enabled.
#[must_use]
pub fn diagnostic(rules: &Engine, f: &Finding, file: &Arc<str>, line: u64) -> Option<Diagnostic> {
    let rule = super::for_code(f.code)?;
    let pos = Pos {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        col: 1,
    };
    let location = Location {
        file: Arc::clone(file),
        start: pos,
        end: pos,
        path: None,
        template: None,
    };
    let message = format!("{} [{}]", clean(&f.message), evidence_line(&f.evidence));
    let related = vec![Related {
        location: location.clone(),
        message: format!("evidence: {}", evidence_json(f)),
    }];
    rules.external(
        rule,
        ExternalFinding {
            message,
            object: object_id(&f.evidence),
            location,
            snippet: None,
            fix: None,
            severity: None,
            related,
        },
    )
}

/// One alert of the JSON-lines output (`--format jsonl`, and `--format json` with `--follow`).
#[derive(Debug, Serialize)]
pub struct Alert<'a> {
    /// Rule code.
    pub code: &'static str,
    /// Rule name.
    pub name: &'static str,
    /// Effective severity (after configuration overrides).
    pub severity: &'static str,
    /// `auditID`.
    pub audit_id: &'a str,
    /// Stage of the event that fired.
    pub stage: &'a str,
    /// `requestReceivedTimestamp`.
    pub timestamp: Option<Timestamp>,
    /// `user.username`.
    pub user: &'a str,
    /// `user.groups`.
    pub groups: &'a [String],
    /// `sourceIPs`.
    pub source_ips: &'a [String],
    /// `verb`.
    pub verb: &'a str,
    /// `objectRef.resource`.
    pub resource: &'a str,
    /// `objectRef.subresource`.
    pub subresource: &'a str,
    /// `objectRef.namespace`.
    pub namespace: &'a str,
    /// `objectRef.name`.
    pub object_name: &'a str,
    /// What happened (the detector's sentence, without the evidence).
    pub message: &'a str,
    /// MITRE ATT&CK techniques.
    pub mitre: Vec<&'static str>,
    /// The event's metadata.
    pub evidence: &'a Evidence,
    /// The detector's extra facts.
    pub details: &'a BTreeMap<String, String>,
    /// The input.
    pub file: &'a str,
    /// The line of the event in the input.
    pub line: u32,
}

impl<'a> Alert<'a> {
    /// The alert of diagnostic `d` made from finding `f`.
    #[must_use]
    pub fn new(d: &'a Diagnostic, f: &'a Finding) -> Self {
        let e = &f.evidence;
        let o = e.object_ref.as_ref();
        Self {
            code: d.code,
            name: d.name,
            severity: d.severity.as_str(),
            audit_id: &e.audit_id,
            stage: &e.stage,
            timestamp: e.timestamp,
            user: &e.user,
            groups: &e.groups,
            source_ips: &e.source_ips,
            verb: &e.verb,
            resource: o.map_or("", |o| o.resource.as_str()),
            subresource: o.map_or("", |o| o.subresource.as_str()),
            namespace: o.map_or("", |o| o.namespace.as_str()),
            object_name: o.map_or("", |o| o.name.as_str()),
            message: &f.message,
            mitre: d
                .compliance
                .iter()
                .filter(|c| c.framework == kubeward_diagnostics::Framework::Mitre)
                .map(|c| c.id)
                .collect(),
            evidence: e,
            details: &f.details,
            file: &d.location.file,
            line: d.location.start.line,
        }
    }

    /// The alert as one JSON line (with the newline).
    #[must_use]
    pub fn to_line(&self) -> String {
        let mut s = serde_json::to_string(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_audit::finding::ObjectRefEvidence;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(clean("plain"), "plain");
        assert_eq!(clean("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\u{a}c");
    }

    #[test]
    fn object_ids() {
        let mut e = Evidence::default();
        assert_eq!(object_id(&e), None);
        e.object_ref = Some(ObjectRefEvidence {
            resource: "clusterrolebindings".into(),
            name: "pwn".into(),
            api_group: "rbac.authorization.k8s.io".into(),
            api_version: "v1".into(),
            ..ObjectRefEvidence::default()
        });
        let id = object_id(&e).unwrap();
        assert_eq!(id.to_string(), "ClusterRoleBinding pwn");
        assert_eq!(id.api_version, "rbac.authorization.k8s.io/v1");
        e.object_ref = Some(ObjectRefEvidence {
            resource: "widgets".into(),
            namespace: "ns".into(),
            name: "w".into(),
            ..ObjectRefEvidence::default()
        });
        assert_eq!(object_id(&e).unwrap().to_string(), "widgets ns/w");
        // A list has no object.
        e.object_ref = Some(ObjectRefEvidence {
            resource: "secrets".into(),
            namespace: "ns".into(),
            ..ObjectRefEvidence::default()
        });
        assert_eq!(object_id(&e), None);
        assert!(evidence_line(&e).contains("secrets in namespace ns"));
    }
}

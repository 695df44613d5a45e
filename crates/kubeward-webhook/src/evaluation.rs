//! Judging one admission request: the object is loaded with [`kubeward_model::load_text`]
//! (JSON is YAML), run through the same [`kubeward_rules::Engine`] as `kubeward scan`
//! (suppression annotations and configuration exemptions included), and each finding gets an
//! action (deny, warn, audit) from the webhook configuration.
//!
//! ```
//! use kubeward_webhook::config::Policy;
//! use kubeward_webhook::evaluation::evaluate;
//! use kubeward_webhook::review::parse_review;
//! let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
//!   "uid":"u1","operation":"CREATE","namespace":"shop","name":"web",
//!   "kind":{"group":"","version":"v1","kind":"Pod"},
//!   "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},
//!     "spec":{"containers":[{"name":"app","image":"nginx:1.27","securityContext":{"privileged":true}}]}}}}"#;
//! let request = parse_review(body).unwrap();
//! let decision = evaluate(&Policy::defaults(false), &request, None);
//! assert!(!decision.response.allowed);
//! let message = &decision.response.status.as_ref().unwrap().message;
//! assert!(message.contains("POD001") && message.contains("spec.containers[0].securityContext.privileged"), "{message}");
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::Arc;

use kubeward_diagnostics::{Category, Diagnostic};
use kubeward_imagepolicy::GateFinding;
use kubeward_model::Object;
use kubeward_rules::{ExternalFinding, locate, matches_rule, object_id, registry};
use serde_json::value::RawValue;

use crate::config::{Action, Policy, RequestExemption, Updates};
use crate::review::{AdmissionRequest, AdmissionResponse, Status};

/// Longest deny message (kubectl prints it on one screen).
pub const MAX_MESSAGE_CHARS: usize = 1_000;
/// Findings listed in a deny message before "and N more".
pub const MAX_LISTED: usize = 5;
/// Warnings returned per request.
pub const MAX_WARNINGS: usize = 10;
/// Longest single warning (the API server truncates long warnings).
pub const MAX_WARNING_CHARS: usize = 240;

/// Why a request was allowed without evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// `DELETE` or `CONNECT`.
    Operation,
    /// A subresource that is not configured for evaluation.
    Subresource,
    /// An exempt namespace (system namespaces, kubeward's own).
    ExemptNamespace,
    /// No object in the request.
    NoObject,
    /// The object could not be loaded (logged; allowed).
    Unreadable,
}

impl Skip {
    /// Metric label value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Skip::Operation => "operation",
            Skip::Subresource => "subresource",
            Skip::ExemptNamespace => "exempt-namespace",
            Skip::NoObject => "no-object",
            Skip::Unreadable => "unreadable",
        }
    }
}

/// One finding with the action it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// Rule code.
    pub code: &'static str,
    /// Field path.
    pub path: String,
    /// The action applied.
    pub action: Action,
}

/// The outcome of [`evaluate`].
#[derive(Debug, Clone)]
pub struct Decision {
    /// What to answer.
    pub response: AdmissionResponse,
    /// Findings that were enforced, warned or audited.
    pub judged: Vec<Judged>,
    /// Findings dropped by a request exemption, with the exemption's reason.
    pub exempted: Vec<(&'static str, String)>,
    /// Findings dropped because `oldObject` already had them (`updates: introduced`).
    pub preexisting: usize,
    /// Why evaluation was skipped, if it was.
    pub skipped: Option<Skip>,
    /// The effective mode (ceiling) used.
    pub mode: Action,
}

impl Decision {
    fn allow(uid: &str, skip: Option<Skip>, mode: Action) -> Decision {
        Decision {
            response: AdmissionResponse {
                uid: uid.to_owned(),
                allowed: true,
                status: None,
                warnings: Vec::new(),
                audit_annotations: BTreeMap::new(),
            },
            judged: Vec::new(),
            exempted: Vec::new(),
            preexisting: 0,
            skipped: skip,
            mode,
        }
    }
}

/// Judges `request` under `policy`. `mode` is the namespace's mode from the
/// `/validate/{mode}` endpoint (the namespace label `kubeward.io/enforce`), if any.
///
/// Pure: no I/O, no side effects, so `dryRun` requests are judged exactly like others.
#[must_use]
pub fn evaluate(policy: &Policy, request: &AdmissionRequest, mode: Option<Action>) -> Decision {
    evaluate_with_images(policy, request, mode, Vec::new())
}

/// Why `request` is allowed without evaluation under `policy`, if it is (operation,
/// subresource, exempt namespace, no object).
#[must_use]
pub fn skip_reason(policy: &Policy, request: &AdmissionRequest) -> Option<Skip> {
    let w = &policy.webhook;
    if !matches!(request.operation.as_str(), "CREATE" | "UPDATE") {
        return Some(Skip::Operation);
    }
    if !request.sub_resource.is_empty() && !w.subresources.contains(&request.sub_resource) {
        return Some(Skip::Subresource);
    }
    if !request.namespace.is_empty()
        && (request.namespace == w.namespace || w.exempt_namespaces.contains(&request.namespace))
    {
        return Some(Skip::ExemptNamespace);
    }
    if request.object.is_none() {
        return Some(Skip::NoObject);
    }
    None
}

/// [`evaluate`] with the image findings computed beforehand (asynchronously, by
/// [`crate::images::image_findings`]): each `(field path, finding)` is located in the object
/// and judged with the other findings (suppression annotations, exemptions and actions apply).
#[must_use]
pub fn evaluate_with_images(
    policy: &Policy,
    request: &AdmissionRequest,
    mode: Option<Action>,
    images: Vec<(String, GateFinding)>,
) -> Decision {
    let w = &policy.webhook;
    let mut ceiling = mode
        .or_else(|| w.namespace_modes.get(&request.namespace).copied())
        .unwrap_or(w.mode);
    if w.break_glass {
        ceiling = ceiling.min(Action::Warn);
    }
    let uid = request.uid.as_str();
    if let Some(skip) = skip_reason(policy, request) {
        return Decision::allow(uid, Some(skip), ceiling);
    }
    let Some(object) = &request.object else {
        return Decision::allow(uid, Some(Skip::NoObject), ceiling);
    };
    let Some((findings, labels)) = findings_of(policy, object, images) else {
        return Decision::allow(uid, Some(Skip::Unreadable), ceiling);
    };
    let mut decision = Decision::allow(uid, None, ceiling);
    let mut findings = findings;
    if request.operation == "UPDATE"
        && w.updates == Updates::Introduced
        && let Some(old) = &request.old_object
        && let Some((old_findings, _)) = findings_of(policy, old, Vec::new())
    {
        let before: BTreeSet<(&str, Option<&str>)> = old_findings
            .iter()
            .map(|d| (d.code, d.location.path.as_deref()))
            .collect();
        let total = findings.len();
        findings.retain(|d| !before.contains(&(d.code, d.location.path.as_deref())));
        decision.preexisting = total - findings.len();
    }
    let mut denied = Vec::new();
    let mut warnings = Vec::new();
    let mut audited = Vec::new();
    for d in &findings {
        if let Some(e) = w
            .exemptions
            .iter()
            .find(|e| exemption_covers(e, d, request, &labels))
        {
            decision.exempted.push((d.code, e.reason.clone()));
            continue;
        }
        let action = action_for(policy, d).min(ceiling);
        decision.judged.push(Judged {
            code: d.code,
            path: d.location.path.clone().unwrap_or_default(),
            action,
        });
        match action {
            Action::Deny => denied.push(d),
            Action::Warn => warnings.push(d),
            Action::Audit => audited.push(d),
        }
    }
    let r = &mut decision.response;
    if !denied.is_empty() {
        r.allowed = false;
        r.status = Some(Status {
            status: "Failure",
            code: 403,
            reason: "Forbidden",
            message: deny_message(request, &denied),
        });
    }
    r.warnings = warnings
        .iter()
        .take(MAX_WARNINGS)
        .map(|d| warning_text(d))
        .collect();
    if warnings.len() > MAX_WARNINGS {
        r.warnings.push(format!(
            "kubeward: {} more warnings (see `kubeward scan`)",
            warnings.len() - MAX_WARNINGS
        ));
    }
    if !audited.is_empty() {
        r.audit_annotations
            .insert("findings".to_owned(), summary(&audited, 512));
    }
    if !warnings.is_empty() {
        r.audit_annotations
            .insert("warnings".to_owned(), summary(&warnings, 512));
    }
    if !denied.is_empty() {
        r.audit_annotations
            .insert("denied".to_owned(), summary(&denied, 512));
    }
    decision
}

/// Findings of one object (JSON) after suppression annotations and configuration exemptions,
/// without input-category findings; plus the object's labels.
fn findings_of(
    policy: &Policy,
    object: &RawValue,
    images: Vec<(String, GateFinding)>,
) -> Option<(Vec<Diagnostic>, BTreeMap<String, String>)> {
    let loaded = kubeward_model::load_text("admission-request.json", object.get());
    let first = loaded.objects.first()?;
    let labels = labels_of(first);
    let file: Arc<str> = first.origin.source.path_arc();
    let mut out = policy.engine.check_file(&loaded, &file);
    for (path, finding) in images {
        let (location, snippet) = locate(first, &path);
        out.diagnostics.extend(policy.engine.external(
            finding.rule,
            ExternalFinding {
                message: finding.message,
                object: Some(object_id(first)),
                location,
                snippet: Some(snippet),
                fix: None,
                severity: finding.severity,
                related: Vec::new(),
            },
        ));
    }
    let outcome = policy
        .engine
        .finalize(out.diagnostics, out.suppressions, &out.facts);
    let findings = outcome
        .diagnostics
        .into_iter()
        .filter(|d| d.category != Category::Input)
        .collect();
    Some((findings, labels))
}

fn labels_of(object: &Object) -> BTreeMap<String, String> {
    object
        .metadata()
        .and_then(|m| m.get("labels"))
        .into_iter()
        .flat_map(|l| l.entries())
        .filter_map(|(k, v)| Some((k.into_owned(), v.scalar_string()?.into_owned())))
        .collect()
}

fn action_for(policy: &Policy, d: &Diagnostic) -> Action {
    let w = &policy.webhook;
    registry::find(d.code)
        .and_then(|rule| {
            w.actions
                .iter()
                .filter(|(sel, _)| matches_rule(sel, rule))
                .max_by_key(|(sel, _)| sel.len())
                .map(|(_, a)| *a)
        })
        .unwrap_or_else(|| w.severity_actions.of(d.severity))
}

fn exemption_covers(
    e: &RequestExemption,
    d: &Diagnostic,
    request: &AdmissionRequest,
    labels: &BTreeMap<String, String>,
) -> bool {
    let rule_ok = e.rules.is_empty()
        || registry::find(d.code).is_some_and(|r| e.rules.iter().any(|s| matches_rule(s, r)));
    rule_ok
        && (e.namespaces.is_empty() || e.namespaces.contains(&request.namespace))
        && (e.users.is_empty() || e.users.contains(&request.user_info.username))
        && (e.groups.is_empty()
            || request
                .user_info
                .groups
                .iter()
                .any(|g| e.groups.contains(g)))
        && e.labels
            .iter()
            .all(|(k, v)| labels.get(k).is_some_and(|have| have == v))
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn object_name(request: &AdmissionRequest) -> String {
    let kind = if request.kind.kind.is_empty() {
        "object"
    } else {
        request.kind.kind.as_str()
    };
    match (request.namespace.is_empty(), request.name.is_empty()) {
        (_, true) => kind.to_owned(),
        (true, false) => format!("{kind} {}", request.name),
        (false, false) => format!("{kind} {}/{}", request.namespace, request.name),
    }
}

fn deny_message(request: &AdmissionRequest, denied: &[&Diagnostic]) -> String {
    let mut msg = format!(
        "kubeward denied {}: {} finding{}",
        object_name(request),
        denied.len(),
        if denied.len() == 1 { "" } else { "s" }
    );
    for d in denied.iter().take(MAX_LISTED) {
        let path = d.location.path.as_deref().unwrap_or("");
        let _ = write!(msg, "; {} {}: {}", d.code, path, cut(&d.message, 120));
        if let Some(fix) = &d.fix {
            let _ = write!(msg, " (fix: {})", cut(fix, 100));
        }
    }
    if denied.len() > MAX_LISTED {
        let _ = write!(msg, "; and {} more", denied.len() - MAX_LISTED);
    }
    let _ = write!(msg, ". Details: kubeward explain CODE");
    cut(&msg, MAX_MESSAGE_CHARS)
}

fn warning_text(d: &Diagnostic) -> String {
    let path = d.location.path.as_deref().unwrap_or("");
    cut(
        &format!("kubeward {} {}: {}", d.code, path, d.message),
        MAX_WARNING_CHARS,
    )
}

fn summary(findings: &[&Diagnostic], max: usize) -> String {
    let text = findings
        .iter()
        .map(|d| format!("{} {}", d.code, d.location.path.as_deref().unwrap_or("")))
        .collect::<Vec<_>>()
        .join(", ");
    cut(&text, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::parse_review;

    const PRIV_POD: &str = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.27","securityContext":{"privileged":true}}]}}"#;
    const GOOD_POD: &str = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}"#;

    fn review(
        op: &str,
        ns: &str,
        object: &str,
        old: Option<&str>,
        extra: &str,
    ) -> AdmissionRequest {
        let old = old.map_or(String::new(), |o| format!(r#","oldObject":{o}"#));
        let body = format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{{"uid":"u","operation":"{op}","namespace":"{ns}","name":"web","kind":{{"group":"","version":"v1","kind":"Pod"}},"userInfo":{{"username":"alice","groups":["dev"]}},"object":{object}{old}{extra}}}}}"#
        );
        parse_review(body.as_bytes()).unwrap()
    }

    fn policy(text: &str) -> Policy {
        Policy::parse("k.yaml", text, false).unwrap()
    }

    #[test]
    fn privileged_pod_denied_with_code_path_and_fix() {
        let d = evaluate(
            &policy(""),
            &review("CREATE", "shop", PRIV_POD, None, ""),
            None,
        );
        assert!(!d.response.allowed);
        let st = d.response.status.unwrap();
        assert_eq!(st.code, 403);
        assert!(
            st.message
                .contains("POD001 spec.containers[0].securityContext.privileged"),
            "{}",
            st.message
        );
        assert!(st.message.contains("fix:"), "{}", st.message);
        assert!(st.message.chars().count() <= MAX_MESSAGE_CHARS);
    }

    #[test]
    fn exempt_namespace_and_own_namespace() {
        for ns in ["kube-system", "kubeward"] {
            let d = evaluate(&policy(""), &review("CREATE", ns, PRIV_POD, None, ""), None);
            assert!(d.response.allowed);
            assert_eq!(d.skipped, Some(Skip::ExemptNamespace));
        }
    }

    #[test]
    fn introduced_mode_allows_preexisting_violation() {
        let d = evaluate(
            &policy(""),
            &review("UPDATE", "shop", PRIV_POD, Some(PRIV_POD), ""),
            None,
        );
        assert!(d.response.allowed, "{:?}", d.response);
        assert!(d.preexisting > 0);
        let d = evaluate(
            &policy(""),
            &review("UPDATE", "shop", PRIV_POD, Some(GOOD_POD), ""),
            None,
        );
        assert!(!d.response.allowed);
        let d = evaluate(
            &policy("webhook: {updates: all}\n"),
            &review("UPDATE", "shop", PRIV_POD, Some(PRIV_POD), ""),
            None,
        );
        assert!(!d.response.allowed);
    }

    #[test]
    fn modes_cap_actions() {
        let r = review("CREATE", "shop", PRIV_POD, None, "");
        let d = evaluate(&policy(""), &r, Some(Action::Warn));
        assert!(d.response.allowed);
        assert!(
            d.response.warnings.iter().any(|w| w.contains("POD001")),
            "{:?}",
            d.response.warnings
        );
        let d = evaluate(&policy(""), &r, Some(Action::Audit));
        assert!(d.response.allowed && d.response.warnings.is_empty());
        assert!(d.response.audit_annotations["findings"].contains("POD001"));
        let d = evaluate(
            &policy("webhook: {namespace-modes: {shop: warn}}\n"),
            &r,
            None,
        );
        assert!(d.response.allowed);
        let d = evaluate(&policy("webhook: {break-glass: true}\n"), &r, None);
        assert!(d.response.allowed);
        assert!(!d.response.warnings.is_empty());
    }

    #[test]
    fn per_rule_action_overrides_severity() {
        let r = review("CREATE", "shop", PRIV_POD, None, "");
        let d = evaluate(&policy("webhook:\n  actions: {POD: warn}\n"), &r, None);
        assert!(
            d.judged
                .iter()
                .filter(|j| j.code.starts_with("POD"))
                .all(|j| j.action == Action::Warn)
        );
        let d = evaluate(
            &policy("webhook:\n  actions: {POD: warn, POD001: deny}\n"),
            &r,
            None,
        );
        assert!(!d.response.allowed);
    }

    #[test]
    fn request_exemptions_by_user_group_label() {
        let r = review("CREATE", "shop", PRIV_POD, None, "");
        for e in [
            "{users: [alice], reason: ci}",
            "{groups: [dev], reason: team}",
            "{labels: {app: web}, rules: [POD, IMG], reason: legacy}",
            "{namespaces: [shop], reason: migration}",
        ] {
            let d = evaluate(
                &policy(&format!("webhook:\n  exemptions: [{e}]\n")),
                &r,
                None,
            );
            assert!(d.response.allowed, "{e}: {:?}", d.response.status);
            assert!(!d.exempted.is_empty());
        }
        let d = evaluate(
            &policy("webhook:\n  exemptions: [{users: [bob], reason: x}]\n"),
            &r,
            None,
        );
        assert!(!d.response.allowed);
    }

    #[test]
    fn skipped_requests() {
        let p = policy("");
        let d = evaluate(
            &p,
            &review("DELETE", "shop", "null", Some(PRIV_POD), ""),
            None,
        );
        assert_eq!(d.skipped, Some(Skip::Operation));
        let d = evaluate(
            &p,
            &review(
                "UPDATE",
                "shop",
                PRIV_POD,
                None,
                r#","subResource":"status""#,
            ),
            None,
        );
        assert_eq!(d.skipped, Some(Skip::Subresource));
        let d = evaluate(
            &p,
            &review(
                "UPDATE",
                "shop",
                PRIV_POD,
                Some(GOOD_POD),
                r#","subResource":"ephemeralcontainers""#,
            ),
            None,
        );
        assert!(!d.response.allowed);
    }

    #[test]
    fn suppression_annotation_is_honoured() {
        let pod = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","annotations":{"kubeward.io/ignore":"POD001: debugging node"}},"spec":{"containers":[{"name":"app","image":"nginx:1.27","securityContext":{"privileged":true}}]}}"#;
        let d = evaluate(&policy(""), &review("CREATE", "shop", pod, None, ""), None);
        assert!(
            d.judged.iter().all(|j| j.code != "POD001"),
            "{:?}",
            d.judged
        );
    }

    #[test]
    fn unknown_kind_is_allowed() {
        let crd = r#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"shop"},"spec":{"privileged":true}}"#;
        let d = evaluate(&policy(""), &review("CREATE", "shop", crd, None, ""), None);
        assert!(d.response.allowed && d.judged.is_empty());
    }
}

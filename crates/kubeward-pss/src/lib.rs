//! Pod Security Standards engine: evaluates a pod spec against a level (`privileged`,
//! `baseline`, `restricted`) at a policy version (`v1.0` ... `latest`) exactly as the API
//! server's Pod Security Admission does (`k8s.io/pod-security-admission/policy`).
//!
//! ```
//! use kubeward_pss::{Level, PodInput, Version, evaluate, forbidden_message};
//!
//! let doc = kubeward_yaml::parse_str(
//!     "metadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx\n",
//! );
//! let pod = &doc.documents[0].root;
//! let input = PodInput { metadata: pod.get("metadata"), spec: pod.get("spec").unwrap() };
//!
//! // A default pod passes baseline ...
//! assert!(evaluate(input, Level::Baseline, Version::Latest).allowed);
//!
//! // ... but not restricted.
//! let eval = evaluate(input, Level::Restricted, Version::Latest);
//! assert!(!eval.allowed);
//! assert_eq!(eval.violations[0].check, "allowPrivilegeEscalation");
//! assert_eq!(eval.violations[0].paths, ["containers[0].securityContext.allowPrivilegeEscalation"]);
//! assert!(forbidden_message(&eval).starts_with(
//!     "violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false \
//!      (container \"app\" must set securityContext.allowPrivilegeEscalation=false), ",
//! ));
//! ```
//!
//! The checks, their versions, reasons and detail strings, the order they run in (baseline
//! check IDs sorted, then restricted check IDs sorted; a restricted check may override a baseline
//! one) and the container visiting order (init, regular, ephemeral) all follow upstream. Field
//! paths are relative to the spec node; annotation paths start with `metadata.`.
//!
//! The input is a YAML tree, not a decoded Go struct, so a value of the wrong type (a string
//! where a boolean is expected, say) is treated as unset and reported in
//! [`Evaluation::malformed`]; the API server would have rejected such an object outright.
//! Like the API server, a volume with no source at all counts as the `emptyDir` it is
//! defaulted to.

#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod catalogue;
mod checks;
mod decode;
mod text;
mod version;

use kubeward_yaml::Node;

pub use catalogue::{CheckInfo, Revision};
pub use version::{Level, MAX_POLICY_MINOR, ParseError, Version};

/// The pod to evaluate: its metadata (for the AppArmor and seccomp annotations) and its spec.
/// For a workload, pass the pod template's metadata and spec.
#[derive(Debug, Clone, Copy)]
pub struct PodInput<'a> {
    /// The pod's `metadata` mapping, if any.
    pub metadata: Option<&'a Node>,
    /// The pod's `spec` mapping.
    pub spec: &'a Node,
}

/// One failed check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The upstream check ID (`privileged`, `runAsNonRoot`, ...); see [`checks`].
    pub check: &'static str,
    /// The level the check belongs to.
    pub level: Level,
    /// The forbidden reason, exactly as upstream (`host namespaces`).
    pub reason: String,
    /// The forbidden detail, exactly as upstream (`hostNetwork=true, hostPID=true`); may be empty.
    pub detail: String,
    /// The field paths of the offending (or missing, required) fields, relative to the spec node;
    /// annotation paths are prefixed with `metadata.`.
    pub paths: Vec<String>,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Whether every check allowed the pod.
    pub allowed: bool,
    /// The failed checks, in upstream order.
    pub violations: Vec<Violation>,
    /// Paths of fields whose value had the wrong type (treated as unset), in decoding order
    /// (metadata, pod fields, volumes, then containers in visiting order).
    pub malformed: Vec<String>,
    /// The level evaluated.
    pub level: Level,
    /// The version requested (as in the namespace label: shown in messages).
    pub version: Version,
    /// The policy minor version the checks ran at (`latest` and newer versions clamp to
    /// [`MAX_POLICY_MINOR`]); `None` when no check applies (major version 0).
    pub effective_minor: Option<u32>,
}

/// Evaluates `pod` against `level` at policy `version`.
///
/// `Level::Privileged` allows everything. Versions newer than [`MAX_POLICY_MINOR`], and `latest`,
/// evaluate as [`MAX_POLICY_MINOR`].
#[must_use]
pub fn evaluate(pod: PodInput<'_>, level: Level, version: Version) -> Evaluation {
    evaluate_on_server(pod, level, version, MAX_POLICY_MINOR)
}

/// Like [`evaluate`], as an API server whose (emulated) minor version is `server_minor` does:
/// policy versions newer than the server's, including `latest`, evaluate as `server_minor`
/// (upstream `NewEvaluator(checks, emulationVersion)`).
///
/// Only the version-gated behaviour is emulated: changes upstream made inside an existing check
/// revision (image volumes allowed at restricted since Kubernetes 1.33, AppArmor fields checked
/// since 1.30) apply at every version, as they do on a current API server.
///
/// ```
/// use kubeward_pss::{Level, PodInput, Version, evaluate, evaluate_on_server};
/// let doc = kubeward_yaml::parse_str(
///     "spec:\n  containers:\n  - name: a\n    livenessProbe: {httpGet: {host: localhost, port: 80}}\n",
/// );
/// let input = PodInput { metadata: None, spec: doc.documents[0].root.get("spec").unwrap() };
/// assert!(!evaluate(input, Level::Baseline, Version::Latest).allowed);
/// // A 1.33 API server has no probe-host check, even for `latest`.
/// assert!(evaluate_on_server(input, Level::Baseline, Version::Latest, 33).allowed);
/// ```
#[must_use]
pub fn evaluate_on_server(
    pod: PodInput<'_>,
    level: Level,
    version: Version,
    server_minor: u32,
) -> Evaluation {
    let mut decoder = decode::Decoder::new();
    let view = decoder.pod(pod.metadata, pod.spec);
    let effective_minor = version.effective_minor().map(|m| m.min(server_minor));
    let selected = effective_minor.map_or(&[][..], |minor| checks::selected(level, minor));
    let violations: Vec<Violation> = selected
        .iter()
        .filter_map(|s| {
            (s.version.check)(&view).map(|f| Violation {
                check: s.def.id,
                level: s.def.level,
                reason: f.reason,
                detail: f.detail,
                paths: f.paths,
            })
        })
        .collect();
    Evaluation {
        allowed: violations.is_empty(),
        violations,
        malformed: decoder.malformed,
        level,
        version,
        effective_minor,
    }
}

/// The aggregated detail upstream builds (`AggregateCheckResult.ForbiddenDetail`):
/// `reason (detail), reason, ...`.
#[must_use]
pub fn forbidden_detail(eval: &Evaluation) -> String {
    let mut out = String::new();
    for (i, v) in eval.violations.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(if v.reason.is_empty() {
            "unknown forbidden reason"
        } else {
            &v.reason
        });
        if !v.detail.is_empty() {
            out.push_str(" (");
            out.push_str(&v.detail);
            out.push(')');
        }
    }
    out
}

/// The message the API server rejects a pod with in `enforce` mode:
/// `violates PodSecurity "restricted:latest": <forbidden detail>`. Empty when the pod is allowed.
///
/// (The API server prefixes it with `pods "<name>" is forbidden: `.)
#[must_use]
pub fn forbidden_message(eval: &Evaluation) -> String {
    if eval.allowed {
        return String::new();
    }
    format!(
        "violates PodSecurity \"{}:{}\": {}",
        eval.level,
        eval.version,
        forbidden_detail(eval)
    )
}

/// The warning the API server returns in `warn` mode:
/// `would violate PodSecurity "restricted:latest": <forbidden detail>`. Empty when allowed.
#[must_use]
pub fn warning_message(eval: &Evaluation) -> String {
    if eval.allowed {
        return String::new();
    }
    format!(
        "would violate PodSecurity \"{}:{}\": {}",
        eval.level,
        eval.version,
        forbidden_detail(eval)
    )
}

/// The catalogue of every check, in upstream evaluation order (baseline IDs sorted, then
/// restricted IDs sorted).
///
/// ```
/// let info = kubeward_pss::checks().iter().find(|c| c.id == "sysctls").unwrap();
/// assert_eq!(info.level, kubeward_pss::Level::Baseline);
/// assert!(info.revisions.iter().any(|r| r.since_minor == 27));
/// ```
#[must_use]
pub fn checks() -> &'static [CheckInfo] {
    catalogue::CATALOGUE
}

/// The catalogue entry of one check ID.
#[must_use]
pub fn check_info(id: &str) -> Option<&'static CheckInfo> {
    catalogue::CATALOGUE.iter().find(|c| c.id == id)
}

/// The IDs of the checks evaluated for `level` at `version`, in evaluation order.
///
/// ```
/// use kubeward_pss::{Level, Version, active_checks};
/// let ids = active_checks(Level::Restricted, Version::v1(21));
/// assert!(ids.contains(&"capabilities_baseline")); // capabilities_restricted starts at v1.22
/// assert!(!active_checks(Level::Restricted, Version::Latest).contains(&"capabilities_baseline"));
/// ```
#[must_use]
pub fn active_checks(level: Level, version: Version) -> Vec<&'static str> {
    version
        .effective_minor()
        .map(|minor| {
            checks::selected(level, minor)
                .iter()
                .map(|s| s.def.id)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;

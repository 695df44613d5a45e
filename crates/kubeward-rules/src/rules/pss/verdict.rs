//! Verdicts from the kubeward-pss engine, in object terms: the rules of the Pod Security
//! Standards controls (and `kubeward pss`) evaluate an object's pod template with
//! [`kubeward_pss::evaluate`] and turn the engine's spec-relative field paths into paths inside
//! the object.
//!
//! ```
//! use kubeward_pss::{Level, Version};
//! use kubeward_rules::rules::pss::verdict::{evaluate_object, object_path};
//! let loaded = kubeward_model::load_text("d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx\n        securityContext: {privileged: true}\n");
//! let (pod, eval) = evaluate_object(&loaded.objects[0], Level::Baseline, Version::Latest).unwrap();
//! assert_eq!(eval.violations[0].check, "privileged");
//! assert_eq!(
//!     object_path(&pod, &eval.violations[0].paths[0]),
//!     "spec.template.spec.containers[0].securityContext.privileged"
//! );
//! ```

use kubeward_model::{Container, Object, PodTemplate};
use kubeward_pss::{Evaluation, Level, PodInput, Version, check_info, evaluate};
use kubeward_yaml::Node;

use crate::context::ObjectContext;
use crate::options::RuleOptions;

/// The policy version rules evaluate at: the `pss-version` option, `latest` by default.
#[must_use]
pub fn version(options: &RuleOptions) -> Version {
    options.pss_version.map_or(Version::Latest, |v| v.0)
}

/// Evaluates the pod template of `object` (any workload kind) at `level` and `version`.
/// `None` when the object has no pod template.
#[must_use]
pub fn evaluate_object(
    object: &Object,
    level: Level,
    version: Version,
) -> Option<(PodTemplate<'_>, Evaluation)> {
    let pod = PodTemplate::of(object)?;
    let eval = evaluate(
        PodInput {
            metadata: pod.metadata,
            spec: pod.spec,
        },
        level,
        version,
    );
    Some((pod, eval))
}

/// The path inside the object of an engine path (relative to the pod spec, or starting with
/// `metadata.` for annotations).
///
/// ```
/// # use kubeward_rules::rules::pss::verdict::object_path;
/// let loaded = kubeward_model::load_text("c.yaml", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec: {containers: [{name: a}]}\n");
/// let pod = kubeward_model::PodTemplate::of(&loaded.objects[0]).unwrap();
/// assert_eq!(object_path(&pod, "hostPID"), "spec.jobTemplate.spec.template.spec.hostPID");
/// assert_eq!(
///     object_path(&pod, "metadata.annotations[\"a.b/c\"]"),
///     "spec.jobTemplate.spec.template.metadata.annotations[\"a.b/c\"]"
/// );
/// ```
#[must_use]
pub fn object_path(pod: &PodTemplate<'_>, engine_path: &str) -> String {
    if let Some(rest) = engine_path.strip_prefix("metadata")
        && (rest.is_empty() || rest.starts_with(['.', '[']))
    {
        return format!("{}{rest}", pod.metadata_path);
    }
    if engine_path.is_empty() {
        pod.spec_path.to_string()
    } else {
        format!("{}.{engine_path}", pod.spec_path)
    }
}

/// The container an engine path points into (`containers[1].securityContext...`).
#[must_use]
pub fn container_at<'a>(pod: &PodTemplate<'a>, engine_path: &str) -> Option<Container<'a>> {
    let (field, rest) = engine_path.split_once('[')?;
    let index: usize = rest.split_once(']')?.0.parse().ok()?;
    pod.containers()
        .find(|c| c.kind.field() == field && c.index == index)
}

/// The node at an engine path, if present.
#[must_use]
pub fn node_at<'a>(pod: &PodTemplate<'a>, engine_path: &str) -> Option<&'a Node> {
    match engine_path.strip_prefix("metadata.") {
        Some(rest) => pod.metadata?.at_path(rest),
        None => pod.spec.at_path(engine_path),
    }
}

/// Who an engine path is about, for messages: ``container `app` ``, `pod`, or
/// ``annotation `key` ``.
#[must_use]
pub fn subject(pod: &PodTemplate<'_>, engine_path: &str) -> String {
    if let Some(c) = container_at(pod, engine_path) {
        return c.describe();
    }
    if let Some(key) = engine_path
        .strip_prefix("metadata.annotations[\"")
        .and_then(|k| k.strip_suffix("\"]"))
    {
        return format!("annotation `{key}`");
    }
    "pod".to_string()
}

/// One offending field of a [`PodViolation`].
#[derive(Debug, Clone)]
pub struct Site<'a> {
    /// The path as the engine reports it (relative to the pod spec).
    pub engine_path: String,
    /// The path inside the object (what findings report).
    pub path: String,
    /// The value at the path, if the field exists.
    pub node: Option<&'a Node>,
    /// The container the path points into, if any.
    pub container: Option<Container<'a>>,
}

impl Site<'_> {
    /// Who the field belongs to, for messages (see [`subject`]).
    #[must_use]
    pub fn subject(&self, pod: &PodTemplate<'_>) -> String {
        self.container
            .as_ref()
            .map_or_else(|| subject(pod, &self.engine_path), Container::describe)
    }

    /// The value as a string (scalars only), or empty.
    #[must_use]
    pub fn value(&self) -> String {
        self.node
            .and_then(Node::scalar_string)
            .map(std::borrow::Cow::into_owned)
            .unwrap_or_default()
    }
}

/// A failed check of one object, with every offending field.
#[derive(Debug, Clone)]
pub struct PodViolation<'a> {
    /// The pod template evaluated.
    pub pod: PodTemplate<'a>,
    /// The upstream check ID.
    pub check: &'static str,
    /// The upstream forbidden reason.
    pub reason: String,
    /// The upstream forbidden detail.
    pub detail: String,
    /// The offending (or missing, required) fields, in engine order.
    pub sites: Vec<Site<'a>>,
}

fn level_of(check: &str) -> Level {
    check_info(check).map_or(Level::Restricted, |c| c.level)
}

fn raw_violation<'a>(
    ctx: &ObjectContext<'a>,
    check: &str,
) -> Option<(PodTemplate<'a>, kubeward_pss::Violation)> {
    let (pod, eval) = evaluate_object(ctx.object, level_of(check), version(ctx.options))?;
    let violation = eval.violations.into_iter().find(|v| v.check == check)?;
    Some((pod, violation))
}

/// The violation of `check` by the object, evaluated at the check's own level and at the
/// configured policy version ([`version`]); `None` when the check passes or does not exist at
/// that version.
#[must_use]
pub fn violation<'a>(ctx: &ObjectContext<'a>, check: &str) -> Option<PodViolation<'a>> {
    violation_beyond(ctx, check, None)
}

/// Like [`violation`], leaving out the fields that the violation of `covered_by` (a check of
/// the lower level that a restricted check overrides, reported by its own rule) already
/// reports: one field, one finding. `None` when nothing is left.
#[must_use]
pub fn violation_beyond<'a>(
    ctx: &ObjectContext<'a>,
    check: &str,
    covered_by: Option<&str>,
) -> Option<PodViolation<'a>> {
    let (pod, v) = raw_violation(ctx, check)?;
    let covered: Vec<String> = covered_by
        .and_then(|c| raw_violation(ctx, c))
        .map(|(_, v)| v.paths)
        .unwrap_or_default();
    let sites: Vec<Site<'a>> = v
        .paths
        .into_iter()
        .filter(|p| !covered.contains(p))
        .map(|engine_path| Site {
            path: object_path(&pod, &engine_path),
            node: node_at(&pod, &engine_path),
            container: container_at(&pod, &engine_path),
            engine_path,
        })
        .collect();
    if sites.is_empty() {
        return None;
    }
    Some(PodViolation {
        pod,
        check: v.check,
        reason: v.reason,
        detail: v.detail,
        sites,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(text: &str) -> kubeward_model::Loaded {
        kubeward_model::load_text("t.yaml", text)
    }

    #[test]
    fn paths_and_subjects() {
        let loaded = pod(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers: [{name: i}]\n  containers: [{name: a}, {name: b}]\n",
        );
        let p = PodTemplate::of(&loaded.objects[0]).unwrap();
        assert_eq!(object_path(&p, "hostPID"), "spec.hostPID");
        assert_eq!(
            object_path(&p, "metadata.annotations[\"x/y\"]"),
            "metadata.annotations[\"x/y\"]"
        );
        assert_eq!(
            subject(&p, "containers[1].securityContext.privileged"),
            "container `b`"
        );
        assert_eq!(
            subject(&p, "initContainers[0].ports[0]"),
            "init container `i`"
        );
        assert_eq!(subject(&p, "securityContext.runAsUser"), "pod");
        assert_eq!(
            subject(&p, "metadata.annotations[\"a.b/c\"]"),
            "annotation `a.b/c`"
        );
        assert!(container_at(&p, "containers[7].x").is_none());
        assert!(container_at(&p, "volumes[0].hostPath").is_none());
    }

    #[test]
    fn beyond_removes_covered_paths() {
        let loaded = pod(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    securityContext: {seccompProfile: {type: Unconfined}}\n  - name: b\n",
        );
        let options = RuleOptions::default();
        let ctx = ObjectContext {
            object: &loaded.objects[0],
            options: &options,
        };
        let all = violation(&ctx, "seccompProfile_restricted").unwrap();
        assert_eq!(all.sites.len(), 1, "explicit bad values are reported first");
        assert!(
            violation_beyond(
                &ctx,
                "seccompProfile_restricted",
                Some("seccompProfile_baseline")
            )
            .is_none()
        );
        let base = violation(&ctx, "seccompProfile_baseline").unwrap();
        assert_eq!(
            base.sites[0].path,
            "spec.containers[0].securityContext.seccompProfile.type"
        );
        assert_eq!(base.sites[0].value(), "Unconfined");
    }
}

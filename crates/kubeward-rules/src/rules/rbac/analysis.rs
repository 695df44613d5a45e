//! The bridge between the bundle and the RBAC engine: every retained RBAC object goes into a
//! [`kubeward_rbac::Policy`] (on top of the default cluster policy, so `cluster-admin`, `edit`
//! and friends resolve) with its position in `ctx.index.all()` as its [`SourceId`]; engine
//! results carry that id back, so findings land on the binding object and its role's rule.
//!
//! The policy and its risk report are built once per bundle and shared by every RBAC rule
//! through a one-entry, per-thread cache keyed by the identity of the bundle's objects (the
//! same scheme as the NET rules): the cache keeps a clone of each source file it is keyed on,
//! so a key can never match a different bundle whose text reuses the same memory.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::LazyLock;

use kubeward_diagnostics::Severity;
use kubeward_model::{Object, ObjectIndex, PodTemplate};
use kubeward_rbac::{
    ObjectRef as RbacRef, Policy, RiskFinding, RiskKind, RiskOptions, RiskReport, SourceId,
    WorkloadRef,
};
use kubeward_yaml::Node;

use crate::context::{Emitter, FindingBuilder};
use crate::rules::bundle_cache::{Slot, cached};

/// The RBAC kinds the engine reads.
pub(super) const RBAC_KINDS: &[&str] = &[
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ServiceAccount",
];

/// Kinds whose pods run as a service account (workload nodes of the escalation graph).
pub(super) const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

/// RBAC kinds and workload kinds (rules that look at workloads).
pub(super) const RBAC_AND_WORKLOAD_KINDS: &[&str] = &[
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ServiceAccount",
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

/// The default cluster policy, parsed once per process; each analysis clones it.
static DEFAULTS: LazyLock<Policy> = LazyLock::new(Policy::with_defaults);

/// The bundle's RBAC objects loaded into the engine, with the risk report.
pub(super) struct Analysis<'a> {
    built: Rc<Built>,
    /// Every retained object (indexed by [`SourceId`]).
    pub objects: &'a [Object],
}

/// What is computed once per bundle.
struct Built {
    policy: Policy,
    report: RiskReport,
}

impl Built {
    fn new(objects: &[Object]) -> Self {
        let mut policy = DEFAULTS.clone();
        for (i, object) in objects.iter().enumerate() {
            if RBAC_KINDS.contains(&object.kind()) {
                let _ = policy.add_object(SourceId(i), &object.root);
            }
        }
        let report = policy.risk_report(&RiskOptions::default());
        Self { policy, report }
    }
}

impl<'a> Analysis<'a> {
    /// Loads every RBAC object of the bundle (or takes the cached analysis of the same
    /// bundle). Malformed objects are left out (the loader's shape checks report them).
    pub fn new(index: &'a ObjectIndex) -> Self {
        Self {
            built: cached_built(index),
            objects: index.all(),
        }
    }

    /// The policy: the default cluster policy plus the input's objects.
    pub fn policy(&self) -> &Policy {
        &self.built.policy
    }

    /// Risky grants of the input's bindings.
    pub fn report(&self) -> &RiskReport {
        &self.built.report
    }

    /// The input object an engine reference came from (`None` for the default policy).
    pub fn object(&self, r: &RbacRef) -> Option<&'a Object> {
        r.source.and_then(|s| self.objects.get(s.0))
    }

    /// Risk findings of the given kinds grouped by (binding, path), in report order.
    pub fn grouped(&self, kinds: &[RiskKind]) -> Vec<Group<'_>> {
        let mut groups: BTreeMap<(&RbacRef, &str), Vec<&RiskFinding>> = BTreeMap::new();
        for f in &self.report().findings {
            if kinds.contains(&f.kind) {
                groups
                    .entry((&f.binding, f.path.as_str()))
                    .or_default()
                    .push(f);
            }
        }
        groups
            .into_iter()
            .map(|((binding, path), findings)| Group {
                binding,
                path,
                findings,
            })
            .collect()
    }

    /// Whether the binding has a risk of `kind` from the rule at `site`.
    pub fn has_risk_at(
        &self,
        binding: &RbacRef,
        site: &kubeward_rbac::RuleSite,
        kind: RiskKind,
    ) -> bool {
        self.report()
            .findings
            .iter()
            .any(|f| f.kind == kind && &f.binding == binding && f.rule.as_ref() == Some(site))
    }

    /// Reports `message` on the group's binding at `path` (usually the group's), with each
    /// finding's rule as a related location. A binding without subjects grants nothing: informational.
    pub fn report_group<'e>(
        &self,
        out: &'e mut Emitter<'a>,
        group: &Group<'_>,
        path: &str,
        message: String,
        note: &str,
        severity: Option<Severity>,
    ) -> Option<FindingBuilder<'e, 'a>> {
        let binding = self.object(group.binding)?;
        let mut builder = out.report_on(binding, path, message);
        if !has_subjects(binding) {
            builder = builder.severity(Severity::Info);
        } else if let Some(severity) = severity {
            builder = builder.severity(severity);
        }
        let mut seen = Vec::new();
        for f in &group.findings {
            let Some(site) = &f.rule else { continue };
            if seen.contains(&site) {
                continue;
            }
            seen.push(site);
            if let Some(role) = self.object(&site.role) {
                builder = builder.related(role, site.path.clone(), note.to_string());
            }
        }
        Some(builder)
    }

    /// The workloads of the bundle as escalation-graph nodes (source = index position).
    pub fn workloads(&self) -> Vec<WorkloadRef> {
        self.objects
            .iter()
            .enumerate()
            .filter(|(_, o)| WORKLOAD_KINDS.contains(&o.kind()))
            .filter_map(|(i, o)| {
                let pod = PodTemplate::of(o)?;
                Some(WorkloadRef {
                    kind: o.kind().to_string(),
                    namespace: o.namespace().unwrap_or("default").to_string(),
                    name: o.name().to_string(),
                    service_account: service_account_of(&pod).0.to_string(),
                    source: Some(SourceId(i)),
                })
            })
            .collect()
    }
}

/// One binding field with its risk findings.
pub(super) struct Group<'r> {
    /// The binding.
    pub binding: &'r RbacRef,
    /// `roleRef` or `subjects[i]`.
    pub path: &'r str,
    /// The findings there.
    pub findings: Vec<&'r RiskFinding>,
}

/// The service account a pod template runs as (`serviceAccountName`, the deprecated
/// `serviceAccount`, or `default`) and the field path that says so (the pod spec when unset).
pub(super) fn service_account_of<'p>(pod: &PodTemplate<'p>) -> (&'p str, String) {
    for key in ["serviceAccountName", "serviceAccount"] {
        let (node, path) = pod.field(key);
        if let Some(name) = node.and_then(Node::as_str).filter(|s| !s.is_empty()) {
            return (name, path);
        }
    }
    ("default", pod.spec_path.to_string())
}

/// Whether a binding object lists at least one subject.
pub(super) fn has_subjects(binding: &Object) -> bool {
    binding
        .root
        .get("subjects")
        .is_some_and(|s| s.items().next().is_some())
}

/// `Kind namespace/name` or `Kind name` in backticks, marking default-policy objects.
pub(super) fn describe(r: &RbacRef) -> String {
    let name = match &r.namespace {
        Some(ns) => format!("{} `{ns}/{}`", r.kind, r.name),
        None => format!("{} `{}`", r.kind, r.name),
    };
    if r.source.is_none() {
        format!("{name} (default policy)")
    } else {
        name
    }
}

/// `(rules[i] of ClusterRole `x`)`, naming the role the rule is written in when it differs
/// from the bound one (aggregation).
pub(super) fn rule_origin(finding: &RiskFinding) -> String {
    match (&finding.rule, &finding.role) {
        (Some(site), Some(role)) if site.role.name == role.name && site.role.kind == role.kind => {
            format!("`{}`", site.path)
        }
        (Some(site), _) => format!("`{}` of {}, aggregated", site.path, describe(&site.role)),
        _ => String::new(),
    }
}

/// A binding subject as written: `User `jane``, `ServiceAccount `ns/name``.
pub(super) fn describe_subject(subject: &Node, binding_namespace: Option<&str>) -> String {
    let kind = subject.get("kind").and_then(Node::as_str).unwrap_or("?");
    let name = subject.get("name").and_then(Node::as_str).unwrap_or("");
    match kind {
        "ServiceAccount" => {
            let ns = subject
                .get("namespace")
                .and_then(Node::as_str)
                .or(binding_namespace)
                .unwrap_or("default");
            format!("ServiceAccount `{ns}/{name}`")
        }
        _ => format!("{kind} `{name}`"),
    }
}

/// Whether a group is one of the API server's own system groups that legitimately hold
/// power (`system:masters`, `system:nodes`, ...), as opposed to the groups that stand for
/// everyone (`system:authenticated`, `system:unauthenticated`, `system:serviceaccounts[:NS]`).
pub(super) fn is_privileged_system_group(name: &str) -> bool {
    name.starts_with("system:")
        && !matches!(name, "system:authenticated" | "system:unauthenticated")
        && !name.starts_with("system:serviceaccounts")
}

/// Reports every risk of `kind` on its binding field (a subject risk: `subjects[i]`), with
/// the bound role's rules as a related location. `message` gets the binding, the subject and
/// the bound role, described.
pub(super) fn report_subject_risk<'a>(
    ctx: &crate::context::BundleContext<'a>,
    out: &mut Emitter<'a>,
    kind: RiskKind,
    message: impl Fn(&str, &str, &str) -> String,
) {
    let analysis = Analysis::new(ctx.index);
    for group in analysis.grouped(&[kind]) {
        let Some(finding) = group.findings.first() else {
            continue;
        };
        let subject = finding
            .subject
            .as_ref()
            .map_or_else(String::new, |s| match &s.namespace {
                Some(ns) => format!("{} `{ns}/{}`", s.kind, s.name),
                None => format!("{} `{}`", s.kind, s.name),
            });
        let role = finding
            .role
            .as_ref()
            .map_or_else(|| "a role that does not exist".to_string(), describe);
        let text = message(&describe(group.binding), &subject, &role);
        let role_object = finding.role.as_ref().and_then(|r| analysis.object(r));
        if let Some(builder) = analysis.report_group(out, &group, group.path, text, "", None)
            && let Some(role_object) = role_object
        {
            let _ = builder.related(role_object, "rules", "the permissions granted");
        }
    }
}

/// How a permission risk is reported.
pub(super) struct PermissionRisk {
    /// The risk kinds reported together (one finding per binding).
    pub kinds: &'static [RiskKind],
    /// Leave out findings that a broader rule reports (`*` on everything).
    pub skip: fn(&Analysis<'_>, &RiskFinding) -> bool,
    /// The severity for a RoleBinding (namespace-scoped grant), when lower than the rule's.
    pub namespaced: Option<Severity>,
    /// The related-location note on the granting rule.
    pub note: &'static str,
}

/// Reports permission risks (path `roleRef`) on their bindings, with every granting rule as a
/// related location. `message` gets the binding, the role, and the granting rules' paths.
pub(super) fn report_permission_risk<'a>(
    ctx: &crate::context::BundleContext<'a>,
    out: &mut Emitter<'a>,
    risk: &PermissionRisk,
    message: impl Fn(&str, &str, &str, &[&RiskFinding]) -> String,
) {
    let analysis = Analysis::new(ctx.index);
    for mut group in analysis.grouped(risk.kinds) {
        group.findings.retain(|f| !(risk.skip)(&analysis, f));
        let Some(first) = group.findings.first() else {
            continue;
        };
        let role = first.role.as_ref().map(describe).unwrap_or_default();
        let mut origins: Vec<String> = group.findings.iter().map(|f| rule_origin(f)).collect();
        origins.dedup();
        let text = message(
            &describe(group.binding),
            &role,
            &origins.join(", "),
            &group.findings,
        );
        let severity = risk
            .namespaced
            .filter(|_| group.binding.kind == kubeward_rbac::ObjectKind::RoleBinding);
        let _ = analysis.report_group(out, &group, group.path, text, risk.note, severity);
    }
}

/// Skips nothing.
pub(super) fn skip_none(_: &Analysis<'_>, _: &RiskFinding) -> bool {
    false
}

/// Skips findings of bindings that are cluster-admin-equivalent (RBAC001 says it all).
pub(super) fn skip_cluster_admin(analysis: &Analysis<'_>, f: &RiskFinding) -> bool {
    analysis
        .report()
        .findings
        .iter()
        .any(|other| other.kind == RiskKind::ClusterAdminEquivalent && other.binding == f.binding)
}

/// Skips findings whose rule is `*` verbs on `*` resources in `*` apiGroups (RBAC001 or
/// RBAC010 reports it once).
pub(super) fn skip_full_wildcard(analysis: &Analysis<'_>, f: &RiskFinding) -> bool {
    skip_cluster_admin(analysis, f)
        || f.rule.as_ref().is_some_and(|site| {
            [
                RiskKind::WildcardVerb,
                RiskKind::WildcardResource,
                RiskKind::WildcardApiGroup,
            ]
            .iter()
            .all(|k| analysis.has_risk_at(&f.binding, site, *k))
        })
}

thread_local! {
    static CACHE: Slot<Built> = const { RefCell::new(None) };
}

/// The policy and risk report of a bundle, computed once and shared by the RBAC rules.
fn cached_built(index: &ObjectIndex) -> Rc<Built> {
    cached(&CACHE, index, || Built::new(index.all()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_model::load_text;

    const BINDING: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ROLE}\nsubjects: [{kind: User, name: u}]\n";

    #[test]
    fn the_cache_tells_bundles_apart() {
        // Same file name, same spans, different content: never the same analysis.
        for (role, missing) in [
            ("nope", true),
            ("view", false),
            ("nop2", true),
            ("edit", false),
        ] {
            let loaded = load_text("same.yaml", &BINDING.replace("ROLE", role));
            let index = ObjectIndex::new(loaded.objects);
            let analysis = Analysis::new(&index);
            let has_missing = analysis
                .report()
                .findings
                .iter()
                .any(|f| f.kind == RiskKind::MissingRole);
            assert_eq!(has_missing, missing, "{role}");
        }
    }

    #[test]
    fn the_cache_is_shared_within_a_bundle() {
        let loaded = load_text("a.yaml", &BINDING.replace("ROLE", "view"));
        let index = ObjectIndex::new(loaded.objects);
        let a = Analysis::new(&index);
        let b = Analysis::new(&index);
        assert!(Rc::ptr_eq(&a.built, &b.built));
    }
}

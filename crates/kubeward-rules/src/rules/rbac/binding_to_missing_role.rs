use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::{FindingKind, RiskKind};
use kubeward_yaml::Node;

use super::analysis::{Analysis, RBAC_KINDS};
use crate::context::{BundleContext, Emitter};
use crate::meta::cwe;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags bindings whose `roleRef` names a Role or ClusterRole that is neither among the
    /// input's objects nor in the default cluster policy, or a `roleRef` no API server
    /// resolves (a ClusterRoleBinding to a `Role`, an unknown kind).
    ///
    /// ## Why is this bad?
    /// The binding grants nothing today, which is usually a bug. Worse, whoever later creates
    /// a role with that name decides what the subjects can do: anyone allowed to create
    /// Roles in the namespace can grant them permissions through a binding they cannot edit.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: api-config, namespace: shop}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: config-reader
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: api
    ///   namespace: shop
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata: {name: config-reader, namespace: shop}
    /// rules:
    /// - apiGroups: [""]
    ///   resources: [configmaps]
    ///   verbs: [get]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: api-config, namespace: shop}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: config-reader
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: api
    ///   namespace: shop
    /// ```
    ///
    /// ## Fix
    /// Add the role to the manifests, correct `roleRef`, or delete the binding.
    ///
    /// ## Exceptions
    /// Roles created by another tool (an operator, a chart not scanned): scan them together,
    /// or suppress with `kubeward.io/ignore: "RBAC009: role created by <tool>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CWE-706 Use of Incorrectly-Resolved Name or Reference
    pub static BINDING_TO_MISSING_ROLE: Rule = Rule {
        code: "RBAC009",
        name: "binding-to-missing-role",
        severity: Severity::Medium,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cwe("CWE-706")],
        fix: "Add the role to the manifests or correct `roleRef`.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let analysis = Analysis::new(ctx.index);
    let invalid: Vec<_> = analysis
        .policy()
        .findings()
        .into_iter()
        .filter(|f| f.kind == FindingKind::InvalidRoleRef)
        .map(|f| f.object)
        .collect();
    for group in analysis.grouped(&[RiskKind::MissingRole]) {
        let Some(binding) = analysis.object(group.binding) else {
            continue;
        };
        let field = |path: &str| {
            binding
                .root
                .at_path(path)
                .and_then(Node::as_str)
                .unwrap_or("")
        };
        let (kind, name) = (field("roleRef.kind"), field("roleRef.name"));
        let message = if invalid.contains(group.binding) {
            format!(
                "`roleRef` kind `{kind}` cannot be bound by a {}; the binding grants nothing",
                group.binding.kind
            )
        } else {
            format!(
                "`roleRef` names {kind} `{name}`, which is neither in the input nor in the default cluster policy"
            )
        };
        let _ = analysis.report_group(out, &group, group.path, message, "", None);
    }
}

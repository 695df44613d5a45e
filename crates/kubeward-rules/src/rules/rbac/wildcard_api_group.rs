use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::RiskKind;

use super::analysis::{PermissionRisk, RBAC_KINDS, report_permission_risk, skip_full_wildcard};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags bindings whose role has a rule with `*` in `apiGroups` (reported on the binding that
    /// makes it real; the rule is the related location). Rules that are `*` on verbs, resources and apiGroups are left to RBAC010 and
    /// RBAC001.
    ///
    /// ## Why is this bad?
    /// `*` in `apiGroups` matches the named resources in every API group, including custom
    /// resources of the same name installed later by any CRD, which may mean something very
    /// different from what the author had in mind.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata: {name: app, namespace: shop}
    /// rules:
    /// - apiGroups: ["*"]
    ///   resources: [deployments]
    ///   verbs: [get, list]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: app, namespace: shop}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: app
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: app
    ///   namespace: shop
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata: {name: app, namespace: shop}
    /// rules:
    /// - apiGroups: [apps]
    ///   resources: [deployments]
    ///   verbs: [get, list]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: app, namespace: shop}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: app
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: app
    ///   namespace: shop
    /// ```
    ///
    /// ## Fix
    /// Name the API groups (`""` for the core group, `apps`, `batch`, ...).
    ///
    /// ## Exceptions
    /// Operators that manage arbitrary resources by design. Suppress on the binding with
    /// `kubeward.io/ignore: "RBAC012: <operator>"`. A role bound to nobody is reported only
    /// by RBAC013 (informational).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.3 "Minimize wildcard use in Roles and ClusterRoles"
    /// - MITRE ATT&CK T1078 Valid Accounts
    pub static WILDCARD_API_GROUP: Rule = Rule {
        code: "RBAC012",
        name: "wildcard-api-group",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cis("5.1.3"), mitre("T1078")],
        fix: "Name the API groups instead of `*`.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let risk = PermissionRisk {
        kinds: &[RiskKind::WildcardApiGroup],
        skip: skip_full_wildcard,
        namespaced: Some(Severity::Medium),
        note: "`*` in `apiGroups`",
    };
    report_permission_risk(ctx, out, &risk, |binding, role, rules, _| {
        format!("{binding} grants access in `*` apiGroups through {role} ({rules})")
    });
}

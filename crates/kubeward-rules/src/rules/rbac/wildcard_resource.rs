use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::RiskKind;

use super::analysis::{PermissionRisk, RBAC_KINDS, report_permission_risk, skip_full_wildcard};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags bindings whose role has a rule with `*` in `resources` (reported on the binding that
    /// makes it real; the rule is the related location). Rules that are `*` on verbs, resources and apiGroups are left to RBAC010 and
    /// RBAC001.
    ///
    /// ## Why is this bad?
    /// `*` covers every resource of the matched groups, today's and tomorrow's: Secrets,
    /// `pods/exec`, `serviceaccounts/token`, and every custom resource an operator installs later.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata: {name: app, namespace: shop}
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["*"]
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
    /// - apiGroups: [""]
    ///   resources: [configmaps, services]
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
    /// List the resources the subject needs.
    ///
    /// ## Exceptions
    /// Operators that manage arbitrary resources by design. Suppress on the binding with
    /// `kubeward.io/ignore: "RBAC011: <operator>"`. A role bound to nobody is reported only
    /// by RBAC013 (informational).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.3 "Minimize wildcard use in Roles and ClusterRoles"
    /// - MITRE ATT&CK T1078 Valid Accounts
    pub static WILDCARD_RESOURCE: Rule = Rule {
        code: "RBAC011",
        name: "wildcard-resource",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cis("5.1.3"), mitre("T1078")],
        fix: "List the resources needed instead of `*`.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let risk = PermissionRisk {
        kinds: &[RiskKind::WildcardResource],
        skip: skip_full_wildcard,
        namespaced: Some(Severity::Medium),
        note: "`*` in `resources`",
    };
    report_permission_risk(ctx, out, &risk, |binding, role, rules, _| {
        format!("{binding} grants access to `*` resources through {role} ({rules})")
    });
}

use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::RiskKind;

use super::analysis::{PermissionRisk, RBAC_KINDS, report_permission_risk, skip_cluster_admin};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags bindings whose role has a rule with `*` in `verbs` (reported on the binding that
    /// makes it real; the rule is the related location). A rule that is `*` on verbs, resources and apiGroups is reported here once
    /// (in a namespace) or as RBAC001 (cluster-wide).
    ///
    /// ## Why is this bad?
    /// `*` grants every verb, including the ones added in future Kubernetes releases and the
    /// escalation verbs `bind`, `escalate` and `impersonate`; on `secrets` it is read access
    /// to every credential, on `pods` it is `exec` and `create` (running as any service account).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata: {name: app, namespace: shop}
    /// rules:
    /// - apiGroups: [""]
    ///   resources: [configmaps]
    ///   verbs: ["*"]
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
    ///   resources: [configmaps]
    ///   verbs: [get, list, watch]
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
    /// List the verbs the subject needs (`get`, `list`, `watch`, ...).
    ///
    /// ## Exceptions
    /// Operators that manage arbitrary resources by design. Suppress on the binding with
    /// `kubeward.io/ignore: "RBAC010: <operator>"`. A role bound to nobody is reported only
    /// by RBAC013 (informational).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.3 "Minimize wildcard use in Roles and ClusterRoles"
    /// - MITRE ATT&CK T1078 Valid Accounts
    pub static WILDCARD_VERB: Rule = Rule {
        code: "RBAC010",
        name: "wildcard-verb",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cis("5.1.3"), mitre("T1078")],
        fix: "List the verbs needed instead of `*`.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let risk = PermissionRisk {
        kinds: &[RiskKind::WildcardVerb],
        skip: skip_cluster_admin,
        namespaced: Some(Severity::Medium),
        note: "`*` in `verbs`",
    };
    report_permission_risk(ctx, out, &risk, |binding, role, rules, _| {
        format!("{binding} grants `*` verbs through {role} ({rules})")
    });
}

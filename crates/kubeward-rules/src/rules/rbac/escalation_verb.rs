use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::RiskKind;

use super::analysis::{PermissionRisk, RBAC_KINDS, report_permission_risk, skip_none};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags bindings whose role grants `bind` or `escalate` on roles or clusterroles, or
    /// `impersonate` on users, groups or service accounts.
    ///
    /// ## Why is this bad?
    /// These verbs bypass RBAC's escalation prevention: `bind` lets the holder bind any role
    /// (including `cluster-admin`) to itself, `escalate` lets it write permissions it does
    /// not hold into a role, and `impersonate` lets it act as any user or group, such as
    /// `system:masters`.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata: {name: rbac-manager}
    /// rules:
    /// - apiGroups: [rbac.authorization.k8s.io]
    ///   resources: [clusterroles, clusterrolebindings]
    ///   verbs: [get, list, create, update, bind, escalate]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: rbac-manager}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: rbac-manager
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: rbac-operator
    ///   namespace: platform
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata: {name: rbac-manager}
    /// rules:
    /// - apiGroups: [rbac.authorization.k8s.io]
    ///   resources: [clusterroles, clusterrolebindings]
    ///   verbs: [get, list, watch]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: rbac-manager}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: rbac-manager
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: rbac-operator
    ///   namespace: platform
    /// ```
    ///
    /// ## Fix
    /// Remove `bind`, `escalate` and `impersonate`; where binding is needed, limit `bind` to
    /// the named roles with `resourceNames`.
    ///
    /// ## Exceptions
    /// RBAC managers and authenticating proxies need them by design: suppress on the binding
    /// with `kubeward.io/ignore: "RBAC006: <component>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.8 "Limit use of the Bind, Impersonate and Escalate permissions"
    /// - MITRE ATT&CK T1098 Account Manipulation
    pub static ESCALATION_VERB: Rule = Rule {
        code: "RBAC006",
        name: "escalation-verb",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cis("5.1.8"), mitre("T1098")],
        fix: "Remove `bind`, `escalate` and `impersonate` from the role.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let risk = PermissionRisk {
        kinds: &[RiskKind::Bind, RiskKind::Escalate, RiskKind::Impersonate],
        skip: skip_none,
        namespaced: Some(Severity::Medium),
        note: "escalation verb granted here",
    };
    report_permission_risk(ctx, out, &risk, |binding, role, rules, findings| {
        let mut verbs: Vec<&str> = findings
            .iter()
            .map(|f| match f.kind {
                RiskKind::Bind => "`bind`",
                RiskKind::Escalate => "`escalate`",
                _ => "`impersonate`",
            })
            .collect();
        verbs.sort_unstable();
        verbs.dedup();
        format!(
            "{binding} grants the escalation verb{} {} through {role} ({rules})",
            if verbs.len() > 1 { "s" } else { "" },
            verbs.join(", ")
        )
    });
}

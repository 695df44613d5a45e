use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::RiskKind;

use super::analysis::{RBAC_KINDS, report_subject_risk};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags bindings whose subjects include the group `system:serviceaccounts`: every service
    /// account of every namespace.
    ///
    /// ## Why is this bad?
    /// Every pod that mounts a token holds these permissions, so a compromise of the least
    /// important workload in any namespace is enough to use them.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: all-sa-view}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    /// - kind: Group
    ///   name: system:serviceaccounts
    ///   apiGroup: rbac.authorization.k8s.io
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: monitoring-view}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: prometheus
    ///   namespace: monitoring
    /// ```
    ///
    /// ## Fix
    /// Bind the service accounts that need the role, by name.
    ///
    /// ## Exceptions
    /// None known; suppress with `kubeward.io/ignore: "RBAC004: <why>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.1
    /// - MITRE ATT&CK T1528 Steal Application Access Token
    pub static ALL_SERVICE_ACCOUNTS_SUBJECT: Rule = Rule {
        code: "RBAC004",
        name: "all-service-accounts-subject",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cis("5.1.1"), mitre("T1528")],
        fix: "Replace `system:serviceaccounts` with the service accounts that need the role.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    report_subject_risk(
        ctx,
        out,
        RiskKind::AllServiceAccountsSubject,
        |binding, _, role| {
            format!(
                "{binding} grants {role} to every service account of the cluster (`system:serviceaccounts`)"
            )
        },
    );
}

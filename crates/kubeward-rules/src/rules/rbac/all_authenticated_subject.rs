use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::RiskKind;

use super::analysis::{RBAC_KINDS, report_subject_risk};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags bindings whose subjects include the group `system:authenticated`: every user and
    /// every service account of the cluster.
    ///
    /// ## Why is this bad?
    /// Every pod's service-account token authenticates, so one compromised container anywhere
    /// in the cluster holds these permissions, and so does every person with any credential
    /// (on managed clusters, sometimes any account of the cloud provider).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: everyone-view}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    /// - kind: Group
    ///   name: system:authenticated
    ///   apiGroup: rbac.authorization.k8s.io
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: developers-view}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    /// - kind: Group
    ///   name: developers
    ///   apiGroup: rbac.authorization.k8s.io
    /// ```
    ///
    /// ## Fix
    /// Bind the group of people (or the service accounts) that need the role.
    ///
    /// ## Exceptions
    /// Discovery-style read-only roles that the default policy already grants to everyone.
    /// Suppress with `kubeward.io/ignore: "RBAC003: <why everyone needs it>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.1
    /// - NSA/CISA Kubernetes Hardening Guidance, "Authentication and authorization"
    /// - MITRE ATT&CK T1078 Valid Accounts
    pub static ALL_AUTHENTICATED_SUBJECT: Rule = Rule {
        code: "RBAC003",
        name: "all-authenticated-subject",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cis("5.1.1"), nsa("authorization"), mitre("T1078")],
        fix: "Replace `system:authenticated` with the group that needs the role.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    report_subject_risk(
        ctx,
        out,
        RiskKind::AllAuthenticatedSubject,
        |binding, _, role| {
            format!(
                "{binding} grants {role} to every authenticated user and service account (`system:authenticated`)"
            )
        },
    );
}

use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::RiskKind;

use super::analysis::{RBAC_KINDS, report_subject_risk};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags bindings whose subjects include `system:anonymous` (User) or
    /// `system:unauthenticated` (Group): requests without any credentials.
    ///
    /// ## Why is this bad?
    /// Anyone who can reach the API server gets the bound permissions without a token: the
    /// internet, if the endpoint is exposed. Anonymous access is how clusters are found by
    /// scanners and mined within minutes.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: public-view}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    /// - kind: Group
    ///   name: system:unauthenticated
    ///   apiGroup: rbac.authorization.k8s.io
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: auditors-view}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    /// - kind: Group
    ///   name: auditors
    ///   apiGroup: rbac.authorization.k8s.io
    /// ```
    ///
    /// ## Fix
    /// Remove the anonymous subject; bind a group of authenticated users instead.
    ///
    /// ## Exceptions
    /// The default policy already lets anonymous requests read `/healthz`, `/livez`,
    /// `/readyz` and `/version`; nothing else should be needed.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.1, 1.2.1 (`--anonymous-auth`)
    /// - NSA/CISA Kubernetes Hardening Guidance, "Authentication and authorization"
    /// - MITRE ATT&CK T1190 Exploit Public-Facing Application
    /// - CWE-306 Missing Authentication for Critical Function
    pub static ANONYMOUS_SUBJECT: Rule = Rule {
        code: "RBAC002",
        name: "anonymous-subject",
        severity: Severity::Critical,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cis("5.1.1"), nsa("authorization"), mitre("T1190"), cwe("CWE-306")],
        fix: "Remove `system:anonymous` / `system:unauthenticated` from the subjects.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    report_subject_risk(
        ctx,
        out,
        RiskKind::AnonymousSubject,
        |binding, subject, role| {
            format!("{binding} grants {role} to unauthenticated requests ({subject})")
        },
    );
}

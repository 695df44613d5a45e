use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::RiskKind;

use super::analysis::{RBAC_KINDS, report_subject_risk};
use crate::context::{BundleContext, Emitter};
use crate::meta::cwe;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags binding subjects that name a ServiceAccount which is not among the input's
    /// ServiceAccounts (checked only when the input has ServiceAccount objects at all, so
    /// a repository of bindings alone is not flooded; `default` always exists).
    ///
    /// ## Why is this bad?
    /// Usually a typo or a leftover: the binding grants nothing today, but whoever creates a
    /// ServiceAccount with that name later (anyone allowed to create service accounts in the
    /// namespace) silently receives the permissions.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata: {name: api, namespace: shop}
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: api-view, namespace: shop}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: apí
    ///   namespace: shop
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata: {name: api, namespace: shop}
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: api-view, namespace: shop}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: api
    ///   namespace: shop
    /// ```
    ///
    /// ## Fix
    /// Correct the subject's name or namespace, add the ServiceAccount to the manifests, or
    /// remove the subject.
    ///
    /// ## Exceptions
    /// Service accounts created by another tool (a Helm chart not scanned, an operator):
    /// scan them together, or suppress with `kubeward.io/ignore: "RBAC008: created by <tool>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CWE-706 Use of Incorrectly-Resolved Name or Reference
    pub static BINDING_TO_MISSING_SERVICE_ACCOUNT: Rule = Rule {
        code: "RBAC008",
        name: "binding-to-missing-service-account",
        severity: Severity::Low,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cwe("CWE-706")],
        fix: "Fix the subject or add the ServiceAccount to the manifests.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    report_subject_risk(
        ctx,
        out,
        RiskKind::MissingServiceAccount,
        |binding, subject, _| {
            format!("{binding} binds {subject}, which is not among the input's ServiceAccounts")
        },
    );
}

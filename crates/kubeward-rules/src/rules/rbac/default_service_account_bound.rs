use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::RiskKind;

use super::analysis::{RBAC_KINDS, report_subject_risk};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags bindings whose subjects include a namespace's `default` service account.
    ///
    /// ## Why is this bad?
    /// Every pod that does not set `serviceAccountName` runs as `default`, so the permissions
    /// go to every workload of the namespace, including ones added later by someone who never
    /// saw this binding.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: default-edit, namespace: shop}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: edit
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: default
    ///   namespace: shop
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata: {name: deployer, namespace: shop}
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: deployer-edit, namespace: shop}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: edit
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: deployer
    ///   namespace: shop
    /// ```
    ///
    /// ## Fix
    /// Create a dedicated ServiceAccount for the workload that needs the permissions, bind
    /// that, and set `serviceAccountName` on its pods.
    ///
    /// ## Exceptions
    /// None known; suppress with `kubeward.io/ignore: "RBAC007: <why>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.5 "Ensure that default service accounts are not actively used"
    /// - MITRE ATT&CK T1528 Steal Application Access Token
    pub static DEFAULT_SERVICE_ACCOUNT_BOUND: Rule = Rule {
        code: "RBAC007",
        name: "default-service-account-bound",
        severity: Severity::Medium,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cis("5.1.5"), mitre("T1528")],
        fix: "Bind a dedicated ServiceAccount instead of `default`.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    report_subject_risk(
        ctx,
        out,
        RiskKind::DefaultServiceAccount,
        |binding, subject, role| {
            format!(
                "{binding} grants {role} to {subject}, which every pod of the namespace without `serviceAccountName` runs as"
            )
        },
    );
}

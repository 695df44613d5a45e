use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::RiskKind;

use super::analysis::{PermissionRisk, RBAC_KINDS, report_permission_risk, skip_cluster_admin};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags ClusterRoleBindings whose role lets the subjects `get` any Secret, or `list` or
    /// `watch` Secrets, in every namespace (however the rule is written: `secrets`, `*`
    /// resources, `*` verbs).
    ///
    /// ## Why is this bad?
    /// Secrets hold database passwords, cloud keys and service-account tokens; a service
    /// account token of a powerful controller is cluster-admin one API call away. `list`
    /// and `watch` return the values too, not just the names.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata: {name: secret-reader}
    /// rules:
    /// - apiGroups: [""]
    ///   resources: [secrets]
    ///   verbs: [get, list, watch]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: backup-secrets}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: secret-reader
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: backup
    ///   namespace: backup
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata: {name: app-secret-reader, namespace: shop}
    /// rules:
    /// - apiGroups: [""]
    ///   resources: [secrets]
    ///   resourceNames: [app-credentials]
    ///   verbs: [get]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: backup-secrets, namespace: shop}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: app-secret-reader
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: backup
    ///   namespace: backup
    /// ```
    ///
    /// ## Fix
    /// Grant `get` on the named Secrets (`resourceNames`) with a Role and RoleBinding in the
    /// namespace that holds them.
    ///
    /// ## Exceptions
    /// Secret-management controllers (external-secrets, sealed-secrets, backup operators)
    /// need it: suppress on the binding with `kubeward.io/ignore: "RBAC005: <controller>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.2 "Minimize access to secrets"
    /// - NSA/CISA Kubernetes Hardening Guidance, "Authentication and authorization"
    /// - MITRE ATT&CK T1552.007 Unsecured Credentials: Container API
    pub static SECRET_READ_CLUSTER_WIDE: Rule = Rule {
        code: "RBAC005",
        name: "secret-read-cluster-wide",
        severity: Severity::High,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cis("5.1.2"), nsa("authorization"), mitre("T1552.007")],
        fix: "Grant `get` on named Secrets with a namespaced Role instead.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let risk = PermissionRisk {
        kinds: &[RiskKind::SecretReadClusterWide],
        skip: skip_cluster_admin,
        namespaced: None,
        note: "reads Secrets",
    };
    report_permission_risk(ctx, out, &risk, |binding, role, rules, _| {
        format!(
            "{binding} lets its subjects read every Secret of the cluster through {role} ({rules})"
        )
    });
}

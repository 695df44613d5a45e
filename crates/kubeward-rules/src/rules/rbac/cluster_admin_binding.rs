use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::RiskKind;
use kubeward_yaml::{Node, path_index};

use super::analysis::{
    Analysis, RBAC_KINDS, describe, describe_subject, is_privileged_system_group,
};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags ClusterRoleBinding subjects that get cluster-admin-equivalent power (`*` verbs on
    /// `*` resources in `*` apiGroups, through `cluster-admin` or any role written like it),
    /// unless the subject is one of the API server's own system groups such as
    /// `system:masters`.
    ///
    /// ## Why is this bad?
    /// Whoever holds these credentials owns the cluster: they read every Secret, run pods on
    /// any node with any privilege, and rewrite RBAC to keep their access. A leaked token of a
    /// user, a CI system or a service account bound this way is a full cluster compromise.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: ci-admin}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: deployer
    ///   namespace: ci
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: ci-edit, namespace: shop}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: edit
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: deployer
    ///   namespace: ci
    /// ```
    ///
    /// ## Fix
    /// Bind a role that lists the resources and verbs the subject needs, with a RoleBinding
    /// in the namespaces it works in.
    ///
    /// ## Exceptions
    /// Break-glass administrator groups managed by your identity provider. Suppress on the
    /// binding with `kubeward.io/ignore: "RBAC001: break-glass group, audited"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.1 "Ensure that the cluster-admin role is only used where required"
    /// - NSA/CISA Kubernetes Hardening Guidance, "Authentication and authorization"
    /// - MITRE ATT&CK T1078.004 Valid Accounts: Cloud Accounts
    pub static CLUSTER_ADMIN_BINDING: Rule = Rule {
        code: "RBAC001",
        name: "cluster-admin-binding",
        severity: Severity::Critical,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cis("5.1.1"), nsa("authorization"), mitre("T1078.004")],
        fix: "Bind a least-privilege role in the namespaces the subject works in.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let analysis = Analysis::new(ctx.index);
    for group in analysis.grouped(&[RiskKind::ClusterAdminEquivalent]) {
        let Some(binding) = analysis.object(group.binding) else {
            continue;
        };
        let role = group
            .findings
            .first()
            .and_then(|f| f.role.as_ref())
            .map(describe)
            .unwrap_or_default();
        let subjects = binding.root.get("subjects");
        for (i, subject) in subjects.into_iter().flat_map(Node::items).enumerate() {
            let kind = subject.get("kind").and_then(Node::as_str);
            let name = subject.get("name").and_then(Node::as_str).unwrap_or("");
            if kind == Some("Group") && is_privileged_system_group(name) {
                continue;
            }
            let who = describe_subject(subject, binding.namespace());
            analysis.report_group(
                out,
                &group,
                &path_index("subjects", i),
                format!(
                    "{} gives {who} cluster-admin-equivalent power through {role}",
                    describe(group.binding)
                ),
                "`*` verbs on `*` resources in `*` apiGroups",
                None,
            );
        }
    }
}

use kubeward_diagnostics::{Category, Severity};
use kubeward_rbac::matching::{api_group_matches, resource_matches, rule_allows};
use kubeward_rbac::{ObjectKind, PolicyRule, RBAC_GROUP, Request};

use super::analysis::{Analysis, RBAC_KINDS, describe};
use crate::context::{BundleContext, Emitter};
use crate::meta::cis;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags rules of Roles and ClusterRoles that would be risky if bound (`*` verbs,
    /// resources or apiGroups; reading Secrets; `bind`, `escalate`, `impersonate`) when the
    /// role is bound to nobody: no binding in the input refers to it and it is not
    /// aggregated into a bound ClusterRole. Informational: the risk is not real until
    /// someone binds the role, and then the binding is flagged by RBAC001–RBAC012.
    ///
    /// ## Why is this bad?
    /// A dormant powerful role is one `RoleBinding` away from being used, and reviewers of
    /// that small binding rarely reopen the role. Unused roles are also clutter that hides
    /// the roles that matter.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata: {name: legacy-admin}
    /// rules:
    /// - apiGroups: ["*"]
    ///   resources: ["*"]
    ///   verbs: ["*"]
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata: {name: config-viewer}
    /// rules:
    /// - apiGroups: [""]
    ///   resources: [configmaps]
    ///   verbs: [get, list, watch]
    /// ```
    ///
    /// ## Fix
    /// Delete the role if nothing needs it; otherwise narrow its rules before binding it.
    ///
    /// ## Exceptions
    /// Roles bound by another repository or created for users to bind on demand. Suppress on
    /// the role with `kubeward.io/ignore: "RBAC013: bound by <where>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.3 "Minimize wildcard use in Roles and ClusterRoles"
    pub static UNBOUND_RISKY_ROLE: Rule = Rule {
        code: "RBAC013",
        name: "unbound-risky-role",
        severity: Severity::Info,
        category: Category::Rbac,
        kinds: RBAC_KINDS,
        compliance: &[cis("5.1.3")],
        fix: "Delete the unused role or narrow its rules.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

/// What would be risky about a rule if it were bound.
fn risks(rule: &PolicyRule, cluster_role: bool) -> Vec<&'static str> {
    let has = |list: &[String]| list.iter().any(|x| x == "*");
    let mut out = Vec::new();
    if rule.verbs.is_empty() {
        return out;
    }
    if has(&rule.verbs) {
        out.push("`*` verbs");
    }
    if has(&rule.resources) {
        out.push("`*` resources");
    }
    if !rule.resources.is_empty() && has(&rule.api_groups) {
        out.push("`*` apiGroups");
    }
    if cluster_role
        && ["get", "list", "watch"]
            .iter()
            .any(|v| rule_allows(rule, &Request::resource(v, "", "secrets")))
    {
        out.push("reading Secrets");
    }
    let on_roles = api_group_matches(rule, RBAC_GROUP)
        && (resource_matches(rule, "roles", "") || resource_matches(rule, "clusterroles", ""));
    for verb in ["bind", "escalate"] {
        if on_roles && rule.verbs.iter().any(|v| v == verb) {
            out.push(if verb == "bind" {
                "`bind`"
            } else {
                "`escalate`"
            });
        }
    }
    if !rule.resources.is_empty() && rule.verbs.iter().any(|v| v == "impersonate") {
        out.push("`impersonate`");
    }
    out
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let analysis = Analysis::new(ctx.index);
    for reach in &analysis.report().roles {
        if reach.reachable {
            continue;
        }
        let Some(object) = analysis.object(&reach.role) else {
            continue;
        };
        let role = &reach.role;
        let rules = match (&role.kind, &role.namespace) {
            (ObjectKind::ClusterRole, _) => analysis.policy().cluster_role_rules(&role.name),
            (_, Some(ns)) => analysis.policy().role_rules(ns, &role.name),
            _ => None,
        };
        let cluster_role = role.kind == ObjectKind::ClusterRole;
        for (rule, site) in rules.into_iter().flatten() {
            if site.role != *role {
                continue;
            }
            let found = risks(&rule, cluster_role);
            if found.is_empty() {
                continue;
            }
            out.report_on(
                object,
                site.path.clone(),
                format!(
                    "`{}` of {} grants {}, but no binding in the input uses the role",
                    site.path,
                    describe(role),
                    found.join(", ")
                ),
            );
        }
    }
}

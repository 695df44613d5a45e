use kubeward_diagnostics::{Category, Severity};
use kubeward_model::ContainerKind;

use super::util::{KINDS, each_container};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags init and regular containers without `resources.limits.memory`.
    ///
    /// ## Why is this bad?
    /// Without a memory limit one container can exhaust the node's memory; the kernel then kills other pods (a denial of service across tenants).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     resources:
    ///       requests: {cpu: 100m, memory: 128Mi}
    ///       limits: {cpu: 500m, memory: 256Mi}
    /// ```
    ///
    /// ## Fix
    /// Set `resources.limits.memory`.
    ///
    /// ## Exceptions
    /// A namespace `LimitRange` can supply defaults; exempt the namespace in `.kubeward.yaml`
    /// when it does.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance, "Resource policies"
    pub static MISSING_MEMORY_LIMIT: Rule = Rule {
        code: "POD015",
        name: "missing-memory-limit",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[nsa("resource-policies"), cis("5.7.4"), cwe("CWE-770")],
        fix: "Set `resources.limits.memory`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |_, container| {
        if container.kind == ContainerKind::Ephemeral {
            return;
        }
        let resources = container.node.get("resources");
        let missing: Vec<&str> = FIELDS
            .iter()
            .copied()
            .filter(|f| {
                resources
                    .and_then(|r| r.at_path(f))
                    .is_none_or(|n| n.is_null())
            })
            .collect();
        if missing.is_empty() {
            return;
        }
        let path = if resources.is_some() {
            container.path_of("resources")
        } else {
            container.path.clone()
        };
        out.report(
            path,
            format!(
                "{} has no memory limit (`resources.limits.memory`)",
                container.describe()
            ),
        );
    });
}
const FIELDS: &[&str] = &["limits.memory"];

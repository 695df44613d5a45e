use kubeward_diagnostics::{Category, Severity};

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::cis;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags workloads explicitly placed in the `default` namespace
    /// (`metadata.namespace: default`). Objects without a namespace are not flagged: teams
    /// apply those with `kubectl -n`.
    ///
    /// ## Why is this bad?
    /// `default` is where everything lands by accident: it usually has no NetworkPolicies,
    /// no Pod Security labels, no quotas, and its service account is shared by strays.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web, namespace: default}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web, namespace: shop}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fix
    /// Deploy into a dedicated namespace with its own policies.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.7.4
    pub static DEFAULT_NAMESPACE: Rule = Rule {
        code: "POD022",
        name: "default-namespace",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[cis("5.7.4")],
        fix: "Move the workload to a dedicated namespace.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    if ctx.object.namespace() == Some("default") {
        out.report(
            "metadata.namespace",
            "workload is placed in the `default` namespace",
        );
    }
}

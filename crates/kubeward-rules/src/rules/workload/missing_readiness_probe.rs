use kubeward_diagnostics::{Category, Severity};

use super::util::{BATCH_KINDS, KINDS, each_container, is_long_running};
use crate::context::{Emitter, ObjectContext};
use crate::meta::nsa;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags regular containers of long-running workloads without a `readinessProbe`.
    ///
    /// ## Why is this bad?
    /// Without a readiness probe the pod receives traffic as soon as its process starts and keeps receiving it while it cannot serve, causing errors during roll-outs and overloads.
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
    ///     readinessProbe:
    ///       httpGet: {path: /healthz, port: 8080}
    /// ```
    ///
    /// ## Fix
    /// Add a `readinessProbe` (HTTP, TCP, gRPC or exec).
    ///
    /// ## Exceptions
    /// Jobs and CronJobs are not checked: they run to completion.
    ///
    /// ## References
    /// - Kubernetes documentation, "Configure Liveness, Readiness and Startup Probes"
    pub static MISSING_READINESS_PROBE: Rule = Rule {
        code: "POD019",
        name: "missing-readiness-probe",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[nsa("availability")],
        fix: "Add a `readinessProbe` to the container.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    if BATCH_KINDS.contains(&ctx.object.kind()) {
        return;
    }
    each_container(ctx, |_, container| {
        if is_long_running(container)
            && container
                .node
                .get("readinessProbe")
                .is_none_or(|n| n.is_null())
        {
            out.report(
                container.path.clone(),
                format!("{} has no readiness probe", container.describe()),
            );
        }
    });
}

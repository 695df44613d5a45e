use kubeward_diagnostics::{Category, Severity};
use kubeward_yaml::Node;

use super::util::{KINDS, each_container};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags container ports that set a non-zero `hostPort`.
    ///
    /// ## Why is this bad?
    /// A host port binds the pod directly on the node's IP: it bypasses Services and
    /// NetworkPolicies on many CNIs, exposes the pod outside the cluster network and limits
    /// scheduling to one such pod per node.
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
    ///     ports:
    ///     - {containerPort: 80, hostPort: 80}
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
    ///     ports:
    ///     - {containerPort: 80}
    /// ```
    ///
    /// ## Fix
    /// Remove `hostPort` and expose the pod through a Service.
    ///
    /// ## Options
    /// `options.allowed-host-ports`: ports accepted without a finding.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Host Ports"
    pub static HOST_PORT: Rule = Rule {
        code: "POD014",
        name: "host-port",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("hostPorts"), cis("5.2.13")],
        fix: "Remove `hostPort`; use a Service.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |_, container| {
        for (i, port) in container
            .node
            .get("ports")
            .into_iter()
            .flat_map(Node::items)
            .enumerate()
        {
            let Some(host_port) = port.get("hostPort").and_then(Node::as_i64) else {
                continue;
            };
            let allowed =
                u16::try_from(host_port).is_ok_and(|p| ctx.options.allowed_host_ports.contains(&p));
            if host_port != 0 && !allowed {
                out.report(
                    container.path_of(&format!("ports[{i}].hostPort")),
                    format!("{} binds host port {host_port}", container.describe()),
                );
            }
        }
    });
}

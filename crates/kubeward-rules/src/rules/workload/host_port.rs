use kubeward_diagnostics::{Category, Severity};
use kubeward_yaml::Node;

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags container ports that set a non-zero `hostPort`.
    ///
    /// Pod Security Standards control **Host Ports** (Baseline; upstream check `hostPorts`).
    /// HostPorts bind the node's network interfaces and must be disallowed entirely (there is
    /// no allowed range in the standard).
    ///
    /// Restricted fields:
    /// - `spec.containers[*].ports[*].hostPort`
    /// - `spec.initContainers[*].ports[*].hostPort`
    /// - `spec.ephemeralContainers[*].ports[*].hostPort`
    ///
    /// Allowed values: undefined, 0
    ///
    /// Policy versions:
    /// - v1.0: Initial revision.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
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

    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.    ///
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
    let Some(v) = violation(ctx, "hostPorts") else {
        return;
    };
    for site in &v.sites {
        let port = site.node.and_then(Node::as_i64).unwrap_or(0);
        if u16::try_from(port).is_ok_and(|p| ctx.options.allowed_host_ports.contains(&p)) {
            continue;
        }
        out.report(
            site.path.clone(),
            format!("{} binds host port {port}", site.subject(&v.pod)),
        );
    }
}

use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, container_bool, each_container};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, mitre, nsa, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers that run with `securityContext.privileged: true`.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and sees every host device: root in it is
    /// root on the node. An attacker who gets code execution in it can mount the host disk,
    /// load kernel modules and escape to the node, then to every pod scheduled there.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: agent}
    /// spec:
    ///   containers:
    ///   - name: agent
    ///     image: registry.example.com/agent:1.0
    ///     securityContext:
    ///       privileged: true
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: agent}
    /// spec:
    ///   containers:
    ///   - name: agent
    ///     image: registry.example.com/agent:1.0
    ///     securityContext:
    ///       privileged: false
    ///       capabilities: {drop: [ALL], add: [NET_ADMIN]}
    /// ```
    ///
    /// ## Fix
    /// Remove `privileged: true`; grant the single capability the workload needs instead.
    ///
    /// ## Exceptions
    /// CNI, CSI and some monitoring agents need privileged mode on purpose. Suppress on the
    /// object with `kubeward.io/ignore: "POD001: <why>"`, or exempt the namespace in
    /// `.kubeward.yaml`.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Privileged Containers"
    /// - CIS Kubernetes Benchmark 5.2.2
    /// - NSA/CISA Kubernetes Hardening Guidance, "Non-root containers"
    pub static PRIVILEGED_CONTAINER: Rule = Rule {
        code: "POD001",
        name: "privileged-container",
        severity: Severity::Critical,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("privileged"), cis("5.2.2"), nsa("pod-security"), mitre("T1611"), cwe("CWE-250")],
        fix: "Remove `securityContext.privileged: true` and add only the capabilities needed.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |_, container| {
        if let (Some(true), path) = container_bool(container, "privileged") {
            out.report(
                path,
                format!(
                    "{} runs privileged (`privileged: true`)",
                    container.describe()
                ),
            );
        }
    });
}

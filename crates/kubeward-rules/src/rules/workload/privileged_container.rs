use kubeward_diagnostics::{Category, Severity};

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, mitre, nsa, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers that run with `securityContext.privileged: true`.
    ///
    /// Pod Security Standards control **Privileged Containers** (Baseline; upstream check
    /// `privileged`). Privileged containers disable most security mechanisms and must be
    /// disallowed.
    ///
    /// Restricted fields:
    /// - `spec.containers[*].securityContext.privileged`
    /// - `spec.initContainers[*].securityContext.privileged`
    /// - `spec.ephemeralContainers[*].securityContext.privileged`
    ///
    /// Allowed values: undefined, false
    ///
    /// Policy versions:
    /// - v1.0: Initial revision.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
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
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
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
    let Some(v) = violation(ctx, "privileged") else {
        return;
    };
    for site in &v.sites {
        out.report(
            site.path.clone(),
            format!(
                "{} runs privileged (`privileged: true`)",
                site.subject(&v.pod)
            ),
        );
    }
}

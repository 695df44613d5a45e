use kubeward_diagnostics::{Category, Severity};

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, mitre, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags pods that set `hostIPC: true`.
    ///
    /// Pod Security Standards control **Host Namespaces** (Baseline; upstream check
    /// `hostNamespaces`). Sharing the host's network, PID or IPC namespaces must be disallowed:
    /// it exposes host processes, sockets and shared memory to the pod.
    ///
    /// Restricted fields:
    /// - `spec.hostNetwork`
    /// - `spec.hostPID`
    /// - `spec.hostIPC`
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
    /// The pod shares System V IPC and POSIX shared memory with the node and its processes, and can read or tamper with data other workloads exchange through it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: tool}
    /// spec:
    ///   hostIPC: true
    ///   containers:
    ///   - name: tool
    ///     image: registry.example.com/tool:1.0
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: tool}
    /// spec:
    ///   containers:
    ///   - name: tool
    ///     image: registry.example.com/tool:1.0
    /// ```
    ///
    /// ## Fix
    /// Remove `hostIPC` (it defaults to `false`).
    ///
    /// ## Exceptions
    /// Node agents (CNI, kube-proxy, node exporters) may need it; suppress with
    /// `kubeward.io/ignore: "POD012: <why>"`.
    ///
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Host Namespaces"
    /// - CIS Kubernetes Benchmark 5.2.4
    pub static HOST_IPC: Rule = Rule {
        code: "POD012",
        name: "host-ipc",
        severity: Severity::High,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("hostNamespaces"), cis("5.2.4"), mitre("T1611")],
        fix: "Remove `hostIPC: true`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(v) = violation(ctx, "hostNamespaces") else {
        return;
    };
    for site in v.sites.iter().filter(|s| s.engine_path == "hostIPC") {
        out.report(
            site.path.clone(),
            "pod shares the host's IPC namespace (`hostIPC: true`)",
        );
    }
}

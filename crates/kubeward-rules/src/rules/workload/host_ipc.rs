use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, report_true_pod_field};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, mitre, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags pods that set `hostIPC: true`.
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
    report_true_pod_field(
        ctx,
        out,
        "hostIPC",
        "pod shares the host's IPC namespace (`hostIPC: true`)",
    );
}

use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, report_true_pod_field};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, mitre, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags pods that set `hostPID: true`.
    ///
    /// ## Why is this bad?
    /// The pod sees every process of the node: it can read their environment variables and memory (secrets of other pods) and, with ptrace, inject into them; `nsenter -t 1` gives a host shell when combined with privileges.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: tool}
    /// spec:
    ///   hostPID: true
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
    /// Remove `hostPID` (it defaults to `false`).
    ///
    /// ## Exceptions
    /// Node agents (CNI, kube-proxy, node exporters) may need it; suppress with
    /// `kubeward.io/ignore: "POD011: <why>"`.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Host Namespaces"
    /// - CIS Kubernetes Benchmark 5.2.3
    pub static HOST_PID: Rule = Rule {
        code: "POD011",
        name: "host-pid",
        severity: Severity::High,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("hostNamespaces"), cis("5.2.3"), mitre("T1611")],
        fix: "Remove `hostPID: true`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report_true_pod_field(
        ctx,
        out,
        "hostPID",
        "pod shares the host's PID namespace (`hostPID: true`)",
    );
}

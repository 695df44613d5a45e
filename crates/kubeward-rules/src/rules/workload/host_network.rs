use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, report_true_pod_field};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, mitre, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags pods that set `hostNetwork: true`.
    ///
    /// ## Why is this bad?
    /// The pod sees every interface of the node and can sniff or spoof node traffic, reach services bound to localhost on the node (kubelet, cloud metadata proxies) and bypass NetworkPolicies, which do not apply to host-network pods.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: tool}
    /// spec:
    ///   hostNetwork: true
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
    /// Remove `hostNetwork` (it defaults to `false`).
    ///
    /// ## Exceptions
    /// Node agents (CNI, kube-proxy, node exporters) may need it; suppress with
    /// `kubeward.io/ignore: "POD010: <why>"`.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Host Namespaces"
    /// - CIS Kubernetes Benchmark 5.2.5
    pub static HOST_NETWORK: Rule = Rule {
        code: "POD010",
        name: "host-network",
        severity: Severity::High,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("hostNamespaces"), cis("5.2.5"), mitre("T1599")],
        fix: "Remove `hostNetwork: true`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report_true_pod_field(
        ctx,
        out,
        "hostNetwork",
        "pod shares the host's network namespace (`hostNetwork: true`)",
    );
}

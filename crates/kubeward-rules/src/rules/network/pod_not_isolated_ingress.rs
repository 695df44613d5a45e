use kubeward_diagnostics::{Category, Severity};

use super::analysis::{NET_KINDS, analysis, describe, report_workload};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags workloads that no NetworkPolicy isolates for ingress, in namespaces that do use
    /// NetworkPolicies.
    ///
    /// A pod is isolated for ingress only when some NetworkPolicy selecting it lists
    /// `Ingress` in its (possibly defaulted) `policyTypes`. Until then every pod of every
    /// namespace, and every address outside the cluster that can route to it, may connect to
    /// it on every port. The check is exact: it evaluates every policy's `podSelector`
    /// against the pod template labels of every workload (Pods grouped by their controller).
    ///
    /// To avoid drowning a repository that keeps its NetworkPolicies elsewhere, workloads are
    /// reported only in namespaces that hold at least one NetworkPolicy in the scanned input;
    /// namespaces without any policy get a single `NET003` finding instead. Workloads with
    /// `hostNetwork: true` are skipped: they use the node's address, which NetworkPolicy
    /// does not govern (`POD010` reports them).
    ///
    /// ## Why is this bad?
    /// A pod left out of the namespace's policies is reachable from any compromised pod in
    /// the cluster: it is the gap an attacker uses for lateral movement, usually a new
    /// workload whose labels match no policy.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: api, namespace: shop}
    /// spec:
    ///   selector: {matchLabels: {app: api}}
    ///   template:
    ///     metadata: {labels: {app: api}}
    ///     spec:
    ///       containers:
    ///       - {name: api, image: registry.example.com/api:1.0}
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: web-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: web}}
    ///   ingress:
    ///   - from: [{podSelector: {matchLabels: {app: ingress}}}]
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: api, namespace: shop}
    /// spec:
    ///   selector: {matchLabels: {app: api}}
    ///   template:
    ///     metadata: {labels: {app: api}}
    ///     spec:
    ///       containers:
    ///       - {name: api, image: registry.example.com/api:1.0}
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress]
    /// ```
    ///
    /// ## Fix
    /// Add a default-deny ingress policy to the namespace (`podSelector: {}`,
    /// `policyTypes: [Ingress]`, no rules), then allow the flows the workload needs.
    /// `kubeward netpol synth` generates both from the current or the declared flows.
    ///
    /// ## Exceptions
    /// Workloads meant to be reachable by everyone still belong under a policy that says so
    /// (`ingress: [{}]`). To accept the finding: `kubeward.io/ignore: "NET001: <reason>"` on
    /// the workload.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.3.2 (all namespaces have NetworkPolicies)
    /// - NSA/CISA Kubernetes Hardening Guidance, "Network separation and hardening"
    /// - MITRE ATT&CK T1210 Exploitation of Remote Services
    /// - CWE-923 Improper Restriction of Communication Channel to Intended Endpoints
    pub static POD_NOT_ISOLATED_INGRESS: Rule = Rule {
        code: "NET001",
        name: "pod-not-isolated-ingress",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: NET_KINDS,
        compliance: &[cis("5.3.2"), nsa("network-separation"), mitre("T1210"), cwe("CWE-923")],
        fix: "Select the workload with a NetworkPolicy that has `policyTypes: [Ingress]` (a namespace default-deny does it).",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let a = analysis(ctx.index);
    for w in &a.coverage.not_isolated_ingress {
        if !a.policy_namespaces.contains(&w.namespace) || a.coverage.host_network.contains(w) {
            continue;
        }
        let message = format!(
            "{} is not isolated for ingress: no NetworkPolicy in `{}` selects its pods with `policyTypes: [Ingress]`, so every pod and address may connect to it",
            describe(w),
            w.namespace
        );
        let _ = report_workload(out, &a, ctx.index, w, "metadata", message);
    }
}

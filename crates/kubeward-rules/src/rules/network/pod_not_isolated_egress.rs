use kubeward_diagnostics::{Category, Severity};

use super::analysis::{NET_KINDS, analysis, describe, report_workload};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags workloads that no NetworkPolicy isolates for egress, in namespaces that do use
    /// NetworkPolicies.
    ///
    /// A pod is isolated for egress only when some NetworkPolicy selecting it has `Egress` in
    /// its `policyTypes` (explicitly, or by default because the policy has `egress` rules).
    /// Until then it may open connections to every pod of the cluster and to any address
    /// outside it.
    ///
    /// As for `NET001`, workloads are reported only in namespaces that hold at least one
    /// NetworkPolicy in the scanned input (namespaces without any get one `NET003` finding),
    /// and `hostNetwork: true` workloads are skipped.
    ///
    /// ## Why is this bad?
    /// Unrestricted egress is what turns code execution in one pod into data exfiltration, a
    /// reverse shell, a download of attacker tooling, or lateral movement to databases and to
    /// the cloud metadata service.
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
    /// metadata: {name: default-deny-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress]
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
    /// metadata: {name: default-deny, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: allow-dns, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///   - to:
    ///     - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
    ///       podSelector: {matchLabels: {k8s-app: kube-dns}}
    ///     ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
    /// ```
    ///
    /// ## Fix
    /// Add an egress default-deny to the namespace (`policyTypes: [Egress]`, no rules), plus
    /// a policy allowing DNS and the destinations the workload needs.
    ///
    /// ## Exceptions
    /// Egress control is often rolled out after ingress; the default severity is low for that
    /// reason. To accept the finding: `kubeward.io/ignore: "NET002: <reason>"` on the workload,
    /// or disable the rule in `.kubeward.yaml`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance, "Network separation and hardening"
    /// - CIS Kubernetes Benchmark 5.3.2
    /// - MITRE ATT&CK T1041 Exfiltration Over C2 Channel
    /// - CWE-923 Improper Restriction of Communication Channel to Intended Endpoints
    pub static POD_NOT_ISOLATED_EGRESS: Rule = Rule {
        code: "NET002",
        name: "pod-not-isolated-egress",
        severity: Severity::Low,
        category: Category::Network,
        kinds: NET_KINDS,
        compliance: &[cis("5.3.2"), nsa("network-separation"), mitre("T1041"), cwe("CWE-923")],
        fix: "Select the workload with a NetworkPolicy that has `policyTypes: [Egress]` and allow only the destinations it needs.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let a = analysis(ctx.index);
    for w in &a.coverage.not_isolated_egress {
        if !a.policy_namespaces.contains(&w.namespace) || a.coverage.host_network.contains(w) {
            continue;
        }
        let message = format!(
            "{} is not isolated for egress: no NetworkPolicy in `{}` selects its pods with `policyTypes: [Egress]`, so it may connect anywhere",
            describe(w),
            w.namespace
        );
        let _ = report_workload(out, &a, ctx.index, w, "metadata", message);
    }
}

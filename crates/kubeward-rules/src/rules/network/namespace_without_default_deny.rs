use kubeward_diagnostics::{Category, Severity};

use super::analysis::{NET_KINDS, analysis};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags namespaces without a default-deny NetworkPolicy for ingress or for egress.
    ///
    /// A default-deny policy selects every pod of its namespace (`podSelector: {}`), has the
    /// direction in `policyTypes` and no rules for it. Namespaces with workloads in the input,
    /// and Namespace objects of the input, are checked; namespaces known only from workloads
    /// that all use `hostNetwork: true` are skipped (NetworkPolicy does not govern them). The
    /// finding is reported on the Namespace object when the input has it, otherwise on the
    /// first workload of the namespace (its `metadata.namespace`).
    ///
    /// This is the one coverage finding that fires when the input has no NetworkPolicy at
    /// all (one finding per namespace, not per workload). Its severity is then lowered to
    /// low, since the policies may be managed in another repository; when the input does
    /// hold NetworkPolicies the default severity applies.
    ///
    /// ## Why is this bad?
    /// Without a default deny, every new workload in the namespace starts reachable from, and
    /// able to reach, the whole cluster until someone writes a policy for it. Allow-lists only
    /// protect the pods they happen to select.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata: {name: shop}
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
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata: {name: shop}
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// ```
    ///
    /// ## Fix
    /// Add a default-deny policy for both directions to the namespace, then allow-list the
    /// flows (`kubeward netpol synth` writes both, verified against the current connections).
    ///
    /// ## Exceptions
    /// System namespaces managed by a platform team, or namespaces whose policies live in
    /// another repository. Suppress on the Namespace object with
    /// `kubeward.io/ignore: "NET003: <reason>"`, or exempt the namespace in `.kubeward.yaml`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.3.2 (all namespaces have NetworkPolicies)
    /// - NSA/CISA Kubernetes Hardening Guidance, "Network separation and hardening" (default deny)
    /// - MITRE ATT&CK T1210 Exploitation of Remote Services
    /// - CWE-1188 Initialization of a Resource with an Insecure Default
    pub static NAMESPACE_WITHOUT_DEFAULT_DENY: Rule = Rule {
        code: "NET003",
        name: "namespace-without-default-deny",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: NET_KINDS,
        compliance: &[cis("5.3.2"), nsa("network-separation"), mitre("T1210"), cwe("CWE-1188")],
        fix: "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]` to the namespace, then allow the needed flows.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let a = analysis(ctx.index);
    for gap in &a.coverage.namespaces_without_default_deny {
        let namespace_object = ctx
            .index
            .all()
            .iter()
            .find(|o| o.kind() == "Namespace" && o.name() == gap.namespace);
        // Namespaces whose workloads all use the host network gain nothing from a policy.
        let policed = a
            .workloads
            .iter()
            .any(|w| w.namespace == gap.namespace && !a.coverage.host_network.contains(w));
        if !policed && namespace_object.is_none() {
            continue;
        }
        let directions = match (gap.ingress_missing, gap.egress_missing) {
            (true, true) => "ingress and egress",
            (true, false) => "ingress",
            _ => "egress",
        };
        let workloads = match gap.workloads {
            0 => String::new(),
            1 => " (1 workload)".to_string(),
            n => format!(" ({n} workloads)"),
        };
        let message = format!(
            "namespace `{}` has no default-deny NetworkPolicy for {directions}{workloads}: pods no other policy selects accept and open any connection",
            gap.namespace
        );
        let builder = if let Some(ns) = namespace_object {
            out.report_on(ns, "metadata", message)
        } else {
            let Some((object, prefix)) = a
                .workloads
                .iter()
                .filter(|w| w.namespace == gap.namespace)
                .find_map(|w| a.workload_object(ctx.index, w))
            else {
                continue;
            };
            out.report_on(
                object,
                super::analysis::join(&prefix, "metadata.namespace"),
                message,
            )
        };
        if !a.any_policy() {
            let _ = builder.severity(Severity::Low);
        }
    }
}

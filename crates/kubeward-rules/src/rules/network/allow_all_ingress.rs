use kubeward_diagnostics::{Category, Severity};
use kubeward_netpol::AllowAllKind;

use super::analysis::{NET_KINDS, analysis, describe_policy, report_policy};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicy ingress rules that admit every pod of every namespace.
    ///
    /// Two shapes: a rule without `from` (every pod of every namespace and every external
    /// address), or a peer `namespaceSelector: {}` without a narrowing `podSelector` (every
    /// pod of every namespace).
    ///
    /// The finding is on the rule (`spec.ingress[i]`) for a missing `from`, and on the peer
    /// (`spec.ingress[i].from[j]`) for an empty namespace selector. The message says whether
    /// the rule is limited to some ports.
    ///
    /// ## Why is this bad?
    /// Such a rule cancels the isolation of every pod the policy selects: any compromised pod
    /// in any namespace, including tenants' and CI runners' pods, can connect. It is usually
    /// written to "make it work" and never narrowed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: api-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: api}}
    ///   ingress:
    ///   - from:
    ///     - namespaceSelector: {}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: api-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: api}}
    ///   ingress:
    ///   - from:
    ///     - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}
    ///       podSelector: {matchLabels: {app: web}}
    ///     ports: [{port: 9000}]
    /// ```
    ///
    /// ## Fix
    /// Name the clients: a `podSelector` for the namespace's own pods, a `namespaceSelector`
    /// on `kubernetes.io/metadata.name` together with a `podSelector` in the same peer for
    /// other namespaces, and the `ports` the workload serves.
    ///
    /// ## Exceptions
    /// Public entry points (an ingress controller, a cluster-wide metrics endpoint) are meant
    /// to accept everyone; suppress on the policy with
    /// `kubeward.io/ignore: "NET006: public entry point"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance, "Network separation and hardening"
    /// - MITRE ATT&CK T1210 Exploitation of Remote Services
    /// - CWE-923 Improper Restriction of Communication Channel to Intended Endpoints
    pub static ALLOW_ALL_INGRESS: Rule = Rule {
        code: "NET006",
        name: "allow-all-ingress",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: NET_KINDS,
        compliance: &[nsa("network-separation"), mitre("T1210"), cwe("CWE-923")],
        fix: "Restrict `from` to the client pods and namespaces, and list the `ports` served.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let a = analysis(ctx.index);
    for rule in &a.coverage.allow_all_ingress {
        let ports = if rule.all_ports {
            "on every port"
        } else {
            "on the ports it lists"
        };
        let message = match rule.kind {
            AllowAllKind::AnySource => format!(
                "{}: ingress rule `{}` has no `from`: every pod of every namespace and every external address may connect {ports}",
                describe_policy(&rule.location.policy),
                rule.location.path
            ),
            AllowAllKind::AllNamespaces => format!(
                "{}: peer `{}` (`namespaceSelector: {{}}`) admits every pod of every namespace {ports}",
                describe_policy(&rule.location.policy),
                rule.location.path
            ),
        };
        let _ = report_policy(out, &a, ctx.index, &rule.location, message);
    }
}

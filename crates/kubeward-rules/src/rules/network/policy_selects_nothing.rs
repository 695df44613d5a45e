use kubeward_diagnostics::{Category, Severity};

use super::analysis::{NET_KINDS, analysis, describe_policy, report_policy};
use crate::context::{BundleContext, Emitter};
use crate::meta::cwe;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicies whose `spec.podSelector` selects no pod of the input.
    ///
    /// Only namespaces with at least one workload in the scanned input are checked: a policy
    /// for a namespace whose workloads live elsewhere cannot be judged.
    ///
    /// ## Why is this bad?
    /// The policy protects nothing. It is almost always a label typo or a policy left behind
    /// after a rename, and the workload it was written for is exposed while the manifests
    /// look protected.
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
    /// metadata: {name: api-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: backend-api}}
    ///   ingress:
    ///   - from: [{podSelector: {matchLabels: {app: web}}}]
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
    /// metadata: {name: api-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: api}}
    ///   ingress:
    ///   - from: [{podSelector: {matchLabels: {app: web}}}]
    /// ```
    ///
    /// ## Fix
    /// Correct the selector to the labels of the pod template (not of the Deployment's own
    /// `metadata`), or delete the policy.
    ///
    /// ## Exceptions
    /// Policies written ahead of a workload that is not deployed yet. Suppress on the policy
    /// with `kubeward.io/ignore: "NET004: <reason>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CWE-706 Use of Incorrectly-Resolved Name or Reference
    pub static POLICY_SELECTS_NOTHING: Rule = Rule {
        code: "NET004",
        name: "policy-selects-nothing",
        severity: Severity::Low,
        category: Category::Network,
        kinds: NET_KINDS,
        compliance: &[cwe("CWE-706")],
        fix: "Make `spec.podSelector` match the pod template labels of the workload it protects, or delete the policy.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let a = analysis(ctx.index);
    for loc in &a.coverage.policies_selecting_nothing {
        if !a.workload_namespaces.contains(&loc.policy.namespace) {
            continue;
        }
        let message = format!(
            "{}: `podSelector` selects no pod of namespace `{}`; the policy protects nothing",
            describe_policy(&loc.policy),
            loc.policy.namespace
        );
        let _ = report_policy(out, &a, ctx.index, loc, message);
    }
}

use kubeward_diagnostics::{Category, Severity};

use super::analysis::{NET_KINDS, analysis, describe_policy, report_policy};
use crate::context::{BundleContext, Emitter};
use crate::meta::cwe;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags `from`/`to` peers of NetworkPolicy rules whose selectors match no pod of the
    /// input.
    ///
    /// A peer with only a `podSelector` looks in the policy's own namespace; with a
    /// `namespaceSelector`, in every namespace it selects. Peers are checked only when those
    /// namespaces have workloads in the scanned input: a peer selecting a namespace the input
    /// does not contain (say `ingress-nginx`, deployed from another repository) cannot be
    /// judged and is not reported.
    ///
    /// ## Why is this bad?
    /// The rule allows nothing through that peer. Either a label is misspelt and the intended
    /// client is now blocked (an outage waiting for the next deploy), or the policy refers to
    /// something that was removed and now misleads its readers.
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
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: web, namespace: shop}
    /// spec:
    ///   selector: {matchLabels: {app: web}}
    ///   template:
    ///     metadata: {labels: {app: web}}
    ///     spec:
    ///       containers:
    ///       - {name: web, image: registry.example.com/web:1.0}
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: api-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: api}}
    ///   ingress:
    ///   - from: [{podSelector: {matchLabels: {app: frontend}}}]
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
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: web, namespace: shop}
    /// spec:
    ///   selector: {matchLabels: {app: web}}
    ///   template:
    ///     metadata: {labels: {app: web}}
    ///     spec:
    ///       containers:
    ///       - {name: web, image: registry.example.com/web:1.0}
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
    /// Correct the selectors to the labels of the client's pod template (and, across
    /// namespaces, to a label of its Namespace such as `kubernetes.io/metadata.name`), or
    /// delete the peer.
    ///
    /// ## Exceptions
    /// Peers written for clients that are not deployed yet. Suppress on the policy with
    /// `kubeward.io/ignore: "NET005: <reason>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CWE-706 Use of Incorrectly-Resolved Name or Reference
    pub static PEER_MATCHES_NOTHING: Rule = Rule {
        code: "NET005",
        name: "peer-matches-nothing",
        severity: Severity::Low,
        category: Category::Network,
        kinds: NET_KINDS,
        compliance: &[cwe("CWE-706")],
        fix: "Correct the peer's selectors to the client's pod labels and namespace labels, or remove the peer.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let a = analysis(ctx.index);
    for loc in &a.coverage.peers_matching_nothing {
        let Some((object, path)) = a.policy_site(ctx.index, loc) else {
            continue;
        };
        let namespaces: Vec<&str> = match object
            .root
            .at_path(&path)
            .and_then(|peer| peer.get("namespaceSelector"))
        {
            Some(selector) => a.selected_workload_namespaces(selector),
            None => a
                .workload_namespaces
                .get(&loc.policy.namespace)
                .map(String::as_str)
                .into_iter()
                .collect(),
        };
        if namespaces.is_empty() {
            continue;
        }
        let shown: Vec<String> = namespaces.iter().map(|n| format!("`{n}`")).collect();
        let message = format!(
            "{}: peer `{}` matches no pod (namespaces searched: {}); it allows nothing",
            describe_policy(&loc.policy),
            loc.path,
            shown.join(", ")
        );
        let _ = report_policy(out, &a, ctx.index, loc, message);
    }
}

use kubeward_diagnostics::{Category, Severity};
use kubeward_netpol::PolicyLocation;
use kubeward_yaml::{Node, path_index};

use super::analysis::{NET_KINDS, analysis, describe_policy, report_policy};
use crate::context::{BundleContext, Emitter};
use crate::meta::cwe;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags named ports in NetworkPolicy rules that no container port of the pods they apply
    /// to defines (by name and protocol).
    ///
    /// Named ports resolve against the destination pod: for an ingress rule, the pods the
    /// policy selects; for an egress rule, the pods its `to` peers match (an external address
    /// has no named ports). Containers and native sidecars (`initContainers` with
    /// `restartPolicy: Always`) count. Rules whose policy selects nothing (`NET004`) or whose
    /// peers match nothing in the input (`NET005`) are left to those rules.
    ///
    /// ## Why is this bad?
    /// The port matches nothing, so the rule allows nothing there: the intended traffic is
    /// blocked as soon as the pods are isolated. It is usually a typo or a port renamed in the
    /// Deployment but not in the policy, and the resulting outage tempts people into an
    /// allow-all rule.
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
    ///       - name: api
    ///         image: registry.example.com/api:1.0
    ///         ports: [{name: http, containerPort: 9000}]
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: api-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: api}}
    ///   ingress:
    ///   - ports: [{port: web}]
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
    ///       - name: api
    ///         image: registry.example.com/api:1.0
    ///         ports: [{name: http, containerPort: 9000}]
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: api-ingress, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: api}}
    ///   ingress:
    ///   - ports: [{port: http}]
    /// ```
    ///
    /// ## Fix
    /// Use the name the container port has (and its protocol), or the port number.
    ///
    /// ## Exceptions
    /// None in practice; a port name for pods not deployed yet can be suppressed on the policy
    /// with `kubeward.io/ignore: "NET009: <reason>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CWE-706 Use of Incorrectly-Resolved Name or Reference
    pub static NAMED_PORT_UNRESOLVED: Rule = Rule {
        code: "NET009",
        name: "named-port-unresolved",
        severity: Severity::Low,
        category: Category::Network,
        kinds: NET_KINDS,
        compliance: &[cwe("CWE-706")],
        fix: "Use a port name that the destination's container ports define, or the port number.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let a = analysis(ctx.index);
    for unresolved in &a.coverage.unresolved_named_ports {
        let loc = &unresolved.location;
        let Some((rule_path, _)) = loc.path.rsplit_once(".ports[") else {
            continue;
        };
        let ingress = rule_path.starts_with("spec.ingress");
        let against = if ingress {
            if a.coverage
                .policies_selecting_nothing
                .iter()
                .any(|p| p.policy == loc.policy)
            {
                continue;
            }
            "the pods the policy selects"
        } else {
            let Some((object, full_rule)) = a.policy_site(
                ctx.index,
                &PolicyLocation {
                    policy: loc.policy.clone(),
                    path: rule_path.to_string(),
                },
            ) else {
                continue;
            };
            let peers: Vec<(usize, &Node)> = object
                .root
                .at_path(&full_rule)
                .and_then(|r| r.get("to"))
                .into_iter()
                .flat_map(Node::items)
                .enumerate()
                .filter(|(_, p)| p.get("ipBlock").is_none())
                .collect();
            let dead = |i: usize| {
                let path = path_index(&format!("{rule_path}.to"), i);
                a.coverage
                    .peers_matching_nothing
                    .iter()
                    .any(|p| p.policy == loc.policy && p.path == path)
            };
            if !peers.is_empty() && peers.iter().all(|(i, _)| dead(*i)) {
                continue;
            }
            let listed = object
                .root
                .at_path(&format!("{full_rule}.to"))
                .is_some_and(|to| to.items().next().is_some());
            if peers.is_empty() && listed {
                "external addresses, which have no named ports"
            } else {
                "the pods the rule's `to` peers match"
            }
        };
        let message = format!(
            "{}: named port `{}` ({}) is defined by no container port of {against}; the rule allows nothing on it",
            describe_policy(&loc.policy),
            unresolved.name,
            unresolved.protocol
        );
        let site = PolicyLocation {
            policy: loc.policy.clone(),
            path: format!("{}.port", loc.path),
        };
        let _ = report_policy(out, &a, ctx.index, &site, message);
    }
}

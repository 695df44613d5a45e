use kubeward_diagnostics::{Category, Severity};

use super::analysis::{NET_KINDS, analysis, describe_policy, report_policy};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicy egress rules that allow every address on every port.
    ///
    /// Two shapes: a peer `ipBlock` of `0.0.0.0/0` or `::/0` in a rule without `ports`, or a
    /// rule with neither `to` nor `ports`.
    ///
    /// The finding is on the peer (`spec.egress[i].to[j]`) for an all-addresses `ipBlock`,
    /// and on the rule (`spec.egress[i]`) when it has no `to`.
    ///
    /// ## Why is this bad?
    /// Egress isolation that allows the whole Internet on every port stops nothing an
    /// attacker needs: exfiltration, command and control, downloads of tooling, the cloud
    /// metadata service. It gives a false sense of control ("egress is restricted").
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: allow-all-egress, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///   - to:
    ///     - ipBlock: {cidr: 0.0.0.0/0}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: egress-https-partners, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///   - to:
    ///     - ipBlock:
    ///         cidr: 0.0.0.0/0
    ///         except: [10.0.0.0/8, 169.254.169.254/32]
    ///     ports: [{port: 443, protocol: TCP}]
    /// ```
    ///
    /// ## Fix
    /// Allow only the destinations and ports needed: named CIDRs of partners, `443/TCP` to
    /// the Internet with the metadata service and private ranges in `except`, and DNS to
    /// kube-dns.
    ///
    /// ## Exceptions
    /// Egress gateways and proxies whose job is to reach anywhere. Suppress on the policy with
    /// `kubeward.io/ignore: "NET007: egress proxy"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance, "Network separation and hardening"
    /// - MITRE ATT&CK T1041 Exfiltration Over C2 Channel
    /// - CWE-923 Improper Restriction of Communication Channel to Intended Endpoints
    pub static ALLOW_ALL_EGRESS: Rule = Rule {
        code: "NET007",
        name: "allow-all-egress",
        severity: Severity::Medium,
        category: Category::Network,
        kinds: NET_KINDS,
        compliance: &[nsa("network-separation"), mitre("T1041"), cwe("CWE-923")],
        fix: "Limit egress to the destinations and `ports` needed; keep private ranges and the metadata service in `except`.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let a = analysis(ctx.index);
    for loc in &a.coverage.egress_to_world {
        let Some((object, path)) = a.policy_site(ctx.index, loc) else {
            continue;
        };
        let block = object
            .root
            .at_path(&path)
            .and_then(|peer| peer.get("ipBlock"));
        let cidr = block
            .and_then(|b| b.get("cidr"))
            .and_then(kubeward_yaml::Node::as_str);
        let except = block
            .and_then(|b| b.get("except"))
            .is_some_and(|e| e.items().next().is_some());
        let message = match cidr {
            Some(cidr) => format!(
                "{}: peer `{}` is `ipBlock` `{cidr}` without `ports`: the selected pods may connect to any address{} on every port",
                describe_policy(&loc.policy),
                loc.path,
                if except { " outside `except`" } else { "" }
            ),
            None => format!(
                "{}: egress rule `{}` has neither `to` nor `ports`: the selected pods may connect to any pod and any address on every port",
                describe_policy(&loc.policy),
                loc.path
            ),
        };
        let _ = report_policy(out, &a, ctx.index, loc, message);
    }
}

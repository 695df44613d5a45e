use kubeward_diagnostics::{Category, Severity};
use kubeward_netpol::{IssueSeverity, PolicyLocation};

use super::analysis::{NET_KINDS, analysis, describe_policy, report_policy};
use crate::context::{BundleContext, Emitter};
use crate::meta::cwe;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports NetworkPolicies the API server would reject, at the offending field.
    ///
    /// Checked as the API server validates them: CIDRs, `except` entries outside their
    /// `cidr`, `endPort` with a named port or below `port`, an `ipBlock` combined with a
    /// selector in one peer, selectors, label values, protocols and port names. Policies that
    /// are accepted but surprising (a CIDR with host bits set, a policy defined twice) are
    /// reported with low severity.
    ///
    /// Invalid policies are left out of every other NET computation, as they would never
    /// exist in the cluster.
    ///
    /// ## Why is this bad?
    /// `kubectl apply` fails on the policy, often in a pipeline step whose failure goes
    /// unnoticed, and the isolation it was meant to provide never exists: the pods stay open.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: partners, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///   - to:
    ///     - ipBlock: {cidr: 203.0.113.0/33}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: partners, namespace: shop}
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///   - to:
    ///     - ipBlock: {cidr: 203.0.113.0/24}
    /// ```
    ///
    /// ## Fix
    /// Correct the field as the message says; `kubectl apply --dry-run=server` confirms it.
    ///
    /// ## Exceptions
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes API reference, NetworkPolicy (networking.k8s.io/v1) validation
    /// - CWE-20 Improper Input Validation
    pub static INVALID_NETWORK_POLICY: Rule = Rule {
        code: "NET010",
        name: "invalid-network-policy",
        severity: Severity::High,
        category: Category::Network,
        kinds: NET_KINDS,
        compliance: &[cwe("CWE-20")],
        fix: "Correct the field so that the API server accepts the policy.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let a = analysis(ctx.index);
    for issue in a.cluster.issues() {
        let site = PolicyLocation {
            policy: issue.policy.clone(),
            path: issue.path.clone(),
        };
        match issue.severity {
            IssueSeverity::Error => {
                let message = format!(
                    "{} is invalid at `{}`: {}; the API server rejects it, so it protects nothing",
                    describe_policy(&issue.policy),
                    issue.path,
                    issue.message
                );
                let _ = report_policy(out, &a, ctx.index, &site, message);
            }
            IssueSeverity::Warning => {
                let message = format!(
                    "{} at `{}`: {}",
                    describe_policy(&issue.policy),
                    issue.path,
                    issue.message
                );
                if let Some(b) = report_policy(out, &a, ctx.index, &site, message) {
                    let _ = b.severity(Severity::Low);
                }
            }
        }
    }
}

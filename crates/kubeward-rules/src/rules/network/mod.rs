//! NetworkPolicy coverage and reachability (`NET` codes), computed by the NetworkPolicy
//! engine (`kubeward-netpol`) over the whole bundle: exact isolation per direction, default
//! denies per namespace, dead selectors, over-broad rules, unresolvable named ports, exposed
//! data stores and invalid policies.
//!
//! Noise policy (documented in each rule): per-workload coverage findings (`NET001`,
//! `NET002`) are reported only in namespaces that hold at least one NetworkPolicy in the
//! input; a namespace without any policy gets one `NET003` finding, whose severity drops to
//! low when the input holds no NetworkPolicy at all (the policies may be managed elsewhere).
//! Selector findings (`NET004`, `NET005`) are reported only where the input has the
//! workloads that could match. Every finding is placed at the workload's `metadata` or at the
//! policy's rule, peer or port.

mod analysis;

mod allow_all_egress;
mod allow_all_ingress;
mod invalid_network_policy;
mod named_port_unresolved;
mod namespace_without_default_deny;
mod peer_matches_nothing;
mod pod_not_isolated_egress;
mod pod_not_isolated_ingress;
mod policy_selects_nothing;
mod sensitive_workload_exposed;

pub use allow_all_egress::ALLOW_ALL_EGRESS;
pub use allow_all_ingress::ALLOW_ALL_INGRESS;
pub use invalid_network_policy::INVALID_NETWORK_POLICY;
pub use named_port_unresolved::NAMED_PORT_UNRESOLVED;
pub use namespace_without_default_deny::NAMESPACE_WITHOUT_DEFAULT_DENY;
pub use peer_matches_nothing::PEER_MATCHES_NOTHING;
pub use pod_not_isolated_egress::POD_NOT_ISOLATED_EGRESS;
pub use pod_not_isolated_ingress::POD_NOT_ISOLATED_INGRESS;
pub use policy_selects_nothing::POLICY_SELECTS_NOTHING;
pub use sensitive_workload_exposed::SENSITIVE_WORKLOAD_EXPOSED;

/// Every rule of this category.
pub static RULES: &[&crate::Rule] = &[
    &POD_NOT_ISOLATED_INGRESS,
    &POD_NOT_ISOLATED_EGRESS,
    &NAMESPACE_WITHOUT_DEFAULT_DENY,
    &POLICY_SELECTS_NOTHING,
    &PEER_MATCHES_NOTHING,
    &ALLOW_ALL_INGRESS,
    &ALLOW_ALL_EGRESS,
    &SENSITIVE_WORKLOAD_EXPOSED,
    &NAMED_PORT_UNRESOLVED,
    &INVALID_NETWORK_POLICY,
];

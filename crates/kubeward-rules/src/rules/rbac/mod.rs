//! RBAC risks (`RBAC` codes), binding-aware: every risk of a role is reported on the
//! binding that makes it real (`roleRef` or `subjects[i]`), with the role's rule as a
//! related location, and on the workloads whose service account holds it. The RBAC engine
//! (`kubeward-rbac`) does the analysis, on top of the default cluster policy.

mod analysis;

mod all_authenticated_subject;
mod all_service_accounts_subject;
mod anonymous_subject;
mod binding_to_missing_role;
mod binding_to_missing_service_account;
mod cluster_admin_binding;
mod default_service_account_bound;
mod escalation_verb;
mod secret_read_cluster_wide;
mod unbound_risky_role;
mod wildcard_api_group;
mod wildcard_resource;
mod wildcard_verb;
mod workload_cluster_admin_equivalent;

pub use all_authenticated_subject::ALL_AUTHENTICATED_SUBJECT;
pub use all_service_accounts_subject::ALL_SERVICE_ACCOUNTS_SUBJECT;
pub use anonymous_subject::ANONYMOUS_SUBJECT;
pub use binding_to_missing_role::BINDING_TO_MISSING_ROLE;
pub use binding_to_missing_service_account::BINDING_TO_MISSING_SERVICE_ACCOUNT;
pub use cluster_admin_binding::CLUSTER_ADMIN_BINDING;
pub use default_service_account_bound::DEFAULT_SERVICE_ACCOUNT_BOUND;
pub use escalation_verb::ESCALATION_VERB;
pub use secret_read_cluster_wide::SECRET_READ_CLUSTER_WIDE;
pub use unbound_risky_role::UNBOUND_RISKY_ROLE;
pub use wildcard_api_group::WILDCARD_API_GROUP;
pub use wildcard_resource::WILDCARD_RESOURCE;
pub use wildcard_verb::WILDCARD_VERB;
pub use workload_cluster_admin_equivalent::WORKLOAD_CLUSTER_ADMIN_EQUIVALENT;

/// Every rule of this category.
pub static RULES: &[&crate::Rule] = &[
    &CLUSTER_ADMIN_BINDING,
    &ANONYMOUS_SUBJECT,
    &ALL_AUTHENTICATED_SUBJECT,
    &ALL_SERVICE_ACCOUNTS_SUBJECT,
    &SECRET_READ_CLUSTER_WIDE,
    &ESCALATION_VERB,
    &DEFAULT_SERVICE_ACCOUNT_BOUND,
    &BINDING_TO_MISSING_SERVICE_ACCOUNT,
    &BINDING_TO_MISSING_ROLE,
    &WILDCARD_VERB,
    &WILDCARD_RESOURCE,
    &WILDCARD_API_GROUP,
    &UNBOUND_RISKY_ROLE,
    &WORKLOAD_CLUSTER_ADMIN_EQUIVALENT,
];

//! The Kubernetes RBAC authorizer as a library: kubeward's RBAC engine.
//!
//! A [`Policy`] holds Roles, ClusterRoles, RoleBindings, ClusterRoleBindings and
//! ServiceAccounts read from [`kubeward_yaml::Node`]s, optionally on top of the default
//! policy an API server bootstraps ([`Policy::with_defaults`]). It answers the authorizer's
//! questions with upstream semantics (`plugin/pkg/auth/authorizer/rbac` and
//! `pkg/apis/rbac/v1/evaluation_helpers.go` in kubernetes/kubernetes), computes aggregated
//! ClusterRoles as the aggregation controller does, builds a privilege-escalation graph and
//! lists risky grants. Results carry object references, source ids and field paths
//! (`rules[2]`, `subjects[0]`) and serialize with serde.
//!
//! ```
//! use kubeward_rbac::{Policy, Request, SourceId, UserInfo};
//!
//! let text = r#"
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata: {name: ci-edit, namespace: ci}
//! roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
//! subjects:
//! - kind: ServiceAccount
//!   name: deployer
//! "#;
//! let mut policy = Policy::with_defaults();
//! let doc = kubeward_yaml::parse_str(text);
//! assert!(policy.add_object(SourceId(1), &doc.documents[0].root).unwrap());
//!
//! let deployer = UserInfo::service_account("ci", "deployer");
//! let read_secrets = Request::resource("get", "", "secrets").name("db").namespace("ci");
//! let decision = policy.can_i(&deployer, &read_secrets);
//! assert!(decision.allowed);
//! assert_eq!(decision.via[0].binding.name, "ci-edit");
//! // `edit` is aggregated: the rule comes from `system:aggregate-to-edit`
//! assert_eq!(decision.via[0].rule.role.name, "system:aggregate-to-edit");
//! // a RoleBinding grants only in its own namespace
//! assert!(!policy.can_i(&deployer, &Request::resource("get", "", "secrets").name("db").namespace("prod")).allowed);
//!
//! let who = policy.who_can(&read_secrets);
//! assert!(who.iter().any(|g| g.name == "deployer" && g.namespace.as_deref() == Some("ci")));
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod defaults;
mod error;
pub mod escalation;
pub mod matching;
mod parse;
mod policy;
mod query;
pub mod risk;
pub mod selector;
mod types;

pub use error::RbacError;
pub use escalation::{
    EdgeReason, EscalationEdge, EscalationGraph, EscalationPath, GraphNode, WorkloadRef,
};
pub use policy::{FindingKind, Policy, PolicyFinding, RuleSite, Via};
pub use query::{
    AccessMatrix, Decision, EffectiveRule, MATRIX_VERBS, MatrixRow, RulesReport, SubjectGrant,
};
pub use risk::{RiskFinding, RiskKind, RiskOptions, RiskReport, RoleReachability};
pub use types::{
    GROUP_AUTHENTICATED, GROUP_MASTERS, GROUP_SERVICEACCOUNTS, GROUP_UNAUTHENTICATED, ObjectKind,
    ObjectRef, PolicyRule, RBAC_GROUP, Request, ResourceRequest, RoleRef, RoleRefSpec,
    SERVICEACCOUNT_USER_PREFIX, Scope, SourceId, Subject, SubjectKind, SubjectRef, USER_ANONYMOUS,
    UserInfo, service_account_groups, service_account_username, split_service_account_username,
};

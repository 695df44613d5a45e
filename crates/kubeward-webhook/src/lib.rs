//! kubeward's admission webhook: `kubeward serve`.
//!
//! The same rules, options and exemptions as `kubeward scan` judge every object the API
//! server sends in an `admission.k8s.io/v1` AdmissionReview; each finding is denied, warned
//! (AdmissionResponse `warnings`, printed by kubectl) or audited (log, metric,
//! `auditAnnotations`) according to the `webhook:` section of `.kubeward.yaml`. The same
//! server is the API server's audit webhook backend (`POST /audit`).
//!
//! Modules follow the Kubewarden policy-server split: [`config`], [`tls`], [`api`] (router,
//! handlers, errors) with [`review`] (wire types), [`evaluation`], [`metrics`]; plus
//! [`audit`] (detector thread), [`server`] (listener, reload, shutdown), [`certs`] and
//! [`manifests`] (install artefacts).
//!
//! ```
//! use kubeward_webhook::{config::Policy, evaluation::evaluate, review::parse_review};
//! let policy = Policy::parse(".kubeward.yaml", "webhook:\n  mode: warn\n", false).unwrap();
//! let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
//!   "uid":"9f0c","operation":"CREATE","namespace":"shop","name":"web",
//!   "kind":{"group":"","version":"v1","kind":"Pod"},
//!   "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},
//!     "spec":{"hostPID":true,"containers":[{"name":"app","image":"nginx:1.27"}]}}}}"#;
//! let decision = evaluate(&policy, &parse_review(body).unwrap(), None);
//! assert!(decision.response.allowed); // mode: warn never denies
//! assert!(decision.response.warnings.iter().any(|w| w.contains("POD011 spec.hostPID")));
//! ```
//!
//! # Namespace modes without cluster access
//!
//! Validating webhooks are not sent the namespace object, and kubeward needs no API access
//! (its ServiceAccount token is not even mounted). The namespace label
//! `kubeward.io/enforce=deny|warn|audit` is honoured by the API server itself: the generated
//! ValidatingWebhookConfiguration has one webhook per mode, each selecting namespaces with
//! that label value through `namespaceSelector` and calling `/validate/{mode}`; unlabelled
//! namespaces go to `/validate` (the configured `mode`). `namespace-modes` in the
//! configuration is the alternative for clusters where labels cannot be used.
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

pub mod api;
pub mod audit;
pub mod certs;
pub mod config;
pub mod evaluation;
pub mod images;
pub mod manifests;
pub mod metrics;
pub mod review;
pub mod server;
pub mod tls;

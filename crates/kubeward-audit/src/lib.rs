//! Kubernetes API-server audit-log detection: the audit engine of kubeward.
//!
//! Reads `audit.k8s.io/v1` events (JSON lines from `--audit-log-path`, gzip or not, or the
//! webhook backend's `EventList` batches), runs detectors for attack steps and anomalies, and
//! returns [`Finding`]s with evidence (audit ID, time, user, groups, source IPs, verb,
//! object, response code, user agent). Request and response bodies are parsed lazily, only
//! by the detectors that need them, and are never copied into findings: a Secret's data
//! cannot leak into a report.
//!
//! ```
//! use kubeward_audit::{Config, Engine};
//! let log = concat!(
//!     r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"e1","#,
//!     r#""stage":"ResponseStarted","requestURI":"/api/v1/namespaces/web/pods/api-0/exec?command=sh","#,
//!     r#""verb":"create","user":{"username":"mallory","groups":["system:authenticated"]},"#,
//!     r#""sourceIPs":["203.0.113.5"],"userAgent":"kubectl/v1.30.1","#,
//!     r#""objectRef":{"resource":"pods","namespace":"web","name":"api-0","apiVersion":"v1","subresource":"exec"},"#,
//!     r#""responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2024-05-01T03:00:00.000000Z"}"#,
//!     "\n",
//!     // The same request at its next stage: not reported twice.
//!     r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"e1","#,
//!     r#""stage":"ResponseComplete","requestURI":"/api/v1/namespaces/web/pods/api-0/exec?command=sh","#,
//!     r#""verb":"create","user":{"username":"mallory","groups":["system:authenticated"]},"#,
//!     r#""objectRef":{"resource":"pods","namespace":"web","name":"api-0","apiVersion":"v1","subresource":"exec"},"#,
//!     r#""responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2024-05-01T03:00:00.000000Z"}"#,
//!     "\n",
//! );
//! let mut engine = Engine::new(Config::default()).unwrap();
//! let report = engine.scan(log.as_bytes(), "audit.log").unwrap();
//! assert_eq!(report.findings.len(), 1);
//! let f = &report.findings[0];
//! assert_eq!((f.code, f.name), ("AUD003", "exec-into-pod"));
//! assert_eq!(f.details["command"], "sh");
//! assert_eq!(f.evidence.user, "mallory");
//! ```
//!
//! Modules: [`event`] (types and parsing), [`input`] (line reader, gzip, file follower),
//! [`queue`] (bounded webhook queue), [`config`], [`engine`], [`finding`], [`dedup`], [`meta`]
//! (every detector's metadata as a named static).
//!
//! # How events are judged
//!
//! - Detectors see events with an outcome (`ResponseStarted`, `ResponseComplete`, `Panic`);
//!   `RequestReceived` carries no authorization decision and no response and is only counted.
//! - A detector fires once per request, whatever the number of stages logged; the request key
//!   is the `auditID` *with* the receive time, user, verb and URI, because clients can choose
//!   their own `auditID` (the `Audit-ID` header).
//! - Stateful detectors count each request once, at its terminal stage, and use the events'
//!   own timestamps: replaying a log gives the same findings as watching it live.
//! - Allow-lists match the authenticated user *and*, under impersonation, the impersonated one.
//!
//! # Limits
//!
//! - Body-based detectors (bindings, roles, privileged and hostPath workloads) need the
//!   `Request` level for create/update and `RequestResponse` for patch; on `Metadata` events
//!   they stay silent.
//! - Only `audit.k8s.io/v1` JSON is read (not `--audit-log-format=legacy`, not `v1beta1`).
//! - The audit policy file and API-server flags are not visible in the audit log; tampering
//!   is detected only through what the API sees (agents, sinks, logging namespaces).
//! - Baselines (`rate-spike`, `first-seen-*`) live in memory for one engine run.
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

pub mod config;
pub mod dedup;
mod detectors;
pub mod engine;
pub mod event;
pub mod finding;
pub mod input;
mod objects;
pub mod queue;

/// Every detector's [`DetectorMeta`] as a named static, by code, for `const` tables such as
/// kubeward-rules' AUD rules (which take their documentation, severity and MITRE technique
/// from here, so the engine stays the one source of that text).
///
/// ```
/// assert_eq!(kubeward_audit::meta::AUD003.name, "exec-into-pod");
/// let catalogue: Vec<_> = kubeward_audit::Engine::catalogue().collect();
/// assert_eq!(kubeward_audit::meta::ALL.len(), catalogue.len());
/// assert!(kubeward_audit::meta::ALL.iter().zip(catalogue).all(|(a, b)| std::ptr::eq(*a, b)));
/// ```
pub mod meta {
    pub use crate::detectors::access::{
        ANONYMOUS_META as AUD011, ATTACH_META as AUD004, EXEC_META as AUD003,
        IMPERSONATION_META as AUD010, NODE_PROXY_META as AUD006, PORT_FORWARD_META as AUD005,
        SA_TOKEN_META as AUD009, SECRET_LIST_META as AUD002, SECRET_READ_META as AUD001,
    };
    pub use crate::detectors::anomaly::{
        FIRST_SEEN_IDENTITY_META as AUD022, FIRST_SEEN_IP_META as AUD023,
        FIRST_SEEN_UA_META as AUD024, FORBIDDEN_BURST_META as AUD012, RATE_SPIKE_META as AUD021,
    };
    pub use crate::detectors::privilege::{
        CLUSTER_ADMIN_META as AUD007, CSR_META as AUD019, RBAC_WILDCARD_META as AUD008,
    };
    pub use crate::detectors::tamper::{
        AUDIT_TAMPER_META as AUD017, CRD_META as AUD018, EVENT_DELETED_META as AUD020,
        WEBHOOK_META as AUD016,
    };
    pub use crate::detectors::workload::{
        HOSTPATH_META as AUD014, PRIVILEGED_META as AUD013, PROTECTED_META as AUD015,
    };

    use crate::finding::DetectorMeta;

    /// Every detector's metadata in code order (the same order as [`crate::Engine::catalogue`]).
    pub static ALL: [&DetectorMeta; 24] = [
        &AUD001, &AUD002, &AUD003, &AUD004, &AUD005, &AUD006, &AUD007, &AUD008, &AUD009, &AUD010,
        &AUD011, &AUD012, &AUD013, &AUD014, &AUD015, &AUD016, &AUD017, &AUD018, &AUD019, &AUD020,
        &AUD021, &AUD022, &AUD023, &AUD024,
    ];
}

pub use config::{AllowList, Config, ConfigError};
pub use engine::{Engine, EngineStats, ScanReport};
pub use event::{Document, Event, Outcome, ParseError, Stage, parse_document, parse_event};
pub use finding::{DetectorMeta, Evidence, Finding, NeedsLevel, Severity};
pub use input::{Follower, LineError, LineReader, StartAt, read_lines};
pub use queue::{BoundedQueue, PushError, QueueStats};

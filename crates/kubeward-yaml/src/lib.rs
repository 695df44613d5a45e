//! Span-preserving YAML/JSON loader: the second stage of kubeward's pipeline.
//!
//! Kubernetes reads manifests through `sigs.k8s.io/yaml` (go-yaml v2 semantics), so this
//! loader does too: YAML 1.1 booleans (`yes`, `on`), leading-zero octal (`0644`), merge keys
//! (`<<`), and duplicate keys where the last one wins (reported as a warning). Every node keeps
//! its source [`kubeward_source::Span`]. Aliases, nesting depth and node counts are budgeted so
//! hostile input (alias bombs, 10,000-deep nesting) is a located error, never a crash.
//!
//! ```
//! let parsed = kubeward_yaml::parse_str("kind: Pod\n---\nkind: Service\n");
//! assert_eq!(parsed.documents.len(), 2);
//! assert_eq!(parsed.documents[1].root.get("kind").and_then(|k| k.as_str()), Some("Service"));
//! assert!(parsed.issues.is_empty());
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

mod loader;
mod node;
mod resolve;

pub use loader::{
    Document, IssueKind, IssueSeverity, Limits, LoadIssue, Parsed, parse_each, parse_str,
    parse_str_with,
};
pub use node::{Located, NULL, Node, PathSegments, Segment, Value, path_index, path_join};
pub use resolve::resolve_plain;

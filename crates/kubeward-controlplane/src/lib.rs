//! Control-plane, etcd and kubelet configuration checks against the CIS Kubernetes Benchmark
//! (v1.12.0 numbering), plus read-only live probes of control-plane endpoints.
//!
//! The engine reads a node's files ([`layout::NodeLayout`]): static pod manifests, kubeconfigs,
//! PKI, the kubelet's systemd unit, drop-ins and configuration, etcd's data directory and the
//! files the API server flags point at. It parses command lines exactly as the components do
//! ([`flags`]), computes the kubelet's effective settings (flags override the configuration
//! file, [`kubelet`]) and evaluates every automatable CIS control ([`checks`]). Results carry
//! file paths and YAML field paths, never secret values.
//!
//! ```
//! use std::fs;
//! use kubeward_controlplane::{NodeLayout, Options, Status, run_checks};
//! let root = tempfile::tempdir().unwrap();
//! let manifests = root.path().join("etc/kubernetes/manifests");
//! fs::create_dir_all(&manifests).unwrap();
//! fs::write(manifests.join("kube-apiserver.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --anonymous-auth=false, --token-auth-file=/etc/tokens.csv]\n").unwrap();
//!
//! let layout = NodeLayout::from_root(root.path());
//! let report = run_checks(&layout, &Options::default());
//! assert_eq!(report.get("1.2.1").unwrap().status, Status::Pass);
//! let token = report.get("1.2.2").unwrap();
//! assert_eq!(token.status, Status::Fail);
//! assert_eq!(token.evidence[0].field_path.as_deref(), Some("spec.containers[0].command[2]"));
//! // No etcd manifest on this node: not applicable, not failed.
//! assert_eq!(report.get("2.2").unwrap().status, Status::NotApplicable);
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

pub mod audit_policy;
pub mod checks;
pub mod encryption;
pub mod error;
pub mod flags;
pub mod kubelet;
pub mod layout;
pub mod probe;
pub mod systemd;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use checks::{
    BENCHMARK, CheckMeta, CheckResult, Evidence, Options, Report, Status, Target, catalogue,
    run_checks,
};
pub use error::{LayoutError, ProbeError};
pub use layout::{Component, ExplicitFiles, NodeLayout};

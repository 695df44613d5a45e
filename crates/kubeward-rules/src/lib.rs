//! kubeward's rule engine: rule metadata ([`Rule`], [`declare_rule!`]), the explicit
//! [`registry`], the [`Engine`] that runs rules over objects and applies suppressions and
//! exemptions, and the built-in [`rules`].
//!
//! A rule is one file: a doc comment with fixed sections, a [`Rule`] value and a plain check
//! function that reports field paths through an [`Emitter`]. Checks never do I/O, so the same
//! rules run in `kubeward scan` and in the admission webhook.
//!
//! ```
//! use kubeward_rules::{Engine, Settings};
//! let loaded = kubeward_model::load_text("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  containers:\n  - {name: c, image: nginx}\n");
//! let engine = Engine::new(Settings::default());
//! let findings = engine.check_object(&loaded.objects[0]);
//! assert!(findings.iter().any(|d| d.code == "POD011" && d.location.start.line == 5));
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

mod config;
mod context;
mod exemption;
pub mod images;
mod meta;
mod options;
pub mod registry;
pub mod rules;
mod runner;
mod selection;
mod suppress;

pub use config::{Config, ConfigError, to_json};
pub use context::{BundleContext, Emitter, Finding, FindingBuilder, ObjectContext};
pub use exemption::{Exemption, today_utc};
pub use meta::{Check, Rule, cis, cwe, mitre, nsa, pss};
pub use options::RuleOptions;
pub use runner::{
    Engine, ExternalFinding, FileOutcome, ObjectFacts, Outcome, Settings, SuppressionSite,
    count_by_severity, locate, object_id, snippet_for,
};
pub use selection::{Selection, matches_rule, selector_is_known};
pub use suppress::{IGNORE_ANNOTATION, Suppression, parse_suppressions};

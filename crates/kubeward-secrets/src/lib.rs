//! Secret detection for kubeward's "secrets hygiene" capability (an engine crate).
//!
//! ```
//! let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: app:1\n    env:\n    - name: DATABASE_URL\n      value: postgres://app:Xk9pQ2vL7m@db:5432/app\n";
//! let parsed = kubeward_yaml::parse_str(yaml);
//! let findings = kubeward_secrets::scan_object(&parsed.documents[0].root);
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].path, "spec.containers[0].env[0].value");
//! assert_eq!(findings[0].matched.detector.id, "database-connection-string");
//! // The secret never shows up in output.
//! assert!(!format!("{findings:?}").contains("Xk9pQ2vL7m"));
//! assert!(!serde_json::to_string(&findings).unwrap().contains("Xk9pQ2vL7m"));
//! ```
//!
//! Three analyses over parsed manifests ([`kubeward_yaml::Node`]), all returning domain
//! results with field paths and never the secret itself in clear:
//!
//! - [`scan_value`] / [`scan_object`]: credential detectors written from the documented
//!   token formats (AWS, GCP, Azure, GitHub, GitLab, Slack, Stripe, Twilio, SendGrid, npm,
//!   PyPI, JWT, PEM/OpenSSH private keys, credentials in URLs and connection strings,
//!   registry auths, kubeconfig credentials) plus a key-name + entropy heuristic with a
//!   placeholder list. An Aho-Corasick keyword prefilter decides which regexes run.
//! - [`analyze_secret_object`]: is a committed `Secret` carrying real values?
//! - [`analyze_encryption_config`]: is an `EncryptionConfiguration` protecting Secrets?
//!
//! Every secret is held in a [`Redacted`], which masks itself in `Display`, `Debug` and
//! `Serialize` (`AKIA****`).
//!
//! ## How detection works
//!
//! 1. **Key-aware checks** run when the value has a key (map key, env var name, header
//!    name, command-line flag): AWS secret keys, Azure account keys and Twilio tokens by key
//!    name and shape; Docker `auth` (base64 `user:password`); kubeconfig `client-key-data`,
//!    `token`, `password`; the generic `password`/`secret`/`token`/`api_key`/... heuristic,
//!    which needs a non-placeholder, non-identifier value with enough Shannon entropy.
//! 2. **Format detectors** (regexes written from the documented token formats) run only if
//!    one of their keywords occurs in the value: a single ASCII-case-insensitive
//!    Aho-Corasick DFA over all keywords is the prefilter.
//! 3. Overlapping matches keep the more specific detector ([`ALL_DETECTORS`] order).
//!
//! [`is_placeholder`] removes templates and variable references (`${X}`, `$(X)`,
//! `{{ .Values.x }}`, `%X%`, `<redacted>`), SOPS `ENC[...]` values, masked values
//! (`****`, `xxxx`), repeated or sequential characters, and values with words like
//! `changeme`, `example`, `dummy`, `REPLACE_ME`, `test`. Hashes and UUIDs under
//! credential keys are reported with low confidence.
//!
//! ## Paths
//!
//! Field paths are built with [`kubeward_yaml::path_join`] / [`kubeward_yaml::path_index`]
//! (`data.password`, `data["tls.key"]`, `spec.containers[0].env[2].value`), relative to
//! the node passed in. A secret inside an embedded document (a kubeconfig in a ConfigMap,
//! a `.dockerconfigjson`, the last-applied annotation) is reported at the outer field,
//! with [`ObjectSecretFinding::embedded_path`] giving the path inside it.
//!
//! ## Limits
//!
//! Values are scanned up to [`MAX_SCAN_BYTES`]; embedded documents are followed three levels
//! deep and up to 1 MiB. Tokens are recognised by shape, never verified against a service
//! (no checksum validation, no network). Binary Secret values (keystores) are not scanned
//! for formats but count as real values in [`analyze_secret_object`].
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

mod catalog;
mod committed;
mod detect;
mod encryption;
mod heuristics;
mod redact;
mod walk;

pub use catalog::{ALL_DETECTORS, Confidence, DetectorInfo, Severity, detector_by_id};
pub use committed::{CommittedSecret, CommittedValue, ValueStatus, Verdict, analyze_secret_object};
pub use detect::{KindHint, MAX_SCAN_BYTES, SecretMatch, ValueContext, engine_ready, scan_value};
pub use encryption::{
    EncryptionFinding, EncryptionFindingKind, EncryptionReport, ProviderKind, SecretsCoverage,
    analyze_encryption_config,
};
pub use heuristics::{is_placeholder, shannon_entropy};
pub use redact::{MASK, Redacted};
pub use walk::{LAST_APPLIED, ObjectSecretFinding, ValueEncoding, scan_object};

//! The image supply-chain gate of kubeward: the `images:` section of `.kubeward.yaml` turned
//! into verdicts for image references.
//!
//! - **Signatures** (IMG200): images matching a policy's patterns must carry a cosign
//!   signature, by one of the policy's keys, for the digest the reference resolves to
//!   (`kubeward-oci` talks to the registry, `kubeward-cosign` checks the signature).
//! - **Vulnerabilities** (IMG201): SBOMs mapped to images are matched against a local OSV
//!   database once, at load (`kubeward-vuln`).
//! - **Registry failures** (IMG202) are reported, never cached, and admission decides whether
//!   they deny (fail-closed) or warn (fail-open).
//!
//! One [`ImageGate`] serves `kubeward scan`, `kubeward image` and the admission webhook. Its
//! caches are bounded and per replica: a tag's resolved digest for `tag-ttl-seconds`, a
//! digest's verdict for `cache-ttl-seconds` (verified) or `negative-ttl-seconds` (rejected),
//! so an already judged digest costs no network call at admission.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use kubeward_imagepolicy::ImageGate;
//! use kubeward_rules::images::ImagesConfig;
//! let gate = ImageGate::load(&ImagesConfig::default(), std::path::Path::new(".")).unwrap();
//! let check = gate.check("nginx:1.27").await;
//! assert_eq!(check.reference.as_deref(), Some("docker.io/library/nginx:1.27"));
//! assert!(check.signature.is_none() && check.vulnerabilities.is_none());
//! # });
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

pub mod cache;
mod findings;
mod gate;
pub mod pattern;
pub mod signature;
mod sites;

pub use findings::{GateFinding, MAX_ADVISORIES_LISTED, findings, severity_of};
pub use gate::{GateError, GateStats, ImageCheck, ImageGate, SignatureStatus, VulnStatus};
pub use sites::{ImageField, check_all, image_fields};

//! An async OCI distribution (registry v2) client for kubeward: parse image references, resolve
//! tags to digests, fetch manifests and blobs (verifying digests), and push.
//!
//! ```
//! use kubeward_oci::{Digest, Reference};
//!
//! let r = Reference::parse("ghcr.io/acme/app:1.2").unwrap();
//! assert_eq!((r.registry(), r.repository(), r.tag()), ("ghcr.io", "acme/app", Some("1.2")));
//!
//! let d = Digest::sha256_of(b"");
//! assert_eq!(d.to_string(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
//! let pinned = r.with_digest(d);
//! assert!(pinned.to_string().starts_with("ghcr.io/acme/app:1.2@sha256:e3b0"));
//!
//! // Against a registry (needs a runtime and a network):
//! // let client = kubeward_oci::RegistryClient::new(Default::default())?;
//! // let digest = client.resolve(&r).await?;
//! ```
//!
//! The transport is hyper 1 (HTTP/1.1, one connection per request) over tokio-rustls with the
//! ring provider. Every request has a deadline covering connect, TLS, headers and body; bodies
//! are bounded; redirects are followed for GET/HEAD without forwarding credentials to another
//! origin; 401 challenges (Bearer token flow or Basic) are answered once. Errors are classified
//! by [`OciError`], and [`OciError::is_registry_unavailable`] tells "the registry could not
//! answer" from "the registry answered no".
//!
//! OCI 1.1 referrers (signatures, SBOMs, attestations attached to an image through `subject`):
//! [`RegistryClient::referrers`] lists them via the referrers API or, on registries without it,
//! the referrers tag schema index ([`referrers_tag`]); [`oci_layout::Artifact`] builds and pushes
//! an artifact manifest with a `subject`, maintaining that index when the registry needs it.
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

mod auth;
mod client;
mod digest;
mod error;
mod manifest;
pub mod oci_layout;
mod reference;
mod referrers;
#[cfg(feature = "test-support")]
pub mod test_support;
mod transport;

pub use auth::Credentials;
pub use client::{ClientOptions, RegistryClient};
pub use digest::{Algorithm, Digest};
pub use error::OciError;
pub use manifest::{
    DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, Descriptor, MANIFEST_ACCEPT, Manifest, ManifestKind,
    OCI_CONFIG, OCI_EMPTY, OCI_INDEX, OCI_LAYER_TAR, OCI_LAYER_TAR_GZIP, OCI_MANIFEST, Platform,
};
pub use reference::{
    DEFAULT_TAG, DOCKER_HUB, DOCKER_HUB_API_HOST, NAME_TOTAL_LENGTH_MAX, Reference, ReferenceError,
    is_valid_tag,
};
pub use referrers::{
    MAX_REFERRERS_PAGES, OCI_FILTERS_APPLIED_HEADER, OCI_SUBJECT_HEADER, referrers_tag,
};

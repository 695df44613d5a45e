//! `IMG` rules: container image references.

mod image_known_vulnerabilities;
mod image_not_pinned_by_digest;
mod image_registry_not_allowed;
mod image_signature_missing;
mod image_tag_latest;
mod image_unverifiable;
pub mod reference;

pub use image_known_vulnerabilities::IMAGE_KNOWN_VULNERABILITIES;
pub use image_not_pinned_by_digest::IMAGE_NOT_PINNED_BY_DIGEST;
pub use image_registry_not_allowed::IMAGE_REGISTRY_NOT_ALLOWED;
pub use image_signature_missing::IMAGE_SIGNATURE_MISSING;
pub use image_tag_latest::IMAGE_TAG_LATEST;
pub use image_unverifiable::IMAGE_UNVERIFIABLE;

/// Every `IMG` rule of this module.
pub static RULES: &[&crate::Rule] = &[
    &IMAGE_TAG_LATEST,
    &IMAGE_NOT_PINNED_BY_DIGEST,
    &IMAGE_REGISTRY_NOT_ALLOWED,
    &IMAGE_SIGNATURE_MISSING,
    &IMAGE_KNOWN_VULNERABILITIES,
    &IMAGE_UNVERIFIABLE,
];

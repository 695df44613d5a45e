//! `IMG` rules: container image references.

mod image_not_pinned_by_digest;
mod image_registry_not_allowed;
mod image_tag_latest;
pub mod reference;

pub use image_not_pinned_by_digest::IMAGE_NOT_PINNED_BY_DIGEST;
pub use image_registry_not_allowed::IMAGE_REGISTRY_NOT_ALLOWED;
pub use image_tag_latest::IMAGE_TAG_LATEST;

/// Every `IMG` rule of this module.
pub static RULES: &[&crate::Rule] = &[
    &IMAGE_TAG_LATEST,
    &IMAGE_NOT_PINNED_BY_DIGEST,
    &IMAGE_REGISTRY_NOT_ALLOWED,
];

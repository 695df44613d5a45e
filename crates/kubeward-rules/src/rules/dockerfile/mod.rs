//! Dockerfile and Containerfile hardening (`IMG` codes from IMG100).

/// Every rule of this category.
pub static RULES: &[&crate::Rule] = &[];

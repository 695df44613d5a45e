//! RBAC risks (`RBAC` codes), binding-aware.

/// Every rule of this category.
pub static RULES: &[&crate::Rule] = &[];

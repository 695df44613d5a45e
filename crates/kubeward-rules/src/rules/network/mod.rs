//! NetworkPolicy coverage and reachability (`NET` codes).

/// Every rule of this category.
pub static RULES: &[&crate::Rule] = &[];

//! Control plane, etcd and kubelet configuration (`CP` codes).

/// Every rule of this category.
pub static RULES: &[&crate::Rule] = &[];

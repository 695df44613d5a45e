//! API-server audit-log detections (`AUD` codes): documented rules whose findings come from the
//! kubeward-audit engine through `Engine::external`.

/// Every rule of this category.
pub static RULES: &[&crate::Rule] = &[];

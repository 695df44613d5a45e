//! Pod Security Standards controls (`POD` codes from POD100), verdicts from the kubeward-pss engine.

/// Every rule of this category.
pub static RULES: &[&crate::Rule] = &[];

//! The built-in rules, one file per rule, grouped by category. Each category module exposes
//! `RULES`, which the [`crate::registry`] concatenates.

pub mod audit;
mod bundle_cache;
pub mod controlplane;
pub mod dockerfile;
pub mod image;
pub mod input;
pub mod network;
pub mod pss;
pub mod rbac;
pub mod secrets;
pub mod workload;

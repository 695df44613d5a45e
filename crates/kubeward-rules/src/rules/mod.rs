//! The built-in rules, one file per rule, grouped by category.

pub mod image;
pub mod input;
pub mod secrets;
pub mod workload;

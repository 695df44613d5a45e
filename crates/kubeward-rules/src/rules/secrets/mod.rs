//! `SEC` rules: secrets and credentials.

mod secret_in_env_var;

pub use secret_in_env_var::SECRET_IN_ENV_VAR;

/// Every `SEC` rule of this module.
pub static RULES: &[&crate::Rule] = &[&SECRET_IN_ENV_VAR];

//! Typed per-rule options, validated when the configuration is loaded.

use serde::{Deserialize, Serialize};

/// Options of the built-in rules. Unknown keys are configuration errors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleOptions {
    /// `IMG003 image-registry-not-allowed`: registries (host names, optionally with a path
    /// prefix like `ghcr.io/acme`) images may come from. Empty disables the rule. Images
    /// without a registry host come from `docker.io`.
    pub allowed_registries: Vec<String>,
    /// `POD013 host-path-volume`: host paths that are accepted (exact or prefix ending in `/`).
    pub allowed_host_paths: Vec<String>,
    /// `POD014 host-port`: host ports that are accepted.
    pub allowed_host_ports: Vec<u16>,
    /// `POD006 capabilities-added`: capabilities that may be added without a finding.
    /// Default: `NET_BIND_SERVICE`.
    pub allowed_capabilities: Option<Vec<String>>,
    /// Rules of the Pod Security Standards controls (those with a `PSS` compliance reference):
    /// the policy version their verdicts are evaluated at, as in the namespace label
    /// `pod-security.kubernetes.io/enforce-version` (`v1.0` ... `v1.N`, or `latest`, the default).
    #[schemars(with = "Option<String>")]
    pub pss_version: Option<crate::rules::pss::PssVersion>,
}

impl RuleOptions {
    /// Capabilities that may be added without a finding.
    #[must_use]
    pub fn allowed_capabilities(&self) -> Vec<String> {
        self.allowed_capabilities
            .clone()
            .unwrap_or_else(|| vec!["NET_BIND_SERVICE".to_string()])
    }
}

//! Engine configuration: allow-lists, thresholds and state bounds.
//!
//! Every field has a default ([`Config::default`]); the serde form (`camelCase`, unknown keys
//! rejected) lets the configuration layer load it from `.kubeward.yaml`.
//!
//! ```
//! use kubeward_audit::config::{AllowList, Config};
//! let mut config = Config::default();
//! // Let the backup operator read secrets, on top of the default allow-list.
//! config.allow.insert(
//!     "secret-read-by-unusual-identity".into(),
//!     AllowList { users: vec!["system:serviceaccount:velero:velero".into()], ..AllowList::default() },
//! );
//! assert!(kubeward_audit::Engine::new(config).is_ok());
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::event::Event;

/// Identities (and namespaces) a detector does not report. Patterns use `*` as a wildcard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllowList {
    /// `user.username` patterns (`system:serviceaccount:kube-system:*`).
    #[serde(default)]
    pub users: Vec<String>,
    /// `user.groups` patterns.
    #[serde(default)]
    pub groups: Vec<String>,
    /// `objectRef.namespace` patterns.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Replace the detector's built-in allow-list instead of adding to it.
    #[serde(default)]
    pub replace_defaults: bool,
}

impl AllowList {
    /// True when the event's namespace matches, or its identity does. Under impersonation
    /// both the authenticated user and the impersonated one must match: a proxy allowed to
    /// read secrets does not make its end users allowed, and a user cannot borrow an allowed
    /// identity's name by impersonating it.
    #[must_use]
    pub fn matches(&self, ev: &Event<'_>) -> bool {
        self.namespace_matches(ev)
            || (self.user_matches(&ev.user)
                && ev
                    .impersonated_user
                    .as_ref()
                    .is_none_or(|u| self.user_matches(u)))
    }

    /// True when the namespace matches or the authenticated user does, whoever it impersonates.
    #[must_use]
    pub fn matches_authenticated(&self, ev: &Event<'_>) -> bool {
        self.namespace_matches(ev) || self.user_matches(&ev.user)
    }

    fn user_matches(&self, user: &crate::event::UserInfo<'_>) -> bool {
        self.users.iter().any(|p| glob_match(p, &user.username))
            || self
                .groups
                .iter()
                .any(|p| user.groups.iter().any(|g| glob_match(p, g)))
    }

    fn namespace_matches(&self, ev: &Event<'_>) -> bool {
        !self.namespaces.is_empty() && {
            let ns = ev.namespace();
            !ns.is_empty() && self.namespaces.iter().any(|p| glob_match(p, ns))
        }
    }

    /// True when nothing is allowed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.groups.is_empty() && self.namespaces.is_empty()
    }

    pub(crate) fn merged(defaults: &[&str], user: Option<&Self>) -> Self {
        let mut out = Self {
            users: defaults.iter().map(|s| (*s).to_owned()).collect(),
            ..Self::default()
        };
        if let Some(u) = user {
            if u.replace_defaults {
                out.users.clear();
            }
            out.users.extend(u.users.iter().cloned());
            out.groups.extend(u.groups.iter().cloned());
            out.namespaces.extend(u.namespaces.iter().cloned());
        }
        out
    }
}

/// `*` matches any run of characters (including none); everything else matches itself.
///
/// ```
/// use kubeward_audit::config::glob_match;
/// assert!(glob_match("system:node:*", "system:node:worker-1"));
/// assert!(glob_match("*audit*", "kube-audit-shipper"));
/// assert!(!glob_match("system:node:*", "system:nodes"));
/// ```
#[must_use]
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// `forbidden-burst` settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct BurstConfig {
    /// Sliding window in seconds.
    pub window_seconds: u32,
    /// Number of 403 responses to one identity within the window that fires.
    pub threshold: u32,
    /// Most identities tracked at once.
    pub max_identities: usize,
}

impl Default for BurstConfig {
    fn default() -> Self {
        Self {
            window_seconds: 60,
            threshold: 20,
            max_identities: 10_000,
        }
    }
}

/// `rate-spike` settings: per (identity, verb, resource) counts in fixed buckets compared with
/// the mean of the previous buckets.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RateSpikeConfig {
    /// Bucket length in seconds.
    pub bucket_seconds: u32,
    /// Buckets in the rolling baseline.
    pub baseline_buckets: u32,
    /// Buckets of history a key needs before it can fire (new keys are `first-seen` material).
    pub min_history_buckets: u32,
    /// A bucket fires only at or above this count.
    pub min_count: u32,
    /// ... and above `factor` times the baseline mean (a mean below 1 counts as 1).
    pub factor: f64,
    /// Verbs counted.
    pub verbs: Vec<String>,
    /// Most keys tracked at once.
    pub max_keys: usize,
}

impl Default for RateSpikeConfig {
    fn default() -> Self {
        Self {
            bucket_seconds: 300,
            baseline_buckets: 24,
            min_history_buckets: 6,
            min_count: 20,
            factor: 5.0,
            verbs: ["create", "update", "patch", "delete", "deletecollection"]
                .map(str::to_owned)
                .to_vec(),
            max_keys: 20_000,
        }
    }
}

/// `first-seen-*` settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct FirstSeenConfig {
    /// Seconds after the first event during which the detectors only learn.
    pub learning_seconds: u32,
    /// Most entries remembered per detector; when full, nothing new is learned or reported.
    pub max_entries: usize,
    /// Sensitive requests, as `resource[/subresource]:verb,verb` (`*` for any verb).
    pub sensitive: Vec<String>,
}

impl Default for FirstSeenConfig {
    fn default() -> Self {
        Self {
            learning_seconds: 3600,
            max_entries: 50_000,
            sensitive: [
                "secrets:get,list,watch",
                "pods/exec:*",
                "pods/attach:*",
                "pods/portforward:*",
                "nodes/proxy:*",
                "serviceaccounts/token:create",
                "clusterrolebindings:create,update,patch,delete",
                "rolebindings:create,update,patch,delete",
                "clusterroles:create,update,patch,delete,escalate,bind",
                "roles:create,update,patch,delete,escalate,bind",
                "certificatesigningrequests/approval:update,patch",
                "mutatingwebhookconfigurations:create,update,patch,delete",
                "validatingwebhookconfigurations:create,update,patch,delete",
            ]
            .map(str::to_owned)
            .to_vec(),
        }
    }
}

/// `audit-policy-or-logging-tampering` settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TamperConfig {
    /// Object name patterns of audit and logging components.
    pub name_patterns: Vec<String>,
    /// Namespaces where logging and runtime-security agents live.
    pub namespaces: Vec<String>,
}

impl Default for TamperConfig {
    fn default() -> Self {
        Self {
            name_patterns: [
                "*audit*",
                "*fluentd*",
                "*fluent-bit*",
                "*falco*",
                "*filebeat*",
                "*promtail*",
                "*logging*",
                "*tetragon*",
                "*vector-agent*",
            ]
            .map(str::to_owned)
            .to_vec(),
            namespaces: ["logging", "kube-logging", "falco", "audit"]
                .map(str::to_owned)
                .to_vec(),
        }
    }
}

/// Everything the engine can be told.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Config {
    /// Detector codes or names (or code prefixes like `AUD02`) not to run.
    pub disabled: Vec<String>,
    /// Allow-lists by detector name or code, added to the built-in ones.
    pub allow: BTreeMap<String, AllowList>,
    /// Namespaces where only system identities create pods (`pod-created-in-kube-system`).
    pub protected_namespaces: Vec<String>,
    /// ClusterRoles whose binding is reported by `cluster-admin-binding-created`.
    pub admin_roles: Vec<String>,
    /// Non-resource paths anonymous users may read (`anonymous-request-allowed`); a trailing
    /// `*` matches a prefix.
    pub anonymous_paths: Vec<String>,
    /// `forbidden-burst`.
    pub forbidden_burst: BurstConfig,
    /// `rate-spike`.
    pub rate_spike: RateSpikeConfig,
    /// `first-seen-*`.
    pub first_seen: FirstSeenConfig,
    /// `audit-policy-or-logging-tampering`.
    pub tamper: TamperConfig,
    /// Requests remembered for per-request de-duplication across stages.
    pub dedup_capacity: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            disabled: Vec::new(),
            allow: BTreeMap::new(),
            protected_namespaces: vec!["kube-system".to_owned()],
            admin_roles: vec!["cluster-admin".to_owned()],
            anonymous_paths: [
                "/healthz",
                "/healthz/*",
                "/livez",
                "/livez/*",
                "/readyz",
                "/readyz/*",
                "/version",
                "/version/",
                "/.well-known/openid-configuration",
                "/openid/v1/jwks",
            ]
            .map(str::to_owned)
            .to_vec(),
            forbidden_burst: BurstConfig::default(),
            rate_spike: RateSpikeConfig::default(),
            first_seen: FirstSeenConfig::default(),
            tamper: TamperConfig::default(),
            dedup_capacity: 65_536,
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// `disabled` or `allow` names no detector.
    #[error("`{field}`: unknown detector `{name}`")]
    UnknownDetector {
        /// The field (`disabled`, `allow`).
        field: &'static str,
        /// The unknown name.
        name: String,
    },
    /// A number that must be positive is zero (or a factor is not finite and positive).
    #[error("`{0}` must be greater than zero")]
    NotPositive(&'static str),
    /// A `firstSeen.sensitive` entry is not `resource[/subresource]:verbs`.
    #[error("`firstSeen.sensitive`: `{0}` is not `resource[/subresource]:verb,verb`")]
    Sensitive(String),
}

/// A parsed `firstSeen.sensitive` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SensitiveRule {
    pub resource: String,
    pub subresource: String,
    /// Empty means any verb.
    pub verbs: Vec<String>,
}

impl SensitiveRule {
    pub(crate) fn parse(s: &str) -> Result<Self, ConfigError> {
        let err = || ConfigError::Sensitive(s.to_owned());
        let (res, verbs) = s.split_once(':').ok_or_else(err)?;
        let (resource, subresource) = res.split_once('/').unwrap_or((res, ""));
        if resource.is_empty() || verbs.is_empty() {
            return Err(err());
        }
        let verbs: Vec<String> = verbs
            .split(',')
            .map(str::trim)
            .filter(|v| *v != "*")
            .map(str::to_owned)
            .collect();
        if verbs.iter().any(String::is_empty) {
            return Err(err());
        }
        Ok(Self {
            resource: resource.to_owned(),
            subresource: subresource.to_owned(),
            verbs: if s.ends_with('*') { Vec::new() } else { verbs },
        })
    }

    pub(crate) fn matches(&self, ev: &Event<'_>) -> bool {
        ev.targets(&self.resource, &self.subresource)
            && (self.verbs.is_empty() || self.verbs.iter().any(|v| *v == ev.verb))
    }
}

impl Config {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let b = &self.forbidden_burst;
        if b.window_seconds == 0 {
            return Err(ConfigError::NotPositive("forbiddenBurst.windowSeconds"));
        }
        if b.threshold == 0 {
            return Err(ConfigError::NotPositive("forbiddenBurst.threshold"));
        }
        let r = &self.rate_spike;
        if r.bucket_seconds == 0 {
            return Err(ConfigError::NotPositive("rateSpike.bucketSeconds"));
        }
        if r.baseline_buckets == 0 {
            return Err(ConfigError::NotPositive("rateSpike.baselineBuckets"));
        }
        if !(r.factor.is_finite() && r.factor > 0.0) {
            return Err(ConfigError::NotPositive("rateSpike.factor"));
        }
        if self.dedup_capacity == 0 {
            return Err(ConfigError::NotPositive("dedupCapacity"));
        }
        for s in &self.first_seen.sensitive {
            SensitiveRule::parse(s)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_cases() {
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
        assert!(glob_match("**x", "yyx"));
    }

    #[test]
    fn sensitive_rules_parse() {
        let r = SensitiveRule::parse("pods/exec:*").unwrap();
        assert_eq!(
            (r.resource.as_str(), r.subresource.as_str()),
            ("pods", "exec")
        );
        assert!(r.verbs.is_empty());
        let r = SensitiveRule::parse("secrets:get, list").unwrap();
        assert_eq!(r.verbs, vec!["get", "list"]);
        assert!(SensitiveRule::parse("secrets").is_err());
        assert!(SensitiveRule::parse(":get").is_err());
    }

    #[test]
    fn config_deserializes_with_defaults() {
        let c: Config = serde_json::from_str(
            r#"{"forbiddenBurst":{"threshold":5},"allow":{"exec-into-pod":{"users":["ci"]}}}"#,
        )
        .unwrap();
        assert_eq!(c.forbidden_burst.threshold, 5);
        assert_eq!(c.forbidden_burst.window_seconds, 60);
        assert!(serde_json::from_str::<Config>(r#"{"typo":1}"#).is_err());
    }
}

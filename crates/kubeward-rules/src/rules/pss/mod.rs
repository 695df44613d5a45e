//! Pod Security Standards controls (`POD` codes from POD100), verdicts from the kubeward-pss
//! engine.
//!
//! Every PSS control is exactly one rule family: the controls the workload rules already
//! covered (privileged, host namespaces, capabilities, hostPath, host ports, seccomp, /proc
//! mount, sysctls, AppArmor, privilege escalation, run as non-root, runAsUser 0) take their
//! verdict from the engine in `rules/workload`; the controls without such a rule live here.
//! A rule's PSS compliance reference names its upstream check ID, which is how
//! [`profile_codes`] (`kubeward scan --pss`) finds the rules of a profile.

pub mod verdict;

mod host_probe_or_lifecycle;
mod proc_mount_user_namespace;
mod restricted_volume_type;
mod selinux_options;
mod windows_host_process;

use std::fmt;
use std::str::FromStr;

use kubeward_diagnostics::Framework;
use kubeward_pss::{Level, Version, check_info};
use serde::{Deserialize, Serialize};

pub use host_probe_or_lifecycle::HOST_PROBE_OR_LIFECYCLE;
pub use proc_mount_user_namespace::PROC_MOUNT_USER_NAMESPACE;
pub use restricted_volume_type::RESTRICTED_VOLUME_TYPE;
pub use selinux_options::SELINUX_OPTIONS;
pub use windows_host_process::WINDOWS_HOST_PROCESS;

/// Every rule of this category.
pub static RULES: &[&crate::Rule] = &[
    &SELINUX_OPTIONS,
    &WINDOWS_HOST_PROCESS,
    &HOST_PROBE_OR_LIFECYCLE,
    &RESTRICTED_VOLUME_TYPE,
    &PROC_MOUNT_USER_NAMESPACE,
];

/// The `pss-version` rule option: a policy version as the namespace label writes it
/// (`latest` or `v1.<minor>`), validated when the configuration is loaded.
///
/// ```
/// use kubeward_rules::rules::pss::PssVersion;
/// let v: PssVersion = "v1.25".parse().unwrap();
/// assert_eq!(v.to_string(), "v1.25");
/// assert!("1.x".parse::<PssVersion>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PssVersion(pub Version);

impl FromStr for PssVersion {
    type Err = kubeward_pss::ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse_label(s).map(Self)
    }
}

impl TryFrom<String> for PssVersion {
    type Error = kubeward_pss::ParseError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<PssVersion> for String {
    fn from(v: PssVersion) -> Self {
        v.0.to_string()
    }
}

impl fmt::Display for PssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The upstream PSS check IDs a rule implements (its `PSS` compliance references that name an
/// engine check).
#[must_use]
pub fn checks_of(rule: &crate::Rule) -> Vec<&'static str> {
    rule.compliance
        .iter()
        .filter(|c| c.framework == Framework::Pss && check_info(c.id).is_some())
        .map(|c| c.id)
        .collect()
}

/// The codes of the rules of a Pod Security Standards profile: every rule implementing a check
/// of `level` or of a lower level (`restricted` includes `baseline`; `privileged` has none).
///
/// ```
/// use kubeward_pss::Level;
/// use kubeward_rules::rules::pss::profile_codes;
/// let baseline = profile_codes(Level::Baseline);
/// assert!(baseline.contains(&"POD001") && !baseline.contains(&"POD004"));
/// let restricted = profile_codes(Level::Restricted);
/// assert!(restricted.contains(&"POD001") && restricted.contains(&"POD004"));
/// assert!(profile_codes(Level::Privileged).is_empty());
/// ```
#[must_use]
pub fn profile_codes(level: Level) -> Vec<&'static str> {
    if level == Level::Privileged {
        return Vec::new();
    }
    crate::registry::all()
        .iter()
        .filter(|rule| {
            checks_of(rule)
                .iter()
                .filter_map(|id| check_info(id))
                .any(|c| c.level <= level)
        })
        .map(|rule| rule.code)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::registry;

    fn normalise(s: &str) -> String {
        s.replace('`', "")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Every upstream check has a rule, and each rule's documentation carries the control's
    /// PSS text (title, restricted fields, allowed values, versions) from the engine catalogue.
    #[test]
    fn every_check_has_a_documented_rule() {
        let mut covered = BTreeSet::new();
        for rule in registry::all() {
            let docs = normalise(rule.docs);
            for id in checks_of(rule) {
                covered.insert(id);
                let info = check_info(id).unwrap();
                for needle in [info.title, info.allowed, id]
                    .into_iter()
                    .chain(info.fields.iter().copied())
                {
                    assert!(
                        docs.contains(&normalise(needle)),
                        "{}: docs do not mention `{needle}` of PSS check {id}",
                        rule.code
                    );
                }
                for r in info.revisions.iter().filter(|r| r.since_minor > 0) {
                    assert!(
                        docs.contains(&format!("v1.{}", r.since_minor)),
                        "{}: docs do not mention revision v1.{} of {id}",
                        rule.code,
                        r.since_minor
                    );
                }
            }
        }
        let all: BTreeSet<&str> = kubeward_pss::checks().iter().map(|c| c.id).collect();
        assert_eq!(covered, all, "every PSS check needs a rule");
    }

    #[test]
    fn profiles() {
        let baseline = profile_codes(Level::Baseline);
        let restricted = profile_codes(Level::Restricted);
        assert!(baseline.iter().all(|c| restricted.contains(c)));
        for code in ["POD001", "POD010", "POD013", "POD100", "POD101", "POD102"] {
            assert!(baseline.contains(&code), "{code}");
        }
        for code in [
            "POD002", "POD003", "POD004", "POD007", "POD024", "POD103", "POD104",
        ] {
            assert!(
                restricted.contains(&code) && !baseline.contains(&code),
                "{code}"
            );
        }
        assert!(!restricted.contains(&"POD005"));
    }

    #[test]
    fn version_option() {
        let c = crate::Config::parse("k.yaml", "options:\n  pss-version: v1.22\n").unwrap();
        assert_eq!(
            verdict::version(&c.options),
            Version::MajorMinor {
                major: 1,
                minor: 22
            }
        );
        assert_eq!(
            verdict::version(&crate::RuleOptions::default()),
            Version::Latest
        );
        let err =
            crate::Config::parse("k.yaml", "options:\n  pss-version: \"1.22\"\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("invalid version"), "{}", err.message);
    }
}

//! Policy levels and policy versions, parsed as the namespace labels
//! `pod-security.kubernetes.io/<mode>` and `pod-security.kubernetes.io/<mode>-version` are.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// The newest policy minor version for which any check has its own revision.
///
/// `latest`, and every version newer than this one, evaluate as this version (upstream
/// `checkRegistry.maxVersion`). It is 37 because the `sysctls` check gained a v1.37 revision;
/// before that it was 35 (`procMount`, `runAsNonRoot`, `runAsUser`, `procMount_restricted`).
pub const MAX_POLICY_MINOR: u32 = 37;

/// A Pod Security Standards level.
///
/// ```
/// use kubeward_pss::Level;
/// let level: Level = "restricted".parse().unwrap();
/// assert_eq!(level, Level::Restricted);
/// assert_eq!(level.to_string(), "restricted");
/// assert!(Level::Baseline < Level::Restricted);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Unrestricted: every pod is allowed.
    Privileged,
    /// Prevents known privilege escalations.
    Baseline,
    /// Heavily restricted, current pod hardening best practice.
    Restricted,
}

impl Level {
    /// The label value (`privileged`, `baseline`, `restricted`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Privileged => "privileged",
            Self::Baseline => "baseline",
            Self::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Errors from parsing a [`Level`] or a [`Version`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// Not `privileged`, `baseline` or `restricted`.
    #[error("invalid level {0:?}: must be one of privileged, baseline, restricted")]
    Level(String),
    /// Not `latest` or `v1.<minor>`.
    #[error("invalid version {0:?}: must be \"latest\" or \"v1.x\"")]
    Version(String),
}

impl FromStr for Level {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "privileged" => Ok(Self::Privileged),
            "baseline" => Ok(Self::Baseline),
            "restricted" => Ok(Self::Restricted),
            other => Err(ParseError::Level(other.to_string())),
        }
    }
}

/// A policy version: `latest` or a Kubernetes `major.minor` release.
///
/// Parsing accepts what the namespace label accepts (`latest`, `v1.25`, no leading zeros in the
/// minor) and, for convenience, the same without the `v` (`1.25`). [`Version::parse_label`] is
/// the strict label form only.
///
/// ```
/// use kubeward_pss::Version;
/// assert_eq!("v1.25".parse::<Version>().unwrap(), Version::v1(25));
/// assert_eq!("1.25".parse::<Version>().unwrap(), Version::v1(25));
/// assert_eq!("latest".parse::<Version>().unwrap(), Version::Latest);
/// assert!("v1.025".parse::<Version>().is_err());
/// assert!("v2.0".parse::<Version>().is_err());
/// assert_eq!(Version::v1(25).to_string(), "v1.25");
/// // Versions newer than the newest policy revision evaluate as that revision.
/// assert_eq!(Version::v1(99).effective_minor(), Some(kubeward_pss::MAX_POLICY_MINOR));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// The newest policy version (always newer than any release, even a future one).
    Latest,
    /// A specific `major.minor` release.
    MajorMinor {
        /// Major version (the policy only defines major 1).
        major: u32,
        /// Minor version.
        minor: u32,
    },
}

impl Version {
    /// `v1.<minor>`.
    #[must_use]
    pub const fn v1(minor: u32) -> Self {
        Self::MajorMinor { major: 1, minor }
    }

    /// Parses the strict namespace-label form: `latest` or `v1.<minor>` with no leading zero
    /// (upstream regexp `^v1\.([0-9]|[1-9][0-9]*)$`).
    ///
    /// # Errors
    /// [`ParseError::Version`] when `s` is not of that form.
    pub fn parse_label(s: &str) -> Result<Self, ParseError> {
        if s == "latest" {
            return Ok(Self::Latest);
        }
        s.strip_prefix("v")
            .and_then(parse_one_dot)
            .ok_or_else(|| ParseError::Version(s.to_string()))
    }

    /// The policy minor version the checks are evaluated at: `latest` and anything newer than
    /// [`MAX_POLICY_MINOR`] clamp to it (upstream `EvaluatePod`). `None` for a major version 0,
    /// which is older than every check.
    #[must_use]
    pub fn effective_minor(self) -> Option<u32> {
        match self {
            Self::Latest => Some(MAX_POLICY_MINOR),
            Self::MajorMinor { major: 0, .. } => None,
            Self::MajorMinor { major: 1, minor } => Some(minor.min(MAX_POLICY_MINOR)),
            Self::MajorMinor { .. } => Some(MAX_POLICY_MINOR),
        }
    }
}

fn parse_one_dot(s: &str) -> Option<Version> {
    let minor = s.strip_prefix("1.")?;
    let valid = !minor.is_empty()
        && minor.bytes().all(|b| b.is_ascii_digit())
        && (minor == "0" || !minor.starts_with('0'));
    if !valid {
        return None;
    }
    minor.parse().ok().map(Version::v1)
}

impl FromStr for Version {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_label(s)
            .or_else(|_| parse_one_dot(s).ok_or_else(|| ParseError::Version(s.to_string())))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Latest => f.write_str("latest"),
            Self::MajorMinor { major, minor } => write!(f, "v{major}.{minor}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_versions() {
        assert_eq!(Version::parse_label("v1.0"), Ok(Version::v1(0)));
        assert_eq!(Version::parse_label("v1.35"), Ok(Version::v1(35)));
        assert!(Version::parse_label("1.35").is_err());
        assert!(Version::parse_label("v1.05").is_err());
        assert!(Version::parse_label("v1.").is_err());
        assert!(Version::parse_label("v1.x").is_err());
        assert!(Version::parse_label("v1.+5").is_err());
        assert!(Version::parse_label("v1.99999999999999999999").is_err());
        assert!(Version::parse_label("Latest").is_err());
        assert_eq!("1.0".parse(), Ok(Version::v1(0)));
        assert!("".parse::<Version>().is_err());
    }

    #[test]
    fn effective() {
        assert_eq!(Version::v1(0).effective_minor(), Some(0));
        assert_eq!(Version::v1(30).effective_minor(), Some(30));
        assert_eq!(Version::Latest.effective_minor(), Some(MAX_POLICY_MINOR));
        assert_eq!(
            Version::MajorMinor { major: 2, minor: 0 }.effective_minor(),
            Some(MAX_POLICY_MINOR)
        );
        assert_eq!(
            Version::MajorMinor { major: 0, minor: 9 }.effective_minor(),
            None
        );
    }

    #[test]
    fn levels() {
        for l in [Level::Privileged, Level::Baseline, Level::Restricted] {
            assert_eq!(l.to_string().parse(), Ok(l));
        }
        assert!("Restricted".parse::<Level>().is_err());
    }
}

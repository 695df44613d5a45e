//! Exact version ordering per ecosystem.
//!
//! Each comparator is written from the upstream algorithm it mirrors:
//! dpkg (`lib/dpkg/version.c`), apk-tools (`src/version.c`), Semantic
//! Versioning 2.0.0 section 11, PEP 440 (the `packaging` comparison key),
//! Maven's `ComparableVersion` and RubyGems' `Gem::Version`.

use std::cmp::Ordering;

pub mod apk;
pub mod dpkg;
pub mod maven;
pub mod pep440;
pub mod rubygems;
pub mod semver;

/// Why a version could not be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The version string does not follow the ecosystem's grammar.
    #[error("invalid {scheme} version `{version}`: {reason}")]
    Invalid {
        /// The version scheme (e.g. `dpkg`, `PEP 440`).
        scheme: &'static str,
        /// The offending version string.
        version: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No exact comparator exists for this ecosystem.
    #[error("no version ordering is implemented for ecosystem `{0}`")]
    UnsupportedEcosystem(String),
}

impl VersionError {
    pub(crate) fn invalid(scheme: &'static str, version: &str, reason: impl Into<String>) -> Self {
        VersionError::Invalid {
            scheme,
            version: version.to_string(),
            reason: reason.into(),
        }
    }
}

/// The version ordering an ecosystem uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// dpkg ordering (Debian, Ubuntu).
    Dpkg,
    /// apk-tools ordering (Alpine, Wolfi, Chainguard).
    Apk,
    /// Semantic Versioning 2.0.0 precedence, lenient about a leading `v` and
    /// missing minor/patch (npm, Go, crates.io, and every `SEMVER` range).
    SemVer,
    /// PEP 440 (PyPI).
    Pep440,
    /// Maven `ComparableVersion`.
    Maven,
    /// RubyGems `Gem::Version`.
    RubyGems,
}

impl Scheme {
    /// The ordering used for an OSV ecosystem (base name or full `Base:suffix`).
    #[must_use]
    pub fn for_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem);
        match base.to_ascii_lowercase().as_str() {
            "debian" | "ubuntu" => Some(Scheme::Dpkg),
            "alpine" | "wolfi" | "chainguard" => Some(Scheme::Apk),
            "npm" | "go" | "crates.io" => Some(Scheme::SemVer),
            "pypi" => Some(Scheme::Pep440),
            "maven" => Some(Scheme::Maven),
            "rubygems" => Some(Scheme::RubyGems),
            _ => None,
        }
    }

    /// Compare two versions under this scheme.
    ///
    /// # Errors
    /// [`VersionError::Invalid`] when either version is not valid in the scheme.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        match self {
            Scheme::Dpkg => dpkg::compare(a, b),
            Scheme::Apk => Ok(apk::compare(a, b)),
            Scheme::SemVer => semver::compare(a, b),
            Scheme::Pep440 => pep440::compare(a, b),
            Scheme::Maven => Ok(maven::compare(a, b)),
            Scheme::RubyGems => rubygems::compare(a, b),
        }
    }

    /// Check that a version is valid under this scheme.
    ///
    /// # Errors
    /// [`VersionError::Invalid`] describing the problem.
    pub fn validate(self, v: &str) -> Result<(), VersionError> {
        match self {
            Scheme::Dpkg => dpkg::DpkgVersion::parse(v).map(|_| ()),
            Scheme::Apk => {
                if apk::is_valid(v) {
                    Ok(())
                } else {
                    Err(VersionError::invalid("apk", v, "not a valid apk version"))
                }
            }
            Scheme::SemVer => semver::SemVer::parse(v).map(|_| ()),
            Scheme::Pep440 => pep440::Pep440::parse(v).map(|_| ()),
            Scheme::RubyGems => rubygems::validate(v),
            Scheme::Maven => {
                if v.trim().is_empty() {
                    Err(VersionError::invalid("Maven", v, "empty version"))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// A short name for messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Apk => "apk",
            Scheme::SemVer => "SemVer",
            Scheme::Pep440 => "PEP 440",
            Scheme::Maven => "Maven",
            Scheme::RubyGems => "RubyGems",
        }
    }
}

/// Compare two versions of a package in an OSV ecosystem.
///
/// `ecosystem` is an OSV ecosystem name, with or without a release suffix
/// (`Debian:12`, `Alpine:v3.18`, `PyPI`, `Go`, `npm`, `crates.io`, `Maven`).
///
/// ```
/// use std::cmp::Ordering;
/// use kubeward_vuln::compare_versions;
/// assert_eq!(compare_versions("Debian", "1.0~rc1-1", "1.0-1").unwrap(), Ordering::Less);
/// assert_eq!(compare_versions("PyPI", "1.0.post1", "1.0").unwrap(), Ordering::Greater);
/// ```
///
/// # Errors
/// [`VersionError::UnsupportedEcosystem`] for ecosystems without an exact
/// comparator, [`VersionError::Invalid`] for versions outside the grammar.
pub fn compare_versions(ecosystem: &str, a: &str, b: &str) -> Result<Ordering, VersionError> {
    let scheme = Scheme::for_ecosystem(ecosystem)
        .ok_or_else(|| VersionError::UnsupportedEcosystem(ecosystem.to_string()))?;
    scheme.compare(a, b)
}

/// Compare two ASCII digit strings numerically, whatever their length.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_strings() {
        assert_eq!(cmp_digits("0010", "9"), Ordering::Greater);
        assert_eq!(cmp_digits("000", ""), Ordering::Equal);
        assert_eq!(
            cmp_digits(
                "123456789012345678901234567890",
                "123456789012345678901234567891"
            ),
            Ordering::Less
        );
    }

    #[test]
    fn unsupported() {
        assert!(matches!(
            compare_versions("NuGet", "1", "2"),
            Err(VersionError::UnsupportedEcosystem(_))
        ));
        assert_eq!(Scheme::for_ecosystem("Debian:12"), Some(Scheme::Dpkg));
        assert_eq!(
            Scheme::for_ecosystem("Ubuntu:22.04:LTS"),
            Some(Scheme::Dpkg)
        );
        assert_eq!(Scheme::for_ecosystem("Alpine:v3.18"), Some(Scheme::Apk));
    }
}

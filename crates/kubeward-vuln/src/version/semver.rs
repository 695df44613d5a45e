//! Semantic Versioning 2.0.0 precedence (section 11), as OSV's `SEMVER`
//! ranges and the npm, Go and crates.io ecosystems use it.
//!
//! Leniency, as OSV data needs it: a leading `v`/`V` is ignored (Go module
//! versions), missing minor/patch components count as `0`, leading zeros are
//! accepted and compared numerically. Build metadata (`+incompatible`,
//! `+build.5`) never affects precedence. Go pseudo-versions
//! (`v0.0.0-20210101000000-abcdef123456`) are ordinary pre-releases.

use std::cmp::Ordering;

use super::{VersionError, cmp_digits};

/// One pre-release identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ident<'a> {
    Num(&'a str),
    Alpha(&'a str),
}

impl Ord for Ident<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Ident::Num(a), Ident::Num(b)) => cmp_digits(a, b),
            (Ident::Num(_), Ident::Alpha(_)) => Ordering::Less,
            (Ident::Alpha(_), Ident::Num(_)) => Ordering::Greater,
            (Ident::Alpha(a), Ident::Alpha(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Ident<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A parsed semantic version (build metadata dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemVer<'a> {
    release: Vec<&'a str>,
    pre: Vec<Ident<'a>>,
}

impl<'a> SemVer<'a> {
    /// Parse leniently (see the module docs).
    ///
    /// # Errors
    /// Empty strings, non-numeric release components, empty identifiers or
    /// characters outside `[0-9A-Za-z-]` in pre-release identifiers.
    pub fn parse(s: &'a str) -> Result<Self, VersionError> {
        let t = s.trim();
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        let t = t.split_once('+').map_or(t, |(v, _build)| v);
        let (core, pre) = match t.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (t, None),
        };
        if core.is_empty() {
            return Err(VersionError::invalid("SemVer", s, "empty version"));
        }
        let mut release = Vec::new();
        for part in core.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(VersionError::invalid(
                    "SemVer",
                    s,
                    format!("`{part}` is not a numeric version component"),
                ));
            }
            release.push(part);
        }
        while release.len() < 3 {
            release.push("0");
        }
        let mut idents = Vec::new();
        if let Some(pre) = pre {
            for id in pre.split('.') {
                if id.is_empty() {
                    return Err(VersionError::invalid(
                        "SemVer",
                        s,
                        "empty pre-release identifier",
                    ));
                }
                if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    return Err(VersionError::invalid(
                        "SemVer",
                        s,
                        format!("invalid pre-release identifier `{id}`"),
                    ));
                }
                if id.bytes().all(|b| b.is_ascii_digit()) {
                    idents.push(Ident::Num(id));
                } else {
                    idents.push(Ident::Alpha(id));
                }
            }
        }
        Ok(SemVer {
            release,
            pre: idents,
        })
    }
}

impl Ord for SemVer<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.release.len().max(other.release.len());
        for k in 0..n {
            let a = self.release.get(k).copied().unwrap_or("0");
            let b = other.release.get(k).copied().unwrap_or("0");
            let c = cmp_digits(a, b);
            if c != Ordering::Equal {
                return c;
            }
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => self.pre.cmp(&other.pre),
        }
    }
}

impl PartialOrd for SemVer<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compare two semantic versions.
///
/// # Errors
/// When either string is not a (lenient) semantic version.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(SemVer::parse(a)?.cmp(&SemVer::parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The precedence chain from semver.org section 11.
    #[test]
    fn spec_example() {
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for (i, a) in chain.iter().enumerate() {
            for (j, b) in chain.iter().enumerate() {
                assert_eq!(compare(a, b).unwrap(), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn go_and_leniency() {
        use Ordering::*;
        let cases = [
            ("v1.2.3", "1.2.3", Equal),
            ("v2.0.0+incompatible", "2.0.0", Equal),
            ("1.0.0+build.1", "1.0.0+build.2", Equal),
            (
                "v0.0.0-20210101000000-abcdef123456",
                "v0.0.0-20220101000000-abcdef123456",
                Less,
            ),
            ("v0.0.0-20210101000000-abcdef123456", "0.0.1", Less),
            ("v1.2.4-0.20210101000000-abcdef123456", "v1.2.4", Less),
            ("v1.2.4-0.20210101000000-abcdef123456", "v1.2.3", Greater),
            ("1.2", "1.2.0", Equal),
            ("1", "1.0.1", Less),
            ("1.10.0", "1.9.0", Greater),
            ("0", "0.0.0", Equal),
            ("1.0.0-1", "1.0.0-a", Less),
            ("1.0.0-x-y", "1.0.0-x", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b).unwrap(), want, "{a} vs {b}");
        }
        assert!(compare("1.x", "1").is_err());
        assert!(compare("", "1").is_err());
        assert!(compare("1.0.0-", "1").is_err());
        assert!(compare("1.0.0-a..b", "1").is_err());
    }
}

//! PEP 440 version ordering (PyPI), with the normalisations the spec allows
//! (case, `v` prefix, alternate spellings `alpha`/`beta`/`c`/`pre`/`preview`,
//! `rev`/`r`, implicit numbers, `-N` post releases, separators `-_.`) and
//! the comparison key of the `packaging` reference implementation.

use std::cmp::Ordering;
use std::sync::OnceLock;

use regex::Regex;

use super::VersionError;

/// The version pattern from PEP 440 Appendix B.
const PATTERN: &str = r"(?ix)^\s*
    v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?P<pre>
        [-_\.]?
        (?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)
        [-_\.]?
        (?P<pre_n>[0-9]+)?
    )?
    (?P<post>
        (?:-(?P<post_n1>[0-9]+))
        |
        (?:
            [-_\.]?
            (?P<post_l>post|rev|r)
            [-_\.]?
            (?P<post_n2>[0-9]+)?
        )
    )?
    (?P<dev>
        [-_\.]?
        (?P<dev_l>dev)
        [-_\.]?
        (?P<dev_n>[0-9]+)?
    )?
    (?:\+(?P<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?
    \s*$";

fn pattern() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(PATTERN).ok()).as_ref()
}

/// A local version segment: numbers sort above strings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Local {
    Str(String),
    Num(u128),
}

/// A parsed PEP 440 version, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep440 {
    epoch: u128,
    /// Release numbers with trailing zeros removed (for comparison).
    release: Vec<u128>,
    /// Pre-release: (0 = a, 1 = b, 2 = rc, number).
    pre: Option<(u8, u128)>,
    post: Option<u128>,
    dev: Option<u128>,
    local: Option<Vec<Local>>,
}

fn num(s: Option<regex::Match<'_>>, v: &str) -> Result<u128, VersionError> {
    match s {
        None => Ok(0),
        Some(m) => m
            .as_str()
            .parse::<u128>()
            .map_err(|_| VersionError::invalid("PEP 440", v, "number too large")),
    }
}

impl Pep440 {
    /// Parse and normalise a PEP 440 version.
    ///
    /// # Errors
    /// When the string does not match the PEP 440 grammar.
    pub fn parse(v: &str) -> Result<Self, VersionError> {
        let re = pattern()
            .ok_or_else(|| VersionError::invalid("PEP 440", v, "internal pattern error"))?;
        let caps = re.captures(v).ok_or_else(|| {
            VersionError::invalid("PEP 440", v, "does not match the PEP 440 grammar")
        })?;
        let epoch = num(caps.name("epoch"), v)?;
        let mut release = Vec::new();
        for part in caps.name("release").map_or("", |m| m.as_str()).split('.') {
            release.push(
                part.parse::<u128>()
                    .map_err(|_| VersionError::invalid("PEP 440", v, "number too large"))?,
            );
        }
        while release.last() == Some(&0) {
            release.pop();
        }
        let pre = match caps.name("pre_l") {
            Some(l) => {
                let label = match l.as_str().to_ascii_lowercase().as_str() {
                    "a" | "alpha" => 0,
                    "b" | "beta" => 1,
                    _ => 2, // c, rc, pre, preview
                };
                Some((label, num(caps.name("pre_n"), v)?))
            }
            None => None,
        };
        let post = if caps.name("post").is_some() {
            Some(num(
                caps.name("post_n1").or_else(|| caps.name("post_n2")),
                v,
            )?)
        } else {
            None
        };
        let dev = if caps.name("dev").is_some() {
            Some(num(caps.name("dev_n"), v)?)
        } else {
            None
        };
        let local = caps.name("local").map(|m| {
            m.as_str()
                .split(['-', '_', '.'])
                .map(|seg| match seg.parse::<u128>() {
                    Ok(n) if seg.bytes().all(|b| b.is_ascii_digit()) => Local::Num(n),
                    _ => Local::Str(seg.to_ascii_lowercase()),
                })
                .collect()
        });
        Ok(Pep440 {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    /// The `packaging` comparison key, as a tuple of comparable parts.
    fn key(&self) -> Key<'_> {
        // A dev release of a final version sorts before its pre-releases.
        let pre = match (self.pre, self.post, self.dev) {
            (None, None, Some(_)) => Bound::NegInf,
            (None, _, _) => Bound::PosInf,
            (Some(p), _, _) => Bound::Val(p),
        };
        let post = self.post.map_or(Bound::NegInf, Bound::Val);
        let dev = self.dev.map_or(Bound::PosInf, Bound::Val);
        let local = self.local.as_deref().map_or(Bound::NegInf, Bound::Val);
        (self.epoch, &self.release, pre, post, dev, local)
    }
}

/// `(epoch, release, pre, post, dev, local)`, compared lexicographically.
type Key<'a> = (
    u128,
    &'a [u128],
    Bound<(u8, u128)>,
    Bound<u128>,
    Bound<u128>,
    Bound<&'a [Local]>,
);

/// A value with infinities on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bound<T> {
    NegInf,
    Val(T),
    PosInf,
}

impl Ord for Pep440 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compare two PEP 440 versions.
///
/// # Errors
/// When either string is not a PEP 440 version.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(Pep440::parse(a)?.cmp(&Pep440::parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ordering example from PEP 440 ("Summary of permitted suffixes and
    /// relative ordering") plus the `packaging` test-suite style chain.
    #[test]
    fn pep440_chain() {
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
            "1!0.1",
        ];
        for (i, a) in chain.iter().enumerate() {
            for (j, b) in chain.iter().enumerate() {
                assert_eq!(compare(a, b).unwrap(), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn normalisation() {
        let eq = [
            ("1.0", "1.0.0"),
            ("1.0", "v1.0"),
            ("1.0a1", "1.0alpha1"),
            ("1.0a1", "1.0-a.1"),
            ("1.0b", "1.0b0"),
            ("1.0c1", "1.0rc1"),
            ("1.0pre1", "1.0rc1"),
            ("1.0preview1", "1.0rc1"),
            ("1.0-1", "1.0.post1"),
            ("1.0.rev1", "1.0.post1"),
            ("1.0r", "1.0.post0"),
            ("1.0-dev", "1.0.dev0"),
            ("1.0+ubuntu-1", "1.0+ubuntu.1"),
            ("1.0+UBUNTU_1", "1.0+ubuntu.1"),
            ("1.0RC1", "1.0rc1"),
            ("0!1.0", "1.0"),
            (" 1.0 ", "1.0"),
        ];
        for (a, b) in eq {
            assert_eq!(compare(a, b).unwrap(), Ordering::Equal, "{a} vs {b}");
        }
        assert!(compare("1.0+", "1").is_err());
        assert!(compare("foo", "1").is_err());
        assert!(compare("1.0.x", "1").is_err());
        assert_eq!(compare("1.0+1", "1.0+a").unwrap(), Ordering::Greater);
        assert_eq!(compare("1.0+a.1", "1.0+a").unwrap(), Ordering::Greater);
        assert_eq!(compare("2.0", "10.0").unwrap(), Ordering::Less);
    }
}

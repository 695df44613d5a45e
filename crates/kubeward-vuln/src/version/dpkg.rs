//! dpkg version ordering (Debian Policy 5.6.12, dpkg `lib/dpkg/version.c`).

use std::cmp::Ordering;

use super::{VersionError, cmp_digits};

/// A parsed `[epoch:]upstream_version[-debian_revision]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgVersion<'a> {
    /// Epoch digits (`"0"` when absent).
    pub epoch: &'a str,
    /// Upstream version.
    pub upstream: &'a str,
    /// Debian revision (`""` when absent, which orders like `"0"`).
    pub revision: &'a str,
}

impl<'a> DpkgVersion<'a> {
    /// Split a version string the way dpkg's `parseversion` does.
    ///
    /// # Errors
    /// Empty strings, embedded blanks, a non-numeric epoch or an empty
    /// upstream/revision part. (dpkg only warns when the upstream part does
    /// not start with a digit; so does this parser, by accepting it.)
    pub fn parse(s: &'a str) -> Result<Self, VersionError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(VersionError::invalid("dpkg", s, "empty version string"));
        }
        if s.chars().any(char::is_whitespace) {
            return Err(VersionError::invalid(
                "dpkg",
                s,
                "version string has embedded spaces",
            ));
        }
        let (epoch, rest) = match s.split_once(':') {
            Some((e, rest)) => {
                if e.is_empty() {
                    return Err(VersionError::invalid(
                        "dpkg",
                        s,
                        "epoch in version is empty",
                    ));
                }
                if !e.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(VersionError::invalid(
                        "dpkg",
                        s,
                        "epoch in version is not number",
                    ));
                }
                (e, rest)
            }
            None => ("0", s),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((u, r)) => {
                if r.is_empty() {
                    return Err(VersionError::invalid("dpkg", s, "revision number is empty"));
                }
                (u, r)
            }
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(VersionError::invalid("dpkg", s, "version number is empty"));
        }
        Ok(DpkgVersion {
            epoch,
            upstream,
            revision,
        })
    }
}

impl Ord for DpkgVersion<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.epoch, other.epoch)
            .then_with(|| verrevcmp(self.upstream, other.upstream))
            .then_with(|| verrevcmp(self.revision, other.revision))
    }
}

impl PartialOrd for DpkgVersion<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compare two dpkg versions.
///
/// # Errors
/// When either string is not a valid dpkg version.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(DpkgVersion::parse(a)?.cmp(&DpkgVersion::parse(b)?))
}

/// The weight of one byte in the non-digit part: `~` sorts before everything
/// (even the end of the string), letters before non-letters.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

fn verrevcmp(a: &str, b: &str) -> Ordering {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let (mut i, mut j) = (0usize, 0usize);
    let digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        // Non-digit prefix, byte by byte.
        while (i < a.len() && !digit(a, i)) || (j < b.len() && !digit(b, j)) {
            let ac = order(a.get(i).copied());
            let bc = order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        // Digit run, numerically.
        let si = i;
        while digit(a, i) {
            i += 1;
        }
        let sj = j;
        while digit(b, j) {
            j += 1;
        }
        let na = std::str::from_utf8(a.get(si..i).unwrap_or_default()).unwrap_or_default();
        let nb = std::str::from_utf8(b.get(sj..j).unwrap_or_default()).unwrap_or_default();
        let c = cmp_digits(na, nb);
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap()
    }

    /// Cases from dpkg's `lib/dpkg/t/t-version.c` (`test_version_compare`)
    /// and Debian Policy 5.6.12.
    #[test]
    fn dpkg_golden() {
        use Ordering::*;
        let cases: &[(&str, &str, Ordering)] = &[
            ("0:0-0", "0:0-0", Equal),
            ("0:0-00", "0:00-0", Equal),
            ("1:2-3", "1:2-3", Equal),
            ("0:0-0", "1:0-0", Less),
            ("0:0-0", "0:1-0", Less),
            ("0:0-0", "0:0-1", Less),
            ("0:0-0", "0:0-0", Equal),
            ("1:0-0", "0:0-0", Greater),
            ("0:1-0", "0:0-0", Greater),
            ("0:0-1", "0:0-0", Greater),
            ("0:0-1", "0:0-0", Greater),
            // upstream comparisons
            ("0:0a-0", "0:0-0", Greater),
            ("0:0~-0", "0:0-0", Less),
            ("0:0~~-0", "0:0~-0", Less),
            ("0:0~~a-0", "0:0~~-0", Greater),
            ("0:0~a-0", "0:0~~a-0", Greater),
            ("0:0a~-0", "0:0a-0", Less),
            ("0:0.0-0", "0:0-0", Greater),
            ("0:a-0", "0:0-0", Greater),
            ("0:+-0", "0:a-0", Greater),
            // revision comparisons
            ("0:0-0~", "0:0-0", Less),
            ("0:0-1~", "0:0-1", Less),
            ("0:0-0.1", "0:0-0", Greater),
            // Debian policy example: ~ sorts before the empty string
            ("1.0~rc1-1", "1.0-1", Less),
            ("1.0", "1.0-0", Equal),
            ("1:1.0", "2.0", Greater),
            ("2.36-9+deb12u4", "2.36-9+deb12u3", Greater),
            ("3.0.11-1~deb12u2", "3.0.11-1", Less),
            ("3.0.11-1~deb12u2", "3.0.11-1~deb12u1", Greater),
            ("1.2.3", "1.2.10", Less),
            ("7.88.1-10+deb12u5", "7.88.1-10+deb12u12", Less),
            ("00000000000000000000000001", "1", Equal),
            ("1.00001", "1.1", Equal),
        ];
        for (a, b, want) in cases {
            assert_eq!(cmp(a, b), *want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn dpkg_parse_errors() {
        assert!(compare("", "1").is_err());
        assert!(compare("a:1", "1").is_err());
        assert!(compare(":1", "1").is_err());
        assert!(compare("1-", "1").is_err());
        assert!(compare("1 2", "1").is_err());
        let v = DpkgVersion::parse("2:1.2-3-4").unwrap();
        assert_eq!((v.epoch, v.upstream, v.revision), ("2", "1.2-3", "4"));
    }
}

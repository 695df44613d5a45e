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
    /// Empty strings, embedded blanks, a non-numeric or too big epoch, or an
    /// empty upstream part, as dpkg's `parseversion` (cases of dpkg's
    /// `t-version.c`). dpkg only *warns* about an upstream part that does
    /// not start with a digit and about unusual characters; this parser
    /// accepts those, as `dpkg --compare-versions` goes on comparing them.
    pub fn parse(s: &'a str) -> Result<Self, VersionError> {
        let err = |reason: &str| VersionError::invalid("dpkg", s.trim(), reason);
        let s = s.trim();
        if s.is_empty() {
            return Err(err("empty version string"));
        }
        if s.chars().any(char::is_whitespace) {
            return Err(err("version string has embedded spaces"));
        }
        // The epoch ends at the first colon.
        let (epoch, rest) = match s.split_once(':') {
            Some(("", _)) => return Err(err("epoch in version is empty")),
            Some((e, _)) if !e.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(err("epoch in version is not number"));
            }
            Some((e, _)) if e.parse::<i32>().is_err() => {
                return Err(err("epoch in version is too big"));
            }
            Some((e, rest)) => (e, rest),
            None => ("0", s),
        };
        // The revision follows the last hyphen; `0:0-` has an empty revision,
        // which dpkg accepts.
        let (upstream, revision) = rest.rsplit_once('-').unwrap_or((rest, ""));
        if upstream.is_empty() {
            return Err(err("version number is empty"));
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
            // t-version.c test_version_compare
            ("0:a-0", "0:b-0", Less),
            ("0:0-a", "0:0-b", Less),
            ("1:0-0", "2:0-0", Less),
            ("0:1-1", "0:2-1", Less),
            ("0:1-1", "0:1-2", Less),
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

    /// `test_version_parse` of dpkg's `lib/dpkg/t/t-version.c`.
    #[test]
    fn dpkg_parse_errors() {
        for bad in [
            "",
            "  ",
            "0:",
            "0:0 0-1",
            "-1:0-1",
            "999999999999999999999999:0-1",
            "a:0-0",
            "A:0-0",
            "-0",
            "0:-0",
            ":1",
        ] {
            assert!(DpkgVersion::parse(bad).is_err(), "{bad:?}");
        }
        let same = [
            ("0", "0:0"),
            ("0:0-", "0"),
            ("0:0-0", "0-0"),
            ("0:0.0-0.0", "0.0-0.0"),
            ("0:0-0-0", "0-0-0"),
            ("0:0:0-0", "0:0:0-0"),
            ("  \t0:0-1", "0-1"),
            ("0:0-1\t  ", "0-1"),
            ("0:09azAZ.-+~:-0", "0:09azAZ.-+~:-0"),
        ];
        for (a, b) in same {
            assert_eq!(compare(a, b).unwrap(), Ordering::Equal, "{a:?} == {b:?}");
        }
        let v = DpkgVersion::parse("0:0:0-0").unwrap();
        assert_eq!((v.epoch, v.upstream, v.revision), ("0", "0:0", "0"));
        let v = DpkgVersion::parse("0:0-0:0-0").unwrap();
        assert_eq!((v.epoch, v.upstream, v.revision), ("0", "0-0:0", "0"));
        // dpkg only warns about these.
        assert!(DpkgVersion::parse("0:abc3-0").is_ok());
        assert!(DpkgVersion::parse("0:0-0:0").is_ok());
        let v = DpkgVersion::parse("2:1.2-3-4").unwrap();
        assert_eq!((v.epoch, v.upstream, v.revision), ("2", "1.2-3", "4"));
    }
}

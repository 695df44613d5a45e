//! RubyGems version ordering (`Gem::Version#<=>` as in RubyGems 3.x): a
//! version is split into runs of digits and runs of letters; `-` means
//! `.pre.`; trailing zeros are dropped from the release part and from the
//! pre-release part; letters (pre-releases) sort before numbers and missing
//! segments count as `0`.

use std::cmp::Ordering;

use super::{VersionError, cmp_digits};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    /// Digits without leading zeros (`""` is zero).
    Num(String),
    Str(String),
}

impl Seg {
    fn is_zero(&self) -> bool {
        matches!(self, Seg::Num(n) if n.is_empty())
    }
}

/// `Gem::Version::ANCHORED_VERSION_PATTERN`.
fn is_correct(v: &str) -> bool {
    if v.is_empty() {
        return true;
    }
    let (release, pre) = match v.split_once('-') {
        Some((r, p)) => (r, Some(p)),
        None => (v, None),
    };
    let mut parts = release.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|p| {
        p.split('.')
            .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

fn canonical_segments(v: &str) -> Result<Vec<Seg>, VersionError> {
    let v = v.trim();
    if !is_correct(v) {
        return Err(VersionError::invalid(
            "RubyGems",
            v,
            "malformed version number string",
        ));
    }
    let v = v.replace('-', ".pre.");
    let mut segs = Vec::new();
    let bytes = v.as_bytes();
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        let start = i;
        if c.is_ascii_digit() {
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let d = v.get(start..i).unwrap_or_default().trim_start_matches('0');
            segs.push(Seg::Num(d.to_string()));
        } else if c.is_ascii_alphabetic() {
            while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
                i += 1;
            }
            segs.push(Seg::Str(v.get(start..i).unwrap_or_default().to_string()));
        } else {
            i += 1;
        }
    }
    // `_split_segments`: numeric prefix and the rest, each without trailing zeros.
    let split = segs
        .iter()
        .position(|s| matches!(s, Seg::Str(_)))
        .unwrap_or(segs.len());
    let mut strings = segs.split_off(split);
    while segs.last().is_some_and(Seg::is_zero) {
        segs.pop();
    }
    while strings.last().is_some_and(Seg::is_zero) {
        strings.pop();
    }
    segs.extend(strings);
    Ok(segs)
}

/// Compare two RubyGems versions.
///
/// # Errors
/// When either string does not match RubyGems' version pattern.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let l = canonical_segments(a)?;
    let r = canonical_segments(b)?;
    let zero = Seg::Num(String::new());
    for i in 0..l.len().max(r.len()) {
        let (x, y) = (l.get(i).unwrap_or(&zero), r.get(i).unwrap_or(&zero));
        let c = match (x, y) {
            (Seg::Num(p), Seg::Num(q)) => cmp_digits(p, q),
            (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
            (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
            (Seg::Str(p), Seg::Str(q)) => p.cmp(q),
        };
        if c != Ordering::Equal {
            return Ok(c);
        }
    }
    Ok(Ordering::Equal)
}

/// Validate a RubyGems version.
///
/// # Errors
/// When the string does not match RubyGems' version pattern.
pub fn validate(v: &str) -> Result<(), VersionError> {
    canonical_segments(v).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cases from RubyGems' `test_gem_version.rb` (`test_spaceship` and friends).
    #[test]
    fn gem_version_spaceship() {
        use Ordering::*;
        let cases = [
            ("1.0", "1.0.0", Equal),
            ("1.0", "1.0.a", Greater),
            ("1.8.2", "0.0.0", Greater),
            ("1.8.2", "1.8.2.a", Greater),
            ("1.8.2.b", "1.8.2.a", Greater),
            ("1.8.2.a", "1.8.2", Less),
            ("1.8.2.a10", "1.8.2.a9", Greater),
            ("", "0", Equal),
            ("0.beta.1", "0.0.beta.1", Equal),
            ("0.0.beta", "0.0.beta.1", Less),
            ("0.0.beta", "0.beta.1", Less),
            ("5.a", "5.0.0.rc2", Less),
            ("5.x", "5.0.0.rc2", Greater),
            ("1.0.0-1", "1.0.0.pre.1", Equal),
            ("1.0.0-rc1", "1.0.0", Less),
            ("1.9.3", "1.9.3.1", Less),
            ("7.0.8.1", "7.0.8", Greater),
            ("2.5.0", "10.0.0", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b).unwrap(), want, "{a} vs {b}");
            assert_eq!(compare(b, a).unwrap(), want.reverse(), "{b} vs {a}");
        }
        for bad in ["junk", "1.0\n2.0", "1..2", "1.2 3", "a.1", "1.0-"] {
            assert!(compare(bad, "1").is_err(), "{bad}");
        }
    }
}

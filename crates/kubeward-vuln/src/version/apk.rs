//! apk-tools version ordering (Alpine, Wolfi, Chainguard), following the
//! current apk-tools `src/version.c` (the tokenizer rewrite shipped since
//! apk-tools 2.14): `digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}`.
//!
//! * Suffixes: `_alpha` < `_beta` < `_pre` < `_rc` < (none) < `_cvs` < `_svn`
//!   < `_git` < `_hg` < `_p`.
//! * A dotted component with a leading zero compares as a string against the
//!   other (Gentoo rule: `1.01` < `1.1`, `1.0.05` < `1.0.4`); other numbers
//!   compare numerically, at any length.
//! * When one version runs out, the longer one is newer unless what follows
//!   is a pre-release suffix; an invalid tail sorts lowest.

use std::cmp::Ordering;

use super::cmp_digits;

/// Token kinds, in apk's order (the order decides the end of a comparison).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tok {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffix values; `NONE` (5) is the pivot between pre- and post-release.
const SUFFIXES: [(&str, u8); 9] = [
    ("alpha", 1),
    ("beta", 2),
    ("pre", 3),
    ("rc", 4),
    ("cvs", 6),
    ("svn", 7),
    ("git", 8),
    ("hg", 9),
    ("p", 10),
];
const SUFFIX_NONE: u8 = 5;

struct State<'a> {
    tok: Tok,
    suffix: u8,
    value: &'a [u8],
}

struct Blob<'a> {
    s: &'a [u8],
}

impl<'a> Blob<'a> {
    fn span(&mut self, pred: impl Fn(u8) -> bool) -> &'a [u8] {
        let n = self.s.iter().take_while(|&&c| pred(c)).count();
        let (head, tail) = self.s.split_at(n.min(self.s.len()));
        self.s = tail;
        head
    }
    fn skip(&mut self, n: usize) {
        self.s = self.s.get(n..).unwrap_or_default();
    }
}

fn parse_digits<'a>(t: &mut State<'a>, b: &mut Blob<'a>) {
    t.value = b.span(|c| c.is_ascii_digit());
    if t.value.is_empty() {
        t.tok = Tok::Invalid;
    }
}

fn first<'a>(b: &mut Blob<'a>) -> State<'a> {
    let mut t = State {
        tok: Tok::InitialDigit,
        suffix: 0,
        value: &[],
    };
    parse_digits(&mut t, b);
    t
}

fn next<'a>(t: &mut State<'a>, b: &mut Blob<'a>) {
    let Some(&c) = b.s.first() else {
        t.tok = Tok::End;
        return;
    };
    match c {
        b'a'..=b'z' if t.tok <= Tok::Digit => {
            t.value = b.s.get(..1).unwrap_or_default();
            t.tok = Tok::Letter;
            b.skip(1);
        }
        b'.' | b'0'..=b'9' => {
            if c == b'.' {
                if t.tok > Tok::Digit {
                    t.tok = Tok::Invalid;
                    return;
                }
                b.skip(1);
            }
            t.tok = match t.tok {
                Tok::InitialDigit | Tok::Digit => Tok::Digit,
                Tok::Suffix => Tok::SuffixNo,
                _ => {
                    t.tok = Tok::Invalid;
                    return;
                }
            };
            parse_digits(t, b);
        }
        b'_' if t.tok <= Tok::SuffixNo => {
            b.skip(1);
            t.value = b.span(|c| c.is_ascii_lowercase());
            match SUFFIXES.iter().find(|(s, _)| s.as_bytes() == t.value) {
                Some((_, v)) => {
                    t.suffix = *v;
                    t.tok = Tok::Suffix;
                }
                None => t.tok = Tok::Invalid,
            }
        }
        b'~' if t.tok < Tok::CommitHash => {
            b.skip(1);
            t.value = b.span(|c| c.is_ascii_hexdigit());
            t.tok = if t.value.is_empty() {
                Tok::Invalid
            } else {
                Tok::CommitHash
            };
        }
        b'-' if t.tok < Tok::RevisionNo && b.s.starts_with(b"-r") => {
            b.skip(2);
            t.tok = Tok::RevisionNo;
            parse_digits(t, b);
        }
        _ => t.tok = Tok::Invalid,
    }
}

fn digits(v: &[u8]) -> &str {
    std::str::from_utf8(v).unwrap_or_default()
}

/// `token_cmp`: both tokens have the same kind.
fn token_cmp(a: &State<'_>, b: &State<'_>) -> Ordering {
    match a.tok {
        Tok::Digit if a.value.first() == Some(&b'0') || b.value.first() == Some(&b'0') => {
            a.value.cmp(b.value)
        }
        Tok::Digit | Tok::InitialDigit | Tok::SuffixNo | Tok::RevisionNo => {
            cmp_digits(digits(a.value), digits(b.value))
        }
        Tok::Letter => a.value.first().cmp(&b.value.first()),
        Tok::Suffix => a.suffix.cmp(&b.suffix),
        _ => a.value.cmp(b.value),
    }
}

/// Whether apk accepts the version (`apk_version_validate`).
#[must_use]
pub fn is_valid(v: &str) -> bool {
    let mut b = Blob { s: v.as_bytes() };
    let mut t = first(&mut b);
    while t.tok < Tok::End {
        next(&mut t, &mut b);
    }
    t.tok == Tok::End
}

/// Compare two apk versions exactly as `apk_version_compare` does (invalid
/// versions compare token by token up to the invalid part, like apk).
#[must_use]
pub fn compare(a: &str, b: &str) -> Ordering {
    let mut ba = Blob { s: a.as_bytes() };
    let mut bb = Blob { s: b.as_bytes() };
    let mut ta = first(&mut ba);
    let mut tb = first(&mut bb);
    while ta.tok == tb.tok && ta.tok < Tok::End {
        let r = token_cmp(&ta, &tb);
        if r != Ordering::Equal {
            return r;
        }
        next(&mut ta, &mut ba);
        next(&mut tb, &mut bb);
    }
    if ta.tok == tb.tok {
        return Ordering::Equal;
    }
    if ta.tok == Tok::Suffix && ta.suffix < SUFFIX_NONE {
        return Ordering::Less;
    }
    if tb.tok == Tok::Suffix && tb.suffix < SUFFIX_NONE {
        return Ordering::Greater;
    }
    // apk: ta.token > tb.token => LESS.
    tb.tok.cmp(&ta.tok)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// apk-tools `test/version.data` (the whole file is in
    /// tests/fixtures/apk-version.data and checked by the integration tests);
    /// a few spot checks here.
    #[test]
    fn apk_spot_checks() {
        use Ordering::*;
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.0_alpha", "1.0", Less),
            ("1.0_rc1", "1.0_rc2", Less),
            ("1.0_p1", "1.0", Greater),
            ("1.0-r1", "1.0", Greater),
            ("1.0-r1", "1.0-r10", Less),
            ("1.0a", "1.0", Greater),
            ("1.0a", "1.0b", Less),
            ("1.01", "1.1", Less),
            ("1.00", "1.0", Greater),
            ("1.0.05", "1.0.4", Less),
            ("1.2.3~abc12", "1.2.3~abc13", Less),
            ("1.2.3~abc12-r1", "1.2.3~abc12", Greater),
            ("1.0", "1", Greater),
            ("3.1.4-r5", "3.1.4-r10", Less),
            ("1.36.1-r2", "1.36.1-r15", Less),
            ("1.2.3_git20230101", "1.2.3", Greater),
            ("1.2.3_pre1", "1.2.3_rc1", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn validity() {
        assert!(is_valid("1.2.3-r0"));
        assert!(is_valid("1.2.3_alpha2_p1-r4"));
        assert!(is_valid("2.3.0b-r1"));
        assert!(!is_valid("1.0bc"));
        assert!(!is_valid("1.0-x"));
        assert!(!is_valid("1.0_foo"));
        assert!(!is_valid("abc"));
    }
}

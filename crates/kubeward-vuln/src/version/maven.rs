//! Maven version ordering: a port of Maven 3.9's `ComparableVersion` (the
//! `ListItem`/`IntItem`/`StringItem` model of maven-artifact, including
//! MNG-5568, MNG-6572, MNG-6964 and MNG-7644).
//!
//! Tokens split on `.`, `-` and digit/letter transitions; `-` and a
//! transition open a nested list, and `.X` is treated as `-X` for a string
//! qualifier `X`. Trailing "null" items (`0`, `""`, `ga`, `final`, `release`,
//! empty lists) are trimmed. Qualifiers order `alpha` < `beta` < `milestone`
//! < `rc` = `cr` = `ea` = `preview` < `snapshot` < `""` = `ga` = `final` =
//! `release` < `sp` < unknown (lexically); `a1`/`b1`/`m1` stand for
//! alpha/beta/milestone when followed by a digit.

use std::cmp::Ordering;

use super::cmp_digits;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Digits with leading zeros removed.
    Int(String),
    /// A (lowercase, alias-resolved) qualifier.
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_INDEX: &str = "5";

fn comparable_qualifier(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let mut v = value;
    if followed_by_digit && v.len() == 1 {
        v = match v {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        };
    }
    let v = match v {
        "ga" | "final" | "release" => "",
        "cr" | "ea" | "preview" => "rc",
        other => other,
    };
    Item::Str(v.to_string())
}

fn parse_item(is_digit: bool, buf: &str) -> Item {
    if is_digit {
        Item::Int(buf.trim_start_matches('0').to_string())
    } else {
        string_item(buf, false)
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(v) => v.is_empty(),
            Item::Str(s) => comparable_qualifier(s) == RELEASE_INDEX,
            Item::List(l) => l.is_empty(),
        }
    }

    /// `compareTo`, where `None` is Java's `null` (a missing item).
    fn cmp_opt(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(v), None) => {
                if v.is_empty() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Int(a), Some(Item::Int(b))) => cmp_digits(a, b),
            (Item::Int(_), Some(Item::Str(_) | Item::List(_))) => Ordering::Greater,
            (Item::Str(s), None) => comparable_qualifier(s).as_str().cmp(RELEASE_INDEX),
            (Item::Str(_), Some(Item::Int(_) | Item::List(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => {
                comparable_qualifier(a).cmp(&comparable_qualifier(b))
            }
            // MNG-6964: the whole list against null, not just its first item.
            (Item::List(l), None) => l
                .iter()
                .map(|i| i.cmp_opt(None))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(l), Some(Item::List(r))) => cmp_lists(l, r),
        }
    }
}

fn cmp_lists(l: &[Item], r: &[Item]) -> Ordering {
    let n = l.len().max(r.len());
    for k in 0..n {
        let c = match (l.get(k), r.get(k)) {
            (None, None) => Ordering::Equal,
            (None, Some(ri)) => ri.cmp_opt(None).reverse(),
            (Some(li), ri) => li.cmp_opt(ri),
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

/// `ListItem.normalize`: drop trailing null items, looking through lists.
fn normalize(items: &mut Vec<Item>) {
    let mut i = items.len();
    while i > 0 {
        i -= 1;
        let Some(last) = items.get(i) else { break };
        if last.is_null() {
            items.remove(i);
        } else if !matches!(last, Item::List(_)) {
            break;
        }
    }
}

/// Parse into the item tree. A new list always becomes the last element of
/// the current one, so the tree is a spine: one item vector per level.
fn parse(version: &str) -> Vec<Item> {
    let version = version.to_lowercase();
    let chars: Vec<(usize, char)> = version.char_indices().collect();
    let mut levels: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0usize; // byte index
    let push = |levels: &mut Vec<Vec<Item>>, item: Item| {
        if let Some(cur) = levels.last_mut() {
            cur.push(item);
        }
    };
    for &(i, c) in &chars {
        let sub = version.get(start..i).unwrap_or_default();
        if c == '.' {
            if i == start {
                push(&mut levels, Item::Int(String::new()));
            } else {
                push(&mut levels, parse_item(is_digit, sub));
            }
            start = i + 1;
        } else if c == '-' {
            if i == start {
                push(&mut levels, Item::Int(String::new()));
            } else {
                push(&mut levels, parse_item(is_digit, sub));
            }
            start = i + 1;
            levels.push(Vec::new());
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // MNG-7644: treat `.X` as `-X` for a string qualifier X.
                if levels.last().is_some_and(|l| !l.is_empty()) {
                    levels.push(Vec::new());
                }
                push(&mut levels, string_item(sub, true));
                start = i;
                levels.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                push(&mut levels, parse_item(true, sub));
                start = i;
                levels.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if version.len() > start {
        if !is_digit && levels.last().is_some_and(|l| !l.is_empty()) {
            levels.push(Vec::new());
        }
        let sub = version.get(start..).unwrap_or_default();
        push(&mut levels, parse_item(is_digit, sub));
    }
    let mut child: Option<Vec<Item>> = None;
    while let Some(mut items) = levels.pop() {
        if let Some(c) = child.take() {
            items.push(Item::List(c));
        }
        normalize(&mut items);
        child = Some(items);
    }
    child.unwrap_or_default()
}

/// Compare two Maven versions (never fails: every string is a Maven version).
#[must_use]
pub fn compare(a: &str, b: &str) -> Ordering {
    cmp_lists(&parse(a), &parse(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_order(versions: &[&str]) {
        for i in 1..versions.len() {
            for j in i..versions.len() {
                let (lo, hi) = (versions[i - 1], versions[j]);
                assert_eq!(compare(lo, hi), Ordering::Less, "{lo} < {hi}");
                assert_eq!(compare(hi, lo), Ordering::Greater, "{hi} > {lo}");
            }
        }
    }

    /// `ComparableVersionTest.VERSIONS_QUALIFIER`.
    #[test]
    fn versions_qualifier() {
        check_order(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
    }

    /// `ComparableVersionTest.VERSIONS_NUMBER`.
    #[test]
    fn versions_number() {
        check_order(&[
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ]);
    }

    /// `ComparableVersionTest.testVersionsEqual` and the leading-zero tests.
    #[test]
    fn versions_equal() {
        let eq = [
            ("1", "1"),
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1.0", "1.0.0"),
            ("1", "1-0"),
            ("1", "1.0-0"),
            ("1.0", "1.0-0"),
            ("1a", "1-a"),
            ("1a", "1.0-a"),
            ("1a", "1.0.0-a"),
            ("1.0a", "1-a"),
            ("1.0.0a", "1-a"),
            ("1x", "1-x"),
            ("1x", "1.0-x"),
            ("1x", "1.0.0-x"),
            ("1.0x", "1-x"),
            ("1.0.0x", "1-x"),
            ("1ga", "1"),
            ("1release", "1"),
            ("1final", "1"),
            ("1cr", "1rc"),
            ("1preview", "1rc"),
            ("1ea", "1rc"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1X", "1x"),
            ("1A", "1a"),
            ("1B", "1b"),
            ("1M", "1m"),
            ("1Ga", "1"),
            ("1GA", "1"),
            ("1RELEASE", "1"),
            ("1RELeaSE", "1"),
            ("1Final", "1"),
            ("1FinaL", "1"),
            ("1FINAL", "1"),
            ("1Cr", "1Rc"),
            ("1cR", "1rC"),
            ("1m3", "1Milestone3"),
            ("1m3", "1MileStone3"),
            ("1m3", "1MILESTONE3"),
            (
                "1-abcdefghijklmnopqrstuvwxyz",
                "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            ),
            ("0000000000000000001", "1"),
            ("000000001", "01"),
            ("0000000000000000000", "0"),
            ("00", "0"),
        ];
        for (a, b) in eq {
            assert_eq!(compare(a, b), Ordering::Equal, "{a} == {b}");
            assert_eq!(compare(b, a), Ordering::Equal, "{b} == {a}");
        }
        // MNG-7644
        for x in [
            "abc",
            "alpha",
            "a",
            "beta",
            "b",
            "def",
            "milestone",
            "m",
            "RC",
        ] {
            let lo = format!("1.0.0.{x}1");
            let hi = format!("1.0.0-{x}2");
            assert_eq!(compare(&lo, &hi), Ordering::Less, "{lo} < {hi}");
            for (a, b) in [
                (format!("2-{x}"), format!("2.0.{x}")),
                (format!("2-{x}"), format!("2.0.0.{x}")),
                (format!("2.0.{x}"), format!("2.0.0.{x}")),
            ] {
                assert_eq!(compare(&a, &b), Ordering::Equal, "{a} == {b}");
            }
        }
    }

    /// `ComparableVersionTest.testVersionComparing`.
    #[test]
    fn version_comparing() {
        let lt = [
            ("1", "2"),
            ("1.5", "2"),
            ("1", "2.5"),
            ("1.0", "1.1"),
            ("1.1", "1.2"),
            ("1.0.0", "1.1"),
            ("1.0.1", "1.1"),
            ("1.1", "1.2.0"),
            ("1.0-alpha-1", "1.0"),
            ("1.0-alpha-1", "1.0-alpha-2"),
            ("1.0-alpha-1", "1.0-beta-1"),
            ("1.0-beta-1", "1.0-SNAPSHOT"),
            ("1.0-SNAPSHOT", "1.0"),
            ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
            ("1.0", "1.0-1"),
            ("1.0-1", "1.0-2"),
            ("1.0.0", "1.0-1"),
            ("2.0-1", "2.0.1"),
            ("2.0.1-klm", "2.0.1-lmn"),
            ("2.0.1", "2.0.1-xyz"),
            ("2.0.1", "2.0.1-123"),
            ("2.0.1-xyz", "2.0.1-123"),
            ("2.17.0", "2.17.1"),
            ("2.14.1", "2.15.0"),
            ("2.0-beta9", "2.0-rc1"),
            ("1.2.3", "12345678901234567890"),
            // testLeadingZeroes, MNG-5568, MNG-6572, MNG-6964
            ("0.7", "2"),
            ("0.2", "1.0.7"),
            ("6.1.0rc3", "6.1.0"),
            ("6.1.0rc3", "6.1H.5-beta"),
            ("6.1.0", "6.1H.5-beta"),
            ("20190126.230843", "1234567890.12345"),
            ("1234567890.12345", "123456789012345.1H.5-beta"),
            (
                "123456789012345.1H.5-beta",
                "12345678901234567890.1H.5-beta",
            ),
            ("1-0.alpha", "1"),
            ("1-0.beta", "1"),
            ("1-0.alpha", "1-0.beta"),
        ];
        for (a, b) in lt {
            assert_eq!(compare(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(compare(b, a), Ordering::Greater, "{b} > {a}");
        }
    }
}

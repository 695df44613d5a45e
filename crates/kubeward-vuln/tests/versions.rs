//! Version comparators: upstream golden data and ordering properties.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::cmp::Ordering;
use std::path::Path;

use kubeward_vuln::compare_versions;
use kubeward_vuln::version::Scheme;
use proptest::prelude::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn op(s: &str) -> Ordering {
    match s {
        "<" => Ordering::Less,
        "=" => Ordering::Equal,
        ">" => Ordering::Greater,
        other => panic!("bad operator {other}"),
    }
}

/// apk-tools `test/version.data`, every line, both directions.
#[test]
fn apk_tools_version_data() {
    let data = fixture("apk-version.data");
    let mut n = 0;
    for line in data.lines() {
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [a, o, b] = parts[..] else {
            panic!("bad line {line}")
        };
        let want = op(o);
        assert_eq!(
            compare_versions("Alpine", a, b).unwrap(),
            want,
            "{a} {o} {b}"
        );
        assert_eq!(
            compare_versions("Alpine", b, a).unwrap(),
            want.reverse(),
            "{b} vs {a}"
        );
        n += 1;
    }
    assert_eq!(n, 729);
}

#[test]
fn golden_table() {
    let data = fixture("versions.txt");
    let mut n = 0;
    for line in data
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [eco, a, o, b] = parts[..] else {
            panic!("bad line {line}")
        };
        let want = op(o);
        assert_eq!(
            compare_versions(eco, a, b).unwrap(),
            want,
            "{eco}: {a} {o} {b}"
        );
        assert_eq!(
            compare_versions(eco, b, a).unwrap(),
            want.reverse(),
            "{eco}: {b} vs {a}"
        );
        n += 1;
    }
    assert!(n > 40);
}

fn dpkg_version() -> impl Strategy<Value = String> {
    (
        proptest::option::of("[0-9]{1,2}"),
        "[0-9][0-9a-z.+~]{0,8}",
        proptest::option::of("[0-9a-z.+~]{1,6}"),
    )
        .prop_map(|(e, u, r)| {
            let mut s = String::new();
            if let Some(e) = e {
                s.push_str(&e);
                s.push(':');
            }
            s.push_str(&u);
            if let Some(r) = r {
                s.push('-');
                s.push_str(&r);
            }
            s
        })
}

fn apk_version() -> impl Strategy<Value = String> {
    (
        "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}",
        proptest::option::of("[a-z]"),
        proptest::collection::vec(
            (
                "(alpha|beta|pre|rc|cvs|svn|git|hg|p)",
                proptest::option::of("[0-9]{1,3}"),
            ),
            0..3,
        ),
        proptest::option::of("[0-9a-f]{1,4}"),
        proptest::option::of("[0-9]{1,2}"),
    )
        .prop_map(|(nums, letter, suffixes, hash, rev)| {
            let mut s = nums;
            if let Some(l) = letter {
                s.push_str(&l);
            }
            for (suf, n) in suffixes {
                s.push('_');
                s.push_str(&suf);
                if let Some(n) = n {
                    s.push_str(&n);
                }
            }
            if let Some(h) = hash {
                s.push('~');
                s.push_str(&h);
            }
            if let Some(r) = rev {
                s.push_str("-r");
                s.push_str(&r);
            }
            s
        })
}

fn semver_version() -> impl Strategy<Value = String> {
    (
        "v?[0-9]{1,2}(\\.[0-9]{1,2}){0,2}",
        proptest::option::of("(alpha|beta|rc|[0-9]{1,2}|x-y)(\\.(alpha|beta|rc|[0-9]{1,2})){0,2}"),
        proptest::option::of("[a-z0-9]{1,4}"),
    )
        .prop_map(|(core, pre, build)| {
            let mut s = core;
            if let Some(p) = pre {
                s.push('-');
                s.push_str(&p);
            }
            if let Some(b) = build {
                s.push('+');
                s.push_str(&b);
            }
            s
        })
}

fn pep440_version() -> impl Strategy<Value = String> {
    "([0-9]!)?[0-9]{1,2}(\\.[0-9]{1,2}){0,2}((a|b|rc|alpha|c)[0-9]{0,2})?(\\.post[0-9]{0,2}|-[0-9])?(\\.dev[0-9]{0,2})?(\\+[a-z0-9]{1,3}(\\.[a-z0-9]{1,3})?)?"
}

/// Maven versions that start with a number. (Maven's own `ComparableVersion`
/// is not transitive on versions that start with a qualifier: `ga` < `a` <
/// `0.alpha` < `ga`; the port keeps that behaviour, see the unit test.)
fn maven_version() -> impl Strategy<Value = String> {
    ("[0-9]{1,2}(\\.[0-9]{1,2}){0,2}(\\.|-)", maven_tail()).prop_map(|(head, tail)| {
        format!("{head}{tail}")
            .trim_end_matches(['.', '-'])
            .to_string()
    })
}

fn maven_tail() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (
            "(0|1|2|10|a|b|m|alpha|beta|milestone|rc|cr|snapshot|ga|final|release|sp|foo|x)",
            "(\\.|-|)",
        ),
        0..4,
    )
    .prop_map(|parts| {
        let mut s = String::new();
        for (tok, sep) in parts {
            s.push_str(&tok);
            s.push_str(&sep);
        }
        s.trim_end_matches(['.', '-']).to_string()
    })
}

fn check_total_order(scheme: Scheme, a: &str, b: &str, c: &str) -> Result<(), TestCaseError> {
    let cmp = |x: &str, y: &str| scheme.compare(x, y).unwrap();
    prop_assert_eq!(cmp(a, a), Ordering::Equal, "reflexive {}", a);
    prop_assert_eq!(cmp(a, b), cmp(b, a).reverse(), "antisymmetric {} {}", a, b);
    let mut v = [a, b, c];
    v.sort_by(|x, y| cmp(x, y));
    prop_assert!(cmp(v[0], v[1]) != Ordering::Greater);
    prop_assert!(cmp(v[1], v[2]) != Ordering::Greater);
    prop_assert!(
        cmp(v[0], v[2]) != Ordering::Greater,
        "transitive {} {} {}",
        v[0],
        v[1],
        v[2]
    );
    if cmp(v[0], v[1]) == Ordering::Equal && cmp(v[1], v[2]) == Ordering::Equal {
        prop_assert_eq!(cmp(v[0], v[2]), Ordering::Equal);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn dpkg_is_a_total_order(a in dpkg_version(), b in dpkg_version(), c in dpkg_version()) {
        check_total_order(Scheme::Dpkg, &a, &b, &c)?;
    }

    #[test]
    fn apk_is_a_total_order(a in apk_version(), b in apk_version(), c in apk_version()) {
        prop_assert!(kubeward_vuln::version::apk::is_valid(&a), "generated invalid {}", a);
        check_total_order(Scheme::Apk, &a, &b, &c)?;
    }

    #[test]
    fn semver_is_a_total_order(a in semver_version(), b in semver_version(), c in semver_version()) {
        check_total_order(Scheme::SemVer, &a, &b, &c)?;
    }

    #[test]
    fn pep440_is_a_total_order(a in pep440_version(), b in pep440_version(), c in pep440_version()) {
        check_total_order(Scheme::Pep440, &a, &b, &c)?;
    }

    #[test]
    fn rubygems_is_a_total_order(
        a in "[0-9]{1,2}(\\.([0-9]{1,2}|a|b|rc|pre|x)){0,4}",
        b in "[0-9]{1,2}(\\.([0-9]{1,2}|a|b|rc|pre|x)){0,4}",
        c in "[0-9]{1,2}(\\.([0-9]{1,2}|a|b|rc|pre|x)){0,4}",
    ) {
        check_total_order(Scheme::RubyGems, &a, &b, &c)?;
    }

    #[test]
    fn maven_is_a_total_order(a in maven_version(), b in maven_version(), c in maven_version()) {
        check_total_order(Scheme::Maven, &a, &b, &c)?;
    }

    /// A truncated SBOM or advisory is a located error, never a panic.
    #[test]
    fn truncated_documents_are_located_errors(cut in 0usize..4000) {
        let sbom = fixture("sbom/syft-debian-cdx-1.6.json");
        let cut_sbom = &sbom.as_bytes()[..cut.min(sbom.len() - 1)];
        if let Err(e) = kubeward_vuln::parse_sbom(cut_sbom)
            && !cut_sbom.iter().all(u8::is_ascii_whitespace)
        {
            prop_assert!(e.line().is_some(), "{}", e);
        }
        let adv = fixture("osv-db/pypi/PYSEC-unknown-fields.json");
        let cut_adv = String::from_utf8_lossy(&adv.as_bytes()[..cut.min(adv.len() - 1)]).into_owned();
        let (db, issues) = kubeward_vuln::Database::from_json_documents([("cut.json", cut_adv.as_str())]);
        prop_assert_eq!(db.advisory_count() + issues.len(), 1);
        if let Some(i) = issues.first() {
            prop_assert!(i.message.starts_with("invalid OSV JSON"), "{}", i);
        }
    }

    /// Arbitrary input never panics any comparator or parser.
    #[test]
    fn arbitrary_input_never_panics(a in ".{0,24}", b in ".{0,24}") {
        for eco in ["Debian", "Alpine", "npm", "PyPI", "Maven", "RubyGems"] {
            let _ = compare_versions(eco, &a, &b);
        }
        let _ = kubeward_vuln::cvss::base_score(&a);
        let _ = kubeward_vuln::purl::Purl::parse(&a);
        let _ = kubeward_vuln::parse_sbom(a.as_bytes());
    }
}

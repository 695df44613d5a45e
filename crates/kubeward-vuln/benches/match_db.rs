//! Benchmarks: load a generated 20,000-advisory OSV directory, parse a
//! 2,000-package CycloneDX SBOM, and match the SBOM against the database.
//!
//! `CARGO_TARGET_DIR=/work/main/target-vuln cargo bench -p kubeward-vuln --bench match_db`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::LazyLock;

use kubeward_vuln::{Database, Sbom, match_sbom, parse_sbom};

const ADVISORIES: usize = 20_000;
const PACKAGES: usize = 2_000;
const NAMES: usize = 4_000;

/// (OSV ecosystem, directory, purl prefix, purl suffix, version pattern).
const ECOSYSTEMS: [(&str, &str); 6] = [
    ("Debian:12", "debian"),
    ("Alpine:v3.18", "alpine"),
    ("npm", "npm"),
    ("PyPI", "pypi"),
    ("Go", "go"),
    ("Maven", "maven"),
];

fn name(eco: usize, n: usize) -> String {
    match eco {
        4 => format!("example.com/mod{n}"),
        5 => format!("org.example:artifact{n}"),
        _ => format!("pkg{n}"),
    }
}

fn version(eco: usize, minor: usize) -> String {
    match eco {
        0 => format!("1.{minor}.0-1~deb12u1"),
        1 => format!("1.{minor}.0-r1"),
        _ => format!("1.{minor}.0"),
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    db_dir: PathBuf,
    sbom_json: Vec<u8>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let db_dir = dir.path().join("osv");
    for (_, sub) in ECOSYSTEMS {
        std::fs::create_dir_all(db_dir.join(sub)).unwrap();
    }
    for i in 0..ADVISORIES {
        let eco = i % ECOSYSTEMS.len();
        let (ecosystem, sub) = ECOSYSTEMS[eco];
        let pkg = name(eco, (i / ECOSYSTEMS.len()) % NAMES);
        let (intro, fixed) = (version(eco, i % 17), version(eco, 17 + i % 23));
        let kind = if eco == 4 { "SEMVER" } else { "ECOSYSTEM" };
        let json = format!(
            r#"{{"id":"BENCH-{i}","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2024-{i}"],"summary":"generated advisory {i}",
"severity":[{{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:{}/A:N"}}],
"affected":[{{"package":{{"ecosystem":"{ecosystem}","name":"{pkg}"}},
"ranges":[{{"type":"{kind}","events":[{{"introduced":"{intro}"}},{{"fixed":"{fixed}"}}]}}],"versions":["{intro}"]}}]}}"#,
            if i % 2 == 0 { "H" } else { "L" }
        );
        std::fs::write(db_dir.join(sub).join(format!("BENCH-{i}.json")), json).unwrap();
    }
    let mut components = String::new();
    for j in 0..PACKAGES {
        let eco = j % ECOSYSTEMS.len();
        let n = (j * 2) % NAMES;
        let v = version(eco, 20)
            .replace("-1~deb12u1", "-1")
            .replace("-r1", "-r0");
        let purl = match eco {
            0 => format!("pkg:deb/debian/lib{n}@{v}?arch=amd64&distro=debian-12&upstream=pkg{n}"),
            1 => format!("pkg:apk/alpine/pkg{n}@{v}?arch=x86_64&distro=3.18.4"),
            2 => format!("pkg:npm/pkg{n}@{v}"),
            3 => format!("pkg:pypi/pkg{n}@{v}"),
            4 => format!("pkg:golang/example.com/mod{n}@v{v}"),
            _ => format!("pkg:maven/org.example/artifact{n}@{v}"),
        };
        if j > 0 {
            components.push(',');
        }
        write!(
            components,
            r#"{{"type":"library","name":"p{j}","version":"{v}","purl":"{purl}"}}"#
        )
        .unwrap();
    }
    let sbom_json =
        format!(r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{components}]}}"#)
            .into_bytes();
    Fixture {
        _dir: dir,
        db_dir,
        sbom_json,
    }
});

static DB: LazyLock<Database> = LazyLock::new(|| {
    let (db, issues) = Database::load_dir(&FIXTURE.db_dir).unwrap();
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(db.advisory_count(), ADVISORIES);
    db
});

static SBOM: LazyLock<Sbom> = LazyLock::new(|| parse_sbom(&FIXTURE.sbom_json).unwrap());

fn main() {
    // Build the fixtures outside the timed regions and report the match size.
    let report = match_sbom(&DB, &SBOM);
    eprintln!(
        "fixture: {ADVISORIES} advisories, {} packages, {} findings",
        SBOM.packages.len(),
        report.findings.len()
    );
    divan::main();
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn load_db_20k_advisories() -> Database {
    let (db, _) = Database::load_dir(&FIXTURE.db_dir).unwrap();
    db
}

#[divan::bench(sample_count = 20)]
fn parse_sbom_2k_packages() -> Sbom {
    parse_sbom(&FIXTURE.sbom_json).unwrap()
}

#[divan::bench(sample_count = 20)]
fn match_2k_packages_against_20k() -> usize {
    match_sbom(&DB, &SBOM).findings.len()
}

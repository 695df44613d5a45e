//! End to end: the fixture OSV database against the fixture SBOMs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use kubeward_vuln::{Database, DbError, Finding, MatchReport, Severity, load_sbom, match_sbom};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn db() -> Database {
    let (db, _issues) = Database::load_dir(&fixtures().join("osv-db")).unwrap();
    db
}

fn run(sbom: &str) -> MatchReport {
    let sbom = load_sbom(&fixtures().join("sbom").join(sbom)).unwrap();
    match_sbom(&db(), &sbom)
}

/// (severity, package, advisory, fixed, distro_unknown) of one finding.
type Row<'a> = (Severity, &'a str, &'a str, Option<&'a str>, bool);

/// The glibc iconv finding in the Debian 12 image (CycloneDX and SPDX alike).
const LIBC6_DEBIAN_12: Row<'static> = (
    Severity::High,
    "libc6",
    "DEBIAN-CVE-2024-2961",
    Some("2.36-9+deb12u7"),
    false,
);
/// The OpenSSL finding in the Debian 12 image, matched through the source package.
const LIBSSL3_DEBIAN_12: Row<'static> = (
    Severity::High,
    "libssl3",
    "DSA-9001-1",
    Some("3.0.11-1~deb12u2"),
    false,
);
/// The busybox finding on `ssl_client` in the Alpine 3.18 image (CycloneDX and SPDX alike).
const SSL_CLIENT_ALPINE_3_18: Row<'static> = (
    Severity::Critical,
    "ssl_client",
    "ALPINE-CVE-2022-48174",
    Some("1.36.1-r5"),
    false,
);

/// One [`Row`] per finding, in report order.
fn summary(r: &MatchReport) -> Vec<Row<'_>> {
    r.findings
        .iter()
        .map(|f| {
            (
                f.severity,
                f.package.as_str(),
                f.advisory_id.as_str(),
                f.fixed_version.as_deref(),
                f.distro_unknown,
            )
        })
        .collect()
}

fn finding<'a>(r: &'a MatchReport, package: &str, id: &str) -> &'a Finding {
    r.findings
        .iter()
        .find(|f| f.package == package && f.advisory_id == id)
        .unwrap_or_else(|| panic!("no finding {package} {id}"))
}

#[test]
fn database_loading_and_issues() {
    let dir = fixtures().join("osv-db");
    let (db, issues) = Database::load_dir(&dir).unwrap();
    assert_eq!(db.advisory_count(), 15);
    assert_eq!(db.withdrawn_count(), 1);
    let shown: Vec<String> = issues
        .iter()
        .map(|i| {
            format!(
                "{}:{}:{}: {}",
                i.path.strip_prefix(&dir).unwrap().display(),
                i.line.map_or("-".into(), |l| l.to_string()),
                i.column.map_or("-".into(), |c| c.to_string()),
                i.message
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            "misc/broken.json:4:51: invalid OSV JSON: trailing comma".to_string(),
            "misc/malformed-range.json:9:63: GHSA-malf-orme-0001: affected[0].ranges[0].events[1]: unknown event `bogus`; range ignored".to_string(),
            "misc/malformed-range.json:10:63: GHSA-malf-orme-0001: affected[0].ranges[1].events[1]: invalid PEP 440 version `not a version!`: does not match the PEP 440 grammar; range ignored".to_string(),
            "misc/malformed-range.json:11:42: GHSA-malf-orme-0001: affected[0].ranges[2].events[0]: `fixed` before any `introduced` event (evaluated after sorting)".to_string(),
            "misc/wrong-type.json:3:26: invalid OSV JSON: invalid type: string \"not a list\", expected a sequence".to_string(),
        ],
        "{shown:#?}"
    );
    // The range with an issue that is only a warning is still evaluated.
    let malformed = db
        .advisories()
        .iter()
        .find(|a| a.id == "GHSA-malf-orme-0001")
        .unwrap();
    assert_eq!(malformed.affected[0].ranges.len(), 1);
}

#[test]
fn database_dir_errors() {
    let missing = fixtures().join("no-such-dir");
    assert!(matches!(
        Database::load_dir(&missing),
        Err(DbError::Unreadable { .. })
    ));
    let file = fixtures().join("apk-version.data");
    assert!(matches!(
        Database::load_dir(&file),
        Err(DbError::NotADirectory { .. })
    ));
    let empty = tempfile::tempdir().unwrap();
    let (db, issues) = Database::load_dir(empty.path()).unwrap();
    assert_eq!((db.advisory_count(), issues.len()), (0, 0));
}

#[test]
fn syft_debian_image() {
    let r = run("syft-debian-cdx-1.6.json");
    assert_eq!(r.packages_scanned, 13);
    assert_eq!(r.packages_unsupported, 2);
    let unmatched: Vec<(&str, &str)> = r
        .unmatched
        .iter()
        .map(|u| (u.package.as_str(), u.reason.as_str()))
        .collect();
    assert_eq!(
        unmatched,
        vec![
            ("vendored-thing", "no package URL"),
            (
                "Some.Package",
                "no exact version ordering for ecosystem `NuGet`"
            ),
        ]
    );
    assert_eq!(
        summary(&r),
        vec![
            (
                Severity::Critical,
                "@babel/traverse",
                "GHSA-67hx-6x53-jw92",
                Some("7.23.2"),
                false
            ),
            LIBC6_DEBIAN_12,
            LIBSSL3_DEBIAN_12,
            (Severity::High, "lodash", "GHSA-vers-list-0001", None, false),
            (
                Severity::High,
                "rack",
                "GHSA-rack-test-0001",
                Some("2.2.6.3"),
                false
            ),
            (
                Severity::Medium,
                "jinja2",
                "PYSEC-2024-0001",
                Some("3.1.3"),
                false
            ),
            (
                Severity::Medium,
                "requests",
                "PYSEC-2023-0002",
                Some("2.31.0"),
                false
            ),
            (Severity::Low, "minimist", "GHSA-last-aff-0001", None, false),
            (
                Severity::Unknown,
                "golang.org/x/net",
                "GO-2023-2102",
                Some("0.17.0"),
                false
            ),
            (
                Severity::Unknown,
                "stdlib",
                "GO-2023-2102",
                Some("1.21.3"),
                false
            ),
        ]
    );
    // Source-package matching for Debian.
    let ssl = finding(&r, "libssl3", "DSA-9001-1");
    assert_eq!(ssl.source_package.as_deref(), Some("openssl"));
    assert_eq!(ssl.ecosystem, "Debian:12");
    assert_eq!(ssl.aliases, vec!["CVE-2023-5363".to_string()]);
    assert_eq!(ssl.cvss_score, Some(7.5));
    assert_eq!(
        ssl.cvss_vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N")
    );
    assert_eq!(
        ssl.purl.as_deref(),
        Some(
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl"
        )
    );
    // Urgency fallback, no CVSS.
    let glibc = finding(&r, "libc6", "DEBIAN-CVE-2024-2961");
    assert_eq!(
        (glibc.cvss_score, glibc.summary.as_deref()),
        (None, Some("iconv ISO-2022-CN-EXT out-of-bounds write"))
    );
    // CVSS v2 only.
    let jinja = finding(&r, "jinja2", "PYSEC-2024-0001");
    assert_eq!(
        (jinja.cvss_score, jinja.cvss_vector.as_deref()),
        (Some(4.3), Some("AV:N/AC:M/Au:N/C:N/I:P/A:N"))
    );
    // GHSA label overridden by the computed CVSS score.
    let babel = finding(&r, "@babel/traverse", "GHSA-67hx-6x53-jw92");
    assert_eq!(babel.cvss_score, Some(10.0));
    assert_eq!(babel.installed_version, "7.22.5");
    // Go module versions carry a leading `v`; OSV events do not.
    assert_eq!(
        finding(&r, "golang.org/x/net", "GO-2023-2102").compared_version,
        "v0.15.0"
    );
    assert_eq!(r.max_severity(), Some(Severity::Critical));
    assert_eq!(r.at_or_above(Severity::High).count(), 5);
    // A CVSS v4.0 vector outranks the GHSA label.
    let lodash = finding(&r, "lodash", "GHSA-vers-list-0001");
    assert_eq!(lodash.cvss_score, Some(8.7));
}

#[test]
fn trivy_alpine_image_source_packages() {
    let r = run("trivy-alpine-cdx-1.5.json");
    assert_eq!((r.packages_scanned, r.packages_unsupported), (4, 0));
    assert_eq!(
        summary(&r),
        vec![
            (
                Severity::Critical,
                "busybox",
                "ALPINE-CVE-2022-48174",
                Some("1.36.1-r5"),
                false
            ),
            SSL_CLIENT_ALPINE_3_18,
            (
                Severity::Medium,
                "libcrypto3",
                "ALPINE-CVE-2023-5678",
                Some("3.1.4-r1"),
                false
            ),
        ]
    );
    let ssl_client = finding(&r, "ssl_client", "ALPINE-CVE-2022-48174");
    assert_eq!(ssl_client.source_package.as_deref(), Some("busybox"));
    assert_eq!(ssl_client.ecosystem, "Alpine:v3.18");
    assert_eq!(ssl_client.cvss_score, Some(9.8));
    // busybox is its own source: no source_package.
    assert_eq!(
        finding(&r, "busybox", "ALPINE-CVE-2022-48174").source_package,
        None
    );
}

#[test]
fn trivy_alpine_spdx() {
    let r = run("trivy-alpine-spdx-2.3.json");
    // libcrypto3 3.1.4-r1 is the fixed version: not affected.
    assert_eq!(summary(&r), vec![SSL_CLIENT_ALPINE_3_18]);
}

#[test]
fn syft_spdx_matches_like_cyclonedx() {
    let r = run("syft-debian-spdx-2.3.json");
    assert_eq!(summary(&r), vec![LIBC6_DEBIAN_12, LIBSSL3_DEBIAN_12]);
    assert_eq!((r.packages_scanned, r.packages_unsupported), (2, 1));
}

#[test]
fn nested_maven_and_crates() {
    let r = run("nested-cdx-1.4.json");
    assert_eq!(
        summary(&r),
        vec![
            (
                Severity::Critical,
                "org.apache.logging.log4j:log4j-core",
                "GHSA-jfh8-c2jp-5v3q",
                Some("2.15.0"),
                false
            ),
            (
                Severity::Critical,
                "smallvec",
                "RUSTSEC-2021-0003",
                Some("1.6.1"),
                false
            ),
        ]
    );
    let log4j = finding(
        &r,
        "org.apache.logging.log4j:log4j-core",
        "GHSA-jfh8-c2jp-5v3q",
    );
    // v3 is preferred over the v2 vector even though both are present.
    assert_eq!(log4j.cvss_score, Some(10.0));
    assert!(
        log4j
            .cvss_vector
            .as_deref()
            .unwrap()
            .starts_with("CVSS:3.1/")
    );
    assert_eq!(log4j.ecosystem, "Maven");
    assert_eq!((r.packages_scanned, r.packages_unsupported), (4, 1));
}

#[test]
fn distro_unknown_matches_base_ecosystem() {
    let r = run("no-distro-cdx-1.5.json");
    assert_eq!(
        summary(&r),
        vec![
            (
                Severity::Critical,
                "busybox",
                "ALPINE-CVE-2022-48174",
                Some("1.36.1-r5"),
                true
            ),
            (
                Severity::High,
                "libssl3",
                "DSA-9001-1",
                Some("3.0.11-1~deb12u2"),
                true
            ),
        ]
    );
}

#[test]
fn distro_release_must_match() {
    let r = run("wrong-release-cdx-1.5.json");
    // Debian 11 matches the Debian:11 entry of the advisory; Alpine 3.19 has no advisories.
    assert_eq!(
        summary(&r),
        vec![(
            Severity::High,
            "libssl1.1",
            "DSA-9001-1",
            Some("1.1.1w-0+deb11u1"),
            false
        )]
    );
    assert_eq!(
        finding(&r, "libssl1.1", "DSA-9001-1").ecosystem,
        "Debian:11"
    );
}

#[test]
fn same_package_listed_twice_is_one_finding() {
    let sbom = kubeward_vuln::parse_sbom(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
            {"name":"minimist","version":"1.2.5","purl":"pkg:npm/minimist@1.2.5"},
            {"name":"minimist","version":"1.2.5","purl":"pkg:npm/minimist@1.2.5"},
            {"name":"minimist","version":"1.2.6","purl":"pkg:npm/minimist@1.2.6"},
            {"name":"minimist","version":"not-a-version","purl":"pkg:npm/minimist@not-a-version"}]}"#,
    )
    .unwrap();
    let r = match_sbom(&db(), &sbom);
    assert_eq!(
        summary(&r),
        vec![(Severity::Low, "minimist", "GHSA-last-aff-0001", None, false)]
    );
    assert_eq!(r.packages_unsupported, 1);
    assert!(
        r.unmatched[0].reason.contains("invalid SemVer version"),
        "{:?}",
        r.unmatched
    );
}

#[test]
fn report_serialises_to_json() {
    let r = run("trivy-alpine-cdx-1.5.json");
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["findings"][0]["severity"], "critical");
    assert_eq!(v["findings"][0]["advisory_id"], "ALPINE-CVE-2022-48174");
    assert_eq!(v["packages_scanned"], 4);
}

#[test]
fn database_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Database>();
    assert_send_sync::<MatchReport>();
    let db = std::sync::Arc::new(db());
    let sbom =
        std::sync::Arc::new(load_sbom(&fixtures().join("sbom/trivy-alpine-cdx-1.5.json")).unwrap());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (db, sbom) = (db.clone(), sbom.clone());
            std::thread::spawn(move || match_sbom(&db, &sbom))
        })
        .collect();
    let reports: Vec<MatchReport> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(reports.windows(2).all(|w| w[0] == w[1]));
}

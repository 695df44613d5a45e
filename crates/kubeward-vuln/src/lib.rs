//! Offline vulnerability matching for container images: an SBOM (CycloneDX
//! 1.4–1.6 or SPDX 2.2/2.3 JSON, as syft and trivy write them) against a local
//! directory of [OSV](https://ossf.github.io/osv-schema/) advisories, with
//! exact per-ecosystem version ordering (dpkg, apk, SemVer, PEP 440, Maven)
//! and CVSS base scores computed from the vectors.
//!
//! ```
//! use kubeward_vuln::{Database, Severity, match_sbom, parse_sbom};
//!
//! let advisory = r#"{
//!   "id": "GHSA-test-0001", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2024-0001"],
//!   "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
//!   "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
//!                 "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]}]
//! }"#;
//! let (db, issues) = Database::from_json_documents([("GHSA-test-0001.json", advisory)]);
//! assert!(issues.is_empty());
//!
//! let sbom = parse_sbom(br#"{"bomFormat": "CycloneDX", "specVersion": "1.5",
//!   "components": [{"type": "library", "name": "left-pad", "version": "1.1.0",
//!                   "purl": "pkg:npm/left-pad@1.1.0"}]}"#).unwrap();
//! let report = match_sbom(&db, &sbom);
//! assert_eq!(report.findings.len(), 1);
//! let f = &report.findings[0];
//! assert_eq!((f.advisory_id.as_str(), f.fixed_version.as_deref()), ("GHSA-test-0001", Some("1.3.0")));
//! assert_eq!((f.severity, f.cvss_score), (Severity::Critical, Some(9.8)));
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod cvss;
mod locate;
mod matching;
mod osv;
pub mod purl;
mod sbom;
mod severity;
pub mod version;

pub use matching::{Finding, MatchReport, Unmatched, match_sbom};
pub use osv::{Advisory, Affected, Database, DbError, DbIssue, Event, Range, RangeKind};
pub use sbom::{MAX_SBOM_BYTES, Package, Sbom, SbomError, SbomFormat, load_sbom, parse_sbom};
pub use severity::{ParseSeverityError, Severity};
pub use version::{VersionError, compare_versions};

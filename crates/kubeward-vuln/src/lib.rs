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
//!
//! # Semantics
//!
//! * **Packages** come from purls: `deb/debian` → `Debian`, `deb/ubuntu` →
//!   `Ubuntu`, `apk/alpine|wolfi|chainguard`, `npm` (`@scope/name`), `pypi`
//!   (PEP 503 name), `golang` (module path), `cargo` → `crates.io`, `maven`
//!   (`group:artifact`), `gem` → `RubyGems`. A package without a purl, of
//!   another type, or with a version its ecosystem cannot parse is listed in
//!   [`MatchReport::unmatched`] and counted, never an error.
//! * **Distros**: the purl `distro` qualifier (`debian-12`, `debian-12.4`,
//!   `12.4`, `alpine-3.18.4`, `3.18.4`, `ubuntu-22.04`), else the SBOM's
//!   operating-system component, gives the release (`Debian:12`,
//!   `Alpine:v3.18`, `Ubuntu:22.04`). A release-scoped advisory entry matches
//!   only that release; without a known release it matches on the base
//!   ecosystem and the finding says `distro_unknown: true`.
//! * **Source packages**: Debian, Ubuntu and Alpine advisories name source
//!   packages, so those packages are looked up by the syft `upstream=`
//!   qualifier, the trivy `SrcName`/`SrcVersion`/`SrcRelease`/`SrcEpoch`
//!   properties or SPDX `sourceInfo` ("built package from: NAME VERSION"),
//!   compared at the source version when one is given.
//! * **Ranges** follow the OSV "Evaluation" pseudocode: events sorted in the
//!   range's ordering (`introduced: "0"` first), `introduced` /
//!   `fixed` / `last_affected` / `limit`, `SEMVER` ranges in SemVer order,
//!   `ECOSYSTEM` ranges in the ecosystem's order, `GIT` ranges ignored, the
//!   `versions` list matched exactly. `fixed_version` is the `fixed` event
//!   that closes the interval the version fell in.
//! * **Severity**: the highest CVSS v3.x/v4.0 base score computed from the
//!   vectors (v2 only when there is no v3/v4), rated with the CVSS v3 bands;
//!   else the `Ubuntu` priority, `database_specific.severity` (GHSA labels),
//!   `ecosystem_specific.severity`/`urgency` (Debian); else `Unknown`.
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
pub use sbom::{
    MAX_SBOM_BYTES, Package, Sbom, SbomError, SbomFormat, load_sbom, load_sbom_with_limit,
    parse_sbom,
};
pub use severity::{ParseSeverityError, Severity};
pub use version::{VersionError, compare_versions};

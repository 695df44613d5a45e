//! Matching SBOM packages against the OSV database.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use serde::Serialize;

use crate::osv::{Affected, Database, Event, Range, is_distro, split_ecosystem};
use crate::version::Scheme;
use crate::{Package, Sbom, Severity};

/// One vulnerable package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Package name (binary package name for OS packages; OSV name otherwise).
    pub package: String,
    /// Installed version from the SBOM.
    pub installed_version: String,
    /// The OSV ecosystem of the matching `affected` entry (`Debian:12`, `npm`).
    pub ecosystem: String,
    /// The package's purl.
    pub purl: Option<String>,
    /// Advisory id.
    pub advisory_id: String,
    /// Advisory aliases (CVE ids...).
    pub aliases: Vec<String>,
    /// Advisory summary.
    pub summary: Option<String>,
    /// The `fixed` event closing the range that matched, if any.
    pub fixed_version: Option<String>,
    /// Severity (CVSS rating, else the database's qualitative label, else unknown).
    pub severity: Severity,
    /// Highest CVSS base score computed from the advisory's vectors.
    pub cvss_score: Option<f64>,
    /// The vector of that score.
    pub cvss_vector: Option<String>,
    /// The SBOM gives no distro release, so a release-scoped advisory
    /// (`Debian:12`) was matched on its base ecosystem only.
    pub distro_unknown: bool,
    /// The source package the advisory names, when matched through it.
    pub source_package: Option<String>,
    /// The version compared against the advisory (the source version when the SBOM gives one).
    pub compared_version: String,
}

/// A package that could not be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmatched {
    /// Package name.
    pub package: String,
    /// Version.
    pub version: String,
    /// Purl, if any.
    pub purl: Option<String>,
    /// Why it was not checked.
    pub reason: String,
}

/// The result of [`match_sbom`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchReport {
    /// Findings, sorted by severity (highest first), package, advisory id.
    pub findings: Vec<Finding>,
    /// Packages checked against the database.
    pub packages_scanned: usize,
    /// Packages not checked: no purl, an ecosystem without exact version
    /// ordering, or an unparsable version. Listed in [`MatchReport::unmatched`].
    pub packages_unsupported: usize,
    /// The packages counted in `packages_unsupported`, with the reason.
    pub unmatched: Vec<Unmatched>,
}

impl MatchReport {
    /// The highest severity among the findings.
    #[must_use]
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Findings at or above a severity (for `--fail-on`).
    pub fn at_or_above(&self, min: Severity) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.severity >= min)
    }
}

/// Whether `v` is affected by one range (OSV "Evaluation"), and the `fixed`
/// version that ends the matching interval.
fn in_range(range: &Range, v: &str) -> Option<Option<String>> {
    let cmp = |other: &str| range.scheme.compare(v, other).ok();
    // BeforeLimits.
    let limits: Vec<&str> = range
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Limit(l) => Some(l.as_str()),
            _ => None,
        })
        .collect();
    if !limits.is_empty() && !limits.iter().any(|l| cmp(l) == Some(Ordering::Less)) {
        return None;
    }
    let mut vulnerable = false;
    let mut opened_at = 0usize;
    for (i, e) in range.events.iter().enumerate() {
        match e {
            Event::Introduced(intro) => {
                if intro == "0" || matches!(cmp(intro), Some(Ordering::Greater | Ordering::Equal)) {
                    vulnerable = true;
                    opened_at = i;
                }
            }
            Event::Fixed(f) => {
                if matches!(cmp(f), Some(Ordering::Greater | Ordering::Equal)) {
                    vulnerable = false;
                }
            }
            Event::LastAffected(l) => {
                if cmp(l) == Some(Ordering::Greater) {
                    vulnerable = false;
                }
            }
            Event::Limit(_) => {}
        }
    }
    if !vulnerable {
        return None;
    }
    let fixed = range
        .events
        .iter()
        .skip(opened_at + 1)
        .find_map(|e| match e {
            Event::Fixed(f) => Some(f.clone()),
            _ => None,
        });
    Some(fixed)
}

/// Whether `v` is affected by an `affected` entry; the fixed version if known.
fn affected_by(aff: &Affected, scheme: Scheme, v: &str) -> Option<Option<String>> {
    if aff
        .versions
        .iter()
        .any(|x| x == v || scheme.compare(v, x).ok() == Some(Ordering::Equal))
    {
        // A listed version; report the fix of a range if one also matches.
        return Some(aff.ranges.iter().find_map(|r| in_range(r, v)).flatten());
    }
    aff.ranges.iter().find_map(|r| in_range(r, v))
}

/// Match every package of an SBOM against the database.
#[must_use]
pub fn match_sbom(db: &Database, sbom: &Sbom) -> MatchReport {
    let mut findings = Vec::new();
    let mut unmatched = Vec::new();
    let mut scanned = 0usize;
    let mut seen: BTreeSet<(String, String, Option<String>, String)> = BTreeSet::new();
    for pkg in &sbom.packages {
        let unsupported = |reason: String| Unmatched {
            package: pkg.name.clone(),
            version: pkg.version.clone(),
            purl: pkg.purl.clone(),
            reason,
        };
        let Some(eco) = pkg.ecosystem.as_deref() else {
            unmatched.push(unsupported(if pkg.purl.is_none() {
                "no package URL".to_string()
            } else {
                "package URL type is not a supported ecosystem".to_string()
            }));
            continue;
        };
        let Some(scheme) = Scheme::for_ecosystem(eco) else {
            unmatched.push(unsupported(format!(
                "no exact version ordering for ecosystem `{eco}`"
            )));
            continue;
        };
        let (lookup_name, version, via_source) = lookup_key(pkg, eco);
        if let Err(e) = scheme.validate(&version) {
            unmatched.push(unsupported(e.to_string()));
            continue;
        }
        scanned += 1;
        let release = pkg.distro.as_deref().and_then(|d| split_ecosystem(d).1);
        for (adv, aff) in db.lookup(eco, &lookup_name) {
            let mut distro_unknown = false;
            if is_distro(eco)
                && let Some(adv_release) = &aff.release
            {
                match &release {
                    Some(r) if r != adv_release => continue,
                    Some(_) => {}
                    None => distro_unknown = true,
                }
            }
            let Some(fixed) = affected_by(aff, scheme, &version) else {
                continue;
            };
            let key = (
                pkg.name.clone(),
                pkg.version.clone(),
                pkg.purl.clone(),
                adv.id.clone(),
            );
            if !seen.insert(key) {
                continue; // same package + advisory once
            }
            findings.push(Finding {
                package: pkg.name.clone(),
                installed_version: pkg.version.clone(),
                ecosystem: aff.ecosystem.clone(),
                purl: pkg.purl.clone(),
                advisory_id: adv.id.clone(),
                aliases: adv.aliases.clone(),
                summary: adv.summary.clone(),
                fixed_version: fixed,
                severity: aff.severity,
                cvss_score: aff.cvss_score,
                cvss_vector: aff.cvss_vector.clone(),
                distro_unknown,
                source_package: via_source.then(|| lookup_name.clone()),
                compared_version: version.clone(),
            });
        }
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.package.cmp(&b.package))
            .then_with(|| a.advisory_id.cmp(&b.advisory_id))
            .then_with(|| a.installed_version.cmp(&b.installed_version))
            .then_with(|| a.purl.cmp(&b.purl))
    });
    MatchReport {
        findings,
        packages_scanned: scanned,
        packages_unsupported: unmatched.len(),
        unmatched,
    }
}

/// The name and version to look up: the source package for Debian, Ubuntu
/// and Alpine (OSV keys those advisories by source package), else the package.
fn lookup_key(pkg: &Package, eco: &str) -> (String, String, bool) {
    if is_distro(eco)
        && let Some(src) = pkg.source_name.as_deref().filter(|s| *s != pkg.name)
    {
        let v = pkg
            .source_version
            .clone()
            .unwrap_or_else(|| pkg.version.clone());
        return (src.to_string(), v, true);
    }
    let v = if is_distro(eco) {
        pkg.source_version
            .clone()
            .unwrap_or_else(|| pkg.version.clone())
    } else {
        pkg.version.clone()
    };
    (pkg.name.clone(), v, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(scheme: Scheme, events: &[(&str, &str)]) -> Range {
        let events = events
            .iter()
            .map(|(k, v)| match *k {
                "introduced" => Event::Introduced((*v).into()),
                "fixed" => Event::Fixed((*v).into()),
                "last_affected" => Event::LastAffected((*v).into()),
                _ => Event::Limit((*v).into()),
            })
            .collect();
        Range {
            kind: crate::RangeKind::SemVer,
            scheme,
            events,
        }
    }

    const UBUNTU: &str = r#"{"id": "UBUNTU-CVE-2024-0001", "affected": [
        {"package": {"ecosystem": "Ubuntu:22.04:LTS", "name": "openssl"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.2-0ubuntu1.15"}]}]},
        {"package": {"ecosystem": "Ubuntu:Pro:18.04:LTS", "name": "openssl"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1.1-1ubuntu2.1~18.04.99"}]}]},
        {"package": {"ecosystem": "Ubuntu", "name": ""}}],
      "severity": [{"type": "Ubuntu", "score": "medium"}]}"#;

    fn ubuntu_pkg(distro: &str, version: &str) -> Sbom {
        crate::parse_sbom(
            format!(
                r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{{"name":"libssl3",
                "purl":"pkg:deb/ubuntu/libssl3@{version}?arch=amd64&upstream=openssl&distro={distro}"}}]}}"#
            )
            .as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn ubuntu_releases_and_pro_streams() {
        let (db, issues) = Database::from_json_documents([("u.json", UBUNTU)]);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert!(issues[0].message.contains("needs `ecosystem` and `name`"));
        assert_eq!((issues[0].line, issues[0].column), (Some(6), Some(21)));

        let r = match_sbom(&db, &ubuntu_pkg("ubuntu-22.04", "3.0.2-0ubuntu1.10"));
        assert_eq!(r.findings.len(), 1);
        let f = &r.findings[0];
        assert_eq!(f.ecosystem, "Ubuntu:22.04:LTS");
        assert_eq!(f.fixed_version.as_deref(), Some("3.0.2-0ubuntu1.15"));
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(f.source_package.as_deref(), Some("openssl"));

        // Fixed version installed.
        assert!(
            match_sbom(&db, &ubuntu_pkg("ubuntu-22.04", "3.0.2-0ubuntu1.15"))
                .findings
                .is_empty()
        );
        // The Pro stream does not apply to a plain 18.04 image.
        assert!(
            match_sbom(
                &db,
                &ubuntu_pkg("ubuntu-18.04", "1.1.1-1ubuntu2.1~18.04.20")
            )
            .findings
            .is_empty()
        );
    }

    /// The examples of the OSV schema documentation.
    #[test]
    fn osv_schema_examples() {
        let all = range(Scheme::SemVer, &[("introduced", "0")]);
        assert_eq!(in_range(&all, "0.0.1"), Some(None));
        assert_eq!(in_range(&all, "99.0.0"), Some(None));

        let fixed = range(Scheme::SemVer, &[("introduced", "0"), ("fixed", "1.0.2")]);
        assert_eq!(in_range(&fixed, "1.0.1"), Some(Some("1.0.2".into())));
        assert_eq!(in_range(&fixed, "1.0.2"), None);

        let multi = range(
            Scheme::SemVer,
            &[
                ("introduced", "1.0.0"),
                ("fixed", "1.0.2"),
                ("introduced", "3.0.0"),
                ("fixed", "3.2.5"),
            ],
        );
        assert_eq!(in_range(&multi, "0.9.0"), None);
        assert_eq!(in_range(&multi, "1.0.0"), Some(Some("1.0.2".into())));
        assert_eq!(in_range(&multi, "2.0.0"), None);
        assert_eq!(in_range(&multi, "3.1.0"), Some(Some("3.2.5".into())));
        assert_eq!(in_range(&multi, "3.2.5"), None);

        let last = range(
            Scheme::SemVer,
            &[("introduced", "0"), ("last_affected", "2.1.214")],
        );
        assert_eq!(in_range(&last, "2.1.214"), Some(None));
        assert_eq!(in_range(&last, "2.1.215"), None);

        let limit = range(
            Scheme::SemVer,
            &[("introduced", "1.0.0"), ("limit", "2.0.0")],
        );
        assert_eq!(in_range(&limit, "1.5.0"), Some(None));
        assert_eq!(in_range(&limit, "2.0.0"), None);
        assert_eq!(in_range(&limit, "0.5.0"), None);
    }
}

//! The OSV advisory database: a directory tree of OSV JSON files, one
//! advisory per file, loaded in parallel and indexed by (ecosystem, package).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use crate::locate::{Seg, locate};
use crate::version::Scheme;
use crate::{Severity, cvss};

/// The largest advisory file read (16 MiB); larger files are reported as issues.
const MAX_ADVISORY_BYTES: u64 = 16 * 1024 * 1024;

/// A problem with one advisory file. Loading continues with the other files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbIssue {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong (with the advisory id and JSON path when relevant).
    pub message: String,
}

impl std::fmt::Display for DbIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// The database directory could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The directory is missing or unreadable.
    #[error("{}: cannot read OSV database directory: {source}", path.display())]
    Unreadable {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The path is not a directory.
    #[error("{}: not a directory", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
}

/// How a range's versions are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeKind {
    /// `SEMVER`: Semantic Versioning precedence.
    SemVer,
    /// `ECOSYSTEM`: the ecosystem's own ordering.
    Ecosystem,
}

/// One range event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `introduced` (`"0"` means from the beginning).
    Introduced(String),
    /// `fixed`.
    Fixed(String),
    /// `last_affected`.
    LastAffected(String),
    /// `limit`.
    Limit(String),
}

impl Event {
    /// The version of the event.
    #[must_use]
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// A `SEMVER` or `ECOSYSTEM` range (GIT ranges are dropped at load), events
/// sorted by version (stable, so equal versions keep their list order).
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    /// Range type.
    pub kind: RangeKind,
    /// The version ordering used for the events.
    pub scheme: Scheme,
    /// Sorted events.
    pub events: Vec<Event>,
}

/// One `affected[]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Affected {
    /// The ecosystem string as written (`Debian:12`).
    pub ecosystem: String,
    /// Canonical base ecosystem (`Debian`).
    pub base: String,
    /// Release part for distro ecosystems (`12`, `v3.18`, `22.04`), else `None`.
    pub release: Option<String>,
    /// The package name as written.
    pub name: String,
    /// Ranges that can be evaluated.
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    pub versions: Vec<String>,
    /// Severity from `affected[].severity` or the advisory's, with fallbacks.
    pub severity: Severity,
    /// Highest computed CVSS base score.
    pub cvss_score: Option<f64>,
    /// The vector of that score.
    pub cvss_vector: Option<String>,
}

/// One OSV advisory, ready for matching.
#[derive(Debug, Clone, PartialEq)]
pub struct Advisory {
    /// `id`.
    pub id: String,
    /// `aliases`.
    pub aliases: Vec<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// `modified`.
    pub modified: Option<String>,
    /// The affected packages.
    pub affected: Vec<Affected>,
}

/// A loaded OSV database.
#[derive(Debug, Default)]
pub struct Database {
    advisories: Vec<Advisory>,
    /// (canonical base ecosystem, normalised name) -> (advisory, affected) indices.
    index: HashMap<(String, String), Vec<(usize, usize)>>,
    withdrawn: usize,
}

#[derive(Deserialize)]
struct RawAdvisory {
    id: String,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    severity: Option<Vec<RawSeverity>>,
    #[serde(default)]
    affected: Option<Vec<RawAffected>>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Deserialize, Clone)]
struct RawSeverity {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    score: String,
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default)]
    severity: Option<Vec<RawSeverity>>,
    #[serde(default)]
    ranges: Option<Vec<RawRange>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
    #[serde(default)]
    ecosystem_specific: Option<Value>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    #[serde(default)]
    ecosystem: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<serde_json::Map<String, Value>>,
}

/// Canonical spelling of a base ecosystem (case-insensitive match of the known names).
pub(crate) fn canonical_base(base: &str) -> String {
    const KNOWN: [&str; 16] = [
        "Debian",
        "Ubuntu",
        "Alpine",
        "Wolfi",
        "Chainguard",
        "npm",
        "Go",
        "crates.io",
        "PyPI",
        "Maven",
        "RubyGems",
        "NuGet",
        "Packagist",
        "Hex",
        "Pub",
        "ConanCenter",
    ];
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(base))
        .map_or_else(|| base.to_string(), |k| (*k).to_string())
}

/// Whether the ecosystem's `:suffix` is a distro release that must match the SBOM's.
pub(crate) fn is_distro(base: &str) -> bool {
    matches!(base, "Debian" | "Ubuntu" | "Alpine")
}

/// Split `Debian:12` / `Alpine:v3.18` / `Ubuntu:22.04:LTS` into base and
/// release. The release keeps every qualifier but a trailing `:LTS`, so
/// `Ubuntu:Pro:18.04:LTS` (an Ubuntu Pro stream) is release `Pro:18.04`
/// and never matches a plain `ubuntu-18.04` package.
pub(crate) fn split_ecosystem(eco: &str) -> (String, Option<String>) {
    let (base, rest) = match eco.split_once(':') {
        Some((b, r)) => (b, Some(r)),
        None => (eco, None),
    };
    let base = canonical_base(base.trim());
    if !is_distro(&base) {
        return (base, None);
    }
    let release = rest
        .map(|r| r.strip_suffix(":LTS").unwrap_or(r).trim())
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    (base, release)
}

/// The name used in the index: PEP 503 for PyPI, as written otherwise.
pub(crate) fn index_name(base: &str, name: &str) -> String {
    if base == "PyPI" {
        crate::sbom::pep503(name)
    } else {
        name.to_string()
    }
}

/// Qualitative severity label from a `*_specific` object.
fn label_severity(v: Option<&Value>) -> Option<Severity> {
    let obj = v?.as_object()?;
    ["severity", "urgency", "cvss_severity"]
        .iter()
        .filter_map(|k| obj.get(*k))
        .find_map(|s| s.as_str().and_then(Severity::from_label))
}

/// Highest CVSS v3.x/v4.0 score if any such vector scores, else highest v2;
/// plus the `Ubuntu` priority type as a label.
fn score_severities(list: &[RawSeverity]) -> (Option<(f64, String)>, Option<Severity>) {
    let mut best_v3: Option<(f64, String)> = None;
    let mut best_v2: Option<(f64, String)> = None;
    let mut label = None;
    for s in list {
        let slot = match s.kind.as_str() {
            "CVSS_V3" | "CVSS_V4" => &mut best_v3,
            "CVSS_V2" => &mut best_v2,
            "Ubuntu" => {
                label = label.max(Severity::from_label(&s.score));
                continue;
            }
            _ => continue,
        };
        if let Ok(score) = cvss::base_score(&s.score)
            && slot.as_ref().is_none_or(|(b, _)| score > *b)
        {
            *slot = Some((score, s.score.clone()));
        }
    }
    (best_v3.or(best_v2), label)
}

fn issue(path: &Path, text: &[u8], segs: &[Seg<'_>], message: String) -> DbIssue {
    let (line, column) = locate(text, segs).map_or((None, None), |(l, c)| (Some(l), Some(c)));
    DbIssue {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// The result of reading one advisory file.
enum Parsed {
    Active(Advisory, Vec<DbIssue>),
    Withdrawn,
    Failed(DbIssue),
}

fn parse_advisory(text: &[u8], path: &Path) -> Parsed {
    let raw: RawAdvisory = match serde_json::from_slice(text) {
        Ok(r) => r,
        Err(e) => {
            let msg = e.to_string();
            let msg = msg
                .rfind(" at line ")
                .and_then(|i| msg.get(..i))
                .unwrap_or(&msg);
            return Parsed::Failed(DbIssue {
                path: path.to_path_buf(),
                line: Some(e.line()).filter(|l| *l > 0),
                column: Some(e.column()).filter(|_| e.line() > 0),
                message: format!("invalid OSV JSON: {msg}"),
            });
        }
    };
    if raw
        .withdrawn
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
    {
        return Parsed::Withdrawn;
    }
    let mut issues = Vec::new();
    let top = score_severities(raw.severity.as_deref().unwrap_or_default());
    let top_label = label_severity(raw.database_specific.as_ref());
    let mut affected = Vec::new();
    for (ai, a) in raw.affected.unwrap_or_default().into_iter().enumerate() {
        let Some(pkg) = a.package else {
            continue; // GIT-only entries without a package cannot match an SBOM.
        };
        if pkg.ecosystem.trim().is_empty() || pkg.name.trim().is_empty() {
            issues.push(issue(
                path,
                text,
                &[Seg::Key("affected"), Seg::Index(ai), Seg::Key("package")],
                format!(
                    "{}: affected[{ai}].package needs `ecosystem` and `name`; entry ignored",
                    raw.id
                ),
            ));
            continue;
        }
        let (base, release) = split_ecosystem(&pkg.ecosystem);
        let scheme = Scheme::for_ecosystem(&base);
        let own = a
            .severity
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(score_severities);
        let (score, ubuntu_label) = own.clone().unwrap_or_else(|| top.clone());
        let severity = score
            .as_ref()
            .map(|(s, _)| Severity::from_score(*s))
            .or(ubuntu_label)
            .or_else(|| label_severity(a.database_specific.as_ref()))
            .or_else(|| label_severity(a.ecosystem_specific.as_ref()))
            .or(top_label)
            .unwrap_or(Severity::Unknown);
        let mut ranges = Vec::new();
        for (ri, r) in a.ranges.unwrap_or_default().into_iter().enumerate() {
            let at = |ei: Option<usize>| {
                let mut segs = vec![
                    Seg::Key("affected"),
                    Seg::Index(ai),
                    Seg::Key("ranges"),
                    Seg::Index(ri),
                ];
                if let Some(ei) = ei {
                    segs.push(Seg::Key("events"));
                    segs.push(Seg::Index(ei));
                }
                segs
            };
            let where_ = |ei: Option<usize>| match ei {
                Some(ei) => format!("{}: affected[{ai}].ranges[{ri}].events[{ei}]", raw.id),
                None => format!("{}: affected[{ai}].ranges[{ri}]", raw.id),
            };
            let (kind, range_scheme) = match r.kind.as_str() {
                "GIT" => continue,
                "SEMVER" => (RangeKind::SemVer, Some(Scheme::SemVer)),
                "ECOSYSTEM" => (RangeKind::Ecosystem, scheme),
                other => {
                    issues.push(issue(
                        path,
                        text,
                        &at(None),
                        format!(
                            "{}: unknown range type `{other}`; range ignored",
                            where_(None)
                        ),
                    ));
                    continue;
                }
            };
            let Some(range_scheme) = range_scheme else {
                continue; // No comparator for this ecosystem; nothing can match it.
            };
            let mut events = Vec::new();
            let mut bad = false;
            let mut seen_introduced = false;
            for (ei, e) in r.events.iter().enumerate() {
                let mut entries = e.iter();
                let (Some((k, v)), None) = (entries.next(), entries.next()) else {
                    issues.push(issue(
                        path,
                        text,
                        &at(Some(ei)),
                        format!(
                            "{}: an event must have exactly one field; range ignored",
                            where_(Some(ei))
                        ),
                    ));
                    bad = true;
                    break;
                };
                let Some(v) = v.as_str() else {
                    issues.push(issue(
                        path,
                        text,
                        &at(Some(ei)),
                        format!(
                            "{}: event `{k}` is not a string; range ignored",
                            where_(Some(ei))
                        ),
                    ));
                    bad = true;
                    break;
                };
                let ev = match k.as_str() {
                    "introduced" => {
                        seen_introduced = true;
                        Event::Introduced(v.to_string())
                    }
                    "fixed" | "last_affected" | "limit" => {
                        if !seen_introduced {
                            issues.push(issue(
                                path,
                                text,
                                &at(Some(ei)),
                                format!(
                                    "{}: `{k}` before any `introduced` event (evaluated after sorting)",
                                    where_(Some(ei))
                                ),
                            ));
                        }
                        match k.as_str() {
                            "fixed" => Event::Fixed(v.to_string()),
                            "last_affected" => Event::LastAffected(v.to_string()),
                            _ => Event::Limit(v.to_string()),
                        }
                    }
                    other => {
                        issues.push(issue(
                            path,
                            text,
                            &at(Some(ei)),
                            format!(
                                "{}: unknown event `{other}`; range ignored",
                                where_(Some(ei))
                            ),
                        ));
                        bad = true;
                        break;
                    }
                };
                let zero = matches!(&ev, Event::Introduced(v) if v == "0");
                if !zero && let Err(e) = range_scheme.validate(ev.version()) {
                    issues.push(issue(
                        path,
                        text,
                        &at(Some(ei)),
                        format!("{}: {e}; range ignored", where_(Some(ei))),
                    ));
                    bad = true;
                    break;
                }
                events.push(ev);
            }
            if bad {
                continue;
            }
            if !seen_introduced {
                issues.push(issue(
                    path,
                    text,
                    &at(None),
                    format!(
                        "{}: range has no `introduced` event; range ignored",
                        where_(None)
                    ),
                ));
                continue;
            }
            sort_events(range_scheme, &mut events);
            ranges.push(Range {
                kind,
                scheme: range_scheme,
                events,
            });
        }
        affected.push(Affected {
            ecosystem: pkg.ecosystem.clone(),
            base,
            release,
            name: pkg.name,
            ranges,
            versions: a.versions.unwrap_or_default(),
            severity,
            cvss_score: score.as_ref().map(|(s, _)| *s),
            cvss_vector: score.map(|(_, v)| v),
        });
    }
    Parsed::Active(
        Advisory {
            id: raw.id,
            aliases: raw.aliases.unwrap_or_default(),
            summary: raw.summary.filter(|s| !s.trim().is_empty()),
            modified: raw.modified,
            affected,
        },
        issues,
    )
}

/// Sort events by version; `introduced: "0"` first. Stable.
fn sort_events(scheme: Scheme, events: &mut [Event]) {
    events.sort_by(|a, b| {
        let za = matches!(a, Event::Introduced(v) if v == "0");
        let zb = matches!(b, Event::Introduced(v) if v == "0");
        match (za, zb) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => scheme
                .compare(a.version(), b.version())
                .unwrap_or(std::cmp::Ordering::Equal),
        }
    });
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>, issues: &mut Vec<DbIssue>) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) => {
                issues.push(DbIssue {
                    path: d.clone(),
                    line: None,
                    column: None,
                    message: format!("cannot read directory: {e}"),
                });
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
                out.push(path);
            }
        }
    }
}

impl Database {
    /// Load every `*.json` file under `dir` (recursively, in parallel).
    ///
    /// Files that are not valid OSV JSON, and malformed ranges inside valid
    /// advisories, become [`DbIssue`]s; everything else is loaded.
    /// Withdrawn advisories are skipped. Issues are sorted by path and line.
    ///
    /// # Errors
    /// Only when `dir` itself cannot be read.
    pub fn load_dir(dir: &Path) -> Result<(Database, Vec<DbIssue>), DbError> {
        let meta = std::fs::metadata(dir).map_err(|source| DbError::Unreadable {
            path: dir.to_path_buf(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(DbError::NotADirectory {
                path: dir.to_path_buf(),
            });
        }
        std::fs::read_dir(dir).map_err(|source| DbError::Unreadable {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut files = Vec::new();
        let mut issues = Vec::new();
        collect_files(dir, &mut files, &mut issues);
        files.sort();
        let parsed: Vec<Parsed> = files
            .par_iter()
            .map(|path| {
                let read = std::fs::File::open(path).and_then(|f| {
                    let mut buf = Vec::new();
                    std::io::Read::read_to_end(
                        &mut std::io::Read::take(f, MAX_ADVISORY_BYTES + 1),
                        &mut buf,
                    )
                    .map(|_| buf)
                });
                match read {
                    Ok(buf) if buf.len() as u64 > MAX_ADVISORY_BYTES => Parsed::Failed(DbIssue {
                        path: path.clone(),
                        line: None,
                        column: None,
                        message: format!(
                            "advisory file larger than {MAX_ADVISORY_BYTES} bytes; skipped"
                        ),
                    }),
                    Ok(buf) => parse_advisory(&buf, path),
                    Err(e) => Parsed::Failed(DbIssue {
                        path: path.clone(),
                        line: None,
                        column: None,
                        message: format!("cannot read file: {e}"),
                    }),
                }
            })
            .collect();
        let (db, mut more) = Database::from_parsed(parsed);
        issues.append(&mut more);
        issues.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        Ok((db, issues))
    }

    /// Build a database from in-memory OSV JSON documents `(name, json)`;
    /// `name` stands for the file path in issues. For tests and embedding.
    pub fn from_json_documents<'a, I>(docs: I) -> (Database, Vec<DbIssue>)
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let parsed = docs
            .into_iter()
            .map(|(name, json)| parse_advisory(json.as_bytes(), Path::new(name)))
            .collect();
        Database::from_parsed(parsed)
    }

    /// Build a database from already-built advisories.
    #[must_use]
    pub fn from_advisories(advisories: Vec<Advisory>) -> Database {
        let mut db = Database {
            advisories,
            ..Database::default()
        };
        db.reindex();
        db
    }

    fn from_parsed(parsed: Vec<Parsed>) -> (Database, Vec<DbIssue>) {
        let mut advisories = Vec::new();
        let mut issues = Vec::new();
        let mut withdrawn = 0;
        for p in parsed {
            match p {
                Parsed::Active(a, mut i) => {
                    advisories.push(a);
                    issues.append(&mut i);
                }
                Parsed::Withdrawn => withdrawn += 1,
                Parsed::Failed(i) => issues.push(i),
            }
        }
        let mut db = Database::from_advisories(advisories);
        db.withdrawn = withdrawn;
        (db, issues)
    }

    fn reindex(&mut self) {
        self.index.clear();
        for (ai, adv) in self.advisories.iter().enumerate() {
            for (fi, aff) in adv.affected.iter().enumerate() {
                self.index
                    .entry((aff.base.clone(), index_name(&aff.base, &aff.name)))
                    .or_default()
                    .push((ai, fi));
            }
        }
    }

    /// Number of loaded (non-withdrawn) advisories.
    #[must_use]
    pub fn advisory_count(&self) -> usize {
        self.advisories.len()
    }

    /// Number of withdrawn advisories skipped while loading.
    #[must_use]
    pub fn withdrawn_count(&self) -> usize {
        self.withdrawn
    }

    /// All loaded advisories.
    #[must_use]
    pub fn advisories(&self) -> &[Advisory] {
        &self.advisories
    }

    /// The `(advisory, affected)` entries for a base ecosystem and package name.
    pub(crate) fn lookup(
        &self,
        base: &str,
        name: &str,
    ) -> impl Iterator<Item = (&Advisory, &Affected)> {
        self.index
            .get(&(base.to_string(), index_name(base, name)))
            .into_iter()
            .flatten()
            .filter_map(|&(ai, fi)| {
                let adv = self.advisories.get(ai)?;
                Some((adv, adv.affected.get(fi)?))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems() {
        assert_eq!(
            split_ecosystem("Debian:12"),
            ("Debian".into(), Some("12".into()))
        );
        assert_eq!(
            split_ecosystem("Alpine:v3.18"),
            ("Alpine".into(), Some("v3.18".into()))
        );
        assert_eq!(
            split_ecosystem("Ubuntu:22.04:LTS"),
            ("Ubuntu".into(), Some("22.04".into()))
        );
        assert_eq!(
            split_ecosystem("Ubuntu:Pro:18.04:LTS"),
            ("Ubuntu".into(), Some("Pro:18.04".into()))
        );
        assert_eq!(
            split_ecosystem("Ubuntu:24.10"),
            ("Ubuntu".into(), Some("24.10".into()))
        );
        assert_eq!(split_ecosystem("Debian:"), ("Debian".into(), None));
        assert_eq!(
            split_ecosystem("Maven:https://maven.google.com"),
            ("Maven".into(), None)
        );
        assert_eq!(split_ecosystem("pypi"), ("PyPI".into(), None));
        assert_eq!(split_ecosystem("Debian"), ("Debian".into(), None));
    }

    #[test]
    fn sorted_events() {
        let mut ev = vec![
            Event::Fixed("1.0.2".into()),
            Event::Introduced("3.0.0".into()),
            Event::Introduced("0".into()),
            Event::Fixed("3.2.5".into()),
        ];
        sort_events(Scheme::SemVer, &mut ev);
        assert_eq!(
            ev,
            vec![
                Event::Introduced("0".into()),
                Event::Fixed("1.0.2".into()),
                Event::Introduced("3.0.0".into()),
                Event::Fixed("3.2.5".into()),
            ]
        );
    }
}

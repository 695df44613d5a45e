//! `kubeward node`: the CIS Kubernetes Benchmark (v1.12.0) checks of the
//! `kubeward-controlplane` engine over a node's files, as `CP` diagnostics plus a kube-bench
//! style results table (text) or `checks` array (JSON).
//!
//! Every check result keeps its status (pass, fail, warn = manual review or not evaluable,
//! not-applicable = the component is not on this node). Failed checks become diagnostics of
//! their `CP` rule through [`Engine::external`], located at the evidence's file and, when the
//! engine names a field path in a YAML file (static pod manifests, kubelet configuration,
//! EncryptionConfiguration, audit policy), at that field's line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use kubeward_controlplane::encryption::{SecretsEncryption, review_secrets};
use kubeward_controlplane::{
    CheckResult, Evidence, ExplicitFiles, LayoutError, NodeLayout, Options, Report as NodeReport,
    Status, run_checks,
};
use kubeward_diagnostics::{Diagnostic, InputError, Location, ObjectId, Related, Snippet};
use kubeward_report::{Report, Summary, json, junit, sarif, text};
use kubeward_rules::rules::controlplane::{BENCHMARK, rule_for_check};
use kubeward_rules::{Engine, ExternalFinding, locate, object_id, snippet_for};
use kubeward_source::SourceFile;
use serde::Serialize;

use crate::cmd::scan::{Color, Format, engine_and_threshold};
use crate::pipeline::rule_docs;
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, output};

/// Largest file read again to locate a field (manifests and configuration files are small).
const MAX_LOCATE_SIZE: u64 = 4 * 1024 * 1024;

/// The location used for evidence that names no file.
const NODE_LOCATION: &str = "<node>";

/// A check status, as named on the command line and in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum ShowStatus {
    /// The node meets the recommendation.
    Pass,
    /// It does not.
    Fail,
    /// Manual review needed, or the check could not be evaluated.
    Warn,
    /// The component is not on this node.
    #[value(alias = "not-applicable")]
    Na,
}

impl ShowStatus {
    fn of(status: Status) -> Self {
        match status {
            Status::Pass => Self::Pass,
            Status::Fail => Self::Fail,
            Status::Warn => Self::Warn,
            Status::NotApplicable => Self::Na,
        }
    }
}

/// The JSON name of a status.
#[must_use]
pub fn status_name(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Warn => "warn",
        Status::NotApplicable => "not-applicable",
    }
}

/// Arguments of `kubeward node`.
#[derive(Debug, Args)]
#[command(
    after_help = "Without --root or explicit files, the node at / is checked. \
Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage error or unreadable input."
)]
pub struct NodeArgs {
    /// Directory standing for the node's `/` (a mounted node image or a copy); default `/`.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["manifests", "kubelet_config", "kubelet_arg", "encryption_config", "audit_policy"])]
    pub root: Option<PathBuf>,
    /// Directory of static pod manifests (instead of a node root).
    #[arg(long, value_name = "DIR")]
    pub manifests: Option<PathBuf>,
    /// Kubelet configuration file (KubeletConfiguration).
    #[arg(long, value_name = "FILE")]
    pub kubelet_config: Option<PathBuf>,
    /// A kubelet command-line argument, as the kubelet receives it (repeatable:
    /// `--kubelet-arg=--anonymous-auth=false`); flags override the configuration file.
    #[arg(long = "kubelet-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub kubelet_arg: Vec<String>,
    /// The API server's EncryptionConfiguration file.
    #[arg(long, value_name = "FILE")]
    pub encryption_config: Option<PathBuf>,
    /// The API server's audit Policy file.
    #[arg(long, value_name = "FILE")]
    pub audit_policy: Option<PathBuf>,
    /// The uid:gid standing for `root` in ownership checks (for copies of a node's files).
    #[arg(long, value_name = "UID:GID")]
    pub root_owner: Option<String>,
    /// The uid:gid standing for `etcd:etcd` (default: looked up in the node's /etc/passwd and /etc/group).
    #[arg(long, value_name = "UID:GID")]
    pub etcd_owner: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1: critical, high, medium, low, info, or never.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Check results to list in the results table (text) and the `checks` array (JSON).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "STATUS", default_values_t = [ShowStatus::Pass, ShowStatus::Fail, ShowStatus::Warn, ShowStatus::Na])]
    pub show: Vec<ShowStatus>,
    /// Checks to run, by rule: codes, names or prefixes (`CP0,CP120`). Repeatable, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Checks not to run, by rule. Repeatable, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Configuration file (default: `.kubeward.yaml` in the current directory, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Colour text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

impl NodeArgs {
    fn explicit(&self) -> bool {
        self.manifests.is_some()
            || self.kubelet_config.is_some()
            || !self.kubelet_arg.is_empty()
            || self.encryption_config.is_some()
            || self.audit_policy.is_some()
    }
}

fn parse_owner(flag: &str, value: &str) -> anyhow::Result<(u32, u32)> {
    let (uid, gid) = value
        .split_once(':')
        .with_context(|| format!("{flag}: `{value}` is not UID:GID"))?;
    let uid = uid
        .trim()
        .parse()
        .with_context(|| format!("{flag}: `{uid}` is not a numeric uid"))?;
    let gid = gid
        .trim()
        .parse()
        .with_context(|| format!("{flag}: `{gid}` is not a numeric gid"))?;
    Ok((uid, gid))
}

/// Reads the node described by the arguments.
fn read_layout(args: &NodeArgs) -> anyhow::Result<NodeLayout> {
    if args.explicit() {
        return Ok(NodeLayout::from_files(&ExplicitFiles {
            manifests_dir: args.manifests.clone(),
            kubelet_config: args.kubelet_config.clone(),
            kubelet_args: (!args.kubelet_arg.is_empty()).then(|| args.kubelet_arg.clone()),
            encryption_config: args.encryption_config.clone(),
            audit_policy: args.audit_policy.clone(),
        }));
    }
    let root = args.root.clone().unwrap_or_else(|| PathBuf::from("/"));
    if !root.is_dir() {
        bail!("--root {}: not a directory", root.display());
    }
    Ok(NodeLayout::from_root(&root))
}

/// A file read back to locate field paths.
struct Located {
    source: SourceFile,
    object: Option<kubeward_model::Object>,
    root: Option<kubeward_yaml::Node>,
}

/// Resolves evidence to locations, reading each file once.
struct Locator<'a> {
    layout: &'a NodeLayout,
    files: BTreeMap<PathBuf, Option<Located>>,
}

/// Where a piece of evidence points.
struct Place {
    location: Location,
    snippet: Option<Snippet>,
    object: Option<ObjectId>,
}

impl<'a> Locator<'a> {
    fn new(layout: &'a NodeLayout) -> Self {
        Self {
            layout,
            files: BTreeMap::new(),
        }
    }

    fn read(&self, node_path: &Path) -> Option<Located> {
        let local = match &self.layout.root {
            Some(_) => self.layout.local_path(&node_path.to_string_lossy()),
            None => node_path.to_path_buf(),
        };
        let meta = std::fs::metadata(&local).ok()?;
        if !meta.is_file() || meta.len() > MAX_LOCATE_SIZE {
            return None;
        }
        let text = std::fs::read_to_string(&local).ok()?;
        let name = node_path.display().to_string();
        let source = SourceFile::new(name.as_str(), text);
        let loaded = kubeward_model::load_source(&source, kubeward_yaml::Limits::default());
        let object = loaded.objects.into_iter().next();
        let root = if object.is_none() {
            kubeward_yaml::parse_str(source.text())
                .documents
                .into_iter()
                .map(|d| d.root)
                .find(|r| !r.is_null())
        } else {
            None
        };
        Some(Located {
            source,
            object,
            root,
        })
    }

    fn place(&mut self, ev: &Evidence) -> Place {
        let Some(file) = &ev.file else {
            return Place {
                location: Location {
                    file: Arc::from(NODE_LOCATION),
                    ..Location::default()
                },
                snippet: None,
                object: None,
            };
        };
        let whole_file = Location {
            file: Arc::from(file.display().to_string().as_str()),
            path: ev.field_path.clone(),
            ..Location::default()
        };
        let Some(path) = ev.field_path.as_deref() else {
            return Place {
                location: whole_file,
                snippet: None,
                object: None,
            };
        };
        if !self.files.contains_key(file) {
            let read = self.read(file);
            self.files.insert(file.clone(), read);
        }
        match self.files.get(file).and_then(Option::as_ref) {
            Some(Located {
                object: Some(object),
                ..
            }) => {
                let (location, snippet) = locate(object, path);
                Place {
                    location,
                    snippet: Some(snippet),
                    object: Some(object_id(object)).filter(|o| !o.name.is_empty()),
                }
            }
            Some(Located {
                source,
                root: Some(root),
                ..
            }) => {
                let span = root.locate(path).span;
                Place {
                    location: Location {
                        start: span.start,
                        end: span.end,
                        ..whole_file
                    },
                    snippet: Some(snippet_for(source, span)),
                    object: None,
                }
            }
            _ => Place {
                location: whole_file,
                snippet: None,
                object: None,
            },
        }
    }
}

/// The evidence a diagnostic points at: the one the reason quotes, else the most specific
/// field path, else the first with a file, else the first.
fn primary(reason: &str, evidence: &[Evidence]) -> Option<usize> {
    let located = |e: &&Evidence| e.file.is_some() && e.field_path.is_some();
    evidence
        .iter()
        .position(|e| located(&e) && !e.detail.is_empty() && reason.contains(e.detail.as_str()))
        .or_else(|| {
            evidence
                .iter()
                .enumerate()
                .filter(|(_, e)| located(e))
                .max_by_key(|(i, e)| {
                    let depth = e
                        .field_path
                        .as_deref()
                        .map_or(0, |p| p.matches(['.', '[']).count());
                    (depth, std::cmp::Reverse(*i))
                })
                .map(|(i, _)| i)
        })
        .or_else(|| evidence.iter().position(|e| e.file.is_some()))
        .or(if evidence.is_empty() { None } else { Some(0) })
}

/// The diagnostic of a failed check, or `None` when its rule is disabled.
fn diagnostic(engine: &Engine, locator: &mut Locator<'_>, r: &CheckResult) -> Option<Diagnostic> {
    let rule = rule_for_check(r.meta.id)?;
    let first = primary(&r.reason, &r.evidence);
    let (location, snippet, object) = match first.and_then(|i| r.evidence.get(i)) {
        Some(ev) => {
            let place = locator.place(ev);
            (place.location, place.snippet, place.object)
        }
        None => (
            Location {
                file: Arc::from(NODE_LOCATION),
                ..Location::default()
            },
            None,
            None,
        ),
    };
    let mut message = r.reason.clone();
    if !r.meta.id.starts_with("kw.") {
        let _ = write!(message, " [CIS {}]", r.meta.id);
    }
    let related = r
        .evidence
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != first)
        .map(|(_, ev)| Related {
            location: locator.place(ev).location,
            message: ev.detail.clone(),
        })
        .collect();
    engine.external(
        rule,
        ExternalFinding {
            message,
            object,
            location,
            snippet,
            fix: None,
            severity: None,
            related,
        },
    )
}

/// Layout problems as input errors (`KW001` syntax, `KW004` unreadable, `KW006` invalid, at
/// the field's line when it can be found).
fn input_errors(errors: &[LayoutError], locator: &mut Locator<'_>) -> Vec<InputError> {
    let mut out: Vec<InputError> = errors
        .iter()
        .map(|e| match e {
            LayoutError::Unreadable { path, message } => InputError {
                file: path.display().to_string(),
                line: 0,
                column: 0,
                code: "KW004",
                message: format!("cannot read: {message}"),
            },
            LayoutError::Unparseable {
                path,
                line,
                col,
                message,
            } => InputError {
                file: path.display().to_string(),
                line: *line,
                column: *col,
                code: "KW001",
                message: message.clone(),
            },
            LayoutError::Invalid {
                path,
                field_path,
                message,
            } => {
                let at = if field_path.is_empty() {
                    Location::default()
                } else {
                    locator
                        .place(&Evidence {
                            file: Some(path.clone()),
                            field_path: Some(field_path.clone()),
                            detail: String::new(),
                        })
                        .location
                };
                InputError {
                    file: path.display().to_string(),
                    line: at.start.line,
                    column: at.start.col,
                    code: "KW006",
                    message: if field_path.is_empty() {
                        message.clone()
                    } else {
                        format!("`{field_path}`: {message}")
                    },
                }
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Everything `kubeward node` computed, ready to render.
struct NodeRun {
    report: NodeReport,
    diagnostics: Vec<Diagnostic>,
    errors: Vec<InputError>,
    /// Per check id: the line of each evidence item (0 when unknown).
    lines: BTreeMap<&'static str, Vec<u32>>,
    files: usize,
    objects: usize,
}

/// CIS 1.2.28 for an EncryptionConfiguration given with `--encryption-config` but no API
/// server manifest (the engine then says not applicable): review the file on its own.
fn standalone_encryption(layout: &NodeLayout, result: &mut CheckResult) {
    if result.status != Status::NotApplicable {
        return;
    }
    let Some(file) = &layout.encryption_config else {
        return;
    };
    let Some(root) = &file.root else {
        result.status = Status::Warn;
        result.reason = "the encryption configuration file does not parse".into();
        return;
    };
    let review = review_secrets(root);
    result.evidence = vec![Evidence {
        file: Some(file.file.path.clone()),
        field_path: Some(review.field_path.clone()),
        detail: review
            .write_provider
            .clone()
            .map_or_else(|| review.message.clone(), |w| format!("writes with `{w}`")),
    }];
    (result.status, result.reason) = match review.verdict {
        SecretsEncryption::Strong => (Status::Pass, review.message),
        SecretsEncryption::Weak => (Status::Warn, review.message),
        SecretsEncryption::NotEncrypted => (Status::Fail, review.message),
        SecretsEncryption::Invalid => {
            (Status::Warn, format!("cannot evaluate: {}", review.message))
        }
    };
}

fn evaluate(
    engine: &Engine,
    layout: &NodeLayout,
    options: &Options,
    encryption_given: bool,
) -> NodeRun {
    let mut report = run_checks(layout, options);
    if encryption_given && let Some(r) = report.results.iter_mut().find(|r| r.meta.id == "1.2.28") {
        standalone_encryption(layout, r);
    }
    // `--select`/`--ignore` and the configuration choose the checks as they choose the rules.
    report.results.retain(|r| {
        rule_for_check(r.meta.id).is_none_or(|rule| engine.settings().selection.enabled(rule))
    });
    let mut locator = Locator::new(layout);
    let mut diagnostics: Vec<Diagnostic> = report
        .results
        .iter()
        .filter(|r| r.status == Status::Fail)
        .filter_map(|r| diagnostic(engine, &mut locator, r))
        .collect();
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let lines = report
        .results
        .iter()
        .map(|r| {
            let lines = r
                .evidence
                .iter()
                .map(|e| {
                    if e.field_path.is_some() {
                        locator.place(e).location.start.line
                    } else {
                        0
                    }
                })
                .collect();
            (r.meta.id, lines)
        })
        .collect();
    let mut files: Vec<&Path> = report
        .results
        .iter()
        .flat_map(|r| r.evidence.iter().filter_map(|e| e.file.as_deref()))
        .collect();
    files.sort();
    files.dedup();
    NodeRun {
        errors: input_errors(&report.errors, &mut locator),
        files: files.len(),
        objects: layout.static_pods.len(),
        report,
        diagnostics,
        lines,
    }
}

/// Runs `kubeward node`.
///
/// # Errors
/// Usage, configuration and output errors.
pub fn run(args: &NodeArgs) -> anyhow::Result<u8> {
    let (engine, threshold) = engine_and_threshold(
        &args.select,
        &args.ignore,
        args.config.as_deref(),
        args.fail_on.as_deref(),
    )?;
    let root_owner = args
        .root_owner
        .as_deref()
        .map(|v| parse_owner("--root-owner", v))
        .transpose()?
        .unwrap_or((0, 0));
    let etcd_owner = args
        .etcd_owner
        .as_deref()
        .map(|v| parse_owner("--etcd-owner", v))
        .transpose()?;
    let options = Options {
        root_uid: root_owner.0,
        root_gid: root_owner.1,
        etcd_owner,
    };
    let layout = read_layout(args)?;
    let run = evaluate(&engine, &layout, &options, args.encryption_config.is_some());
    let rules = rule_docs(&engine);
    let report = Report {
        diagnostics: &run.diagnostics,
        errors: &run.errors,
        summary: Summary {
            files: run.files,
            objects: run.objects,
            suppressed: 0,
            skipped: Vec::new(),
        },
        rules: &rules,
        objects: &[],
    };
    let color = args.color.for_stdout(args.output.as_deref());
    let rendered = match args.format {
        Format::Text => {
            let mut out = results_table(&run, &args.show, color);
            out.push_str(&text::render(
                &report,
                text::TextOptions {
                    color,
                    quiet: false,
                },
            ));
            out
        }
        Format::Json => with_checks(&json::render(&report), &run, &args.show)?,
        Format::Sarif => sarif::render(&report),
        Format::Junit => junit::render(&report),
    };
    if !output::write(&rendered, args.output.as_deref())? {
        return Ok(EXIT_OK);
    }
    if !run.errors.is_empty() {
        return Ok(EXIT_ERROR);
    }
    let failing = threshold.is_some_and(|t| run.diagnostics.iter().any(|d| d.severity >= t));
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
}

/// The benchmark section of a check id (`1.2`, `2`, `kw`) and its title.
fn section(id: &str) -> (String, &'static str) {
    let mut parts = id.split('.');
    let major = parts.next().unwrap_or_default();
    let key = match major {
        "2" | "kw" => major.to_string(),
        _ => format!("{major}.{}", parts.next().unwrap_or_default()),
    };
    let title = match key.as_str() {
        "1.1" => "Control Plane Node Configuration Files",
        "1.2" => "API Server",
        "1.3" => "Controller Manager",
        "1.4" => "Scheduler",
        "2" => "Etcd Node Configuration",
        "3.1" => "Authentication and Authorization",
        "3.2" => "Logging",
        "4.1" => "Worker Node Configuration Files",
        "4.2" => "Kubelet",
        "kw" => "kubeward additional checks",
        _ => "Other",
    };
    (key, title)
}

fn tag(status: Status, color: bool) -> String {
    let (label, code) = match status {
        Status::Pass => ("PASS", "1;32"),
        Status::Fail => ("FAIL", "1;31"),
        Status::Warn => ("WARN", "1;33"),
        Status::NotApplicable => ("N/A ", "2"),
    };
    if color {
        format!("\x1b[{code}m[{label}]\x1b[0m")
    } else {
        format!("[{label}]")
    }
}

#[derive(Default)]
struct Counts {
    pass: usize,
    fail: usize,
    warn: usize,
    na: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Warn => self.warn += 1,
            Status::NotApplicable => self.na += 1,
        }
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} PASS, {} FAIL, {} WARN, {} N/A",
            self.pass, self.fail, self.warn, self.na
        )
    }
}

/// The kube-bench style results table: one block per benchmark section.
fn results_table(run: &NodeRun, show: &[ShowStatus], color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{BENCHMARK}: {} checks", run.report.results.len());
    let mut sections: Vec<(String, &'static str, Vec<&CheckResult>)> = Vec::new();
    for r in &run.report.results {
        let (key, title) = section(r.meta.id);
        match sections.last_mut() {
            Some((k, _, list)) if *k == key => list.push(r),
            _ => sections.push((key, title, vec![r])),
        }
    }
    let mut total = Counts::default();
    for (key, title, results) in &sections {
        let _ = writeln!(out, "\n[{key}] {title}");
        let mut counts = Counts::default();
        for r in results {
            counts.add(r.status);
            total.add(r.status);
            if !show.contains(&ShowStatus::of(r.status)) {
                continue;
            }
            let code = rule_for_check(r.meta.id).map_or("-", |rule| rule.code);
            let _ = writeln!(
                out,
                "{} {:<7} {:<6} {}",
                tag(r.status, color),
                r.meta.id,
                code,
                r.meta.title
            );
            if r.status != Status::Pass {
                let _ = writeln!(out, "{:22}{}", "", r.reason);
            }
        }
        let _ = writeln!(out, "== {key}: {counts}");
    }
    let _ = writeln!(out, "\n== Total: {total}\n");
    out
}

/// One element of the JSON `checks` array.
#[derive(Serialize)]
struct CheckJson<'a> {
    id: &'static str,
    cis: Option<&'static str>,
    code: Option<&'static str>,
    title: &'static str,
    automated: bool,
    status: &'static str,
    reason: &'a str,
    evidence: Vec<EvidenceJson<'a>>,
}

/// One evidence item of a check.
#[derive(Serialize)]
struct EvidenceJson<'a> {
    file: Option<String>,
    line: u32,
    field_path: Option<&'a str>,
    detail: &'a str,
}

/// The JSON document of `kubeward scan` plus `benchmark` and `checks`, keeping the scan
/// document's field order.
fn with_checks(scan_json: &str, run: &NodeRun, show: &[ShowStatus]) -> anyhow::Result<String> {
    let checks: Vec<CheckJson<'_>> = run
        .report
        .results
        .iter()
        .filter(|r| show.contains(&ShowStatus::of(r.status)))
        .map(|r| {
            let lines = run.lines.get(r.meta.id);
            CheckJson {
                id: r.meta.id,
                cis: (!r.meta.id.starts_with("kw.")).then_some(r.meta.id),
                code: rule_for_check(r.meta.id).map(|rule| rule.code),
                title: r.meta.title,
                automated: r.meta.scored,
                status: status_name(r.status),
                reason: &r.reason,
                evidence: r
                    .evidence
                    .iter()
                    .enumerate()
                    .map(|(i, e)| EvidenceJson {
                        file: e.file.as_ref().map(|f| f.display().to_string()),
                        line: lines.and_then(|l| l.get(i)).copied().unwrap_or(0),
                        field_path: e.field_path.as_deref(),
                        detail: &e.detail,
                    })
                    .collect(),
            }
        })
        .collect();
    let checks = serde_json::to_string_pretty(&checks)?.replace('\n', "\n  ");
    let benchmark = serde_json::to_string(BENCHMARK)?;
    let Some(body) = scan_json.trim_end().strip_suffix('}') else {
        bail!("internal error: the scan JSON document is not an object");
    };
    let doc = format!(
        "{},\n  \"benchmark\": {benchmark},\n  \"checks\": {checks}\n}}\n",
        body.trim_end()
    );
    // The splice must stay valid JSON.
    serde_json::from_str::<serde_json::Value>(&doc)
        .context("internal error: invalid node JSON document")?;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use kubeward_controlplane::catalogue;
    use kubeward_rules::rules::controlplane::{CHECKS, RULES};

    use super::*;

    /// The rule docs repeat the engine's what/why/fix verbatim; this keeps them in step, and
    /// every check of the catalogue has exactly one rule.
    #[test]
    fn every_check_has_its_rule_with_the_engine_text() {
        let catalogue = catalogue();
        assert_eq!(catalogue.len(), CHECKS.len());
        for meta in &catalogue {
            let rule = rule_for_check(meta.id)
                .unwrap_or_else(|| panic!("no CP rule for check {}", meta.id));
            for (what, text) in [("what", meta.what), ("why", meta.why), ("fix", meta.fix)] {
                assert!(
                    rule.docs.contains(text),
                    "{} ({}): docs do not repeat the engine's `{what}` text",
                    rule.code,
                    meta.id
                );
            }
            assert_eq!(rule.fix, meta.fix, "{}", rule.code);
            assert!(rule.docs.contains(meta.title), "{}", rule.code);
        }
        assert_eq!(BENCHMARK, kubeward_controlplane::BENCHMARK);
        assert!(RULES.len() > CHECKS.len());
    }

    #[test]
    fn sections() {
        assert_eq!(section("1.2.30").0, "1.2");
        assert_eq!(section("2.7").0, "2");
        assert_eq!(section("kw.command-line").0, "kw");
    }

    #[test]
    fn owners() {
        assert_eq!(parse_owner("--x", "0:0").unwrap(), (0, 0));
        assert!(parse_owner("--x", "root").is_err());
        assert!(parse_owner("--x", "1:x").is_err());
    }
}

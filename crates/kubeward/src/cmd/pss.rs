//! `kubeward pss`: Pod Security Standards verdicts, exactly as the API server's Pod Security
//! Admission gives them, for every workload in the input (Pods and every kind with a pod
//! template), with the line and column of each offending field.
//!
//! - Default: every workload is evaluated at `--level`/`--version`; exit 1 when one is not
//!   allowed.
//! - `--namespace-labels`: Namespace objects in the input set the policy of their workloads
//!   through `pod-security.kubernetes.io/enforce` and `enforce-version`, as the admission
//!   controller reads them (missing labels fall back to `--level`/`--version`, the
//!   "cluster defaults"; an invalid level is evaluated as `restricted` and an invalid version as
//!   `latest`, as upstream does); the report says which namespaces would reject what.
//! - `--summary`: the migration answer: for every namespace, the highest level all its
//!   workloads satisfy, with counts. The exit code is the same as without it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use kubeward_diagnostics::InputError;
use kubeward_model::{Object, PodTemplate, load_source};
use kubeward_pss::{Evaluation, Level, Version, forbidden_message};
use kubeward_rules::locate;
use kubeward_rules::rules::pss::verdict::{evaluate_object, object_path};
use kubeward_source::{Pos, SourceFile};
use kubeward_yaml::{IssueSeverity, Limits, Node};
use rayon::prelude::*;
use serde::Serialize;

use crate::cmd::scan::Color;
use crate::input::{DEFAULT_MAX_FILE_SIZE, Input, collect, is_dockerfile, read};
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, output};

/// The namespace label naming the enforced level.
pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
/// The namespace label naming the enforced policy version.
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";

/// Output formats of `kubeward pss`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PssFormat {
    /// `file:line:col` per violation with the upstream reason and the API server's message.
    Text,
    /// JSON: `{"level", "version", "results": [...]}`.
    Json,
}

/// Arguments of `kubeward pss`.
#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct PssArgs {
    /// Files or directories to evaluate (`-` reads standard input). Default: the current
    /// directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Pod Security Standards level: `baseline` or `restricted` (`privileged` allows
    /// everything). With `--namespace-labels`, the level of workloads whose namespace has no
    /// enforce label.
    #[arg(long, value_name = "LEVEL", default_value = "restricted", value_parser = parse_level)]
    pub level: Level,
    /// Policy version: `v1.N` or `latest`. With `--namespace-labels`, the version of workloads
    /// whose namespace has no enforce-version label.
    #[arg(
        long = "version",
        id = "policy_version",
        value_name = "VERSION",
        default_value = "latest",
        value_parser = parse_version
    )]
    pub version: Version,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PssFormat::Text)]
    pub format: PssFormat,
    /// Evaluate each workload at the policy its Namespace's `pod-security.kubernetes.io/enforce`
    /// and `enforce-version` labels set (Namespace objects read from the input).
    #[arg(long)]
    pub namespace_labels: bool,
    /// Print, for every namespace, the highest level all its workloads satisfy, with counts.
    #[arg(long)]
    pub summary: bool,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Largest file to read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_FILE_SIZE / (1024 * 1024))]
    pub max_file_size: u64,
    /// Colour text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

fn parse_level(s: &str) -> Result<Level, String> {
    s.parse()
        .map_err(|e: kubeward_pss::ParseError| e.to_string())
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse()
        .map_err(|e: kubeward_pss::ParseError| e.to_string())
}

/// The objects of one input that matter here.
#[derive(Default)]
struct FileObjects {
    workloads: Vec<Object>,
    namespaces: Vec<Object>,
    errors: Vec<InputError>,
}

fn load_input(input: &Input, max_size: u64) -> FileObjects {
    let mut out = FileObjects::default();
    if let Input::File(path) = input
        && is_dockerfile(path)
    {
        return out;
    }
    let text = match read(input, max_size) {
        Ok(text) => text,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let source = SourceFile::new(input.display(), text);
    let loaded = load_source(&source, Limits::default());
    for issue in loaded
        .issues
        .iter()
        .filter(|i| i.severity == IssueSeverity::Error)
    {
        out.errors.push(InputError {
            file: input.display(),
            line: issue.span.start.line,
            column: issue.span.start.col,
            code: "KW001",
            message: issue.message.clone(),
        });
    }
    for object in loaded.objects {
        if object.kind() == "Namespace" && object.reference.group().is_empty() {
            out.namespaces.push(object);
        } else if PodTemplate::of(&object).is_some() {
            out.workloads.push(object);
        }
    }
    out
}

/// Where an object's policy came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
enum PolicySource {
    /// `--level`/`--version`.
    Default,
    /// The namespace's labels.
    NamespaceLabels,
}

/// A namespace's policy as Pod Security Admission reads its labels.
#[derive(Debug, Clone)]
struct NamespacePolicy {
    level: Level,
    version: Version,
    /// Whether either enforce label is set.
    labelled: bool,
    /// Invalid label values, as `file:line:col: message`.
    errors: Vec<String>,
    /// Where the Namespace object is.
    location: String,
}

fn label_node<'a>(object: &'a Object, key: &str) -> Option<&'a Node> {
    object.metadata()?.get("labels")?.get(key)
}

/// Upstream `PolicyToEvaluate` for the enforce mode: absent labels keep the defaults, an
/// invalid level becomes `restricted` and an invalid version `latest` (and is an error).
fn namespace_policy(
    object: &Object,
    default_level: Level,
    default_version: Version,
) -> NamespacePolicy {
    let file = object.origin.source.path().to_string();
    let at = |path: &str| {
        let (loc, _) = locate(object, path);
        format!("{file}:{}:{}", loc.start.line, loc.start.col)
    };
    let mut policy = NamespacePolicy {
        level: default_level,
        version: default_version,
        labelled: false,
        errors: Vec::new(),
        location: at(""),
    };
    if let Some(node) = label_node(object, ENFORCE_LABEL) {
        policy.labelled = true;
        let value = node.scalar_string().unwrap_or_default();
        match value.parse::<Level>() {
            Ok(level) => policy.level = level,
            Err(e) => {
                policy.level = Level::Restricted;
                policy.errors.push(format!(
                    "{}: invalid label {ENFORCE_LABEL}: {e}; evaluated as restricted",
                    at(&format!("metadata.labels[\"{ENFORCE_LABEL}\"]"))
                ));
            }
        }
    }
    if let Some(node) = label_node(object, ENFORCE_VERSION_LABEL) {
        policy.labelled = true;
        let value = node.scalar_string().unwrap_or_default();
        match Version::parse_label(&value) {
            Ok(version) => policy.version = version,
            Err(e) => {
                policy.version = Version::Latest;
                policy.errors.push(format!(
                    "{}: invalid label {ENFORCE_VERSION_LABEL}: {e}; evaluated as latest",
                    at(&format!("metadata.labels[\"{ENFORCE_VERSION_LABEL}\"]"))
                ));
            }
        }
    }
    policy
}

/// One evaluated workload.
struct Evaluated<'a> {
    object: &'a Object,
    pod: PodTemplate<'a>,
    eval: Evaluation,
    source: PolicySource,
    /// Whether it satisfies `[baseline, restricted]` at its version (summary mode only).
    satisfies: Option<[bool; 2]>,
}

impl Evaluated<'_> {
    /// The highest level satisfied (summary mode).
    fn highest(&self) -> Level {
        match self.satisfies {
            Some([_, true]) => Level::Restricted,
            Some([true, false]) => Level::Baseline,
            _ => Level::Privileged,
        }
    }
}

#[derive(Serialize)]
struct JsonObject<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

impl<'a> JsonObject<'a> {
    fn of(object: &'a Object) -> Self {
        Self {
            api_version: &object.reference.api_version,
            kind: &object.reference.kind,
            namespace: object.namespace(),
            name: &object.reference.name,
        }
    }
}

#[derive(Serialize)]
struct JsonLocation {
    file: String,
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct JsonViolation<'a> {
    check: &'a str,
    reason: &'a str,
    detail: &'a str,
    path: String,
}

#[derive(Serialize)]
struct JsonResult<'a> {
    object: JsonObject<'a>,
    location: JsonLocation,
    allowed: bool,
    violations: Vec<JsonViolation<'a>>,
    /// `--namespace-labels` only: the policy the object was evaluated at.
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<PolicySource>,
}

#[derive(Serialize)]
struct JsonNamespace<'a> {
    name: &'a str,
    /// Whether a Namespace object for it is in the input.
    found: bool,
    level: String,
    version: String,
    policy: PolicySource,
    workloads: usize,
    rejected: Vec<JsonObject<'a>>,
    errors: &'a [String],
}

#[derive(Serialize)]
struct JsonReport<'a> {
    level: String,
    version: String,
    results: Vec<JsonResult<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespaces: Option<Vec<JsonNamespace<'a>>>,
}

#[derive(Serialize)]
struct JsonSummaryRow<'a> {
    namespace: Option<&'a str>,
    workloads: usize,
    restricted: usize,
    baseline: usize,
    privileged: usize,
    highest: &'static str,
    enforce: Option<String>,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    level: String,
    version: String,
    namespaces: Vec<JsonSummaryRow<'a>>,
}

/// Per-violation field locations: `(path inside the object, line, column)`.
fn sites(e: &Evaluated<'_>, paths: &[String]) -> Vec<(String, Pos)> {
    paths
        .iter()
        .map(|p| {
            let path = object_path(&e.pod, p);
            let (loc, _) = locate(e.object, &path);
            (path, loc.start)
        })
        .collect()
}

fn object_pos(object: &Object) -> Pos {
    object.origin.span.start
}

/// The location of a result: the first violation's first field, or the object.
fn result_location(e: &Evaluated<'_>) -> Pos {
    e.eval
        .violations
        .first()
        .and_then(|v| sites(e, &v.paths).into_iter().next())
        .map_or_else(|| object_pos(e.object), |(_, pos)| pos)
}

fn policy_string(level: Level, version: Version) -> String {
    format!("{level}:{version}")
}

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }
    fn error(&self) -> String {
        self.paint("1;31", "error")
    }
    fn warning(&self) -> String {
        self.paint("1;33", "warning")
    }
    fn note(&self) -> String {
        self.paint("1;36", "note")
    }
}

fn render_text_result(out: &mut String, e: &Evaluated<'_>, style: &Style) {
    use std::fmt::Write as _;
    let file = e.object.origin.source.path();
    let pos = object_pos(e.object);
    let _ = writeln!(
        out,
        "{}: {} {} is not allowed by PodSecurity \"{}\"",
        style.error(),
        e.object.reference.kind,
        display_name(e.object),
        policy_string(e.eval.level, e.eval.version)
    );
    let _ = writeln!(out, "  --> {file}:{}:{}", pos.line, pos.col);
    for v in &e.eval.violations {
        let located = sites(e, &v.paths);
        let first = located.first().map_or(pos, |(_, p)| *p);
        let detail = if v.detail.is_empty() {
            String::new()
        } else {
            format!(" ({})", v.detail)
        };
        let _ = writeln!(
            out,
            "{file}:{}:{}: {}{detail} [{}]",
            first.line, first.col, v.reason, v.check
        );
        for (path, p) in &located {
            let _ = writeln!(out, "    at {file}:{}:{} {path}", p.line, p.col);
        }
    }
    let prefix = if e.object.kind() == "Pod" {
        format!("pods \"{}\" is forbidden: ", e.object.name())
    } else {
        String::new()
    };
    let _ = writeln!(out, "  = forbidden: {prefix}{}", forbidden_message(&e.eval));
    for m in &e.eval.malformed {
        let path = object_path(&e.pod, m);
        let (loc, _) = locate(e.object, &path);
        let _ = writeln!(
            out,
            "  = {}: {file}:{}:{}: `{path}` has the wrong type and was treated as unset; the API server would reject the object",
            style.note(),
            loc.start.line,
            loc.start.col
        );
    }
    out.push('\n');
}

fn display_name(object: &Object) -> String {
    match object.namespace() {
        Some(ns) => format!("{ns}/{}", object.name()),
        None => object.name().to_string(),
    }
}

/// Runs `kubeward pss`.
///
/// # Errors
/// Output errors.
pub fn run(args: &PssArgs) -> anyhow::Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let collected = collect(&paths);
    let max = args.max_file_size.saturating_mul(1024 * 1024);
    let files: Vec<FileObjects> = collected
        .inputs
        .par_iter()
        .map(|input| load_input(input, max))
        .collect();
    let mut errors = collected.errors;
    let mut workloads = Vec::new();
    let mut namespace_objects = Vec::new();
    for f in files {
        errors.extend(f.errors);
        workloads.extend(f.workloads);
        namespace_objects.extend(f.namespaces);
    }
    errors.sort();

    // Namespace policies (first Namespace object of a name wins, as in a cluster).
    let mut namespaces: BTreeMap<String, NamespacePolicy> = BTreeMap::new();
    let mut warnings = Vec::new();
    for ns in &namespace_objects {
        let policy = namespace_policy(ns, args.level, args.version);
        if namespaces.contains_key(ns.name()) {
            warnings.push(format!(
                "{}: Namespace `{}` is defined more than once; the first definition is used",
                policy.location,
                ns.name()
            ));
            continue;
        }
        if args.namespace_labels || args.summary {
            warnings.extend(policy.errors.iter().cloned());
        }
        namespaces.insert(ns.name().to_string(), policy);
    }

    let evaluated: Vec<Evaluated<'_>> = workloads
        .par_iter()
        .filter_map(|object| {
            let labelled = object
                .namespace()
                .and_then(|ns| namespaces.get(ns))
                .filter(|p| args.namespace_labels && p.labelled);
            let (level, version, source) = match labelled {
                Some(p) => (p.level, p.version, PolicySource::NamespaceLabels),
                None => (args.level, args.version, PolicySource::Default),
            };
            let (pod, eval) = evaluate_object(object, level, version)?;
            let satisfies = args.summary.then(|| {
                [Level::Baseline, Level::Restricted].map(|l| {
                    if l == level {
                        eval.allowed
                    } else {
                        evaluate_object(object, l, version).is_some_and(|(_, e)| e.allowed)
                    }
                })
            });
            Some(Evaluated {
                object,
                pod,
                eval,
                source,
                satisfies,
            })
        })
        .collect();

    let rejected = evaluated.iter().filter(|e| !e.eval.allowed).count();
    let color = match args.color {
        // `auto` colours only the text format (JSON never carries escape codes).
        Color::Auto if args.format != PssFormat::Text => false,
        color => color.for_stdout(args.output.as_deref()),
    };
    let style = Style { color };
    let rendered = if args.summary {
        render_summary(args, &evaluated, &namespaces, &style)?
    } else {
        match args.format {
            PssFormat::Json => render_json(args, &evaluated, &namespaces)?,
            PssFormat::Text => render_text(args, &evaluated, &namespaces, rejected, &style),
        }
    };

    let stderr_style = Style {
        color: args.color.for_stderr(),
    };
    for w in &warnings {
        eprintln!("{}: {w}", stderr_style.warning());
    }
    for e in &errors {
        eprintln!(
            "{}:{}:{}: {}[{}]: {}",
            e.file,
            e.line,
            e.column,
            stderr_style.error(),
            e.code,
            e.message
        );
    }
    if !output::write(&rendered, args.output.as_deref())? {
        return Ok(EXIT_OK);
    }
    if !errors.is_empty() {
        return Ok(EXIT_ERROR);
    }
    Ok(if rejected > 0 { EXIT_FINDINGS } else { EXIT_OK })
}

/// Workloads grouped by namespace (`None`: no `metadata.namespace`).
fn by_namespace<'e, 'a>(
    evaluated: &'e [Evaluated<'a>],
) -> BTreeMap<Option<&'a str>, Vec<&'e Evaluated<'a>>> {
    let mut groups: BTreeMap<Option<&'a str>, Vec<&'e Evaluated<'a>>> = BTreeMap::new();
    for e in evaluated {
        groups.entry(e.object.namespace()).or_default().push(e);
    }
    groups
}

fn render_json(
    args: &PssArgs,
    evaluated: &[Evaluated<'_>],
    namespaces: &BTreeMap<String, NamespacePolicy>,
) -> anyhow::Result<String> {
    let results = evaluated
        .iter()
        .map(|e| {
            let file = e.object.origin.source.path().to_string();
            let pos = result_location(e);
            let violations = e
                .eval
                .violations
                .iter()
                .flat_map(|v| {
                    let paths: Vec<String> = if v.paths.is_empty() {
                        vec![e.pod.spec_path.to_string()]
                    } else {
                        v.paths.iter().map(|p| object_path(&e.pod, p)).collect()
                    };
                    paths.into_iter().map(move |path| JsonViolation {
                        check: v.check,
                        reason: &v.reason,
                        detail: &v.detail,
                        path,
                    })
                })
                .collect();
            let labels = args.namespace_labels;
            JsonResult {
                object: JsonObject::of(e.object),
                location: JsonLocation {
                    file,
                    line: pos.line,
                    column: pos.col,
                },
                allowed: e.eval.allowed,
                violations,
                level: labels.then(|| e.eval.level.to_string()),
                version: labels.then(|| e.eval.version.to_string()),
                policy: labels.then_some(e.source),
            }
        })
        .collect();
    let namespaces = args.namespace_labels.then(|| {
        by_namespace(evaluated)
            .into_iter()
            .filter_map(|(name, group)| {
                let name = name?;
                let policy = namespaces.get(name);
                let (level, version, source) = match policy.filter(|p| p.labelled) {
                    Some(p) => (p.level, p.version, PolicySource::NamespaceLabels),
                    None => (args.level, args.version, PolicySource::Default),
                };
                Some(JsonNamespace {
                    name,
                    found: policy.is_some(),
                    level: level.to_string(),
                    version: version.to_string(),
                    policy: source,
                    workloads: group.len(),
                    rejected: group
                        .iter()
                        .filter(|e| !e.eval.allowed)
                        .map(|e| JsonObject::of(e.object))
                        .collect(),
                    errors: policy.map_or(&[][..], |p| p.errors.as_slice()),
                })
            })
            .collect()
    });
    let report = JsonReport {
        level: args.level.to_string(),
        version: args.version.to_string(),
        results,
        namespaces,
    };
    let mut text = serde_json::to_string_pretty(&report)?;
    text.push('\n');
    Ok(text)
}

fn render_text(
    args: &PssArgs,
    evaluated: &[Evaluated<'_>],
    namespaces: &BTreeMap<String, NamespacePolicy>,
    rejected: usize,
    style: &Style,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for e in evaluated.iter().filter(|e| !e.eval.allowed) {
        render_text_result(&mut out, e, style);
    }
    if args.namespace_labels {
        for (name, group) in by_namespace(evaluated) {
            let Some(name) = name else { continue };
            let policy = namespaces.get(name);
            let how = match policy {
                Some(p) if p.labelled => {
                    format!(
                        "enforce={}, Namespace at {}",
                        policy_string(p.level, p.version),
                        p.location
                    )
                }
                Some(_) => format!(
                    "no enforce label; default {}",
                    policy_string(args.level, args.version)
                ),
                None => format!(
                    "no Namespace object in the input; default {}",
                    policy_string(args.level, args.version)
                ),
            };
            let bad: Vec<String> = group
                .iter()
                .filter(|e| !e.eval.allowed)
                .map(|e| format!("{} {}", e.object.kind(), e.object.name()))
                .collect();
            let verdict = if bad.is_empty() {
                format!("admits all {} workloads", group.len())
            } else {
                format!(
                    "would reject {} of {} workloads: {}",
                    bad.len(),
                    group.len(),
                    bad.join(", ")
                )
            };
            let _ = writeln!(out, "namespace {name} ({how}): {verdict}");
        }
    }
    let policy = if args.namespace_labels {
        format!(
            "at their namespaces' policies (default {})",
            policy_string(args.level, args.version)
        )
    } else {
        format!("at {}", policy_string(args.level, args.version))
    };
    let _ = writeln!(
        out,
        "Evaluated {} workloads {policy}: {} allowed, {rejected} not allowed.",
        evaluated.len(),
        evaluated.len() - rejected
    );
    out
}

fn render_summary(
    args: &PssArgs,
    evaluated: &[Evaluated<'_>],
    namespaces: &BTreeMap<String, NamespacePolicy>,
    style: &Style,
) -> anyhow::Result<String> {
    use std::fmt::Write as _;
    let rows: Vec<JsonSummaryRow<'_>> = by_namespace(evaluated)
        .into_iter()
        .map(|(name, group)| {
            let count = |l: Level| group.iter().filter(|e| e.highest() == l).count();
            let highest = group
                .iter()
                .map(|e| e.highest())
                .min()
                .unwrap_or(Level::Restricted);
            let enforce = name
                .and_then(|n| namespaces.get(n))
                .filter(|p| p.labelled)
                .map(|p| policy_string(p.level, p.version));
            JsonSummaryRow {
                namespace: name,
                workloads: group.len(),
                restricted: count(Level::Restricted),
                baseline: count(Level::Baseline),
                privileged: count(Level::Privileged),
                highest: highest.as_str(),
                enforce,
            }
        })
        .collect();
    if args.format == PssFormat::Json {
        let report = JsonSummary {
            level: args.level.to_string(),
            version: args.version.to_string(),
            namespaces: rows,
        };
        let mut text = serde_json::to_string_pretty(&report)?;
        text.push('\n');
        return Ok(text);
    }
    let header = [
        "NAMESPACE",
        "WORKLOADS",
        "RESTRICTED",
        "BASELINE",
        "PRIVILEGED",
        "HIGHEST",
        "ENFORCE",
    ];
    let table: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.namespace.unwrap_or("(none)").to_string(),
                r.workloads.to_string(),
                r.restricted.to_string(),
                r.baseline.to_string(),
                r.privileged.to_string(),
                r.highest.to_string(),
                r.enforce.clone().unwrap_or_else(|| "-".to_string()),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &table {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: &[String]| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(cell);
            } else {
                let _ = write!(l, "{cell:<w$}  ");
            }
        }
        l.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(&header.map(String::from)));
    for row in &table {
        let _ = writeln!(out, "{}", line(row));
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "Counts: workloads by the highest level they satisfy at {}; HIGHEST: the strictest \
         `{ENFORCE_LABEL}` label every workload of the namespace passes.",
        if args.namespace_labels {
            format!(
                "their namespaces' enforce-version (default {})",
                args.version
            )
        } else {
            args.version.to_string()
        }
    );
    for r in &rows {
        let Some(enforce) = &r.enforce else { continue };
        let level = enforce.split(':').next().unwrap_or_default();
        let too_strict = level
            .parse::<Level>()
            .is_ok_and(|l| l.as_str() != r.highest && l > highest_level(r.highest));
        if too_strict {
            let _ = writeln!(
                out,
                "{}: namespace {} enforces {enforce} but only {} of its {} workloads satisfy it",
                style.warning(),
                r.namespace.unwrap_or_default(),
                match level {
                    "restricted" => r.restricted,
                    _ => r.restricted + r.baseline,
                },
                r.workloads
            );
        }
    }
    Ok(out)
}

fn highest_level(s: &str) -> Level {
    s.parse().unwrap_or(Level::Privileged)
}

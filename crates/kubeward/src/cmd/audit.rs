//! `kubeward audit`: attacks and anomalies in Kubernetes API-server audit logs.
//!
//! Reads `audit.k8s.io/v1` events as JSON lines, the format of the API server's
//! `--audit-log-path` (plain or gzip; `-` reads standard input; an `EventList` per line, as the
//! webhook backend sends it, is accepted too), runs the kubeward-audit detectors and reports
//! each finding as a diagnostic of its `AUD` rule, so every report format works. Give rotated
//! files oldest first: one engine reads all inputs in order, so baselines and rate windows span
//! them.
//!
//! - A line that is not an audit event is an input error located at `file:line`; the other
//!   lines are still read. Exit code 2 when there were input errors, else 1 when a finding is
//!   at or above `--fail-on` (default `high`), else 0 (as `kubeward scan`).
//! - `--follow` tails growing files and survives rotation (rename-and-create as the API server
//!   does, or copy-truncate), or reads standard input as it arrives; each finding is printed as
//!   soon as it is found, as one text line or (`--format json`) one JSON line, until
//!   interrupted.
//! - Configuration: `.kubeward.yaml` in the current directory or `--config FILE`. Its
//!   `select`/`ignore`, `severity`, `exemptions` (namespace, kind, name) and `fail-on` apply as
//!   in `kubeward scan`; its `audit:` section configures the detectors (the camelCase fields
//!   of `kubeward_audit::Config`: `allow`, `disabled`, `protectedNamespaces`, `adminRoles`,
//!   `anonymousPaths`, `forbiddenBurst`, `rateSpike`, `firstSeen`, `tamper`), validated when
//!   the file is loaded, with located errors. Detectors whose rule is not selected do not run.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use kubeward_audit::input::{LineError, LineErrorKind, StartAt};
use kubeward_audit::{Finding, Follower, ParseError};
use kubeward_diagnostics::{Category, Diagnostic, InputError, Severity};
use kubeward_report::{Report, Summary, json, junit, sarif, text};
use kubeward_rules::rules::audit as audit_rules;
use kubeward_rules::rules::audit::adapter as convert;
use kubeward_rules::{Config, ObjectFacts, registry, selector_is_known, today_utc};

use crate::cmd::scan::{Color, parse_fail_on};
use crate::pipeline::doc_of;
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, output};

/// Output formats of `kubeward audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// One line per finding, the summary and counts per rule (with `--follow`: one line per
    /// finding as it is found).
    Text,
    /// JSON, schema `kubeward/scan/v1` (with `--follow`: JSON lines, as `jsonl`).
    Json,
    /// One JSON alert per line: code, name, severity, audit_id, stage, timestamp, user, groups,
    /// source_ips, verb, resource, subresource, namespace, object_name, message, mitre,
    /// evidence, details, file, line.
    Jsonl,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
}

/// Shown after `kubeward audit --help`.
const AFTER_HELP: &str = "\
Exit codes: 0 when nothing is at or above --fail-on (default: high), 1 when something is, 2 on
usage, configuration or input errors. A line that is not an audit event is reported as
file:line and skipped; the other lines are still read.

Configuration (.kubeward.yaml, or --config FILE): `select`, `ignore`, `severity`, `exemptions`
and `fail-on` apply as for `kubeward scan`; the `audit:` section configures the detectors:

  audit:
    allow:                         # per detector name or code, added to the built-in lists
      exec-into-pod: {users: [oncall-olga], namespaces: [sandbox]}
    disabled: [AUD024]
    forbiddenBurst: {threshold: 30, windowSeconds: 60}
    rateSpike: {bucketSeconds: 300, factor: 5}
    firstSeen: {learningSeconds: 7200}

Each detector is a rule: `kubeward explain AUD003` shows its documentation.";

/// Arguments of `kubeward audit`.
#[derive(Debug, Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct AuditArgs {
    /// Audit logs (JSON lines, plain or gzip); `-` reads standard input. Rotated files oldest
    /// first.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Keep reading: tail the files as they grow and rotate (or standard input as it arrives)
    /// and print each finding when it is found, until interrupted.
    #[arg(long)]
    pub follow: bool,
    /// With `--follow`: skip what the files hold already, read only new lines.
    #[arg(long, requires = "follow")]
    pub from_end: bool,
    /// Configuration file (default: `.kubeward.yaml` in the current directory, if present);
    /// detector settings live in its `audit:` section.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1: critical, high, medium, low, info, or never.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Rules to run: codes, names or prefixes (`AUD00,exec-into-pod`). Repeatable, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Rules not to run. Repeatable, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Print only errors and the summary (text format).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Colour text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// With `--follow`: how often files are polled, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 250, hide = true)]
    pub poll_interval_ms: u64,
}

/// How many located line errors are kept per input; the rest are counted in one more error.
const MAX_ERRORS_PER_INPUT: u64 = 1000;

/// The engines of a run.
struct Setup {
    rules: kubeward_rules::Engine,
    audit: kubeward_audit::Engine,
    fail_on: Option<Severity>,
}

fn setup(args: &AuditArgs) -> anyhow::Result<Setup> {
    let config_path = match &args.config {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from(".kubeward.yaml")).filter(|p| p.is_file()),
    };
    let config = match &config_path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read configuration {}", path.display()))?;
            Config::parse(&path.display().to_string(), &text)?
        }
        None => Config::default(),
    };
    for selector in args.select.iter().chain(&args.ignore) {
        if !selector_is_known(selector, registry::all()) {
            bail!("`{selector}` matches no rule (see `kubeward rules`)");
        }
    }
    let fail_on = match (&args.fail_on, &config.fail_on) {
        (Some(v), _) | (None, Some(v)) => parse_fail_on(v)?,
        (None, None) => Some(Severity::High),
    };
    let mut audit_config = config
        .audit_config()
        .context("invalid `audit` configuration")?;
    let mut settings = config.into_settings(today_utc());
    settings
        .selection
        .extend(args.select.clone(), args.ignore.clone());
    // A detector whose rule is not selected does not run (and keeps no state).
    let mut enabled = 0usize;
    for rule in audit_rules::RULES {
        if settings.selection.enabled(rule) {
            enabled += 1;
        } else if !audit_config.disabled.iter().any(|d| d == rule.code) {
            audit_config.disabled.push(rule.code.to_string());
        }
    }
    if enabled == 0 {
        eprintln!(
            "kubeward: warning: the rule selection enables no audit rule (AUD001-AUD{:03}); nothing will be reported",
            audit_rules::RULES.len()
        );
    }
    let audit = kubeward_audit::Engine::new(audit_config)
        .map_err(|e| anyhow::anyhow!("invalid `audit` configuration: {e}"))?;
    Ok(Setup {
        rules: kubeward_rules::Engine::new(settings),
        audit,
        fail_on,
    })
}

/// Where findings and input errors go while inputs are read.
trait Sink {
    /// A kept finding. `Ok(false)` stops reading (the output was closed).
    fn finding(&mut self, d: Diagnostic, f: Finding) -> anyhow::Result<bool>;
    /// A located input error.
    fn error(&mut self, e: InputError) -> anyhow::Result<()>;
}

/// The input-error code and message of a line error.
fn line_error(e: &LineError) -> InputError {
    let (code, column) = match &e.kind {
        LineErrorKind::Parse(ParseError::Json(j)) if j.is_syntax() || j.is_eof() => {
            ("KW001", u32::try_from(j.column()).unwrap_or(0))
        }
        LineErrorKind::Parse(ParseError::Json(j)) => {
            ("KW006", u32::try_from(j.column()).unwrap_or(0))
        }
        LineErrorKind::Parse(_) => ("KW005", 0),
        LineErrorKind::TooLong { .. } => ("KW003", 0),
        LineErrorKind::NotUtf8 | LineErrorKind::Io(_) => ("KW004", 0),
    };
    InputError {
        file: e.source_name.clone(),
        line: u32::try_from(e.line).unwrap_or(u32::MAX),
        column: column.max(1),
        code,
        message: convert::clean(&e.kind.to_string()),
    }
}

impl Setup {
    /// Runs the detectors on every event of one parsed document, appending to `found`; returns
    /// the number of events.
    fn document(&mut self, doc: &kubeward_audit::Document<'_>, found: &mut Vec<Finding>) -> u64 {
        for ev in doc.events() {
            self.audit.process(ev, found);
        }
        doc.len() as u64
    }

    /// Converts findings (drained from `found`) of line `line` and applies exemptions.
    fn emit(
        &self,
        found: &mut Vec<Finding>,
        file: &Arc<str>,
        line: u64,
        sink: &mut dyn Sink,
        suppressed: &mut usize,
    ) -> anyhow::Result<bool> {
        for f in found.drain(..) {
            let Some(d) = convert::diagnostic(&self.rules, &f, file, line) else {
                continue;
            };
            let outcome = self
                .rules
                .finalize(vec![d], Vec::new(), &ObjectFacts::default());
            *suppressed += outcome.suppressed;
            for d in outcome.diagnostics {
                if !sink.finding(d, f.clone())? {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// Reads one whole input. Returns the number of events, or `None` when the output closed.
    fn read_input<R: Read>(
        &mut self,
        reader: R,
        name: &Arc<str>,
        sink: &mut dyn Sink,
        suppressed: &mut usize,
    ) -> anyhow::Result<Option<u64>> {
        let mut lines = match kubeward_audit::read_lines(reader, name.as_ref()) {
            Ok(lines) => lines,
            Err(e) => {
                sink.error(unreadable(name, &e.to_string()))?;
                return Ok(Some(0));
            }
        };
        let mut events = 0u64;
        let mut errors = 0u64;
        let mut found = Vec::new();
        loop {
            match lines.next_document() {
                None => break,
                Some(Ok(doc)) => events += self.document(&doc, &mut found),
                Some(Err(e)) => {
                    errors += 1;
                    if errors <= MAX_ERRORS_PER_INPUT {
                        sink.error(line_error(&e))?;
                    }
                    continue;
                }
            }
            if !self.emit(&mut found, name, lines.line(), sink, suppressed)? {
                return Ok(None);
            }
        }
        if errors > MAX_ERRORS_PER_INPUT {
            sink.error(InputError {
                file: name.to_string(),
                line: 0,
                column: 0,
                code: "KW004",
                message: format!(
                    "{} more lines are not audit events (only the first {MAX_ERRORS_PER_INPUT} are listed)",
                    errors - MAX_ERRORS_PER_INPUT
                ),
            })?;
        }
        Ok(Some(events))
    }
}

fn unreadable(name: &str, message: &str) -> InputError {
    InputError {
        file: name.to_string(),
        line: 0,
        column: 0,
        code: "KW004",
        message: format!("cannot read: {}", convert::clean(message)),
    }
}

fn display_name(path: &Path) -> Arc<str> {
    if path == Path::new("-") {
        Arc::from("<stdin>")
    } else {
        Arc::from(path.display().to_string())
    }
}

/// Runs `kubeward audit`.
///
/// # Errors
/// Usage, configuration and output errors.
pub fn run(args: &AuditArgs) -> anyhow::Result<u8> {
    let mut setup = setup(args)?;
    if args.follow {
        return follow(args, &mut setup);
    }
    batch(args, &mut setup)
}

/// Collects everything for a sorted report.
#[derive(Default)]
struct Collect {
    hits: Vec<(Diagnostic, Finding)>,
    errors: Vec<InputError>,
}

impl Sink for Collect {
    fn finding(&mut self, d: Diagnostic, f: Finding) -> anyhow::Result<bool> {
        self.hits.push((d, f));
        Ok(true)
    }
    fn error(&mut self, e: InputError) -> anyhow::Result<()> {
        self.errors.push(e);
        Ok(())
    }
}

fn batch(args: &AuditArgs, setup: &mut Setup) -> anyhow::Result<u8> {
    let mut collect = Collect::default();
    let mut suppressed = 0usize;
    let mut events = 0u64;
    for path in &args.files {
        let name = display_name(path);
        let read = if path == Path::new("-") {
            setup.read_input(
                std::io::stdin().lock(),
                &name,
                &mut collect,
                &mut suppressed,
            )?
        } else {
            match std::fs::File::open(path) {
                Ok(file) => setup.read_input(file, &name, &mut collect, &mut suppressed)?,
                Err(e) => {
                    collect.error(unreadable(&name, &e.to_string()))?;
                    Some(0)
                }
            }
        };
        events += read.unwrap_or(0);
    }
    let Collect {
        mut hits,
        mut errors,
    } = collect;
    hits.sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()));
    errors.sort();
    let diagnostics: Vec<Diagnostic> = hits.iter().map(|(d, _)| d.clone()).collect();
    let rules: Vec<_> = registry::all()
        .iter()
        .filter(|r| r.category == Category::Audit && setup.rules.settings().selection.enabled(r))
        .map(|r| doc_of(r))
        .collect();
    let report = Report {
        diagnostics: &diagnostics,
        errors: &errors,
        summary: Summary {
            files: args.files.len(),
            objects: usize::try_from(events).unwrap_or(usize::MAX),
            suppressed,
            skipped: Vec::new(),
        },
        rules: &rules,
        objects: &[],
    };
    let rendered = match args.format {
        AuditFormat::Text => {
            let color = args.color.for_stdout(args.output.as_deref());
            let mut out = text::render(
                &report,
                text::TextOptions {
                    color,
                    quiet: args.quiet,
                },
            );
            out.push_str(&stats_text(&diagnostics, setup.audit.stats()));
            out
        }
        AuditFormat::Json => json::render(&report),
        AuditFormat::Jsonl => hits
            .iter()
            .map(|(d, f)| convert::Alert::new(d, f).to_line())
            .collect(),
        AuditFormat::Sarif => sarif::render(&report),
        AuditFormat::Junit => junit::render(&report),
    };
    if !output::write(&rendered, args.output.as_deref())? {
        return Ok(EXIT_OK);
    }
    Ok(exit_code(!errors.is_empty(), &diagnostics, setup.fail_on))
}

fn exit_code(errors: bool, diagnostics: &[Diagnostic], fail_on: Option<Severity>) -> u8 {
    if errors {
        EXIT_ERROR
    } else if fail_on.is_some_and(|t| diagnostics.iter().any(|d| d.severity >= t)) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Counts per rule and the engine's counters, after the text report.
fn stats_text(diagnostics: &[Diagnostic], stats: &kubeward_audit::EngineStats) -> String {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut by_rule: BTreeMap<(&str, &str), (usize, Severity)> = BTreeMap::new();
    for d in diagnostics {
        let e = by_rule.entry((d.code, d.name)).or_insert((0, d.severity));
        e.0 += 1;
        e.1 = e.1.max(d.severity);
    }
    if !by_rule.is_empty() {
        out.push_str("\nFindings by rule:\n");
        for ((code, name), (count, severity)) in &by_rule {
            let _ = writeln!(
                out,
                "  {code:<7} {name:<36} {:<9} {count:>6}",
                severity.as_str()
            );
        }
    }
    let _ = writeln!(
        out,
        "Audit events: {} read, {} with an outcome examined; {} allow-listed, {} repeated stages not reported again.",
        stats.events, stats.examined, stats.allow_listed, stats.duplicates
    );
    if !stats.missing_body.is_empty() {
        let blind: Vec<String> = stats
            .missing_body
            .iter()
            .map(|(name, n)| format!("{name} ({n})"))
            .collect();
        let _ = writeln!(
            out,
            "note: some events lacked the request body these detectors need (audit policy level `Request`, or `RequestResponse` for patches): {}",
            blind.join(", ")
        );
    }
    out
}

/// Prints each finding as it is found.
struct Printer {
    out: Box<dyn Write>,
    json: bool,
    worst: Option<Severity>,
    errors: bool,
}

impl Printer {
    fn write(&mut self, line: &str) -> anyhow::Result<bool> {
        match self
            .out
            .write_all(line.as_bytes())
            .and_then(|()| self.out.flush())
        {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
            Err(e) => Err(anyhow::anyhow!("cannot write the output: {e}")),
        }
    }
}

impl Sink for Printer {
    fn finding(&mut self, d: Diagnostic, f: Finding) -> anyhow::Result<bool> {
        self.worst = self.worst.max(Some(d.severity));
        let line = if self.json {
            convert::Alert::new(&d, &f).to_line()
        } else {
            text_line(&d)
        };
        self.write(&line)
    }
    fn error(&mut self, e: InputError) -> anyhow::Result<()> {
        self.errors = true;
        eprintln!(
            "{}:{}:{}: error[{}]: {}",
            e.file, e.line, e.column, e.code, e.message
        );
        Ok(())
    }
}

fn follow(args: &AuditArgs, setup: &mut Setup) -> anyhow::Result<u8> {
    let json = match args.format {
        AuditFormat::Text => false,
        AuditFormat::Json | AuditFormat::Jsonl => true,
        AuditFormat::Sarif | AuditFormat::Junit => {
            bail!("--follow prints text or JSON lines (`--format text`, `json` or `jsonl`)")
        }
    };
    let stdin = args.files.iter().any(|p| p == Path::new("-"));
    if stdin && args.files.len() > 1 {
        bail!("--follow reads either files or `-` (standard input), not both");
    }
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    let mut printer = Printer {
        out,
        json,
        worst: None,
        errors: false,
    };
    let mut suppressed = 0usize;
    if stdin {
        let name = display_name(Path::new("-"));
        setup.read_input(
            std::io::stdin().lock(),
            &name,
            &mut printer,
            &mut suppressed,
        )?;
        return Ok(if printer.errors {
            EXIT_ERROR
        } else if printer
            .worst
            .is_some_and(|w| setup.fail_on.is_some_and(|t| w >= t))
        {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        });
    }
    let start = if args.from_end {
        StartAt::End
    } else {
        StartAt::Beginning
    };
    let mut followed = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let follower = Follower::open(path, start)
            .with_context(|| format!("cannot follow {}", path.display()))?;
        followed.push((follower, display_name(path)));
    }
    let interval = Duration::from_millis(args.poll_interval_ms.max(10));
    let mut found = Vec::new();
    loop {
        for (follower, name) in &mut followed {
            let (lines, report) = match follower.poll() {
                Ok(polled) => polled,
                Err(e) => {
                    printer.error(unreadable(name, &e.to_string()))?;
                    continue;
                }
            };
            if report.dropped_long_lines > 0 {
                printer.error(InputError {
                    file: name.to_string(),
                    line: 0,
                    column: 0,
                    code: "KW003",
                    message: format!(
                        "{} lines longer than {} bytes skipped",
                        report.dropped_long_lines,
                        kubeward_audit::input::DEFAULT_MAX_LINE_BYTES
                    ),
                })?;
            }
            for line in &lines {
                match line.parse() {
                    Ok(doc) => {
                        setup.document(&doc, &mut found);
                    }
                    Err(e) => {
                        printer.error(line_error(&LineError {
                            source_name: name.to_string(),
                            line: line.line,
                            kind: LineErrorKind::Parse(e),
                        }))?;
                        continue;
                    }
                }
                if !setup.emit(&mut found, name, line.line, &mut printer, &mut suppressed)? {
                    return Ok(EXIT_OK);
                }
            }
        }
        std::thread::sleep(interval);
    }
}

/// One finding as one text line, like the header line of the text report.
fn text_line(d: &Diagnostic) -> String {
    format!(
        "{}:{}:{}: {} {} [{}] {}\n",
        d.location.file,
        d.location.start.line,
        d.location.start.col,
        d.code,
        d.name,
        d.severity,
        d.message
    )
}

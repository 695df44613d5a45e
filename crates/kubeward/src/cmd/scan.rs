//! `kubeward scan`: the main job.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use kubeward_diagnostics::Severity;
use kubeward_imagepolicy::ImageGate;
use kubeward_report::{Report, json, junit, sarif, text};
use kubeward_rules::rules::image::{
    IMAGE_KNOWN_VULNERABILITIES, IMAGE_SIGNATURE_MISSING, IMAGE_UNVERIFIABLE,
};
use kubeward_rules::{Config, Engine, registry, selector_is_known, today_utc};
use serde::{Deserialize, Serialize};

use crate::input::{DEFAULT_MAX_FILE_SIZE, collect};
use crate::pipeline::{ScanResult, rule_docs, scan_with};
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, output};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings with source frames (rustc/ruff style).
    Text,
    /// JSON, schema `kubeward/scan/v1`.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// JUnit XML.
    Junit,
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Color {
    /// Whether output written to standard output (`output` is `None`) or to a file gets ANSI
    /// colours: `auto` means a terminal and no `NO_COLOR`.
    #[must_use]
    pub fn for_stdout(self, output: Option<&Path>) -> bool {
        self.decide(|| output.is_none() && std::io::stdout().is_terminal())
    }

    /// Whether messages on standard error get ANSI colours.
    #[must_use]
    pub fn for_stderr(self) -> bool {
        self.decide(|| std::io::stderr().is_terminal())
    }

    fn decide(self, terminal: impl FnOnce() -> bool) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

/// Options shared by `scan` and `baseline create`: what to scan and with which rules.
#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// Files or directories to scan (`-` reads standard input). Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Rules to run: codes, names or prefixes (`POD,IMG001`). Repeatable, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Rules not to run. Repeatable, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Configuration file (default: `.kubeward.yaml` in the current directory, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Number of parallel jobs (default: number of CPUs).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Largest file to read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_FILE_SIZE / (1024 * 1024))]
    pub max_file_size: u64,
    /// Do not contact registries: the image signature checks of the `images:` configuration
    /// (IMG200, IMG202) are skipped; the SBOM vulnerability gate (IMG201) still runs.
    #[arg(long)]
    pub offline: bool,
}

/// Pod Security Standards profile selection of `kubeward scan`.
#[derive(Debug, Clone, Default, Args)]
pub struct PssProfileArgs {
    /// Run the rules of a Pod Security Standards profile: `baseline`, or `restricted` (which
    /// includes baseline). Adds the codes of the profile's rules to `--select`.
    #[arg(long, value_name = "LEVEL", value_parser = ["baseline", "restricted"])]
    pub pss: Option<String>,
    /// Pod Security Standards policy version the PSS rules evaluate at (`v1.N` or `latest`);
    /// overrides the `pss-version` option.
    #[arg(long, value_name = "VERSION")]
    pub pss_version: Option<String>,
}

impl PssProfileArgs {
    /// Applies the profile and version to the settings.
    fn apply(&self, settings: &mut kubeward_rules::Settings) -> anyhow::Result<()> {
        if let Some(level) = &self.pss {
            let level: kubeward_pss::Level = level.parse()?;
            let codes = kubeward_rules::rules::pss::profile_codes(level);
            settings
                .selection
                .extend(codes.into_iter().map(String::from).collect(), Vec::new());
        }
        if let Some(version) = &self.pss_version {
            settings.options.pss_version = Some(
                version
                    .parse()
                    .map_err(|e| anyhow::anyhow!("--pss-version: {e}"))?,
            );
        }
        Ok(())
    }
}

/// Arguments of `kubeward scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub pss: PssProfileArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1: critical, high, medium, low, info, or never.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Baseline file: findings recorded in it are not reported.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Print only errors and the summary line (text format).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Load the input without running rules (loader benchmarks).
    #[arg(long, hide = true)]
    pub parse_only: bool,
    /// Colour text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// The engine and fail-on threshold for the given arguments (configuration file merged with
/// command-line flags).
///
/// # Errors
/// Unreadable or invalid configuration, unknown rule selectors.
pub fn build_engine(args: &RuleArgs) -> anyhow::Result<(Engine, Option<String>)> {
    build_engine_with(args, &PssProfileArgs::default())
}

/// The configuration file of `args` (explicit, or `.kubeward.yaml` when present) and the
/// directory its relative paths are resolved against.
///
/// # Errors
/// Unreadable or invalid configuration.
pub fn read_config(config: Option<&Path>) -> anyhow::Result<(Config, PathBuf)> {
    let config_path = match config {
        Some(p) => Some(p.to_path_buf()),
        None => Some(PathBuf::from(".kubeward.yaml")).filter(|p| p.is_file()),
    };
    let base = config_path
        .as_deref()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let config = match &config_path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read configuration {}", path.display()))?;
            Config::parse(&path.display().to_string(), &text)?
        }
        None => Config::default(),
    };
    Ok((config, base))
}

/// The image gate of the configuration's `images:` section, if it configures any check and
/// the image rules are enabled; with `offline`, signature policies are dropped.
///
/// # Errors
/// Unreadable keys, CA files or vulnerability database.
pub fn load_image_gate(
    config: &Config,
    base: &Path,
    engine: &Engine,
    offline: bool,
) -> anyhow::Result<Option<ImageGate>> {
    let mut images = config.images.clone();
    if offline {
        images.signatures.clear();
    }
    let enabled = [
        &IMAGE_SIGNATURE_MISSING,
        &IMAGE_KNOWN_VULNERABILITIES,
        &IMAGE_UNVERIFIABLE,
    ]
    .into_iter()
    .any(|rule| engine.is_enabled(rule));
    if !images.is_active() || !enabled {
        return Ok(None);
    }
    let gate = ImageGate::load(&images, base).context("images")?;
    for issue in gate.database_issues() {
        eprintln!("kubeward: skipped OSV advisory: {issue}");
    }
    Ok(Some(gate))
}

fn build_engine_with(
    args: &RuleArgs,
    pss: &PssProfileArgs,
) -> anyhow::Result<(Engine, Option<String>)> {
    let (config, _) = read_config(args.config.as_deref())?;
    for selector in args.select.iter().chain(&args.ignore) {
        if !selector_is_known(selector, registry::all()) {
            bail!("`{selector}` matches no rule (see `kubeward rules`)");
        }
    }
    let fail_on = config.fail_on.clone();
    let mut settings = config.into_settings(today_utc());
    settings
        .selection
        .extend(args.select.clone(), args.ignore.clone());
    pss.apply(&mut settings)?;
    if let Some(jobs) = args.jobs {
        // A second call fails harmlessly when the pool exists already.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global();
    }
    Ok((Engine::new(settings), fail_on))
}

/// The engine and `--fail-on` threshold of a subcommand whose input is not manifest files
/// (`node`, `probe`): rule selection and configuration as in `scan`, registries never
/// contacted; the flag wins over the configuration's `fail-on`, default `high`.
///
/// # Errors
/// Configuration errors, unknown selectors, an invalid `--fail-on`.
pub fn engine_and_threshold(
    select: &[String],
    ignore: &[String],
    config: Option<&Path>,
    fail_on: Option<&str>,
) -> anyhow::Result<(Engine, Option<Severity>)> {
    let rule_args = RuleArgs {
        paths: Vec::new(),
        select: select.to_vec(),
        ignore: ignore.to_vec(),
        config: config.map(Path::to_path_buf),
        jobs: None,
        max_file_size: DEFAULT_MAX_FILE_SIZE / (1024 * 1024),
        offline: true,
    };
    let (engine, config_fail_on) = build_engine(&rule_args)?;
    let threshold = parse_fail_on(fail_on.or(config_fail_on.as_deref()).unwrap_or("high"))?;
    Ok((engine, threshold))
}

/// Runs the scan for the given arguments.
///
/// # Errors
/// Configuration errors.
pub fn scan_paths(args: &RuleArgs) -> anyhow::Result<(Engine, Option<String>, ScanResult)> {
    scan_paths_with(args, false, &PssProfileArgs::default())
}

fn scan_paths_with(
    args: &RuleArgs,
    parse_only: bool,
    pss: &PssProfileArgs,
) -> anyhow::Result<(Engine, Option<String>, ScanResult)> {
    let (engine, fail_on) = build_engine_with(args, pss)?;
    let gate = if parse_only {
        None
    } else {
        let (config, base) = read_config(args.config.as_deref())?;
        load_image_gate(&config, &base, &engine, args.offline)?
    };
    Ok(scan_with_engine(
        engine,
        fail_on,
        args,
        parse_only,
        gate.as_ref(),
    ))
}

fn scan_with_engine(
    engine: Engine,
    fail_on: Option<String>,
    args: &RuleArgs,
    parse_only: bool,
    gate: Option<&ImageGate>,
) -> (Engine, Option<String>, ScanResult) {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let collected = collect(&paths);
    let result = scan_with(
        &engine,
        collected,
        args.max_file_size.saturating_mul(1024 * 1024),
        parse_only,
        gate,
    );
    (engine, fail_on, result)
}

/// `--fail-on`: a severity, or `never` (`None`). One parser for every subcommand.
///
/// # Errors
/// An unknown value.
pub fn parse_fail_on(value: &str) -> anyhow::Result<Option<Severity>> {
    if value.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    value.parse::<Severity>().map(Some).map_err(|_| {
        anyhow::anyhow!("--fail-on: `{value}` is not critical, high, medium, low, info or never")
    })
}

/// Runs `kubeward scan`.
///
/// # Errors
/// Usage, configuration and output errors.
pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let threshold = parse_fail_on(args.fail_on.as_deref().unwrap_or("high"))?;
    let (engine, config_fail_on, mut result) =
        scan_paths_with(&args.rules, args.parse_only, &args.pss)?;
    let threshold = match (&args.fail_on, config_fail_on) {
        (None, Some(from_config)) => parse_fail_on(&from_config)?,
        _ => threshold,
    };
    if let Some(path) = &args.baseline {
        apply_baseline(&mut result, path)?;
    }
    let rules = rule_docs(&engine);
    let report = Report {
        diagnostics: &result.diagnostics,
        errors: &result.errors,
        summary: result.summary.clone(),
        rules: &rules,
        objects: &result.objects,
    };
    let color = args.color.for_stdout(args.output.as_deref());
    let rendered = match args.format {
        Format::Text => text::render(
            &report,
            text::TextOptions {
                color,
                quiet: args.quiet,
            },
        ),
        Format::Json => json::render(&report),
        Format::Sarif => sarif::render(&report),
        Format::Junit => junit::render(&report),
    };
    if !output::write(&rendered, args.output.as_deref())? {
        return Ok(EXIT_OK);
    }
    if !result.errors.is_empty() {
        return Ok(EXIT_ERROR);
    }
    let failing = threshold.is_some_and(|t| result.diagnostics.iter().any(|d| d.severity >= t));
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
}

/// The baseline file format.
#[derive(Debug, Serialize, Deserialize)]
pub struct BaselineFile {
    /// `kubeward/baseline/v1`.
    pub schema: String,
    /// One entry per accepted finding.
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding.
#[derive(Debug, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// Stable fingerprint (independent of line numbers).
    pub fingerprint: String,
    /// Rule code, for humans.
    pub code: String,
    /// File, for humans.
    pub file: String,
    /// Object, for humans.
    pub object: Option<String>,
}

fn apply_baseline(result: &mut ScanResult, path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read baseline {}", path.display()))?;
    let baseline: BaselineFile = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a kubeward baseline", path.display()))?;
    if baseline.schema != "kubeward/baseline/v1" {
        bail!(
            "{}: unknown baseline schema `{}`",
            path.display(),
            baseline.schema
        );
    }
    let known: HashSet<&str> = baseline
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let before = result.diagnostics.len();
    result
        .diagnostics
        .retain(|d| !known.contains(d.fingerprint().as_str()));
    result.summary.suppressed += before - result.diagnostics.len();
    Ok(())
}

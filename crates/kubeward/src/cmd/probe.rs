//! `kubeward probe`: read-only live probes of API servers, kubelets and etcd, made without
//! credentials the way an attacker on the network would (the `kubeward-controlplane` probes).
//! With `--cacert` server chains are also verified against that CA bundle; with `--cert` and
//! `--key` etcd is asked once more presenting that client certificate.
//!
//! Every finding of the engine is listed in the probe results (text table, JSON `probes`);
//! findings that are weaknesses, and endpoints that could not be probed, are also diagnostics
//! of their `CP2xx` rule, rendered in every output format. Evidence is status codes, TLS facts
//! and versions, never a response body.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use kubeward_controlplane::probe::{
    self, CaBundle, ClientIdentity, Finding, ProbeConfig, Severity as ProbeSeverity,
};
use kubeward_diagnostics::{Diagnostic, Location, Severity};
use kubeward_report::{Report, Summary, json, junit, sarif, text};
use kubeward_rules::rules::controlplane::rule_for_probe;
use kubeward_rules::{Engine, ExternalFinding};
use serde::Serialize;

use crate::cmd::scan::{Color, Format, engine_and_threshold};
use crate::pipeline::rule_docs;
use crate::{EXIT_FINDINGS, EXIT_OK, output};

/// Arguments of `kubeward probe`.
#[derive(Debug, Args)]
#[command(
    after_help = "URLs are [SCHEME://]HOST[:PORT]. Default ports: API server 6443, etcd 2379, \
kubelet 10250, kubelet read-only 10255. --apiserver http://... probes a plain-HTTP (insecure) port. \
Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage error."
)]
pub struct ProbeArgs {
    /// API server to probe anonymously (repeatable): https://HOST:6443, or http://HOST:PORT for an insecure port.
    #[arg(long, value_name = "URL")]
    pub apiserver: Vec<String>,
    /// etcd client endpoint (repeatable): HOST:2379; TLS or plain HTTP is detected.
    #[arg(long, value_name = "URL")]
    pub etcd: Vec<String>,
    /// Kubelet API (repeatable): HOST:10250.
    #[arg(long, value_name = "URL")]
    pub kubelet: Vec<String>,
    /// Kubelet read-only port (repeatable): HOST:10255.
    #[arg(long, value_name = "URL")]
    pub kubelet_readonly: Vec<String>,
    /// CA bundle (PEM): server certificate chains are verified against it; one that does not verify is reported (CP234).
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Client certificate chain (PEM, with --key): after the anonymous probes, etcd is asked once more presenting it, to confirm authenticated access works. Other probes stay anonymous.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Private key of --cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Timeout of each step (connect, TLS handshake, response), in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub timeout: f64,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1: critical, high, medium, low, info, or never.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Rules to report: codes, names or prefixes (`CP20`). Repeatable, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Rules not to report. Repeatable, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Configuration file (default: `.kubeward.yaml` in the current directory, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Colour text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// What to probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ApiServer,
    ApiServerInsecure,
    Etcd,
    Kubelet,
    KubeletReadOnly,
}

impl Kind {
    fn component(self) -> &'static str {
        match self {
            Kind::ApiServer | Kind::ApiServerInsecure => "kube-apiserver",
            Kind::Etcd => "etcd",
            Kind::Kubelet => "kubelet",
            Kind::KubeletReadOnly => "kubelet read-only port",
        }
    }
}

/// One endpoint to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    kind: Kind,
    host: String,
    port: u16,
    /// `scheme://host:port`, for locations.
    url: String,
}

/// Parses `[scheme://]host[:port][/path]`; IPv6 literals in brackets.
fn parse_target(flag: &str, raw: &str, kind: Kind, default_port: u16) -> anyhow::Result<Target> {
    let (scheme, rest) = match raw.split_once("://") {
        Some((s, r)) => (Some(s.to_ascii_lowercase()), r),
        None => (None, raw),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() {
        bail!("{flag} {raw}: no host");
    }
    if authority.contains('@') {
        bail!("{flag} {raw}: credentials in URLs are not supported (the probes are anonymous)");
    }
    let (host, port) = if let Some(after) = authority.strip_prefix('[') {
        let (host, tail) = after
            .split_once(']')
            .with_context(|| format!("{flag} {raw}: unclosed `[`"))?;
        let port = match tail.strip_prefix(':') {
            Some(p) => Some(p),
            None if tail.is_empty() => None,
            None => bail!("{flag} {raw}: unexpected `{tail}` after the address"),
        };
        (host.to_string(), port)
    } else if authority.matches(':').count() > 1 {
        bail!("{flag} {raw}: write IPv6 addresses in brackets, e.g. [::1]:{default_port}");
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() {
        bail!("{flag} {raw}: no host");
    }
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .with_context(|| format!("{flag} {raw}: `{p}` is not a port"))?,
        None => default_port,
    };
    let kind = match (kind, scheme.as_deref()) {
        (_, None) => kind,
        (Kind::ApiServer, Some("http")) => Kind::ApiServerInsecure,
        (Kind::ApiServer | Kind::Kubelet, Some("https"))
        | (Kind::Etcd, Some("http" | "https"))
        | (Kind::KubeletReadOnly, Some("http")) => kind,
        (_, Some(other)) => bail!("{flag} {raw}: unsupported scheme `{other}`"),
    };
    let shown = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.clone()
    };
    // etcd's scheme is detected by the probe, so its location names no scheme.
    let url = match kind {
        Kind::ApiServerInsecure | Kind::KubeletReadOnly => format!("http://{shown}:{port}"),
        Kind::Etcd => format!("{shown}:{port}"),
        Kind::ApiServer | Kind::Kubelet => format!("https://{shown}:{port}"),
    };
    Ok(Target {
        kind,
        url,
        host,
        port,
    })
}

fn targets(args: &ProbeArgs) -> anyhow::Result<Vec<Target>> {
    let mut out = Vec::new();
    for (flag, list, kind, port) in [
        ("--apiserver", &args.apiserver, Kind::ApiServer, 6443),
        ("--etcd", &args.etcd, Kind::Etcd, 2379),
        ("--kubelet", &args.kubelet, Kind::Kubelet, 10250),
        (
            "--kubelet-readonly",
            &args.kubelet_readonly,
            Kind::KubeletReadOnly,
            10255,
        ),
    ] {
        for raw in list {
            out.push(parse_target(flag, raw, kind, port)?);
        }
    }
    if out.is_empty() {
        bail!(
            "nothing to probe: give at least one of --apiserver, --etcd, --kubelet, --kubelet-readonly"
        );
    }
    Ok(out)
}

async fn probe_one(target: Target, cfg: ProbeConfig) -> Vec<Finding> {
    let (h, p) = (target.host.as_str(), target.port);
    match target.kind {
        Kind::ApiServer => probe::probe_apiserver(h, p, &cfg).await,
        Kind::ApiServerInsecure => probe::probe_apiserver_insecure(h, p, &cfg).await,
        Kind::Etcd => probe::probe_etcd(h, p, &cfg).await,
        Kind::Kubelet => probe::probe_kubelet(h, p, &cfg).await,
        Kind::KubeletReadOnly => probe::probe_kubelet_readonly(h, p, &cfg).await,
    }
}

/// Probes every target concurrently; results in the order of the targets.
fn probe_all(targets: &[Target], cfg: &ProbeConfig) -> anyhow::Result<Vec<Vec<Finding>>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .context("cannot start the probe runtime")?;
    runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (i, t) in targets.iter().enumerate() {
            let (t, cfg) = (t.clone(), cfg.clone());
            set.spawn(async move { (i, probe_one(t, cfg).await) });
        }
        let mut out = vec![Vec::new(); targets.len()];
        while let Some(done) = set.join_next().await {
            let (i, findings) = done.context("a probe task failed")?;
            if let Some(slot) = out.get_mut(i) {
                *slot = findings;
            }
        }
        Ok(out)
    })
}

fn severity(s: ProbeSeverity) -> Severity {
    match s {
        ProbeSeverity::Info => Severity::Info,
        ProbeSeverity::Low => Severity::Low,
        ProbeSeverity::Medium => Severity::Medium,
        ProbeSeverity::High => Severity::High,
        ProbeSeverity::Critical => Severity::Critical,
    }
}

fn diagnostic(engine: &Engine, target: &Target, f: &Finding) -> Option<Diagnostic> {
    let rule = rule_for_probe(f.id)?;
    let mut message = f.title.clone();
    if !f.evidence.is_empty() {
        let _ = write!(message, " ({})", f.evidence.join("; "));
    }
    engine.external(
        rule,
        ExternalFinding {
            message,
            object: None,
            location: Location {
                file: Arc::from(target.url.as_str()),
                ..Location::default()
            },
            snippet: None,
            fix: None,
            severity: Some(severity(f.severity)),
            related: Vec::new(),
        },
    )
}

/// Runs `kubeward probe`.
///
/// # Errors
/// Usage, configuration and output errors.
pub fn run(args: &ProbeArgs) -> anyhow::Result<u8> {
    let client_identity = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => Some(ClientIdentity::from_pem_files(cert, key)?),
        (None, None) => None,
        _ => bail!("--cert and --key must be given together"),
    };
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 300.0) {
        bail!("--timeout: expected seconds between 0 and 300");
    }
    let (engine, threshold) = engine_and_threshold(
        &args.select,
        &args.ignore,
        args.config.as_deref(),
        args.fail_on.as_deref(),
    )?;
    let targets = targets(args)?;
    let ca_bundle = match &args.cacert {
        Some(p) => Some(CaBundle::from_pem_file(p)?),
        None => None,
    };
    let step = Duration::from_secs_f64(args.timeout);
    let cfg = ProbeConfig {
        connect_timeout: step,
        io_timeout: step,
        client_identity,
        ca_bundle,
        ..ProbeConfig::default()
    };
    let results = probe_all(&targets, &cfg)?;
    let mut diagnostics: Vec<Diagnostic> = targets
        .iter()
        .zip(&results)
        .flat_map(|(t, fs)| fs.iter().filter_map(|f| diagnostic(&engine, t, f)))
        .collect();
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let rules = rule_docs(&engine);
    let report = Report {
        diagnostics: &diagnostics,
        errors: &[],
        summary: Summary {
            files: targets.len(),
            objects: 0,
            suppressed: 0,
            skipped: Vec::new(),
        },
        rules: &rules,
        objects: &[],
    };
    let color = args.color.for_stdout(args.output.as_deref());
    let rendered = match args.format {
        Format::Text => {
            let mut out = results_table(&targets, &results);
            out.push_str(&text::render(
                &report,
                text::TextOptions {
                    color,
                    quiet: false,
                },
            ));
            out
        }
        Format::Json => with_probes(&json::render(&report), &targets, &results)?,
        Format::Sarif => sarif::render(&report),
        Format::Junit => junit::render(&report),
    };
    if !output::write(&rendered, args.output.as_deref())? {
        return Ok(EXIT_OK);
    }
    let failing = threshold.is_some_and(|t| diagnostics.iter().any(|d| d.severity >= t));
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
}

/// `finding` (a rule's weakness) or `ok` (a fact or a good sign).
fn kind_of(f: &Finding) -> &'static str {
    if rule_for_probe(f.id).is_some() {
        "finding"
    } else {
        "ok"
    }
}

fn results_table(targets: &[Target], results: &[Vec<Finding>]) -> String {
    let mut out = String::new();
    for (t, findings) in targets.iter().zip(results) {
        let _ = writeln!(out, "[{}] {}", t.kind.component(), t.url);
        for f in findings {
            let code = rule_for_probe(f.id).map_or("-", |r| r.code);
            let _ = writeln!(
                out,
                "  {:<8} {:<6} {:<9} {}",
                if kind_of(f) == "finding" {
                    "FINDING"
                } else {
                    "OK"
                },
                code,
                severity(f.severity).as_str(),
                f.title
            );
            for e in &f.evidence {
                let _ = writeln!(out, "{:28}{e}", "");
            }
        }
        out.push('\n');
    }
    out
}

/// One probed endpoint in the JSON `probes` array.
#[derive(Serialize)]
struct ProbeJson<'a> {
    component: &'static str,
    url: &'a str,
    findings: Vec<FindingJson<'a>>,
}

/// One engine finding.
#[derive(Serialize)]
struct FindingJson<'a> {
    id: &'static str,
    code: Option<&'static str>,
    result: &'static str,
    severity: Severity,
    title: &'a str,
    evidence: &'a [String],
}

/// The JSON document of `kubeward scan` plus a `probes` array with every engine finding.
fn with_probes(
    scan_json: &str,
    targets: &[Target],
    results: &[Vec<Finding>],
) -> anyhow::Result<String> {
    let probes: Vec<ProbeJson<'_>> = targets
        .iter()
        .zip(results)
        .map(|(t, findings)| ProbeJson {
            component: t.kind.component(),
            url: &t.url,
            findings: findings
                .iter()
                .map(|f| FindingJson {
                    id: f.id,
                    code: rule_for_probe(f.id).map(|r| r.code),
                    result: kind_of(f),
                    severity: severity(f.severity),
                    title: &f.title,
                    evidence: &f.evidence,
                })
                .collect(),
        })
        .collect();
    let probes = serde_json::to_string_pretty(&probes)?.replace('\n', "\n  ");
    let Some(body) = scan_json.trim_end().strip_suffix('}') else {
        bail!("internal error: the scan JSON document is not an object");
    };
    let doc = format!("{},\n  \"probes\": {probes}\n}}\n", body.trim_end());
    serde_json::from_str::<serde_json::Value>(&doc)
        .context("internal error: invalid probe JSON document")?;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn targets_parse() {
        let t = parse_target("--etcd", "10.0.0.1", Kind::Etcd, 2379).unwrap();
        assert_eq!((t.host.as_str(), t.port), ("10.0.0.1", 2379));
        let t = parse_target("--etcd", "http://[::1]:12379/x", Kind::Etcd, 2379).unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", 12379));
        assert_eq!(t.url, "[::1]:12379");
        let t = parse_target("--apiserver", "http://h:8080", Kind::ApiServer, 6443).unwrap();
        assert_eq!(t.kind, Kind::ApiServerInsecure);
        let t = parse_target(
            "--apiserver",
            "https://api.example:443",
            Kind::ApiServer,
            6443,
        )
        .unwrap();
        assert_eq!((t.kind, t.port), (Kind::ApiServer, 443));
        for bad in ["", "h:0", "h:x", "::1", "ftp://h", "u:p@h:1", "[::1"] {
            assert!(
                parse_target("--etcd", bad, Kind::Etcd, 2379).is_err(),
                "{bad}"
            );
        }
        assert!(parse_target("--kubelet", "http://h", Kind::Kubelet, 10250).is_err());
    }
}

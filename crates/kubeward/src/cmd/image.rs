//! `kubeward image`: cosign signature verification against a registry (`verify`) and the SBOM
//! vulnerability gate against a local OSV database (`vulns`). The same code paths serve the
//! `images:` rules of `kubeward scan` and the admission webhook.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use kubeward_cosign::SigningKey;
use kubeward_imagepolicy::signature::{sign_and_push, sign_bundle_and_push};
use kubeward_imagepolicy::{ImageCheck, ImageGate, SignatureStatus, check_all};
use kubeward_oci::{ClientOptions, Credentials, Reference, RegistryClient};
use kubeward_rules::images::{ImagesConfig, RegistryAccess, SignaturePolicy};
use kubeward_vuln::{Database, SbomFormat, Severity};
use serde::Serialize;

use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

/// Output formats of `kubeward image`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImageFormat {
    /// One line per image or advisory.
    Text,
    /// JSON (`kubeward/image-verify/v1`, `kubeward/image-vulns/v1`).
    Json,
}

/// `kubeward image` subcommands.
#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Verify cosign signatures of images in an OCI registry (key-based): resolves each tag to
    /// its manifest digest and accepts a signature only for that digest. Exit 0 when every
    /// image verifies, 1 when one does not, 2 when a registry cannot be asked.
    Verify(VerifyArgs),
    /// Sign an image with a cosign key, as `cosign sign --key` does: a simple-signing
    /// signature at the `sha256-<digest>.sig` tag, or with `--bundle` a Sigstore bundle
    /// attached as an OCI 1.1 referrer (cosign v3's format).
    Sign(SignArgs),
    /// Match an SBOM (CycloneDX 1.4–1.6 or SPDX 2.3 JSON) against a local OSV database.
    /// Exit 1 when an advisory at or above `--fail-on` matches.
    Vulns(VulnsArgs),
}

/// Arguments of `kubeward image verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Images (`registry/repository:tag` or `…@sha256:…`).
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
    /// Cosign public key (PEM); repeatable: a signature by any of them is accepted.
    #[arg(long, value_name = "FILE", required = true)]
    pub key: Vec<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ImageFormat::Text)]
    pub format: ImageFormat,
}

/// How registries are reached (shared by `verify` and `sign`).
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// CA certificate (PEM) trusted for the registry's TLS, in addition to the system roots.
    #[arg(long, value_name = "FILE")]
    pub registry_ca: Vec<PathBuf>,
    /// Talk to the images' registries over plain HTTP.
    #[arg(long)]
    pub insecure_registry: bool,
    /// Docker `config.json` with registry credentials.
    #[arg(long, value_name = "FILE")]
    pub docker_config: Option<PathBuf>,
    /// Per-request timeout in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub timeout_ms: u64,
}

impl RegistryArgs {
    fn access<'a>(&self, images: impl IntoIterator<Item = &'a String>) -> RegistryAccess {
        let insecure = if self.insecure_registry {
            images
                .into_iter()
                .filter_map(|image| Reference::parse(image).ok())
                .map(|r| r.registry().to_owned())
                .collect()
        } else {
            Vec::new()
        };
        RegistryAccess {
            insecure,
            ca: self
                .registry_ca
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            timeout_ms: self.timeout_ms.max(1),
            docker_config: self.docker_config.as_ref().map(|p| p.display().to_string()),
        }
    }
}

/// Arguments of `kubeward image sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The image to sign; its tag is resolved to the manifest digest, which is what is signed.
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Private key: cosign's encrypted `cosign.key` (password from `COSIGN_PASSWORD`) or an
    /// unencrypted PKCS#8 ECDSA P-256 PEM.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Write a Sigstore bundle attached as an OCI 1.1 referrer (cosign v3's default format)
    /// instead of the simple-signing manifest at the `.sig` tag.
    #[arg(long)]
    pub bundle: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Arguments of `kubeward image vulns`.
#[derive(Debug, Args)]
pub struct VulnsArgs {
    /// The SBOM: CycloneDX 1.4–1.6 JSON or SPDX 2.3 JSON (syft, trivy, …).
    #[arg(long, value_name = "FILE")]
    pub sbom: PathBuf,
    /// Directory of OSV advisories (one JSON file per advisory, any depth).
    #[arg(long, value_name = "DIR")]
    pub db: PathBuf,
    /// Lowest advisory severity that makes the exit code 1: critical, high, medium, low, or
    /// never. Findings below it are still listed.
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ImageFormat::Text)]
    pub format: ImageFormat,
}

/// Runs `kubeward image`.
///
/// # Errors
/// Unreadable keys, SBOM or database; output errors.
pub fn run(command: &ImageCommand) -> anyhow::Result<u8> {
    match command {
        ImageCommand::Verify(args) => verify(args),
        ImageCommand::Sign(args) => sign(args),
        ImageCommand::Vulns(args) => vulns(args),
    }
}

fn sign(args: &SignArgs) -> anyhow::Result<u8> {
    let pem = std::fs::read(&args.key)
        .with_context(|| format!("cannot read key {}", args.key.display()))?;
    let key = if String::from_utf8_lossy(&pem).contains("ENCRYPTED") {
        let password = std::env::var("COSIGN_PASSWORD").unwrap_or_default();
        SigningKey::from_cosign_encrypted_pem(&pem, password.as_bytes())
    } else {
        SigningKey::from_pkcs8_pem(&pem)
    }
    .map_err(|e| anyhow::anyhow!("{}: {e}", args.key.display()))?;
    let reference =
        Reference::parse(&args.image).map_err(|e| anyhow::anyhow!("`{}`: {e}", args.image))?;
    let access = args.registry.access([&args.image]);
    let mut options = ClientOptions {
        insecure_registries: access.insecure,
        request_timeout: std::time::Duration::from_millis(access.timeout_ms),
        ..ClientOptions::default()
    };
    for ca in &args.registry.registry_ca {
        options
            .ca_pem
            .push(std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?);
    }
    if let Some(path) = &args.registry.docker_config {
        options.credentials = Credentials::DockerConfig(path.clone());
    }
    let client = RegistryClient::new(options).map_err(|e| anyhow::anyhow!("{e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the registry client runtime")?;
    let signed = runtime
        .block_on(async {
            if args.bundle {
                sign_bundle_and_push(&client, &reference, &key).await
            } else {
                sign_and_push(&client, &reference, &key).await
            }
        })
        .map_err(|e| anyhow::anyhow!("signing {}: {e}", args.image))?;
    println!(
        "signed {} {} with {} ({} signature{} at {})",
        args.image,
        signed.digest,
        key.public_key().key_id(),
        signed.signatures,
        if signed.signatures == 1 { "" } else { "s" },
        signed.signature_tag
    );
    Ok(EXIT_OK)
}

/// One image in the `kubeward/image-verify/v1` report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifiedImage {
    image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<String>,
    /// `verified`, `rejected`, `unavailable` or `invalid`.
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reasons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn verified_image(check: &ImageCheck) -> VerifiedImage {
    let mut out = VerifiedImage {
        image: check.image.clone(),
        reference: check.reference.clone(),
        digest: check.digest.clone(),
        status: "invalid",
        key_id: None,
        reasons: Vec::new(),
        error: check.invalid.clone(),
    };
    match &check.signature {
        Some(SignatureStatus::Verified { key_id, .. }) => {
            out.status = "verified";
            out.key_id = Some(key_id.clone());
        }
        Some(SignatureStatus::Rejected { reasons, .. }) => {
            out.status = "rejected";
            out.reasons.clone_from(reasons);
        }
        Some(SignatureStatus::Unavailable { error, .. }) => {
            out.status = "unavailable";
            out.error = Some(error.clone());
        }
        None => {}
    }
    out
}

fn verify(args: &VerifyArgs) -> anyhow::Result<u8> {
    let config = ImagesConfig {
        signatures: vec![SignaturePolicy {
            name: Some("command line".into()),
            images: vec!["**".into()],
            keys: args.key.iter().map(|p| p.display().to_string()).collect(),
        }],
        registry: args.registry.access(&args.images),
        ..ImagesConfig::default()
    };
    let gate = ImageGate::load(&config, std::path::Path::new(".")).context("image verify")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the registry client runtime")?;
    let checks = runtime.block_on(check_all(&gate, args.images.iter().map(String::as_str), 8));
    let report: Vec<VerifiedImage> = args
        .images
        .iter()
        .filter_map(|image| checks.get(image.as_str()))
        .map(verified_image)
        .collect();
    let mut stdout = std::io::stdout().lock();
    match args.format {
        ImageFormat::Json => {
            let doc = serde_json::json!({
                "schema": "kubeward/image-verify/v1",
                "images": report,
            });
            writeln!(stdout, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        ImageFormat::Text => {
            for r in &report {
                let digest = r.digest.as_deref().unwrap_or("-");
                match r.status {
                    "verified" => writeln!(
                        stdout,
                        "verified   {} {digest} signed by {}",
                        r.image,
                        r.key_id.as_deref().unwrap_or("?")
                    )?,
                    "rejected" => writeln!(
                        stdout,
                        "REJECTED   {} {digest}: {}",
                        r.image,
                        r.reasons.join("; ")
                    )?,
                    other => writeln!(
                        stdout,
                        "{:<10} {}: {}",
                        other.to_uppercase(),
                        r.image,
                        r.error.as_deref().unwrap_or("")
                    )?,
                }
            }
        }
    }
    let code = if report
        .iter()
        .any(|r| matches!(r.status, "unavailable" | "invalid"))
    {
        EXIT_ERROR
    } else if report.iter().any(|r| r.status != "verified") {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    Ok(code)
}

fn parse_threshold(value: &str) -> anyhow::Result<Option<Severity>> {
    if value.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    value.parse::<Severity>().map(Some).map_err(|_| {
        anyhow::anyhow!("--fail-on: `{value}` is not critical, high, medium, low or never")
    })
}

/// One advisory match in the `kubeward/image-vulns/v1` report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VulnRow<'a> {
    package: &'a str,
    installed_version: &'a str,
    ecosystem: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<&'a str>,
    advisory_id: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    aliases: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed_version: Option<&'a str>,
    severity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cvss_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cvss_vector: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    distro_unknown: bool,
}

/// `CycloneDX 1.5`, `SPDX 2.3`.
fn sbom_format(format: &SbomFormat) -> String {
    match format {
        SbomFormat::CycloneDx { spec_version } => format!("CycloneDX {spec_version}"),
        SbomFormat::Spdx { version } => format!("SPDX {version}"),
    }
}

fn vulns(args: &VulnsArgs) -> anyhow::Result<u8> {
    let threshold = parse_threshold(&args.fail_on)?;
    // The errors name the file and carry their cause in the message already; printing their
    // source chain too would repeat it.
    let sbom = kubeward_vuln::load_sbom(&args.sbom).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (db, issues) = Database::load_dir(&args.db).map_err(|e| anyhow::anyhow!("{e}"))?;
    for issue in &issues {
        match (issue.line, issue.column) {
            (Some(l), Some(c)) => eprintln!(
                "kubeward: skipped {}:{l}:{c}: {}",
                issue.path.display(),
                issue.message
            ),
            _ => eprintln!(
                "kubeward: skipped {}: {}",
                issue.path.display(),
                issue.message
            ),
        }
    }
    let report = kubeward_vuln::match_sbom(&db, &sbom);
    let rows: Vec<VulnRow<'_>> = report
        .findings
        .iter()
        .map(|f| VulnRow {
            package: &f.package,
            installed_version: &f.installed_version,
            ecosystem: &f.ecosystem,
            purl: f.purl.as_deref(),
            advisory_id: &f.advisory_id,
            aliases: &f.aliases,
            fixed_version: f.fixed_version.as_deref(),
            severity: f.severity.to_string(),
            cvss_score: f.cvss_score,
            cvss_vector: f.cvss_vector.as_deref(),
            summary: f.summary.as_deref(),
            distro_unknown: f.distro_unknown,
        })
        .collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for f in &report.findings {
        *counts.entry(f.severity.to_string()).or_default() += 1;
    }
    let failing = threshold.map_or(0, |t| {
        report
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Unknown && f.severity >= t)
            .count()
    });
    let mut stdout = std::io::stdout().lock();
    match args.format {
        ImageFormat::Json => {
            let doc = serde_json::json!({
                "schema": "kubeward/image-vulns/v1",
                "sbom": {
                    "file": args.sbom.display().to_string(),
                    "format": sbom_format(&sbom.format),
                    "subject": sbom.subject,
                    "packages": report.packages_scanned,
                    "unsupportedPackages": report.packages_unsupported,
                },
                "database": {
                    "advisories": db.advisory_count(),
                    "skippedFiles": issues.len(),
                },
                "failOn": args.fail_on.to_lowercase(),
                "findings": rows,
                "summary": {
                    "bySeverity": counts,
                    "atOrAboveFailOn": failing,
                },
            });
            writeln!(stdout, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        ImageFormat::Text => {
            for r in &rows {
                writeln!(
                    stdout,
                    "{:<8} {:<20} {} {} {} fixed: {}",
                    r.severity,
                    r.advisory_id,
                    r.package,
                    r.installed_version,
                    r.ecosystem,
                    r.fixed_version.unwrap_or("none")
                )?;
            }
            writeln!(
                stdout,
                "{} advisories matched in {} packages ({} without a supported purl); {} at or above {}",
                rows.len(),
                report.packages_scanned,
                report.packages_unsupported,
                failing,
                args.fail_on.to_lowercase()
            )?;
        }
    }
    Ok(if failing > 0 { EXIT_FINDINGS } else { EXIT_OK })
}

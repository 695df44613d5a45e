//! `kubeward serve` (validating admission webhook and audit webhook backend over HTTPS) and
//! `kubeward webhook` (certificates and install manifests). The work is in
//! `kubeward-webhook`; this file only maps the command line onto it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use kubeward_webhook::manifests::{DEFAULT_IMAGE, FailurePolicy, ManifestOptions};
use kubeward_webhook::server::{ServeOptions, init_logging, run_blocking};

/// Arguments of `kubeward serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (HTTPS only).
    #[arg(long, default_value = "0.0.0.0:8443", value_name = "ADDR")]
    listen: SocketAddr,
    /// PEM certificate chain (reloaded when it changes).
    #[arg(long, value_name = "FILE")]
    tls_cert: PathBuf,
    /// PEM private key (reloaded when it changes).
    #[arg(long, value_name = "FILE")]
    tls_key: PathBuf,
    /// Configuration file (`.kubeward.yaml` format: rules plus the `webhook:` section);
    /// reloaded when it changes.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Seconds between checks of the certificate and configuration files.
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    reload_interval: f64,
    /// Seconds to stay up but not ready after SIGTERM, so endpoints are removed first.
    #[arg(long, default_value_t = 3.0, value_name = "SECONDS")]
    shutdown_delay: f64,
    /// Longest wait for requests in flight once the listener is closed.
    #[arg(long, default_value_t = 20.0, value_name = "SECONDS")]
    shutdown_grace: f64,
    /// Break glass: every deny becomes a warning (also `webhook.break-glass` in the config).
    #[arg(long)]
    break_glass: bool,
}

/// `kubeward webhook` subcommands.
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Generate a CA and a serving certificate (ca.crt, tls.crt, tls.key) for the Service.
    Certs(CertsArgs),
    /// Write the install manifests (kustomize-ready).
    Manifests(ManifestsArgs),
}

/// Arguments of `kubeward webhook certs`.
#[derive(Debug, Args)]
pub struct CertsArgs {
    /// Service name.
    #[arg(long, default_value = "kubeward-webhook")]
    service: String,
    /// Namespace of the Service.
    #[arg(long, default_value = "kubeward")]
    namespace: String,
    /// Output directory (created).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also valid for `localhost` and `127.0.0.1` (running outside the cluster, tests).
    #[arg(long)]
    local: bool,
    /// Validity of the serving certificate in days.
    #[arg(long, default_value_t = 365)]
    days: u32,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailurePolicyArg {
    #[value(name = "Ignore")]
    Ignore,
    #[value(name = "Fail")]
    Fail,
}

/// Arguments of `kubeward webhook manifests`.
#[derive(Debug, Args)]
pub struct ManifestsArgs {
    /// Deployment replicas.
    #[arg(long, default_value_t = 3)]
    replicas: u32,
    /// failurePolicy of the webhooks (`Ignore`, the default, admits requests while kubeward
    /// is unreachable; `Fail` rejects them).
    #[arg(long, value_enum, default_value = "Ignore")]
    failure_policy: FailurePolicyArg,
    /// Namespace kubeward runs in.
    #[arg(long, default_value = "kubeward")]
    namespace: String,
    /// Service name.
    #[arg(long, default_value = "kubeward-webhook")]
    service: String,
    /// Container image, pinned by digest.
    #[arg(long, default_value = DEFAULT_IMAGE)]
    image: String,
    /// Write this CA certificate into caBundle (default: kustomize copies it from the Secret).
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// Source range allowed to reach the webhook (the API server's addresses; repeatable).
    #[arg(long = "apiserver-cidr", value_name = "CIDR",
          default_values_t = ["10.0.0.0/8".to_owned(), "172.16.0.0/12".to_owned(), "192.168.0.0/16".to_owned()])]
    apiserver_cidrs: Vec<String>,
    /// Registry address range the webhook may call for the `images:` signature checks
    /// (repeatable; egress to TCP 443 and 5000, plus kube-dns). Default: no egress.
    #[arg(long = "registry-cidr", value_name = "CIDR")]
    registry_cidrs: Vec<String>,
    /// Output directory (default: all documents to stdout).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

fn seconds(s: f64, what: &str) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(s).with_context(|| format!("--{what}: `{s}` is not a duration"))
}

/// Runs `kubeward serve`.
///
/// # Errors
/// Bad configuration or certificates, or the listener failing.
pub fn run(args: &ServeArgs) -> anyhow::Result<u8> {
    init_logging();
    let options = ServeOptions {
        listen: args.listen,
        tls_cert: args.tls_cert.clone(),
        tls_key: args.tls_key.clone(),
        config: args.config.clone(),
        reload_interval: seconds(args.reload_interval, "reload-interval")?,
        shutdown_delay: seconds(args.shutdown_delay, "shutdown-delay")?,
        shutdown_grace: seconds(args.shutdown_grace, "shutdown-grace")?,
        break_glass: args.break_glass,
    };
    run_blocking(options)?;
    Ok(crate::EXIT_OK)
}

/// Runs `kubeward webhook`.
///
/// # Errors
/// Invalid names, unwritable output.
pub fn run_webhook(command: &WebhookCommand) -> anyhow::Result<u8> {
    match command {
        WebhookCommand::Certs(a) => certs(a),
        WebhookCommand::Manifests(a) => manifests(a),
    }
}

fn write_file(path: &Path, contents: &str, private: bool) -> anyhow::Result<()> {
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("restricting {}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    Ok(())
}

fn certs(a: &CertsArgs) -> anyhow::Result<u8> {
    let set = kubeward_webhook::certs::generate(&a.service, &a.namespace, a.local, a.days)?;
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    write_file(&a.out.join("ca.crt"), &set.ca_crt, false)?;
    write_file(&a.out.join("tls.crt"), &set.tls_crt, false)?;
    write_file(&a.out.join("tls.key"), &set.tls_key, true)?;
    eprintln!(
        "wrote ca.crt, tls.crt, tls.key to {} (names: {}{})",
        a.out.display(),
        set.dns_names.join(", "),
        if a.local {
            ", localhost, 127.0.0.1"
        } else {
            ""
        }
    );
    Ok(crate::EXIT_OK)
}

fn manifests(a: &ManifestsArgs) -> anyhow::Result<u8> {
    let ca_bundle = a
        .ca_cert
        .as_ref()
        .map(|p| std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display())))
        .transpose()?;
    let options = ManifestOptions {
        namespace: a.namespace.clone(),
        service: a.service.clone(),
        replicas: a.replicas,
        failure_policy: match a.failure_policy {
            FailurePolicyArg::Ignore => FailurePolicy::Ignore,
            FailurePolicyArg::Fail => FailurePolicy::Fail,
        },
        image: a.image.clone(),
        ca_bundle,
        apiserver_cidrs: a.apiserver_cidrs.clone(),
        registry_cidrs: a.registry_cidrs.clone(),
        ..ManifestOptions::default()
    };
    if !a.image.contains("@sha256:") {
        anyhow::bail!("--image must be pinned by digest (`repo:tag@sha256:...`)");
    }
    let files = kubeward_webhook::manifests::render(&options);
    match &a.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            for (name, text) in &files {
                write_file(&dir.join(name), text, false)?;
            }
            eprintln!(
                "wrote {} files to {}; next: kubeward webhook certs --service {} --namespace {} --out {}",
                files.len(),
                dir.display(),
                a.service,
                a.namespace,
                dir.join("certs").display()
            );
        }
        None => {
            let text = files
                .iter()
                .filter(|(name, _)| name != "kustomization.yaml")
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join("---\n");
            crate::output::write(&text, None)?;
        }
    }
    Ok(crate::EXIT_OK)
}

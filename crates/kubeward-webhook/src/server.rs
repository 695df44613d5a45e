//! Running the server: TLS listener (axum-server over rustls), certificate and configuration
//! reload by polling, readiness, graceful shutdown that drains requests in flight.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;

use crate::api::{AppState, router};
use crate::config::{ConfigError, Policy};
use crate::tls::{TlsError, TlsFiles};

/// What `kubeward serve` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// PEM certificate chain.
    pub tls_cert: PathBuf,
    /// PEM private key.
    pub tls_key: PathBuf,
    /// `.kubeward.yaml` (rules and `webhook:`); built-in defaults without it.
    pub config: Option<PathBuf>,
    /// How often certificate and configuration files are checked for changes.
    pub reload_interval: Duration,
    /// After SIGTERM: time spent not-ready (so endpoints are removed) before the listener
    /// closes.
    pub shutdown_delay: Duration,
    /// After the listener closes: the longest wait for requests in flight.
    pub shutdown_grace: Duration,
    /// Force the break-glass switch on (every deny becomes warn).
    pub break_glass: bool,
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Invalid configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Unusable certificates.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// Audit detector settings rejected.
    #[error("audit settings: {0}")]
    Audit(String),
    /// Listening or serving failed.
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// Installs the JSON log subscriber (stdout, one JSON object per line; `RUST_LOG` filters,
/// default `info`). Safe to call twice.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_env_filter(filter)
        .with_writer(std::io::stdout)
        .try_init();
}

/// Runs the server on a new multi-threaded runtime until SIGTERM or Ctrl-C.
///
/// # Errors
/// [`ServeError`] on bad configuration or certificates, or when listening fails.
pub fn run_blocking(options: ServeOptions) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("kubeward-serve")
        .build()?;
    runtime.block_on(run(options, shutdown_signal()))
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs the server until `shutdown` completes, then drains.
///
/// # Errors
/// [`ServeError`] on bad configuration or certificates, or when listening fails.
pub async fn run(
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let policy = Policy::load(options.config.as_deref(), options.break_glass)?;
    let audit_engine = kubeward_audit::Engine::new(policy.audit.clone())
        .map_err(|e| ServeError::Audit(e.to_string()))?;
    let (mut tls_files, server_config) = TlsFiles::load(&options.tls_cert, &options.tls_key)?;
    let rustls = RustlsConfig::from_config(Arc::new(server_config));
    let state = Arc::new(AppState::new(policy));
    let worker = crate::audit::spawn_worker(Arc::clone(&state), audit_engine)?;
    let handle: Handle<SocketAddr> = Handle::new();

    // Reload loop: certificates and configuration, by content.
    let reload_state = Arc::clone(&state);
    let reload_tls = rustls.clone();
    let config_path = options.config.clone();
    let break_glass = options.break_glass;
    let interval = options.reload_interval.max(Duration::from_millis(100));
    let reloader = tokio::spawn(async move {
        let mut last_config = config_path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok());
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            match tls_files.poll() {
                Ok(None) => {}
                Ok(Some(config)) => {
                    reload_tls.reload_from_config(Arc::new(config));
                    reload_state.metrics.reload("tls", "ok");
                    tracing::info!("certificate reloaded");
                }
                Err(e) => {
                    reload_state.metrics.reload("tls", "error");
                    tracing::warn!(error = %e, "certificate change not usable yet; keeping the current one");
                }
            }
            let Some(path) = &config_path else { continue };
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if last_config.as_deref() == Some(text.as_str()) {
                continue;
            }
            match Policy::parse(&path.display().to_string(), &text, break_glass) {
                Ok(policy) => {
                    tracing::info!(
                        break_glass = policy.webhook.break_glass,
                        mode = policy.webhook.mode.as_str(),
                        "configuration reloaded (limits and audit settings apply at restart)"
                    );
                    reload_state.set_policy(policy);
                    reload_state.metrics.reload("config", "ok");
                }
                Err(e) => {
                    reload_state.metrics.reload("config", "error");
                    tracing::error!(error = %e, "configuration change rejected; keeping the current one");
                }
            }
            last_config = Some(text);
        }
    });

    let shutdown_state = Arc::clone(&state);
    let shutdown_handle = handle.clone();
    let delay = options.shutdown_delay;
    let grace = options.shutdown_grace;
    tokio::spawn(async move {
        shutdown.await;
        shutdown_state.set_ready(false);
        tracing::info!(
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            "shutdown requested: not ready, draining"
        );
        tokio::time::sleep(delay).await;
        shutdown_handle.graceful_shutdown(Some(grace));
    });

    let listening = handle.clone();
    tokio::spawn(async move {
        if let Some(addr) = listening.listening().await {
            tracing::info!(address = %addr, "listening (https)");
        }
    });
    let served = axum_server::bind_rustls(options.listen, rustls)
        .handle(handle)
        .serve(router(Arc::clone(&state)).into_make_service())
        .await;
    reloader.abort();
    state.audit_queue.close();
    let _ = tokio::task::spawn_blocking(move || worker.join()).await;
    tracing::info!("stopped");
    served.map_err(ServeError::from)
}

//! Read-only live probes of control-plane endpoints, made without credentials.
//!
//! Each probe sends a few `GET`s (and, for etcd, one harmless `POST /v3/kv/range` for the key
//! `kubeward-probe`) with short timeouts and turns what came back into [`Finding`]s with a
//! severity and evidence — status codes, TLS facts, a version string; never a response body
//! that could hold secrets (list responses are not even read past their headers). Endpoints
//! that hang, refuse, or speak something other than HTTP become findings, never errors or
//! panics. TLS uses rustls with the ring provider and a verifier that accepts any certificate
//! and records it, so that self-signed, expired or misnamed certificates are reported; with a
//! [`CaBundle`] ([`ProbeConfig::ca_bundle`]) the chain is also verified against it (webpki) and
//! the result is evidence. With a [`ClientIdentity`] ([`ProbeConfig::client_identity`]) the
//! etcd probe makes one more, authenticated request after the anonymous ones; every other
//! request stays anonymous.
//!
//! ```no_run
//! # async fn demo() {
//! use kubeward_controlplane::probe::{probe_etcd, ProbeConfig};
//! let findings = probe_etcd("127.0.0.1", 2379, &ProbeConfig::default()).await;
//! for f in &findings {
//!     println!("{:?} {} {}", f.severity, f.id, f.title);
//! }
//! # }
//! ```

pub mod http;
pub mod tls;

use serde::Serialize;

pub use http::{Exchange, Outcome, ProbeConfig, Request, Scheme, send};
pub use tls::{CaBundle, CaCheck, CertFacts, ClientIdentity, TlsFacts};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Severity {
    /// A fact, or a good sign.
    Info,
    /// Minor exposure.
    Low,
    /// Exposure worth fixing.
    Medium,
    /// Serious exposure.
    High,
    /// Direct compromise.
    Critical,
}

/// One probe result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable id (`probe.etcd.no-client-cert-auth`).
    pub id: &'static str,
    /// Severity.
    pub severity: Severity,
    /// `host:port` probed.
    pub target: String,
    /// One-line summary.
    pub title: String,
    /// What was seen (status codes, TLS facts; never secret values).
    pub evidence: Vec<String>,
}

fn target(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn finding(
    id: &'static str,
    severity: Severity,
    host: &str,
    port: u16,
    title: impl Into<String>,
    evidence: Vec<String>,
) -> Finding {
    Finding {
        id,
        severity,
        target: target(host, port),
        title: title.into(),
        evidence,
    }
}

async fn get(
    host: &str,
    port: u16,
    scheme: Scheme,
    path: &str,
    read_body: bool,
    cfg: &ProbeConfig,
) -> Outcome {
    let req = Request {
        method: "GET",
        path,
        body: None,
        read_body,
    };
    match send(host, port, scheme, &req, cfg).await {
        Ok(o) => o,
        Err(e) => Outcome {
            exchange: Exchange::ConnectError(e.to_string()),
            tls: None,
        },
    }
}

/// A finding for an endpoint that could not be talked to, or `None` when it answered HTTP.
fn unreachable(component: &str, host: &str, port: u16, o: &Outcome) -> Option<Finding> {
    let ev = vec![o.exchange.describe()];
    match &o.exchange {
        Exchange::Response { .. } => None,
        Exchange::Refused => Some(finding(
            "probe.unreachable",
            Severity::Info,
            host,
            port,
            format!("{component}: nothing listens on this port"),
            ev,
        )),
        Exchange::Timeout { phase } => Some(finding(
            "probe.timeout",
            Severity::Info,
            host,
            port,
            format!("{component}: no answer before the timeout ({phase})"),
            ev,
        )),
        Exchange::NotHttp { .. } => Some(finding(
            "probe.not-http",
            Severity::Low,
            host,
            port,
            format!("{component}: the port answers, but not with HTTP"),
            ev,
        )),
        Exchange::Closed => Some(finding(
            "probe.closed",
            Severity::Info,
            host,
            port,
            format!("{component}: the connection was closed without an answer"),
            ev,
        )),
        Exchange::TlsError(m) if looks_plain_http(m) => Some(finding(
            "probe.not-tls",
            Severity::Low,
            host,
            port,
            format!("{component}: the port answers, but not with TLS"),
            ev,
        )),
        Exchange::ConnectError(_) | Exchange::TlsError(_) => Some(finding(
            "probe.error",
            Severity::Info,
            host,
            port,
            format!("{component}: cannot talk to the endpoint"),
            ev,
        )),
    }
}

/// Findings about the certificate and protocol a TLS endpoint presented.
#[must_use]
pub fn tls_findings(component: &str, host: &str, port: u16, facts: &TlsFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    if !facts.version.is_empty() {
        out.push(finding(
            "probe.tls.negotiated",
            Severity::Info,
            host,
            port,
            format!(
                "{component}: TLS {} with {}",
                facts.version, facts.cipher_suite
            ),
            vec![format!(
                "client certificate requested: {}",
                facts.client_cert_requested
            )]
            .into_iter()
            .chain(facts.ca_check.as_ref().map(|c| match c {
                CaCheck::Verified => {
                    "server certificate verifies against --cacert: yes".to_string()
                }
                CaCheck::Failed { reason } => {
                    format!("server certificate verifies against --cacert: no ({reason})")
                }
            }))
            .collect(),
        ));
    }
    if let Some(c) = &facts.certificate {
        let ev = vec![
            format!("subject: {}", c.subject),
            format!("issuer: {}", c.issuer),
            format!("SANs: {}", c.sans.join(", ")),
            format!("valid: {} .. {} (Unix time)", c.not_before, c.not_after),
        ];
        if let Some(CaCheck::Failed { reason }) = &facts.ca_check {
            out.push(finding(
                "probe.tls.untrusted-issuer",
                Severity::Medium,
                host,
                port,
                format!("{component}: the certificate does not verify against --cacert"),
                std::iter::once(format!("verification: {reason}"))
                    .chain(ev.iter().take(2).cloned())
                    .collect(),
            ));
        }
        if c.self_signed {
            out.push(finding(
                "probe.tls.self-signed",
                Severity::Medium,
                host,
                port,
                format!("{component}: the certificate is self-signed"),
                ev.clone(),
            ));
        }
        if c.expired {
            out.push(finding(
                "probe.tls.expired",
                Severity::High,
                host,
                port,
                format!("{component}: the certificate has expired"),
                ev.clone(),
            ));
        }
        if c.not_yet_valid {
            out.push(finding(
                "probe.tls.not-yet-valid",
                Severity::Medium,
                host,
                port,
                format!("{component}: the certificate is not valid yet"),
                ev.clone(),
            ));
        }
        if !c.name_matches {
            out.push(finding(
                "probe.tls.name-mismatch",
                Severity::Medium,
                host,
                port,
                format!("{component}: the certificate does not cover `{host}`"),
                ev,
            ));
        }
    }
    out
}

fn is_client_cert_rejection(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("certificaterequired")
        || m.contains("badcertificate")
        || m.contains("handshakefailure")
        || m.contains("certificate required")
        || m.contains("bad certificate")
}

fn looks_plain_http(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("invalidcontenttype")
        || m.contains("corrupt message")
        || m.contains("received corrupt")
        || m.contains("invalid content type")
}

const ETCD_RANGE_BODY: &[u8] = b"{\"key\":\"a3ViZXdhcmQtcHJvYmU=\"}";

/// Probes an etcd client endpoint: does it answer without a client certificate (over TLS), or
/// over plain HTTP, and can it then read keys (`POST /v3/kv/range` for `kubeward-probe`)?
///
/// With [`ProbeConfig::client_identity`], a TLS endpoint is then asked once more, presenting
/// the certificate: `probe.etcd.authenticated` (the identity can read `/version`, and the
/// status of the key read) or `probe.etcd.client-cert-rejected`.
pub async fn probe_etcd(host: &str, port: u16, cfg: &ProbeConfig) -> Vec<Finding> {
    let (mut out, spoke_tls) = probe_etcd_anonymous(host, port, &cfg.anonymous()).await;
    if let Some(id) = &cfg.client_identity
        && spoke_tls
    {
        out.push(probe_etcd_authenticated(host, port, cfg, id).await);
    }
    out
}

/// The authenticated etcd request: `GET /version` (and the status of a key read) presenting
/// the client certificate.
async fn probe_etcd_authenticated(
    host: &str,
    port: u16,
    cfg: &ProbeConfig,
    id: &ClientIdentity,
) -> Finding {
    let o = get(host, port, Scheme::Https, "/version", true, cfg).await;
    let presented = o.tls.as_ref().is_some_and(|t| t.client_cert_presented);
    let mut ev = vec![
        format!("client certificate: {}", id.subject()),
        format!("client certificate presented: {presented}"),
        format!("GET /version: {}", o.exchange.describe()),
    ];
    match o.exchange.status() {
        Some(200) => {
            if let Some(v) = serde_json::from_str::<serde_json::Value>(&o.exchange.body_text())
                .ok()
                .and_then(|v| {
                    v.get("etcdserver")
                        .and_then(|s| s.as_str())
                        .map(str::to_string)
                })
            {
                ev.push(format!("etcd version {v}"));
            }
            let req = Request {
                method: "POST",
                path: "/v3/kv/range",
                body: Some(ETCD_RANGE_BODY),
                read_body: false,
            };
            let range = send(host, port, Scheme::Https, &req, cfg)
                .await
                .map_or_else(|e| Exchange::ConnectError(e.to_string()), |o| o.exchange);
            ev.push(format!(
                "POST /v3/kv/range (key `kubeward-probe`): {} (body not read)",
                range.describe()
            ));
            let title = if presented {
                "etcd accepts the client certificate (authenticated access works)"
            } else {
                "etcd answered without asking for the client certificate"
            };
            finding(
                "probe.etcd.authenticated",
                Severity::Info,
                host,
                port,
                title,
                ev,
            )
        }
        Some(_) => finding(
            "probe.etcd.authenticated-refused",
            Severity::Info,
            host,
            port,
            "etcd completed the handshake with the client certificate but refused the request",
            ev,
        ),
        None => finding(
            "probe.etcd.client-cert-rejected",
            Severity::Info,
            host,
            port,
            "etcd rejected the client certificate (not issued by its --trusted-ca-file, or invalid)",
            ev,
        ),
    }
}

/// The anonymous etcd probes; also says whether the endpoint speaks TLS.
async fn probe_etcd_anonymous(host: &str, port: u16, cfg: &ProbeConfig) -> (Vec<Finding>, bool) {
    let mut out = Vec::new();
    let tls_try = get(host, port, Scheme::Https, "/version", true, cfg).await;
    let scheme = match &tls_try.exchange {
        Exchange::TlsError(m) if looks_plain_http(m) => Scheme::Http,
        Exchange::Response { .. } => Scheme::Https,
        Exchange::TlsError(m)
            if tls_try
                .tls
                .as_ref()
                .is_some_and(|t| t.client_cert_requested)
                || is_client_cert_rejection(m) =>
        {
            if let Some(t) = &tls_try.tls {
                out.extend(tls_findings("etcd", host, port, t));
            }
            out.push(finding(
                "probe.etcd.client-cert-required",
                Severity::Info,
                host,
                port,
                "etcd requires a client certificate",
                vec![tls_try.exchange.describe()],
            ));
            return (out, true);
        }
        _ => {
            // Maybe a plain HTTP listener that closed on the TLS hello; try plain HTTP once.
            let plain = get(host, port, Scheme::Http, "/version", true, cfg).await;
            if plain.exchange.status().is_some() {
                Scheme::Http
            } else {
                out.extend(unreachable("etcd", host, port, &tls_try));
                return (out, false);
            }
        }
    };
    let version = match scheme {
        Scheme::Https => tls_try,
        Scheme::Http => get(host, port, Scheme::Http, "/version", true, cfg).await,
    };
    if let Some(t) = &version.tls {
        out.extend(tls_findings("etcd", host, port, t));
    }
    let status = version.exchange.status();
    let body = version.exchange.body_text();
    let etcd_version = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("etcdserver")
                .and_then(|s| s.as_str())
                .map(str::to_string)
        });
    let mut ev = vec![format!("GET /version: {}", version.exchange.describe())];
    if let Some(v) = &etcd_version {
        ev.push(format!("etcd version {v}"));
    }
    if scheme == Scheme::Http && status.is_some() {
        out.push(finding(
            "probe.etcd.plain-http",
            Severity::Critical,
            host,
            port,
            "etcd serves clients over plain HTTP (no TLS, no client authentication)",
            ev.clone(),
        ));
    } else if status == Some(200) {
        out.push(finding(
            "probe.etcd.no-client-cert-auth",
            Severity::High,
            host,
            port,
            "etcd answers over TLS without a client certificate (--client-cert-auth is off)",
            ev.clone(),
        ));
    } else if let Some(u) = unreachable("etcd", host, port, &version) {
        out.push(u);
        return (out, false);
    }
    let req = Request {
        method: "POST",
        path: "/v3/kv/range",
        body: Some(ETCD_RANGE_BODY),
        read_body: false,
    };
    let range = send(host, port, scheme, &req, cfg)
        .await
        .map_or_else(|e| Exchange::ConnectError(e.to_string()), |o| o.exchange);
    let range_ev = format!(
        "POST /v3/kv/range (key `kubeward-probe`): {}",
        range.describe()
    );
    match range.status() {
        Some(200) => out.push(finding(
            "probe.etcd.data-readable",
            Severity::Critical,
            host,
            port,
            "etcd lets an unauthenticated client read keys (the whole cluster state, Secrets included)",
            vec![range_ev],
        )),
        Some(_) => out.push(finding("probe.etcd.range-refused", Severity::Info, host, port, "etcd refused the unauthenticated key read", vec![range_ev])),
        None => {}
    }
    (out, scheme == Scheme::Https)
}

/// Resources whose anonymous listing is probed on the API server, with the severity of a
/// successful list.
const ANON_LISTS: &[(&str, &str, Severity)] = &[
    ("namespaces", "/api/v1/namespaces?limit=1", Severity::High),
    ("pods", "/api/v1/pods?limit=1", Severity::High),
    ("nodes", "/api/v1/nodes?limit=1", Severity::High),
    ("configmaps", "/api/v1/configmaps?limit=1", Severity::High),
    ("secrets", "/api/v1/secrets?limit=1", Severity::Critical),
];

/// Probes a kube-apiserver secure port anonymously: `/version`, `/api`, `/apis` and what
/// anonymous may list (status codes only; list bodies are never read).
pub async fn probe_apiserver(host: &str, port: u16, cfg: &ProbeConfig) -> Vec<Finding> {
    let cfg = &cfg.anonymous();
    let mut out = Vec::new();
    let version = get(host, port, Scheme::Https, "/version", true, cfg).await;
    if let Some(t) = &version.tls {
        out.extend(tls_findings("kube-apiserver", host, port, t));
    }
    if let Some(u) = unreachable("kube-apiserver", host, port, &version) {
        out.push(u);
        return out;
    }
    let mut anon_enabled = None;
    match version.exchange.status() {
        Some(401) => anon_enabled = Some(false),
        Some(200) => {
            anon_enabled = Some(true);
            let git = serde_json::from_str::<serde_json::Value>(&version.exchange.body_text())
                .ok()
                .and_then(|v| {
                    v.get("gitVersion")
                        .and_then(|g| g.as_str())
                        .map(str::to_string)
                })
                .unwrap_or_else(|| "unknown".into());
            out.push(finding(
                "probe.apiserver.version-disclosed",
                Severity::Low,
                host,
                port,
                format!("anonymous requests can read the API server version ({git})"),
                vec!["GET /version: HTTP 200".into()],
            ));
        }
        Some(403) => anon_enabled = Some(true),
        _ => {}
    }
    for path in ["/api", "/apis"] {
        let o = get(host, port, Scheme::Https, path, false, cfg).await;
        match o.exchange.status() {
            Some(200) => {
                anon_enabled = Some(true);
                out.push(finding(
                    "probe.apiserver.discovery-open",
                    Severity::Low,
                    host,
                    port,
                    format!("anonymous requests can read API discovery ({path})"),
                    vec![format!("GET {path}: HTTP 200")],
                ));
            }
            Some(403) => anon_enabled = anon_enabled.or(Some(true)),
            Some(401) => anon_enabled = anon_enabled.or(Some(false)),
            _ => {}
        }
    }
    let mut listable = Vec::new();
    for (name, path, sev) in ANON_LISTS {
        let o = get(host, port, Scheme::Https, path, false, cfg).await;
        if o.exchange.status() == Some(200) {
            listable.push(*name);
            out.push(finding(
                "probe.apiserver.anonymous-list",
                *sev,
                host,
                port,
                format!("anonymous requests can list {name}"),
                vec![format!("GET {path}: HTTP 200 (body not read)")],
            ));
        }
    }
    match anon_enabled {
        Some(false) => out.push(finding("probe.apiserver.anonymous-disabled", Severity::Info, host, port, "anonymous requests are rejected (401)", vec![])),
        Some(true) if listable.is_empty() => out.push(finding(
            "probe.apiserver.anonymous-enabled",
            Severity::Low,
            host,
            port,
            "anonymous authentication is enabled (requests run as system:anonymous); nothing probed was listable",
            vec![],
        )),
        _ => {}
    }
    out
}

/// Probes a plain-HTTP port of the API server (the removed `--insecure-port`, or a proxy).
pub async fn probe_apiserver_insecure(host: &str, port: u16, cfg: &ProbeConfig) -> Vec<Finding> {
    let o = get(host, port, Scheme::Http, "/version", true, cfg).await;
    if let Some(u) = unreachable("kube-apiserver (HTTP)", host, port, &o) {
        return vec![u];
    }
    let body = o.exchange.body_text();
    match o.exchange.status() {
        Some(400) if body.contains("HTTPS") => vec![finding(
            "probe.apiserver.tls-only",
            Severity::Info,
            host,
            port,
            "the port only speaks HTTPS",
            vec![o.exchange.describe()],
        )],
        Some(200) if body.contains("gitVersion") => vec![finding(
            "probe.apiserver.insecure-port",
            Severity::Critical,
            host,
            port,
            "the API server answers over plain HTTP (the insecure port bypasses authentication and authorization)",
            vec![format!("GET /version: {}", o.exchange.describe())],
        )],
        _ => vec![finding(
            "probe.http.answered",
            Severity::Info,
            host,
            port,
            "an HTTP server answers on this port",
            vec![o.exchange.describe()],
        )],
    }
}

/// Probes a kubelet's authenticated port (`:10250/pods`) without credentials.
pub async fn probe_kubelet(host: &str, port: u16, cfg: &ProbeConfig) -> Vec<Finding> {
    let cfg = &cfg.anonymous();
    let mut out = Vec::new();
    let o = get(host, port, Scheme::Https, "/pods", false, cfg).await;
    if let Some(t) = &o.tls {
        out.extend(tls_findings("kubelet", host, port, t));
    }
    if let Some(u) = unreachable("kubelet", host, port, &o) {
        out.push(u);
        return out;
    }
    let ev = vec![format!(
        "GET /pods: {} (body not read)",
        o.exchange.describe()
    )];
    out.push(match o.exchange.status() {
        Some(200) => finding("probe.kubelet.anonymous-pods", Severity::Critical, host, port, "the kubelet lists pods to anonymous requests (anonymous auth with AlwaysAllow: exec into any pod is possible)", ev),
        Some(401) => finding("probe.kubelet.auth-required", Severity::Info, host, port, "the kubelet rejects anonymous requests (401)", ev),
        Some(403) => finding("probe.kubelet.anonymous-enabled", Severity::Medium, host, port, "the kubelet accepts anonymous authentication but the authorizer denies it (403)", ev),
        _ => finding("probe.kubelet.unexpected", Severity::Info, host, port, "unexpected answer from the kubelet", ev),
    });
    out
}

/// Probes a kubelet's read-only port (`:10255/pods`, plain HTTP).
pub async fn probe_kubelet_readonly(host: &str, port: u16, cfg: &ProbeConfig) -> Vec<Finding> {
    let o = get(host, port, Scheme::Http, "/pods", false, cfg).await;
    if let Some(u) = unreachable("kubelet read-only port", host, port, &o) {
        return vec![u];
    }
    let ev = vec![format!(
        "GET /pods: {} (body not read)",
        o.exchange.describe()
    )];
    match o.exchange.status() {
        Some(200) => vec![finding(
            "probe.kubelet.read-only-port",
            Severity::High,
            host,
            port,
            "the kubelet read-only port serves pod specs without authentication",
            ev,
        )],
        _ => vec![finding(
            "probe.http.answered",
            Severity::Info,
            host,
            port,
            "an HTTP server answers on this port",
            ev,
        )],
    }
}

/// Connects with TLS and reports the protocol and certificate facts only.
pub async fn probe_tls(component: &str, host: &str, port: u16, cfg: &ProbeConfig) -> Vec<Finding> {
    let cfg = &cfg.anonymous();
    let o = get(host, port, Scheme::Https, "/", false, cfg).await;
    let mut out = Vec::new();
    if let Some(t) = &o.tls {
        out.extend(tls_findings(component, host, port, t));
    }
    if o.tls.is_none()
        && let Some(u) = unreachable(component, host, port, &o)
    {
        out.push(u);
    }
    out
}

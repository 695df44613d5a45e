//! A minimal, bounded HTTP/1.1 client over TCP or TLS: one request per connection,
//! `Connection: close`, every step under a timeout, responses capped in size.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::pki_types::ServerName;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::tls::{self, CaBundle, ClientIdentity, TlsFacts};
use crate::error::ProbeError;

/// Probe limits and TLS material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeConfig {
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Timeout for the TLS handshake and for the whole request/response exchange.
    pub io_timeout: Duration,
    /// Largest response (head and body) read; the rest is ignored.
    pub max_response: usize,
    /// Client certificate and key offered when a server asks for one. Only the etcd probe's
    /// extra, authenticated request uses it; every other request is anonymous.
    pub client_identity: Option<ClientIdentity>,
    /// CA bundle that server certificate chains are verified against (reported as evidence
    /// and as `probe.tls.untrusted-issuer`); certificates are accepted either way.
    pub ca_bundle: Option<CaBundle>,
}

impl ProbeConfig {
    /// The same settings without the client identity.
    #[must_use]
    pub fn anonymous(&self) -> Self {
        Self {
            client_identity: None,
            ..self.clone()
        }
    }
}

impl Default for ProbeConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(3),
            io_timeout: Duration::from_secs(5),
            max_response: 256 * 1024,
            client_identity: None,
            ca_bundle: None,
        }
    }
}

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

/// A request to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// Path and query.
    pub path: &'a str,
    /// JSON body for `POST`.
    pub body: Option<&'a [u8]>,
    /// Whether to read the body (`false` for responses that may hold secrets: only the
    /// status line and headers are read).
    pub read_body: bool,
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Exchange {
    /// An HTTP response.
    Response {
        /// Status code.
        status: u16,
        /// Headers, names lower-cased.
        headers: Vec<(String, String)>,
        /// The body (empty when not read), de-chunked, capped.
        #[serde(skip)]
        body: Vec<u8>,
    },
    /// Nothing listens (connection refused).
    Refused,
    /// The step named did not finish in time.
    Timeout {
        /// `connect`, `tls handshake` or `response`.
        phase: &'static str,
    },
    /// Another connection error.
    ConnectError(String),
    /// The TLS handshake or TLS stream failed.
    TlsError(String),
    /// The peer answered with something that is not HTTP/1.x.
    NotHttp {
        /// The first bytes, escaped for display.
        first_bytes: String,
    },
    /// The peer closed the connection without answering.
    Closed,
}

impl Exchange {
    /// The status code, for responses.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Exchange::Response { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The body as (lossy) text.
    #[must_use]
    pub fn body_text(&self) -> String {
        match self {
            Exchange::Response { body, .. } => String::from_utf8_lossy(body).into_owned(),
            _ => String::new(),
        }
    }

    /// A one-line description for evidence (never the body).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Exchange::Response { status, .. } => format!("HTTP {status}"),
            Exchange::Refused => "connection refused".into(),
            Exchange::Timeout { phase } => format!("timed out ({phase})"),
            Exchange::ConnectError(e) => format!("connection error: {e}"),
            Exchange::TlsError(e) => format!("TLS error: {e}"),
            Exchange::NotHttp { first_bytes } => format!("not HTTP: {first_bytes}"),
            Exchange::Closed => "connection closed without a response".into(),
        }
    }
}

/// The result of one probe request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// What came back.
    pub exchange: Exchange,
    /// TLS facts, when a handshake completed.
    pub tls: Option<TlsFacts>,
}

fn escape_bytes(b: &[u8]) -> String {
    b.iter()
        .take(32)
        .flat_map(|c| std::ascii::escape_default(*c))
        .map(char::from)
        .collect()
}

pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn host_header(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Sends one request and reads the answer, never failing: every problem is an [`Exchange`].
///
/// # Errors
/// [`ProbeError`] only when the target or TLS configuration is unusable.
pub async fn send(
    host: &str,
    port: u16,
    scheme: Scheme,
    req: &Request<'_>,
    cfg: &ProbeConfig,
) -> Result<Outcome, ProbeError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addr = if bare.contains(':') {
        format!("[{bare}]:{port}")
    } else {
        format!("{bare}:{port}")
    };
    let tcp = match timeout(cfg.connect_timeout, TcpStream::connect(&addr)).await {
        Err(_) => {
            return Ok(Outcome {
                exchange: Exchange::Timeout { phase: "connect" },
                tls: None,
            });
        }
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            return Ok(Outcome {
                exchange: Exchange::Refused,
                tls: None,
            });
        }
        Ok(Err(e)) => {
            return Ok(Outcome {
                exchange: Exchange::ConnectError(e.to_string()),
                tls: None,
            });
        }
        Ok(Ok(s)) => s,
    };
    let _ = tcp.set_nodelay(true);
    let head = request_bytes(bare, port, req);
    match scheme {
        Scheme::Http => Ok(Outcome {
            exchange: exchange(tcp, &head, req, cfg).await,
            tls: None,
        }),
        Scheme::Https => {
            let probe = tls::client(true, cfg.client_identity.as_ref(), cfg.ca_bundle.as_ref())
                .map_err(|e| ProbeError::Tls(e.to_string()))?;
            let name =
                ServerName::try_from(bare.to_string()).map_err(|e| ProbeError::InvalidTarget {
                    target: host.to_string(),
                    message: e.to_string(),
                })?;
            let connector = tokio_rustls::TlsConnector::from(Arc::clone(&probe.config));
            let stream = match timeout(cfg.io_timeout, connector.connect(name, tcp)).await {
                Err(_) => {
                    return Ok(Outcome {
                        exchange: Exchange::Timeout {
                            phase: "tls handshake",
                        },
                        tls: None,
                    });
                }
                Ok(Err(e)) => {
                    let facts = facts_from(&probe, None, bare);
                    return Ok(Outcome {
                        exchange: Exchange::TlsError(e.to_string()),
                        tls: facts,
                    });
                }
                Ok(Ok(s)) => s,
            };
            let (_, conn) = stream.get_ref();
            let version = conn
                .protocol_version()
                .map(|v| format!("{v:?}"))
                .unwrap_or_default();
            let suite = conn
                .negotiated_cipher_suite()
                .map(|s| format!("{:?}", s.suite()))
                .unwrap_or_default();
            let ex = exchange(stream, &head, req, cfg).await;
            let facts = facts_from(&probe, Some((version, suite)), bare);
            Ok(Outcome {
                exchange: ex,
                tls: facts,
            })
        }
    }
}

fn facts_from(
    probe: &tls::ProbeTls,
    negotiated: Option<(String, String)>,
    host: &str,
) -> Option<TlsFacts> {
    let asked = probe.client_cert.asked.lock().is_ok_and(|a| *a);
    let presented = probe.client_cert.presented.lock().is_ok_and(|p| *p);
    let ca_check = probe.verifier.ca_check.lock().ok().and_then(|c| c.clone());
    let seen = probe.verifier.seen.lock().ok()?;
    let leaf = seen.first();
    if leaf.is_none() && negotiated.is_none() {
        return None;
    }
    let (version, cipher_suite) = negotiated.unwrap_or_default();
    Some(TlsFacts {
        version,
        cipher_suite,
        client_cert_requested: asked,
        client_cert_presented: presented,
        ca_check,
        certificate: leaf.and_then(|c| tls::cert_facts(c.as_ref(), host, now_unix())),
    })
}

fn request_bytes(host: &str, port: u16, req: &Request<'_>) -> Vec<u8> {
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: kubeward-probe/1\r\nAccept: application/json\r\nConnection: close\r\n",
        req.method,
        req.path,
        host_header(host, port)
    );
    if let Some(b) = req.body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    if let Some(b) = req.body {
        bytes.extend_from_slice(b);
    }
    bytes
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    head: &[u8],
    req: &Request<'_>,
    cfg: &ProbeConfig,
) -> Exchange {
    let io = async {
        if let Err(e) = s.write_all(head).await {
            return Exchange::ConnectError(e.to_string());
        }
        let _ = s.flush().await;
        read_response(&mut s, req.read_body, cfg.max_response).await
    };
    match timeout(cfg.io_timeout, io).await {
        Ok(ex) => ex,
        Err(_) => Exchange::Timeout { phase: "response" },
    }
}

fn io_to_exchange(e: &std::io::Error) -> Exchange {
    // rustls reports alerts and protocol errors as InvalidData.
    if e.kind() == std::io::ErrorKind::InvalidData
        || e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>())
    {
        Exchange::TlsError(e.to_string())
    } else if matches!(
        e.kind(),
        std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
    ) {
        Exchange::Closed
    } else {
        Exchange::ConnectError(e.to_string())
    }
}

async fn read_response<S: AsyncRead + Unpin>(s: &mut S, read_body: bool, max: usize) -> Exchange {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = find(&buf, b"\r\n\r\n") {
            break pos;
        }
        if buf.len() >= 5 && !buf.starts_with(b"HTTP/") {
            return Exchange::NotHttp {
                first_bytes: escape_bytes(&buf),
            };
        }
        if buf.len() > 64 * 1024 {
            return Exchange::NotHttp {
                first_bytes: escape_bytes(&buf),
            };
        }
        match s.read(&mut chunk).await {
            Ok(0) if buf.is_empty() => return Exchange::Closed,
            Ok(0) => {
                return Exchange::NotHttp {
                    first_bytes: escape_bytes(&buf),
                };
            }
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if buf.is_empty() => return io_to_exchange(&e),
            Err(_) => {
                return Exchange::NotHttp {
                    first_bytes: escape_bytes(&buf),
                };
            }
        }
    };
    let head = String::from_utf8_lossy(buf.get(..head_end).unwrap_or_default()).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let proto = parts.next().unwrap_or("");
    let status = parts.next().and_then(|c| {
        if c.len() == 3 {
            c.parse::<u16>().ok()
        } else {
            None
        }
    });
    let Some(status) = status.filter(|_| proto.starts_with("HTTP/1.")) else {
        return Exchange::NotHttp {
            first_bytes: escape_bytes(&buf),
        };
    };
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = buf.get(head_end + 4..).unwrap_or_default().to_vec();
    if !read_body {
        return Exchange::Response {
            status,
            headers,
            body: Vec::new(),
        };
    }
    let content_length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    loop {
        if content_length.is_some_and(|n| body.len() >= n) || body.len() >= max {
            break;
        }
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(chunk.get(..n).unwrap_or_default()),
        }
    }
    body.truncate(content_length.unwrap_or(max).min(max));
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body);
    }
    Exchange::Response {
        status,
        headers,
        body,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = find(data, b"\r\n") {
        let size_text =
            String::from_utf8_lossy(data.get(..line_end).unwrap_or_default()).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        let end = (start + size).min(data.len());
        out.extend_from_slice(data.get(start..end).unwrap_or_default());
        data = data.get(end + 2..).unwrap_or_default();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dechunks() {
        assert_eq!(
            dechunk(b"4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n"),
            b"Wikipedia"
        );
    }

    #[tokio::test]
    async fn parses_responses() {
        let mut r: &[u8] = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\n{}xxEXTRA";
        let ex = read_response(&mut r, true, 1024).await;
        assert_eq!(ex.status(), Some(401));
        assert_eq!(ex.body_text(), "{}xx");
        let mut g: &[u8] = b"\x15\x03\x01\x00\x02\x02\x16garbage";
        assert!(matches!(
            read_response(&mut g, true, 1024).await,
            Exchange::NotHttp { .. }
        ));
        let mut e: &[u8] = b"";
        assert_eq!(read_response(&mut e, true, 1024).await, Exchange::Closed);
        let mut bad: &[u8] = b"HTTP/1.1 abc\r\n\r\n";
        assert!(matches!(
            read_response(&mut bad, true, 1024).await,
            Exchange::NotHttp { .. }
        ));
    }
}

//! One HTTP/1.1 request per connection over TCP or TLS (hyper 1 + tokio-rustls with ring),
//! with a deadline covering connect, TLS, headers and body, and a body size limit.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use tokio::net::TcpStream;

use crate::error::OciError;

/// Error bodies are read up to this many bytes (then truncated).
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Http,
    Https,
}

/// An absolute http(s) URL split into the parts a request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    pub scheme: Scheme,
    /// `host[:port]` exactly as written (IPv6 in brackets).
    pub authority: String,
    /// Host without brackets.
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path_and_query: String,
}

impl Url {
    pub fn new(scheme: Scheme, authority: &str, path_and_query: &str) -> Result<Url, OciError> {
        let s = match scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        Url::parse(&format!("{s}://{authority}{path_and_query}"))
    }

    /// Parses an absolute `http://` or `https://` URL.
    pub fn parse(s: &str) -> Result<Url, OciError> {
        let bad = |why: &str| OciError::InvalidResponse {
            what: format!("invalid URL {:?}: {why}", strip_query(s)),
        };
        let uri: http::Uri = s.parse().map_err(|_| bad("unparseable"))?;
        let scheme = match uri.scheme_str() {
            Some(x) if x.eq_ignore_ascii_case("http") => Scheme::Http,
            Some(x) if x.eq_ignore_ascii_case("https") => Scheme::Https,
            _ => return Err(bad("scheme must be http or https")),
        };
        let authority = uri.authority().ok_or_else(|| bad("no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("user info in URL"));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        if host.is_empty() {
            return Err(bad("empty host"));
        }
        let port = authority.port_u16().unwrap_or(match scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        });
        let path_and_query = uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .filter(|p| p.starts_with('/'))
            .unwrap_or_else(|| "/".to_owned());
        Ok(Url {
            scheme,
            authority: authority.as_str().to_owned(),
            host,
            port,
            path_and_query,
        })
    }

    /// Resolves a `Location` header value against this URL (absolute, scheme-relative,
    /// absolute-path or relative-path forms).
    pub fn join(&self, location: &str) -> Result<Url, OciError> {
        let lower = location.get(..8).unwrap_or(location).to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return Url::parse(location);
        }
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        if let Some(rest) = location.strip_prefix("//") {
            return Url::parse(&format!("{scheme}://{rest}"));
        }
        if location.starts_with('/') {
            return Url::parse(&format!("{scheme}://{}{location}", self.authority));
        }
        let path = self
            .path_and_query
            .split(['?', '#'])
            .next()
            .unwrap_or_default();
        let dir = path.rfind('/').and_then(|i| path.get(..=i)).unwrap_or("/");
        Url::parse(&format!("{scheme}://{}{dir}{location}", self.authority))
    }

    /// scheme + host + port: where credentials may be sent.
    pub fn origin(&self) -> (Scheme, String, u16) {
        (self.scheme, self.host.to_ascii_lowercase(), self.port)
    }

    /// The URL without its query string (query strings can hold signed tokens).
    pub fn redacted(&self) -> String {
        let s = self.to_string();
        strip_query(&s).to_owned()
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{s}://{}{}", self.authority, self.path_and_query)
    }
}

fn strip_query(s: &str) -> &str {
    s.split('?').next().unwrap_or(s)
}

/// A response with its body read (bounded).
#[derive(Debug)]
pub(crate) struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// How much of the body to read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BodyMode {
    /// Read a 2xx body up to `limit` bytes (more is `TooLarge`); error bodies up to 64 KiB.
    Read { limit: usize },
    /// Read only an error (non-2xx, non-3xx) body, up to 64 KiB.
    ErrorsOnly,
    /// Do not read the body.
    Skip,
}

/// Sends requests; holds the TLS configuration.
#[derive(Clone)]
pub(crate) struct Transport {
    tls: tokio_rustls::TlsConnector,
    timeout: Duration,
    user_agent: HeaderValue,
}

impl Transport {
    pub fn new(tls: Arc<rustls::ClientConfig>, timeout: Duration, user_agent: &str) -> Self {
        let user_agent = HeaderValue::from_str(user_agent)
            .unwrap_or_else(|_| HeaderValue::from_static("kubeward-oci"));
        Transport {
            tls: tokio_rustls::TlsConnector::from(tls),
            timeout,
            user_agent,
        }
    }

    /// One request on a fresh connection, within the request timeout.
    pub async fn send(
        &self,
        method: Method,
        url: &Url,
        headers: &HeaderMap,
        body: Option<Bytes>,
        mode: BodyMode,
    ) -> Result<Response, OciError> {
        match tokio::time::timeout(
            self.timeout,
            self.send_inner(method, url, headers, body, mode),
        )
        .await
        {
            Ok(r) => r,
            Err(_) => Err(OciError::Timeout {
                url: url.redacted(),
            }),
        }
    }

    async fn send_inner(
        &self,
        method: Method,
        url: &Url,
        headers: &HeaderMap,
        body: Option<Bytes>,
        mode: BodyMode,
    ) -> Result<Response, OciError> {
        let tcp = TcpStream::connect((url.host.as_str(), url.port))
            .await
            .map_err(|e| OciError::Connect {
                host: url.authority.clone(),
                message: e.to_string(),
            })?;
        let _ = tcp.set_nodelay(true);
        match url.scheme {
            Scheme::Http => self.exchange(tcp, method, url, headers, body, mode).await,
            Scheme::Https => {
                let name = ServerName::try_from(url.host.clone()).map_err(|e| OciError::Tls {
                    host: url.authority.clone(),
                    message: format!("invalid server name: {e}"),
                })?;
                let tls = self
                    .tls
                    .connect(name, tcp)
                    .await
                    .map_err(|e| OciError::Tls {
                        host: url.authority.clone(),
                        message: e.to_string(),
                    })?;
                self.exchange(tls, method, url, headers, body, mode).await
            }
        }
    }

    async fn exchange<S>(
        &self,
        stream: S,
        method: Method,
        url: &Url,
        headers: &HeaderMap,
        body: Option<Bytes>,
        mode: BodyMode,
    ) -> Result<Response, OciError>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| hyper_error(&e))?;
        // The connection task ends when the request and response are dropped; the extra
        // deadline makes sure nothing outlives a stuck peer.
        let deadline = self.timeout + Duration::from_secs(1);
        tokio::spawn(async move {
            let _ = tokio::time::timeout(deadline, conn).await;
        });

        let mut builder = http::Request::builder()
            .method(method.clone())
            .uri(url.path_and_query.as_str());
        if let Some(h) = builder.headers_mut() {
            h.extend(headers.clone());
            if let Ok(host) = HeaderValue::from_str(&url.authority) {
                h.insert(HOST, host);
            }
            if !h.contains_key(USER_AGENT) {
                h.insert(USER_AGENT, self.user_agent.clone());
            }
            if body.is_some() || method == Method::PUT || method == Method::POST {
                let len = body.as_ref().map(Bytes::len).unwrap_or(0);
                h.insert(CONTENT_LENGTH, HeaderValue::from(len));
            }
        }
        let request = builder
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|e| OciError::InvalidConfig {
                what: format!("cannot build request: {e}"),
            })?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| hyper_error(&e))?;
        let (parts, mut incoming) = response.into_parts();
        let limit = match mode {
            BodyMode::Skip => None,
            BodyMode::Read { .. } if method == Method::HEAD => None,
            BodyMode::Read { limit } if parts.status.is_success() => Some((limit, true)),
            BodyMode::Read { .. } if parts.status.is_redirection() => None,
            BodyMode::Read { .. } | BodyMode::ErrorsOnly
                if !parts.status.is_success() && !parts.status.is_redirection() =>
            {
                Some((ERROR_BODY_LIMIT, false))
            }
            BodyMode::Read { .. } | BodyMode::ErrorsOnly => None,
        };
        let mut body = Vec::new();
        if let Some((limit, strict)) = limit {
            if strict && content_length(&parts.headers).is_some_and(|len| len > limit as u64) {
                return Err(OciError::TooLarge { limit });
            }
            while let Some(frame) = incoming.frame().await {
                let frame = frame.map_err(|e| hyper_error(&e))?;
                if let Ok(data) = frame.into_data() {
                    if body.len().saturating_add(data.len()) > limit {
                        if strict {
                            return Err(OciError::TooLarge { limit });
                        }
                        let room = limit.saturating_sub(body.len());
                        body.extend_from_slice(data.get(..room).unwrap_or_default());
                        break;
                    }
                    body.extend_from_slice(&data);
                }
            }
        }
        Ok(Response {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn hyper_error(e: &hyper::Error) -> OciError {
    let what = if e.is_parse() || e.is_parse_status() {
        format!("not a valid HTTP response: {e}")
    } else if e.is_incomplete_message() {
        "connection closed before a complete response".to_owned()
    } else {
        format!("HTTP exchange failed: {e}")
    };
    OciError::InvalidResponse { what }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parse_and_join() {
        let u = Url::parse("https://[::1]:5000/v2/a/manifests/x?q=1").unwrap();
        assert_eq!(u.host, "::1");
        assert_eq!(u.port, 5000);
        assert_eq!(u.authority, "[::1]:5000");
        assert_eq!(u.redacted(), "https://[::1]:5000/v2/a/manifests/x");
        let j = u.join("/v2/b").unwrap();
        assert_eq!(j.to_string(), "https://[::1]:5000/v2/b");
        let j = u.join("c?d=1").unwrap();
        assert_eq!(j.to_string(), "https://[::1]:5000/v2/a/manifests/c?d=1");
        let j = u.join("//cdn.example/x").unwrap();
        assert_eq!(j.to_string(), "https://cdn.example/x");
        assert_eq!(j.port, 443);
        let j = u.join("HTTP://h:1/y").unwrap();
        assert_eq!(j.scheme, Scheme::Http);
        assert!(Url::parse("ftp://x/").is_err());
        assert!(Url::parse("http://user:pw@x/").is_err());
    }
}

//! The client's error type: one variant per class of failure.

use crate::reference::ReferenceError;

/// Why a registry operation failed. Messages never contain credentials or tokens.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    /// The request (connect + TLS + headers + body) did not finish within `request_timeout`.
    #[error("request to {url} timed out")]
    Timeout {
        /// The URL requested (no query string).
        url: String,
    },
    /// The TCP connection could not be established (refused, unreachable, DNS failure).
    #[error("cannot connect to {host}: {message}")]
    Connect {
        /// host:port.
        host: String,
        /// The underlying error.
        message: String,
    },
    /// The TLS handshake failed (untrusted certificate, name mismatch, protocol error).
    #[error("TLS handshake with {host} failed: {message}")]
    Tls {
        /// host:port.
        host: String,
        /// The underlying error.
        message: String,
    },
    /// The registry answered with an unexpected HTTP status.
    #[error("registry returned HTTP {status}{}: {message}", code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The first registry error code of the body (`MANIFEST_UNKNOWN`, `DENIED`, ...).
        code: Option<String>,
        /// The registry's error message, or the status reason.
        message: String,
    },
    /// The registry refused the request after authentication (or no credentials fit).
    #[error("unauthorized: authentication to {registry} failed or is required")]
    Unauthorized {
        /// The registry host.
        registry: String,
    },
    /// Content did not hash to the expected digest.
    #[error("digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The digest asked for or announced.
        expected: String,
        /// The digest of the bytes received (or announced by the registry).
        actual: String,
    },
    /// A body was larger than the configured limit; it was not read past the limit.
    #[error("response body exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A redirect went back to a URL already visited.
    #[error("redirect loop at {url}")]
    RedirectLoop {
        /// The URL that was visited twice.
        url: String,
    },
    /// More redirects than `max_redirects`.
    #[error("more than {limit} redirects")]
    TooManyRedirects {
        /// The configured maximum.
        limit: usize,
    },
    /// The server's answer is not what the protocol requires (not HTTP, not JSON, bad header).
    #[error("invalid response: {what}")]
    InvalidResponse {
        /// What was wrong.
        what: String,
    },
    /// A reference, tag or digest is invalid.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// The client options are unusable (bad CA PEM, unreadable Docker config, bad URL).
    #[error("invalid client configuration: {what}")]
    InvalidConfig {
        /// What was wrong.
        what: String,
    },
}

impl OciError {
    /// Whether the failure means "the registry could not be reached or is broken" (timeout,
    /// connection, TLS, HTTP 5xx or 429, garbage instead of a registry answer), as opposed to an
    /// answer that is meaningful (not found, unauthorized, digest mismatch, too large, bad
    /// reference). A policy can fail open or closed on the former.
    pub fn is_registry_unavailable(&self) -> bool {
        match self {
            OciError::Timeout { .. }
            | OciError::Connect { .. }
            | OciError::Tls { .. }
            | OciError::InvalidResponse { .. } => true,
            OciError::Http { status, .. } => *status >= 500 || *status == 429,
            OciError::Unauthorized { .. }
            | OciError::DigestMismatch { .. }
            | OciError::TooLarge { .. }
            | OciError::RedirectLoop { .. }
            | OciError::TooManyRedirects { .. }
            | OciError::Reference(_)
            | OciError::InvalidConfig { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let http = |status| OciError::Http {
            status,
            code: None,
            message: String::new(),
        };
        assert!(http(500).is_registry_unavailable());
        assert!(http(503).is_registry_unavailable());
        assert!(!http(404).is_registry_unavailable());
        assert!(
            OciError::Timeout { url: "u".into() }.is_registry_unavailable(),
            "timeout"
        );
        assert!(
            !OciError::DigestMismatch {
                expected: "a".into(),
                actual: "b".into()
            }
            .is_registry_unavailable()
        );
        let e = OciError::Http {
            status: 404,
            code: Some("MANIFEST_UNKNOWN".into()),
            message: "manifest unknown".into(),
        };
        assert_eq!(
            e.to_string(),
            "registry returned HTTP 404 (MANIFEST_UNKNOWN): manifest unknown"
        );
    }
}

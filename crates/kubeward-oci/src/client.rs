//! The registry client: resolve, fetch and push over the distribution v2 API.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::Deserialize;

use crate::auth::{
    Challenge, CredentialStore, Credentials, TokenCache, TokenResponse, parse_challenges,
    query_escape,
};
use crate::digest::Digest;
use crate::error::OciError;
use crate::manifest::{MANIFEST_ACCEPT, Manifest, bare_media_type, json_media_type};
use crate::reference::Reference;
use crate::transport::{BodyMode, Response, Scheme, Transport, Url};

/// The `Docker-Content-Digest` response header.
const DOCKER_CONTENT_DIGEST: &str = "docker-content-digest";
/// scheme, lowercased host, port: where credentials may be sent.
type Origin = (Scheme, String, u16);

/// Token endpoint answers are read up to this size.
const TOKEN_BODY_LIMIT: usize = 1024 * 1024;

/// Client configuration.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Registries (`host[:port]`, as in references) talked to over plain HTTP.
    pub insecure_registries: Vec<String>,
    /// Extra trust roots (PEM, one or more certificates each), in addition to the system bundle
    /// (when found) and the webpki (Mozilla) roots.
    pub ca_pem: Vec<Vec<u8>>,
    /// Deadline per HTTP request, covering connect, TLS, headers and body (default 10 s). An
    /// operation can make several requests (a 401 challenge, a token fetch, redirects, the
    /// HEAD-then-GET fallback of `resolve`), each with this deadline.
    pub request_timeout: Duration,
    /// Redirects followed for GET/HEAD (default 5); more, or a loop, is an error.
    pub max_redirects: usize,
    /// Largest manifest accepted (default 4 MiB, containerd's limit).
    pub max_manifest_bytes: usize,
    /// Default limit for in-memory blob fetches (default 16 MiB); [`RegistryClient::fetch_blob`]
    /// takes its own limit, this is what callers are meant to pass.
    pub max_blob_bytes: usize,
    /// How to authenticate.
    pub credentials: Credentials,
    /// `User-Agent` header.
    pub user_agent: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            insecure_registries: Vec::new(),
            ca_pem: Vec::new(),
            request_timeout: Duration::from_secs(10),
            max_redirects: 5,
            max_manifest_bytes: 4 * 1024 * 1024,
            max_blob_bytes: 16 * 1024 * 1024,
            credentials: Credentials::Anonymous,
            user_agent: concat!("kubeward-oci/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// Files where distributions keep their CA bundle (first one found is used).
const SYSTEM_BUNDLES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// An OCI distribution client. Cheap to clone; safe to share between tasks.
#[derive(Clone)]
pub struct RegistryClient {
    inner: Arc<Inner>,
}

struct Inner {
    options: ClientOptions,
    transport: Transport,
    credentials: CredentialStore,
    tokens: TokenCache,
}

/// What a request is for: decides the token scope's actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Pull,
    Push,
}

impl RegistryClient {
    /// Builds a client: loads trust roots and credentials. Fails on an unusable CA PEM or an
    /// unreadable Docker config (a missing one means anonymous).
    pub fn new(options: ClientOptions) -> Result<RegistryClient, OciError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let system = std::env::var_os("SSL_CERT_FILE")
            .map(std::path::PathBuf::from)
            .into_iter()
            .chain(SYSTEM_BUNDLES.iter().map(std::path::PathBuf::from))
            .find_map(|p| std::fs::read(p).ok());
        if let Some(bundle) = system {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bundle)
                .filter_map(Result::ok)
                .collect();
            roots.add_parsable_certificates(certs);
        }
        for (i, pem) in options.ca_pem.iter().enumerate() {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
                .collect::<Result<_, _>>()
                .map_err(|e| OciError::InvalidConfig {
                    what: format!("ca_pem[{i}]: {e}"),
                })?;
            if certs.is_empty() {
                return Err(OciError::InvalidConfig {
                    what: format!("ca_pem[{i}] holds no certificate"),
                });
            }
            for cert in certs {
                roots.add(cert).map_err(|e| OciError::InvalidConfig {
                    what: format!("ca_pem[{i}]: {e}"),
                })?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| OciError::InvalidConfig {
                what: format!("TLS: {e}"),
            })?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let transport = Transport::new(Arc::new(tls), options.request_timeout, &options.user_agent);
        let credentials = CredentialStore::load(&options.credentials)?;
        Ok(RegistryClient {
            inner: Arc::new(Inner {
                options,
                transport,
                credentials,
                tokens: TokenCache::default(),
            }),
        })
    }

    /// The options the client was built with.
    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    /// Resolves a reference to its manifest digest. A reference with a digest is returned as is
    /// (no network). Otherwise a `HEAD` of the manifest (accepting OCI index/manifest and Docker
    /// list/manifest) gives `Docker-Content-Digest`; without that header the manifest is fetched
    /// and hashed. A missing tag is `Http { status: 404, code: MANIFEST_UNKNOWN }`.
    pub async fn resolve(&self, r: &Reference) -> Result<Digest, OciError> {
        if let Some(d) = r.digest() {
            return Ok(d.clone());
        }
        let url = self.manifest_url(r)?;
        let resp = self
            .request(
                r,
                Method::HEAD,
                url,
                manifest_headers(),
                None,
                BodyMode::Skip,
                Access::Pull,
            )
            .await?;
        if resp.status.is_success() {
            if let Some(v) = resp.headers.get(DOCKER_CONTENT_DIGEST) {
                return parse_digest_header(v);
            }
        } else if resp.status != StatusCode::NOT_FOUND
            && resp.status != StatusCode::METHOD_NOT_ALLOWED
        {
            return Err(error_from(&resp, r));
        }
        match self.fetch_manifest(r).await? {
            Some(m) => Ok(m.digest),
            None => Err(OciError::Http {
                status: 404,
                code: Some("MANIFEST_UNKNOWN".to_owned()),
                message: format!("manifest unknown: {r}"),
            }),
        }
    }

    /// Fetches a manifest by digest (when the reference has one) or tag. `None` when the registry
    /// answers 404. The bytes must hash to the requested digest, and to `Docker-Content-Digest`
    /// when the registry sends one (else `DigestMismatch`); larger than `max_manifest_bytes` is
    /// `TooLarge` (checked on `Content-Length` and while reading).
    pub async fn fetch_manifest(&self, r: &Reference) -> Result<Option<Manifest>, OciError> {
        let url = self.manifest_url(r)?;
        let limit = self.inner.options.max_manifest_bytes;
        let resp = self
            .request(
                r,
                Method::GET,
                url,
                manifest_headers(),
                None,
                BodyMode::Read { limit },
                Access::Pull,
            )
            .await?;
        if resp.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !resp.status.is_success() {
            return Err(error_from(&resp, r));
        }
        let header_digest = match resp.headers.get(DOCKER_CONTENT_DIGEST) {
            Some(v) => Some(parse_digest_header(v)?),
            None => None,
        };
        let digest = if let Some(expected) = r.digest() {
            check_digest(expected, &resp.body)?
        } else if let Some(announced) = &header_digest {
            check_digest(announced, &resp.body)?
        } else {
            Digest::sha256_of(&resp.body)
        };
        if let (Some(announced), Some(_)) = (&header_digest, r.digest()) {
            check_digest(announced, &resp.body)?;
        }
        let content_type = resp
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(bare_media_type)
            .unwrap_or_default();
        let media_type = if content_type.is_empty()
            || content_type == "application/json"
            || content_type == "text/plain"
            || content_type == "application/octet-stream"
        {
            json_media_type(&resp.body).unwrap_or(content_type)
        } else {
            content_type
        };
        Ok(Some(Manifest {
            digest,
            media_type,
            bytes: resp.body,
        }))
    }

    /// Fetches a blob of the reference's repository into memory (following redirects to blob
    /// storage, without forwarding credentials to another host), at most `max_bytes`, and checks
    /// it hashes to `digest`.
    pub async fn fetch_blob(
        &self,
        r: &Reference,
        digest: &Digest,
        max_bytes: usize,
    ) -> Result<Vec<u8>, OciError> {
        let url = self.api_url(r, &format!("/v2/{}/blobs/{digest}", r.repository()))?;
        let resp = self
            .request(
                r,
                Method::GET,
                url,
                HeaderMap::new(),
                None,
                BodyMode::Read { limit: max_bytes },
                Access::Pull,
            )
            .await?;
        if !resp.status.is_success() {
            return Err(error_from(&resp, r));
        }
        check_digest(digest, &resp.body)?;
        Ok(resp.body)
    }

    /// Whether the repository has the blob (`HEAD` 200).
    pub async fn blob_exists(&self, r: &Reference, digest: &Digest) -> Result<bool, OciError> {
        let url = self.api_url(r, &format!("/v2/{}/blobs/{digest}", r.repository()))?;
        let resp = self
            .request(
                r,
                Method::HEAD,
                url,
                HeaderMap::new(),
                None,
                BodyMode::Skip,
                Access::Pull,
            )
            .await?;
        match resp.status {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(error_from(&resp, r)),
        }
    }

    /// Uploads a blob to the reference's repository (monolithic: `POST .../blobs/uploads/` then
    /// `PUT <location>?digest=`); skipped when `HEAD` says the blob exists. Returns its sha256.
    pub async fn push_blob(&self, r: &Reference, bytes: &[u8]) -> Result<Digest, OciError> {
        let digest = Digest::sha256_of(bytes);
        if self.blob_exists(r, &digest).await? {
            return Ok(digest);
        }
        let start = self.api_url(r, &format!("/v2/{}/blobs/uploads/", r.repository()))?;
        let resp = self
            .request(
                r,
                Method::POST,
                start.clone(),
                HeaderMap::new(),
                None,
                BodyMode::ErrorsOnly,
                Access::Push,
            )
            .await?;
        if resp.status != StatusCode::ACCEPTED {
            return Err(error_from(&resp, r));
        }
        let location = resp
            .headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| OciError::InvalidResponse {
                what: "upload started without a Location header".to_owned(),
            })?;
        let upload = start.join(location)?;
        let sep = if upload.path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        let put = Url {
            path_and_query: format!(
                "{}{sep}digest={}",
                upload.path_and_query,
                query_escape(&digest.to_string())
            ),
            ..upload
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        let resp = self
            .request(
                r,
                Method::PUT,
                put,
                headers,
                Some(Bytes::copy_from_slice(bytes)),
                BodyMode::ErrorsOnly,
                Access::Push,
            )
            .await?;
        if resp.status != StatusCode::CREATED {
            return Err(error_from(&resp, r));
        }
        if let Some(v) = resp.headers.get(DOCKER_CONTENT_DIGEST) {
            let announced = parse_digest_header(v)?;
            if announced.algorithm() == digest.algorithm() && announced != digest {
                return Err(OciError::DigestMismatch {
                    expected: digest.to_string(),
                    actual: announced.to_string(),
                });
            }
        }
        Ok(digest)
    }

    /// Uploads a manifest under the reference's digest (the bytes must hash to it) or tag.
    /// Returns the sha256 of the bytes; a registry that announces another digest is
    /// `DigestMismatch`.
    pub async fn push_manifest(
        &self,
        r: &Reference,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, OciError> {
        self.push_manifest_headers(r, media_type, bytes)
            .await
            .map(|(d, _)| d)
    }

    /// [`RegistryClient::push_manifest`], also returning the response headers (`OCI-Subject`).
    pub(crate) async fn push_manifest_headers(
        &self,
        r: &Reference,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<(Digest, HeaderMap), OciError> {
        let digest = match r.digest() {
            Some(d) => check_digest(d, bytes)?,
            None => Digest::sha256_of(bytes),
        };
        let url = self.manifest_url(r)?;
        let mut headers = HeaderMap::new();
        let ct = HeaderValue::from_str(media_type).map_err(|_| OciError::InvalidConfig {
            what: "media type is not a valid header value".to_owned(),
        })?;
        headers.insert(CONTENT_TYPE, ct);
        let resp = self
            .request(
                r,
                Method::PUT,
                url,
                headers,
                Some(Bytes::copy_from_slice(bytes)),
                BodyMode::ErrorsOnly,
                Access::Push,
            )
            .await?;
        if resp.status != StatusCode::CREATED && !resp.status.is_success() {
            return Err(error_from(&resp, r));
        }
        if let Some(v) = resp.headers.get(DOCKER_CONTENT_DIGEST) {
            let announced = parse_digest_header(v)?;
            if announced.algorithm() == digest.algorithm() && announced != digest {
                return Err(OciError::DigestMismatch {
                    expected: digest.to_string(),
                    actual: announced.to_string(),
                });
            }
        }
        Ok((digest, resp.headers))
    }

    fn scheme_for(&self, registry: &str) -> Scheme {
        let insecure = self
            .inner
            .options
            .insecure_registries
            .iter()
            .any(|h| h.eq_ignore_ascii_case(registry));
        if insecure {
            Scheme::Http
        } else {
            Scheme::Https
        }
    }

    pub(crate) fn api_url(&self, r: &Reference, path: &str) -> Result<Url, OciError> {
        Url::new(self.scheme_for(r.registry()), r.api_host(), path).map_err(|_| {
            OciError::InvalidConfig {
                what: format!("cannot build a URL for {}", r.name()),
            }
        })
    }

    fn manifest_url(&self, r: &Reference) -> Result<Url, OciError> {
        let m = r.manifest_ref()?;
        self.api_url(r, &format!("/v2/{}/manifests/{m}", r.repository()))
    }

    /// Sends a request with authentication and redirects: pre-authenticates from the token
    /// cache, follows redirects (GET/HEAD), answers one 401 challenge and retries once.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn request(
        &self,
        r: &Reference,
        method: Method,
        url: Url,
        headers: HeaderMap,
        body: Option<Bytes>,
        mode: BodyMode,
        access: Access,
    ) -> Result<Response, OciError> {
        let registry = r.registry();
        let scope = format!(
            "repository:{}:{}",
            r.repository(),
            match access {
                Access::Pull => "pull",
                Access::Push => "pull,push",
            }
        );
        // Credentials go to the registry's API origin only (not to upload locations or blob
        // storage on other hosts).
        let auth_origin = self.api_url(r, "/")?.origin();
        let mut auth = self.cached_auth(registry, &scope);
        let mut retried = false;
        loop {
            let resp = self
                .follow(
                    &method,
                    &url,
                    &headers,
                    body.clone(),
                    mode,
                    auth.as_ref().map(|a| (a, &auth_origin)),
                )
                .await?;
            if resp.status != StatusCode::UNAUTHORIZED {
                return Ok(resp);
            }
            if retried {
                return Err(OciError::Unauthorized {
                    registry: registry.to_owned(),
                });
            }
            retried = true;
            let challenges: Vec<Challenge> = resp
                .headers
                .get_all(WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(parse_challenges)
                .collect();
            auth = Some(self.answer_challenge(registry, &scope, &challenges).await?);
        }
    }

    fn cached_auth(&self, registry: &str, scope: &str) -> Option<HeaderValue> {
        if let Some(token) = self.inner.tokens.get(registry, scope) {
            return sensitive(&format!("Bearer {token}"));
        }
        if self.inner.tokens.uses_basic(registry) {
            let creds = self.inner.credentials.for_registry(registry)?;
            return sensitive(&creds.header_value());
        }
        None
    }

    async fn answer_challenge(
        &self,
        registry: &str,
        scope: &str,
        challenges: &[Challenge],
    ) -> Result<HeaderValue, OciError> {
        let unauthorized = || OciError::Unauthorized {
            registry: registry.to_owned(),
        };
        let creds = self.inner.credentials.for_registry(registry);
        if let Some(bearer) = challenges.iter().find(|c| c.scheme == "bearer") {
            let realm = bearer
                .params
                .get("realm")
                .ok_or_else(|| OciError::InvalidResponse {
                    what: "Bearer challenge without realm".to_owned(),
                })?;
            let mut realm_url = Url::parse(realm).map_err(|_| OciError::InvalidResponse {
                what: "Bearer challenge realm is not an http(s) URL".to_owned(),
            })?;
            let mut query = Vec::new();
            if let Some(service) = bearer.params.get("service") {
                query.push(format!("service={}", query_escape(service)));
            }
            let challenge_scope = bearer.params.get("scope").cloned();
            for s in challenge_scope.as_deref().unwrap_or(scope).split(' ') {
                if !s.is_empty() {
                    query.push(format!("scope={}", query_escape(s)));
                }
            }
            if !query.is_empty() {
                let sep = if realm_url.path_and_query.contains('?') {
                    '&'
                } else {
                    '?'
                };
                realm_url.path_and_query =
                    format!("{}{sep}{}", realm_url.path_and_query, query.join("&"));
            }
            // Basic credentials travel to the realm only over HTTPS, or over HTTP when the
            // registry itself was declared insecure.
            let creds_ok =
                realm_url.scheme == Scheme::Https || self.scheme_for(registry) == Scheme::Http;
            let basic = creds
                .filter(|_| creds_ok)
                .and_then(|c| sensitive(&c.header_value()));
            let realm_origin = realm_url.origin();
            let resp = self
                .follow(
                    &Method::GET,
                    &realm_url,
                    &HeaderMap::new(),
                    None,
                    BodyMode::Read {
                        limit: TOKEN_BODY_LIMIT,
                    },
                    basic.as_ref().map(|b| (b, &realm_origin)),
                )
                .await?;
            if resp.status == StatusCode::UNAUTHORIZED || resp.status == StatusCode::FORBIDDEN {
                return Err(unauthorized());
            }
            if !resp.status.is_success() {
                return Err(error_from_status(&resp));
            }
            let parsed: TokenResponse =
                serde_json::from_slice(&resp.body).map_err(|_| OciError::InvalidResponse {
                    what: "token endpoint answer is not JSON".to_owned(),
                })?;
            let (token, lifetime) =
                parsed
                    .token_and_lifetime()
                    .ok_or_else(|| OciError::InvalidResponse {
                        what: "token endpoint answer has no token".to_owned(),
                    })?;
            self.inner.tokens.put(registry, scope, &token, lifetime);
            if let Some(cs) = challenge_scope.filter(|cs| cs != scope) {
                self.inner.tokens.put(registry, &cs, &token, lifetime);
            }
            return sensitive(&format!("Bearer {token}")).ok_or_else(|| {
                OciError::InvalidResponse {
                    what: "token is not a valid header value".to_owned(),
                }
            });
        }
        if challenges.iter().any(|c| c.scheme == "basic") {
            let c = creds.ok_or_else(unauthorized)?;
            self.inner.tokens.set_basic(registry);
            return sensitive(&c.header_value()).ok_or_else(unauthorized);
        }
        Err(unauthorized())
    }

    /// Sends one logical request, following redirects for GET/HEAD. `auth` is sent only to the
    /// origin of `url` (never to a redirect target on another origin).
    async fn follow(
        &self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        body: Option<Bytes>,
        mode: BodyMode,
        auth: Option<(&HeaderValue, &Origin)>,
    ) -> Result<Response, OciError> {
        let mut current = url.clone();
        let mut method = method.clone();
        let mut visited: HashSet<String> = HashSet::new();
        visited.insert(current.to_string());
        let mut redirects = 0usize;
        loop {
            let mut h = headers.clone();
            h.remove(AUTHORIZATION);
            if let Some((value, _)) = auth.filter(|(_, o)| current.origin() == **o) {
                h.insert(AUTHORIZATION, value.clone());
            }
            let resp = self
                .inner
                .transport
                .send(method.clone(), &current, &h, body.clone(), mode)
                .await?;
            let is_redirect = matches!(resp.status.as_u16(), 301 | 302 | 303 | 307 | 308);
            if !is_redirect || !(method == Method::GET || method == Method::HEAD) {
                return Ok(resp);
            }
            let Some(location) = resp.headers.get(LOCATION).and_then(|v| v.to_str().ok()) else {
                return Err(OciError::InvalidResponse {
                    what: format!("HTTP {} without a Location header", resp.status.as_u16()),
                });
            };
            let next = current.join(location)?;
            if !visited.insert(next.to_string()) {
                return Err(OciError::RedirectLoop {
                    url: next.redacted(),
                });
            }
            redirects += 1;
            if redirects > self.inner.options.max_redirects {
                return Err(OciError::TooManyRedirects {
                    limit: self.inner.options.max_redirects,
                });
            }
            if resp.status == StatusCode::SEE_OTHER && method != Method::HEAD {
                method = Method::GET;
            }
            current = next;
        }
    }
}

fn sensitive(v: &str) -> Option<HeaderValue> {
    let mut h = HeaderValue::from_str(v).ok()?;
    h.set_sensitive(true);
    Some(h)
}

fn manifest_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        ACCEPT,
        HeaderValue::from_str(&MANIFEST_ACCEPT.join(", "))
            .unwrap_or_else(|_| HeaderValue::from_static("*/*")),
    );
    h
}

fn parse_digest_header(v: &HeaderValue) -> Result<Digest, OciError> {
    let s = v.to_str().map_err(|_| OciError::InvalidResponse {
        what: "Docker-Content-Digest header is not text".to_owned(),
    })?;
    Digest::parse(s.trim()).map_err(|e| OciError::InvalidResponse {
        what: format!("bad Docker-Content-Digest header: {e}"),
    })
}

/// Checks that `bytes` hash to `expected`; returns it.
fn check_digest(expected: &Digest, bytes: &[u8]) -> Result<Digest, OciError> {
    let actual = Digest::compute(expected.algorithm_kind(), bytes);
    if &actual != expected {
        return Err(OciError::DigestMismatch {
            expected: expected.to_string(),
            actual: actual.to_string(),
        });
    }
    Ok(actual)
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

#[derive(Deserialize)]
struct ErrorEntry {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

pub(crate) fn error_from(resp: &Response, r: &Reference) -> OciError {
    if resp.status == StatusCode::UNAUTHORIZED {
        return OciError::Unauthorized {
            registry: r.registry().to_owned(),
        };
    }
    error_from_status(resp)
}

/// An `Http` error from a response: the first registry error code and message of a JSON error
/// body, else the status reason. Messages are cut to one line of at most 200 characters.
fn error_from_status(resp: &Response) -> OciError {
    let parsed = serde_json::from_slice::<ErrorBody>(&resp.body).ok();
    let first = parsed.and_then(|b| b.errors.into_iter().next());
    let code = first.as_ref().and_then(|e| e.code.clone()).filter(|c| {
        !c.is_empty() && c.len() <= 64 && c.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
    });
    let message = first
        .and_then(|e| e.message)
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| {
            resp.status
                .canonical_reason()
                .unwrap_or("unexpected status")
                .to_owned()
        });
    let message: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    OciError::Http {
        status: resp.status.as_u16(),
        code,
        message,
    }
}

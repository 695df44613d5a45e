//! The client against servers that misbehave (tokio listeners in the test): every failure maps to
//! the right `OciError`, within the deadline, without panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kubeward_oci::{ClientOptions, Credentials, Digest, OciError, Reference, RegistryClient};
use support::fake_http::{Reply, insecure_client, insecure_options, response, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn reference(addr: SocketAddr, rest: &str) -> Reference {
    Reference::parse(&format!("{addr}/{rest}")).unwrap()
}

/// The error `fetch_manifest` of `r:t` on the server at `addr` fails with.
async fn fetch_manifest_err(client: &RegistryClient, addr: SocketAddr) -> OciError {
    client
        .fetch_manifest(&reference(addr, "r:t"))
        .await
        .unwrap_err()
}

/// The error `resolve` of `r:t` on the server at `addr` fails with.
async fn resolve_err(client: &RegistryClient, addr: SocketAddr) -> OciError {
    client.resolve(&reference(addr, "r:t")).await.unwrap_err()
}

/// Basic credentials.
fn basic(username: &str, password: &str) -> Credentials {
    Credentials::Basic {
        username: username.into(),
        password: password.into(),
    }
}

const MANIFEST: &[u8] = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0},"layers":[]}"#;

#[tokio::test]
async fn connection_refused_is_connect() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = insecure_client(addr);
    let err = resolve_err(&client, addr).await;
    assert!(matches!(err, OciError::Connect { .. }), "{err:?}");
    assert!(err.is_registry_unavailable());
}

#[tokio::test]
async fn silent_server_times_out() {
    let (addr, _) = serve(|_| Reply::Hang).await;
    let mut o = insecure_options(addr);
    o.request_timeout = Duration::from_millis(300);
    let client = RegistryClient::new(o).unwrap();
    let start = Instant::now();
    let err = fetch_manifest_err(&client, addr).await;
    let took = start.elapsed();
    assert!(matches!(err, OciError::Timeout { .. }), "{err:?}");
    assert!(err.is_registry_unavailable());
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(took >= Duration::from_millis(250), "took {took:?}");
}

#[tokio::test]
async fn silent_tls_server_times_out() {
    // Accepts TCP but never speaks TLS: the deadline covers the handshake too.
    let (addr, _) = serve(|_| Reply::Hang).await;
    let o = ClientOptions {
        request_timeout: Duration::from_millis(300),
        ..ClientOptions::default()
    };
    let client = RegistryClient::new(o).unwrap();
    let err = resolve_err(&client, addr).await;
    assert!(matches!(err, OciError::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn garbage_is_invalid_response() {
    let (addr, _) = serve(|_| Reply::Raw(b"\x00\x01\x02 this is not http\r\n\r\n".to_vec())).await;
    let client = insecure_client(addr);
    let err = fetch_manifest_err(&client, addr).await;
    assert!(matches!(err, OciError::InvalidResponse { .. }), "{err:?}");
    assert!(err.is_registry_unavailable());
}

#[tokio::test]
async fn plain_http_server_on_https_is_tls_error() {
    // Like Go's net/http: answer a TLS ClientHello with a plain HTTP 400.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s
                .write_all(b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
                .await;
        }
    });
    let o = ClientOptions {
        request_timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    };
    let client = RegistryClient::new(o).unwrap();
    let err = resolve_err(&client, addr).await;
    assert!(matches!(err, OciError::Tls { .. }), "{err:?}");
    assert!(err.is_registry_unavailable());
}

#[tokio::test]
async fn redirect_loop_is_detected() {
    let (addr, log) = serve(|req| {
        let next = if req.path.starts_with("/v2/") {
            "/elsewhere"
        } else {
            "/v2/r/manifests/t"
        };
        response("302 Found", &[("Location", next)], b"")
    })
    .await;
    let client = insecure_client(addr);
    let err = fetch_manifest_err(&client, addr).await;
    assert!(matches!(err, OciError::RedirectLoop { .. }), "{err:?}");
    assert!(!err.is_registry_unavailable());
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn too_many_redirects() {
    // /v2/... -> hop/1 -> hop/2 -> ... (relative Locations), never the same URL twice.
    let (addr, log) = serve(|req| {
        let n: u32 = req
            .path
            .rsplit('/')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let loc = if req.path.starts_with("/v2/") {
            "/hop/1".to_owned()
        } else {
            format!("{}", n + 1)
        };
        response("307 Temporary Redirect", &[("Location", &loc)], b"")
    })
    .await;
    let mut o = insecure_options(addr);
    o.max_redirects = 3;
    let client = RegistryClient::new(o).unwrap();
    let err = fetch_manifest_err(&client, addr).await;
    assert!(
        matches!(err, OciError::TooManyRedirects { limit: 3 }),
        "{err:?}"
    );
    // The original request and three followed redirects; the fourth is refused.
    assert_eq!(log.lock().unwrap().len(), 4);
    let paths: Vec<String> = log.lock().unwrap().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths[1..], ["/hop/1", "/hop/2", "/hop/3"]);
}

#[tokio::test]
async fn redirect_to_other_host_drops_authorization() {
    let blob = b"blob-content".to_vec();
    let digest = Digest::sha256_of(&blob);
    let blob2 = blob.clone();
    let (storage, storage_log) = serve(move |_| response("200 OK", &[], &blob2)).await;
    let (addr, log) = serve(move |req| {
        if req.header("authorization").is_none() {
            return response(
                "401 Unauthorized",
                &[("WWW-Authenticate", "Basic realm=\"fake\"")],
                b"",
            );
        }
        let loc = format!("http://{storage}/signed/blob?sig=abc");
        response("307 Temporary Redirect", &[("Location", &loc)], b"")
    })
    .await;
    let mut o = insecure_options(addr);
    o.credentials = basic("u", "secret-pw");
    let client = RegistryClient::new(o).unwrap();
    let r = reference(addr, "r:t");
    let got = client.fetch_blob(&r, &digest, 1024).await.unwrap();
    assert_eq!(got, blob);
    let registry_reqs = log.lock().unwrap().clone();
    assert_eq!(registry_reqs.len(), 2, "{registry_reqs:?}");
    assert!(
        registry_reqs[1]
            .header("authorization")
            .unwrap()
            .starts_with("Basic ")
    );
    let storage_reqs = storage_log.lock().unwrap().clone();
    assert_eq!(storage_reqs.len(), 1);
    assert!(
        storage_reqs[0].header("authorization").is_none(),
        "{storage_reqs:?}"
    );
    assert_eq!(storage_reqs[0].path, "/signed/blob?sig=abc");

    // Basic is remembered for the registry: the next request is pre-authenticated.
    let _ = client.fetch_blob(&r, &digest, 1024).await.unwrap();
    assert_eq!(log.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn huge_manifest_with_content_length_is_too_large_at_once() {
    let (addr, _) = serve(|_| Reply::Endless {
        head: "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: 104857600\r\n\r\n".to_owned(),
        chunk: vec![b' '; 65536],
    })
    .await;
    let mut o = insecure_options(addr);
    o.max_manifest_bytes = 4096;
    let client = RegistryClient::new(o).unwrap();
    let err = fetch_manifest_err(&client, addr).await;
    assert!(matches!(err, OciError::TooLarge { limit: 4096 }), "{err:?}");
    assert!(!err.is_registry_unavailable());
}

#[tokio::test]
async fn endless_chunked_manifest_is_too_large_without_reading_it_all() {
    // 64 KiB chunks forever (chunked encoding, no Content-Length); 100 000 chunks would be 6 GB.
    let chunk = {
        let mut c = format!("{:x}\r\n", 65536).into_bytes();
        c.extend(vec![b' '; 65536]);
        c.extend_from_slice(b"\r\n");
        c
    };
    let (addr, _) = serve(move |_| Reply::Endless {
        head: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_owned(),
        chunk: chunk.clone(),
    })
    .await;
    let mut o = insecure_options(addr);
    o.max_manifest_bytes = 1024 * 1024;
    let client = RegistryClient::new(o).unwrap();
    let start = Instant::now();
    let err = fetch_manifest_err(&client, addr).await;
    assert!(
        matches!(err, OciError::TooLarge { limit: 1048576 }),
        "{err:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn wrong_docker_content_digest_is_mismatch() {
    let wrong = Digest::sha256_of(b"something else").to_string();
    let (addr, _) = serve(move |_| {
        response(
            "200 OK",
            &[
                ("Content-Type", "application/vnd.oci.image.manifest.v1+json"),
                ("Docker-Content-Digest", &wrong),
            ],
            MANIFEST,
        )
    })
    .await;
    let client = insecure_client(addr);
    let err = fetch_manifest_err(&client, addr).await;
    match &err {
        OciError::DigestMismatch { expected, actual } => {
            assert_eq!(expected, &Digest::sha256_of(b"something else").to_string());
            assert_eq!(actual, &Digest::sha256_of(MANIFEST).to_string());
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.is_registry_unavailable());
}

#[tokio::test]
async fn body_not_matching_requested_digest_is_mismatch() {
    let (addr, _) = serve(|_| {
        response(
            "200 OK",
            &[("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
            MANIFEST,
        )
    })
    .await;
    let client = insecure_client(addr);
    let asked = Digest::sha256_of(b"the real manifest");
    let r = reference(addr, "r:t").with_digest(asked.clone());
    let err = client.fetch_manifest(&r).await.unwrap_err();
    assert!(
        matches!(&err, OciError::DigestMismatch { expected, .. } if *expected == asked.to_string()),
        "{err:?}"
    );
    // Blobs are checked the same way.
    let err = client.fetch_blob(&r, &asked, 1 << 20).await.unwrap_err();
    assert!(matches!(err, OciError::DigestMismatch { .. }), "{err:?}");
    // And blobs are bounded.
    let err = client.fetch_blob(&r, &asked, 10).await.unwrap_err();
    assert!(matches!(err, OciError::TooLarge { limit: 10 }), "{err:?}");
}

#[tokio::test]
async fn fetch_by_tag_returns_computed_digest_and_media_type() {
    let (addr, log) = serve(|req| {
        if req.method == "HEAD" {
            // No Docker-Content-Digest: resolve must fall back to GET and hash.
            return response(
                "200 OK",
                &[("Content-Type", "application/vnd.oci.image.manifest.v1+json")],
                b"",
            );
        }
        response("200 OK", &[("Content-Type", "application/json")], MANIFEST)
    })
    .await;
    let client = insecure_client(addr);
    let r = reference(addr, "r:t");
    let m = client.fetch_manifest(&r).await.unwrap().unwrap();
    assert_eq!(m.digest, Digest::sha256_of(MANIFEST));
    // Generic Content-Type: the JSON mediaType field is used.
    assert_eq!(m.media_type, "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(
        client.resolve(&r).await.unwrap(),
        Digest::sha256_of(MANIFEST)
    );
    let reqs = log.lock().unwrap().clone();
    let accept = reqs[0].header("accept").unwrap();
    for mt in kubeward_oci::MANIFEST_ACCEPT {
        assert!(accept.contains(mt), "{accept}");
    }
    assert_eq!(reqs[1].method, "HEAD");
    assert_eq!(reqs[2].method, "GET");
    // Digest references resolve without network.
    let pinned = r.with_digest(Digest::sha256_of(b"x"));
    assert_eq!(
        client.resolve(&pinned).await.unwrap(),
        Digest::sha256_of(b"x")
    );
    assert_eq!(log.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn malformed_digest_header_is_invalid_response() {
    let (addr, _) =
        serve(|_| response("200 OK", &[("Docker-Content-Digest", "sha256:nothex")], b"")).await;
    let client = insecure_client(addr);
    let err = resolve_err(&client, addr).await;
    assert!(matches!(err, OciError::InvalidResponse { .. }), "{err:?}");
}

#[tokio::test]
async fn bearer_token_flow() {
    let (token_addr, token_log) = serve(|req| {
        let ok_query = req.path.contains("service=fake-registry")
            && req.path.contains("scope=repository%3Ateam%2Fapp%3Apull");
        let basic = req.header("authorization") == Some("Basic dXNlcjpzM2NyZXQ="); // user:s3cret
        if ok_query && basic {
            response(
                "200 OK",
                &[("Content-Type", "application/json")],
                br#"{"token":"tok-123","expires_in":300}"#,
            )
        } else {
            response("401 Unauthorized", &[], b"{}")
        }
    })
    .await;
    let (addr, log) = serve(move |req| {
        if req.header("authorization") != Some("Bearer tok-123") {
            let challenge = format!(
                "Bearer realm=\"http://{token_addr}/token\",service=\"fake-registry\",scope=\"repository:team/app:pull\""
            );
            return response(
                "401 Unauthorized",
                &[("WWW-Authenticate", &challenge), ("Content-Type", "application/json")],
                br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
            );
        }
        response("200 OK", &[("Content-Type", "application/vnd.oci.image.manifest.v1+json")], MANIFEST)
    })
    .await;
    let mut o = insecure_options(addr);
    o.credentials = basic("user", "s3cret");
    let client = RegistryClient::new(o).unwrap();
    let r = reference(addr, "team/app:v1");
    let m = client.fetch_manifest(&r).await.unwrap().unwrap();
    assert_eq!(m.bytes, MANIFEST);
    assert_eq!(
        log.lock().unwrap().len(),
        2,
        "401 then the retry with the token"
    );
    assert_eq!(token_log.lock().unwrap().len(), 1);
    // Cached for the same (registry, scope): no new token request, no 401 round trip.
    let _ = client.fetch_manifest(&r).await.unwrap().unwrap();
    assert_eq!(token_log.lock().unwrap().len(), 1);
    assert_eq!(log.lock().unwrap().len(), 3);

    // Wrong password: the token server refuses; the error names no secret.
    let mut o = insecure_options(addr);
    o.credentials = basic("user", "wrong-pw");
    let client = RegistryClient::new(o).unwrap();
    let err = client.fetch_manifest(&r).await.unwrap_err();
    assert!(matches!(err, OciError::Unauthorized { .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("wrong-pw") && !text.contains("tok-123"),
        "{text}"
    );
}

#[tokio::test]
async fn token_accepted_but_still_401_is_unauthorized() {
    let (token_addr, _) = serve(|_| response("200 OK", &[], br#"{"access_token":"t"}"#)).await;
    let (addr, log) = serve(move |_| {
        let challenge = format!("Bearer realm=\"http://{token_addr}/token\"");
        response("401 Unauthorized", &[("WWW-Authenticate", &challenge)], b"")
    })
    .await;
    let client = insecure_client(addr);
    let err = resolve_err(&client, addr).await;
    assert!(matches!(err, OciError::Unauthorized { .. }), "{err:?}");
    assert!(!err.is_registry_unavailable());
    assert_eq!(log.lock().unwrap().len(), 2, "exactly one retry");
}

#[tokio::test]
async fn server_error_json_is_http_with_code() {
    let (addr, _) = serve(|req| {
        if req.path.contains("/blobs/") {
            return response(
                "404 Not Found",
                &[("Content-Type", "application/json")],
                br#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry","detail":"x"}]}"#,
            );
        }
        if req.path.contains("missing") {
            return response(
                "404 Not Found",
                &[],
                br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
            );
        }
        response(
            "500 Internal Server Error",
            &[("Content-Type", "application/json")],
            br#"{"errors":[{"code":"UNKNOWN","message":"unknown error","detail":{"driver":"s3"}}]}"#,
        )
    })
    .await;
    let client = insecure_client(addr);
    let err = fetch_manifest_err(&client, addr).await;
    match &err {
        OciError::Http {
            status,
            code,
            message,
        } => {
            assert_eq!(*status, 500);
            assert_eq!(code.as_deref(), Some("UNKNOWN"));
            assert_eq!(message, "unknown error");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_registry_unavailable());
    assert!(
        client
            .fetch_manifest(&reference(addr, "r:missing"))
            .await
            .unwrap()
            .is_none()
    );
    let err = client
        .resolve(&reference(addr, "r:missing"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OciError::Http { status: 404, code: Some(c), .. } if c == "MANIFEST_UNKNOWN"),
        "{err:?}"
    );
    let err = client
        .fetch_blob(&reference(addr, "r:t"), &Digest::sha256_of(b"x"), 100)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OciError::Http { status: 404, code: Some(c), .. } if c == "BLOB_UNKNOWN"),
        "{err:?}"
    );
    assert!(!err.is_registry_unavailable());
}

#[tokio::test]
async fn invalid_tag_is_refused_before_any_request() {
    let (addr, log) = serve(|_| response("200 OK", &[], b"")).await;
    let client = insecure_client(addr);
    let r = reference(addr, "r:t").with_tag("../../etc");
    let err = client.resolve(&r).await.unwrap_err();
    assert!(matches!(err, OciError::Reference(_)), "{err:?}");
    assert!(log.lock().unwrap().is_empty());
}

#[test]
fn bad_ca_pem_is_invalid_config() {
    let o = ClientOptions {
        ca_pem: vec![b"not a pem".to_vec()],
        ..ClientOptions::default()
    };
    assert!(matches!(
        RegistryClient::new(o),
        Err(OciError::InvalidConfig { .. })
    ));
}

#[tokio::test]
async fn ipv6_registry_host() {
    let Ok(listener) = TcpListener::bind("[::1]:0").await else {
        eprintln!("SKIP: no IPv6 loopback");
        return;
    };
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen2 = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let n = s.read(&mut buf).await.unwrap_or(0);
            seen2
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..n]).to_string());
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                MANIFEST.len()
            );
            let _ = s.write_all(head.as_bytes()).await;
            let _ = s.write_all(MANIFEST).await;
        }
    });
    let r = Reference::parse(&format!("[::1]:{}/team/app:v1", addr.port())).unwrap();
    assert_eq!(r.registry(), format!("[::1]:{}", addr.port()));
    let client = RegistryClient::new(ClientOptions {
        insecure_registries: vec![r.registry().to_owned()],
        ..ClientOptions::default()
    })
    .unwrap();
    let m = client.fetch_manifest(&r).await.unwrap().unwrap();
    assert_eq!(m.digest, Digest::sha256_of(MANIFEST));
    let req = seen.lock().unwrap()[0].clone();
    assert!(
        req.starts_with("GET /v2/team/app/manifests/v1 HTTP/1.1\r\n"),
        "{req}"
    );
    assert!(
        req.to_lowercase()
            .contains(&format!("host: [::1]:{}\r\n", addr.port())),
        "{req}"
    );
}

//! `RegistryClient::referrers` and `Artifact::push` against fake registries (tokio listeners)
//! that implement the OCI 1.1 referrers API, or misbehave.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use kubeward_oci::oci_layout::{Artifact, Image};
use kubeward_oci::{
    Descriptor, Digest, MAX_REFERRERS_PAGES, OCI_INDEX, OCI_MANIFEST, OciError, Reference,
    referrers_tag,
};
use support::fake_http::{Log, Req, insecure_client, response, serve};

fn index_response(extra: &[(&str, &str)], manifests: &[serde_json::Value]) -> Vec<u8> {
    let body = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": manifests,
    }))
    .unwrap();
    let mut headers = vec![("Content-Type", OCI_INDEX)];
    headers.extend_from_slice(extra);
    response("200 OK", &headers, &body)
}

fn not_found() -> Vec<u8> {
    response(
        "404 Not Found",
        &[("Content-Type", "text/plain")],
        b"404 page not found",
    )
}

fn reference(addr: SocketAddr) -> Reference {
    Reference::parse(&format!("{addr}/demo/app:v1")).unwrap()
}

fn subject() -> Digest {
    Digest::sha256_of(b"subject manifest")
}

/// A referrers-list entry.
fn entry(n: u8, artifact_type: &str) -> serde_json::Value {
    serde_json::json!({
        "mediaType": OCI_MANIFEST,
        "digest": Digest::sha256_of(&[n]).to_string(),
        "size": 100 + u64::from(n),
        "artifactType": artifact_type,
        "annotations": {"n": n.to_string()},
    })
}

fn numbers(found: &[Descriptor]) -> Vec<String> {
    found.iter().map(|d| d.annotations["n"].clone()).collect()
}

const SIG: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
const SBOM: &str = "application/spdx+json";

fn referrers_path() -> String {
    format!("/v2/demo/app/referrers/{}", subject())
}

/// The referrers of `subject()` in `demo/app` on the server at `addr`, with a fresh client.
async fn list_referrers(
    addr: SocketAddr,
    artifact_type: Option<&str>,
) -> Result<Vec<Descriptor>, OciError> {
    insecure_client(addr)
        .referrers(&reference(addr), &subject(), artifact_type)
        .await
}

#[tokio::test]
async fn server_side_filtering_is_requested_and_used() {
    let (addr, log) = serve(|req| {
        if req.path.contains("artifactType=") {
            index_response(&[("OCI-Filters-Applied", "artifactType")], &[entry(1, SIG)])
        } else {
            index_response(&[], &[entry(1, SIG), entry(2, SBOM)])
        }
    })
    .await;
    let c = insecure_client(addr);
    let r = reference(addr);
    let all = c.referrers(&r, &subject(), None).await.unwrap();
    assert_eq!(numbers(&all), ["1", "2"]);
    assert_eq!(all[0].artifact_type.as_deref(), Some(SIG));
    assert_eq!(all[0].size, 101);
    let sigs = c.referrers(&r, &subject(), Some(SIG)).await.unwrap();
    assert_eq!(numbers(&sigs), ["1"]);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].path, referrers_path());
    assert_eq!(log[0].header("accept"), Some(OCI_INDEX));
    assert_eq!(
        log[1].path,
        format!(
            "{}?artifactType=application%2Fvnd.dev.sigstore.bundle.v0.3%2Bjson",
            referrers_path()
        )
    );
}

#[tokio::test]
async fn a_server_ignoring_the_filter_is_filtered_client_side() {
    // No `OCI-Filters-Applied`: everything comes back, the client keeps only the asked type.
    let (addr, _) =
        serve(|_| index_response(&[], &[entry(1, SIG), entry(2, SBOM), entry(3, SIG)])).await;
    let found = list_referrers(addr, Some(SIG)).await.unwrap();
    assert_eq!(numbers(&found), ["1", "3"]);
    // A server that claims to have filtered but did not is filtered all the same.
    let (addr, _) = serve(|_| {
        index_response(
            &[("OCI-Filters-Applied", "artifactType")],
            &[entry(1, SBOM), entry(2, SIG)],
        )
    })
    .await;
    let found = list_referrers(addr, Some(SIG)).await.unwrap();
    assert_eq!(numbers(&found), ["2"]);
}

#[tokio::test]
async fn pages_are_followed_through_link_headers() {
    let (addr, log) = serve(|req| {
        if req.path.ends_with("page=2") {
            // Absolute link form, duplicate of entry 2 dropped, last page.
            index_response(&[], &[entry(2, SBOM), entry(3, SIG)])
        } else {
            let link = format!("<{}?page=2>; rel=\"next\"", referrers_path());
            index_response(&[("Link", &link)], &[entry(1, SIG), entry(2, SBOM)])
        }
    })
    .await;
    let c = insecure_client(addr);
    let found = c
        .referrers(&reference(addr), &subject(), None)
        .await
        .unwrap();
    assert_eq!(numbers(&found), ["1", "2", "3"]);
    let sigs = c
        .referrers(&reference(addr), &subject(), Some(SIG))
        .await
        .unwrap();
    assert_eq!(numbers(&sigs), ["1", "3"]);
    let paths: Vec<String> = log.lock().unwrap().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths.len(), 4);
    assert_eq!(paths[1], format!("{}?page=2", referrers_path()));
}

#[tokio::test]
async fn a_link_loop_is_an_error() {
    let (addr, log) = serve(|req| {
        let next = if req.path.ends_with("page=2") {
            referrers_path()
        } else {
            format!("{}?page=2", referrers_path())
        };
        let link = format!("<{next}>; rel=\"next\"");
        index_response(&[("Link", &link)], &[entry(1, SIG)])
    })
    .await;
    let err = list_referrers(addr, None).await.unwrap_err();
    assert!(
        matches!(&err, OciError::InvalidResponse { what } if what.contains("loop")),
        "{err:?}"
    );
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn endless_pages_stop_at_the_bound() {
    let (addr, log) = serve(|req| {
        let n: u64 = req
            .path
            .rsplit_once("page=")
            .map(|(_, n)| n.parse().unwrap())
            .unwrap_or(1);
        let link = format!("<{}?page={}>; rel=\"next\"", referrers_path(), n + 1);
        index_response(&[("Link", &link)], &[entry(1, SIG)])
    })
    .await;
    let err = list_referrers(addr, None).await.unwrap_err();
    assert!(
        matches!(&err, OciError::InvalidResponse { what } if what.contains("pages")),
        "{err:?}"
    );
    assert!(err.is_registry_unavailable());
    assert_eq!(log.lock().unwrap().len(), MAX_REFERRERS_PAGES);
}

#[tokio::test]
async fn a_link_to_another_origin_is_refused() {
    let (addr, log) = serve(|_| {
        index_response(
            &[("Link", "<http://198.51.100.1:9/v2/x>; rel=\"next\"")],
            &[entry(1, SIG)],
        )
    })
    .await;
    let err = list_referrers(addr, None).await.unwrap_err();
    assert!(matches!(err, OciError::InvalidResponse { .. }), "{err:?}");
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_garbage_body_is_invalid_response() {
    for body in [&b"<html>not json</html>"[..], b"{\"manifests\":7}", b"{}"] {
        let body = body.to_vec();
        let (addr, _) =
            serve(move |_| response("200 OK", &[("Content-Type", OCI_INDEX)], &body)).await;
        let err = list_referrers(addr, None).await.unwrap_err();
        assert!(matches!(err, OciError::InvalidResponse { .. }), "{err:?}");
    }
}

/// A registry without the referrers API answering `status` to it, serving a fallback index.
async fn fallback_server(status: &'static str, content_type: &'static str) -> (SocketAddr, Log) {
    let tag_path = format!("/v2/demo/app/manifests/{}", referrers_tag(&subject()));
    serve(move |req| {
        if req.path.starts_with("/v2/demo/app/referrers/") {
            response(status, &[("Content-Type", content_type)], b"nope")
        } else if req.path == tag_path {
            index_response(&[], &[entry(1, SIG), entry(2, SBOM)])
        } else {
            not_found()
        }
    })
    .await
}

#[tokio::test]
async fn without_the_api_the_fallback_tag_is_used() {
    for (status, ct) in [
        ("404 Not Found", "text/plain"),
        ("400 Bad Request", "application/json"),
        ("405 Method Not Allowed", "text/plain"),
        ("406 Not Acceptable", "text/plain"),
        ("200 OK", "text/html"),
    ] {
        let (addr, log) = fallback_server(status, ct).await;
        let c = insecure_client(addr);
        let found = c
            .referrers(&reference(addr), &subject(), None)
            .await
            .unwrap();
        assert_eq!(numbers(&found), ["1", "2"], "{status}");
        let sboms = c
            .referrers(&reference(addr), &subject(), Some(SBOM))
            .await
            .unwrap();
        assert_eq!(numbers(&sboms), ["2"], "{status}");
        let log = log.lock().unwrap();
        assert_eq!(
            log[1].path,
            format!("/v2/demo/app/manifests/sha256-{}", subject().hex())
        );
    }
}

#[tokio::test]
async fn a_server_error_is_an_error_not_a_fallback() {
    for status in [
        "500 Internal Server Error",
        "503 Service Unavailable",
        "403 Forbidden",
    ] {
        let (addr, log) = fallback_server(status, "text/plain").await;
        let err = list_referrers(addr, None).await.unwrap_err();
        let code: u16 = status[..3].parse().unwrap();
        assert!(
            matches!(err, OciError::Http { status, .. } if status == code),
            "{err:?}"
        );
        assert_eq!(log.lock().unwrap().len(), 1, "no fallback request");
    }
    // An error on the fallback tag is reported too (not taken as "no referrers").
    let (addr, _) = serve(|req| {
        if req.path.contains("/referrers/") {
            not_found()
        } else {
            response("502 Bad Gateway", &[], b"")
        }
    })
    .await;
    let err = list_referrers(addr, None).await.unwrap_err();
    assert!(matches!(err, OciError::Http { status: 502, .. }), "{err:?}");
}

#[tokio::test]
async fn no_fallback_tag_means_no_referrers() {
    let (addr, _) = serve(|_| not_found()).await;
    assert!(list_referrers(addr, None).await.unwrap().is_empty());
    // An empty API answer is an empty list.
    let (addr, _) = serve(|_| index_response(&[], &[])).await;
    assert!(list_referrers(addr, None).await.unwrap().is_empty());
}

/// A registry that accepts every push; with `ack`, it answers a manifest push with
/// `OCI-Subject` (it has the referrers API).
async fn push_server(ack: Option<String>) -> (SocketAddr, Log) {
    serve(move |req| match (req.method.as_str(), req.path.as_str()) {
        ("HEAD", p) if p.contains("/blobs/") => response("200 OK", &[], b""),
        ("PUT", p) if p.contains("/manifests/") => {
            let digest = Digest::sha256_of(&req.body).to_string();
            let mut h = vec![("Docker-Content-Digest", digest.as_str())];
            if let Some(a) = &ack {
                h.push(("OCI-Subject", a.as_str()));
            }
            response("201 Created", &h, b"")
        }
        _ => not_found(),
    })
    .await
}

#[tokio::test]
async fn artifact_push_updates_the_fallback_tag_only_without_oci_subject() {
    let image = Image::hello("subject");
    let a = Artifact::new(
        SIG,
        vec![(SIG.to_owned(), b"{\"b\":1}".to_vec())],
        image.manifest.descriptor(),
        BTreeMap::from([("k".to_owned(), "v".to_owned())]),
    );
    let tag_path = format!(
        "/v2/demo/app/manifests/{}",
        referrers_tag(&image.manifest.digest)
    );

    // With the referrers API: the manifest goes by digest, no tag is touched.
    let (addr, log) = push_server(Some(image.manifest.digest.to_string())).await;
    let d = a
        .push(&insecure_client(addr), &reference(addr))
        .await
        .unwrap();
    assert_eq!(d, a.manifest.digest);
    let log_now = log.lock().unwrap().clone();
    let puts: Vec<&Req> = log_now.iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0].path, format!("/v2/demo/app/manifests/{d}"));
    assert_eq!(puts[0].body, a.manifest.bytes);
    assert!(log_now.iter().all(|r| r.path != tag_path));

    // Without `OCI-Subject` (or naming another subject): the index is created under the tag.
    for ack in [None, Some(Digest::sha256_of(b"other").to_string())] {
        let (addr, log) = push_server(ack).await;
        a.push(&insecure_client(addr), &reference(addr))
            .await
            .unwrap();
        let log_now = log.lock().unwrap().clone();
        let get = log_now
            .iter()
            .position(|r| r.method == "GET" && r.path == tag_path)
            .expect("fallback index fetched");
        let put = log_now
            .iter()
            .position(|r| r.method == "PUT" && r.path == tag_path)
            .expect("fallback index pushed");
        assert!(get < put);
        let index_put = &log_now[put];
        assert_eq!(index_put.header("content-type"), Some(OCI_INDEX));
        let index: serde_json::Value = serde_json::from_slice(&index_put.body).unwrap();
        assert_eq!(index["mediaType"], OCI_INDEX);
        assert_eq!(index["schemaVersion"], 2);
        let entries = index["manifests"].as_array().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["artifactType"], SIG);
        assert_eq!(entries[0]["digest"], a.manifest.digest.to_string());
        assert_eq!(entries[0]["mediaType"], OCI_MANIFEST);
        assert_eq!(entries[0]["size"], a.manifest.bytes.len());
        assert_eq!(entries[0]["annotations"]["k"], "v");
    }
}

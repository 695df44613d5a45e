//! Against a real CNCF distribution registry (`docker-registry`), with `skopeo` as an
//! independent client. Prints `SKIP:` and passes when the tools are missing, unless
//! `KUBEWARD_REQUIRE_EXTERNAL=1`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;

use kubeward_oci::oci_layout::{Image, ImageIndex, Layout, linux};
use kubeward_oci::test_support::{TestRegistry, external_tool_required};
use kubeward_oci::{
    ClientOptions, DOCKER_MANIFEST, Digest, ManifestKind, OCI_INDEX, OCI_MANIFEST, OciError,
    RegistryClient,
};
use support::real_registry::{
    assert_reads_back, skopeo, skopeo_digest, skopeo_inspect_digest, skopeo_raw, start_registry,
    tools,
};

fn policy(dir: &Path) -> String {
    let p = dir.join("policy.json");
    std::fs::write(&p, r#"{"default":[{"type":"insecureAcceptAnything"}]}"#).unwrap();
    p.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_resolve_fetch_against_registry_and_skopeo() {
    if !tools(&["docker-registry", "skopeo"]) {
        return;
    }
    let (reg, client) = start_registry();
    let r = reg.reference("demo/app:v1").unwrap();

    let image = Image::hello("first");
    let pushed = image.push(&client, &r).await.unwrap();
    assert_eq!(pushed, image.manifest.digest);

    // Our resolution, skopeo's, and the bytes skopeo sees agree.
    let resolved = client.resolve(&r).await.unwrap();
    assert_eq!(resolved, pushed);
    assert_eq!(
        skopeo_digest(&format!("{}/demo/app:v1", reg.addr())),
        pushed.to_string()
    );
    assert_eq!(
        skopeo_raw(&format!("{}/demo/app:v1", reg.addr())),
        image.manifest.bytes
    );

    // Fetch by tag and by digest.
    let m = client.fetch_manifest(&r).await.unwrap().unwrap();
    assert_eq!(m.digest, pushed);
    assert_eq!(m.media_type, OCI_MANIFEST);
    assert_eq!(m.bytes, image.manifest.bytes);
    let by_digest = client
        .fetch_manifest(&r.with_digest(pushed.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_digest, m);
    let (config, layers) = match m.parse().unwrap() {
        ManifestKind::ImageManifest { config, layers, .. } => (config, layers),
        other => panic!("{other:?}"),
    };

    // Blobs: content and digest check, size limit, unknown blob.
    let cfg = client
        .fetch_blob(&r, &config.digest, 1 << 20)
        .await
        .unwrap();
    assert_eq!(cfg, image.config.bytes);
    let layer = client
        .fetch_blob(&r, &layers[0].digest, 1 << 20)
        .await
        .unwrap();
    assert_eq!(layer, image.layers[0].bytes);
    let err = client
        .fetch_blob(&r, &layers[0].digest, 100)
        .await
        .unwrap_err();
    assert!(matches!(err, OciError::TooLarge { limit: 100 }), "{err:?}");
    let err = client
        .fetch_blob(&r, &Digest::sha256_of(b"never pushed"), 100)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OciError::Http { status: 404, code: Some(c), .. } if c == "BLOB_UNKNOWN"),
        "{err:?}"
    );
    assert!(client.blob_exists(&r, &layers[0].digest).await.unwrap());
    // Pushing an existing blob is a no-op returning its digest.
    assert_eq!(
        client.push_blob(&r, &image.layers[0].bytes).await.unwrap(),
        layers[0].digest
    );

    // Missing tag, missing repository.
    assert!(
        client
            .fetch_manifest(&r.with_tag("nope"))
            .await
            .unwrap()
            .is_none()
    );
    let err = client.resolve(&r.with_tag("nope")).await.unwrap_err();
    assert!(
        matches!(&err, OciError::Http { status: 404, code: Some(c), .. } if c == "MANIFEST_UNKNOWN"),
        "{err:?}"
    );
    assert!(!err.is_registry_unavailable());
    let other = reg.reference("no/such/repo:v1").unwrap();
    assert!(client.fetch_manifest(&other).await.unwrap().is_none());

    // Re-push another image under the same tag: resolution follows.
    let second = Image::hello("second");
    let d2 = second.push(&client, &r).await.unwrap();
    assert_ne!(d2, pushed);
    assert_eq!(client.resolve(&r).await.unwrap(), d2);
    assert_eq!(
        skopeo_digest(&format!("{}/demo/app:v1", reg.addr())),
        d2.to_string()
    );
    // The old manifest is still there by digest.
    assert!(
        client
            .fetch_manifest(&r.with_digest(pushed))
            .await
            .unwrap()
            .is_some()
    );

    // A manifest pushed by digest (no tag).
    let third = Image::hello("third");
    let by_digest_ref = r
        .with_tag("ignored")
        .with_digest(third.manifest.digest.clone());
    let d3 = third.push(&client, &by_digest_ref).await.unwrap();
    assert_eq!(d3, third.manifest.digest);
    let skopeo_seen = skopeo_raw(&format!("{}/demo/app@{d3}", reg.addr()));
    assert_eq!(skopeo_seen, third.manifest.bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docker_schema2_manifest_round_trip() {
    if !tools(&["docker-registry", "skopeo"]) {
        return;
    }
    let (reg, client) = start_registry();
    let r = reg.reference("demo/docker:v1").unwrap();
    let image = Image::hello("docker");
    client.push_blob(&r, &image.config.bytes).await.unwrap();
    client.push_blob(&r, &image.layers[0].bytes).await.unwrap();
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST,
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "digest": image.config.digest.to_string(),
            "size": image.config.bytes.len(),
        },
        "layers": [{
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar",
            "digest": image.layers[0].digest.to_string(),
            "size": image.layers[0].bytes.len(),
        }],
    });
    let bytes = serde_json::to_vec_pretty(&manifest).unwrap();
    let d = client
        .push_manifest(&r, DOCKER_MANIFEST, &bytes)
        .await
        .unwrap();
    assert_eq!(d, Digest::sha256_of(&bytes));
    assert_eq!(client.resolve(&r).await.unwrap(), d);
    assert_eq!(
        skopeo_digest(&format!("{}/demo/docker:v1", reg.addr())),
        d.to_string()
    );
    let m = client.fetch_manifest(&r).await.unwrap().unwrap();
    assert_eq!(m.media_type, DOCKER_MANIFEST);
    assert!(matches!(
        m.parse().unwrap(),
        ManifestKind::ImageManifest { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skopeo_pushed_layout_and_index() {
    if !tools(&["docker-registry", "skopeo"]) {
        return;
    }
    let (reg, client) = start_registry();
    let tmp = tempfile::tempdir().unwrap();
    let layout_dir = tmp.path().join("layout");

    let single = Image::hello("from skopeo");
    let amd = Image::from_files(&[("arch", b"amd64")], linux("amd64")).unwrap();
    let arm = Image::from_files(&[("arch", b"arm64")], linux("arm64")).unwrap();
    let index = ImageIndex::new(vec![amd.clone(), arm.clone()]);
    let mut layout = Layout::new();
    layout.add_image("v2", &single);
    layout.add_index("multi", &index);
    layout.write(&layout_dir).unwrap();

    let policy = policy(tmp.path());
    let dir = layout_dir.display().to_string();
    skopeo(&[
        "--policy",
        &policy,
        "copy",
        "--dest-tls-verify=false",
        &format!("oci:{dir}:v2"),
        &format!("docker://{}/demo/copied:v2", reg.addr()),
    ]);
    skopeo(&[
        "--policy",
        &policy,
        "copy",
        "--all",
        "--dest-tls-verify=false",
        &format!("oci:{dir}:multi"),
        &format!("docker://{}/demo/multi:latest", reg.addr()),
    ]);

    // The single image: skopeo kept the manifest bytes, so digests match ours.
    let r = reg.reference("demo/copied:v2").unwrap();
    assert_reads_back(&client, &r, &single, &single.manifest.digest).await;

    // The index and its children.
    let r = reg.reference("demo/multi").unwrap();
    assert_eq!(r.tag(), Some("latest"));
    let digest = client.resolve(&r).await.unwrap();
    assert_eq!(digest, index.manifest.digest);
    assert_eq!(
        skopeo_digest(&format!("{}/demo/multi:latest", reg.addr())),
        digest.to_string()
    );
    let m = client.fetch_manifest(&r).await.unwrap().unwrap();
    assert_eq!(m.media_type, OCI_INDEX);
    let ManifestKind::Index { manifests } = m.parse().unwrap() else {
        panic!("not an index");
    };
    let arches: Vec<String> = manifests
        .iter()
        .map(|d| d.platform.as_ref().unwrap().architecture.clone())
        .collect();
    assert_eq!(arches, ["amd64", "arm64"]);
    for (desc, image) in manifests.iter().zip([&amd, &arm]) {
        let child = client
            .fetch_manifest(&r.with_digest(desc.digest.clone()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(child.bytes, image.manifest.bytes);
        assert_eq!(desc.size, child.bytes.len() as u64);
        let ManifestKind::ImageManifest { config, .. } = child.parse().unwrap() else {
            panic!("child is not an image manifest");
        };
        let cfg = client
            .fetch_blob(&r, &config.digest, 1 << 20)
            .await
            .unwrap();
        assert_eq!(cfg, image.config.bytes);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_pushed_index_is_seen_by_skopeo() {
    if !tools(&["docker-registry", "skopeo"]) {
        return;
    }
    let (reg, client) = start_registry();
    let index = ImageIndex::new(vec![
        Image::from_files(&[("a", b"1")], linux("amd64")).unwrap(),
        Image::from_files(&[("a", b"2")], linux("s390x")).unwrap(),
    ]);
    let r = reg.reference("demo/idx:v1").unwrap();
    let d = index.push(&client, &r).await.unwrap();
    assert_eq!(d, index.manifest.digest);
    let image = format!("{}/demo/idx:v1", reg.addr());
    assert_eq!(skopeo_raw(&image), index.manifest.bytes);
    // skopeo inspect (not --raw) picks the platform's image; its Digest is the index digest.
    assert_eq!(client.resolve(&r).await.unwrap(), d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_registry_needs_the_ca() {
    if !tools(&["docker-registry"]) {
        return;
    }
    let reg = TestRegistry::start_tls().unwrap();
    let ca = reg.ca_pem().unwrap().to_owned();
    let r = reg.reference("secure/app:v1").unwrap();

    // Without the CA: the handshake fails, classified as TLS (registry unavailable).
    let plain = RegistryClient::new(ClientOptions::default()).unwrap();
    let err = plain.resolve(&r).await.unwrap_err();
    assert!(matches!(err, OciError::Tls { .. }), "{err:?}");
    assert!(err.is_registry_unavailable());

    // Talking plain HTTP to the TLS port: the Go server answers 400 over plain HTTP.
    let mut o = ClientOptions::default();
    o.insecure_registries.push(reg.addr().to_owned());
    let wrong_scheme = RegistryClient::new(o).unwrap();
    let err = wrong_scheme.resolve(&r).await.unwrap_err();
    assert!(matches!(err, OciError::Http { status: 400, .. }), "{err:?}");

    // With the CA: push, resolve, fetch.
    let client = RegistryClient::new(reg.client_options()).unwrap();
    assert_eq!(client.options().ca_pem, vec![ca.into_bytes()]);
    let image = Image::hello("over tls");
    let d = image.push(&client, &r).await.unwrap();
    assert_reads_back(&client, &r, &image, &d).await;

    // skopeo verifies the same chain with the CA (as a --cert-dir *.crt) and sees our digest.
    if external_tool_required("skopeo") {
        let certs = tempfile::tempdir().unwrap();
        std::fs::write(certs.path().join("ca.crt"), reg.ca_pem().unwrap()).unwrap();
        let digest = skopeo_inspect_digest(&[
            "--no-tags",
            "--cert-dir",
            &certs.path().display().to_string(),
            &format!("docker://{}/secure/app:v1", reg.addr()),
        ]);
        assert_eq!(digest, d.to_string());
    }
}

#[test]
fn registry_is_killed_on_drop() {
    if !tools(&["docker-registry"]) {
        return;
    }
    let reg = TestRegistry::start().unwrap();
    let addr = reg.addr().to_owned();
    let dir = reg.dir().to_owned();
    assert!(std::net::TcpStream::connect(&addr).is_ok());
    drop(reg);
    assert!(std::net::TcpStream::connect(&addr).is_err());
    assert!(!dir.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_refusals_carry_error_codes() {
    if !tools(&["docker-registry"]) {
        return;
    }
    let (reg, client) = start_registry();
    let r = reg.reference("demo/refused:v1").unwrap();

    // A manifest whose blobs were never pushed.
    let image = Image::hello("blobs missing");
    let err = client
        .push_manifest(&r, OCI_MANIFEST, &image.manifest.bytes)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OciError::Http { status: 400, code: Some(c), .. } if c == "MANIFEST_BLOB_UNKNOWN"),
        "{err:?}"
    );
    assert!(!err.is_registry_unavailable());

    // Not JSON at all.
    let err = client
        .push_manifest(&r, OCI_MANIFEST, b"not json")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OciError::Http { status: 400, code: Some(c), .. } if c == "MANIFEST_INVALID"),
        "{err:?}"
    );

    // By digest, with bytes that do not hash to it: refused locally, before any request.
    let pinned = r.with_digest(Digest::sha256_of(b"other"));
    let err = client
        .push_manifest(&pinned, OCI_MANIFEST, &image.manifest.bytes)
        .await
        .unwrap_err();
    assert!(matches!(err, OciError::DigestMismatch { .. }), "{err:?}");

    // Invalid repository name on the wire is impossible (references are validated), but an
    // uppercase tag is fine and round-trips.
    let tagged = r.try_with_tag("V1.0_RC").unwrap();
    let d = image.push(&client, &tagged).await.unwrap();
    assert_eq!(client.resolve(&tagged).await.unwrap(), d);
}

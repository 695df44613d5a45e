//! Reference parsing and digest hashing (the CPU-bound parts; the client is network-bound).
#![allow(missing_docs, clippy::unwrap_used)]

fn main() {
    divan::main();
}

#[divan::bench]
fn parse_familiar() -> kubeward_oci::Reference {
    kubeward_oci::Reference::parse(divan::black_box("nginx")).unwrap()
}

#[divan::bench]
fn parse_full() -> kubeward_oci::Reference {
    kubeward_oci::Reference::parse(divan::black_box(
        "registry.example.com:5000/team/app/api:v1.2.3@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ))
    .unwrap()
}

#[divan::bench]
fn sha256_1mib(b: divan::Bencher) {
    let data = vec![7u8; 1 << 20];
    b.counter(divan::counter::BytesCount::new(data.len()))
        .bench(|| kubeward_oci::Digest::sha256_of(divan::black_box(&data)));
}

/// A running `docker-registry` with the image `Image::hello("bench")` pushed as
/// `bench/app:v1`, and a current-thread runtime to drive the client.
struct LocalRegistry {
    rt: tokio::runtime::Runtime,
    _reg: kubeward_oci::test_support::TestRegistry,
    client: kubeward_oci::RegistryClient,
    r: kubeward_oci::Reference,
    image: kubeward_oci::oci_layout::Image,
    digest: kubeward_oci::Digest,
}

/// [`LocalRegistry`], or `None` (after printing `SKIP:`) when the registry is not installed.
fn local_registry_with_image() -> Option<LocalRegistry> {
    use kubeward_oci::test_support::{REGISTRY_BIN, TestRegistry, tool_on_path};
    if !tool_on_path(REGISTRY_BIN) {
        eprintln!("SKIP: docker-registry not installed");
        return None;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let reg = TestRegistry::start().unwrap();
    let client = kubeward_oci::RegistryClient::new(reg.client_options()).unwrap();
    let r = reg.reference("bench/app:v1").unwrap();
    let image = kubeward_oci::oci_layout::Image::hello("bench");
    let digest = rt.block_on(image.push(&client, &r)).unwrap();
    Some(LocalRegistry {
        rt,
        _reg: reg,
        client,
        r,
        image,
        digest,
    })
}

/// One `resolve` (HEAD over a fresh loopback connection) against a real `docker-registry`;
/// skipped when the registry is not installed.
#[divan::bench(sample_count = 50)]
fn resolve_local_registry(b: divan::Bencher) {
    let Some(local) = local_registry_with_image() else {
        return;
    };
    let LocalRegistry { rt, client, r, .. } = &local;
    b.bench_local(|| rt.block_on(client.resolve(r)).unwrap());
}

/// Building a Sigstore-bundle-sized artifact manifest (hashing and JSON).
#[divan::bench]
fn artifact_new_4kib() -> kubeward_oci::oci_layout::Artifact {
    let t = "application/vnd.dev.sigstore.bundle.v0.3+json";
    let subject = kubeward_oci::oci_layout::Image::hello("s")
        .manifest
        .descriptor();
    kubeward_oci::oci_layout::Artifact::new(
        t,
        vec![(t.to_owned(), divan::black_box(vec![b'x'; 4096]))],
        subject,
        Default::default(),
    )
}

/// One `referrers` call against a real `docker-registry` (no referrers API: a 404, then the
/// fallback tag index with two entries); skipped when the registry is not installed.
#[divan::bench(sample_count = 50)]
fn referrers_fallback_local_registry(b: divan::Bencher) {
    let Some(local) = local_registry_with_image() else {
        return;
    };
    let LocalRegistry { rt, client, r, .. } = &local;
    for t in ["application/a", "application/b"] {
        let a = kubeward_oci::oci_layout::Artifact::new(
            t,
            vec![(t.to_owned(), b"{}".to_vec())],
            local.image.manifest.descriptor(),
            Default::default(),
        );
        rt.block_on(a.push(client, r)).unwrap();
    }
    b.bench_local(|| {
        let found = rt
            .block_on(client.referrers(r, &local.digest, None))
            .unwrap();
        assert_eq!(found.len(), 2);
    });
}

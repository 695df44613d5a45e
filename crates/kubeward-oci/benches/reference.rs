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

/// One `resolve` (HEAD over a fresh loopback connection) against a real `docker-registry`;
/// skipped when the registry is not installed.
#[divan::bench(sample_count = 50)]
fn resolve_local_registry(b: divan::Bencher) {
    use kubeward_oci::test_support::{TestRegistry, tool_on_path};
    if !tool_on_path(kubeward_oci::test_support::REGISTRY_BIN) {
        eprintln!("SKIP: docker-registry not installed");
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let reg = TestRegistry::start().unwrap();
    let client = kubeward_oci::RegistryClient::new(reg.client_options()).unwrap();
    let r = reg.reference("bench/app:v1").unwrap();
    let image = kubeward_oci::oci_layout::Image::hello("bench");
    rt.block_on(image.push(&client, &r)).unwrap();
    b.bench_local(|| rt.block_on(client.resolve(&r)).unwrap());
}

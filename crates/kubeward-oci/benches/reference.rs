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

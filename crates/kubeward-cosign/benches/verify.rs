//! Verifying one ECDSA P-256 cosign signature (the real cosign fixture, alice's layer).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use kubeward_cosign::{PublicKey, parse_signature_manifest, verify_layer};

const PUB: &[u8] = include_bytes!("../tests/fixtures/connaisseur/alice.pub");
const MANIFEST: &[u8] = include_bytes!("../tests/fixtures/connaisseur/sig-manifest.json");
const PAYLOAD: &[u8] = include_bytes!("../tests/fixtures/connaisseur/payload.json");
const DIGEST: &str = "sha256:bfec161fecb0a887df7cb85e4da327c65986ccda7060cf3cd92171c6c90d7533";

fn main() {
    divan::main();
}

/// The raw ECDSA P-256 / SHA-256 check only.
#[divan::bench]
fn verify_p256_signature(bencher: divan::Bencher) {
    let key = PublicKey::from_pem(PUB).unwrap();
    let layer = parse_signature_manifest(MANIFEST).unwrap().remove(0);
    let sig = base64_decode(layer.signature_b64.as_deref().unwrap());
    bencher.bench(|| assert!(key.verify(divan::black_box(PAYLOAD), divan::black_box(&sig))));
}

/// Everything `verify_layer` does: digest check, base64, signature, payload decode.
#[divan::bench]
fn verify_layer_p256(bencher: divan::Bencher) {
    let keys = [PublicKey::from_pem(PUB).unwrap()];
    let layer = parse_signature_manifest(MANIFEST).unwrap().remove(0);
    bencher.bench(|| verify_layer(divan::black_box(&layer), PAYLOAD, &keys, DIGEST).unwrap());
}

const BUNDLE: &[u8] =
    include_bytes!("../tests/fixtures/cosign-bundle/oci-attestation.sigstore.json");
const BUNDLE_PUB: &[u8] =
    include_bytes!("../tests/fixtures/cosign-bundle/leaf-from-certificate.pub");
const BUNDLE_DIGEST: &str =
    "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4";

/// Everything `verify_bundle` does on the genuine cosign bundle (5.6 kB JSON with a Rekor
/// entry): JSON parse, base64, PAE, ECDSA P-256, statement decode, subject match.
#[divan::bench]
fn verify_bundle_p256(bencher: divan::Bencher) {
    let keys = [PublicKey::from_pem(BUNDLE_PUB).unwrap()];
    bencher.bench(|| {
        kubeward_cosign::verify_bundle(divan::black_box(BUNDLE), &keys, BUNDLE_DIGEST).unwrap()
    });
}

/// Parsing the PEM public key.
#[divan::bench]
fn parse_public_key() -> PublicKey {
    PublicKey::from_pem(divan::black_box(PUB)).unwrap()
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

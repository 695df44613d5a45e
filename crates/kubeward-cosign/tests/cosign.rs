//! Public-API tests: a genuine cosign artifact, OpenSSL-made keys of every supported type,
//! every rejection, and sign -> build -> parse -> verify round trips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::Engine as _;
use kubeward_cosign::*;

fn fixture(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn b64(path: &str) -> Vec<u8> {
    let text = String::from_utf8(fixture(path)).unwrap();
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .unwrap()
}

// The real cosign vector (tests/fixtures/connaisseur/, Apache-2.0, see the README there):
// image `index.docker.io/securesystemsengineering/testimage` signed with `cosign sign --key`
// by three keys (alice, bob, charlie), one signature layer each, same payload.
const REAL_DIGEST: &str = "sha256:bfec161fecb0a887df7cb85e4da327c65986ccda7060cf3cd92171c6c90d7533";
const REAL_REFERENCE: &str = "index.docker.io/securesystemsengineering/testimage";
const REAL_PAYLOAD_DIGEST: &str =
    "sha256:7248e52a7da336ff63192f2c0a8f12562b0d5368e9cde6ab292cbb4604074f28";
/// `openssl pkey -pubin -in <key>.pub -outform der | sha256sum`, for alice, bob, charlie.
const REAL_KEY_IDS: [&str; 3] = [
    "sha256:32b0bd6e29fb7d0d6a3ca9cda2fc71636b1bd40a91b503f9a1bd698803b34f56",
    "sha256:6127c492d8950ecd1917d712ab5d560c9e293f0b2117d3ee57ba84fc3cb31460",
    "sha256:eb1de821fbb1deea55e8b462bae2531ee943bf7758606216133eb5d4f9e74abc",
];
const REAL_KEY_FILES: [&str; 3] = [
    "connaisseur/alice.pub",
    "connaisseur/bob.pub",
    "connaisseur/charlie.pub",
];
// A second image digest of the same repository, signed by alice alone.
const REAL_DIGEST_071: &str =
    "sha256:071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81";
const KEYS_DIGEST: &str = "sha256:9b2fd7e3f5f8b4c1e8a6d7c0b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0";

fn real_keys() -> [PublicKey; 3] {
    REAL_KEY_FILES.map(|f| PublicKey::from_pem(&fixture(f)).unwrap())
}

/// Alice's key.
fn real_key() -> PublicKey {
    PublicKey::from_pem(&fixture(REAL_KEY_FILES[0])).unwrap()
}

fn real_payload() -> Vec<u8> {
    fixture("connaisseur/payload.json")
}

fn real_layers() -> Vec<SignatureLayer> {
    let layers = parse_signature_manifest(&fixture("connaisseur/sig-manifest.json")).unwrap();
    assert_eq!(layers.len(), 3);
    layers
}

/// Alice's layer.
fn real_layer() -> SignatureLayer {
    real_layers().remove(0)
}

fn real_signature(layer: &SignatureLayer) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(layer.signature_b64.as_deref().unwrap())
        .unwrap()
}

// ---------------------------------------------------------------- the real cosign vector

#[test]
fn real_image_manifest_hashes_to_the_signed_digest() {
    // The image manifest bytes as the registry served them: their sha256 is the digest
    // every signature below is for.
    assert_eq!(
        sha256_digest(&fixture("connaisseur/image-manifest.json")),
        REAL_DIGEST
    );
    assert_eq!(sha256_digest(&real_payload()), REAL_PAYLOAD_DIGEST);
}

#[test]
fn real_cosign_signatures_verify() {
    let keys = real_keys();
    for (i, (layer, key)) in real_layers().iter().zip(&keys).enumerate() {
        assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP256Sha256);
        assert_eq!(key.key_id(), REAL_KEY_IDS[i]);
        let v = verify_layer(
            layer,
            &real_payload(),
            std::slice::from_ref(key),
            REAL_DIGEST,
        )
        .unwrap();
        assert_eq!(v.key_id, REAL_KEY_IDS[i]);
        assert_eq!(v.manifest_digest, REAL_DIGEST);
        assert_eq!(v.docker_reference, REAL_REFERENCE);
        assert_eq!(v.payload_digest, REAL_PAYLOAD_DIGEST);
        assert!(v.optional.is_empty());
        // Each signature was made by exactly one of the three keys.
        for (j, other) in keys.iter().enumerate() {
            assert_eq!(
                other.verify(&real_payload(), &real_signature(layer)),
                i == j,
                "layer {i}, key {j}"
            );
        }
    }
}

#[test]
fn real_cosign_with_all_keys_reports_the_matching_key() {
    let (other, _) = SigningKey::generate().unwrap();
    let mut keys = vec![other.public_key().clone()];
    keys.extend(real_keys().into_iter().rev());
    for (i, layer) in real_layers().iter().enumerate() {
        let v = verify_layer(layer, &real_payload(), &keys, REAL_DIGEST).unwrap();
        assert_eq!(v.key_id, REAL_KEY_IDS[i]);
    }
}

#[test]
fn real_cosign_second_image_verifies() {
    let payload = fixture("connaisseur/payload-071.json");
    let layers = parse_signature_manifest(&fixture("connaisseur/sig-manifest-071.json")).unwrap();
    assert_eq!(layers.len(), 2, "the published manifest repeats the layer");
    for layer in &layers {
        let v = verify_layer(layer, &payload, &[real_key()], REAL_DIGEST_071).unwrap();
        assert_eq!(v.key_id, REAL_KEY_IDS[0]);
        assert_eq!(v.docker_reference, REAL_REFERENCE);
        assert_eq!(
            verify_layer(layer, &payload, &real_keys()[1..], REAL_DIGEST_071).unwrap_err(),
            Rejection::NoKeyMatched
        );
    }
}

#[test]
fn our_payload_bytes_equal_cosigns() {
    assert_eq!(payload_for(REAL_REFERENCE, REAL_DIGEST), real_payload());
    assert_eq!(
        payload_for(REAL_REFERENCE, REAL_DIGEST_071),
        fixture("connaisseur/payload-071.json")
    );
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

#[test]
fn our_signature_manifest_equals_cosigns() {
    // Three signatures over one payload: the config blob lists one diff_id per layer.
    let layers = real_layers();
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = layers
        .iter()
        .map(|l| (real_payload(), real_signature(l)))
        .collect();
    let art = build_signature_manifest(&pairs).unwrap();
    assert_eq!(
        art.config_digest,
        "sha256:4f3f54134335a9734c5685d2648387ecaf6339d9cc9ae6dc62d82fba971f889f",
        "config digest"
    );
    assert_eq!(art.config.len(), 451);
    // The published manifest is pretty-printed, so compare it as JSON.
    assert_eq!(
        json(&art.manifest),
        json(&fixture("connaisseur/sig-manifest.json"))
    );
    assert_eq!(art.manifest_digest, sha256_digest(&art.manifest));
    assert_eq!(art.manifest_media_type, OCI_MANIFEST_MEDIA_TYPE);
    assert_eq!(art.payload, real_payload());
    assert_eq!(art.payloads.len(), 1, "one payload blob for three layers");
    assert_eq!(art.payloads[0].digest, REAL_PAYLOAD_DIGEST);
    assert_eq!(art.payloads[0].media_type, SIMPLE_SIGNING_MEDIA_TYPE);
    let reparsed = parse_signature_manifest(&art.manifest).unwrap();
    assert_eq!(reparsed, layers);

    // One signature: the single-layer config of the second image's manifest.
    let payload = fixture("connaisseur/payload-071.json");
    let published =
        parse_signature_manifest(&fixture("connaisseur/sig-manifest-071.json")).unwrap();
    let art =
        build_signature_manifest(&[(payload.clone(), real_signature(&published[0]))]).unwrap();
    assert_eq!(
        art.config_digest,
        "sha256:a0b0cbfeefd8a1d546d9759f06eee4e013259575abb768b8f593e553da2ece4a",
        "config digest"
    );
    assert_eq!(art.config.len(), 233);
    assert_eq!(
        parse_signature_manifest(&art.manifest).unwrap()[0],
        published[0]
    );
}

#[test]
fn real_cosign_tampered_payload_fails() {
    let mut payload = real_payload();
    let pos = payload.iter().position(|b| *b == b'f').unwrap();
    payload[pos] = b'e';
    // Descriptor digest no longer matches ...
    let err = verify_layer(&real_layer(), &payload, &[real_key()], REAL_DIGEST).unwrap_err();
    assert!(
        matches!(err, Rejection::PayloadDigestMismatch { .. }),
        "{err}"
    );
    // ... and with a descriptor describing the tampered bytes, the signature fails.
    let mut layer = real_layer();
    layer.payload_digest = sha256_digest(&payload);
    assert_eq!(
        verify_layer(&layer, &payload, &[real_key()], REAL_DIGEST).unwrap_err(),
        Rejection::NoKeyMatched
    );
}

#[test]
fn real_cosign_wrong_key_fails() {
    let (other, _) = SigningKey::generate().unwrap();
    let other_p256 = PublicKey::from_pem(&fixture("keys/p256.pub")).unwrap();
    let [_, bob, charlie] = real_keys();
    for keys in [
        vec![other.public_key().clone(), other_p256, bob, charlie],
        vec![],
    ] {
        let err = verify_layer(&real_layer(), &real_payload(), &keys, REAL_DIGEST).unwrap_err();
        assert_eq!(err, Rejection::NoKeyMatched);
    }
}

#[test]
fn real_cosign_for_another_digest_fails() {
    let other = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    let err = verify_layer(&real_layer(), &real_payload(), &[real_key()], other).unwrap_err();
    assert_eq!(
        err,
        Rejection::DigestMismatch {
            signed: REAL_DIGEST.to_string(),
            expected: other.to_string()
        }
    );
    assert_eq!(
        err.to_string(),
        format!("the signature is for image digest `{REAL_DIGEST}`, not `{other}`")
    );
    // Exact string comparison: no case folding of the digest.
    let upper = REAL_DIGEST.to_uppercase();
    assert!(verify_layer(&real_layer(), &real_payload(), &[real_key()], &upper).is_err());
    // A valid signature by the same key, but for the other image, is not accepted either.
    assert!(
        verify_layer(
            &real_layer(),
            &real_payload(),
            &[real_key()],
            REAL_DIGEST_071
        )
        .is_err()
    );
}

#[test]
fn real_cosign_signature_survives_line_wrapped_base64() {
    let mut layer = real_layer();
    let sig = layer.signature_b64.clone().unwrap();
    layer.signature_b64 = Some(format!("{}\n{}\r\n", &sig[..20], &sig[20..]));
    verify_layer(&layer, &real_payload(), &[real_key()], REAL_DIGEST).unwrap();
}

// ---------------------------------------------------------------- layer-level rejections

fn signed_layer(payload: &[u8]) -> (SigningKey, SignatureLayer) {
    let (key, _) = SigningKey::generate().unwrap();
    let sig = key.sign(payload).unwrap();
    let art = build_signature_manifest(&[(payload.to_vec(), sig)]).unwrap();
    (
        key,
        parse_signature_manifest(&art.manifest).unwrap().remove(0),
    )
}

#[test]
fn payload_blob_not_matching_descriptor_fails() {
    let payload = payload_for("r/app", KEYS_DIGEST);
    let (key, mut layer) = signed_layer(&payload);
    let keys = [key.public_key().clone()];
    let other = payload_for("r/app2", KEYS_DIGEST);
    // Same size would be luck; force it to test the digest check separately.
    layer.payload_size = other.len() as u64;
    let err = verify_layer(&layer, &other, &keys, KEYS_DIGEST).unwrap_err();
    assert_eq!(
        err,
        Rejection::PayloadDigestMismatch {
            declared: sha256_digest(&payload),
            actual: sha256_digest(&other)
        }
    );
    layer.payload_size += 1;
    let err = verify_layer(&layer, &other, &keys, KEYS_DIGEST).unwrap_err();
    assert!(
        matches!(err, Rejection::PayloadSizeMismatch { .. }),
        "{err}"
    );
    layer.payload_digest = "sha512:abcd".to_string();
    let err = verify_layer(&layer, &other, &keys, KEYS_DIGEST).unwrap_err();
    assert!(
        matches!(err, Rejection::UnsupportedPayloadDigest(_)),
        "{err}"
    );
}

#[test]
fn missing_empty_and_bad_base64_signatures() {
    let payload = payload_for("r/app", KEYS_DIGEST);
    let (key, mut layer) = signed_layer(&payload);
    let keys = [key.public_key().clone()];
    layer.signature_b64 = None;
    assert_eq!(
        verify_layer(&layer, &payload, &keys, KEYS_DIGEST).unwrap_err(),
        Rejection::NoSignatureAnnotation
    );
    layer.signature_b64 = Some(String::new());
    assert_eq!(
        verify_layer(&layer, &payload, &keys, KEYS_DIGEST).unwrap_err(),
        Rejection::NoSignatureAnnotation
    );
    layer.signature_b64 = Some("not base64!".to_string());
    assert_eq!(
        verify_layer(&layer, &payload, &keys, KEYS_DIGEST).unwrap_err(),
        Rejection::BadBase64
    );
    layer.media_type = "application/octet-stream".to_string();
    assert!(matches!(
        verify_layer(&layer, &payload, &keys, KEYS_DIGEST),
        Err(Rejection::NotSimpleSigning(_))
    ));
}

#[test]
fn wrong_payload_type_fails() {
    let payload = String::from_utf8(payload_for("r/app", KEYS_DIGEST))
        .unwrap()
        .replace(
            "cosign container image signature",
            "atomic container signature",
        )
        .into_bytes();
    let (key, layer) = signed_layer(&payload);
    let err = verify_layer(&layer, &payload, &[key.public_key().clone()], KEYS_DIGEST).unwrap_err();
    assert_eq!(
        err,
        Rejection::WrongType("atomic container signature".to_string())
    );
}

#[test]
fn signed_garbage_payload_is_bad_payload() {
    for payload in [&b"not json"[..], br#"{"critical":"nope"}"#] {
        let (key, layer) = signed_layer(payload);
        let err =
            verify_layer(&layer, payload, &[key.public_key().clone()], KEYS_DIGEST).unwrap_err();
        assert!(matches!(err, Rejection::BadPayload(_)), "{err}");
    }
}

#[test]
fn unsigned_garbage_payload_is_rejected_before_parsing() {
    let (other, _) = SigningKey::generate().unwrap();
    let (_, layer) = signed_layer(b"not json");
    let err = verify_layer(
        &layer,
        b"not json",
        &[other.public_key().clone()],
        KEYS_DIGEST,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Rejection::NoKeyMatched,
        "signature is checked before the payload is decoded"
    );
}

#[test]
fn spec_example_capitalised_digest_field_is_accepted_like_go() {
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"testing/manifest"}},"image":{{"Docker-manifest-digest":"{KEYS_DIGEST}"}},"type":"cosign container image signature"}},"optional":{{"creator":"atomic","timestamp":1458239713}}}}"#
    );
    let (key, layer) = signed_layer(payload.as_bytes());
    let v = verify_layer(
        &layer,
        payload.as_bytes(),
        &[key.public_key().clone()],
        KEYS_DIGEST,
    )
    .unwrap();
    assert_eq!(
        v.optional.get("creator").and_then(|c| c.as_str()),
        Some("atomic")
    );
}

#[test]
fn rejection_messages_are_one_sentence_without_secrets() {
    let all = [
        Rejection::NotSimpleSigning("x".into()),
        Rejection::NoSignatureAnnotation,
        Rejection::BadBase64,
        Rejection::UnsupportedPayloadDigest("md5:1".into()),
        Rejection::PayloadSizeMismatch {
            declared: 1,
            actual: 2,
        },
        Rejection::PayloadDigestMismatch {
            declared: "sha256:a".into(),
            actual: "sha256:b".into(),
        },
        Rejection::NoKeyMatched,
        Rejection::BadPayload("eof".into()),
        Rejection::WrongType("t".into()),
        Rejection::DigestMismatch {
            signed: "sha256:a".into(),
            expected: "sha256:b".into(),
        },
    ];
    for r in all {
        let m = r.to_string();
        assert!(m.starts_with("the "), "{m}");
        assert!(!m.contains('\n') && !m.ends_with('.'), "{m}");
    }
}

// ---------------------------------------------------------------- keys of every kind (OpenSSL-made)

fn keys_payload() -> Vec<u8> {
    fixture("keys/payload.json")
}

#[test]
fn openssl_p256_verifies() {
    let key = PublicKey::from_pem(&fixture("keys/p256.pub")).unwrap();
    assert!(key.verify(&keys_payload(), &b64("keys/p256-sha256.sig.b64")));
    assert!(!key.verify(b"other", &b64("keys/p256-sha256.sig.b64")));
}

#[test]
fn p384_uses_sha256_by_default_like_cosign() {
    let key = PublicKey::from_pem(&fixture("keys/p384.pub")).unwrap();
    assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP384Sha256);
    assert!(key.verify(&keys_payload(), &b64("keys/p384-sha256.sig.b64")));
    assert!(!key.verify(&keys_payload(), &b64("keys/p384-sha384.sig.b64")));
    let key384 = key.with_signature_digest(SignatureDigest::Sha384).unwrap();
    assert_eq!(key384.algorithm(), KeyAlgorithm::EcdsaP384Sha384);
    assert!(key384.verify(&keys_payload(), &b64("keys/p384-sha384.sig.b64")));
    assert!(!key384.verify(&keys_payload(), &b64("keys/p384-sha256.sig.b64")));
}

#[test]
fn rsa_pkcs1v15_default_and_pss_opt_in() {
    for pem in ["keys/rsa2048.pub", "keys/rsa2048-pkcs1.pub"] {
        let key = PublicKey::from_pem(&fixture(pem)).unwrap();
        assert_eq!(key.algorithm(), KeyAlgorithm::RsaPkcs1Sha256, "{pem}");
        assert!(
            key.verify(
                &keys_payload(),
                &b64("keys/rsa2048-pkcs1v15-sha256.sig.b64")
            ),
            "{pem}"
        );
        assert!(
            !key.verify(&keys_payload(), &b64("keys/rsa2048-pss-sha256.sig.b64")),
            "{pem}"
        );
        let pss = key.with_rsa_pss().unwrap();
        assert_eq!(pss.algorithm(), KeyAlgorithm::RsaPssSha256);
        assert!(pss.verify(&keys_payload(), &b64("keys/rsa2048-pss-sha256.sig.b64")));
        assert!(!pss.verify(
            &keys_payload(),
            &b64("keys/rsa2048-pkcs1v15-sha256.sig.b64")
        ));
        let pss512 = pss.with_signature_digest(SignatureDigest::Sha512).unwrap();
        assert_eq!(pss512.algorithm(), KeyAlgorithm::RsaPssSha512);
    }
    // PKCS#1 and PKIX forms of one key have one key id.
    assert_eq!(
        PublicKey::from_pem(&fixture("keys/rsa2048.pub"))
            .unwrap()
            .key_id(),
        PublicKey::from_pem(&fixture("keys/rsa2048-pkcs1.pub"))
            .unwrap()
            .key_id()
    );
}

#[test]
fn ed25519_verifies_and_ignores_digest() {
    let key = PublicKey::from_pem(&fixture("keys/ed25519.pub")).unwrap();
    assert_eq!(key.algorithm(), KeyAlgorithm::Ed25519);
    assert!(key.verify(&keys_payload(), &b64("keys/ed25519.sig.b64")));
    let key = key.with_signature_digest(SignatureDigest::Sha512).unwrap();
    assert!(key.verify(&keys_payload(), &b64("keys/ed25519.sig.b64")));
    assert!(!key.verify(b"x", &b64("keys/ed25519.sig.b64")));
}

#[test]
fn key_ids_match_openssl_der_sha256() {
    // `openssl pkey -pubin -in <key>.pub -outform der | sha256sum`
    for (key, id) in real_keys().iter().zip(REAL_KEY_IDS) {
        assert_eq!(key.key_id(), id);
    }
    let key = PublicKey::from_pem(&fixture("keys/p256.pub")).unwrap();
    let reparsed = PublicKey::from_pem(key.to_pem().as_bytes()).unwrap();
    assert_eq!(reparsed.key_id(), key.key_id());
    assert_eq!(
        key.to_pem().as_bytes(),
        &fixture("keys/p256.pub")[..],
        "Go/OpenSSL PEM layout"
    );
}

#[test]
fn key_errors_are_clear() {
    let err = |p: &str| PublicKey::from_pem(&fixture(p)).unwrap_err();
    assert_eq!(PublicKey::from_pem(b"hello").unwrap_err(), KeyError::NotPem);
    assert_eq!(
        err("keys/p256-pkcs8.key"),
        KeyError::PrivateKeyGiven {
            label: "PRIVATE KEY".into()
        }
    );
    assert_eq!(
        err("keys/p256-sec1.key"),
        KeyError::PrivateKeyGiven {
            label: "EC PRIVATE KEY".into()
        }
    );
    assert_eq!(err("keys/cert.pem"), KeyError::CertificateGiven);
    assert!(matches!(err("keys/p521.pub"), KeyError::UnsupportedCurve(c) if c.contains("P-521")));
    assert!(
        matches!(err("keys/secp256k1.pub"), KeyError::UnsupportedCurve(c) if c.contains("secp256k1"))
    );
    assert!(
        matches!(err("keys/ed448.pub"), KeyError::UnsupportedAlgorithm(a) if a.contains("Ed448"))
    );
    assert_eq!(err("keys/rsa1024.pub"), KeyError::RsaKeySize { bits: 1024 });
    let ec_label = String::from_utf8(fixture("keys/p256.pub"))
        .unwrap()
        .replace("PUBLIC KEY", "EC PUBLIC KEY");
    assert!(matches!(
        PublicKey::from_pem(ec_label.as_bytes()),
        Err(KeyError::UnexpectedPemLabel { .. })
    ));
    let enc = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAQID\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
    assert!(matches!(
        PublicKey::from_pem(enc.as_bytes()),
        Err(KeyError::PrivateKeyGiven { .. })
    ));
    let garbage = "-----BEGIN PUBLIC KEY-----\nAQID\n-----END PUBLIC KEY-----\n";
    assert!(matches!(
        PublicKey::from_pem(garbage.as_bytes()),
        Err(KeyError::Malformed(_))
    ));
    for e in [
        err("keys/p521.pub"),
        err("keys/rsa1024.pub"),
        err("keys/p256-pkcs8.key"),
    ] {
        let m = e.to_string();
        assert!(
            !m.contains("MIG") && !m.contains("MHc"),
            "no key material in `{m}`"
        );
    }
    assert!(matches!(
        PublicKey::from_pem(&fixture("keys/p384.pub"))
            .unwrap()
            .with_signature_digest(SignatureDigest::Sha512),
        Err(KeyError::DigestNotSupported { .. })
    ));
}

#[test]
fn signing_key_from_openssl_pkcs8() {
    let key = SigningKey::from_pkcs8_pem(&fixture("keys/p256-pkcs8.key")).unwrap();
    let public = PublicKey::from_pem(&fixture("keys/p256.pub")).unwrap();
    assert_eq!(key.public_key().key_id(), public.key_id());
    assert_eq!(
        key.public_key_pem().as_bytes(),
        &fixture("keys/p256.pub")[..]
    );
    let sig = key.sign(b"data").unwrap();
    assert!(public.verify(b"data", &sig));
    assert!(matches!(
        SigningKey::from_pkcs8_pem(&fixture("keys/p256-sec1.key")),
        Err(KeyError::InvalidPrivateKey(_))
    ));
    assert!(matches!(
        SigningKey::from_pkcs8_pem(&fixture("keys/p384.pub")),
        Err(KeyError::InvalidPrivateKey(_))
    ));
}

// ---------------------------------------------------------------- round trips

#[test]
fn sign_build_parse_verify_round_trip_with_two_signers() {
    let (alice, alice_pem) = SigningKey::generate().unwrap();
    let (bob, _) = SigningKey::generate().unwrap();
    let payload = payload_for("index.docker.io/library/nginx", KEYS_DIGEST);
    let art = build_signature_manifest(&[
        (payload.clone(), alice.sign(&payload).unwrap()),
        (payload.clone(), bob.sign(&payload).unwrap()),
    ])
    .unwrap();
    let layers = parse_signature_manifest(&art.manifest).unwrap();
    assert_eq!(layers.len(), 2);
    assert_eq!(art.payloads.len(), 1);
    let blobs: BTreeMap<&str, &[u8]> = art
        .payloads
        .iter()
        .map(|b| (b.digest.as_str(), b.data.as_slice()))
        .collect();
    let trusted = [PublicKey::from_pem(alice_pem.as_bytes()).unwrap()];
    let results: Vec<_> = layers
        .iter()
        .map(|l| verify_layer(l, blobs[l.payload_digest.as_str()], &trusted, KEYS_DIGEST))
        .collect();
    assert_eq!(
        results[0].as_ref().unwrap().key_id,
        alice.public_key().key_id()
    );
    assert_eq!(results[1].as_ref().unwrap_err(), &Rejection::NoKeyMatched);
}

#[test]
fn appending_to_an_existing_signature_manifest_keeps_annotations() {
    let (key, _) = SigningKey::generate().unwrap();
    let p1 = payload_for("r/a", KEYS_DIGEST);
    let mut ann = BTreeMap::new();
    ann.insert(SIGNATURE_ANNOTATION.to_string(), "AQID".to_string());
    ann.insert(
        CERTIFICATE_ANNOTATION.to_string(),
        "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n".to_string(),
    );
    let first = build_signature_manifest_with_annotations(&[(p1.clone(), ann)]).unwrap();
    let manifest = String::from_utf8(first.manifest.clone()).unwrap();
    assert!(manifest.contains(r#""dev.cosignproject.cosign/signature":"AQID","dev.sigstore.cosign/certificate":"-----BEGIN CERTIFICATE-----\nx\n"#), "{manifest}");

    let existing = parse_signature_manifest(&first.manifest).unwrap();
    let mut layers: Vec<_> = existing
        .iter()
        .map(|l| (p1.clone(), l.annotations.clone()))
        .collect();
    let mut new_ann = BTreeMap::new();
    let p2 = payload_for("r/a", KEYS_DIGEST);
    new_ann.insert(
        SIGNATURE_ANNOTATION.to_string(),
        base64::engine::general_purpose::STANDARD.encode(key.sign(&p2).unwrap()),
    );
    layers.push((p2.clone(), new_ann));
    let second = build_signature_manifest_with_annotations(&layers).unwrap();
    let parsed = parse_signature_manifest(&second.manifest).unwrap();
    assert_eq!(parsed.len(), 2);
    assert_eq!(
        parsed[0].certificate_pem.as_deref(),
        Some("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
    );
    verify_layer(&parsed[1], &p2, &[key.public_key().clone()], KEYS_DIGEST).unwrap();
}

#[test]
fn payload_with_annotations_round_trips_to_verified_optional() {
    let (key, _) = SigningKey::generate().unwrap();
    let mut a = BTreeMap::new();
    a.insert("commit".to_string(), "abc".to_string());
    let payload = payload_with_annotations("r/app", KEYS_DIGEST, &a);
    let art = build_signature_manifest(&[(payload.clone(), key.sign(&payload).unwrap())]).unwrap();
    let layer = parse_signature_manifest(&art.manifest).unwrap().remove(0);
    let v = verify_layer(&layer, &payload, &[key.public_key().clone()], KEYS_DIGEST).unwrap();
    assert_eq!(
        v.optional.get("commit").and_then(|c| c.as_str()),
        Some("abc")
    );
}

#[test]
fn sign_image_and_annotation_check() {
    let (key, pem) = SigningKey::generate().unwrap();
    let art = key.sign_image("r/app", KEYS_DIGEST).unwrap();
    assert!(matches!(
        key.sign_image("r/app", "latest"),
        Err(CosignError::InvalidDigest(_))
    ));
    let layer = parse_signature_manifest(&art.manifest).unwrap().remove(0);
    let v = verify_layer(
        &layer,
        &art.payload,
        &[PublicKey::from_pem(pem.as_bytes()).unwrap()],
        KEYS_DIGEST,
    )
    .unwrap();
    assert!(v.annotations_match(&BTreeMap::new()));
    let mut wanted = BTreeMap::new();
    wanted.insert("env".to_string(), "prod".to_string());
    assert!(!v.annotations_match(&wanted));

    let payload = payload_with_annotations("r/app", KEYS_DIGEST, &wanted);
    let art = build_signature_manifest(&[(payload.clone(), key.sign(&payload).unwrap())]).unwrap();
    let layer = parse_signature_manifest(&art.manifest).unwrap().remove(0);
    let v = verify_layer(&layer, &payload, &[key.public_key().clone()], KEYS_DIGEST).unwrap();
    assert!(v.annotations_match(&wanted));
    wanted.insert("env".to_string(), "dev".to_string());
    assert!(!v.annotations_match(&wanted));
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn parsers_return_errors_not_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = PublicKey::from_pem(&bytes);
            let _ = PublicKey::from_spki_der(&bytes);
            let _ = PublicKey::from_pkcs1_rsa_der(&bytes);
            let _ = SigningKey::from_pkcs8_pem(&bytes);
            let _ = parse_payload(&bytes);
            let _ = parse_signature_manifest(&bytes);
        }

        #[test]
        fn mutated_real_spki_never_panics(pos in 0usize..91, byte in any::<u8>()) {
            let key = real_key();
            let mut der = key.spki_der().to_vec();
            if let Some(b) = der.get_mut(pos) { *b = byte; }
            if let Ok(k) = PublicKey::from_spki_der(&der) {
                // A still-parsable key must still verify only what its bytes allow.
                let layer = real_layer();
                let ok = verify_layer(&layer, &real_payload(), std::slice::from_ref(&k), REAL_DIGEST).is_ok();
                prop_assert_eq!(ok, k == key);
            }
        }

        #[test]
        fn payload_round_trips(reference in "[a-z0-9./:<>&\"\\\\-]{0,40}", hex in "[0-9a-f]{64}") {
            let digest = format!("sha256:{hex}");
            let p = parse_payload(&payload_for(&reference, &digest)).unwrap();
            prop_assert_eq!(p.docker_reference, reference);
            prop_assert_eq!(p.docker_manifest_digest, digest);
            prop_assert_eq!(p.payload_type, COSIGN_SIGNATURE_TYPE);
        }
    }
}

// ---------------------------------------------------------------- cosign encrypted private keys

#[cfg(feature = "encrypted-keys")]
mod encrypted_keys {
    use super::*;

    #[test]
    fn real_cosign_generated_key_with_empty_password() {
        let pem = fixture("sigstore-rs/cosign_generated_encrypted_empty_private.key");
        let key = SigningKey::from_cosign_encrypted_pem(&pem, b"").unwrap();
        let sig = key.sign(b"x").unwrap();
        assert!(key.public_key().verify(b"x", &sig));
        assert_eq!(
            SigningKey::from_cosign_encrypted_pem(&pem, b"nope").unwrap_err(),
            KeyError::WrongPassword
        );
    }

    #[test]
    fn legacy_label_and_parameters() {
        let pem = fixture("sigstore-rs/ecdsa_encrypted_private.key");
        assert_eq!(
            SigningKey::from_cosign_encrypted_pem(&pem, b"").unwrap_err(),
            KeyError::WrongPassword
        );
        SigningKey::from_cosign_encrypted_pem(&pem, b"123").unwrap();
    }

    #[test]
    fn encrypt_round_trip_and_errors() {
        let (key, _) = SigningKey::generate().unwrap();
        let pem = key.to_cosign_encrypted_pem(b"s3cret").unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        assert!(!pem.contains("s3cret"));
        let back = SigningKey::from_cosign_encrypted_pem(pem.as_bytes(), b"s3cret").unwrap();
        assert_eq!(back.public_key(), key.public_key());
        assert_eq!(
            SigningKey::from_cosign_encrypted_pem(pem.as_bytes(), b"S3cret").unwrap_err(),
            KeyError::WrongPassword
        );
        // The unencrypted loaders point to the right function.
        assert!(matches!(
            SigningKey::from_pkcs8_pem(pem.as_bytes()),
            Err(KeyError::EncryptedCosignKey(_))
        ));
        assert!(matches!(
            PublicKey::from_pem(pem.as_bytes()),
            Err(KeyError::PrivateKeyGiven { .. })
        ));
        assert!(matches!(
            SigningKey::from_cosign_encrypted_pem(&fixture("keys/p256-pkcs8.key"), b""),
            Err(KeyError::InvalidPrivateKey(_))
        ));
    }
}

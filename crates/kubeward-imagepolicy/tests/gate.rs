//! The image gate against a real registry: single-flight verification, positive and negative
//! caching, registry failures never cached, SBOM mapping by pattern and digest.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::atomic::Ordering;

use kubeward_cosign::SigningKey;
use kubeward_imagepolicy::signature::sign_and_push;
use kubeward_imagepolicy::{ImageGate, SignatureStatus, findings};
use kubeward_oci::RegistryClient;
use kubeward_oci::oci_layout::Image;
use kubeward_oci::test_support::{TestRegistry, external_tool_required};
use kubeward_rules::Config;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

struct World {
    registry: TestRegistry,
    dir: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
    client: RegistryClient,
    key: SigningKey,
}

impl World {
    fn start() -> Option<World> {
        if !external_tool_required("docker-registry") {
            return None;
        }
        let registry = TestRegistry::start().unwrap();
        let client = RegistryClient::new(registry.client_options()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (key, public) = SigningKey::generate().unwrap();
        std::fs::write(dir.path().join("cosign.pub"), public).unwrap();
        Some(World {
            registry,
            dir,
            rt: runtime(),
            client,
            key,
        })
    }

    fn push(&self, repo_and_tag: &str, content: &str, sign: bool) -> String {
        let r = self.registry.reference(repo_and_tag).unwrap();
        self.rt.block_on(async {
            let d = Image::hello(content).push(&self.client, &r).await.unwrap();
            if sign {
                sign_and_push(&self.client, &r, &self.key).await.unwrap();
            }
            d.to_string()
        })
    }

    fn gate(&self, extra: &str) -> ImageGate {
        let text = format!(
            "images:\n  signatures:\n  - name: team\n    images: ['{addr}/team/**']\n    keys: [cosign.pub]\n  registry:\n    insecure: ['{addr}']\n    timeout-ms: 2000\n{extra}",
            addr = self.registry.addr()
        );
        let config = Config::parse("k.yaml", &text).unwrap();
        ImageGate::load(&config.images, self.dir.path()).unwrap()
    }

    fn image(&self, repo_and_tag: &str) -> String {
        format!("{}/{repo_and_tag}", self.registry.addr())
    }
}

#[test]
fn concurrent_checks_of_one_digest_verify_once() {
    let Some(w) = World::start() else {
        return;
    };
    w.push("team/web:1", "web", true);
    let gate = w.gate("");
    let image = w.image("team/web:1");
    let checks = w.rt.block_on(futures_util::future::join_all(
        (0..20).map(|_| gate.check(&image)),
    ));
    for c in &checks {
        assert!(
            matches!(c.signature, Some(SignatureStatus::Verified { .. })),
            "{c:?}"
        );
    }
    assert_eq!(gate.stats.cache_misses.load(Ordering::Relaxed), 1);
    // The tag was resolved concurrently too, but the verdict was computed once; later
    // checks are cache hits.
    let again = w.rt.block_on(gate.check(&image));
    assert!(again.cached);
    assert_eq!(gate.stats.cache_misses.load(Ordering::Relaxed), 1);
}

#[test]
fn rejections_are_cached_for_the_negative_ttl_and_registry_errors_not_at_all() {
    let Some(w) = World::start() else {
        return;
    };
    w.push("team/api:1", "api", false);
    let gate = w.gate("  admission: {negative-ttl-seconds: 0}\n");
    let image = w.image("team/api:1");
    let first = w.rt.block_on(gate.check(&image));
    assert!(
        matches!(first.signature, Some(SignatureStatus::Rejected { .. })),
        "{first:?}"
    );
    assert_eq!(findings(&first)[0].rule.code, "IMG200");
    // negative TTL 0: not cached, so signing now is seen at once.
    w.push("team/api:1", "api", true);
    let second = w.rt.block_on(gate.check(&image));
    assert!(
        matches!(second.signature, Some(SignatureStatus::Verified { .. })),
        "{second:?}"
    );

    // With the default negative TTL the rejection sticks (no registry call) until it expires.
    w.push("team/batch:1", "batch", false);
    let gate = w.gate("");
    let batch = w.image("team/batch:1");
    w.rt.block_on(gate.check(&batch));
    w.push("team/batch:1", "batch", true);
    let cached = w.rt.block_on(gate.check(&batch));
    assert!(cached.cached, "{cached:?}");
    assert!(matches!(
        cached.signature,
        Some(SignatureStatus::Rejected { .. })
    ));

    // Registry gone: unavailable, reported as IMG202, and nothing cached for it.
    let World { registry, rt, .. } = w;
    let addr = registry.addr().to_owned();
    drop(registry);
    let fresh = format!("{addr}/team/fresh:1");
    for _ in 0..2 {
        let c = rt.block_on(gate.check(&fresh));
        assert!(!c.cached);
        assert!(
            matches!(c.signature, Some(SignatureStatus::Unavailable { .. })),
            "{c:?}"
        );
        assert_eq!(findings(&c)[0].rule.code, "IMG202");
    }
    assert!(gate.stats.registry_errors.load(Ordering::Relaxed) >= 2);
}

#[test]
fn images_outside_every_policy_make_no_registry_call() {
    let gate = ImageGate::load(
        &Config::parse(
            "k.yaml",
            "images:\n  signatures:\n  - images: [ghcr.io/acme]\n    keys: [k.pub]\n",
        )
        .map(|c| c.images)
        .unwrap(),
        std::path::Path::new("/nonexistent"),
    );
    // The key file is missing: a load error naming it.
    let err = gate.unwrap_err().to_string();
    assert!(err.contains("k.pub"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let (_, public) = SigningKey::generate().unwrap();
    std::fs::write(dir.path().join("k.pub"), public).unwrap();
    let config = Config::parse(
        "k.yaml",
        "images:\n  signatures:\n  - images: [ghcr.io/acme]\n    keys: [k.pub]\n",
    )
    .unwrap();
    let gate = ImageGate::load(&config.images, dir.path()).unwrap();
    assert!(gate.covers("ghcr.io/acme/web:1"));
    assert!(!gate.covers("ghcr.io/acme-evil/web:1"));
    assert!(!gate.covers("ghcr.io/acme/UPPER:1"));
    let c = runtime().block_on(gate.check("ghcr.io/acme-evil/web:1"));
    assert!(c.signature.is_none());
    assert_eq!(gate.stats.cache_misses.load(Ordering::Relaxed), 0);
    assert_eq!(gate.stats.tag_resolutions.load(Ordering::Relaxed), 0);
}

/// A Sigstore bundle over any in-toto statement, signed with `key` (as a provenance or SBOM
/// attestation would be).
fn bundle_for(key: &SigningKey, statement: &str) -> Vec<u8> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload_type = kubeward_cosign::IN_TOTO_PAYLOAD_TYPE;
    let signature = key
        .sign(&kubeward_cosign::pae(payload_type, statement.as_bytes()))
        .unwrap();
    serde_json::json!({
        "mediaType": kubeward_cosign::SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": kubeward_cosign::public_key_hint(key.public_key())}},
        "dsseEnvelope": {
            "payload": b64.encode(statement),
            "payloadType": payload_type,
            "signatures": [{"sig": b64.encode(signature)}]
        }
    })
    .to_string()
    .into_bytes()
}

#[test]
fn a_signed_attestation_is_not_a_signature() {
    let Some(w) = World::start() else {
        return;
    };
    let digest = w.push("team/attested:1", "attested", false);
    let hex = digest.trim_start_matches("sha256:");
    let provenance = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"x","digest":{{"sha256":"{hex}"}}}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{{}}}}"#
    );
    let r = w.registry.reference("team/attested:1").unwrap();
    w.rt.block_on(async {
        let m = w.client.fetch_manifest(&r).await.unwrap().unwrap();
        let subject = kubeward_oci::Descriptor {
            media_type: m.media_type.clone(),
            digest: m.digest.clone(),
            size: m.bytes.len() as u64,
            annotations: std::collections::BTreeMap::new(),
            platform: None,
            artifact_type: None,
        };
        let media = kubeward_cosign::SIGSTORE_BUNDLE_V03_MEDIA_TYPE;
        let artifact = kubeward_oci::oci_layout::Artifact::new(
            media,
            vec![(media.to_owned(), bundle_for(&w.key, &provenance))],
            subject,
            std::collections::BTreeMap::new(),
        );
        let at = w
            .registry
            .reference(&format!("team/attested@{digest}"))
            .unwrap();
        artifact.push(&w.client, &at).await.unwrap();
    });
    let gate = w.gate("");
    let check = w.rt.block_on(gate.check(&w.image("team/attested:1")));
    let Some(SignatureStatus::Rejected { reasons, .. }) = &check.signature else {
        panic!("{check:?}");
    };
    assert!(
        reasons.iter().any(|r| r.contains("an attestation (predicate type `https://slsa.dev/provenance/v1`)")),
        "{reasons:?}"
    );
    // The same key's real signature bundle is accepted.
    w.rt.block_on(async {
        kubeward_imagepolicy::signature::sign_bundle_and_push(&w.client, &r, &w.key)
            .await
            .unwrap();
    });
    let gate = w.gate("");
    let check = w.rt.block_on(gate.check(&w.image("team/attested:1")));
    assert!(
        matches!(check.signature, Some(SignatureStatus::Verified { .. })),
        "{check:?}"
    );
}

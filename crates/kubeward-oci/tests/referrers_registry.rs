//! Referrers against a real `docker-registry` 2.8 (no referrers API): `Artifact::push` maintains
//! the referrers tag schema index, `referrers` reads it, and skopeo (an independent client)
//! accepts it. Prints `SKIP:` and passes when the tools are missing, unless
//! `KUBEWARD_REQUIRE_EXTERNAL=1`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;

use kubeward_oci::oci_layout::{Artifact, Image};
use kubeward_oci::{
    Digest, ManifestKind, OCI_EMPTY, OCI_INDEX, OCI_MANIFEST, OciError, referrers_tag,
};
use support::real_registry::{skopeo_raw, start_registry, tools};

const BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
const SBOM: &str = "application/spdx+json";

fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artifacts_are_found_through_the_fallback_tag() {
    if !tools(&["docker-registry", "skopeo"]) {
        return;
    }
    let (reg, client) = start_registry();
    let r = reg.reference("demo/app:v1").unwrap();
    let image = Image::hello("signed");
    let image_digest = image.push(&client, &r).await.unwrap();
    assert_eq!(image_digest, image.manifest.digest);

    // Nothing attached yet: the registry has no referrers API and there is no fallback tag.
    assert!(
        client
            .referrers(&r, &image_digest, None)
            .await
            .unwrap()
            .is_empty()
    );

    let subject = image.manifest.descriptor();
    let bundle = Artifact::new(
        BUNDLE,
        vec![(BUNDLE.to_owned(), br#"{"mediaType":"bundle"}"#.to_vec())],
        subject.clone(),
        annotations(&[("dev.sigstore.bundle.predicateType", "x")]),
    );
    let sbom = Artifact::new(
        SBOM,
        vec![(SBOM.to_owned(), br#"{"spdxVersion":"SPDX-2.3"}"#.to_vec())],
        subject.clone(),
        BTreeMap::new(),
    );
    let bundle_digest = bundle.push(&client, &r).await.unwrap();
    assert_eq!(bundle_digest, bundle.manifest.digest);
    let sbom_digest = sbom.push(&client, &r).await.unwrap();
    // Pushing again neither fails nor duplicates the entry.
    sbom.push(&client, &r).await.unwrap();

    // The tag `v1` still names the image (artifacts are pushed by digest).
    assert_eq!(client.resolve(&r).await.unwrap(), image_digest);

    let all = client.referrers(&r, &image_digest, None).await.unwrap();
    let digests: Vec<&Digest> = all.iter().map(|d| &d.digest).collect();
    assert_eq!(digests, vec![&bundle_digest, &sbom_digest]);
    assert_eq!(all[0], bundle.descriptor());
    assert_eq!(all[0].artifact_type.as_deref(), Some(BUNDLE));
    assert_eq!(all[0].media_type, OCI_MANIFEST);
    assert_eq!(all[0].size, bundle.manifest.bytes.len() as u64);
    assert_eq!(all[0].annotations["dev.sigstore.bundle.predicateType"], "x");
    assert_eq!(all[1].artifact_type.as_deref(), Some(SBOM));

    let only_bundles = client
        .referrers(&r, &image_digest, Some(BUNDLE))
        .await
        .unwrap();
    assert_eq!(only_bundles, vec![bundle.descriptor()]);
    let only_sbom = client
        .referrers(&r, &image_digest, Some(SBOM))
        .await
        .unwrap();
    assert_eq!(only_sbom.len(), 1);
    assert_eq!(only_sbom[0].digest, sbom_digest);
    assert!(
        client
            .referrers(&r, &image_digest, Some("application/x-none"))
            .await
            .unwrap()
            .is_empty()
    );

    // Another image in the same repository has no referrers.
    let other = Image::hello("unsigned");
    let other_digest = other
        .push(&client, &reg.reference("demo/app:v2").unwrap())
        .await
        .unwrap();
    assert!(
        client
            .referrers(&r, &other_digest, None)
            .await
            .unwrap()
            .is_empty()
    );
    // And a repository that does not exist has none either.
    let missing = reg.reference("demo/nothing:v1").unwrap();
    assert!(
        client
            .referrers(&missing, &image_digest, None)
            .await
            .unwrap()
            .is_empty()
    );

    // The pushed artifact manifest has the OCI 1.1 shape.
    let m = client
        .fetch_manifest(&r.with_digest(bundle_digest.clone()))
        .await
        .unwrap()
        .unwrap();
    let ManifestKind::ImageManifest {
        config,
        layers,
        artifact_type,
        subject: pushed_subject,
        ..
    } = m.parse().unwrap()
    else {
        panic!("artifact is not an image manifest");
    };
    assert_eq!(artifact_type.as_deref(), Some(BUNDLE));
    assert_eq!(pushed_subject, Some(subject));
    assert_eq!(config.media_type, OCI_EMPTY);
    assert_eq!(
        config.digest.to_string(),
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    );
    assert_eq!(layers.len(), 1);
    let layer = client
        .fetch_blob(&r, &layers[0].digest, 1024)
        .await
        .unwrap();
    assert_eq!(layer, br#"{"mediaType":"bundle"}"#);

    // skopeo reads the fallback index as a valid OCI index.
    let tag = referrers_tag(&image_digest);
    assert_eq!(tag, format!("sha256-{}", image_digest.hex()));
    let raw = skopeo_raw(&format!("{}/demo/app:{tag}", reg.addr()));
    let index: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(index["schemaVersion"], 2);
    assert_eq!(index["mediaType"], OCI_INDEX);
    let entries = index["manifests"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["artifactType"], BUNDLE);
    assert_eq!(entries[0]["digest"], bundle_digest.to_string());
    assert_eq!(entries[1]["artifactType"], SBOM);
    // skopeo also accepts the artifact manifest itself.
    let raw = skopeo_raw(&format!("{}/demo/app@{bundle_digest}", reg.addr()));
    assert_eq!(raw, bundle.manifest.bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fallback_tag_that_is_not_an_index() {
    if !tools(&["docker-registry"]) {
        return;
    }
    let (reg, client) = start_registry();
    let r = reg.reference("demo/app:v1").unwrap();
    let image = Image::hello("subject");
    let digest = image.push(&client, &r).await.unwrap();
    // Someone pushed an image (not an index) under the referrers tag.
    let squatter = Image::hello("squatter");
    squatter
        .push(&client, &r.with_tag(&referrers_tag(&digest)))
        .await
        .unwrap();
    // Reading: the spec says to assume there are no referrers.
    assert!(
        client
            .referrers(&r, &digest, None)
            .await
            .unwrap()
            .is_empty()
    );
    // Writing: the push of the artifact succeeds but the tag update reports a failure and
    // leaves the tag alone.
    let a = Artifact::new(
        BUNDLE,
        vec![(BUNDLE.to_owned(), b"{}".to_vec())],
        image.manifest.descriptor(),
        BTreeMap::new(),
    );
    let err = a.push(&client, &r).await.unwrap_err();
    assert!(matches!(err, OciError::InvalidResponse { .. }), "{err:?}");
    assert_eq!(
        client
            .resolve(&r.with_tag(&referrers_tag(&digest)))
            .await
            .unwrap(),
        squatter.manifest.digest
    );
}

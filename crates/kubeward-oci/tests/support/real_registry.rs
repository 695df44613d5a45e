//! Helpers for the tests against a real CNCF distribution registry (`docker-registry`), with
//! `skopeo` as an independent client.

use std::process::Command;

use kubeward_oci::oci_layout::Image;
use kubeward_oci::test_support::{TestRegistry, external_tool_required};
use kubeward_oci::{Digest, Reference, RegistryClient};

/// Whether all `needed` tools are there (prints `SKIP:` when not; fails under
/// `KUBEWARD_REQUIRE_EXTERNAL=1`).
pub fn tools(needed: &[&str]) -> bool {
    needed.iter().all(|t| external_tool_required(t))
}

/// A plain-HTTP `docker-registry` and a client for it.
pub fn start_registry() -> (TestRegistry, RegistryClient) {
    let reg = TestRegistry::start().unwrap();
    let client = RegistryClient::new(reg.client_options()).unwrap();
    (reg, client)
}

/// `skopeo <args>`, asserting success; returns stdout.
pub fn skopeo(args: &[&str]) -> Vec<u8> {
    let out = Command::new("skopeo").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The `Digest` of `skopeo inspect <args>` (an independent resolution).
pub fn skopeo_inspect_digest(args: &[&str]) -> String {
    let out = skopeo(&[&["inspect"], args].concat());
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    v["Digest"].as_str().unwrap().to_owned()
}

/// The `Digest` skopeo reports for `image` on a plain-HTTP registry.
pub fn skopeo_digest(image: &str) -> String {
    skopeo_inspect_digest(&[
        "--tls-verify=false",
        "--no-tags",
        &format!("docker://{image}"),
    ])
}

/// The manifest bytes skopeo fetches for `image` on a plain-HTTP registry.
pub fn skopeo_raw(image: &str) -> Vec<u8> {
    skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--raw",
        &format!("docker://{image}"),
    ])
}

/// The registry serves `image` back at `r`: the tag resolves to `digest`, the manifest bytes
/// and the first layer are the image's.
pub async fn assert_reads_back(
    client: &RegistryClient,
    r: &Reference,
    image: &Image,
    digest: &Digest,
) {
    assert_eq!(&client.resolve(r).await.unwrap(), digest);
    let m = client.fetch_manifest(r).await.unwrap().unwrap();
    assert_eq!(m.bytes, image.manifest.bytes);
    let layer = client
        .fetch_blob(r, &image.layers[0].digest, 1 << 20)
        .await
        .unwrap();
    assert_eq!(layer, image.layers[0].bytes);
}

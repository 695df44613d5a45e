//! `kubeward image` and the `images:` rules of `kubeward scan`, end to end with the real
//! binary: SBOMs matched against an OSV directory (`examples/supply-chain`), and cosign
//! signatures verified against a real OCI registry (the CNCF distribution registry started by
//! the test, plain HTTP and TLS) holding images and signatures pushed by the test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use kubeward_cosign::SigningKey;
use kubeward_oci::oci_layout::Image;
use kubeward_oci::test_support::{TestRegistry, external_tool_required};
use kubeward_oci::{Digest, RegistryClient};
use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> PathBuf {
    repo_root().join("examples/supply-chain")
}

/// Runs `kubeward` in `dir` (without a configuration file there) with extra environment.
fn kubeward_env(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("kubeward")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Runs `kubeward` in `dir`.
fn kubeward_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    kubeward_env(dir, &[], args)
}

fn json(stdout: &str, stderr: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"))
}

fn finding<'a>(doc: &'a Value, id: &str) -> Option<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["advisoryId"] == id)
}

#[test]
fn vulns_on_the_example_sbom() {
    let (code, out, err) = kubeward_in(
        &example(),
        &[
            "image",
            "vulns",
            "--sbom",
            "sbom.cdx.json",
            "--db",
            "osv",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{out}\n{err}");
    let doc = json(&out, &err);
    assert_eq!(doc["schema"], "kubeward/image-vulns/v1");
    // log4j-core 2.14.1 lies in [2.13.0, 2.15.0): Log4Shell, CVSS 10.0.
    let log4shell = finding(&doc, "GHSA-jfh8-c2jp-5v3q").expect("log4shell");
    assert_eq!(log4shell["package"], "org.apache.logging.log4j:log4j-core");
    assert_eq!(log4shell["installedVersion"], "2.14.1");
    assert_eq!(log4shell["fixedVersion"], "2.15.0");
    assert_eq!(log4shell["severity"], "critical");
    assert_eq!(log4shell["cvssScore"], 10.0);
    // minimist 1.2.5 lies in [1.0.0, 1.2.6) (the second range), CVSS 9.8.
    let minimist = finding(&doc, "GHSA-xvch-5gv4-984h").expect("minimist");
    assert_eq!(minimist["fixedVersion"], "1.2.6");
    assert_eq!(minimist["severity"], "critical");
    assert_eq!(minimist["cvssScore"], 9.8);
    // libssl3 is built from the Debian source package openssl (purl `upstream=`), and the
    // advisory is keyed by source package: 3.0.11-1~deb12u1 < 3.0.13-1~deb12u1. CVSS 5.3.
    let openssl = finding(&doc, "DEBIAN-CVE-2023-5678").expect("openssl via source package");
    assert_eq!(openssl["fixedVersion"], "3.0.13-1~deb12u1");
    assert_eq!(openssl["severity"], "medium");
    // lodash 4.17.21 is the fixed version itself; zlib 1:1.2.13 is newer than the fix
    // 1:1.2.11.dfsg-4.1 (the epoch matters).
    assert!(finding(&doc, "GHSA-35jh-r3h4-6jhm").is_none(), "{doc:#}");
    assert!(finding(&doc, "DEBIAN-CVE-2022-37434").is_none(), "{doc:#}");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 3, "{doc:#}");
    assert_eq!(doc["summary"]["atOrAboveFailOn"], 2);
    assert_eq!(doc["database"]["advisories"], 5);
    assert_eq!(doc["sbom"]["format"], "CycloneDX 1.5");
    assert_eq!(doc["sbom"]["packages"], 5);
    assert_eq!(doc["sbom"]["unsupportedPackages"], 1);
}

#[test]
fn vulns_fail_on_threshold_sets_the_exit_code() {
    let args = |fail_on: &'static str| {
        vec![
            "image",
            "vulns",
            "--sbom",
            "sbom.cdx.json",
            "--db",
            "osv",
            "--fail-on",
            fail_on,
        ]
    };
    assert_eq!(kubeward_in(&example(), &args("critical")).0, 1);
    assert_eq!(kubeward_in(&example(), &args("never")).0, 0);
    let (code, _, err) = kubeward_in(&example(), &args("severe"));
    assert_eq!(code, 2);
    assert!(err.contains("--fail-on"), "{err}");
    let (code, out, _) = kubeward_in(&example(), &args("medium"));
    assert_eq!(code, 1);
    assert!(out.contains("3 advisories matched"), "{out}");
    assert!(out.contains("3 at or above medium"), "{out}");
}

#[test]
fn vulns_bad_inputs_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("osv")).unwrap();
    std::fs::copy(
        example().join("osv/npm/GHSA-xvch-5gv4-984h.json"),
        d.join("osv/good.json"),
    )
    .unwrap();
    std::fs::write(
        d.join("osv/broken.json"),
        "{\n  \"id\": \"X\",\n  oops\n}\n",
    )
    .unwrap();
    std::fs::write(d.join("osv/README.md"), "not an advisory").unwrap();
    std::fs::write(
        d.join("sbom.json"),
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"minimist","version":"1.2.5","purl":"pkg:npm/minimist@1.2.5"}]}"#,
    )
    .unwrap();
    // A broken advisory is skipped with its position; the others still match.
    let (code, out, err) = kubeward_in(
        d,
        &[
            "image",
            "vulns",
            "--sbom",
            "sbom.json",
            "--db",
            "osv",
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("broken.json:3:"), "{err}");
    assert!(finding(&json(&out, &err), "GHSA-xvch-5gv4-984h").is_some());

    // Malformed SBOM JSON: file, line and column.
    std::fs::write(
        d.join("bad.json"),
        "{\n  \"bomFormat\": \"CycloneDX\",\n  ]\n",
    )
    .unwrap();
    let (code, _, err) = kubeward_in(d, &["image", "vulns", "--sbom", "bad.json", "--db", "osv"]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json") && err.contains("line 3"), "{err}");

    // The wrong kind of document and an unsupported spec version.
    for (name, text) in [
        ("pod.json", r#"{"apiVersion":"v1","kind":"Pod"}"#),
        (
            "old.json",
            r#"{"bomFormat":"CycloneDX","specVersion":"1.2","components":[]}"#,
        ),
    ] {
        std::fs::write(d.join(name), text).unwrap();
        let (code, _, err) = kubeward_in(d, &["image", "vulns", "--sbom", name, "--db", "osv"]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(name), "{err}");
    }

    // A missing database directory.
    let (code, _, err) = kubeward_in(
        d,
        &["image", "vulns", "--sbom", "sbom.json", "--db", "nope"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("nope"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Signatures against a real registry.

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A registry, a client for it, and a directory holding a cosign key pair.
struct Setup {
    registry: TestRegistry,
    client: RegistryClient,
    dir: tempfile::TempDir,
}

impl Setup {
    fn start(tls: bool) -> Option<Setup> {
        if !external_tool_required("docker-registry") {
            return None;
        }
        let registry = if tls {
            TestRegistry::start_tls().unwrap()
        } else {
            TestRegistry::start().unwrap()
        };
        let client = RegistryClient::new(registry.client_options()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (key, public) = SigningKey::generate().unwrap();
        std::fs::write(
            dir.path().join("cosign.key"),
            key.to_cosign_encrypted_pem(b"s3cret").unwrap(),
        )
        .unwrap();
        std::fs::write(dir.path().join("cosign.pub"), public).unwrap();
        let (_, other) = SigningKey::generate().unwrap();
        std::fs::write(dir.path().join("other.pub"), other).unwrap();
        if let Some(ca) = registry.ca_pem() {
            std::fs::write(dir.path().join("ca.pem"), ca).unwrap();
        }
        Some(Setup {
            registry,
            client,
            dir,
        })
    }

    fn image(&self, repo_and_tag: &str) -> String {
        format!("{}/{repo_and_tag}", self.registry.addr())
    }

    fn push(&self, repo_and_tag: &str, content: &str) -> Digest {
        let r = self.registry.reference(repo_and_tag).unwrap();
        block_on(Image::hello(content).push(&self.client, &r)).unwrap()
    }

    /// Registry flags for the command line: plain HTTP, or the test CA.
    fn registry_flags(&self) -> Vec<String> {
        if self.registry.ca_pem().is_some() {
            vec!["--registry-ca".into(), "ca.pem".into()]
        } else {
            vec!["--insecure-registry".into()]
        }
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        kubeward_env(self.dir.path(), &[("COSIGN_PASSWORD", "s3cret")], args)
    }

    fn sign(&self, image: &str) -> String {
        let mut args = vec!["image", "sign", image, "--key", "cosign.key"];
        let flags = self.registry_flags();
        args.extend(flags.iter().map(String::as_str));
        let (code, out, err) = self.run(&args);
        assert_eq!(code, 0, "{out}\n{err}");
        out
    }

    /// `kubeward image verify --format json` of one image: exit code and its report entry.
    fn verify(&self, image: &str, key: &str, extra: &[&str]) -> (i32, Value) {
        let mut args = vec!["image", "verify", image, "--key", key, "--format", "json"];
        args.extend_from_slice(extra);
        let (code, out, err) = self.run(&args);
        let doc = json(&out, &err);
        assert_eq!(doc["schema"], "kubeward/image-verify/v1");
        (code, doc["images"][0].clone())
    }
}

#[test]
fn signed_image_verifies_and_every_tampering_is_caught() {
    let Some(s) = Setup::start(false) else {
        return;
    };
    let insecure = ["--insecure-registry"];
    let image = s.image("demo/app:1.0");
    let d1 = s.push("demo/app:1.0", "release one");
    let out = s.sign(&image);
    assert!(out.contains(&d1.to_string()), "{out}");

    // Correctly signed: verified for the digest the tag resolves to, by our key.
    let (code, v) = s.verify(&image, "cosign.pub", &insecure);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["status"], "verified");
    assert_eq!(v["digest"], d1.to_string());
    let key_id = v["keyId"].as_str().unwrap().to_owned();
    assert!(key_id.starts_with("sha256:"), "{key_id}");
    // By digest: the same verdict without a tag.
    let by_digest = format!("{}/demo/app@{d1}", s.registry.addr());
    let (code, v) = s.verify(&by_digest, "cosign.pub", &insecure);
    assert_eq!((code, v["status"].as_str()), (0, Some("verified")), "{v:#}");

    // A key that did not sign: rejected.
    let (code, v) = s.verify(&image, "other.pub", &insecure);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["status"], "rejected");
    assert!(
        v["reasons"][0]
            .as_str()
            .unwrap()
            .contains("does not verify"),
        "{v:#}"
    );
    // Either key accepted: verified.
    let (code, _) = s.verify(
        &image,
        "other.pub",
        &["--key", "cosign.pub", "--insecure-registry"],
    );
    assert_eq!(code, 0);

    // An image nobody signed: rejected, no signature manifest.
    let unsigned = s.image("demo/unsigned:1");
    s.push("demo/unsigned:1", "never signed");
    let (code, v) = s.verify(&unsigned, "cosign.pub", &insecure);
    assert_eq!(code, 1);
    assert!(
        v["reasons"][0]
            .as_str()
            .unwrap()
            .contains("no cosign signature"),
        "{v:#}"
    );

    // The tag is re-pushed with other content: the new digest carries no signature.
    let d2 = s.push("demo/app:1.0", "tampered");
    assert_ne!(d1, d2);
    let (code, v) = s.verify(&image, "cosign.pub", &insecure);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["digest"], d2.to_string());

    // The attacker copies the old signature manifest to the new digest's signature tag: the
    // signature verifies, but it names the old digest.
    let sig_old = s
        .registry
        .reference(&format!("demo/app:sha256-{}.sig", d1.hex()))
        .unwrap();
    let sig_new = s
        .registry
        .reference(&format!("demo/app:sha256-{}.sig", d2.hex()))
        .unwrap();
    block_on(async {
        let m = s.client.fetch_manifest(&sig_old).await.unwrap().unwrap();
        s.client
            .push_manifest(&sig_new, &m.media_type, &m.bytes)
            .await
            .unwrap();
    });
    let (code, v) = s.verify(&image, "cosign.pub", &insecure);
    assert_eq!(code, 1, "{v:#}");
    let reason = v["reasons"][0].as_str().unwrap();
    assert!(
        reason.contains(&d1.to_string()) && reason.contains(&d2.to_string()),
        "{reason}"
    );

    // Signing again appends: both signatures are kept, and the image verifies again.
    let out = s.sign(&image);
    assert!(out.contains("2 signatures"), "{out}");
    let (code, v) = s.verify(&image, "cosign.pub", &insecure);
    assert_eq!((code, v["status"].as_str()), (0, Some("verified")), "{v:#}");
}

#[test]
fn cosign_v3_bundles_attached_as_referrers_verify_and_tampering_is_caught() {
    let Some(s) = Setup::start(false) else {
        return;
    };
    let insecure = ["--insecure-registry"];
    let image = s.image("v3/app:2.0");
    let d1 = s.push("v3/app:2.0", "bundle one");
    let (code, out, err) = s.run(&[
        "image",
        "sign",
        &image,
        "--key",
        "cosign.key",
        "--bundle",
        "--insecure-registry",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    // No `.sig` tag was written: the bundle is a referrer (found through the tag-schema
    // fallback on this registry, which has no referrers API).
    let sig_tag = s
        .registry
        .reference(&format!("v3/app:sha256-{}.sig", d1.hex()))
        .unwrap();
    assert!(
        block_on(s.client.fetch_manifest(&sig_tag))
            .unwrap()
            .is_none()
    );
    let (code, v) = s.verify(&image, "cosign.pub", &insecure);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["digest"], d1.to_string());
    // Wrong key.
    let (code, v) = s.verify(&image, "other.pub", &insecure);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        v["reasons"][0].as_str().unwrap().starts_with("bundle "),
        "{v:#}"
    );

    // Re-pushed tag, then the old bundle attached to the new digest: the statement's subject
    // is the old digest, so it is refused.
    let d2 = s.push("v3/app:2.0", "bundle two");
    let (code, v) = s.verify(&image, "cosign.pub", &insecure);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        v["reasons"][0]
            .as_str()
            .unwrap()
            .contains("no Sigstore bundle referrer"),
        "{v:#}"
    );
    block_on(async {
        let r = s.registry.reference("v3/app:2.0").unwrap();
        let old = s
            .client
            .referrers(&r, &d1, None)
            .await
            .unwrap()
            .into_iter()
            .next()
            .unwrap();
        let at = s
            .registry
            .reference(&format!("v3/app@{}", old.digest))
            .unwrap();
        let m = s.client.fetch_manifest(&at).await.unwrap().unwrap();
        let kubeward_oci::ManifestKind::ImageManifest { layers, .. } = m.parse().unwrap() else {
            panic!("not a manifest");
        };
        let bundle = s
            .client
            .fetch_blob(&at, &layers[0].digest, 1 << 20)
            .await
            .unwrap();
        let current = s.client.fetch_manifest(&r).await.unwrap().unwrap();
        let subject = kubeward_oci::Descriptor {
            media_type: current.media_type.clone(),
            digest: d2.clone(),
            size: current.bytes.len() as u64,
            annotations: std::collections::BTreeMap::new(),
            platform: None,
            artifact_type: None,
        };
        let copied = kubeward_oci::oci_layout::Artifact::new(
            &layers[0].media_type,
            vec![(layers[0].media_type.clone(), bundle)],
            subject,
            std::collections::BTreeMap::new(),
        );
        let at_new = s.registry.reference(&format!("v3/app@{d2}")).unwrap();
        copied.push(&s.client, &at_new).await.unwrap();
    });
    let (code, v) = s.verify(&image, "cosign.pub", &insecure);
    assert_eq!(code, 1, "{v:#}");
    let reason = v["reasons"][0].as_str().unwrap();
    assert!(reason.contains(d2.hex()), "{reason}");
}

#[test]
fn tls_registry_needs_its_ca() {
    let Some(s) = Setup::start(true) else {
        return;
    };
    let image = s.image("secure/app:2");
    let digest = s.push("secure/app:2", "over tls");
    s.sign(&image);
    let (code, v) = s.verify(&image, "cosign.pub", &["--registry-ca", "ca.pem"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["digest"], digest.to_string());
    // Without the CA, the registry's certificate is not trusted: unavailable, exit 2.
    let (code, v) = s.verify(&image, "cosign.pub", &[]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(v["status"], "unavailable");
}

#[test]
fn unreachable_and_silent_registries_are_errors_not_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = SigningKey::generate().unwrap();
    std::fs::write(dir.path().join("k.pub"), public).unwrap();
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = format!("127.0.0.1:{port}/x/y:1");
    // A server that accepts connections and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_image = format!("{}/x/y:1", silent.local_addr().unwrap());
    for image in [&down, &silent_image] {
        let (code, out, err) = kubeward_in(
            dir.path(),
            &[
                "image",
                "verify",
                image,
                "--key",
                "k.pub",
                "--insecure-registry",
                "--timeout-ms",
                "500",
                "-f",
                "json",
            ],
        );
        assert_eq!(code, 2, "{out}\n{err}");
        let v = json(&out, &err);
        assert_eq!(v["images"][0]["status"], "unavailable", "{v:#}");
    }
    drop(silent);
    // Usage errors: a key that is not a public key, an image that is not a reference.
    std::fs::write(
        dir.path().join("bad.pub"),
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let (code, _, err) = kubeward_in(
        dir.path(),
        &["image", "verify", "a/b:1", "--key", "bad.pub"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("bad.pub"), "{err}");
    let (code, out, _) = kubeward_in(
        dir.path(),
        &[
            "image",
            "verify",
            "UPPER/Case:1",
            "--key",
            "k.pub",
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(json(&out, "")["images"][0]["status"], "invalid");
}

/// `.kubeward.yaml` for the scan and admission tests: signatures required for the test
/// registry's `demo/` repositories, the example SBOM mapped to `demo/app`.
fn images_config(s: &Setup) -> String {
    let example = example();
    format!(
        "images:\n  signatures:\n  - name: demo\n    images: [{addr}/demo/**]\n    keys: [cosign.pub]\n  vulnerabilities:\n    db: {db}\n    fail-on: high\n    sboms:\n    - {{image: '{addr}/demo/app:*', sbom: {sbom}}}\n  registry:\n    insecure: ['{addr}']\n    timeout-ms: 2000\n",
        addr = s.registry.addr(),
        db = example.join("osv").display(),
        sbom = example.join("sbom.cdx.json").display(),
    )
}

#[test]
fn scan_reports_unsigned_and_vulnerable_images_at_their_fields() {
    let Some(s) = Setup::start(false) else {
        return;
    };
    s.push("demo/app:1.0", "app");
    s.sign(&s.image("demo/app:1.0"));
    s.push("demo/worker:1.0", "worker, unsigned");
    std::fs::write(s.dir.path().join(".kubeward.yaml"), images_config(&s)).unwrap();
    let manifest = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: shop, namespace: shop}}\nspec:\n  selector: {{matchLabels: {{app: shop}}}}\n  template:\n    metadata: {{labels: {{app: shop}}}}\n    spec:\n      containers:\n      - name: app\n        image: {app}\n      - name: worker\n        image: {worker}\n      - name: sidecar\n        image: docker.io/library/busybox:1.36\n",
        app = s.image("demo/app:1.0"),
        worker = s.image("demo/worker:1.0"),
    );
    std::fs::write(s.dir.path().join("deploy.yaml"), manifest).unwrap();
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "deploy.yaml", "--select", "IMG2", "-f", "json"];
        args.extend_from_slice(extra);
        let (code, out, err) = s.run(&args);
        (code, json(&out, &err))
    };
    let (code, doc) = scan(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let findings: Vec<(String, u64, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["location"]["line"].as_u64().unwrap(),
                d["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // Line 11: the signed app image with two critical advisories in its SBOM; line 13: the
    // unsigned worker. busybox is outside the policy and has no SBOM mapping.
    assert_eq!(
        findings,
        vec![
            ("IMG201".to_owned(), 11, "critical".to_owned()),
            ("IMG200".to_owned(), 13, "high".to_owned()),
        ],
        "{doc:#}"
    );
    // Offline: no registry calls, so no signature verdicts; the SBOM gate still runs.
    let (_, doc) = scan(&["--offline"]);
    assert_eq!(codes_of(&doc), ["IMG201"], "{doc:#}");
    // The registry is gone: the covered images cannot be verified (IMG202), the scan goes on.
    let Setup { registry, dir, .. } = s;
    drop(registry);
    let (code, out, err) = kubeward_in(
        dir.path(),
        &["scan", "deploy.yaml", "--select", "IMG2", "-f", "json"],
    );
    assert_eq!(code, 1, "{out}\n{err}");
    let doc = json(&out, &err);
    assert_eq!(codes_of(&doc), ["IMG201", "IMG202", "IMG202"], "{doc:#}");
}

fn codes_of(doc: &Value) -> Vec<&str> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Admission: `kubeward serve` checks the images of admitted pods.

mod support;

fn pod_review(uid: &str, image: &str) -> Value {
    serde_json::json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "shop", "name": "web", "operation": "CREATE",
            "userInfo": {"username": "dev"},
            "object": {
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "web", "namespace": "shop"},
                "spec": {"containers": [{"name": "app", "image": image}]}
            }
        }
    })
}

fn image_checks(metrics: &str, result: &str) -> f64 {
    let sample = format!("kubeward_webhook_image_checks_total{{result=\"{result}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&sample))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

#[test]
fn admission_verifies_images_and_serves_judged_digests_without_the_registry() {
    let Some(s) = Setup::start(false) else {
        return;
    };
    let certs = tempfile::tempdir().unwrap();
    support::gen_certs(certs.path());
    let app = s.image("demo/app:1.0");
    let worker = s.image("demo/worker:1.0");
    let vulnerable = s.image("demo/vulnerable:3");
    s.push("demo/app:1.0", "app");
    s.sign(&app);
    s.push("demo/worker:1.0", "unsigned worker");
    s.push("demo/vulnerable:3", "old log4j");
    s.sign(&vulnerable);
    let example = example();
    let addr = s.registry.addr().to_owned();
    let config = |on_error: &str| {
        format!(
            "select: [IMG2]\nimages:\n  signatures:\n  - images: [{addr}/demo/**]\n    keys: [cosign.pub]\n  vulnerabilities:\n    db: {db}\n    sboms:\n    - {{image: '{addr}/demo/vulnerable:*', sbom: {sbom}}}\n  registry:\n    insecure: ['{addr}']\n    timeout-ms: 500\n  admission:\n    on-registry-error: {on_error}\n",
            db = example.join("osv").display(),
            sbom = example.join("sbom.cdx.json").display(),
        )
    };
    let server = support::Server::start(s.dir.path(), certs.path(), &config("fail-closed"));
    let client = support::Client::new(&[&certs.path().join("ca.crt")]);
    let admit = |port: u16, uid: &str, image: &str| {
        client.review(port, "/validate", &pod_review(uid, image))
    };

    let r = admit(server.port, "u1", &app);
    assert_eq!(r["allowed"], true, "{r}");
    let r = admit(server.port, "u2", &worker);
    assert_eq!(r["allowed"], false, "{r}");
    let message = r["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("IMG200") && message.contains("spec.containers[0].image"),
        "{message}"
    );
    let r = admit(server.port, "u3", &vulnerable);
    assert_eq!(r["allowed"], false, "{r}");
    assert!(
        r["status"]["message"].as_str().unwrap().contains("IMG201"),
        "{r}"
    );

    // The same digest again: a cache hit, no registry call.
    let (_, before) = client.request(server.port, "GET", "/metrics", "");
    let r = admit(server.port, "u4", &app);
    assert_eq!(r["allowed"], true, "{r}");
    let (_, after) = client.request(server.port, "GET", "/metrics", "");
    assert_eq!(
        image_checks(&after, "cache-hit") - image_checks(&before, "cache-hit"),
        1.0,
        "{after}"
    );
    assert_eq!(
        image_checks(&after, "registry"),
        image_checks(&before, "registry")
    );

    // The registry goes away. Judged images keep their verdicts from the cache (the tag's
    // digest too); an image never seen cannot be verified and fail-closed denies it.
    let Setup { registry, dir, .. } = s;
    drop(registry);
    let r = admit(server.port, "u5", &app);
    assert_eq!(r["allowed"], true, "{r}");
    let r = admit(server.port, "u6", &worker);
    assert_eq!(r["allowed"], false, "{r}");
    assert!(
        r["status"]["message"].as_str().unwrap().contains("IMG200"),
        "{r}"
    );
    let fresh = app.replace("demo/app:1.0", "demo/fresh:1");
    let r = admit(server.port, "u7", &fresh);
    assert_eq!(r["allowed"], false, "{r}");
    assert!(
        r["status"]["message"].as_str().unwrap().contains("IMG202"),
        "{r}"
    );
    drop(server);

    // fail-open: the same unreachable registry admits with a warning.
    let server = support::Server::start(dir.path(), certs.path(), &config("fail-open"));
    let r = admit(server.port, "u8", &fresh);
    assert_eq!(r["allowed"], true, "{r}");
    assert!(r["warnings"][0].as_str().unwrap().contains("IMG202"), "{r}");
}

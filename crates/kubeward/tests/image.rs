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
use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> PathBuf {
    repo_root().join("examples/supply-chain")
}

/// Runs `kubeward` in `dir` without a configuration file there.
fn kubeward_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("kubeward")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
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

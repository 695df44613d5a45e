//! Secrets hygiene end to end: canary values planted in `tests/fixtures/secrets/` must never
//! appear in any output of `kubeward scan` (text with source frames, JSON, SARIF, JUnit),
//! whichever rules run; the SEC rules must find them; the example app's credentials are
//! reported without being printed.
//!
//! Assertion messages name the canary by its label, never by its value.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn kubeward() -> Command {
    let mut cmd = Command::cargo_bin("kubeward").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secrets")
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (label, value) of every planted canary. Base64 forms are listed too: the encoded text of
/// a Secret's `data` is as secret as the decoded one.
const CANARIES: &[(&str, &str)] = &[
    ("env DB_PASSWORD", "huG8GP38g4o5MNJAYKJ1"),
    ("env AWS access key id", "AKIA74PAFHSG4A7UNZQW"),
    ("AWS access key id body", "74PAFHSG4A7UNZQW"),
    (
        "annotation GitHub token",
        "ghp_QtJZPGSEZ4zBms1racjP4M9DZH7Fx6mqSFDG",
    ),
    ("GitHub token body", "QtJZPGSEZ4zBms1racjP4M9DZH7Fx6mqSFDG"),
    ("args --db-password", "I9rQWOwjauQLKX783FS"),
    (
        "probe Authorization header",
        "U8iIoELi9M4SGsfAQk7iYY6LtGAyZjHZ",
    ),
    ("image inline password", "lwlqDFX0AsDluHEC"),
    ("flow-map ConfigMap value a", "hHYHYr0g2noa9f4DPvAI"),
    ("flow-map ConfigMap value b", "Y122Ql9bw2kwJRKYInhN"),
    ("postgres URL password", "X0FZBJQ6c1suD6ZgCS"),
    (
        "AWS secret access key",
        "TWjRlLK6sNdVU72lZ/o2+YH19dCqgn28s9Dp68GZ",
    ),
    (
        "kubeconfig token",
        "mya9gy4ed1wPw7X8bbGEuRtCu6hF8DKNZkjLHnBN",
    ),
    (
        "private key line 1",
        "KxuvD8JbuM0vpaEbgVBGltYQSu5QKUJBEANp3eXnxkFq9wMOGDwFTx8Yr4+T/O/b",
    ),
    (
        "private key line 2",
        "WVDHdJugp7adCexnUJs3mHZt+q3gHq9f3ICu+exAY0ry0VsOvLdv4AZIsVRKuvXE",
    ),
    ("Secret stringData password", "TY9GqC79l9B1UE8ePr5Fxg"),
    ("Secret duplicate-key password", "TrJWKUnKsKrQJigYqg9B"),
    ("Secret data api-key (decoded)", "mV2AjC6afaCLI71fNYmphNcW"),
    (
        "Secret data api-key (base64)",
        "bVYyQWpDNmFmYUNMSTcxZk5ZbXBoTmNX",
    ),
    (
        "docker registry password (decoded)",
        "vDMoRTeJzcmP6lcPI71dC",
    ),
    (
        "docker auth (base64)",
        "ZGVwbG95OnZETW9SVGVKemNtUDZsY1BJNzFkQw",
    ),
    (
        ".dockerconfigjson (base64)",
        "eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJhdXRoIjoiWkdWd2JHOTVPblpFVFc5U1ZHVktlbU50VURac1kxQkpOekZrUXc9PSJ9fX0",
    ),
    (
        "EncryptionConfiguration key",
        "3sGkMHu2reAFIaWHN8nhhOX0Iymp2C9jRWyIat4UYk4",
    ),
];

/// Canaries found in `output` (labels only).
fn leaks(output: &str) -> Vec<&'static str> {
    CANARIES
        .iter()
        .filter(|(_, value)| output.contains(value))
        .map(|(label, _)| *label)
        .collect()
}

fn scan(args: &[&str]) -> String {
    let out = kubeward().args(args).output().unwrap();
    assert!(
        out.status.code() == Some(1),
        "expected findings (exit 1), got {:?}; stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    // stderr is output too (warnings, errors).
    let mut text = String::from_utf8(out.stdout).unwrap();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

#[test]
fn canaries_are_planted() {
    // The test must be able to fail: every canary is in the fixtures.
    let mut all = String::new();
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        all.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for (label, value) in CANARIES {
        let derived = ["base64", "body", "decoded"]
            .iter()
            .any(|w| label.contains(w));
        let planted = all.contains(value) || derived;
        assert!(planted, "canary `{label}` is not in the fixtures");
    }
    assert!(
        leaks(&all).len() >= 18,
        "the leak check does not see the fixtures"
    );
}

#[test]
fn no_canary_in_any_format_with_all_rules() {
    let dir = fixtures();
    let dir = dir.to_str().unwrap();
    for format in ["text", "json", "sarif", "junit"] {
        let output = scan(&["scan", dir, "--format", format]);
        let leaked = leaks(&output);
        assert!(leaked.is_empty(), "{format} output leaks: {leaked:?}");
    }
}

#[test]
fn no_canary_with_secret_rules_only_and_in_output_files() {
    let dir = fixtures();
    let tmp = tempfile::tempdir().unwrap();
    for format in ["text", "json", "sarif", "junit"] {
        let file = tmp.path().join(format!("report.{format}"));
        let output = scan(&[
            "scan",
            dir.to_str().unwrap(),
            "--select",
            "SEC",
            "--format",
            format,
            "--output",
            file.to_str().unwrap(),
        ]);
        let written = std::fs::read_to_string(&file).unwrap();
        let leaked = leaks(&format!("{output}{written}"));
        assert!(leaked.is_empty(), "{format} output leaks: {leaked:?}");
    }
}

fn findings_json(args: &[&str]) -> Vec<Value> {
    let output = scan(args);
    let v: Value = serde_json::from_str(&output).unwrap();
    v["findings"].as_array().unwrap().clone()
}

#[test]
fn secret_rules_find_the_canaries() {
    let dir = fixtures();
    let findings = findings_json(&[
        "scan",
        dir.to_str().unwrap(),
        "--select",
        "SEC",
        "--format",
        "json",
    ]);
    let got: BTreeSet<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expected = [
        ("SEC002", "spec.template.spec.containers[0].env[0].value"),
        ("SEC002", "spec.template.spec.containers[0].env[1].value"),
        ("SEC003", "data.DATABASE_URL"),
        ("SEC003", "data.aws_secret_access_key"),
        ("SEC003", "data.api_password"),
        ("SEC003", "data.kubeconfig"),
        ("SEC004", "data[\"server.key\"]"),
        ("SEC005", "data.api-key"),
        ("SEC005", "data[\".dockerconfigjson\"]"),
        ("SEC006", "spec.template.spec.volumes[0].secret.defaultMode"),
        ("SEC007", "spec.template.spec.volumes[0].secret.secretName"),
        ("SEC008", "spec.template.spec.containers[0].args[1]"),
        ("SEC009", "metadata.annotations.ci/github-token"),
        (
            "SEC009",
            "spec.template.spec.containers[0].readinessProbe.httpGet.httpHeaders[0].value",
        ),
        ("SEC009", "spec.template.spec.containers[1].image"),
        ("SEC012", "resources[0].providers[0].aescbc"),
        ("SEC016", "resources[0].providers[0].aescbc.keys[1].secret"),
    ];
    let missing: Vec<_> = expected
        .iter()
        .filter(|(c, p)| !got.contains(&((*c).to_string(), (*p).to_string())))
        .collect();
    assert!(missing.is_empty(), "missing {missing:?}\ngot {got:?}");
    // Messages say what the secret looks like, with at most a documented public prefix.
    let messages: Vec<&str> = findings
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("an AWS access key id (`AKIA****`)")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("a GitHub token (`ghp_****`)")),
        "{messages:#?}"
    );
}

#[test]
fn text_frames_show_masks() {
    let dir = fixtures();
    let text = scan(&[
        "scan",
        dir.to_str().unwrap(),
        "--select",
        "SEC002,SEC003",
        "--format",
        "text",
    ]);
    assert!(text.contains("{name: DB_PASSWORD, value: ****}"), "{text}");
    assert!(
        text.contains("data: {api_password: ****, service_token: ****}"),
        "{text}"
    );
}

#[test]
fn example_app_credentials_reported_not_printed() {
    let root = repo_root();
    let shop = root.join("examples/shop");
    let shop = shop.to_str().unwrap();
    let findings = findings_json(&["scan", shop, "--select", "SEC", "--format", "json"]);
    let codes: BTreeSet<(&str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap_or(""),
            )
        })
        .collect();
    for expected in [
        ("SEC002", "spec.template.spec.containers[0].env[1].value"),
        ("SEC005", "stringData.POSTGRES_PASSWORD"),
        ("SEC003", "data.DATABASE_URL"),
        (
            "SEC007",
            "spec.template.spec.containers[0].env[2].valueFrom.secretKeyRef.name",
        ),
    ] {
        assert!(codes.contains(&expected), "no {expected:?} in {codes:?}");
    }
    // The example's credentials, read from the files so the test follows them.
    let example_values = ["S3cr3t-Pr0d-Passw0rd!", "k8s-Shop-2024-Pg!xq"];
    let sources = ["api.yaml", "database.yaml"]
        .map(|f| std::fs::read_to_string(root.join("examples/shop").join(f)).unwrap())
        .concat();
    for value in example_values {
        assert!(
            sources.contains(value),
            "the example no longer plants a value this test knows"
        );
    }
    for format in ["text", "json", "sarif", "junit"] {
        let output = scan(&["scan", shop, "--format", format]);
        for (i, value) in example_values.iter().enumerate() {
            assert!(
                !output.contains(value),
                "{format} output shows example credential #{i}"
            );
        }
    }
}

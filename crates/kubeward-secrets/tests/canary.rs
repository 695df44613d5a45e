//! Canary test: plant recognisable secret values, run every public API that produces
//! strings (Debug, pretty Debug, Display, serde_json), and assert no canary ever appears.
//! The canaries are synthetic; each carries the marker `CNRY` so any leak is obvious.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use kubeward_secrets::{
    ALL_DETECTORS, KindHint, ValueContext, analyze_encryption_config, analyze_secret_object,
    scan_object, scan_value,
};

const MARK: &str = "CNRY";

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn b64url(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

/// A PEM block whose body lines carry the marker.
fn pem(label: &str) -> String {
    let line = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7CNRYq3Zk9Lm2";
    let body: Vec<String> = (0..10)
        .map(|i| {
            let rot = i * 5 % line.len();
            format!("{}{}", &line[rot..], &line[..rot])
        })
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        body.join("\n")
    )
}

struct Canary {
    key: &'static str,
    value: String,
}

fn canaries() -> Vec<Canary> {
    let jwt = format!(
        "{}.{}.CNRYsig7Kq2Lm9Xv4Rt8Yh1Jd5Fs0Ga3Bn6Ct2Wk",
        b64url(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64url(r#"{"sub":"system:serviceaccount:ci:CNRY"}"#)
    );
    let v = |key: &'static str, value: String| Canary { key, value };
    vec![
        v("password", "Zq8CNRYp01xLm4#k".into()),
        v("AWS_ACCESS_KEY_ID", "AKIACNRY2345KQWZTXPL".into()),
        v(
            "AWS_SECRET_ACCESS_KEY",
            "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".into(),
        ),
        v("MAPS", "AIzaCNRY7kQ2mLx9PzR4vT8bN3cW6yH1jD5fS0g".into()),
        v("GH", "ghp_CNRY7kQ2mLx9PzR4vT8bN3cW6yH1jD5fS0ga".into()),
        v(
            "GH_PAT",
            "github_pat_CNRY7kQ2mLx9PzR4vT8bN3_cW6yH1jD5fS0gaCNRY7kQ2mLx9PzR4vT8bN3cW6yH1jD5fS0ga7kQ2mLx9".into(),
        ),
        v("GL", "glpat-CNRY7kQ2mLx9PzR4vT8b".into()),
        v(
            "SLACK",
            "xoxb-304812345678-3048123456789-CNRY7kQ2mLx9PzR4vT8bN3cW".into(),
        ),
        v(
            "HOOK",
            "https://hooks.slack.com/services/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".into(),
        ),
        v(
            "STRIPE",
            "sk_live_CNRY7kQ2mLx9PzR4vT8bN3cW6yH1jD5fS0ga".into(),
        ),
        v("TWILIO_AUTH_TOKEN", "CNRY7kQ2mLx9PzR4vT8bN3cW6yH1jD5f".into()),
        v(
            "SENDGRID",
            "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".into(),
        ),
        v("NPM", "npm_CNRY7kQ2mLx9PzR4vT8bN3cW6yH1jD5fS0ga".into()),
        v(
            "PYPI",
            "pypi-AgEIcHlwaS5vcmcCNRY7kQ2mLx9PzR4vT8bN3cW6yH1jD5fS0gaQ2mLx9PzR4vT8bN3cW6yH1".into(),
        ),
        v(
            "AZURE",
            format!(
                "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={};EndpointSuffix=core.windows.net",
                b64("CNRY-64-bytes-of-key-material-for-the-canary-test-0123456789!!")
            ),
        ),
        v("token", jwt),
        v("key.pem", pem("RSA PRIVATE KEY")),
        v("DATABASE_URL", "postgres://app:CNRYpw9Xk2Lm@db:5432/app".into()),
        v("REPO", "https://bot:CNRYpw7Qz4Rt@git.corp.io/x.git".into()),
        v("Authorization", "Bearer CNRY7kQ2mLx9PzR4vT8bN3cW6yH1".into()),
        v("image", "ci:CNRYpw5Ty8Ui@registry.corp.io/app:1".into()),
    ]
}

/// Everything a canary could leak as: the value, its base64 forms, and the marker.
fn forbidden(c: &Canary) -> Vec<String> {
    vec![c.value.clone(), b64(&c.value), MARK.to_string()]
}

fn assert_clean(what: &str, output: &str, needles: &[String]) {
    for n in needles {
        assert!(
            !output.contains(n.as_str()),
            "{what}: output contains a planted secret (needle of {} bytes)",
            n.len()
        );
    }
}

fn render_all<T: std::fmt::Debug + serde::Serialize>(what: &str, value: &T, needles: &[String]) {
    assert_clean(&format!("{what} Debug"), &format!("{value:?}"), needles);
    assert_clean(
        &format!("{what} pretty Debug"),
        &format!("{value:#?}"),
        needles,
    );
    assert_clean(
        &format!("{what} JSON"),
        &serde_json::to_string(value).unwrap(),
        needles,
    );
    assert_clean(
        &format!("{what} pretty JSON"),
        &serde_json::to_string_pretty(value).unwrap(),
        needles,
    );
}

#[test]
fn scan_value_never_leaks() {
    for c in canaries() {
        let needles = forbidden(&c);
        for hint in [KindHint::Generic, KindHint::Image, KindHint::SecretData] {
            let ctx = ValueContext {
                key: Some(c.key),
                kind_hint: hint,
            };
            let matches = scan_value(&ctx, &c.value);
            assert!(
                !matches.is_empty() || hint != KindHint::Generic,
                "canary for key {} was not detected",
                c.key
            );
            render_all("scan_value", &matches, &needles);
            for m in &matches {
                assert_clean("Display", &m.redacted.to_string(), &needles);
                assert_clean("masked", &m.redacted.masked(), &needles);
                assert!(m.redacted.expose_secret().contains(MARK) || c.key == "AZURE");
            }
        }
    }
}

fn manifest() -> String {
    let cs = canaries();
    let mut env = String::new();
    for c in &cs {
        // JSON strings are valid YAML double-quoted scalars.
        env.push_str(&format!(
            "    - name: {}\n      value: {}\n",
            if c.key == "image" { "IMG" } else { c.key },
            serde_json::to_string(&c.value).unwrap()
        ));
    }
    let data: String = cs
        .iter()
        .enumerate()
        .map(|(i, c)| format!("  k{i}-{}: {}\n", c.key.replace('.', "-"), b64(&c.value)))
        .collect();
    let dockercfg = b64(&format!(
        r#"{{"auths":{{"r.corp.io":{{"auth":"{}"}}}}}}"#,
        b64("robot:CNRYpw3Er6Ty")
    ));
    let last_applied = serde_json::to_string(
        r#"{"kind":"ConfigMap","data":{"api_key":"CNRY7kQ2mLx9PzR4vT8bN3cW"}}"#,
    )
    .unwrap();
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: {last_applied}\nspec:\n  containers:\n  - name: a\n    image: ci:CNRYpw5Ty8Ui@registry.corp.io/app:1\n    args: [\"--db-password\", \"CNRYpw1Qa2Ws\"]\n    env:\n{env}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n{data}  .dockerconfigjson: {dockercfg}\n---\napiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - aescbc:\n      keys:\n      - name: k1\n        secret: {}\n      - name: k2\n        secret: {}\n  - secretbox:\n      keys:\n      - name: k3\n        secret: {}\n",
        b64("CNRY-32-bytes-of-aes-key-material"),
        b64("CNRY-short"),
        b64("CNRY-32-bytes-of-aes-key-material"),
    )
}

#[test]
fn object_apis_never_leak() {
    let yaml = manifest();
    let mut needles: Vec<String> = canaries().iter().flat_map(forbidden).collect();
    needles.extend(
        [
            "CNRYpw5Ty8Ui",
            "CNRYpw1Qa2Ws",
            "CNRYpw3Er6Ty",
            "CNRY7kQ2mLx9PzR4vT8bN3cW",
        ]
        .map(String::from),
    );
    needles.push(b64("CNRY-32-bytes-of-aes-key-material"));
    needles.push(b64("CNRY-short"));
    let parsed = kubeward_yaml::parse_str(&yaml);
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    assert_eq!(parsed.documents.len(), 3);
    let mut total = 0;
    for doc in &parsed.documents {
        let findings = scan_object(&doc.root);
        total += findings.len();
        render_all("scan_object", &findings, &needles);
        for f in &findings {
            assert_clean("finding Display", &f.matched.redacted.to_string(), &needles);
        }
        if let Some(s) = analyze_secret_object(&doc.root) {
            assert!(s.verdict.is_finding());
            render_all("analyze_secret_object", &s, &needles);
        }
        if let Some(r) = analyze_encryption_config(&doc.root) {
            assert!(!r.findings.is_empty());
            render_all("analyze_encryption_config", &r, &needles);
            for f in &r.findings {
                assert_clean("encryption message", &f.message, &needles);
            }
        }
    }
    // Pod: every env canary, the image, the flag pair and the last-applied key; Secret: every
    // data canary and the docker auth; EncryptionConfiguration: the key material.
    assert!(total >= 2 * canaries().len() + 4, "only {total} findings");
}

#[test]
fn catalogue_renders_clean() {
    let needles: Vec<String> = canaries().iter().flat_map(forbidden).collect();
    render_all("catalogue", &ALL_DETECTORS, &needles);
}

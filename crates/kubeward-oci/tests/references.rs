//! Reference parsing against a table of cases taken from distribution/reference's documented
//! behaviour (tests/fixtures/references.json; JSON is YAML).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kubeward_oci::{Reference, ReferenceError};
use serde::Deserialize;

#[derive(Deserialize)]
struct Cases {
    valid: Vec<Valid>,
    invalid: Vec<Invalid>,
}

#[derive(Deserialize)]
struct Valid {
    input: String,
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
    display: String,
}

#[derive(Deserialize)]
struct Invalid {
    input: String,
    error: String,
}

fn cases() -> Cases {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/references.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn kind(e: &ReferenceError) -> &'static str {
    match e {
        ReferenceError::NameEmpty => "NameEmpty",
        ReferenceError::InvalidFormat(_) => "InvalidFormat",
        ReferenceError::NameContainsUppercase(_) => "NameContainsUppercase",
        ReferenceError::NameTooLong => "NameTooLong",
        ReferenceError::IdentifierNotAllowed(_) => "IdentifierNotAllowed",
        ReferenceError::InvalidTag(_) => "InvalidTag",
        ReferenceError::InvalidDigest(_) => "InvalidDigest",
        ReferenceError::InvalidDigestLength(_) => "InvalidDigestLength",
        ReferenceError::UnsupportedDigest(_) => "UnsupportedDigest",
    }
}

#[test]
fn valid_references_normalise() {
    let mut failures = Vec::new();
    for c in cases().valid {
        match Reference::parse(&c.input) {
            Ok(r) => {
                let got = (
                    r.registry().to_owned(),
                    r.repository().to_owned(),
                    r.tag().map(str::to_owned),
                    r.digest().map(ToString::to_string),
                    r.to_string(),
                );
                let want = (c.registry, c.repository, c.tag, c.digest, c.display.clone());
                if got != want {
                    failures.push(format!("{:?}: got {got:?}, want {want:?}", c.input));
                }
                // The canonical form parses back to the same reference.
                let again = Reference::parse(&c.display).unwrap();
                if again != r {
                    failures.push(format!("{:?}: display does not round-trip", c.input));
                }
            }
            Err(e) => failures.push(format!("{:?}: unexpected error {e}", c.input)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_references_fail_with_the_right_error() {
    let mut failures = Vec::new();
    for c in cases().invalid {
        match Reference::parse(&c.input) {
            Ok(r) => failures.push(format!("{:?}: parsed as {r}", c.input)),
            Err(e) if kind(&e) != c.error => {
                failures.push(format!("{:?}: got {}, want {}", c.input, kind(&e), c.error))
            }
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn api_host_and_pinning() {
    let r = Reference::parse("nginx:1").unwrap();
    assert_eq!(r.api_host(), "registry-1.docker.io");
    let d = kubeward_oci::Digest::sha256_of(b"x");
    let p = r.with_digest(d.clone());
    assert_eq!(p.tag(), Some("1"));
    assert_eq!(p.digest(), Some(&d));
    assert_eq!(Reference::parse(&p.to_string()).unwrap(), p);
    assert_eq!(p.with_tag("2").digest(), None);
}

//! Keeps the arrows between crates honest (docs/ARCHITECTURE.md):
//! source <- yaml <- model <- engines <- rules <- {webhook, binary}; reporters see only
//! diagnostics; engines never see Diagnostic or the rule engine.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

fn workspace_deps() -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut map = BTreeMap::new();
    for package in v["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap().to_string();
        let deps = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().unwrap().to_string())
            .filter(|d| d.starts_with("kubeward"))
            .collect();
        map.insert(name, deps);
    }
    map
}

#[test]
fn crate_arrows_point_one_way() {
    let deps = workspace_deps();
    let allowed: &[(&str, &[&str])] = &[
        ("kubeward-source", &[]),
        ("kubeward-yaml", &["kubeward-source"]),
        ("kubeward-model", &["kubeward-source", "kubeward-yaml"]),
        ("kubeward-diagnostics", &["kubeward-source"]),
        (
            "kubeward-report",
            &["kubeward-source", "kubeward-diagnostics"],
        ),
    ];
    for (krate, may) in allowed {
        let Some(actual) = deps.get(*krate) else {
            continue;
        };
        for d in actual {
            assert!(may.contains(&d.as_str()), "{krate} must not depend on {d}");
        }
    }
    let engines = [
        "kubeward-pss",
        "kubeward-rbac",
        "kubeward-netpol",
        "kubeward-secrets",
        "kubeward-dockerfile",
        "kubeward-controlplane",
        "kubeward-audit",
        "kubeward-oci",
        "kubeward-cosign",
        "kubeward-vuln",
    ];
    for engine in engines {
        let Some(actual) = deps.get(engine) else {
            continue;
        };
        for forbidden in [
            "kubeward-diagnostics",
            "kubeward-rules",
            "kubeward-report",
            "kubeward",
        ] {
            assert!(
                !actual.contains(forbidden),
                "engine {engine} must not depend on {forbidden}"
            );
        }
    }
    // The image supply-chain engines are independent of each other and of the manifest
    // pipeline; kubeward-imagepolicy is where they meet.
    for engine in ["kubeward-oci", "kubeward-cosign", "kubeward-vuln"] {
        if let Some(actual) = deps.get(engine) {
            assert!(
                actual.iter().all(|d| d == "kubeward-source"),
                "{engine} may depend only on kubeward-source, not {actual:?}"
            );
        }
    }
    for (krate, actual) in &deps {
        if krate == "kubeward-report" {
            continue;
        }
        if krate != "kubeward" && krate != "kubeward-webhook" {
            assert!(
                !actual.contains("kubeward-report"),
                "{krate} must not depend on the reporters"
            );
        }
    }
}

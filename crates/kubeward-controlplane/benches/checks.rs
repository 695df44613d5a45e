//! Benchmarks: reading a kubeadm node and running every check; parsing a long command line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use kubeward_controlplane::flags::{Dialect, KUBE_APISERVER_FLAGS, parse};
use kubeward_controlplane::{NodeLayout, Options, run_checks};

fn main() {
    divan::main();
}

fn fixture(variant: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(variant)
}

/// Read the secure fixture node from disk and run all checks.
#[divan::bench(args = ["secure", "insecure"])]
fn read_node_and_check(variant: &str) -> usize {
    let layout = NodeLayout::from_root(fixture(variant));
    run_checks(&layout, &Options::default()).results.len()
}

/// Run all checks over an already-read node.
#[divan::bench]
fn check_only(bencher: divan::Bencher<'_, '_>) {
    let layout = NodeLayout::from_root(fixture("insecure"));
    bencher.bench(|| run_checks(&layout, &Options::default()).results.len());
}

/// Parse a 200-argument API server command line.
#[divan::bench]
fn parse_apiserver_flags(bencher: divan::Bencher<'_, '_>) {
    let args: Vec<String> = (0..200)
        .map(|i| match i % 4 {
            0 => format!("--enable-admission-plugins=P{i},Q{i}"),
            1 => "--profiling".to_string(),
            2 => format!("--audit-log-maxage={i}"),
            _ => format!("--flag-{i}=value"),
        })
        .collect();
    bencher.bench(|| {
        parse(&args, Dialect::Pflag, KUBE_APISERVER_FLAGS)
            .occurrences
            .len()
    });
}

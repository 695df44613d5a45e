//! Full-connectivity benchmark: 10,000 pods in 500 namespaces with 2,000 policies.
//!
//! `CARGO_TARGET_DIR=target-kubeward-netpol cargo bench -p kubeward-netpol --bench connectivity`
//! (memory: `cargo run --release -p kubeward-netpol --example netpol_scale` prints peak RSS).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

#[path = "../tests/support/generator.rs"]
mod generator;

use std::sync::OnceLock;

use divan::Bencher;
use kubeward_netpol::{Cluster, SourceId};

fn main() {
    divan::main();
}

fn cluster(deny_all: bool, workloads_per_ns: usize, pods_per_workload: usize) -> Cluster {
    let shape = generator::Shape {
        namespaces: 500,
        workloads_per_ns,
        pods_per_workload,
        policies_per_ns: 4,
        deny_all,
    };
    Cluster::from_yaml(SourceId(0), &generator::cluster_yaml(42, &shape))
}

/// 2,500 Deployments with 4 pods each (pods of one Deployment differ in named ports), few
/// default-deny policies: about 5.2 million allowed connections.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn open_2500_workloads_10000_pods(b: Bencher) {
    static C: OnceLock<Cluster> = OnceLock::new();
    let c = C.get_or_init(|| cluster(false, 5, 4));
    b.with_inputs(|| c.clone())
        .bench_values(|c| c.connections().len());
}

/// 10,000 single-pod workloads, every namespace default-deny plus three allow policies.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn deny_all_10000_workloads(b: Bencher) {
    static C: OnceLock<Cluster> = OnceLock::new();
    let c = C.get_or_init(|| cluster(true, 20, 0));
    b.with_inputs(|| c.clone())
        .bench_values(|c| c.connections().len());
}

/// Coverage facts on the open cluster.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn coverage_open(b: Bencher) {
    static C: OnceLock<Cluster> = OnceLock::new();
    let c = C.get_or_init(|| cluster(false, 5, 4));
    b.with_inputs(|| c.clone())
        .bench_values(|c| c.coverage().not_isolated_ingress.len());
}

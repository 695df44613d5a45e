//! Scale check: generates a cluster, computes full connectivity, prints time and peak memory.
//!
//! `cargo run --release -p kubeward-netpol --example netpol_scale -- [namespaces] [workloads/ns] [pods/workload] [policies/ns] [deny-all 0|1]`
//! (default: 500 namespaces, 5 workloads, 4 pods each = 10,000 pods, 4 policies each = 2,000).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

#[path = "../tests/support/generator.rs"]
mod generator;

use std::time::Instant;

use kubeward_netpol::{Cluster, SourceId};

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time of this thread so far (seconds), from /proc: less sensitive to a busy machine
/// than wall time.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |ns| ns / 1e9)
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let shape = generator::Shape {
        namespaces: args.first().copied().unwrap_or(500),
        workloads_per_ns: args.get(1).copied().unwrap_or(5),
        pods_per_workload: args.get(2).copied().unwrap_or(4),
        policies_per_ns: args.get(3).copied().unwrap_or(4),
        deny_all: args.get(4).copied().unwrap_or(0) == 1,
    };
    let yaml = generator::cluster_yaml(42, &shape);
    let t = Instant::now();
    let parsed = kubeward_yaml::parse_str(&yaml);
    let parse = t.elapsed();
    let t = Instant::now();
    let cluster = Cluster::from_objects(parsed.documents.iter().map(|d| (SourceId(0), &d.root)));
    let load = t.elapsed();
    drop(parsed);
    let t = Instant::now();
    let cpu0 = cpu_s();
    let conns = cluster.connections();
    let compute = t.elapsed();
    let compute_cpu = cpu_s() - cpu0;
    let restricted = conns.iter().filter(|c| !c.ports.is_all()).count();
    let pods = shape.namespaces * shape.workloads_per_ns * shape.pods_per_workload.max(1);
    println!(
        "pods={pods} workloads={} policies={} issues={} connections={} (restricted ports: {restricted}) endpoints={}",
        cluster.workloads().len(),
        cluster.policies().len(),
        cluster.issues().len(),
        conns.len(),
        cluster.endpoints().len(),
    );
    println!(
        "yaml parse {:.3}s, model {:.3}s, connections {:.3}s (cpu {:.3}s), peak RSS {:.0} MiB",
        parse.as_secs_f64(),
        load.as_secs_f64(),
        compute.as_secs_f64(),
        compute_cpu,
        peak_rss_mib()
    );
    let t = Instant::now();
    let cov = cluster.coverage();
    println!(
        "coverage {:.3}s (not isolated ingress: {}, exposed sensitive: {})",
        t.elapsed().as_secs_f64(),
        cov.not_isolated_ingress.len(),
        cov.exposed_sensitive.len()
    );
}

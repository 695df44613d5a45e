//! Writes the NetworkPolicy engine's synthetic cluster (crates/kubeward-netpol/tests/support/
//! generator.rs, the generator of its tests and of its `netpol_scale` example) as manifest
//! files, one file per namespace (plus one for the cluster-wide objects).
//!
//! Built by `run.sh` with plain `rustc` (the generator uses only std):
//! `gen OUT_DIR [namespaces] [workloads/ns] [pods/workload] [policies/ns] [deny-all 0|1]`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

#[path = "../../crates/kubeward-netpol/tests/support/generator.rs"]
#[allow(dead_code)]
mod generator;

use std::collections::BTreeMap;
use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().expect("usage: gen OUT_DIR [ns] [wl/ns] [pods/wl] [pol/ns] [deny-all]"));
    let nums: Vec<usize> = args.filter_map(|a| a.parse().ok()).collect();
    let shape = generator::Shape {
        namespaces: nums.first().copied().unwrap_or(500),
        workloads_per_ns: nums.get(1).copied().unwrap_or(5),
        pods_per_workload: nums.get(2).copied().unwrap_or(4),
        policies_per_ns: nums.get(3).copied().unwrap_or(4),
        deny_all: nums.get(4).copied().unwrap_or(0) == 1,
    };
    let yaml = generator::cluster_yaml(42, &shape);
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for doc in yaml.split("\n---\n") {
        let doc = doc.trim_start_matches("---\n");
        // `namespace: nsN` (objects) or `name: nsN` (the Namespace itself).
        let ns = doc
            .split(|c: char| c == ',' || c == '{' || c == '}' || c == '\n')
            .map(str::trim)
            .find_map(|f| f.strip_prefix("namespace: ").or_else(|| {
                doc.starts_with("apiVersion: v1\nkind: Namespace").then(|| f.strip_prefix("name: ")).flatten()
            }))
            .unwrap_or("cluster")
            .to_string();
        let file = files.entry(ns).or_default();
        file.push_str("---\n");
        file.push_str(doc);
        file.push('\n');
    }
    std::fs::create_dir_all(&out).unwrap();
    for (ns, text) in &files {
        std::fs::write(out.join(format!("{ns}.yaml")), text).unwrap();
    }
    let pods = shape.namespaces * shape.workloads_per_ns * shape.pods_per_workload.max(1);
    let policies = shape.namespaces * shape.policies_per_ns;
    println!(
        "{} files, {} bytes: {} namespaces, {pods} pods, {policies} policies",
        files.len(),
        yaml.len(),
        shape.namespaces
    );
}

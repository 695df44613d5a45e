//! Randomized cross-check: the grouped whole-cluster computation must equal the per-pair
//! evaluation (`explain`) on generated clusters that use every feature; synthesis must
//! preserve connectivity on them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use kubeward_netpol::{Cluster, Connection, Endpoint, SourceId, diff};
use support::generator::{Shape, cluster_yaml};

fn reference(cluster: &Cluster) -> Vec<Connection> {
    let eps = cluster.endpoints();
    let mut out = Vec::new();
    for a in &eps {
        for b in &eps {
            if matches!((a, b), (Endpoint::IpRange(_), Endpoint::IpRange(_))) {
                continue;
            }
            let e = cluster.explain(a, b, None).unwrap();
            if e.allowed {
                out.push(Connection {
                    src: a.clone(),
                    dst: b.clone(),
                    ports: e.ports,
                });
            }
        }
    }
    out
}

#[test]
fn grouped_engine_matches_pairwise_evaluation() {
    let mut restricted = 0;
    for seed in 1..=12 {
        let shape = Shape {
            namespaces: 4,
            workloads_per_ns: 5,
            pods_per_workload: (seed % 3) as usize,
            policies_per_ns: 1 + (seed % 5) as usize,
            deny_all: seed % 4 == 0,
        };
        let yaml = cluster_yaml(seed, &shape);
        let cluster = Cluster::from_yaml(SourceId(0), &yaml);
        assert!(cluster.issues().is_empty(), "{:?}", cluster.issues());
        let fast = cluster.connections();
        let slow = reference(&cluster);
        let d = diff(&slow, &fast);
        assert!(d.is_empty(), "seed {seed}: {d:#?}");
        assert_eq!(fast, slow, "seed {seed}");
        restricted += usize::from(
            fast.iter()
                .any(|c| !c.ports.is_all() && c.src.as_workload().is_some()),
        );
    }
    assert!(restricted >= 8, "generator too permissive: {restricted}");
}

#[test]
fn synth_round_trips_generated_clusters() {
    for seed in [3, 7] {
        let shape = Shape {
            namespaces: 3,
            workloads_per_ns: 5,
            pods_per_workload: 2,
            policies_per_ns: 4,
            deny_all: seed == 7,
        };
        let cluster = Cluster::from_yaml(SourceId(0), &cluster_yaml(seed, &shape));
        let r = cluster.synth(None);
        assert!(r.verified(), "seed {seed}: {:#?}", r.mismatch);
    }
}

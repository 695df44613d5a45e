//! Fixture-driven connectivity tests.
//!
//! Each `fixtures/*.yaml` file holds objects and header comments:
//! `# expect: SRC -> DST : PORTS` lines (the exact expected connections within the scope) and
//! optional `# scope: workloads | src ENDPOINT | dst ENDPOINT` lines (several scopes are
//! OR-ed; no scope means every connection, external ranges included). Every fixture is also
//! cross-checked against the per-pair evaluator (`explain`) over all endpoint pairs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::Path;

use kubeward_netpol::{Cluster, Connection, Endpoint, SourceId};

enum Scope {
    Workloads,
    Src(String),
    Dst(String),
}

fn in_scope(scopes: &[Scope], c: &Connection) -> bool {
    scopes.is_empty()
        || scopes.iter().any(|s| match s {
            Scope::Workloads => c.src.as_workload().is_some() && c.dst.as_workload().is_some(),
            Scope::Src(e) => c.src.to_string() == *e,
            Scope::Dst(e) => c.dst.to_string() == *e,
        })
}

fn render(c: &Connection) -> String {
    format!("{} -> {} : {}", c.src, c.dst, c.ports)
}

/// Connectivity recomputed pair by pair through `explain`.
pub fn reference(cluster: &Cluster) -> Vec<String> {
    let eps = cluster.endpoints();
    let mut out = Vec::new();
    for a in &eps {
        for b in &eps {
            if matches!((a, b), (Endpoint::IpRange(_), Endpoint::IpRange(_))) {
                continue;
            }
            let e = cluster.explain(a, b, None).unwrap();
            if e.allowed {
                out.push(render(&Connection {
                    src: a.clone(),
                    dst: b.clone(),
                    ports: e.ports,
                }));
            }
        }
    }
    out.sort();
    out
}

fn check(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut scopes = Vec::new();
    let mut expected = BTreeSet::new();
    for line in text.lines() {
        if let Some(e) = line.strip_prefix("# expect: ") {
            expected.insert(e.trim().to_string());
        } else if let Some(s) = line.strip_prefix("# scope: ") {
            let s = s.trim();
            scopes.push(if s == "workloads" {
                Scope::Workloads
            } else if let Some(e) = s.strip_prefix("src ") {
                Scope::Src(e.to_string())
            } else if let Some(e) = s.strip_prefix("dst ") {
                Scope::Dst(e.to_string())
            } else {
                return Err(format!("bad scope `{s}`"));
            });
        }
    }
    let cluster = Cluster::from_yaml(SourceId(1), &text);
    let errors: Vec<_> = cluster
        .issues()
        .iter()
        .filter(|i| i.severity == kubeward_netpol::IssueSeverity::Error)
        .collect();
    if !errors.is_empty() {
        return Err(format!("unexpected policy errors: {errors:?}"));
    }
    let conns = cluster.connections();
    let actual: BTreeSet<String> = conns
        .iter()
        .filter(|c| in_scope(&scopes, c))
        .map(render)
        .collect();
    let mut msg = String::new();
    for missing in expected.difference(&actual) {
        msg.push_str(&format!("\n  missing:    {missing}"));
    }
    for extra in actual.difference(&expected) {
        msg.push_str(&format!("\n  unexpected: {extra}"));
    }
    let mut fast: Vec<String> = conns.iter().map(render).collect();
    fast.sort();
    let slow = reference(&cluster);
    if fast != slow {
        let f: BTreeSet<_> = fast.iter().collect();
        let s: BTreeSet<_> = slow.iter().collect();
        for x in f.difference(&s) {
            msg.push_str(&format!("\n  fast only:  {x}"));
        }
        for x in s.difference(&f) {
            msg.push_str(&format!("\n  slow only:  {x}"));
        }
    }
    if msg.is_empty() { Ok(()) } else { Err(msg) }
}

#[test]
fn all_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "fixtures missing");
    let mut failures = String::new();
    for p in &paths {
        if let Err(e) = check(p) {
            failures.push_str(&format!(
                "\n{}:{e}",
                p.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "fixture failures:{failures}");
}

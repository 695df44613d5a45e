//! Connectivity graphs: Graphviz DOT (namespaces as clusters) and Mermaid.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::{Cluster, Connection, Endpoint};

fn nodes(endpoints: &[Endpoint], conns: &[Connection]) -> Vec<Endpoint> {
    let mut all: Vec<Endpoint> = endpoints.to_vec();
    for c in conns {
        all.push(c.src.clone());
        all.push(c.dst.clone());
    }
    all.sort();
    all.dedup();
    all
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
}

fn label(e: &Endpoint) -> String {
    match e {
        Endpoint::Workload(w) => format!("{}/{}", w.kind, w.name),
        Endpoint::IpRange(r) => r.to_string(),
    }
}

/// Renders connections as a Graphviz `digraph`: one cluster per namespace, external ranges
/// outside, edges labelled with ports. `endpoints` adds nodes without edges.
///
/// ```
/// use kubeward_netpol::{graph_dot, Connection, Endpoint, PortSet};
/// let a = Endpoint::workload("Deployment", "ns", "a");
/// let b = Endpoint::workload("Deployment", "ns", "b");
/// let dot = graph_dot(&[], &[Connection { src: a, dst: b, ports: PortSet::all() }]);
/// assert!(dot.contains("subgraph \"cluster_ns\""));
/// assert!(dot.contains("n0 -> n1 [label=\"all\"];"));
/// ```
#[must_use]
pub fn graph_dot(endpoints: &[Endpoint], conns: &[Connection]) -> String {
    let all = nodes(endpoints, conns);
    let id: BTreeMap<&Endpoint, usize> = all.iter().enumerate().map(|(i, e)| (e, i)).collect();
    let mut by_ns: BTreeMap<&str, Vec<(usize, &Endpoint)>> = BTreeMap::new();
    let mut external = Vec::new();
    for (i, e) in all.iter().enumerate() {
        match e {
            Endpoint::Workload(w) => by_ns.entry(w.namespace.as_str()).or_default().push((i, e)),
            Endpoint::IpRange(_) => external.push((i, e)),
        }
    }
    let mut s = String::from(
        "digraph netpol {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for (ns, members) in &by_ns {
        let _ = writeln!(
            s,
            "  subgraph \"cluster_{}\" {{\n    label=\"{}\";",
            dot_escape(ns),
            dot_escape(ns)
        );
        for (i, e) in members {
            let _ = writeln!(s, "    n{i} [label=\"{}\"];", dot_escape(&label(e)));
        }
        s.push_str("  }\n");
    }
    for (i, e) in &external {
        let _ = writeln!(
            s,
            "  n{i} [label=\"{}\", shape=ellipse, style=dashed];",
            dot_escape(&label(e))
        );
    }
    for c in conns {
        if let (Some(a), Some(b)) = (id.get(&c.src), id.get(&c.dst)) {
            let _ = writeln!(
                s,
                "  n{a} -> n{b} [label=\"{}\"];",
                dot_escape(&c.ports.to_string())
            );
        }
    }
    s.push_str("}\n");
    s
}

/// Renders connections as a Mermaid `flowchart`: one subgraph per namespace.
///
/// ```
/// use kubeward_netpol::{graph_mermaid, Connection, Endpoint, PortSet, Protocol};
/// let a = Endpoint::workload("Deployment", "ns", "a");
/// let b = Endpoint::workload("Deployment", "ns", "b");
/// let m = graph_mermaid(&[], &[Connection { src: a, dst: b, ports: PortSet::ports(Protocol::Tcp, 80, 80) }]);
/// assert!(m.starts_with("flowchart LR\n"));
/// assert!(m.contains("n0 -->|\"TCP:80\"| n1"));
/// ```
#[must_use]
pub fn graph_mermaid(endpoints: &[Endpoint], conns: &[Connection]) -> String {
    let all = nodes(endpoints, conns);
    let id: BTreeMap<&Endpoint, usize> = all.iter().enumerate().map(|(i, e)| (e, i)).collect();
    let mut by_ns: BTreeMap<&str, Vec<(usize, &Endpoint)>> = BTreeMap::new();
    let mut external = Vec::new();
    for (i, e) in all.iter().enumerate() {
        match e {
            Endpoint::Workload(w) => by_ns.entry(w.namespace.as_str()).or_default().push((i, e)),
            Endpoint::IpRange(_) => external.push((i, e)),
        }
    }
    let mut s = String::from("flowchart LR\n");
    for (k, (ns, members)) in by_ns.iter().enumerate() {
        let _ = writeln!(s, "  subgraph ns{k}[\"{}\"]", mermaid_escape(ns));
        for (i, e) in members {
            let _ = writeln!(s, "    n{i}[\"{}\"]", mermaid_escape(&label(e)));
        }
        s.push_str("  end\n");
    }
    for (i, e) in &external {
        let _ = writeln!(s, "  n{i}([\"{}\"])", mermaid_escape(&label(e)));
    }
    for c in conns {
        if let (Some(a), Some(b)) = (id.get(&c.src), id.get(&c.dst)) {
            let _ = writeln!(
                s,
                "  n{a} -->|\"{}\"| n{b}",
                mermaid_escape(&c.ports.to_string())
            );
        }
    }
    s
}

impl Cluster {
    /// The cluster's connectivity as Graphviz DOT (every workload is a node).
    #[must_use]
    pub fn graph_dot(&self) -> String {
        graph_dot(&self.workload_endpoints(), &self.connections())
    }

    /// The cluster's connectivity as a Mermaid flowchart (every workload is a node).
    #[must_use]
    pub fn graph_mermaid(&self) -> String {
        graph_mermaid(&self.workload_endpoints(), &self.connections())
    }

    fn workload_endpoints(&self) -> Vec<Endpoint> {
        self.index()
            .workloads
            .iter()
            .map(|w| Endpoint::Workload(w.r.clone()))
            .collect()
    }
}

//! Policy synthesis (default-deny plus minimal allows) and quarantine policies.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::diff::{ConnectionDiff, diff};
use crate::index::Index;
use crate::policy::PolicyRef;
use crate::ports::{PortSet, Protocol};
use crate::selector::Labels;
use crate::{Cluster, Connection, Endpoint, NAME_LABEL, NetpolError, SourceId, WorkloadRef};

/// The result of [`Cluster::synth`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthResult {
    /// The generated NetworkPolicies, as a multi-document YAML stream.
    pub yaml: String,
    /// How many policies `yaml` holds.
    pub policies: usize,
    /// Problems that may make the result inexact (workloads whose pods cannot be told apart
    /// by labels, flows that cannot be expressed).
    pub warnings: Vec<String>,
    /// Connectivity with only the generated policies, compared with the requested flows
    /// (empty when they are preserved exactly).
    pub mismatch: ConnectionDiff,
}

impl SynthResult {
    /// Whether recomputing connectivity with the generated policies gives exactly the
    /// requested flows.
    #[must_use]
    pub fn verified(&self) -> bool {
        self.mismatch.is_empty()
    }
}

/// The result of [`Cluster::isolate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IsolateResult {
    /// The quarantine NetworkPolicy (YAML).
    pub yaml: String,
    /// Other workloads its pod selector also selects (labels do not single the target out).
    pub also_selects: Vec<WorkloadRef>,
    /// Existing policies selecting the target whose rules still allow traffic: policies are
    /// additive, so a quarantine policy cannot revoke them.
    pub still_allowed_by: Vec<PolicyRef>,
    /// Connections to or from the target that remain with the quarantine policy applied.
    pub remaining: Vec<Connection>,
}

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

fn dns_name(s: &str) -> String {
    let mut out: String = s
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    out.truncate(253);
    while out.ends_with(['-', '.']) {
        out.pop();
    }
    out
}

/// A pod selector to write: equality labels plus `DoesNotExist`/`In`/`NotIn` requirements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct SelSpec {
    labels: Labels,
    exprs: Vec<(String, &'static str, Vec<String>)>,
}

impl SelSpec {
    fn matches(&self, l: &Labels) -> bool {
        self.labels.iter().all(|(k, v)| l.get(k) == Some(v))
            && self.exprs.iter().all(|(k, op, vals)| match *op {
                "DoesNotExist" => !l.contains_key(k),
                "In" => l.get(k).is_some_and(|v| vals.contains(v)),
                "NotIn" => l.get(k).is_none_or(|v| !vals.contains(v)),
                _ => l.contains_key(k),
            })
    }
}

/// Writes `key: {}` or `key:` + `matchLabels`/`matchExpressions`; `first` prefixes the key
/// line, `indent` is the column of the key.
fn write_labels(s: &mut String, first: &str, indent: usize, key: &str, sel: &SelSpec) {
    let pad = " ".repeat(indent);
    if sel.labels.is_empty() && sel.exprs.is_empty() {
        let _ = writeln!(s, "{first}{key}: {{}}");
        return;
    }
    let _ = writeln!(s, "{first}{key}:");
    if !sel.labels.is_empty() {
        let _ = writeln!(s, "{pad}  matchLabels:");
        for (k, v) in &sel.labels {
            let _ = writeln!(s, "{pad}    {}: {}", q(k), q(v));
        }
    }
    if !sel.exprs.is_empty() {
        let _ = writeln!(s, "{pad}  matchExpressions:");
        for (k, op, vals) in &sel.exprs {
            let _ = write!(s, "{pad}  - key: {}\n{pad}    operator: {op}\n", q(k));
            if !vals.is_empty() {
                let list: Vec<String> = vals.iter().map(|v| q(v)).collect();
                let _ = writeln!(s, "{pad}    values: [{}]", list.join(", "));
            }
        }
    }
}

fn label_spec(labels: &Labels) -> SelSpec {
    SelSpec {
        labels: labels.clone(),
        exprs: Vec::new(),
    }
}

fn write_ports(s: &mut String, indent: usize, ports: &PortSet, warnings: &mut Vec<String>) {
    if ports.is_all() {
        return;
    }
    if ports.other_protocols() {
        warnings.push(format!(
            "ports `{ports}` include other protocols without all ports; written without them"
        ));
    }
    let pad = " ".repeat(indent);
    let _ = writeln!(s, "{pad}ports:");
    for p in Protocol::ALL {
        let r = ports.ranges(p);
        if r.is_full() {
            let _ = writeln!(s, "{pad}- protocol: {p}");
            continue;
        }
        for &(lo, hi) in r.ranges() {
            if lo == hi {
                let _ = writeln!(s, "{pad}- protocol: {p}\n{pad}  port: {lo}");
            } else {
                let _ = writeln!(
                    s,
                    "{pad}- protocol: {p}\n{pad}  port: {lo}\n{pad}  endPort: {hi}"
                );
            }
        }
    }
}

fn header(s: &mut String, name: &str, namespace: &str) {
    let _ = write!(
        s,
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {}\n  namespace: {}\n  labels:\n    \"app.kubernetes.io/managed-by\": \"kubeward\"\nspec:\n",
        q(&dns_name(name)),
        q(namespace)
    );
}

/// A selector for the pods of a workload: the labels all its pods share, narrowed with
/// requirements until no pod of another workload of the namespace matches; plus the
/// workloads that could not be excluded.
fn workload_selector(ix: &Index, w: &WorkloadRef) -> Option<(SelSpec, Vec<WorkloadRef>)> {
    let wi = *ix.workload_by_ref.get(w)?;
    let info = ix.workloads.get(wi)?;
    let mine: Vec<&Labels> = info
        .classes
        .iter()
        .filter_map(|&c| ix.class(c))
        .map(|c| &c.labels)
        .collect();
    let mut common: Option<Labels> = None;
    for l in &mine {
        common = Some(match common {
            None => (*l).clone(),
            Some(cur) => cur
                .into_iter()
                .filter(|(k, v)| l.get(k) == Some(v))
                .collect(),
        });
    }
    let mut sel = label_spec(&common.unwrap_or_default());
    let mut stuck = BTreeSet::new();
    for (oi, o) in ix.workloads.iter().enumerate() {
        if oi == wi || o.r.namespace != w.namespace {
            continue;
        }
        for &ci in &o.classes {
            let Some(c) = ix.class(ci) else { continue };
            if info.classes.contains(&ci) {
                // The very same pods (labels and ports): nothing can tell them apart.
                stuck.insert((*o.r).clone());
                continue;
            }
            if !sel.matches(&c.labels) {
                continue;
            }
            // A key the other pod has and none of ours: DoesNotExist.
            if let Some(k) = c
                .labels
                .keys()
                .find(|k| mine.iter().all(|l| !l.contains_key(*k)))
            {
                sel.exprs.push((k.clone(), "DoesNotExist", Vec::new()));
                continue;
            }
            // A key all of ours have (with several values) that it lacks or has otherwise: In.
            if let Some(k) = mine.first().and_then(|f| {
                f.keys().find(|k| {
                    mine.iter().all(|l| l.contains_key(*k))
                        && mine.iter().all(|l| l.get(*k) != c.labels.get(*k))
                })
            }) {
                let mut vals: Vec<String> = mine.iter().filter_map(|l| l.get(k).cloned()).collect();
                vals.sort();
                vals.dedup();
                sel.exprs.push((k.clone(), "In", vals));
                continue;
            }
            // A value of its that none of ours has: NotIn.
            if let Some((k, v)) = c
                .labels
                .iter()
                .find(|(k, v)| mine.iter().all(|l| l.get(*k) != Some(*v)))
            {
                sel.exprs.push((k.clone(), "NotIn", vec![v.clone()]));
                continue;
            }
            stuck.insert((*o.r).clone());
        }
    }
    Some((sel, stuck.into_iter().collect()))
}

fn write_peer(s: &mut String, indent: usize, ix: &Index, policy_ns: &str, peer: &Endpoint) {
    let pad = " ".repeat(indent);
    match peer {
        Endpoint::Workload(w) => {
            let labels = workload_selector(ix, w).map(|x| x.0).unwrap_or_default();
            if w.namespace == policy_ns {
                write_labels(s, &format!("{pad}- "), indent + 2, "podSelector", &labels);
            } else {
                let _ = writeln!(
                    s,
                    "{pad}- namespaceSelector:\n{pad}    matchLabels:\n{pad}      {}: {}",
                    q(NAME_LABEL),
                    q(&w.namespace)
                );
                write_labels(s, &format!("{pad}  "), indent + 2, "podSelector", &labels);
            }
        }
        Endpoint::IpRange(r) => {
            for c in r.to_cidrs() {
                let _ = writeln!(s, "{pad}- ipBlock:\n{pad}    cidr: {c}");
            }
        }
    }
}

impl Cluster {
    /// Generates a default-deny policy (both directions) for every namespace with workloads,
    /// plus one ingress and one egress policy per workload that allow exactly `flows` (or the
    /// current connections when `None`), then verifies the result by recomputing
    /// connectivity over the same workloads with only the generated policies.
    #[must_use]
    pub fn synth(&self, flows: Option<&[Connection]>) -> SynthResult {
        let current;
        let flows = match flows {
            Some(f) => f,
            None => {
                current = self.connections();
                &current
            }
        };
        let ix = self.index();
        let mut warnings = Vec::new();
        let mut ingress: BTreeMap<WorkloadRef, BTreeMap<PortSet, Vec<Endpoint>>> = BTreeMap::new();
        let mut egress: BTreeMap<WorkloadRef, BTreeMap<PortSet, Vec<Endpoint>>> = BTreeMap::new();
        let known = |e: &Endpoint, warnings: &mut Vec<String>| -> bool {
            match e {
                Endpoint::Workload(w) if !ix.workload_by_ref.contains_key(w.as_ref()) => {
                    warnings.push(format!(
                        "flow endpoint `{w}` is not a workload of the cluster; flow skipped"
                    ));
                    false
                }
                _ => true,
            }
        };
        for f in flows {
            if f.ports.is_empty() || !known(&f.src, &mut warnings) || !known(&f.dst, &mut warnings)
            {
                continue;
            }
            match (&f.src, &f.dst) {
                (Endpoint::IpRange(_), Endpoint::IpRange(_)) => {
                    warnings.push(format!(
                        "flow {} -> {} is between external addresses; skipped",
                        f.src, f.dst
                    ));
                }
                (src, dst) => {
                    if let Endpoint::Workload(d) = dst {
                        ingress
                            .entry((**d).clone())
                            .or_default()
                            .entry(f.ports.clone())
                            .or_default()
                            .push(src.clone());
                    }
                    if let Endpoint::Workload(s) = src {
                        egress
                            .entry((**s).clone())
                            .or_default()
                            .entry(f.ports.clone())
                            .or_default()
                            .push(dst.clone());
                    }
                }
            }
        }
        let mut yaml = String::new();
        let mut count = 0usize;
        let namespaces: BTreeSet<&str> = ix
            .workloads
            .iter()
            .map(|w| w.r.namespace.as_str())
            .collect();
        for ns in &namespaces {
            header(&mut yaml, "default-deny-all", ns);
            yaml.push_str("  podSelector: {}\n  policyTypes:\n  - Ingress\n  - Egress\n");
            count += 1;
        }
        for w in &ix.workloads {
            let Some((labels, others)) = workload_selector(&ix, &w.r) else {
                continue;
            };
            if !others.is_empty() && (ingress.contains_key(&w.r) || egress.contains_key(&w.r)) {
                let names: Vec<String> = others.iter().map(ToString::to_string).collect();
                warnings.push(format!(
                    "the pods of `{}` cannot be told apart by labels from {}; their policies overlap",
                    w.r,
                    names.join(", ")
                ));
            }
            for (dir, map) in [("ingress", &ingress), ("egress", &egress)] {
                let Some(groups) = map.get(&w.r) else {
                    continue;
                };
                header(
                    &mut yaml,
                    &format!("allow-{dir}-{}-{}", w.r.kind, w.r.name),
                    &w.r.namespace,
                );
                write_labels(&mut yaml, "  ", 2, "podSelector", &labels);
                let _ = writeln!(
                    yaml,
                    "  policyTypes:\n  - {}\n  {dir}:",
                    if dir == "ingress" {
                        "Ingress"
                    } else {
                        "Egress"
                    }
                );
                for (ports, peers) in groups {
                    let mut peers = peers.clone();
                    peers.sort();
                    peers.dedup();
                    let _ = writeln!(
                        yaml,
                        "  - {}:",
                        if dir == "ingress" { "from" } else { "to" }
                    );
                    for p in &peers {
                        write_peer(&mut yaml, 4, &ix, &w.r.namespace, p);
                    }
                    write_ports(&mut yaml, 4, ports, &mut warnings);
                }
                count += 1;
            }
        }
        let mut check = self.clone();
        check.clear_policies();
        check.add_yaml(SourceId(u32::MAX), &yaml);
        for issue in check.issues() {
            warnings.push(format!(
                "generated policy {}/{} {}: {}",
                issue.policy.namespace, issue.policy.name, issue.path, issue.message
            ));
        }
        let mismatch = diff(flows, &check.connections());
        warnings.sort();
        warnings.dedup();
        SynthResult {
            yaml,
            policies: count,
            warnings,
            mismatch,
        }
    }

    /// A quarantine NetworkPolicy for a workload: selects its pods for both directions and
    /// allows nothing (only DNS to `kube-system` `k8s-app: kube-dns` pods when `keep_dns`).
    ///
    /// # Errors
    /// An unknown workload.
    pub fn isolate(
        &self,
        target: &WorkloadRef,
        keep_dns: bool,
    ) -> Result<IsolateResult, NetpolError> {
        let ix = self.index();
        let target = if ix.workload_by_ref.contains_key(target) {
            target.clone()
        } else {
            ix.workloads
                .iter()
                .find(|w| {
                    w.r.namespace == target.namespace
                        && w.r.name == target.name
                        && (target.kind.is_empty() || w.r.kind.eq_ignore_ascii_case(&target.kind))
                })
                .map(|w| (*w.r).clone())
                .ok_or_else(|| NetpolError::UnknownWorkload(target.to_string()))?
        };
        let (labels, also_selects) = workload_selector(&ix, &target)
            .ok_or_else(|| NetpolError::UnknownWorkload(target.to_string()))?;
        let mut yaml = String::new();
        header(
            &mut yaml,
            &format!("quarantine-{}-{}", target.kind, target.name),
            &target.namespace,
        );
        write_labels(&mut yaml, "  ", 2, "podSelector", &labels);
        yaml.push_str("  policyTypes:\n  - Ingress\n  - Egress\n");
        if keep_dns {
            let _ = write!(
                yaml,
                "  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels:\n          {}: \"kube-system\"\n      podSelector:\n        matchLabels:\n          \"k8s-app\": \"kube-dns\"\n    ports:\n    - protocol: UDP\n      port: 53\n    - protocol: TCP\n      port: 53\n",
                q(NAME_LABEL)
            );
        }
        let mut still = BTreeSet::new();
        if let Some(info) = ix
            .workload_by_ref
            .get(&target)
            .and_then(|&i| ix.workloads.get(i))
        {
            for c in info.classes.iter().filter_map(|&c| ix.class(c)) {
                for (_, p) in ix.selecting(c) {
                    if (p.ingress_type && !p.ingress.is_empty())
                        || (p.egress_type && !p.egress.is_empty())
                    {
                        still.insert((*p.r).clone());
                    }
                }
            }
        }
        let mut after = self.clone();
        after.add_yaml(SourceId(u32::MAX), &yaml);
        let remaining = after
            .connections()
            .into_iter()
            .filter(|c| {
                c.src.as_workload() == Some(&target) || c.dst.as_workload() == Some(&target)
            })
            .collect();
        Ok(IsolateResult {
            yaml,
            also_selects,
            still_allowed_by: still.into_iter().collect(),
            remaining,
        })
    }
}

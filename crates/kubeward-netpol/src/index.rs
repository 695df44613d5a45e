//! The analysed form of a [`Cluster`]: namespaces, pod equivalence classes, workloads,
//! policies and the partition of external addresses, plus the per-pod evaluation primitives.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::cluster::{Cluster, ContainerPort, WorkloadRef};
use crate::ip::{Family, partition};
use crate::policy::{PeerKind, Policy, PortSpec, Rule};
use crate::ports::PortSet;
use crate::selector::Labels;
use crate::{Endpoint, IpRange, SourceId};

/// Pods that behave identically: same namespace, labels and container ports.
#[derive(Debug)]
pub(crate) struct PodClass {
    pub ns: usize,
    pub labels: Labels,
    pub ports: Vec<ContainerPort>,
    pub workloads: Vec<usize>,
}

#[derive(Debug)]
pub(crate) struct WorkloadInfo {
    pub r: Arc<WorkloadRef>,
    pub classes: Vec<usize>,
    pub images: Vec<String>,
    pub ports: Vec<ContainerPort>,
    /// Sources and object paths the workload was read from.
    pub objects: Vec<(SourceId, String)>,
    /// Some pod template uses `hostNetwork: true`.
    pub host_network: bool,
}

/// Something traffic can come from or go to, as the evaluation sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Peer<'a> {
    Pod(&'a PodClass),
    Ip(Family, u128),
}

#[derive(Debug)]
pub(crate) struct Index {
    pub ns_names: Vec<String>,
    pub ns_labels: Vec<Labels>,
    pub ns_by_name: HashMap<String, usize>,
    pub classes: Vec<PodClass>,
    pub classes_by_ns: Vec<Vec<usize>>,
    pub workloads: Vec<WorkloadInfo>,
    pub workload_by_ref: HashMap<WorkloadRef, usize>,
    pub policies: Vec<Policy>,
    pub policies_by_ns: Vec<Vec<usize>>,
    /// Elementary external address ranges (both families, sorted).
    pub atoms: Vec<(Family, u128, u128)>,
}

impl Index {
    pub(crate) fn build(c: &Cluster) -> Index {
        let ns_map = c.namespace_labels();
        let ns_names: Vec<String> = ns_map.keys().cloned().collect();
        let ns_labels: Vec<Labels> = ns_map.into_values().collect();
        let ns_by_name: HashMap<String, usize> = ns_names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();

        // Workloads, sorted.
        let resolved = c.resolve_workloads();
        let mut wl: BTreeMap<WorkloadRef, Vec<usize>> = BTreeMap::new();
        for (w, i) in resolved {
            wl.entry(w).or_default().push(i);
        }
        let mut classes: Vec<PodClass> = Vec::new();
        let mut class_key: HashMap<(usize, Labels, Vec<ContainerPort>), usize> = HashMap::new();
        let mut workloads = Vec::with_capacity(wl.len());
        let mut workload_by_ref = HashMap::with_capacity(wl.len());
        for (wi, (w, raws)) in wl.into_iter().enumerate() {
            let mut info = WorkloadInfo {
                r: Arc::new(w.clone()),
                classes: Vec::new(),
                images: Vec::new(),
                ports: Vec::new(),
                objects: Vec::new(),
                host_network: false,
            };
            for ri in raws {
                let Some(raw) = c.pods.get(ri) else { continue };
                let ns = ns_by_name.get(&raw.namespace).copied().unwrap_or(0);
                let mut ports = raw.ports.clone();
                ports.retain(|p| p.name.is_some());
                let key = (ns, raw.labels.clone(), ports);
                let next = classes.len();
                let ci = *class_key.entry(key).or_insert(next);
                if ci == next {
                    classes.push(PodClass {
                        ns,
                        labels: raw.labels.clone(),
                        ports: raw
                            .ports
                            .iter()
                            .filter(|p| p.name.is_some())
                            .cloned()
                            .collect(),
                        workloads: Vec::new(),
                    });
                }
                if !info.classes.contains(&ci) {
                    info.classes.push(ci);
                    if let Some(cl) = classes.get_mut(ci) {
                        cl.workloads.push(wi);
                    }
                }
                for img in &raw.images {
                    if !info.images.contains(img) {
                        info.images.push(img.clone());
                    }
                }
                for p in &raw.ports {
                    if !info.ports.contains(p) {
                        info.ports.push(p.clone());
                    }
                }
                info.objects.push((raw.source, raw.path.clone()));
                info.host_network |= raw.host_network;
            }
            workload_by_ref.insert(w, wi);
            workloads.push(info);
        }
        let mut classes_by_ns = vec![Vec::new(); ns_names.len()];
        for (i, cl) in classes.iter().enumerate() {
            if let Some(v) = classes_by_ns.get_mut(cl.ns) {
                v.push(i);
            }
        }
        let mut policies = c.policies.clone();
        policies.sort_by(|a, b| a.r.cmp(&b.r));
        let mut policies_by_ns = vec![Vec::new(); ns_names.len()];
        for (i, p) in policies.iter().enumerate() {
            if let Some(&ns) = ns_by_name.get(&p.r.namespace)
                && let Some(v) = policies_by_ns.get_mut(ns)
            {
                v.push(i);
            }
        }
        let mut cuts = Vec::new();
        for p in &policies {
            // Only rules that take effect cut the address space.
            let ing = if p.ingress_type {
                p.ingress.as_slice()
            } else {
                &[]
            };
            let eg = if p.egress_type {
                p.egress.as_slice()
            } else {
                &[]
            };
            for rule in ing.iter().chain(eg) {
                for peer in rule.peers.iter().flatten() {
                    if let PeerKind::Block(b) = &peer.kind {
                        cuts.push((b.family, b.lo, b.hi));
                        for &(lo, hi) in &b.except {
                            cuts.push((b.family, lo, hi));
                        }
                    }
                }
            }
        }
        let atoms = partition(&cuts);
        Index {
            ns_names,
            ns_labels,
            ns_by_name,
            classes,
            classes_by_ns,
            workloads,
            workload_by_ref,
            policies,
            policies_by_ns,
            atoms,
        }
    }

    pub(crate) fn class(&self, i: usize) -> Option<&PodClass> {
        self.classes.get(i)
    }

    pub(crate) fn ns_name(&self, ns: usize) -> &str {
        self.ns_names.get(ns).map_or("", String::as_str)
    }

    /// Policies selecting a pod class (any direction).
    pub(crate) fn selecting(&self, c: &PodClass) -> impl Iterator<Item = (usize, &Policy)> {
        self.policies_by_ns
            .get(c.ns)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.policies.get(i).map(|p| (i, p)))
            .filter(|(_, p)| p.pod_selector.matches(&c.labels))
    }

    /// Whether a selector peer of `policy` matches a pod class.
    pub(crate) fn peer_matches(&self, policy: &Policy, kind: &PeerKind, peer: Peer<'_>) -> bool {
        match (kind, peer) {
            (PeerKind::Pods { ns, pods }, Peer::Pod(c)) => {
                let ns_ok = match ns {
                    None => self.ns_name(c.ns) == policy.r.namespace,
                    Some(sel) => self.ns_labels.get(c.ns).is_some_and(|l| sel.matches(l)),
                };
                ns_ok && pods.as_ref().is_none_or(|s| s.matches(&c.labels))
            }
            (PeerKind::Block(b), Peer::Ip(f, v)) => b.contains(f, v),
            _ => false,
        }
    }

    /// Whether a rule's `from`/`to` matches the peer; returns the matching peer's path
    /// (`None` inside `Some` when the rule has no peers and so matches everything).
    pub(crate) fn rule_peer<'r>(
        &self,
        policy: &Policy,
        rule: &'r Rule,
        peer: Peer<'_>,
    ) -> Option<Option<&'r str>> {
        match &rule.peers {
            None => Some(None),
            Some(peers) => peers
                .iter()
                .find(|p| self.peer_matches(policy, &p.kind, peer))
                .map(|p| Some(p.path.as_str())),
        }
    }

    /// The pod classes a selector peer of `policy` matches.
    pub(crate) fn peer_classes(&self, policy: &Policy, kind: &PeerKind) -> Vec<usize> {
        let PeerKind::Pods { ns, .. } = kind else {
            return Vec::new();
        };
        let namespaces: Vec<usize> = match ns {
            None => self
                .ns_by_name
                .get(&policy.r.namespace)
                .copied()
                .into_iter()
                .collect(),
            Some(sel) => self
                .ns_labels
                .iter()
                .enumerate()
                .filter(|(_, l)| sel.matches(l))
                .map(|(i, _)| i)
                .collect(),
        };
        namespaces
            .into_iter()
            .flat_map(|n| self.classes_by_ns.get(n).into_iter().flatten().copied())
            .filter(|&c| {
                self.class(c)
                    .is_some_and(|cl| self.peer_matches(policy, kind, Peer::Pod(cl)))
            })
            .collect()
    }

    pub(crate) fn endpoint_count(&self) -> usize {
        self.workloads.len() + self.atoms.len()
    }

    pub(crate) fn endpoint(&self, i: usize) -> Option<Endpoint> {
        if let Some(w) = self.workloads.get(i) {
            return Some(Endpoint::Workload(w.r.clone()));
        }
        let &(f, lo, hi) = self.atoms.get(i - self.workloads.len())?;
        Some(Endpoint::IpRange(IpRange::from_parts(f, lo, hi)))
    }
}

/// Resolves a rule's ports against the destination: named ports look up the destination
/// pod's container ports (name and protocol); an external destination has none.
pub(crate) fn resolve_ports(ports: Option<&[(String, PortSpec)]>, dst: Peer<'_>) -> PortSet {
    let Some(ports) = ports else {
        return PortSet::all();
    };
    let mut out = PortSet::none();
    for (_, spec) in ports {
        let add = match spec {
            PortSpec::Any(p) => PortSet::protocol_all(*p),
            PortSpec::Range(p, lo, hi) => PortSet::ports(*p, *lo, *hi),
            PortSpec::Named(p, name) => match dst {
                Peer::Pod(c) => match named_port(c, name, *p) {
                    Some(n) => PortSet::ports(*p, n, n),
                    None => continue,
                },
                Peer::Ip(..) => continue,
            },
        };
        out = out.union(&add);
    }
    out
}

pub(crate) fn named_port(c: &PodClass, name: &str, proto: crate::Protocol) -> Option<u16> {
    c.ports
        .iter()
        .find(|p| p.protocol == proto && p.name.as_deref() == Some(name))
        .map(|p| p.port)
}

/// Whether a rule has any named port.
pub(crate) fn has_named(ports: Option<&[(String, PortSpec)]>) -> bool {
    ports.is_some_and(|v| v.iter().any(|(_, s)| matches!(s, PortSpec::Named(..))))
}

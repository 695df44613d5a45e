//! Coverage facts for scan rules.

use std::collections::{BTreeSet, HashMap};

type PeerMemoKey = (
    Option<String>,
    Option<crate::selector::Selector>,
    Option<crate::selector::Selector>,
);

use serde::{Deserialize, Serialize};

use crate::index::{Index, named_port};
use crate::policy::{PeerKind, PolicyRef, PortSpec};
use crate::ports::{PortSet, Protocol};
use crate::{Cluster, WorkloadRef};

/// A place in a policy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PolicyLocation {
    /// The policy.
    pub policy: PolicyRef,
    /// Field path relative to the policy object.
    pub path: String,
}

/// A namespace that lacks a default-deny policy for a direction.
///
/// A default-deny policy selects every pod (`podSelector: {}`), has the policy type, and no
/// rules for it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NamespaceDefaultDeny {
    /// The namespace.
    pub namespace: String,
    /// No ingress default-deny.
    pub ingress_missing: bool,
    /// No egress default-deny.
    pub egress_missing: bool,
    /// How many workloads live there.
    pub workloads: usize,
}

/// How an ingress rule lets everything in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowAllKind {
    /// The rule has no `from`: every source, in the cluster or outside.
    AnySource,
    /// A peer `namespaceSelector: {}` without a narrowing `podSelector`: every pod of every
    /// namespace.
    AllNamespaces,
}

/// An ingress rule that allows traffic from everything or from all namespaces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AllowAllIngress {
    /// Where: the rule, or the peer for [`AllowAllKind::AllNamespaces`].
    pub location: PolicyLocation,
    /// Which shape.
    pub kind: AllowAllKind,
    /// The ports it opens (`all` when the rule has no `ports`; named ports unresolved are
    /// left out).
    pub all_ports: bool,
}

/// A named port that no pod it could apply to defines.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UnresolvedNamedPort {
    /// Where (`spec.ingress[0].ports[1]`).
    pub location: PolicyLocation,
    /// The port name.
    pub name: String,
    /// Its protocol.
    pub protocol: Protocol,
}

/// A database-like workload that every other workload can reach.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SensitiveExposure {
    /// The workload.
    pub workload: WorkloadRef,
    /// Why it is sensitive (`image postgres:16`, `port 5432/TCP`).
    pub reasons: Vec<String>,
    /// The ports every other workload can reach it on (intersection).
    pub common_ports: PortSet,
}

/// Coverage facts for scan rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Workloads with a pod no policy isolates for ingress.
    pub not_isolated_ingress: Vec<WorkloadRef>,
    /// Workloads with a pod no policy isolates for egress.
    pub not_isolated_egress: Vec<WorkloadRef>,
    /// Namespaces without a default-deny policy for some direction.
    pub namespaces_without_default_deny: Vec<NamespaceDefaultDeny>,
    /// Policies whose `spec.podSelector` selects no pod.
    pub policies_selecting_nothing: Vec<PolicyLocation>,
    /// Selector peers (`from[i]`/`to[i]`) that match no pod.
    pub peers_matching_nothing: Vec<PolicyLocation>,
    /// Ingress rules open to everything or to all namespaces.
    pub allow_all_ingress: Vec<AllowAllIngress>,
    /// Egress rules to `0.0.0.0/0` or `::/0` (or with no `to`) on all ports.
    pub egress_to_world: Vec<PolicyLocation>,
    /// Named ports that resolve on no pod they apply to.
    pub unresolved_named_ports: Vec<UnresolvedNamedPort>,
    /// Sensitive workloads reachable from every other workload.
    pub exposed_sensitive: Vec<SensitiveExposure>,
    /// Workloads with `hostNetwork: true` pods: they use the node's address, which
    /// NetworkPolicy does not reliably govern (the documented behaviour is undefined), so
    /// their computed connectivity may not hold.
    pub host_network: Vec<WorkloadRef>,
}

const SENSITIVE_IMAGES: [&str; 7] = [
    "postgres",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "cassandra",
    "elasticsearch",
];
const SENSITIVE_PORTS: [u16; 6] = [5432, 3306, 27017, 6379, 9042, 9200];

fn image_base(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last)
}

impl Cluster {
    /// Coverage facts: isolation gaps, default-deny gaps, dead selectors, over-broad rules,
    /// unresolvable named ports and exposed databases.
    #[must_use]
    pub fn coverage(&self) -> Coverage {
        let ix = self.index();
        let mut cov = Coverage::default();

        // Isolation.
        let iso: Vec<(bool, bool)> = ix
            .classes
            .iter()
            .map(|c| {
                ix.selecting(c).fold((false, false), |(i, e), (_, p)| {
                    (i || p.ingress_type, e || p.egress_type)
                })
            })
            .collect();
        for w in &ix.workloads {
            let cls: Vec<(bool, bool)> = w
                .classes
                .iter()
                .filter_map(|&c| iso.get(c).copied())
                .collect();
            if cls.iter().any(|(i, _)| !i) {
                cov.not_isolated_ingress.push((*w.r).clone());
            }
            if cls.iter().any(|(_, e)| !e) {
                cov.not_isolated_egress.push((*w.r).clone());
            }
        }

        // Default deny per namespace.
        let mut per_ns: HashMap<&str, usize> = HashMap::new();
        for w in &ix.workloads {
            *per_ns.entry(w.r.namespace.as_str()).or_default() += 1;
        }
        for (ni, name) in ix.ns_names.iter().enumerate() {
            let pols = ix.policies_by_ns.get(ni).map_or(&[][..], Vec::as_slice);
            let mut ing = false;
            let mut eg = false;
            for p in pols.iter().filter_map(|&i| ix.policies.get(i)) {
                if p.pod_selector.is_empty() {
                    ing |= p.ingress_type && p.ingress.is_empty();
                    eg |= p.egress_type && p.egress.is_empty();
                }
            }
            if !ing || !eg {
                cov.namespaces_without_default_deny
                    .push(NamespaceDefaultDeny {
                        namespace: name.clone(),
                        ingress_missing: !ing,
                        egress_missing: !eg,
                        workloads: per_ns.get(name.as_str()).copied().unwrap_or(0),
                    });
            }
        }

        let mut memo: HashMap<PeerMemoKey, Vec<usize>> = HashMap::new();
        for p in &ix.policies {
            let loc = |path: &str| PolicyLocation {
                policy: (*p.r).clone(),
                path: path.to_string(),
            };
            let scope = ix.ns_by_name.get(&p.r.namespace).copied();
            let selected: Vec<usize> = scope
                .and_then(|n| ix.classes_by_ns.get(n))
                .into_iter()
                .flatten()
                .copied()
                .filter(|&c| {
                    ix.class(c)
                        .is_some_and(|cl| p.pod_selector.matches(&cl.labels))
                })
                .collect();
            if selected.is_empty() {
                cov.policies_selecting_nothing.push(loc("spec.podSelector"));
            }
            for (ingress, rules) in [(true, &p.ingress), (false, &p.egress)] {
                let applies = if ingress {
                    p.ingress_type
                } else {
                    p.egress_type
                };
                if !applies {
                    continue;
                }
                for rule in rules {
                    let mut matched_classes: BTreeSet<usize> = BTreeSet::new();
                    for peer in rule.peers.iter().flatten() {
                        match &peer.kind {
                            PeerKind::Pods { ns, pods } => {
                                let key = (
                                    ns.is_none().then(|| p.r.namespace.clone()),
                                    ns.clone(),
                                    pods.clone(),
                                );
                                let m = memo
                                    .entry(key)
                                    .or_insert_with(|| ix.peer_classes(p, &peer.kind))
                                    .clone();
                                if m.is_empty() {
                                    cov.peers_matching_nothing.push(loc(&peer.path));
                                }
                                matched_classes.extend(m);
                                if ingress
                                    && ns.as_ref().is_some_and(crate::selector::Selector::is_empty)
                                    && pods
                                        .as_ref()
                                        .is_none_or(crate::selector::Selector::is_empty)
                                {
                                    cov.allow_all_ingress.push(AllowAllIngress {
                                        location: loc(&peer.path),
                                        kind: AllowAllKind::AllNamespaces,
                                        all_ports: rule.ports.is_none(),
                                    });
                                }
                            }
                            PeerKind::Block(b) => {
                                if !ingress && b.prefix == 0 && rule.ports.is_none() {
                                    cov.egress_to_world.push(loc(&peer.path));
                                }
                            }
                        }
                    }
                    if rule.peers.is_none() {
                        if ingress {
                            cov.allow_all_ingress.push(AllowAllIngress {
                                location: loc(&rule.path),
                                kind: AllowAllKind::AnySource,
                                all_ports: rule.ports.is_none(),
                            });
                        } else if rule.ports.is_none() {
                            cov.egress_to_world.push(loc(&rule.path));
                        }
                    }
                    // Named ports resolve against the destination: the selected pods for
                    // ingress, the peers for egress.
                    let dests: Vec<usize> = if ingress {
                        selected.clone()
                    } else if rule.peers.is_none() {
                        (0..ix.classes.len()).collect()
                    } else {
                        matched_classes.iter().copied().collect()
                    };
                    for (path, spec) in rule.ports.iter().flatten() {
                        if let PortSpec::Named(proto, name) = spec {
                            let found = dests.iter().any(|&c| {
                                ix.class(c)
                                    .is_some_and(|cl| named_port(cl, name, *proto).is_some())
                            });
                            if !found {
                                cov.unresolved_named_ports.push(UnresolvedNamedPort {
                                    location: loc(path),
                                    name: name.clone(),
                                    protocol: *proto,
                                });
                            }
                        }
                    }
                }
            }
        }

        cov.exposed_sensitive = sensitive(self, &ix);
        cov.host_network = ix
            .workloads
            .iter()
            .filter(|w| w.host_network)
            .map(|w| (*w.r).clone())
            .collect();
        cov.policies_selecting_nothing.sort();
        cov.peers_matching_nothing.sort();
        cov.allow_all_ingress.sort();
        cov.egress_to_world.sort();
        cov.unresolved_named_ports.sort();
        cov
    }
}

fn sensitive(cluster: &Cluster, ix: &Index) -> Vec<SensitiveExposure> {
    let mut cands: Vec<(usize, Vec<String>)> = Vec::new();
    for (wi, w) in ix.workloads.iter().enumerate() {
        let mut reasons = Vec::new();
        for img in &w.images {
            let base = image_base(img).to_ascii_lowercase();
            if SENSITIVE_IMAGES.iter().any(|s| base.contains(s)) {
                reasons.push(format!("image {img}"));
            }
        }
        for p in &w.ports {
            if SENSITIVE_PORTS.contains(&p.port) {
                reasons.push(format!("port {}/{}", p.port, p.protocol));
            }
        }
        if !reasons.is_empty() {
            cands.push((wi, reasons));
        }
    }
    if cands.is_empty() || ix.workloads.len() < 2 {
        return Vec::new();
    }
    let nw = ix.workloads.len();
    // Per candidate: how many other workloads reach it, and on which ports in common.
    let mut want: Vec<Option<usize>> = vec![None; nw];
    for (k, (wi, _)) in cands.iter().enumerate() {
        if let Some(slot) = want.get_mut(*wi) {
            *slot = Some(k);
        }
    }
    let mut acc: Vec<(usize, Option<PortSet>)> = vec![(0, None); cands.len()];
    crate::engine::compute(ix, |a, b, p| {
        let (a, b) = (a as usize, b as usize);
        if a == b || a >= nw {
            return;
        }
        if let Some(Some(k)) = want.get(b)
            && let Some(slot) = acc.get_mut(*k)
        {
            slot.0 += 1;
            slot.1 = Some(match slot.1.take() {
                None => p.clone(),
                Some(c) => c.intersect(p),
            });
        }
    });
    let mut out = Vec::new();
    for ((wi, reasons), (count, common)) in cands.into_iter().zip(acc) {
        if count + 1 == nw
            && let (Some(info), Some(common)) = (ix.workloads.get(wi), common)
        {
            out.push(SensitiveExposure {
                workload: (*info.r).clone(),
                reasons,
                common_ports: common,
            });
        }
    }
    let _ = cluster;
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn image_base_names() {
        assert_eq!(
            super::image_base("docker.io/bitnami/postgresql:16@sha256:abc"),
            "postgresql"
        );
        assert_eq!(super::image_base("redis"), "redis");
        assert_eq!(super::image_base("localhost:5000/mongo:7"), "mongo");
    }
}

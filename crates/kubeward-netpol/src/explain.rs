//! Why one flow is allowed or denied.

use serde::{Deserialize, Serialize};

use crate::index::{Index, Peer, PodClass, resolve_ports};
use crate::ip::split_addr;
use crate::policy::{Policy, PolicyRef};
use crate::ports::{PortSet, Protocol};
use crate::{Endpoint, NetpolError};

/// A rule that allows (part of) a flow.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RuleMatch {
    /// The policy.
    pub policy: PolicyRef,
    /// Field path of the rule (`spec.ingress[0]`).
    pub rule: String,
    /// Field path of the peer that matched (`spec.ingress[0].from[1]`); `None` when the rule
    /// has no `from`/`to` and so matches every peer.
    pub peer: Option<String>,
    /// The ports the rule allows for this flow (named ports resolved).
    pub ports: PortSet,
}

/// The verdict of one direction (egress at the source, ingress at the destination).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectionVerdict {
    /// Whether this direction lets (some of) the flow through.
    pub allowed: bool,
    /// Whether the pod is isolated in this direction (some policy selecting it has the
    /// policy type). An unisolated pod, or an external address, allows everything.
    pub isolated: bool,
    /// The policies that isolate the pod for this direction (all of them, allowing or not).
    pub selecting_policies: Vec<PolicyRef>,
    /// The rules that allow the flow (empty and `isolated` means denied by isolation).
    pub allowed_by: Vec<RuleMatch>,
    /// The ports this direction allows (restricted to the asked port when one was given).
    pub ports: PortSet,
}

impl DirectionVerdict {
    fn open() -> Self {
        DirectionVerdict {
            allowed: true,
            isolated: false,
            selecting_policies: Vec::new(),
            allowed_by: Vec::new(),
            ports: PortSet::all(),
        }
    }

    fn merge(&mut self, other: DirectionVerdict) {
        self.allowed |= other.allowed;
        self.isolated |= other.isolated;
        self.ports = self.ports.union(&other.ports);
        for p in other.selecting_policies {
            if !self.selecting_policies.contains(&p) {
                self.selecting_policies.push(p);
            }
        }
        for r in other.allowed_by {
            if let Some(existing) = self
                .allowed_by
                .iter_mut()
                .find(|x| x.policy == r.policy && x.rule == r.rule && x.peer == r.peer)
            {
                existing.ports = existing.ports.union(&r.ports);
            } else {
                self.allowed_by.push(r);
            }
        }
        self.selecting_policies.sort();
        self.allowed_by.sort();
    }
}

/// Why a flow is allowed or denied.
///
/// When a workload has pods that differ (labels or named ports), every pod pair is evaluated;
/// the explanation merges the pairs that are allowed (or all pairs when none is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// Allowed iff egress at the source and ingress at the destination both allow it (for
    /// some pod pair and, when no port was given, some port).
    pub allowed: bool,
    /// The ports allowed end to end (restricted to the asked port when one was given).
    pub ports: PortSet,
    /// Egress at the source.
    pub egress: DirectionVerdict,
    /// Ingress at the destination.
    pub ingress: DirectionVerdict,
}

fn verdict<'a>(
    ix: &Index,
    policies: impl Iterator<Item = (usize, &'a Policy)>,
    ingress: bool,
    other: Peer<'_>,
    dst: Peer<'_>,
    filter: &PortSet,
) -> DirectionVerdict {
    let mut v = DirectionVerdict {
        allowed: false,
        isolated: false,
        selecting_policies: Vec::new(),
        allowed_by: Vec::new(),
        ports: PortSet::none(),
    };
    for (_, p) in policies {
        let (applies, rules) = if ingress {
            (p.ingress_type, &p.ingress)
        } else {
            (p.egress_type, &p.egress)
        };
        if !applies {
            continue;
        }
        v.isolated = true;
        v.selecting_policies.push((*p.r).clone());
        for rule in rules {
            let Some(peer) = ix.rule_peer(p, rule, other) else {
                continue;
            };
            let ports = resolve_ports(rule.ports.as_deref(), dst).intersect(filter);
            if ports.is_empty() {
                continue;
            }
            v.ports = v.ports.union(&ports);
            v.allowed_by.push(RuleMatch {
                policy: (*p.r).clone(),
                rule: rule.path.clone(),
                peer: peer.map(str::to_string),
                ports,
            });
        }
    }
    if !v.isolated {
        let mut open = DirectionVerdict::open();
        open.ports = filter.clone();
        return open;
    }
    v.allowed = !v.ports.is_empty();
    v
}

/// A resolved side of a flow: the pod classes of a workload, or one external address.
enum Side<'a> {
    Pods(Vec<&'a PodClass>),
    Ip(Peer<'a>),
}

fn side<'a>(ix: &'a Index, e: &Endpoint) -> Result<Side<'a>, NetpolError> {
    match e {
        Endpoint::Workload(w) => {
            let wi = ix
                .workload_by_ref
                .get(w.as_ref())
                .copied()
                .or_else(|| {
                    ix.workloads.iter().position(|x| {
                        x.r.namespace == w.namespace
                            && x.r.name == w.name
                            && (w.kind.is_empty() || x.r.kind.eq_ignore_ascii_case(&w.kind))
                    })
                })
                .ok_or_else(|| NetpolError::UnknownWorkload(w.to_string()))?;
            let info = ix
                .workloads
                .get(wi)
                .ok_or_else(|| NetpolError::UnknownWorkload(w.to_string()))?;
            Ok(Side::Pods(
                info.classes.iter().filter_map(|&c| ix.class(c)).collect(),
            ))
        }
        Endpoint::IpRange(r) => {
            let (f, v) = split_addr(r.start);
            Ok(Side::Ip(Peer::Ip(f, v)))
        }
    }
}

pub(crate) fn explain(
    ix: &Index,
    from: &Endpoint,
    to: &Endpoint,
    port: Option<(u16, Protocol)>,
) -> Result<Explanation, NetpolError> {
    let filter = port.map_or_else(PortSet::all, |(p, proto)| PortSet::ports(proto, p, p));
    let src = side(ix, from)?;
    let dst = side(ix, to)?;
    let src_peers: Vec<Peer<'_>> = match &src {
        Side::Pods(v) => v.iter().map(|c| Peer::Pod(c)).collect(),
        Side::Ip(p) => vec![*p],
    };
    let dst_peers: Vec<Peer<'_>> = match &dst {
        Side::Pods(v) => v.iter().map(|c| Peer::Pod(c)).collect(),
        Side::Ip(p) => vec![*p],
    };
    if matches!((&src, &dst), (Side::Ip(_), Side::Ip(_))) {
        return Err(NetpolError::ExternalToExternal);
    }
    let mut pairs = Vec::new();
    for &s in &src_peers {
        for &d in &dst_peers {
            let egress = match s {
                Peer::Pod(c) => verdict(ix, ix.selecting(c), false, d, d, &filter),
                Peer::Ip(..) => {
                    let mut o = DirectionVerdict::open();
                    o.ports = filter.clone();
                    o
                }
            };
            let ingress = match d {
                Peer::Pod(c) => verdict(ix, ix.selecting(c), true, s, d, &filter),
                Peer::Ip(..) => {
                    let mut o = DirectionVerdict::open();
                    o.ports = filter.clone();
                    o
                }
            };
            let ports = egress.ports.intersect(&ingress.ports);
            pairs.push((ports, egress, ingress));
        }
    }
    let any_allowed = pairs.iter().any(|(p, _, _)| !p.is_empty());
    let mut result: Option<Explanation> = None;
    for (ports, egress, ingress) in pairs {
        if any_allowed && ports.is_empty() {
            continue;
        }
        match &mut result {
            None => {
                result = Some(Explanation {
                    allowed: !ports.is_empty(),
                    ports,
                    egress,
                    ingress,
                });
            }
            Some(r) => {
                r.allowed |= !ports.is_empty();
                r.ports = r.ports.union(&ports);
                r.egress.merge(egress);
                r.ingress.merge(ingress);
            }
        }
    }
    result.ok_or(NetpolError::NoPods)
}

//! Kubernetes NetworkPolicy (`networking.k8s.io/v1`) engine: exact connectivity between
//! workloads and external address ranges, explanations, coverage facts, graphs, policy
//! synthesis, quarantine policies and connectivity diffs.
//!
//! ```
//! use kubeward_netpol::{Cluster, Endpoint, PortSet, Protocol, SourceId};
//!
//! let cluster = Cluster::from_yaml(SourceId(0), r#"
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata: {name: web, namespace: shop}
//! spec:
//!   template:
//!     metadata: {labels: {app: web}}
//!     spec:
//!       containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]
//! ---
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata: {name: client, namespace: shop}
//! spec:
//!   template:
//!     metadata: {labels: {app: client}}
//!     spec: {containers: [{name: c, image: curl}]}
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: web-allow-client, namespace: shop}
//! spec:
//!   podSelector: {matchLabels: {app: web}}
//!   ingress:
//!   - from: [{podSelector: {matchLabels: {app: client}}}]
//!     ports: [{port: http}]
//! "#);
//! let web = Endpoint::workload("Deployment", "shop", "web");
//! let client = Endpoint::workload("Deployment", "shop", "client");
//! let conns = cluster.connections();
//! let c = conns.iter().find(|c| c.src == client && c.dst == web).unwrap();
//! assert_eq!(c.ports, PortSet::ports(Protocol::Tcp, 8080, 8080));
//!
//! let why = cluster.explain(&client, &web, Some((8080, Protocol::Tcp))).unwrap();
//! assert!(why.allowed);
//! assert_eq!(why.ingress.allowed_by[0].peer.as_deref(), Some("spec.ingress[0].from[0]"));
//! ```
//!
//! # Semantics
//!
//! As the Kubernetes documentation and API validation define them:
//!
//! - A pod is isolated for a direction only when a policy selecting it has that policy type;
//!   `policyTypes` defaults to `Ingress`, plus `Egress` when `egress` has rules.
//! - Traffic is allowed iff egress at the source and ingress at the destination both allow
//!   it. Policies are additive: any rule of any selecting policy can allow.
//! - Absent or empty `from`/`to`: every peer (pods and addresses); absent or empty `ports`:
//!   every port and protocol; `ingress: []` or absent: nothing.
//! - A peer's `podSelector` alone means the policy's namespace; with `namespaceSelector`
//!   both must match (AND); separate peers are OR-ed. Namespaces carry the
//!   `kubernetes.io/metadata.name` label (namespaces that are referenced but not defined get
//!   only that label); objects without a namespace live in `default`.
//! - Named ports resolve against the destination pod's container ports by name and
//!   protocol: `containers` plus native sidecars (`initContainers` with
//!   `restartPolicy: Always`); each pod on its own, so two pods of one workload may differ.
//!   An external address has no named ports.
//! - ipBlocks match only addresses outside the cluster (pod addresses are not known
//!   statically); the address space (IPv4 and IPv6) is cut at every `cidr` and `except`
//!   boundary, so external endpoints are exact ranges.
//! - Invalid policies (the API server's validation: CIDRs, `except` outside `cidr`, `endPort`
//!   rules, peers, selectors, protocols, port names) are [`PolicyIssue`]s with field paths
//!   and are left out of every computation; a redefined namespace/name replaces the earlier
//!   object.
//!
//! # Model
//!
//! Endpoints are workloads: the pods of one controlling owner (Deployment with its
//! ReplicaSets, CronJob with its Jobs, StatefulSet, DaemonSet, Job, ReplicaSet,
//! ReplicationController, or a bare Pod), followed through `ownerReferences`. Labels come
//! from pod templates (or the Pod). Pods with the same namespace, labels and named ports form
//! one equivalence class, and classes with the same behaviour are computed once, which keeps
//! 10,000 pods with 2,000 policies around a second.
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod cluster;
mod coverage;
mod diff;
mod engine;
mod explain;
mod graph;
mod index;
mod ip;
mod policy;
mod ports;
mod selector;
mod synth;

use std::fmt;
use std::sync::Arc;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub(crate) use cluster::object_namespace;
pub use cluster::{Cluster, ContainerPort, NAME_LABEL, WORKLOAD_KINDS, WorkloadRef};
pub use coverage::{
    AllowAllIngress, AllowAllKind, Coverage, NamespaceDefaultDeny, PolicyLocation,
    SensitiveExposure, UnresolvedNamedPort,
};
pub use diff::{ConnectionDiff, diff};
pub use explain::{DirectionVerdict, Explanation, RuleMatch};
pub use graph::{graph_dot, graph_mermaid};
pub use ip::{IpParseError, IpRange};
pub use policy::{IssueSeverity, PolicyIssue, PolicyRef};
pub use ports::{MAX_PORT, MIN_PORT, PortRanges, PortSet, Protocol};
pub use synth::{IsolateResult, SynthResult};

/// An opaque id for where an object came from (a file id of the caller's choosing).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct SourceId(pub u32);

/// Errors of the query entry points.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetpolError {
    /// No workload with that reference.
    #[error("no workload `{0}`")]
    UnknownWorkload(String),
    /// Both ends of a flow are external addresses.
    #[error("a flow between two external addresses is not subject to NetworkPolicy")]
    ExternalToExternal,
    /// The workload has no pods to evaluate.
    #[error("the workload has no pods")]
    NoPods,
}

/// One end of a connection: a workload, or a range of external addresses.
///
/// Serializes as `{"kind", "namespace", "name"}` or `{"ip_range": "a-b"}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// The pods of a workload.
    Workload(Arc<WorkloadRef>),
    /// External addresses (outside the cluster).
    IpRange(IpRange),
}

impl Endpoint {
    /// A workload endpoint.
    #[must_use]
    pub fn workload(kind: &str, namespace: &str, name: &str) -> Self {
        Endpoint::Workload(Arc::new(WorkloadRef::new(kind, namespace, name)))
    }

    /// Parses `Kind/namespace/name`, `namespace/name`, an address, `a-b` range or CIDR.
    ///
    /// # Errors
    /// When the text is none of these.
    pub fn parse(s: &str) -> Result<Self, IpParseError> {
        if let Ok(r) = s.parse::<IpRange>() {
            return Ok(Endpoint::IpRange(r));
        }
        WorkloadRef::parse(s)
            .map(|w| Endpoint::Workload(Arc::new(w)))
            .ok_or_else(|| IpParseError::Invalid(s.to_string()))
    }

    /// The workload, if this is one.
    #[must_use]
    pub fn as_workload(&self) -> Option<&WorkloadRef> {
        match self {
            Endpoint::Workload(w) => Some(w),
            Endpoint::IpRange(_) => None,
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Workload(w) => w.fmt(f),
            Endpoint::IpRange(r) => r.fmt(f),
        }
    }
}

impl Serialize for Endpoint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Endpoint::Workload(w) => w.serialize(s),
            Endpoint::IpRange(r) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("ip_range", r)?;
                m.end()
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum EndpointRepr {
    Ip { ip_range: IpRange },
    Workload(WorkloadRef),
}

impl<'de> Deserialize<'de> for Endpoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match EndpointRepr::deserialize(d)? {
            EndpointRepr::Ip { ip_range } => Endpoint::IpRange(ip_range),
            EndpointRepr::Workload(w) => Endpoint::Workload(Arc::new(w)),
        })
    }
}

/// Allowed traffic from `src` to `dst` on `ports`. A pair that is not listed is denied.
///
/// A workload's connection to itself is traffic between its pods as the policies decide
/// (as cyclonus/policy-assistant simulate it). The Kubernetes documentation notes that a pod
/// cannot block access to itself; that loopback traffic is not modelled separately.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Connection {
    /// Where traffic starts.
    pub src: Endpoint,
    /// Where it goes.
    pub dst: Endpoint,
    /// What it may use.
    pub ports: PortSet,
}

/// The JSON document `{"connections": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionsReport {
    /// Every allowed connection, sorted by source then destination.
    pub connections: Vec<Connection>,
}

impl Cluster {
    /// Every allowed connection between workloads and external ranges, sorted (workloads by
    /// namespace/name/kind, then external ranges, IPv4 before IPv6). External ranges are the
    /// pieces of the address space cut by every ipBlock `cidr` and `except`.
    #[must_use]
    pub fn connections(&self) -> Vec<Connection> {
        let ix = self.index();
        let eps: Vec<Endpoint> = (0..ix.endpoint_count())
            .filter_map(|i| ix.endpoint(i))
            .collect();
        // Compact first, then one exact allocation for the result.
        let mut compact: Vec<(u32, u32, PortSet)> = Vec::new();
        engine::compute(&ix, |a, b, ports| compact.push((a, b, ports.clone())));
        let mut out = Vec::with_capacity(compact.len());
        for (a, b, ports) in compact {
            if let (Some(src), Some(dst)) = (eps.get(a as usize), eps.get(b as usize)) {
                out.push(Connection {
                    src: src.clone(),
                    dst: dst.clone(),
                    ports,
                });
            }
        }
        out
    }

    /// Streams the same connections as [`Cluster::connections`], in the same order, without
    /// collecting them (for very large, very open clusters).
    pub fn for_each_connection(&self, mut f: impl FnMut(&Endpoint, &Endpoint, &PortSet)) {
        let ix = self.index();
        let eps: Vec<Endpoint> = (0..ix.endpoint_count())
            .filter_map(|i| ix.endpoint(i))
            .collect();
        engine::compute(&ix, |a, b, ports| {
            if let (Some(src), Some(dst)) = (eps.get(a as usize), eps.get(b as usize)) {
                f(src, dst, ports);
            }
        });
    }

    /// [`Cluster::connections`] wrapped for JSON output.
    #[must_use]
    pub fn connections_report(&self) -> ConnectionsReport {
        ConnectionsReport {
            connections: self.connections(),
        }
    }

    /// Every endpoint: the workloads (sorted), then the external ranges.
    #[must_use]
    pub fn endpoints(&self) -> Vec<Endpoint> {
        let ix = self.index();
        (0..ix.endpoint_count())
            .filter_map(|i| ix.endpoint(i))
            .collect()
    }

    /// Every workload, sorted.
    #[must_use]
    pub fn workloads(&self) -> Vec<WorkloadRef> {
        self.index()
            .workloads
            .iter()
            .map(|w| (*w.r).clone())
            .collect()
    }

    /// The objects (source and field path of the object within it) a workload was read
    /// from: its controller, ReplicaSets, Jobs and Pods. Empty for an unknown workload.
    #[must_use]
    pub fn workload_objects(&self, workload: &WorkloadRef) -> Vec<(SourceId, String)> {
        let ix = self.index();
        ix.workload_by_ref
            .get(workload)
            .and_then(|&i| ix.workloads.get(i))
            .map(|w| w.objects.clone())
            .unwrap_or_default()
    }

    /// The valid NetworkPolicies, sorted.
    #[must_use]
    pub fn policies(&self) -> Vec<PolicyRef> {
        self.index()
            .policies
            .iter()
            .map(|p| (*p.r).clone())
            .collect()
    }

    /// Why traffic from `from` to `to` (on `port`, or on any port) is allowed or denied. An
    /// [`Endpoint::IpRange`] is evaluated at its first address; a workload may be given with
    /// an empty kind to match any kind.
    ///
    /// # Errors
    /// An unknown workload, a workload without pods, or two external ends.
    pub fn explain(
        &self,
        from: &Endpoint,
        to: &Endpoint,
        port: Option<(u16, Protocol)>,
    ) -> Result<Explanation, NetpolError> {
        explain::explain(&self.index(), from, to, port)
    }
}

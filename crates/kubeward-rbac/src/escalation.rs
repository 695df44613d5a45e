//! The privilege-escalation graph: who can become whom, down to cluster-admin power.
//!
//! Nodes are subjects (users, groups, service accounts), workloads (given by the caller),
//! a few "any …" nodes that stand for a set (any service account of a namespace, any pod of
//! a namespace, any user) and the `cluster-admin` sink. An edge `A → B` means "A can obtain
//! B's permissions", with the reason and the binding → role → rule that grants it. Edges come
//! only from a subject's own bindings; group membership is an edge of its own (users and
//! service accounts are in `system:authenticated`, service accounts in
//! `system:serviceaccounts[:NS]`, workloads run as their service account).
//!
//! The edges modelled (cluster scope = a ClusterRoleBinding, namespace scope = a RoleBinding):
//!
//! | permission | scope | leads to |
//! |---|---|---|
//! | `*` verbs on `*` resources in `*` groups | cluster | cluster-admin |
//! | create pods (or deployments, daemonsets, statefulsets, replicasets, jobs, cronjobs, replicationcontrollers) | cluster / NS | any service account (of NS) |
//! | get (any name), list or watch secrets | cluster / NS | any service account (its token) |
//! | bind clusterrole `cluster-admin` + create clusterrolebindings | cluster | cluster-admin |
//! | bind (cluster)roles + create rolebindings | cluster / NS | any service account |
//! | escalate + update/patch clusterroles (roles) | cluster (NS) | cluster-admin (any service account of NS) |
//! | impersonate groups `system:masters` | cluster | cluster-admin |
//! | impersonate users | cluster | any user / the named users |
//! | impersonate serviceaccounts, create serviceaccounts/token | cluster / NS | any / the named service accounts |
//! | get or create nodes/proxy | cluster | cluster-admin |
//! | update certificatesigningrequests/approval + approve signers, or …/status + sign signers (`kubernetes.io/kube-apiserver-client`) | cluster | cluster-admin |
//! | create/update/patch mutating or validating webhook configurations | cluster | cluster-admin |
//! | create persistentvolumes (hostPath) | cluster | cluster-admin |
//! | create or get pods/exec, pods/attach | cluster / NS | any workload's pods (of NS) |
//! | update/patch a workload (by kind, any or a named one) | cluster / NS | that workload |
//!
//! `system:masters` leads to cluster-admin (the authorizer's superuser group).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::matching::{rule_allows, rule_allows_ignoring_name};
use crate::policy::{BindingId, Policy, RoleId, Via};
use crate::types::{
    GROUP_AUTHENTICATED, GROUP_MASTERS, GROUP_SERVICEACCOUNTS, GROUP_UNAUTHENTICATED, ObjectKind,
    Request, SourceId, SubjectKind, SubjectRef, USER_ANONYMOUS, split_service_account_username,
};

/// A workload whose pods run as a service account (given by the caller).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WorkloadRef {
    /// `Deployment`, `DaemonSet`, `StatefulSet`, `ReplicaSet`, `Job`, `CronJob`,
    /// `ReplicationController` or `Pod` (other kinds get only exec edges).
    pub kind: String,
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// The pod template's `serviceAccountName` (`default` when unset).
    pub service_account: String,
    /// Where it came from.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<SourceId>,
}

/// A node of the escalation graph.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum GraphNode {
    /// A user.
    User {
        /// The user name.
        name: String,
    },
    /// A group.
    Group {
        /// The group name.
        name: String,
    },
    /// A service account.
    ServiceAccount {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// A workload given by the caller.
    Workload {
        /// Its kind.
        kind: String,
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// Any service account of a namespace (`None`: of every namespace).
    AnyServiceAccount {
        /// The namespace.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        namespace: Option<String>,
    },
    /// Any workload of a namespace (`None`: of every namespace), of one kind or of all.
    AnyWorkload {
        /// The namespace.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        namespace: Option<String>,
        /// The workload kind (`None`: any running pod).
        #[serde(skip_serializing_if = "Option::is_none", default)]
        kind: Option<String>,
    },
    /// Any user.
    AnyUser,
    /// Cluster-admin-equivalent power: the sink.
    ClusterAdmin,
}

impl GraphNode {
    /// Whether this is a real starting point (a subject or a workload), not a set or the sink.
    #[must_use]
    pub fn is_principal(&self) -> bool {
        matches!(
            self,
            Self::User { .. }
                | Self::Group { .. }
                | Self::ServiceAccount { .. }
                | Self::Workload { .. }
        )
    }

    /// A short label.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Self::User { name } => format!("User {name}"),
            Self::Group { name } => format!("Group {name}"),
            Self::ServiceAccount { namespace, name } => {
                format!("ServiceAccount {namespace}/{name}")
            }
            Self::Workload {
                kind,
                namespace,
                name,
            } => format!("{kind} {namespace}/{name}"),
            Self::AnyServiceAccount {
                namespace: Some(ns),
            } => format!("any ServiceAccount in {ns}"),
            Self::AnyServiceAccount { namespace: None } => "any ServiceAccount".to_string(),
            Self::AnyWorkload { namespace, kind } => {
                let what = kind.as_deref().unwrap_or("pod");
                match namespace {
                    Some(ns) => format!("any {what} in {ns}"),
                    None => format!("any {what}"),
                }
            }
            Self::AnyUser => "any User".to_string(),
            Self::ClusterAdmin => "cluster-admin".to_string(),
        }
    }

    fn from_subject(s: &SubjectRef) -> Option<Self> {
        match s.kind {
            SubjectKind::User => Some(match split_service_account_username(&s.name) {
                Some((ns, name)) => Self::ServiceAccount {
                    namespace: ns.to_string(),
                    name: name.to_string(),
                },
                None => Self::User {
                    name: s.name.clone(),
                },
            }),
            SubjectKind::Group => Some(Self::Group {
                name: s.name.clone(),
            }),
            SubjectKind::ServiceAccount => Some(Self::ServiceAccount {
                namespace: s.namespace.clone()?,
                name: s.name.clone(),
            }),
            SubjectKind::Other(_) => None,
        }
    }
}

/// Why an edge exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeReason {
    /// Implicit group membership.
    MemberOf,
    /// A set node stands for its members.
    Contains,
    /// A workload's pods run as its service account.
    RunsAs,
    /// `system:masters` is the API server's superuser group.
    Superuser,
    /// `*` verbs on `*` resources in `*` API groups.
    WildcardAll,
    /// Create pods or pod-creating workloads: run a pod as any service account.
    CreateWorkload,
    /// Read secrets: service-account tokens.
    ReadSecrets,
    /// Bind roles: grant oneself any role.
    Bind,
    /// Escalate: add any permission to a role.
    Escalate,
    /// Impersonate users, groups or service accounts.
    Impersonate,
    /// Create service-account tokens.
    CreateToken,
    /// Kubelet API through nodes/proxy.
    NodesProxy,
    /// Approve or sign API-server client certificates.
    CertificateSigning,
    /// Admission webhook configurations see or change every object.
    WebhookConfiguration,
    /// hostPath persistent volumes give the node's file system.
    CreatePersistentVolume,
    /// Exec or attach into pods.
    PodExec,
    /// Change a workload's pod template.
    UpdateWorkload,
}

impl EdgeReason {
    /// The kebab-case name (as serialized).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MemberOf => "member-of",
            Self::Contains => "contains",
            Self::RunsAs => "runs-as",
            Self::Superuser => "superuser",
            Self::WildcardAll => "wildcard-all",
            Self::CreateWorkload => "create-workload",
            Self::ReadSecrets => "read-secrets",
            Self::Bind => "bind",
            Self::Escalate => "escalate",
            Self::Impersonate => "impersonate",
            Self::CreateToken => "create-token",
            Self::NodesProxy => "nodes-proxy",
            Self::CertificateSigning => "certificate-signing",
            Self::WebhookConfiguration => "webhook-configuration",
            Self::CreatePersistentVolume => "create-persistent-volume",
            Self::PodExec => "pod-exec",
            Self::UpdateWorkload => "update-workload",
        }
    }
}

/// An edge of the escalation graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationEdge {
    /// Index of the source node in [`EscalationGraph::nodes`].
    pub from: usize,
    /// Index of the target node.
    pub to: usize,
    /// Why.
    pub reason: EdgeReason,
    /// The permission in words (`create pods in namespace ci`).
    pub permission: String,
    /// The binding → role → rule that grants it (none for membership and set edges).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub via: Option<Via>,
}

/// One hop of an [`EscalationPath`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathStep {
    /// The node reached.
    pub to: GraphNode,
    /// Why.
    pub reason: EdgeReason,
    /// The permission in words.
    pub permission: String,
    /// The grant.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub via: Option<Via>,
}

/// A shortest path from a principal to cluster-admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationPath {
    /// The starting node.
    pub start: GraphNode,
    /// The hops; the last one reaches [`GraphNode::ClusterAdmin`].
    pub steps: Vec<PathStep>,
}

/// The result of [`Policy::escalation_paths`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationGraph {
    /// The nodes, sorted.
    pub nodes: Vec<GraphNode>,
    /// The edges, sorted by (from, to, reason).
    pub edges: Vec<EscalationEdge>,
    /// For each principal that reaches cluster-admin, one shortest path (sorted by start).
    pub paths: Vec<EscalationPath>,
}

/// Workload kinds and the resource that updates them.
const WORKLOAD_RESOURCES: [(&str, &str, &str); 8] = [
    ("Pod", "", "pods"),
    ("Deployment", "apps", "deployments"),
    ("DaemonSet", "apps", "daemonsets"),
    ("StatefulSet", "apps", "statefulsets"),
    ("ReplicaSet", "apps", "replicasets"),
    ("Job", "batch", "jobs"),
    ("CronJob", "batch", "cronjobs"),
    ("ReplicationController", "", "replicationcontrollers"),
];

/// One binding → role grant of a subject in a scope.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grant {
    pub binding: BindingId,
    pub subject: usize,
    pub role: RoleId,
}

/// Every subject's grants, by scope (`None`: cluster-wide).
pub(crate) fn subject_grants(
    policy: &Policy,
) -> BTreeMap<SubjectRef, BTreeMap<Option<String>, Vec<Grant>>> {
    let idx = policy.index();
    let mut out: BTreeMap<SubjectRef, BTreeMap<Option<String>, Vec<Grant>>> = BTreeMap::new();
    let all = idx.crbs.iter().chain(idx.rbs_by_ns.values().flatten());
    for &b in all {
        let Some(Ok(role)) = idx.resolved.get(b) else {
            continue;
        };
        let Some(binding) = policy.bindings.get(b) else {
            continue;
        };
        let scope = match binding.obj.kind {
            ObjectKind::ClusterRoleBinding => None,
            _ => binding.obj.namespace.clone(),
        };
        for (i, s) in binding.obj.subjects.iter().enumerate() {
            let Some(subject) = binding.effective_subject(s) else {
                continue;
            };
            out.entry(subject)
                .or_default()
                .entry(scope.clone())
                .or_default()
                .push(Grant {
                    binding: b,
                    subject: i,
                    role: *role,
                });
        }
    }
    out
}

/// The capability requests, built once, each with its bit in a role's mask.
struct Caps {
    reqs: Vec<Request>,
    /// Capability indexes by `resource[/subresource]`, and by subresource.
    by_resource: HashMap<String, Vec<usize>>,
    by_subresource: HashMap<String, Vec<usize>>,
    all: usize,
    create: Vec<usize>,
    read_secrets: Vec<usize>,
    bind_admin: usize,
    bind_any: Vec<usize>,
    create_crb: usize,
    create_rb: usize,
    escalate_cr: usize,
    update_cr: Vec<usize>,
    escalate_r: usize,
    update_r: Vec<usize>,
    impersonate_masters: usize,
    impersonate_users: usize,
    impersonate_sas: usize,
    create_token: usize,
    nodes_proxy: Vec<usize>,
    /// (update csr subresource, its signer verb checks)
    csr: Vec<(usize, &'static str, &'static str, Vec<usize>)>,
    hooks: Vec<usize>,
    create_pv: usize,
    exec: Vec<usize>,
    /// per WORKLOAD_RESOURCES entry: [update, patch]
    update_workload: Vec<[usize; 2]>,
}

impl Caps {
    fn new() -> Self {
        let mut reqs = Vec::new();
        let mut add = |r: Request| {
            reqs.push(r);
            reqs.len() - 1
        };
        let rbac = crate::RBAC_GROUP;
        let all = add(res("*", "*", "*"));
        let create = WORKLOAD_RESOURCES
            .iter()
            .map(|(_, g, r)| add(res("create", g, r)))
            .collect();
        let read_secrets = ["list", "watch", "get"]
            .iter()
            .map(|v| add(res(v, "", "secrets")))
            .collect();
        let bind_admin = add(res("bind", rbac, "clusterroles").name("cluster-admin"));
        let bind_any = vec![
            add(res("bind", rbac, "clusterroles")),
            add(res("bind", rbac, "roles")),
        ];
        let create_crb = add(res("create", rbac, "clusterrolebindings"));
        let create_rb = add(res("create", rbac, "rolebindings"));
        let escalate_cr = add(res("escalate", rbac, "clusterroles"));
        let update_cr = vec![
            add(res("update", rbac, "clusterroles")),
            add(res("patch", rbac, "clusterroles")),
        ];
        let escalate_r = add(res("escalate", rbac, "roles"));
        let update_r = vec![
            add(res("update", rbac, "roles")),
            add(res("patch", rbac, "roles")),
        ];
        let impersonate_masters = add(res("impersonate", "", "groups").name(GROUP_MASTERS));
        let impersonate_users = add(res("impersonate", "", "users"));
        let impersonate_sas = add(res("impersonate", "", "serviceaccounts"));
        let create_token = add(res("create", "", "serviceaccounts").subresource("token"));
        let nodes_proxy = vec![
            add(res("get", "", "nodes").subresource("proxy")),
            add(res("create", "", "nodes").subresource("proxy")),
        ];
        let signers = ["kubernetes.io/kube-apiserver-client", "kubernetes.io/*"];
        let csr = [("approval", "approve"), ("status", "sign")]
            .into_iter()
            .map(|(sub, verb)| {
                let update = add(res(
                    "update",
                    "certificates.k8s.io",
                    "certificatesigningrequests",
                )
                .subresource(sub));
                let checks = signers
                    .iter()
                    .map(|n| add(res(verb, "certificates.k8s.io", "signers").name(n)))
                    .collect();
                (update, sub, verb, checks)
            })
            .collect();
        let hooks = [
            "mutatingwebhookconfigurations",
            "validatingwebhookconfigurations",
        ]
        .iter()
        .flat_map(|r| ["create", "update", "patch"].map(|v| (v, *r)))
        .map(|(v, r)| add(res(v, "admissionregistration.k8s.io", r)))
        .collect();
        let create_pv = add(res("create", "", "persistentvolumes"));
        let exec = ["exec", "attach"]
            .iter()
            .flat_map(|s| ["create", "get"].map(|v| (v, *s)))
            .map(|(v, s)| add(res(v, "", "pods").subresource(s)))
            .collect();
        let update_workload = WORKLOAD_RESOURCES
            .iter()
            .map(|(_, g, r)| [add(res("update", g, r)), add(res("patch", g, r))])
            .collect();
        let mut by_resource: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_subresource: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in reqs.iter().enumerate() {
            if let Request::Resource(r) = r {
                if r.subresource.is_empty() {
                    by_resource.entry(r.resource.clone()).or_default().push(i);
                } else {
                    by_resource
                        .entry(format!("{}/{}", r.resource, r.subresource))
                        .or_default()
                        .push(i);
                    by_subresource
                        .entry(r.subresource.clone())
                        .or_default()
                        .push(i);
                }
            }
        }
        Self {
            reqs,
            by_resource,
            by_subresource,
            all,
            create,
            read_secrets,
            bind_admin,
            bind_any,
            create_crb,
            create_rb,
            escalate_cr,
            update_cr,
            escalate_r,
            update_r,
            impersonate_masters,
            impersonate_users,
            impersonate_sas,
            create_token,
            nodes_proxy,
            csr,
            hooks,
            create_pv,
            exec,
            update_workload,
        }
    }
}

/// A mask bit (above every capability) for grants with rules limited to `resourceNames`.
const NAMED_RULES: u128 = 1 << 127;

impl Caps {
    /// The capabilities a rule may allow, judged by its resources alone.
    fn candidates(&self, rule: &crate::types::PolicyRule) -> BTreeSet<usize> {
        if rule.resources.iter().any(|r| r == "*") {
            return (0..self.reqs.len()).collect();
        }
        let mut out = BTreeSet::new();
        for r in &rule.resources {
            out.extend(self.by_resource.get(r).into_iter().flatten());
            if let Some(sub) = r.strip_prefix("*/") {
                out.extend(self.by_subresource.get(sub).into_iter().flatten());
            }
        }
        out
    }
}

/// Answers capability questions for a subject's grants in one scope, with per-role
/// bitmasks computed once per role.
struct Checker<'a> {
    policy: &'a Policy,
    caps: Caps,
    /// Per role: (capabilities allowed, capabilities a `resourceNames` rule allows by name).
    masks: RefCell<Vec<Option<(u128, u128)>>>,
}

impl<'a> Checker<'a> {
    fn new(policy: &'a Policy) -> Self {
        Self {
            policy,
            caps: Caps::new(),
            masks: RefCell::new(vec![None; policy.roles.len()]),
        }
    }

    fn role_masks(&self, role: RoleId) -> (u128, u128) {
        if let Some(Some(m)) = self.masks.borrow().get(role) {
            return *m;
        }
        let idx = self.policy.index();
        let (mut mask, mut named) = (0u128, 0u128);
        for &rid in idx.effective.get(role).into_iter().flatten() {
            let Some(entry) = idx.rules.get(rid) else {
                continue;
            };
            let rule = &entry.rule;
            for i in self.caps.candidates(rule) {
                let Some(req) = self.caps.reqs.get(i) else {
                    continue;
                };
                if rule_allows(rule, req) {
                    mask |= 1 << i;
                }
                if let Request::Resource(r) = req
                    && r.name.is_empty()
                    && !rule.resource_names.is_empty()
                    && rule_allows_ignoring_name(rule, r)
                {
                    named |= 1 << i;
                }
            }
        }
        if let Some(slot) = self.masks.borrow_mut().get_mut(role) {
            *slot = Some((mask, named));
        }
        (mask, named)
    }

    fn role_mask(&self, role: RoleId) -> u128 {
        self.role_masks(role).0
    }

    /// The capabilities of the grants, with [`NAMED_RULES`] set when some are allowed only
    /// by name.
    fn mask(&self, grants: &[Grant]) -> u128 {
        grants.iter().fold(0, |m, g| {
            let (mask, named) = self.role_masks(g.role);
            m | mask | if named == 0 { 0 } else { NAMED_RULES }
        })
    }

    /// The first grant that allows capability `cap`.
    fn allows(&self, grants: &[Grant], cap: usize) -> Option<Via> {
        let req = self.caps.reqs.get(cap)?;
        grants.iter().find_map(|g| {
            if self.role_mask(g.role) & (1 << cap) == 0 {
                return None;
            }
            self.policy
                .first_allowing(g.role, req)
                .map(|i| self.policy.via(g.binding, g.subject, g.role, i))
        })
    }

    /// The first of `caps` allowed, with the grant and the permission in words.
    fn any(&self, grants: &[Grant], caps: &[usize]) -> Option<(Via, String)> {
        caps.iter().find_map(|&c| {
            let via = self.allows(grants, c)?;
            Some((via, self.caps.reqs.get(c).map(describe).unwrap_or_default()))
        })
    }

    /// Names a rule with `resourceNames` allows for capability `cap` (a request without a
    /// name), with the grant.
    fn named(&self, grants: &[Grant], cap: usize) -> Vec<(String, Via)> {
        let bit = 1u128 << cap;
        if grants.iter().all(|g| self.role_masks(g.role).1 & bit == 0) {
            return Vec::new();
        }
        let idx = self.policy.index();
        let Some(Request::Resource(r)) = self.caps.reqs.get(cap) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for g in grants {
            if self.role_masks(g.role).1 & bit == 0 {
                continue;
            }
            for (i, &rid) in idx.effective.get(g.role).into_iter().flatten().enumerate() {
                let Some(entry) = idx.rules.get(rid) else {
                    continue;
                };
                let rule = &entry.rule;
                if rule.resource_names.is_empty() || !rule_allows_ignoring_name(rule, r) {
                    continue;
                }
                for n in &rule.resource_names {
                    out.push((n.clone(), self.policy.via(g.binding, g.subject, g.role, i)));
                }
            }
        }
        out
    }
}

fn describe(req: &Request) -> String {
    match req {
        Request::Resource(r) => {
            let mut s = format!("{} {}", r.verb, r.resource);
            if !r.api_group.is_empty() {
                let _ = write!(s, ".{}", r.api_group);
            }
            if !r.subresource.is_empty() {
                let _ = write!(s, "/{}", r.subresource);
            }
            if !r.name.is_empty() {
                let _ = write!(s, " {:?}", r.name);
            }
            s
        }
        Request::NonResource { verb, path } => format!("{verb} {path}"),
    }
}

fn res(verb: &str, group: &str, resource: &str) -> Request {
    Request::resource(verb, group, resource)
}

/// The graph under construction, with nodes interned.
#[derive(Default)]
struct Builder {
    ids: HashMap<GraphNode, usize>,
    nodes: Vec<GraphNode>,
    /// (from, to, reason) -> (permission, via); the first grant found is kept.
    edges: HashMap<(usize, usize, EdgeReason), (String, Option<Via>)>,
}

impl Builder {
    fn node(&mut self, n: &GraphNode) -> usize {
        if let Some(&id) = self.ids.get(n) {
            return id;
        }
        let id = self.nodes.len();
        self.nodes.push(n.clone());
        self.ids.insert(n.clone(), id);
        id
    }

    fn edge(
        &mut self,
        from: &GraphNode,
        to: GraphNode,
        reason: EdgeReason,
        permission: String,
        via: Option<Via>,
    ) {
        if *from == to {
            return;
        }
        let f = self.node(from);
        let t = self.node(&to);
        self.edges
            .entry((f, t, reason))
            .or_insert((permission, via));
    }

    /// The nodes some edge points at, sorted.
    fn targets(&self) -> Vec<GraphNode> {
        let ids: BTreeSet<usize> = self.edges.keys().map(|(_, t, _)| *t).collect();
        let mut out: Vec<GraphNode> = ids
            .into_iter()
            .filter_map(|i| self.nodes.get(i).cloned())
            .collect();
        out.sort();
        out
    }
}

fn scoped(permission: &str, scope: Option<&str>) -> String {
    match scope {
        Some(ns) => format!("{permission} in namespace {ns}"),
        None => format!("{permission} cluster-wide"),
    }
}

impl Policy {
    /// Builds the escalation graph (see the module docs for the edges) and, for every
    /// principal that can reach cluster-admin power, one shortest path.
    ///
    /// ```
    /// use kubeward_rbac::{Policy, SourceId, WorkloadRef, GraphNode};
    /// let mut p = Policy::with_defaults();
    /// p.add_yaml_str(SourceId(0), r#"
    /// kind: RoleBinding
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// metadata: {name: dev-edit, namespace: kube-system}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
    /// subjects: [{kind: User, name: dev}]
    /// "#).unwrap();
    /// let g = p.escalation_paths(&[]);
    /// let dev = g.paths.iter().find(|p| p.start == GraphNode::User { name: "dev".into() }).unwrap();
    /// assert_eq!(dev.steps.last().unwrap().to, GraphNode::ClusterAdmin);
    /// ```
    #[must_use]
    pub fn escalation_paths(&self, workloads: &[WorkloadRef]) -> EscalationGraph {
        let checker = Checker::new(self);
        let windex = WorkloadIndex::new(workloads);
        let grants = subject_grants(self);
        let mut b = Builder::default();

        // Known namespaces and service accounts.
        let mut sas: BTreeSet<(String, String)> = self.service_accounts.keys().cloned().collect();
        let mut namespaces: BTreeSet<String> = BTreeSet::new();
        for r in &self.roles {
            namespaces.extend(r.obj.namespace.clone());
        }
        for bd in &self.bindings {
            namespaces.extend(bd.obj.namespace.clone());
        }
        for s in grants.keys() {
            if let Some(GraphNode::ServiceAccount { namespace, name }) = GraphNode::from_subject(s)
            {
                sas.insert((namespace, name));
            }
        }
        for w in workloads {
            sas.insert((w.namespace.clone(), w.service_account.clone()));
        }
        namespaces.extend(sas.iter().map(|(ns, _)| ns.clone()));
        namespaces.extend(workloads.iter().map(|w| w.namespace.clone()));
        for ns in &namespaces {
            sas.insert((ns.clone(), "default".to_string()));
        }
        for (ns, name) in &sas {
            b.node(&GraphNode::ServiceAccount {
                namespace: ns.clone(),
                name: name.clone(),
            });
        }
        b.node(&GraphNode::Group {
            name: GROUP_MASTERS.to_string(),
        });

        // Capability edges from each subject's own grants.
        for (subject, scopes) in &grants {
            let Some(from) = GraphNode::from_subject(subject) else {
                continue;
            };
            b.node(&from);
            for (scope, list) in scopes {
                self.capability_edges(
                    &checker,
                    &mut b,
                    &from,
                    scope.as_deref(),
                    list,
                    &sas,
                    &windex,
                );
            }
        }

        // Workloads run as their service accounts.
        for w in workloads {
            let node = GraphNode::Workload {
                kind: w.kind.clone(),
                namespace: w.namespace.clone(),
                name: w.name.clone(),
            };
            b.edge(
                &node,
                GraphNode::ServiceAccount {
                    namespace: w.namespace.clone(),
                    name: w.service_account.clone(),
                },
                EdgeReason::RunsAs,
                format!(
                    "pods run as ServiceAccount {}/{}",
                    w.namespace, w.service_account
                ),
                None,
            );
        }

        // Superuser group.
        b.edge(
            &GraphNode::Group {
                name: GROUP_MASTERS.to_string(),
            },
            GraphNode::ClusterAdmin,
            EdgeReason::Superuser,
            "system:masters is allowed everything by the authorizer chain".to_string(),
            None,
        );

        expand_sets(&mut b, &sas, workloads);

        // Implicit group membership (only towards groups that are nodes).
        let groups: BTreeSet<String> = b
            .nodes
            .iter()
            .filter_map(|n| match n {
                GraphNode::Group { name } => Some(name.clone()),
                _ => None,
            })
            .collect();
        let members: Vec<GraphNode> = b
            .nodes
            .iter()
            .filter(|n| matches!(n, GraphNode::User { .. } | GraphNode::ServiceAccount { .. }))
            .cloned()
            .collect();
        for m in members {
            let implicit: Vec<String> = match &m {
                GraphNode::User { name } if name == USER_ANONYMOUS => {
                    vec![GROUP_UNAUTHENTICATED.to_string()]
                }
                GraphNode::User { .. } => vec![GROUP_AUTHENTICATED.to_string()],
                GraphNode::ServiceAccount { namespace, .. } => vec![
                    GROUP_SERVICEACCOUNTS.to_string(),
                    format!("{GROUP_SERVICEACCOUNTS}:{namespace}"),
                    GROUP_AUTHENTICATED.to_string(),
                ],
                _ => Vec::new(),
            };
            for g in implicit.into_iter().filter(|g| groups.contains(g)) {
                b.edge(
                    &m,
                    GraphNode::Group { name: g.clone() },
                    EdgeReason::MemberOf,
                    format!("member of {g}"),
                    None,
                );
            }
        }

        finish(b)
    }

    #[allow(clippy::too_many_arguments, clippy::too_many_lines)]
    fn capability_edges(
        &self,
        c: &Checker<'_>,
        b: &mut Builder,
        from: &GraphNode,
        scope: Option<&str>,
        grants: &[Grant],
        sas: &BTreeSet<(String, String)>,
        workloads: &WorkloadIndex<'_>,
    ) {
        if c.mask(grants) == 0 {
            return;
        }
        let k = &c.caps;
        let any_sa = GraphNode::AnyServiceAccount {
            namespace: scope.map(str::to_string),
        };
        let cluster = scope.is_none();

        if cluster && let Some(via) = c.allows(grants, k.all) {
            b.edge(
                from,
                GraphNode::ClusterAdmin,
                EdgeReason::WildcardAll,
                scoped("* on *.*", scope),
                Some(via),
            );
        }
        if let Some((via, what)) = c.any(grants, &k.create) {
            b.edge(
                from,
                any_sa.clone(),
                EdgeReason::CreateWorkload,
                scoped(&what, scope),
                Some(via),
            );
        }
        if let Some((via, what)) = c.any(grants, &k.read_secrets) {
            b.edge(
                from,
                any_sa.clone(),
                EdgeReason::ReadSecrets,
                scoped(&what, scope),
                Some(via),
            );
        }

        // bind
        let bind_admin = c.allows(grants, k.bind_admin);
        if cluster
            && let Some(via) = bind_admin.clone()
            && c.allows(grants, k.create_crb).is_some()
        {
            b.edge(
                from,
                GraphNode::ClusterAdmin,
                EdgeReason::Bind,
                scoped(
                    "bind clusterroles \"cluster-admin\" + create clusterrolebindings",
                    scope,
                ),
                Some(via),
            );
        } else if let Some(via) = bind_admin.or_else(|| c.any(grants, &k.bind_any).map(|(v, _)| v))
            && c.allows(grants, k.create_rb).is_some()
        {
            b.edge(
                from,
                any_sa.clone(),
                EdgeReason::Bind,
                scoped("bind roles + create rolebindings", scope),
                Some(via),
            );
        }

        // escalate
        let (escalate, update, label, target) = if cluster {
            (
                k.escalate_cr,
                &k.update_cr,
                "escalate + update clusterroles",
                GraphNode::ClusterAdmin,
            )
        } else {
            (
                k.escalate_r,
                &k.update_r,
                "escalate + update roles",
                any_sa.clone(),
            )
        };
        if let Some(via) = c.allows(grants, escalate)
            && c.any(grants, update).is_some()
        {
            b.edge(
                from,
                target,
                EdgeReason::Escalate,
                scoped(label, scope),
                Some(via),
            );
        }

        // impersonation (users and groups are cluster-scoped) and tokens
        if cluster {
            if let Some(via) = c.allows(grants, k.impersonate_masters) {
                b.edge(
                    from,
                    GraphNode::ClusterAdmin,
                    EdgeReason::Impersonate,
                    "impersonate groups \"system:masters\"".to_string(),
                    Some(via),
                );
            }
            if let Some(via) = c.allows(grants, k.impersonate_users) {
                b.edge(
                    from,
                    GraphNode::AnyUser,
                    EdgeReason::Impersonate,
                    "impersonate users".to_string(),
                    Some(via),
                );
            } else {
                for (name, via) in c.named(grants, k.impersonate_users) {
                    // a service-account user name is impersonated as a ServiceAccount, which
                    // needs `impersonate serviceaccounts`, not `users`
                    if split_service_account_username(&name).is_some() {
                        continue;
                    }
                    b.edge(
                        from,
                        GraphNode::User { name: name.clone() },
                        EdgeReason::Impersonate,
                        format!("impersonate users {name:?}"),
                        Some(via),
                    );
                }
            }
        }
        for (reason, cap, label) in [
            (
                EdgeReason::Impersonate,
                k.impersonate_sas,
                "impersonate serviceaccounts",
            ),
            (
                EdgeReason::CreateToken,
                k.create_token,
                "create serviceaccounts/token",
            ),
        ] {
            if let Some(via) = c.allows(grants, cap) {
                b.edge(
                    from,
                    any_sa.clone(),
                    reason,
                    scoped(label, scope),
                    Some(via),
                );
            } else {
                for (name, via) in c.named(grants, cap) {
                    for (ns, _) in sas
                        .iter()
                        .filter(|(ns, n)| *n == name && scope.is_none_or(|s| s == ns))
                    {
                        b.edge(
                            from,
                            GraphNode::ServiceAccount {
                                namespace: ns.clone(),
                                name: name.clone(),
                            },
                            reason,
                            format!("{label} {name:?}"),
                            Some(via.clone()),
                        );
                    }
                }
            }
        }

        if cluster {
            if let Some((via, what)) = c.any(grants, &k.nodes_proxy) {
                b.edge(
                    from,
                    GraphNode::ClusterAdmin,
                    EdgeReason::NodesProxy,
                    scoped(&what, scope),
                    Some(via),
                );
            }
            for (update, sub, verb, signers) in &k.csr {
                if let Some(via) = c.allows(grants, *update)
                    && c.any(grants, signers).is_some()
                {
                    b.edge(
                        from,
                        GraphNode::ClusterAdmin,
                        EdgeReason::CertificateSigning,
                        format!(
                            "update certificatesigningrequests/{sub} + {verb} signers kubernetes.io/kube-apiserver-client"
                        ),
                        Some(via),
                    );
                }
            }
            if let Some((via, what)) = c.any(grants, &k.hooks) {
                b.edge(
                    from,
                    GraphNode::ClusterAdmin,
                    EdgeReason::WebhookConfiguration,
                    scoped(&what, scope),
                    Some(via),
                );
            }
            if let Some(via) = c.allows(grants, k.create_pv) {
                b.edge(
                    from,
                    GraphNode::ClusterAdmin,
                    EdgeReason::CreatePersistentVolume,
                    "create persistentvolumes (hostPath) cluster-wide".to_string(),
                    Some(via),
                );
            }
        }

        // exec / attach
        if let Some((via, what)) = c.any(grants, &k.exec) {
            b.edge(
                from,
                GraphNode::AnyWorkload {
                    namespace: scope.map(str::to_string),
                    kind: None,
                },
                EdgeReason::PodExec,
                scoped(&what, scope),
                Some(via),
            );
        }

        // update/patch workloads of the kinds present in scope
        for ((kind, _, resource), caps) in WORKLOAD_RESOURCES.iter().zip(&k.update_workload) {
            if !workloads.has(kind, scope) {
                continue;
            }
            if let Some((via, what)) = c.any(grants, caps) {
                b.edge(
                    from,
                    GraphNode::AnyWorkload {
                        namespace: scope.map(str::to_string),
                        kind: Some((*kind).to_string()),
                    },
                    EdgeReason::UpdateWorkload,
                    scoped(&what, scope),
                    Some(via),
                );
                continue;
            }
            for (cap, verb) in caps.iter().zip(["update", "patch"]) {
                for (name, via) in c.named(grants, *cap) {
                    for w in workloads.named(kind, &name, scope) {
                        b.edge(
                            from,
                            GraphNode::Workload {
                                kind: w.kind.clone(),
                                namespace: w.namespace.clone(),
                                name: w.name.clone(),
                            },
                            EdgeReason::UpdateWorkload,
                            scoped(&format!("{verb} {resource} {name:?}"), scope),
                            Some(via.clone()),
                        );
                    }
                }
            }
        }
    }
}

/// Workloads by (kind, namespace) and by (kind, name).
struct WorkloadIndex<'a> {
    kinds_in: BTreeSet<(&'a str, &'a str)>,
    kinds: BTreeSet<&'a str>,
    by_name: BTreeMap<(&'a str, &'a str), Vec<&'a WorkloadRef>>,
}

impl<'a> WorkloadIndex<'a> {
    fn new(workloads: &'a [WorkloadRef]) -> Self {
        let mut by_name: BTreeMap<(&str, &str), Vec<&WorkloadRef>> = BTreeMap::new();
        for w in workloads {
            by_name
                .entry((w.kind.as_str(), w.name.as_str()))
                .or_default()
                .push(w);
        }
        Self {
            kinds_in: workloads
                .iter()
                .map(|w| (w.kind.as_str(), w.namespace.as_str()))
                .collect(),
            kinds: workloads.iter().map(|w| w.kind.as_str()).collect(),
            by_name,
        }
    }

    fn has(&self, kind: &str, scope: Option<&str>) -> bool {
        match scope {
            Some(ns) => self.kinds_in.contains(&(kind, ns)),
            None => self.kinds.contains(kind),
        }
    }

    fn named(&self, kind: &str, name: &str, scope: Option<&str>) -> Vec<&'a WorkloadRef> {
        self.by_name
            .get(&(kind, name))
            .into_iter()
            .flatten()
            .filter(|w| scope.is_none_or(|s| s == w.namespace))
            .copied()
            .collect()
    }
}

/// Adds the edges of set nodes to their members (only for sets something points at).
fn expand_sets(b: &mut Builder, sas: &BTreeSet<(String, String)>, workloads: &[WorkloadRef]) {
    let contains = |what: &str| format!("includes {what}");
    // cluster-wide sets first: they point at per-namespace sets
    let referenced = b.targets();
    let sa_namespaces: BTreeSet<&String> = sas.iter().map(|(ns, _)| ns).collect();
    for node in &referenced {
        match node {
            GraphNode::AnyServiceAccount { namespace: None } => {
                for ns in &sa_namespaces {
                    b.edge(
                        node,
                        GraphNode::AnyServiceAccount {
                            namespace: Some((*ns).clone()),
                        },
                        EdgeReason::Contains,
                        contains(&format!("namespace {ns}")),
                        None,
                    );
                }
            }
            GraphNode::AnyWorkload {
                namespace: None,
                kind,
            } => {
                let nss: BTreeSet<&String> = workloads
                    .iter()
                    .filter(|w| kind.as_ref().is_none_or(|k| *k == w.kind))
                    .map(|w| &w.namespace)
                    .collect();
                for ns in nss {
                    b.edge(
                        node,
                        GraphNode::AnyWorkload {
                            namespace: Some(ns.clone()),
                            kind: kind.clone(),
                        },
                        EdgeReason::Contains,
                        contains(&format!("namespace {ns}")),
                        None,
                    );
                }
            }
            _ => {}
        }
    }
    let referenced = b.targets();
    let users: Vec<GraphNode> = b
        .nodes
        .iter()
        .filter(|n| matches!(n, GraphNode::User { .. }))
        .cloned()
        .collect();
    for node in &referenced {
        match node {
            GraphNode::AnyServiceAccount {
                namespace: Some(ns),
            } => {
                for (_, name) in sas.iter().filter(|(n, _)| n == ns) {
                    b.edge(
                        node,
                        GraphNode::ServiceAccount {
                            namespace: ns.clone(),
                            name: name.clone(),
                        },
                        EdgeReason::Contains,
                        contains(&format!("ServiceAccount {ns}/{name}")),
                        None,
                    );
                }
            }
            GraphNode::AnyWorkload {
                namespace: Some(ns),
                kind,
            } => {
                for w in workloads
                    .iter()
                    .filter(|w| w.namespace == *ns && kind.as_ref().is_none_or(|k| *k == w.kind))
                {
                    b.edge(
                        node,
                        GraphNode::Workload {
                            kind: w.kind.clone(),
                            namespace: w.namespace.clone(),
                            name: w.name.clone(),
                        },
                        EdgeReason::Contains,
                        contains(&format!("{} {}/{}", w.kind, w.namespace, w.name)),
                        None,
                    );
                }
            }
            GraphNode::AnyUser => {
                for u in &users {
                    b.edge(
                        node,
                        u.clone(),
                        EdgeReason::Contains,
                        contains(&u.label()),
                        None,
                    );
                }
            }
            _ => {}
        }
    }
}

fn finish(mut b: Builder) -> EscalationGraph {
    b.node(&GraphNode::ClusterAdmin);
    let Builder {
        nodes: unsorted,
        edges,
        ..
    } = b;
    // Sort the nodes; remap ids.
    let mut order: Vec<usize> = (0..unsorted.len()).collect();
    order.sort_by(|a, b| unsorted.get(*a).cmp(&unsorted.get(*b)));
    let mut remap = vec![0usize; unsorted.len()];
    for (new, old) in order.iter().enumerate() {
        if let Some(slot) = remap.get_mut(*old) {
            *slot = new;
        }
    }
    let mut slots: Vec<Option<GraphNode>> = unsorted.into_iter().map(Some).collect();
    let nodes: Vec<GraphNode> = order
        .iter()
        .filter_map(|old| slots.get_mut(*old).and_then(Option::take))
        .collect();
    let index_of = |n: &GraphNode| nodes.binary_search(n).ok();
    let mut edges: Vec<EscalationEdge> = edges
        .into_iter()
        .filter_map(|((from, to, reason), (permission, via))| {
            Some(EscalationEdge {
                from: *remap.get(from)?,
                to: *remap.get(to)?,
                reason,
                permission,
                via,
            })
        })
        .collect();
    edges.sort_by_key(|e| (e.from, e.to, e.reason));

    // Reverse BFS from the sink: next[v] = the edge v takes towards the sink.
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, e) in edges.iter().enumerate() {
        if let Some(list) = incoming.get_mut(e.to) {
            list.push(i);
        }
    }
    let mut next: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut seen = vec![false; nodes.len()];
    let mut queue = VecDeque::new();
    if let Some(sink) = index_of(&GraphNode::ClusterAdmin) {
        if let Some(s) = seen.get_mut(sink) {
            *s = true;
        }
        queue.push_back(sink);
    }
    while let Some(v) = queue.pop_front() {
        for &ei in incoming.get(v).into_iter().flatten() {
            let Some(e) = edges.get(ei) else { continue };
            if let Some(s) = seen.get_mut(e.from)
                && !*s
            {
                *s = true;
                if let Some(n) = next.get_mut(e.from) {
                    *n = Some(ei);
                }
                queue.push_back(e.from);
            }
        }
    }
    let mut paths = Vec::new();
    for (start, node) in nodes.iter().enumerate() {
        if !node.is_principal() {
            continue;
        }
        let mut steps = Vec::new();
        let mut cur = start;
        while let Some(Some(ei)) = next.get(cur) {
            let Some(e) = edges.get(*ei) else { break };
            let Some(to) = nodes.get(e.to) else { break };
            steps.push(PathStep {
                to: to.clone(),
                reason: e.reason,
                permission: e.permission.clone(),
                via: e.via.clone(),
            });
            cur = e.to;
            if steps.len() > nodes.len() {
                break;
            }
        }
        if !steps.is_empty() {
            paths.push(EscalationPath {
                start: node.clone(),
                steps,
            });
        }
    }
    EscalationGraph {
        nodes,
        edges,
        paths,
    }
}

impl EscalationGraph {
    /// The path of one starting node, if it reaches cluster-admin.
    #[must_use]
    pub fn path_from(&self, start: &GraphNode) -> Option<&EscalationPath> {
        self.paths.iter().find(|p| p.start == *start)
    }

    /// A Graphviz DOT rendering: every node and edge, edges labelled with their reason;
    /// nodes that reach cluster-admin are filled.
    #[must_use]
    pub fn to_dot(&self) -> String {
        let reaching: BTreeSet<&GraphNode> = self.paths.iter().map(|p| &p.start).collect();
        let mut out = String::from(
            "digraph escalation {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\"];\n",
        );
        for (i, n) in self.nodes.iter().enumerate() {
            let style = match n {
                GraphNode::ClusterAdmin => {
                    ", shape=doubleoctagon, style=filled, fillcolor=\"#e06666\""
                }
                _ if reaching.contains(n) => ", style=filled, fillcolor=\"#f9cb9c\"",
                GraphNode::AnyServiceAccount { .. }
                | GraphNode::AnyWorkload { .. }
                | GraphNode::AnyUser => ", shape=ellipse, style=dashed",
                _ => "",
            };
            let _ = writeln!(out, "  n{i} [label=\"{}\"{style}];", dot_escape(&n.label()));
        }
        for e in &self.edges {
            let reason = e.reason.as_str();
            let _ = writeln!(
                out,
                "  n{} -> n{} [label=\"{}\", tooltip=\"{}\"];",
                e.from,
                e.to,
                dot_escape(reason),
                dot_escape(&e.permission)
            );
        }
        out.push_str("}\n");
        out
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

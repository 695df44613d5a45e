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

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::matching::{api_group_matches, resource_matches, verb_matches};
use crate::policy::{BindingId, Policy, RoleId, Via};
use crate::types::{
    GROUP_AUTHENTICATED, GROUP_MASTERS, GROUP_SERVICEACCOUNTS, GROUP_UNAUTHENTICATED,
    ObjectKind, Request, SourceId, SubjectKind, SubjectRef, USER_ANONYMOUS,
    split_service_account_username,
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
            Self::User { .. } | Self::Group { .. } | Self::ServiceAccount { .. } | Self::Workload { .. }
        )
    }

    /// A short label.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Self::User { name } => format!("User {name}"),
            Self::Group { name } => format!("Group {name}"),
            Self::ServiceAccount { namespace, name } => format!("ServiceAccount {namespace}/{name}"),
            Self::Workload { kind, namespace, name } => format!("{kind} {namespace}/{name}"),
            Self::AnyServiceAccount { namespace: Some(ns) } => format!("any ServiceAccount in {ns}"),
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
                None => Self::User { name: s.name.clone() },
            }),
            SubjectKind::Group => Some(Self::Group { name: s.name.clone() }),
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
pub(crate) fn subject_grants(policy: &Policy) -> BTreeMap<SubjectRef, BTreeMap<Option<String>, Vec<Grant>>> {
    let idx = policy.index();
    let mut out: BTreeMap<SubjectRef, BTreeMap<Option<String>, Vec<Grant>>> = BTreeMap::new();
    let all = idx.crbs.iter().chain(idx.rbs_by_ns.values().flatten());
    for &b in all {
        let Some(Ok(role)) = idx.resolved.get(b) else { continue };
        let Some(binding) = policy.bindings.get(b) else { continue };
        let scope = match binding.obj.kind {
            ObjectKind::ClusterRoleBinding => None,
            _ => binding.obj.namespace.clone(),
        };
        for (i, s) in binding.obj.subjects.iter().enumerate() {
            let Some(subject) = binding.effective_subject(s) else { continue };
            out.entry(subject).or_default().entry(scope.clone()).or_default().push(Grant {
                binding: b,
                subject: i,
                role: *role,
            });
        }
    }
    out
}

struct Checker<'a> {
    policy: &'a Policy,
}

impl Checker<'_> {
    /// The first grant that allows `req`.
    fn allows(&self, grants: &[Grant], req: &Request) -> Option<Via> {
        grants.iter().find_map(|g| {
            self.policy
                .first_allowing(g.role, req)
                .map(|i| self.policy.via(g.binding, g.subject, g.role, i))
        })
    }

    fn any(&self, grants: &[Grant], reqs: &[Request]) -> Option<(Via, String)> {
        reqs.iter()
            .find_map(|r| self.allows(grants, r).map(|v| (v, describe(r))))
    }

    /// Names a rule with `resourceNames` allows for `req` (which has no name), with the grant.
    fn named(&self, grants: &[Grant], req: &Request) -> Vec<(String, Via)> {
        let idx = self.policy.index();
        let Request::Resource(r) = req else { return Vec::new() };
        let mut out = Vec::new();
        for g in grants {
            for (i, &rid) in idx.effective.get(g.role).into_iter().flatten().enumerate() {
                let Some(entry) = idx.rules.get(rid) else { continue };
                let rule = &entry.rule;
                if rule.resource_names.is_empty()
                    || !verb_matches(rule, &r.verb)
                    || !api_group_matches(rule, &r.api_group)
                {
                    continue;
                }
                let combined = if r.subresource.is_empty() {
                    r.resource.clone()
                } else {
                    format!("{}/{}", r.resource, r.subresource)
                };
                if !resource_matches(rule, &combined, &r.subresource) {
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

#[derive(Default)]
struct Builder {
    nodes: BTreeSet<GraphNode>,
    /// (from, to, reason) -> (permission, via); the first grant found is kept.
    edges: BTreeMap<(GraphNode, GraphNode, EdgeReason), (String, Option<Via>)>,
}

impl Builder {
    fn edge(&mut self, from: &GraphNode, to: GraphNode, reason: EdgeReason, permission: String, via: Option<Via>) {
        if *from == to {
            return;
        }
        self.nodes.insert(from.clone());
        self.nodes.insert(to.clone());
        self.edges
            .entry((from.clone(), to, reason))
            .or_insert((permission, via));
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
        let checker = Checker { policy: self };
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
            if let Some(GraphNode::ServiceAccount { namespace, name }) = GraphNode::from_subject(s) {
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
            b.nodes.insert(GraphNode::ServiceAccount {
                namespace: ns.clone(),
                name: name.clone(),
            });
        }
        b.nodes.insert(GraphNode::Group {
            name: GROUP_MASTERS.to_string(),
        });

        // Capability edges from each subject's own grants.
        for (subject, scopes) in &grants {
            let Some(from) = GraphNode::from_subject(subject) else { continue };
            b.nodes.insert(from.clone());
            for (scope, list) in scopes {
                self.capability_edges(&checker, &mut b, &from, scope.as_deref(), list, &sas, workloads);
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
                format!("pods run as ServiceAccount {}/{}", w.namespace, w.service_account),
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
                GraphNode::User { name } if name == USER_ANONYMOUS => vec![GROUP_UNAUTHENTICATED.to_string()],
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
        workloads: &[WorkloadRef],
    ) {
        let any_sa = GraphNode::AnyServiceAccount {
            namespace: scope.map(str::to_string),
        };
        let cluster = scope.is_none();

        if cluster && let Some(via) = c.allows(grants, &res("*", "*", "*")) {
            b.edge(from, GraphNode::ClusterAdmin, EdgeReason::WildcardAll, scoped("* on *.*", scope), Some(via));
        }

        let creators: Vec<Request> = WORKLOAD_RESOURCES
            .iter()
            .map(|(_, g, r)| res("create", g, r))
            .collect();
        if let Some((via, what)) = c.any(grants, &creators) {
            b.edge(from, any_sa.clone(), EdgeReason::CreateWorkload, scoped(&what, scope), Some(via));
        }

        let readers = [
            res("list", "", "secrets"),
            res("watch", "", "secrets"),
            res("get", "", "secrets"),
        ];
        if let Some((via, what)) = c.any(grants, &readers) {
            b.edge(from, any_sa.clone(), EdgeReason::ReadSecrets, scoped(&what, scope), Some(via));
        }

        // bind
        let bind_admin = c.allows(grants, &res("bind", crate::RBAC_GROUP, "clusterroles").name("cluster-admin"));
        let bind_any = bind_admin.clone().or_else(|| {
            c.any(grants, &[res("bind", crate::RBAC_GROUP, "clusterroles"), res("bind", crate::RBAC_GROUP, "roles")])
                .map(|(v, _)| v)
        });
        if cluster
            && let Some(via) = bind_admin.clone()
            && c.allows(grants, &res("create", crate::RBAC_GROUP, "clusterrolebindings")).is_some()
        {
            b.edge(
                from,
                GraphNode::ClusterAdmin,
                EdgeReason::Bind,
                scoped("bind clusterroles \"cluster-admin\" + create clusterrolebindings", scope),
                Some(via),
            );
        } else if let Some(via) = bind_any
            && c.allows(grants, &res("create", crate::RBAC_GROUP, "rolebindings")).is_some()
        {
            b.edge(from, any_sa.clone(), EdgeReason::Bind, scoped("bind roles + create rolebindings", scope), Some(via));
        }

        // escalate
        let (role_res, target) = if cluster {
            ("clusterroles", GraphNode::ClusterAdmin)
        } else {
            ("roles", any_sa.clone())
        };
        if let Some(via) = c.allows(grants, &res("escalate", crate::RBAC_GROUP, role_res))
            && c.any(grants, &[res("update", crate::RBAC_GROUP, role_res), res("patch", crate::RBAC_GROUP, role_res)])
                .is_some()
        {
            b.edge(from, target, EdgeReason::Escalate, scoped(&format!("escalate + update {role_res}"), scope), Some(via));
        }

        // impersonation and tokens
        if cluster {
            if let Some(via) = c.allows(grants, &res("impersonate", "", "groups").name(GROUP_MASTERS)) {
                b.edge(
                    from,
                    GraphNode::ClusterAdmin,
                    EdgeReason::Impersonate,
                    "impersonate groups \"system:masters\"".to_string(),
                    Some(via),
                );
            }
            let users = res("impersonate", "", "users");
            if let Some(via) = c.allows(grants, &users) {
                b.edge(from, GraphNode::AnyUser, EdgeReason::Impersonate, "impersonate users".to_string(), Some(via));
            } else {
                for (name, via) in c.named(grants, &users) {
                    let to = match split_service_account_username(&name) {
                        Some((ns, n)) => GraphNode::ServiceAccount {
                            namespace: ns.to_string(),
                            name: n.to_string(),
                        },
                        None => GraphNode::User { name: name.clone() },
                    };
                    b.edge(from, to, EdgeReason::Impersonate, format!("impersonate users {name:?}"), Some(via));
                }
            }
        }
        for (reason, req, label) in [
            (EdgeReason::Impersonate, res("impersonate", "", "serviceaccounts"), "impersonate serviceaccounts"),
            (
                EdgeReason::CreateToken,
                res("create", "", "serviceaccounts").subresource("token"),
                "create serviceaccounts/token",
            ),
        ] {
            if let Some(via) = c.allows(grants, &req) {
                b.edge(from, any_sa.clone(), reason, scoped(label, scope), Some(via));
            } else {
                for (name, via) in c.named(grants, &req) {
                    for (ns, _) in sas.iter().filter(|(ns, n)| *n == name && scope.is_none_or(|s| s == ns)) {
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
            let proxy = [res("get", "", "nodes").subresource("proxy"), res("create", "", "nodes").subresource("proxy")];
            if let Some((via, what)) = c.any(grants, &proxy) {
                b.edge(from, GraphNode::ClusterAdmin, EdgeReason::NodesProxy, scoped(&what, scope), Some(via));
            }

            let signers = ["kubernetes.io/kube-apiserver-client", "kubernetes.io/*"];
            for (sub, verb) in [("approval", "approve"), ("status", "sign")] {
                let update = c.allows(grants, &res("update", "certificates.k8s.io", "certificatesigningrequests").subresource(sub));
                let signer = signers
                    .iter()
                    .find_map(|s| c.allows(grants, &res(verb, "certificates.k8s.io", "signers").name(s)));
                if let (Some(via), Some(_)) = (update, signer) {
                    b.edge(
                        from,
                        GraphNode::ClusterAdmin,
                        EdgeReason::CertificateSigning,
                        format!("update certificatesigningrequests/{sub} + {verb} signers kubernetes.io/kube-apiserver-client"),
                        Some(via),
                    );
                }
            }

            let hooks: Vec<Request> = ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"]
                .iter()
                .flat_map(|r| ["create", "update", "patch"].map(|v| res(v, "admissionregistration.k8s.io", r)))
                .collect();
            if let Some((via, what)) = c.any(grants, &hooks) {
                b.edge(from, GraphNode::ClusterAdmin, EdgeReason::WebhookConfiguration, scoped(&what, scope), Some(via));
            }

            if let Some(via) = c.allows(grants, &res("create", "", "persistentvolumes")) {
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
        let exec: Vec<Request> = ["exec", "attach"]
            .iter()
            .flat_map(|s| ["create", "get"].map(|v| res(v, "", "pods").subresource(s)))
            .collect();
        if let Some((via, what)) = c.any(grants, &exec) {
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

        // update/patch workloads
        for (kind, group, resource) in WORKLOAD_RESOURCES {
            if !workloads.iter().any(|w| w.kind == kind && scope.is_none_or(|s| s == w.namespace)) {
                continue;
            }
            let reqs = [res("update", group, resource), res("patch", group, resource)];
            if let Some((via, what)) = c.any(grants, &reqs) {
                b.edge(
                    from,
                    GraphNode::AnyWorkload {
                        namespace: scope.map(str::to_string),
                        kind: Some(kind.to_string()),
                    },
                    EdgeReason::UpdateWorkload,
                    scoped(&what, scope),
                    Some(via),
                );
                continue;
            }
            for req in &reqs {
                for (name, via) in c.named(grants, req) {
                    for w in workloads
                        .iter()
                        .filter(|w| w.kind == kind && w.name == name && scope.is_none_or(|s| s == w.namespace))
                    {
                        b.edge(
                            from,
                            GraphNode::Workload {
                                kind: w.kind.clone(),
                                namespace: w.namespace.clone(),
                                name: w.name.clone(),
                            },
                            EdgeReason::UpdateWorkload,
                            scoped(&format!("{} {resource} {name:?}", req.verb()), scope),
                            Some(via.clone()),
                        );
                    }
                }
            }
        }
    }
}

/// Adds the edges of set nodes to their members (only for sets something points at).
fn expand_sets(b: &mut Builder, sas: &BTreeSet<(String, String)>, workloads: &[WorkloadRef]) {
    let contains = |what: &str| format!("includes {what}");
    // cluster-wide sets first: they point at per-namespace sets
    let referenced: Vec<GraphNode> = b.edges.keys().map(|(_, to, _)| to.clone()).collect::<BTreeSet<_>>().into_iter().collect();
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
            GraphNode::AnyWorkload { namespace: None, kind } => {
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
    let referenced: BTreeSet<GraphNode> = b.edges.keys().map(|(_, to, _)| to.clone()).collect();
    let users: Vec<GraphNode> = b.nodes.iter().filter(|n| matches!(n, GraphNode::User { .. })).cloned().collect();
    for node in &referenced {
        match node {
            GraphNode::AnyServiceAccount { namespace: Some(ns) } => {
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
            GraphNode::AnyWorkload { namespace: Some(ns), kind } => {
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
                    b.edge(node, u.clone(), EdgeReason::Contains, contains(&u.label()), None);
                }
            }
            _ => {}
        }
    }
}

fn finish(b: Builder) -> EscalationGraph {
    let Builder { nodes, edges } = b;
    let mut all = nodes;
    all.insert(GraphNode::ClusterAdmin);
    let nodes: Vec<GraphNode> = all.into_iter().collect();
    let index_of = |n: &GraphNode| nodes.binary_search(n).ok();
    let edges: Vec<EscalationEdge> = edges
        .into_iter()
        .filter_map(|((from, to, reason), (permission, via))| {
            Some(EscalationEdge {
                from: index_of(&from)?,
                to: index_of(&to)?,
                reason,
                permission,
                via,
            })
        })
        .collect();
    let mut sorted = edges;
    sorted.sort_by(|a, b| (a.from, a.to, a.reason).cmp(&(b.from, b.to, b.reason)));
    let edges = sorted;

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
    EscalationGraph { nodes, edges, paths }
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
        let mut out = String::from("digraph escalation {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\"];\n");
        for (i, n) in self.nodes.iter().enumerate() {
            let style = match n {
                GraphNode::ClusterAdmin => ", shape=doubleoctagon, style=filled, fillcolor=\"#e06666\"",
                _ if reaching.contains(n) => ", style=filled, fillcolor=\"#f9cb9c\"",
                GraphNode::AnyServiceAccount { .. } | GraphNode::AnyWorkload { .. } | GraphNode::AnyUser => ", shape=ellipse, style=dashed",
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
                dot_escape(&reason),
                dot_escape(&e.permission)
            );
        }
        out.push_str("}\n");
        out
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

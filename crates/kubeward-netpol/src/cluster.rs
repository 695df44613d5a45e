//! The cluster model: workloads (pods grouped by controlling owner), namespaces, policies.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, OnceLock};

use kubeward_yaml::{Node, path_index, path_join};
use serde::{Deserialize, Serialize};

use crate::SourceId;
use crate::index::Index;
use crate::policy::{Policy, PolicyIssue, parse_policy};
use crate::ports::Protocol;
use crate::selector::Labels;

/// The label the API server sets on every namespace to its name.
pub const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Kinds whose pods become workloads, in the order owners are resolved.
pub const WORKLOAD_KINDS: [&str; 8] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "CronJob",
    "Job",
    "ReplicaSet",
    "ReplicationController",
    "Pod",
];

/// A workload: the pods of one controlling owner (or one bare pod).
///
/// Ordered by namespace, then name, then kind. Serializes as `{"kind", "namespace", "name"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WorkloadRef {
    /// `Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob`, `ReplicaSet`,
    /// `ReplicationController` or `Pod`.
    pub kind: String,
    /// Namespace (`default` when the object has none).
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl WorkloadRef {
    /// A reference from its parts.
    #[must_use]
    pub fn new(
        kind: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        WorkloadRef {
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// Parses `Kind/namespace/name` or `namespace/name` (any kind) as written by [`fmt::Display`].
    #[must_use]
    pub fn parse(s: &str) -> Option<WorkloadRef> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [kind, ns, name] => Some(WorkloadRef::new(*kind, *ns, *name)),
            [ns, name] => Some(WorkloadRef::new("", *ns, *name)),
            _ => None,
        }
    }
}

impl Ord for WorkloadRef {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.namespace, &self.name, &self.kind).cmp(&(&other.namespace, &other.name, &other.kind))
    }
}

impl PartialOrd for WorkloadRef {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for WorkloadRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

/// A container port of a pod.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ContainerPort {
    /// `name`, if any.
    pub name: Option<String>,
    /// `containerPort`.
    pub port: u16,
    /// `protocol` (TCP when absent).
    pub protocol: Protocol,
}

/// One pod-bearing object as read from input.
#[derive(Debug, Clone)]
pub(crate) struct RawPods {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub owner: Option<(String, String)>,
    pub labels: Labels,
    /// Ports of `containers` and of sidecar `initContainers` (`restartPolicy: Always`), in
    /// order: these are the ports named ports resolve against.
    pub ports: Vec<ContainerPort>,
    pub images: Vec<String>,
    pub host_network: bool,
    pub source: SourceId,
    pub path: String,
}

/// The input to every analysis: workloads, namespaces and NetworkPolicies.
///
/// Add objects with [`Cluster::add_object`] (or build with [`Cluster::from_objects`]); every
/// query works on the objects added so far.
#[derive(Debug, Default)]
pub struct Cluster {
    pub(crate) namespaces: BTreeMap<String, (Labels, SourceId)>,
    pub(crate) pods: Vec<RawPods>,
    pub(crate) policies: Vec<Policy>,
    pub(crate) issues: Vec<PolicyIssue>,
    policy_keys: HashSet<(String, String)>,
    pod_keys: HashMap<(String, String, String), usize>,
    index: OnceLock<Arc<Index>>,
}

impl Clone for Cluster {
    fn clone(&self) -> Self {
        Cluster {
            namespaces: self.namespaces.clone(),
            pods: self.pods.clone(),
            policies: self.policies.clone(),
            issues: self.issues.clone(),
            policy_keys: self.policy_keys.clone(),
            pod_keys: self.pod_keys.clone(),
            index: OnceLock::new(),
        }
    }
}

/// The namespace of an object (`default` when absent or empty).
pub(crate) fn object_namespace(node: &Node) -> String {
    node.get("metadata")
        .and_then(|m| m.get("namespace"))
        .and_then(Node::scalar_string)
        .filter(|s| !s.is_empty())
        .map_or_else(|| "default".to_string(), Cow::into_owned)
}

fn labels_of(meta: Option<&Node>) -> Labels {
    let mut labels = Labels::new();
    if let Some(l) = meta.and_then(|m| m.get("labels")) {
        for (k, v) in l.entries() {
            let val = v.scalar_string().map_or_else(String::new, Cow::into_owned);
            labels.insert(k.into_owned(), val);
        }
    }
    labels
}

fn str_field(node: Option<&Node>, key: &str) -> Option<String> {
    node.and_then(|n| n.get(key))
        .and_then(Node::scalar_string)
        .map(Cow::into_owned)
}

impl Cluster {
    /// An empty cluster.
    #[must_use]
    pub fn new() -> Self {
        Cluster::default()
    }

    /// A cluster from `(source, object)` pairs.
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = (SourceId, &'a Node)>) -> Self {
        let mut c = Cluster::new();
        for (s, n) in objects {
            c.add_object(s, n);
        }
        c
    }

    /// A cluster from YAML text (every document; `List` objects are expanded), all with one
    /// source id. Convenient for tests and examples.
    #[must_use]
    pub fn from_yaml(source: SourceId, text: &str) -> Self {
        let mut c = Cluster::new();
        c.add_yaml(source, text);
        c
    }

    /// Adds every document of a YAML text.
    pub fn add_yaml(&mut self, source: SourceId, text: &str) {
        let parsed = kubeward_yaml::parse_str(text);
        for d in &parsed.documents {
            self.add_object(source, &d.root);
        }
    }

    /// Adds one object. Pod-bearing workloads, `Namespace`s and `NetworkPolicy`s
    /// (`networking.k8s.io/v1`) are read; `List`s are expanded; anything else is ignored.
    pub fn add_object(&mut self, source: SourceId, node: &Node) {
        self.add_at(source, node, "");
    }

    fn add_at(&mut self, source: SourceId, node: &Node, path: &str) {
        self.index = OnceLock::new();
        let kind = node.get("kind").and_then(Node::as_str).unwrap_or("");
        let api = node.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        match kind {
            "List" | "NamespaceList" | "NetworkPolicyList" | "PodList" | "DeploymentList" => {
                if let Some(items) = node.get("items") {
                    for (i, item) in items.items().enumerate() {
                        self.add_at(source, item, &path_index(&path_join(path, "items"), i));
                    }
                }
            }
            "Namespace" => {
                let meta = node.get("metadata");
                let Some(name) = str_field(meta, "name") else {
                    return;
                };
                let mut labels = labels_of(meta);
                labels.insert(NAME_LABEL.to_string(), name.clone());
                self.namespaces.insert(name, (labels, source));
            }
            "NetworkPolicy"
                if api.is_empty()
                    || api == "networking.k8s.io/v1"
                    || api == "extensions/v1beta1" =>
            {
                let (policy, issues) = parse_policy(node, source, path);
                if let Some(first) = issues
                    .first()
                    .map(|i| i.policy.clone())
                    .or_else(|| policy.as_ref().map(|p| (*p.r).clone()))
                {
                    // The same namespace/name again replaces the earlier object (as `kubectl
                    // apply` of both would).
                    if !self
                        .policy_keys
                        .insert((first.namespace.clone(), first.name.clone()))
                    {
                        let before = self.policies.len();
                        self.policies.retain(|p| {
                            !(p.r.namespace == first.namespace && p.r.name == first.name)
                        });
                        let replaced_invalid = self.issues.iter().any(|i| {
                            i.policy.namespace == first.namespace && i.policy.name == first.name
                        });
                        if before != self.policies.len() || replaced_invalid {
                            self.issues.retain(|i| {
                                !(i.policy.namespace == first.namespace
                                    && i.policy.name == first.name)
                            });
                            self.issues.push(PolicyIssue {
                            policy: first.clone(),
                            path: "metadata.name".to_string(),
                            severity: crate::policy::IssueSeverity::Warning,
                            message: format!(
                                "NetworkPolicy {}/{} is defined more than once; this definition replaces the earlier one",
                                first.namespace, first.name
                            ),
                        });
                        }
                    }
                }
                self.issues.extend(issues);
                if let Some(p) = policy {
                    self.policies.push(p);
                }
            }
            k if WORKLOAD_KINDS.contains(&k) => {
                if let Some(raw) = read_pods(k, node, source, path) {
                    let key = (raw.kind.clone(), raw.namespace.clone(), raw.name.clone());
                    match self.pod_keys.get(&key).and_then(|&i| self.pods.get_mut(i)) {
                        // The same kind/namespace/name again replaces the earlier object.
                        Some(slot) => *slot = raw,
                        None => {
                            self.pod_keys.insert(key, self.pods.len());
                            self.pods.push(raw);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Every located problem in the NetworkPolicies (invalid ones are left out of all
    /// computations, as the API server would reject them).
    #[must_use]
    pub fn issues(&self) -> &[PolicyIssue] {
        &self.issues
    }

    /// Removes every NetworkPolicy (keeps workloads and namespaces).
    pub fn clear_policies(&mut self) {
        self.policies.clear();
        self.issues.clear();
        self.policy_keys.clear();
        self.index = OnceLock::new();
    }

    pub(crate) fn index(&self) -> Arc<Index> {
        self.index
            .get_or_init(|| Arc::new(Index::build(self)))
            .clone()
    }

    /// Resolves pod-bearing objects to workloads: follows `ownerReferences` (controller)
    /// through the objects present; a missing owner becomes the workload itself (a missing
    /// ReplicaSet whose name ends in the pod's `pod-template-hash` becomes its Deployment).
    pub(crate) fn resolve_workloads(&self) -> Vec<(WorkloadRef, usize)> {
        let by_key: HashMap<(&str, &str, &str), usize> = self
            .pods
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.namespace.as_str(), p.kind.as_str(), p.name.as_str()), i))
            .collect();
        let mut out = Vec::with_capacity(self.pods.len());
        for (i, p) in self.pods.iter().enumerate() {
            let mut cur = p;
            let mut seen = 0;
            let w = loop {
                seen += 1;
                let Some((ok, on)) = &cur.owner else {
                    break WorkloadRef::new(&cur.kind, &cur.namespace, &cur.name);
                };
                if seen > 8 {
                    break WorkloadRef::new(&cur.kind, &cur.namespace, &cur.name);
                }
                if let Some(&j) = by_key.get(&(cur.namespace.as_str(), ok.as_str(), on.as_str()))
                    && let Some(next) = self.pods.get(j)
                {
                    cur = next;
                    continue;
                }
                if ok == "ReplicaSet"
                    && let Some(hash) = cur.labels.get("pod-template-hash")
                    && let Some(dep) = on
                        .strip_suffix(hash.as_str())
                        .and_then(|s| s.strip_suffix('-'))
                {
                    break WorkloadRef::new("Deployment", &cur.namespace, dep);
                }
                break WorkloadRef::new(ok, &cur.namespace, on);
            };
            out.push((w, i));
        }
        out
    }

    /// Namespace labels (defined namespaces, and every namespace a workload or policy lives
    /// in, which gets only the name label).
    pub(crate) fn namespace_labels(&self) -> BTreeMap<String, Labels> {
        let mut m: BTreeMap<String, Labels> = self
            .namespaces
            .iter()
            .map(|(k, (l, _))| (k.clone(), l.clone()))
            .collect();
        let used: BTreeSet<&str> = self
            .pods
            .iter()
            .map(|p| p.namespace.as_str())
            .chain(self.policies.iter().map(|p| p.r.namespace.as_str()))
            .collect();
        for ns in used {
            m.entry(ns.to_string()).or_insert_with(|| {
                std::iter::once((NAME_LABEL.to_string(), ns.to_string())).collect()
            });
        }
        m
    }
}

fn read_pods(kind: &str, node: &Node, source: SourceId, path: &str) -> Option<RawPods> {
    let meta = node.get("metadata");
    let name = str_field(meta, "name")?;
    let namespace = object_namespace(node);
    let template = match kind {
        "Pod" => Some(node),
        "CronJob" => node.at_path("spec.jobTemplate.spec.template"),
        _ => node.at_path("spec.template"),
    };
    let (labels, spec) = match template {
        Some(t) if kind == "Pod" => (labels_of(meta), t.get("spec")),
        Some(t) => (labels_of(t.get("metadata")), t.get("spec")),
        None => (Labels::new(), None),
    };
    let owner = meta
        .and_then(|m| m.get("ownerReferences"))
        .and_then(|refs| {
            let list: Vec<&Node> = refs.items().collect();
            let pick = list
                .iter()
                .find(|r| r.get("controller").and_then(Node::as_bool) == Some(true))
                .or_else(|| {
                    list.iter().find(|r| {
                        r.get("kind")
                            .and_then(Node::as_str)
                            .is_some_and(|k| WORKLOAD_KINDS.contains(&k))
                    })
                })?;
            let k = pick.get("kind").and_then(Node::as_str)?;
            let n = pick.get("name").and_then(Node::scalar_string)?;
            WORKLOAD_KINDS
                .contains(&k)
                .then(|| (k.to_string(), n.into_owned()))
        });
    let mut ports = Vec::new();
    let mut images = Vec::new();
    if let Some(spec) = spec {
        let containers = spec.get("containers").into_iter().flat_map(Node::items);
        let sidecars = spec
            .get("initContainers")
            .into_iter()
            .flat_map(Node::items)
            .filter(|c| c.get("restartPolicy").and_then(Node::as_str) == Some("Always"));
        for c in containers.chain(sidecars) {
            if let Some(img) = c.get("image").and_then(Node::scalar_string) {
                images.push(img.into_owned());
            }
            for p in c.get("ports").into_iter().flat_map(Node::items) {
                let Some(num) = p
                    .get("containerPort")
                    .and_then(Node::as_i64)
                    .and_then(|v| u16::try_from(v).ok())
                    .filter(|v| *v > 0)
                else {
                    continue;
                };
                let protocol = match p.get("protocol").and_then(Node::as_str) {
                    None => Protocol::Tcp,
                    Some(s) => match Protocol::parse(s) {
                        Some(pr) => pr,
                        None => continue,
                    },
                };
                let name = p
                    .get("name")
                    .and_then(Node::scalar_string)
                    .map(Cow::into_owned)
                    .filter(|s| !s.is_empty());
                ports.push(ContainerPort {
                    name,
                    port: num,
                    protocol,
                });
            }
        }
    }
    Some(RawPods {
        kind: kind.to_string(),
        namespace,
        name,
        owner,
        labels,
        ports,
        images,
        host_network: spec
            .and_then(|s| s.get("hostNetwork"))
            .and_then(Node::as_bool)
            == Some(true),
        source,
        path: path.to_string(),
    })
}

//! The policy model: objects in, resolved index out.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

use kubeward_yaml::{Node, path_index};
use serde::{Deserialize, Serialize};

use crate::error::RbacError;
use crate::parse::{BindingObj, Parsed, RoleObj, parse_object};
use crate::types::{ObjectKind, ObjectRef, PolicyRule, SourceId, Subject, SubjectKind, SubjectRef};

/// A problem in the model that queries work around (never a crash): a binding to a role
/// that does not exist, a subject that can never match, an aggregation that cannot be
/// computed, an object given twice.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PolicyFinding {
    /// What is wrong.
    pub kind: FindingKind,
    /// The object it is about.
    pub object: ObjectRef,
    /// The field path in that object (`roleRef`, `subjects[2]`, ...).
    pub path: String,
    /// A sentence for people.
    pub message: String,
}

/// The kinds of [`PolicyFinding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// `roleRef` names a Role or ClusterRole that is not among the objects: the binding
    /// grants nothing (the authorizer reports "not found").
    MissingRole,
    /// `roleRef.kind` is neither `Role` nor `ClusterRole`, or a ClusterRoleBinding refers
    /// to a `Role`: the binding grants nothing.
    InvalidRoleRef,
    /// A ServiceAccount subject of a ClusterRoleBinding without `namespace`: it never matches.
    ServiceAccountSubjectWithoutNamespace,
    /// A subject kind other than User, Group, ServiceAccount: it never matches.
    UnknownSubjectKind,
    /// The same object (kind, namespace, name) was given twice; the later one is used.
    /// (Replacing an object of the default policy, as a cluster dump does, is not reported.)
    DuplicateObject,
    /// An `aggregationRule` selector the controller rejects; the role keeps its own rules.
    InvalidAggregationSelector,
    /// Aggregated ClusterRoles that select each other did not settle.
    AggregationCycle,
}

/// Where a rule is written: the role object that holds it and its `rules[i]` path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RuleSite {
    /// The Role or ClusterRole whose `rules` hold the rule (for an aggregated ClusterRole,
    /// the ClusterRole it was aggregated from).
    pub role: ObjectRef,
    /// `rules[i]` in that object.
    pub path: String,
}

/// One way a permission is granted: binding → role → rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Via {
    /// The RoleBinding or ClusterRoleBinding.
    pub binding: ObjectRef,
    /// The binding's subject that matched (`subjects[i]`).
    pub subject_path: String,
    /// The role the binding refers to.
    pub role: ObjectRef,
    /// The index of the granting rule among the role's effective rules (for aggregated
    /// ClusterRoles, the computed rules).
    pub rule_index: usize,
    /// Where the granting rule is written.
    pub rule: RuleSite,
}

pub(crate) type RoleId = usize;
pub(crate) type BindingId = usize;
pub(crate) type RuleId = usize;

#[derive(Debug, Clone)]
pub(crate) struct StoredRole {
    pub obj: RoleObj,
    pub source: Option<SourceId>,
}

impl StoredRole {
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            kind: self.obj.kind,
            namespace: self.obj.namespace.clone(),
            name: self.obj.name.clone(),
            source: self.source,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct StoredBinding {
    pub obj: BindingObj,
    pub source: Option<SourceId>,
}

impl StoredBinding {
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            kind: self.obj.kind,
            namespace: self.obj.namespace.clone(),
            name: self.obj.name.clone(),
            source: self.source,
        }
    }

    /// The subject as the authorizer matches it: a service account without a namespace
    /// takes the RoleBinding's namespace; `None` when it can never match.
    pub fn effective_subject(&self, subject: &Subject) -> Option<SubjectRef> {
        match &subject.kind {
            SubjectKind::User | SubjectKind::Group => Some(SubjectRef {
                kind: subject.kind.clone(),
                namespace: None,
                name: subject.name.clone(),
            }),
            SubjectKind::ServiceAccount => {
                let ns = subject
                    .namespace
                    .clone()
                    .or_else(|| self.obj.namespace.clone())?;
                Some(SubjectRef {
                    kind: SubjectKind::ServiceAccount,
                    namespace: Some(ns),
                    name: subject.name.clone(),
                })
            }
            SubjectKind::Other(_) => None,
        }
    }
}

/// One rule of the arena.
#[derive(Debug, Clone)]
pub(crate) struct RuleEntry {
    pub rule: PolicyRule,
    pub role: RoleId,
    pub index: usize,
}

/// Why a binding's role did not resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unresolved {
    Missing,
    Invalid,
}

/// Everything queries need, computed once after loading.
#[derive(Debug, Clone)]
pub(crate) struct Index {
    pub rules: Vec<RuleEntry>,
    /// Effective rules per role (aggregation applied).
    pub effective: Vec<Vec<RuleId>>,
    /// Per aggregated ClusterRole: the ClusterRoles it aggregates (directly).
    pub aggregates: Vec<Vec<RoleId>>,
    pub cluster_roles: HashMap<String, RoleId>,
    /// ClusterRoleBindings, sorted by name.
    pub crbs: Vec<BindingId>,
    /// RoleBindings per namespace, sorted by name.
    pub rbs_by_ns: BTreeMap<String, Vec<BindingId>>,
    pub resolved: Vec<Result<RoleId, Unresolved>>,
    pub findings: Vec<PolicyFinding>,
}

/// The RBAC objects of a cluster (or of a set of manifests), with the queries of the
/// Kubernetes RBAC authorizer over them.
///
/// Objects are added with [`Policy::add_object`]; the resolved model (aggregated
/// ClusterRoles, binding → role links) is computed on the first query after a change.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    default_namespace: Option<String>,
    pub(crate) roles: Vec<StoredRole>,
    role_keys: HashMap<(ObjectKind, Option<String>, String), RoleId>,
    pub(crate) bindings: Vec<StoredBinding>,
    binding_keys: HashMap<(ObjectKind, Option<String>, String), BindingId>,
    /// ServiceAccount objects: (namespace, name) -> source.
    pub(crate) service_accounts: BTreeMap<(String, String), Option<SourceId>>,
    /// Whether any ServiceAccount object came from the caller (not the default policy).
    pub(crate) service_account_inventory: bool,
    load_findings: Vec<PolicyFinding>,
    index: OnceLock<Index>,
}

impl Policy {
    /// An empty policy (no default roles or bindings).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy holding the default RBAC objects a Kubernetes API server creates at
    /// bootstrap (see `data/README.md`).
    #[must_use]
    pub fn with_defaults() -> Self {
        let mut policy = Self::new();
        crate::defaults::load_into(&mut policy);
        policy
    }

    /// The namespace given to namespaced objects without `metadata.namespace`
    /// (`default`, as kubectl does without `-n`).
    pub fn set_default_namespace(&mut self, namespace: &str) {
        self.default_namespace = Some(namespace.to_string());
    }

    /// Adds one object. Role, ClusterRole, RoleBinding, ClusterRoleBinding
    /// (`rbac.authorization.k8s.io`) and ServiceAccount (`v1`) are read (`Ok(true)`);
    /// other kinds are ignored (`Ok(false)`). `kind: List` is the caller's to unwrap.
    /// An object with the same kind, namespace and name as an earlier one replaces it (so a
    /// cluster's live `admin` ClusterRole replaces the default one).
    ///
    /// # Errors
    /// [`RbacError::InvalidObject`] with the field path when a read kind is malformed.
    pub fn add_object(&mut self, source: SourceId, node: &Node) -> Result<bool, RbacError> {
        self.add_node(Some(source), node)
    }

    pub(crate) fn add_node(
        &mut self,
        source: Option<SourceId>,
        node: &Node,
    ) -> Result<bool, RbacError> {
        let ns = self.default_namespace.as_deref().unwrap_or("default");
        let parsed = parse_object(node, ns)?;
        self.index = OnceLock::new();
        match parsed {
            Parsed::Ignored => return Ok(false),
            Parsed::Role(obj) => {
                let key = (obj.kind, obj.namespace.clone(), obj.name.clone());
                let stored = StoredRole { obj, source };
                if let Some(&id) = self.role_keys.get(&key) {
                    if self.roles.get(id).is_some_and(|r| r.source.is_some()) {
                        self.duplicate(stored.object_ref());
                    }
                    if let Some(slot) = self.roles.get_mut(id) {
                        *slot = stored;
                    }
                } else {
                    self.role_keys.insert(key, self.roles.len());
                    self.roles.push(stored);
                }
            }
            Parsed::Binding(obj) => {
                let key = (obj.kind, obj.namespace.clone(), obj.name.clone());
                let stored = StoredBinding { obj, source };
                if let Some(&id) = self.binding_keys.get(&key) {
                    if self.bindings.get(id).is_some_and(|b| b.source.is_some()) {
                        self.duplicate(stored.object_ref());
                    }
                    if let Some(slot) = self.bindings.get_mut(id) {
                        *slot = stored;
                    }
                } else {
                    self.binding_keys.insert(key, self.bindings.len());
                    self.bindings.push(stored);
                }
            }
            Parsed::ServiceAccount { namespace, name } => {
                if source.is_some() {
                    self.service_account_inventory = true;
                }
                self.service_accounts.insert((namespace, name), source);
            }
        }
        Ok(true)
    }

    fn duplicate(&mut self, object: ObjectRef) {
        let message = format!("{object} is given more than once; the last one is used");
        self.load_findings.push(PolicyFinding {
            kind: FindingKind::DuplicateObject,
            object,
            path: "metadata.name".to_string(),
            message,
        });
    }

    /// Adds every object of a YAML text, unwrapping `kind: List` (a convenience for tests
    /// and tools; the pipeline calls [`Policy::add_object`]). Returns how many objects were read.
    ///
    /// # Errors
    /// The first malformed object's error (the objects before it are kept).
    pub fn add_yaml_str(&mut self, source: SourceId, text: &str) -> Result<usize, RbacError> {
        self.add_text(Some(source), text)
    }

    pub(crate) fn add_text(
        &mut self,
        source: Option<SourceId>,
        text: &str,
    ) -> Result<usize, RbacError> {
        let parsed = kubeward_yaml::parse_str(text);
        let mut count = 0;
        for doc in &parsed.documents {
            let root = &doc.root;
            if root.get("kind").and_then(Node::as_str) == Some("List") {
                for item in root.get("items").into_iter().flat_map(Node::items) {
                    count += usize::from(self.add_node(source, item)?);
                }
            } else {
                count += usize::from(self.add_node(source, root)?);
            }
        }
        Ok(count)
    }

    /// Computes the resolved model (aggregation, binding → role links) now instead of on
    /// the first query; queries after it only read.
    pub fn prepare(&self) {
        let _ = self.index();
    }

    /// Problems found in the model: bindings to missing roles, subjects that never match,
    /// aggregation errors, duplicates. Sorted.
    #[must_use]
    pub fn findings(&self) -> Vec<PolicyFinding> {
        let mut all = self.load_findings.clone();
        all.extend(self.index().findings.iter().cloned());
        all.sort();
        all.dedup();
        all
    }

    /// The effective rules of a ClusterRole (for an aggregated one, the rules the
    /// aggregation controller computes), with where each is written. `None` if unknown.
    #[must_use]
    pub fn cluster_role_rules(&self, name: &str) -> Option<Vec<(PolicyRule, RuleSite)>> {
        let idx = self.index();
        let id = *idx.cluster_roles.get(name)?;
        Some(self.effective_rules_of(id))
    }

    /// The effective rules of a namespaced Role, with where each is written.
    #[must_use]
    pub fn role_rules(&self, namespace: &str, name: &str) -> Option<Vec<(PolicyRule, RuleSite)>> {
        let id = *self.role_keys.get(&(
            ObjectKind::Role,
            Some(namespace.to_string()),
            name.to_string(),
        ))?;
        Some(self.effective_rules_of(id))
    }

    fn effective_rules_of(&self, id: RoleId) -> Vec<(PolicyRule, RuleSite)> {
        let idx = self.index();
        idx.effective
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|&rid| {
                let entry = idx.rules.get(rid)?;
                Some((entry.rule.clone(), self.rule_site(entry)))
            })
            .collect()
    }

    /// The ClusterRoles that an aggregated ClusterRole aggregates (directly), sorted.
    #[must_use]
    pub fn aggregated_from(&self, name: &str) -> Vec<String> {
        let idx = self.index();
        let Some(&id) = idx.cluster_roles.get(name) else {
            return Vec::new();
        };
        let mut names: Vec<String> = idx
            .aggregates
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|&r| self.roles.get(r).map(|s| s.obj.name.clone()))
            .collect();
        names.sort();
        names
    }

    pub(crate) fn rule_site(&self, entry: &RuleEntry) -> RuleSite {
        RuleSite {
            role: self
                .roles
                .get(entry.role)
                .map(StoredRole::object_ref)
                .unwrap_or_else(|| placeholder_ref(ObjectKind::ClusterRole)),
            path: path_index("rules", entry.index),
        }
    }

    pub(crate) fn binding_ref(&self, id: BindingId) -> ObjectRef {
        self.bindings
            .get(id)
            .map(StoredBinding::object_ref)
            .unwrap_or_else(|| placeholder_ref(ObjectKind::RoleBinding))
    }

    pub(crate) fn role_ref(&self, id: RoleId) -> ObjectRef {
        self.roles
            .get(id)
            .map(StoredRole::object_ref)
            .unwrap_or_else(|| placeholder_ref(ObjectKind::ClusterRole))
    }

    /// Builds the [`Via`] for a binding, its subject, and an effective rule of its role.
    pub(crate) fn via(
        &self,
        binding: BindingId,
        subject: usize,
        role: RoleId,
        eff_index: usize,
    ) -> Via {
        let idx = self.index();
        let site = idx
            .effective
            .get(role)
            .and_then(|e| e.get(eff_index))
            .and_then(|&rid| idx.rules.get(rid))
            .map(|entry| self.rule_site(entry))
            .unwrap_or_else(|| RuleSite {
                role: self.role_ref(role),
                path: String::new(),
            });
        Via {
            binding: self.binding_ref(binding),
            subject_path: path_index("subjects", subject),
            role: self.role_ref(role),
            rule_index: eff_index,
            rule: site,
        }
    }

    pub(crate) fn index(&self) -> &Index {
        self.index.get_or_init(|| build_index(self))
    }

    /// The finding for a binding whose role did not resolve.
    pub(crate) fn unresolved_finding(&self, binding: BindingId) -> Option<PolicyFinding> {
        let idx = self.index();
        let b = self.bindings.get(binding)?;
        let why = idx.resolved.get(binding)?.err()?;
        Some(unresolved_finding(b, why))
    }
}

fn placeholder_ref(kind: ObjectKind) -> ObjectRef {
    ObjectRef {
        kind,
        namespace: None,
        name: String::new(),
        source: None,
    }
}

fn unresolved_finding(b: &StoredBinding, why: Unresolved) -> PolicyFinding {
    let r = &b.obj.role_ref;
    let (kind, message) = match why {
        Unresolved::Missing => (
            FindingKind::MissingRole,
            match &b.obj.namespace {
                Some(ns) if r.kind == "Role" => format!(
                    "{} refers to Role {ns}/{}, which does not exist",
                    b.object_ref(),
                    r.name
                ),
                _ => format!(
                    "{} refers to {} {}, which does not exist",
                    b.object_ref(),
                    r.kind,
                    r.name
                ),
            },
        ),
        Unresolved::Invalid => (
            FindingKind::InvalidRoleRef,
            format!(
                "{} refers to a {:?}, which a {} cannot bind",
                b.object_ref(),
                r.kind,
                b.obj.kind
            ),
        ),
    };
    PolicyFinding {
        kind,
        object: b.object_ref(),
        path: "roleRef".to_string(),
        message,
    }
}

fn build_index(policy: &Policy) -> Index {
    let mut rules = Vec::new();
    let mut effective: Vec<Vec<RuleId>> = Vec::with_capacity(policy.roles.len());
    let mut cluster_roles = HashMap::new();
    let mut ns_roles: HashMap<(&str, &str), RoleId> = HashMap::new();
    for (id, role) in policy.roles.iter().enumerate() {
        let mut own = Vec::with_capacity(role.obj.rules.len());
        for (i, rule) in role.obj.rules.iter().enumerate() {
            own.push(rules.len());
            rules.push(RuleEntry {
                rule: rule.clone(),
                role: id,
                index: i,
            });
        }
        effective.push(own);
        match (&role.obj.kind, &role.obj.namespace) {
            (ObjectKind::ClusterRole, _) => {
                cluster_roles.insert(role.obj.name.clone(), id);
            }
            (_, Some(ns)) => {
                ns_roles.insert((ns.as_str(), role.obj.name.as_str()), id);
            }
            _ => {}
        }
    }
    let mut findings = Vec::new();
    let aggregates = aggregate(policy, &rules, &mut effective, &mut findings);

    let mut crbs = Vec::new();
    let mut rbs_by_ns: BTreeMap<String, Vec<BindingId>> = BTreeMap::new();
    let mut resolved = Vec::with_capacity(policy.bindings.len());
    for (id, b) in policy.bindings.iter().enumerate() {
        let r = &b.obj.role_ref;
        let res = match (r.kind.as_str(), b.obj.kind, &b.obj.namespace) {
            ("ClusterRole", _, _) => cluster_roles
                .get(&r.name)
                .copied()
                .ok_or(Unresolved::Missing),
            ("Role", ObjectKind::RoleBinding, Some(ns)) => ns_roles
                .get(&(ns.as_str(), r.name.as_str()))
                .copied()
                .ok_or(Unresolved::Missing),
            _ => Err(Unresolved::Invalid),
        };
        if let Err(why) = res {
            findings.push(unresolved_finding(b, why));
        }
        resolved.push(res);
        for (i, s) in b.obj.subjects.iter().enumerate() {
            let finding = match &s.kind {
                SubjectKind::ServiceAccount
                    if s.namespace.is_none() && b.obj.kind == ObjectKind::ClusterRoleBinding =>
                {
                    Some((
                        FindingKind::ServiceAccountSubjectWithoutNamespace,
                        format!(
                            "ServiceAccount subject {:?} has no namespace and never matches",
                            s.name
                        ),
                    ))
                }
                SubjectKind::Other(k) => Some((
                    FindingKind::UnknownSubjectKind,
                    format!(
                        "subject kind {k:?} is not User, Group or ServiceAccount and never matches"
                    ),
                )),
                _ => None,
            };
            if let Some((kind, message)) = finding {
                findings.push(PolicyFinding {
                    kind,
                    object: b.object_ref(),
                    path: path_index("subjects", i),
                    message,
                });
            }
        }
        match (&b.obj.kind, &b.obj.namespace) {
            (ObjectKind::ClusterRoleBinding, _) => crbs.push(id),
            (_, Some(ns)) => rbs_by_ns.entry(ns.clone()).or_default().push(id),
            _ => {}
        }
    }
    let by_name = |a: &BindingId, b: &BindingId| {
        let name = |id: &BindingId| policy.bindings.get(*id).map(|b| b.obj.name.as_str());
        name(a).cmp(&name(b))
    };
    crbs.sort_by(by_name);
    for list in rbs_by_ns.values_mut() {
        list.sort_by(by_name);
    }
    Index {
        rules,
        effective,
        aggregates,
        cluster_roles,
        crbs,
        rbs_by_ns,
        resolved,
        findings,
    }
}

/// Computes aggregated ClusterRoles as the clusterrole-aggregation controller does: for each
/// selector in order, the matching ClusterRoles sorted by name (the role itself skipped),
/// their current rules appended unless an equal rule is already there. Repeated until
/// nothing changes, so aggregated roles that aggregate other aggregated roles settle.
fn aggregate(
    policy: &Policy,
    rules: &[RuleEntry],
    effective: &mut [Vec<RuleId>],
    findings: &mut Vec<PolicyFinding>,
) -> Vec<Vec<RoleId>> {
    let mut aggregates: Vec<Vec<RoleId>> = vec![Vec::new(); policy.roles.len()];
    let mut cluster: Vec<RoleId> = policy
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| r.obj.kind == ObjectKind::ClusterRole)
        .map(|(i, _)| i)
        .collect();
    let name_of = |id: RoleId| policy.roles.get(id).map_or("", |r| r.obj.name.as_str());
    cluster.sort_by(|a, b| name_of(*a).cmp(name_of(*b)));

    // Aggregating roles with valid selectors, by name; each with its matching roles per selector.
    let mut work: Vec<(RoleId, Vec<Vec<RoleId>>)> = Vec::new();
    for &id in &cluster {
        let Some(role) = policy.roles.get(id) else {
            continue;
        };
        let Some(selectors) = &role.obj.aggregation else {
            continue;
        };
        if let Some((i, err)) = selectors
            .iter()
            .enumerate()
            .find_map(|(i, s)| s.validate().err().map(|e| (i, e)))
        {
            findings.push(PolicyFinding {
                kind: FindingKind::InvalidAggregationSelector,
                object: role.object_ref(),
                path: path_index("aggregationRule.clusterRoleSelectors", i),
                message: format!("the aggregation controller rejects this selector ({err}); the role keeps its own rules"),
            });
            continue;
        }
        let matches: Vec<Vec<RoleId>> = selectors
            .iter()
            .map(|sel| {
                cluster
                    .iter()
                    .copied()
                    .filter(|&other| {
                        other != id
                            && policy.roles.get(other).is_some_and(|o| {
                                o.obj.name != role.obj.name && sel.matches(&o.obj.labels)
                            })
                    })
                    .collect()
            })
            .collect();
        let mut direct: Vec<RoleId> = matches
            .iter()
            .flatten()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        direct.sort_by(|a, b| name_of(*a).cmp(name_of(*b)));
        if let Some(slot) = aggregates.get_mut(id) {
            *slot = direct;
        }
        work.push((id, matches));
    }
    if work.is_empty() {
        return aggregates;
    }
    let max_rounds = work.len() + 2;
    let mut settled = false;
    for _ in 0..max_rounds {
        let mut changed = false;
        for (id, matches) in &work {
            let mut seen: HashSet<&PolicyRule> = HashSet::new();
            let mut next: Vec<RuleId> = Vec::new();
            for &m in matches.iter().flatten() {
                for &rid in effective.get(m).into_iter().flatten() {
                    if let Some(entry) = rules.get(rid)
                        && seen.insert(&entry.rule)
                    {
                        next.push(rid);
                    }
                }
            }
            if let Some(slot) = effective.get_mut(*id) {
                let same = slot.len() == next.len()
                    && slot.iter().zip(&next).all(|(a, b)| {
                        rules.get(*a).map(|e| &e.rule) == rules.get(*b).map(|e| &e.rule)
                    });
                if !same {
                    *slot = next;
                    changed = true;
                }
            }
        }
        if !changed {
            settled = true;
            break;
        }
    }
    if !settled {
        for (id, _) in &work {
            if let Some(role) = policy.roles.get(*id) {
                findings.push(PolicyFinding {
                    kind: FindingKind::AggregationCycle,
                    object: role.object_ref(),
                    path: "aggregationRule".to_string(),
                    message:
                        "aggregated ClusterRoles select each other and their rules do not settle"
                            .to_string(),
                });
            }
        }
    }
    aggregates
}

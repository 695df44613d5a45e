//! The bridge between the bundle and the NetworkPolicy engine (`kubeward-netpol`).
//!
//! Every retained Namespace, NetworkPolicy and workload object goes into a
//! [`kubeward_netpol::Cluster`] with its position in `ctx.index.all()` as its [`SourceId`];
//! engine results (policy references, workload objects) carry that id back, so findings land
//! on the right object and field path.
//!
//! The analysis (cluster, coverage facts) is computed once per bundle and shared by every NET
//! rule through a one-entry, per-thread cache keyed by the identity of the bundle's objects.
//! The cache keeps a clone of each source file it is keyed on, so a key can never match a
//! different bundle whose text happens to reuse the same memory.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use kubeward_model::{Object, ObjectIndex};
use kubeward_netpol::{Cluster, Coverage, PolicyLocation, PolicyRef, SourceId, WorkloadRef};
use kubeward_yaml::{Node, path_join};

use crate::context::{Emitter, FindingBuilder};
use crate::rules::bundle_cache::{Slot, cached};

/// The kinds the NET rules read: policies, namespaces and every pod-bearing kind.
pub(super) const NET_KINDS: &[&str] = &[
    "NetworkPolicy",
    "Namespace",
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

/// The label the API server sets on every namespace.
const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The bundle's network view.
pub(super) struct Analysis {
    /// Workloads, namespaces and valid policies.
    pub cluster: Cluster,
    /// Coverage facts of the engine.
    pub coverage: Coverage,
    /// Namespaces holding at least one NetworkPolicy object (valid or not).
    pub policy_namespaces: BTreeSet<String>,
    /// Namespaces with at least one workload.
    pub workload_namespaces: BTreeSet<String>,
    /// Labels of every namespace known from the input: Namespace objects (with the name
    /// label added) and the namespaces of workloads (name label only).
    pub namespace_labels: BTreeMap<String, BTreeMap<String, String>>,
    /// Every workload, sorted.
    pub workloads: Vec<WorkloadRef>,
}

impl Analysis {
    fn build(index: &ObjectIndex) -> Self {
        let mut cluster = Cluster::new();
        let mut policy_namespaces = BTreeSet::new();
        let mut namespace_labels: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (i, object) in index.all().iter().enumerate() {
            if !NET_KINDS.contains(&object.kind()) {
                continue;
            }
            let id = SourceId(u32::try_from(i).unwrap_or(u32::MAX));
            cluster.add_object(id, &object.root);
            match object.kind() {
                "NetworkPolicy" => {
                    policy_namespaces.insert(object.namespace().unwrap_or("default").to_string());
                }
                "Namespace" if !object.name().is_empty() => {
                    let mut labels: BTreeMap<String, String> = object
                        .metadata()
                        .and_then(|m| m.get("labels"))
                        .into_iter()
                        .flat_map(Node::entries)
                        .filter_map(|(k, v)| {
                            Some((k.into_owned(), v.scalar_string()?.into_owned()))
                        })
                        .collect();
                    labels.insert(NAME_LABEL.to_string(), object.name().to_string());
                    namespace_labels.insert(object.name().to_string(), labels);
                }
                _ => {}
            }
        }
        let coverage = cluster.coverage();
        let workloads = cluster.workloads();
        let workload_namespaces: BTreeSet<String> =
            workloads.iter().map(|w| w.namespace.clone()).collect();
        for ns in &workload_namespaces {
            namespace_labels
                .entry(ns.clone())
                .or_insert_with(|| BTreeMap::from([(NAME_LABEL.to_string(), ns.clone())]));
        }
        Analysis {
            cluster,
            coverage,
            policy_namespaces,
            workload_namespaces,
            namespace_labels,
            workloads,
        }
    }

    /// Whether the input holds at least one NetworkPolicy.
    pub fn any_policy(&self) -> bool {
        !self.policy_namespaces.is_empty()
    }

    /// The object a workload is reported on (its controller when present) and the field
    /// path of that object within its node (empty for a whole document).
    pub fn workload_object<'a>(
        &self,
        index: &'a ObjectIndex,
        workload: &WorkloadRef,
    ) -> Option<(&'a Object, String)> {
        let objects = self.cluster.workload_objects(workload);
        let pick = objects
            .iter()
            .find(|(id, _)| object_at(index, *id).is_some_and(|o| o.kind() == workload.kind))
            .or_else(|| objects.first())?;
        Some((object_at(index, pick.0)?, pick.1.clone()))
    }

    /// The NetworkPolicy object of a reference and the path prefix of the policy within it.
    pub fn policy_object<'a>(
        &self,
        index: &'a ObjectIndex,
        policy: &PolicyRef,
    ) -> Option<(&'a Object, String)> {
        Some((object_at(index, policy.source)?, policy.path.clone()))
    }

    /// A location inside a policy: the object and the full field path.
    pub fn policy_site<'a>(
        &self,
        index: &'a ObjectIndex,
        location: &PolicyLocation,
    ) -> Option<(&'a Object, String)> {
        let (object, prefix) = self.policy_object(index, &location.policy)?;
        Some((object, join(&prefix, &location.path)))
    }

    /// Namespaces of the input (with workloads) that a `namespaceSelector` node selects.
    pub fn selected_workload_namespaces(&self, selector: &Node) -> Vec<&str> {
        self.namespace_labels
            .iter()
            .filter(|(ns, labels)| {
                self.workload_namespaces.contains(ns.as_str()) && selector_matches(selector, labels)
            })
            .map(|(ns, _)| ns.as_str())
            .collect()
    }
}

/// A workload for messages: ``Deployment `shop/api` ``.
pub(super) fn describe(w: &WorkloadRef) -> String {
    format!("{} `{}/{}`", w.kind, w.namespace, w.name)
}

/// Reports a finding on a workload's object at `field` (relative to the object).
pub(super) fn report_workload<'e, 'a>(
    out: &'e mut Emitter<'a>,
    analysis: &Analysis,
    index: &'a ObjectIndex,
    workload: &WorkloadRef,
    field: &str,
    message: String,
) -> Option<FindingBuilder<'e, 'a>> {
    let (object, prefix) = analysis.workload_object(index, workload)?;
    Some(out.report_on(object, join(&prefix, field), message))
}

/// Reports a finding at a place in a policy.
pub(super) fn report_policy<'e, 'a>(
    out: &'e mut Emitter<'a>,
    analysis: &Analysis,
    index: &'a ObjectIndex,
    location: &PolicyLocation,
    message: String,
) -> Option<FindingBuilder<'e, 'a>> {
    let (object, path) = analysis.policy_site(index, location)?;
    Some(out.report_on(object, path, message))
}

/// A policy for messages: ``NetworkPolicy `shop/web` ``.
pub(super) fn describe_policy(p: &PolicyRef) -> String {
    format!("NetworkPolicy `{}/{}`", p.namespace, p.name)
}

/// Joins a path prefix and a relative path (either may be empty).
pub(super) fn join(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        path.to_string()
    } else if path.is_empty() {
        prefix.to_string()
    } else {
        path_join(prefix, path)
    }
}

fn object_at(index: &ObjectIndex, id: SourceId) -> Option<&Object> {
    index.all().get(usize::try_from(id.0).ok()?)
}

/// Whether a label selector node (`matchLabels`, `matchExpressions`) matches a label set, as
/// `metav1.LabelSelectorAsSelector` evaluates it. The engine has validated the policy, so
/// unknown operators do not occur; they match nothing here.
pub(super) fn selector_matches(selector: &Node, labels: &BTreeMap<String, String>) -> bool {
    let match_labels_ok = selector
        .get("matchLabels")
        .into_iter()
        .flat_map(Node::entries)
        .all(|(k, v)| {
            v.scalar_string()
                .is_some_and(|v| labels.get(k.as_ref()).is_some_and(|l| *l == v))
        });
    if !match_labels_ok {
        return false;
    }
    selector
        .get("matchExpressions")
        .into_iter()
        .flat_map(Node::items)
        .all(|e| {
            let key = e
                .get("key")
                .and_then(Node::scalar_string)
                .unwrap_or_default();
            let values: Vec<String> = e
                .get("values")
                .into_iter()
                .flat_map(Node::items)
                .filter_map(|v| v.scalar_string().map(std::borrow::Cow::into_owned))
                .collect();
            let have = labels.get(key.as_ref());
            match e.get("operator").and_then(Node::as_str).unwrap_or("") {
                "In" => have.is_some_and(|h| values.contains(h)),
                "NotIn" => have.is_none_or(|h| !values.contains(h)),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                _ => false,
            }
        })
}

thread_local! {
    static CACHE: Slot<Analysis> = const { RefCell::new(None) };
}

/// The analysis of a bundle, computed once and shared by the NET rules of one scan.
pub(super) fn analysis(index: &ObjectIndex) -> Rc<Analysis> {
    cached(&CACHE, index, || Analysis::build(index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_model::load_text;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn selectors_follow_label_selector_semantics() {
        let doc = kubeward_yaml::parse_str(
            "matchLabels: {team: a}\nmatchExpressions:\n- {key: env, operator: In, values: [prod, stage]}\n- {key: legacy, operator: DoesNotExist}\n",
        );
        let sel = &doc.documents[0].root;
        assert!(selector_matches(
            sel,
            &labels(&[("team", "a"), ("env", "prod")])
        ));
        assert!(!selector_matches(
            sel,
            &labels(&[("team", "a"), ("env", "dev")])
        ));
        assert!(!selector_matches(
            sel,
            &labels(&[("team", "a"), ("env", "prod"), ("legacy", "")])
        ));
        assert!(!selector_matches(sel, &labels(&[("env", "prod")])));
        let empty = kubeward_yaml::parse_str("{}");
        assert!(selector_matches(&empty.documents[0].root, &labels(&[])));
        let notin = kubeward_yaml::parse_str(
            "matchExpressions: [{key: env, operator: NotIn, values: [prod]}]",
        );
        assert!(selector_matches(&notin.documents[0].root, &labels(&[])));
        assert!(!selector_matches(
            &notin.documents[0].root,
            &labels(&[("env", "prod")])
        ));
    }

    #[test]
    fn the_cache_tells_bundles_apart() {
        let a = load_text(
            "a.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {containers: [{name: c, image: i}]}\n",
        );
        let b = load_text(
            "a.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x}\nspec: {containers: [{name: c, image: i}]}\n",
        );
        let ia = ObjectIndex::new(a.objects.clone());
        let ib = ObjectIndex::new(b.objects.clone());
        let first = analysis(&ia);
        assert!(Rc::ptr_eq(&first, &analysis(&ia)));
        let other = analysis(&ib);
        assert_eq!(other.workloads[0].name, "b");
        assert_eq!(analysis(&ia).workloads[0].name, "a");
    }
}

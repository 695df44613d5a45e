use kubeward_diagnostics::{Category, Severity};
use std::collections::HashSet;

use kubeward_model::{ObjectIndex, PodTemplate};
use kubeward_yaml::Node;

use super::util::KINDS;
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, mitre};
use crate::{Check, declare_rule};

/// Kinds this rule reads: workloads, their service accounts and the bindings that show a
/// service account needs the API.
const RULE_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "PodTemplate",
    "ServiceAccount",
    "RoleBinding",
    "ClusterRoleBinding",
];

declare_rule! {
    /// ## What it does
    /// Flags workloads that get a service-account token mounted although nothing in the scanned
    /// manifests shows they need the Kubernetes API: `automountServiceAccountToken` is not
    /// `false` on the pod or on its ServiceAccount, and no RoleBinding or ClusterRoleBinding in
    /// the input grants that service account anything.
    ///
    /// ## Why is this bad?
    /// The token at `/var/run/secrets/kubernetes.io/serviceaccount/token` is the first thing an
    /// attacker reads after compromising a container: it authenticates them to the API server
    /// as the workload. A pod that does not talk to the API should not carry one.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   serviceAccountName: web
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   serviceAccountName: web
    ///   automountServiceAccountToken: false
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fix
    /// Set `automountServiceAccountToken: false` on the pod spec (or on the ServiceAccount).
    ///
    /// ## Exceptions
    /// Workloads that call the API with permissions bound elsewhere (another repository, a
    /// Helm chart not scanned): set `automountServiceAccountToken: true` explicitly to record
    /// the intent, and the rule stays quiet.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.6
    /// - MITRE ATT&CK T1528 Steal Application Access Token
    pub static AUTOMOUNT_SERVICE_ACCOUNT_TOKEN: Rule = Rule {
        code: "POD020",
        name: "automount-service-account-token",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: RULE_KINDS,
        compliance: &[cis("5.1.6"), mitre("T1528")],
        fix: "Set `automountServiceAccountToken: false` on the pod spec.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let accounts = Accounts::of(ctx.index);
    for object in ctx.index.all() {
        if !KINDS.contains(&object.kind()) {
            continue;
        }
        let Some(pod) = PodTemplate::of(object) else {
            continue;
        };
        let (automount, path) = pod.field("automountServiceAccountToken");
        if automount.and_then(Node::as_bool).is_some() {
            continue;
        }
        let account = pod
            .spec
            .get("serviceAccountName")
            .or_else(|| pod.spec.get("serviceAccount"))
            .and_then(Node::as_str)
            .unwrap_or("default");
        let namespace = object.namespace();
        if accounts.disables_automount(namespace, account) || accounts.is_bound(namespace, account)
        {
            continue;
        }
        let at = if automount.is_some() {
            path
        } else {
            pod.spec_path.to_string()
        };
        out.report_on(
            object,
            at,
            format!(
                "service-account token of `{account}` is mounted but no binding in the input gives it API access"
            ),
        );
    }
}

/// Service accounts as keys `(namespace, name)`, where an object without a namespace (applied
/// with `kubectl -n`) matches any namespace on the other side. Built once per bundle, so the
/// rule is linear in the number of objects rather than workloads x accounts x bindings.
#[derive(Default)]
struct AccountSet<'a> {
    /// `(namespace, name)` pairs with a namespace.
    namespaced: HashSet<(&'a str, &'a str)>,
    /// Names that appear without a namespace (match every namespace).
    unnamespaced: HashSet<&'a str>,
    /// Every name, for lookups without a namespace.
    names: HashSet<&'a str>,
}

impl<'a> AccountSet<'a> {
    fn insert(&mut self, namespace: Option<&'a str>, name: &'a str) {
        match namespace {
            Some(ns) => {
                self.namespaced.insert((ns, name));
            }
            None => {
                self.unnamespaced.insert(name);
            }
        }
        self.names.insert(name);
    }

    /// Whether `(namespace, name)` matches an entry under the namespace wildcard rule.
    fn contains(&self, namespace: Option<&str>, name: &str) -> bool {
        match namespace {
            Some(ns) => self.namespaced.contains(&(ns, name)) || self.unnamespaced.contains(name),
            None => self.names.contains(name),
        }
    }
}

/// What the bundle says about service accounts.
struct Accounts<'a> {
    /// Service accounts with `automountServiceAccountToken: false`.
    automount_disabled: AccountSet<'a>,
    /// Service accounts named as a subject of a RoleBinding or ClusterRoleBinding.
    bound: AccountSet<'a>,
    /// Group subjects of bindings.
    bound_groups: HashSet<&'a str>,
}

impl<'a> Accounts<'a> {
    fn of(index: &'a ObjectIndex) -> Self {
        let mut automount_disabled = AccountSet::default();
        for sa in index.of_kind("ServiceAccount") {
            if sa
                .root
                .get("automountServiceAccountToken")
                .and_then(Node::as_bool)
                == Some(false)
            {
                automount_disabled.insert(sa.namespace(), sa.name());
            }
        }
        let mut bound = AccountSet::default();
        let mut bound_groups = HashSet::new();
        for binding in ["RoleBinding", "ClusterRoleBinding"]
            .iter()
            .flat_map(|kind| index.of_kind(kind))
        {
            for subject in binding
                .root
                .get("subjects")
                .into_iter()
                .flat_map(Node::items)
            {
                let name = subject.get("name").and_then(Node::as_str).unwrap_or("");
                match subject.get("kind").and_then(Node::as_str) {
                    Some("ServiceAccount") => {
                        let namespace = subject
                            .get("namespace")
                            .and_then(Node::as_str)
                            .or_else(|| binding.namespace());
                        bound.insert(namespace, name);
                    }
                    Some("Group") => {
                        bound_groups.insert(name);
                    }
                    _ => {}
                }
            }
        }
        Accounts {
            automount_disabled,
            bound,
            bound_groups,
        }
    }

    fn disables_automount(&self, namespace: Option<&str>, name: &str) -> bool {
        self.automount_disabled.contains(namespace, name)
    }

    /// Bound by name, or through the group of its namespace's service accounts
    /// (`system:serviceaccounts:<ns>`, a workload without a namespace counting as `default`) or
    /// of all service accounts (`system:serviceaccounts`).
    fn is_bound(&self, namespace: Option<&str>, name: &str) -> bool {
        self.bound.contains(namespace, name)
            || self.bound_groups.contains("system:serviceaccounts")
            || self.bound_groups.contains(
                format!("system:serviceaccounts:{}", namespace.unwrap_or("default")).as_str(),
            )
    }
}

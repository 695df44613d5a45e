use kubeward_diagnostics::{Category, Severity};
use kubeward_model::{Object, ObjectIndex, PodTemplate};
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
        if account_disables_automount(ctx.index, namespace, account)
            || account_is_bound(ctx.index, namespace, account)
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

fn account_disables_automount(index: &ObjectIndex, namespace: Option<&str>, name: &str) -> bool {
    index.of_kind("ServiceAccount").any(|sa| {
        sa.name() == name
            && same_namespace(sa.namespace(), namespace)
            && sa
                .root
                .get("automountServiceAccountToken")
                .and_then(Node::as_bool)
                == Some(false)
    })
}

fn account_is_bound(index: &ObjectIndex, namespace: Option<&str>, name: &str) -> bool {
    let group = format!("system:serviceaccounts:{}", namespace.unwrap_or("default"));
    ["RoleBinding", "ClusterRoleBinding"]
        .iter()
        .flat_map(|kind| index.of_kind(kind))
        .any(|binding| binding_names_account(binding, namespace, name, &group))
}

fn binding_names_account(
    binding: &Object,
    namespace: Option<&str>,
    name: &str,
    group: &str,
) -> bool {
    binding
        .root
        .get("subjects")
        .into_iter()
        .flat_map(Node::items)
        .any(|subject| {
            let kind = subject.get("kind").and_then(Node::as_str);
            let subject_name = subject.get("name").and_then(Node::as_str).unwrap_or("");
            match kind {
                Some("ServiceAccount") => {
                    let subject_ns = subject
                        .get("namespace")
                        .and_then(Node::as_str)
                        .or_else(|| binding.namespace());
                    subject_name == name && same_namespace(subject_ns, namespace)
                }
                Some("Group") => subject_name == group || subject_name == "system:serviceaccounts",
                _ => false,
            }
        })
}

/// Objects without a namespace are applied with `kubectl -n`, so they match any namespace
/// written on the other side.
fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

use std::collections::{BTreeMap, BTreeSet};

use kubeward_diagnostics::{Category, Severity};
use kubeward_model::{Object, PodTemplate, WORKLOAD_KINDS};
use kubeward_yaml::{Node, path_index, path_join};

use crate::context::{BundleContext, Emitter};
use crate::meta::cwe;
use crate::{Check, declare_rule};

/// Workload kinds plus `Secret`: every kind this rule reads must be retained.
const KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "PodTemplate",
    "Secret",
];

declare_rule! {
    /// ## What it does
    /// Reports a pod template that references a Secret the input does not define in the
    /// pod's namespace.
    ///
    /// References: `volumes[].secret.secretName`, projected `secret` sources,
    /// `env[].valueFrom.secretKeyRef`, `envFrom[].secretRef`, `imagePullSecrets`. Only
    /// namespaces for which the input defines at least one Secret are checked, so manifests
    /// that deliver their Secrets another way are not flooded. References marked `optional: true` are not reported.
    /// If a Secret of that name exists in another namespace, it is shown as a related
    /// location: Secrets are never shared across namespaces.
    ///
    /// ## Why is this bad?
    /// The pod will not start (`CreateContainerConfigError`, or stuck in `ContainerCreating`
    /// on a missing volume), and the first subject to create a Secret of that name in the
    /// namespace decides what the workload reads as its credentials or which registry
    /// credentials it pulls with.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata: {name: db, namespace: shop}
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: api, namespace: shop}
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: registry.example.com/api:2.0
    ///     env:
    ///     - name: STRIPE_KEY
    ///       valueFrom:
    ///         secretKeyRef: {name: payment-keys, key: stripe}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata: {name: payment-keys, namespace: shop}
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: api, namespace: shop}
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: registry.example.com/api:2.0
    ///     env:
    ///     - name: STRIPE_KEY
    ///       valueFrom:
    ///         secretKeyRef: {name: payment-keys, key: stripe}
    /// ```
    ///
    /// ## Fix
    /// Add the Secret (through your secret delivery: SealedSecret, ExternalSecret, SOPS) in
    /// the same namespace, fix the name, or mark the reference `optional: true` if the
    /// workload copes without it.
    ///
    /// ## Exceptions
    /// Secrets created out of band (by an operator or by hand) in a namespace whose other
    /// Secrets are in the input: suppress with `kubeward.io/ignore: "SEC007: <why>"` on the
    /// workload.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes documentation, "Secrets": "Secrets are namespaced"; "Optional Secrets"
    /// - CWE-1188 Initialization of a Resource with an Insecure Default
    pub static DANGLING_SECRET_REFERENCE: Rule = Rule {
        code: "SEC007",
        name: "dangling-secret-reference",
        severity: Severity::Low,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[cwe("CWE-1188")],
        fix: "Define the Secret in the pod's namespace, correct the name, or mark the reference `optional: true`.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

/// One reference to a Secret from a pod template.
struct Reference<'a> {
    name: &'a str,
    path: String,
    from: String,
}

fn optional(node: &Node) -> bool {
    node.get("optional").and_then(Node::as_bool) == Some(true)
}

fn name_of<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key)
        .and_then(Node::as_str)
        .filter(|n| !n.is_empty())
}

fn references<'a>(pod: &PodTemplate<'a>) -> Vec<Reference<'a>> {
    let mut out = Vec::new();
    let (volumes, vpath) = pod.field("volumes");
    for (i, volume) in volumes.into_iter().flat_map(Node::items).enumerate() {
        let path = path_index(&vpath, i);
        let vname = volume.get("name").and_then(Node::as_str).unwrap_or("");
        if let Some(secret) = volume.get("secret")
            && !optional(secret)
            && let Some(name) = name_of(secret, "secretName")
        {
            out.push(Reference {
                name,
                path: format!("{path}.secret.secretName"),
                from: format!("volume `{vname}`"),
            });
        }
        let sources = volume.get("projected").and_then(|p| p.get("sources"));
        for (k, source) in sources.into_iter().flat_map(Node::items).enumerate() {
            if let Some(secret) = source.get("secret")
                && !optional(secret)
                && let Some(name) = name_of(secret, "name")
            {
                out.push(Reference {
                    name,
                    path: format!("{path}.projected.sources[{k}].secret.name"),
                    from: format!("projected volume `{vname}`"),
                });
            }
        }
    }
    for container in pod.containers() {
        let env = container.node.get("env");
        for (j, var) in env.into_iter().flat_map(Node::items).enumerate() {
            if let Some(r) = var.get("valueFrom").and_then(|v| v.get("secretKeyRef"))
                && !optional(r)
                && let Some(name) = name_of(r, "name")
            {
                let var_name = var.get("name").and_then(Node::as_str).unwrap_or("");
                out.push(Reference {
                    name,
                    path: container.path_of(&format!("env[{j}].valueFrom.secretKeyRef.name")),
                    from: format!(
                        "environment variable `{var_name}` of {}",
                        container.describe()
                    ),
                });
            }
        }
        let env_from = container.node.get("envFrom");
        for (j, from) in env_from.into_iter().flat_map(Node::items).enumerate() {
            if let Some(r) = from.get("secretRef")
                && !optional(r)
                && let Some(name) = name_of(r, "name")
            {
                out.push(Reference {
                    name,
                    path: container.path_of(&format!("envFrom[{j}].secretRef.name")),
                    from: format!("`envFrom` of {}", container.describe()),
                });
            }
        }
    }
    let (pull, ppath) = pod.field("imagePullSecrets");
    for (j, entry) in pull.into_iter().flat_map(Node::items).enumerate() {
        if let Some(name) = name_of(entry, "name") {
            out.push(Reference {
                name,
                path: path_join(&path_index(&ppath, j), "name"),
                from: "`imagePullSecrets`".to_string(),
            });
        }
    }
    out
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let secrets: Vec<&'a Object> = ctx.index.of_kind("Secret").collect();
    let mut defined: BTreeMap<Option<&str>, BTreeSet<&str>> = BTreeMap::new();
    for s in &secrets {
        defined.entry(s.namespace()).or_default().insert(s.name());
    }
    for kind in WORKLOAD_KINDS {
        for object in ctx.index.of_kind(kind) {
            let namespace = object.namespace();
            let Some(names) = defined.get(&namespace) else {
                continue;
            };
            let Some(pod) = PodTemplate::of(object) else {
                continue;
            };
            let where_ = namespace.map_or_else(
                || "among the input's Secrets without a namespace".to_string(),
                |ns| format!("in namespace `{ns}`"),
            );
            for r in references(&pod) {
                if names.contains(r.name) {
                    continue;
                }
                let elsewhere = secrets
                    .iter()
                    .find(|s| s.name() == r.name && s.namespace() != namespace);
                let message = format!(
                    "{} references Secret `{}`, which the input does not define {where_}",
                    capitalize(&r.from),
                    r.name,
                );
                let builder = out.report_on(object, r.path, message);
                if let Some(other) = elsewhere {
                    let ns = other.namespace().unwrap_or("(none)");
                    builder.related(
                        other,
                        "metadata.name",
                        format!("a Secret `{}` exists in namespace `{ns}`; Secrets are not shared across namespaces", r.name),
                    );
                }
            }
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

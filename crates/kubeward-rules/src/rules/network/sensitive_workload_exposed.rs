use kubeward_diagnostics::{Category, Severity};
use kubeward_model::PodTemplate;
use kubeward_netpol::{AllowAllKind, Endpoint, WorkloadRef};
use kubeward_yaml::Node;

use super::analysis::{Analysis, NET_KINDS, analysis, describe, describe_policy, report_workload};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags databases and other data stores that every pod of the cluster can connect to.
    ///
    /// A workload is sensitive when a container image is a known data store (`postgres`,
    /// `mysql`, `mariadb`, `mongo`, `redis`, `memcached`, `cassandra`, `elasticsearch`,
    /// `opensearch`, `couchdb`, `neo4j`, `mssql`, `cockroach`, `clickhouse`; metrics
    /// exporters excluded) or a container port is a well-known database port (5432, 3306,
    /// 1433, 27017, 6379, 11211, 9042, 9200, 5984, 7687, 26257). It is reachable from
    /// everywhere when its own ingress lets every pod of every namespace in: no policy
    /// isolates it for ingress, or a policy selecting it has a rule without `from` or with a
    /// `namespaceSelector: {}` peer; or when the exact connectivity shows that every other
    /// workload of the input reaches it. Egress policies of today's clients are not counted
    /// as protection: the next pod deployed in any namespace without egress rules reaches it.
    ///
    /// ## Why is this bad?
    /// Data stores hold what attackers come for. When any pod can open a connection, one
    /// compromised web pod, CI job or tenant workload is enough to brute-force credentials,
    /// exploit the server, or read an unauthenticated Redis or Elasticsearch directly.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata: {name: postgres, namespace: shop}
    /// spec:
    ///   serviceName: postgres
    ///   selector: {matchLabels: {app: postgres}}
    ///   template:
    ///     metadata: {labels: {app: postgres}}
    ///     spec:
    ///       containers:
    ///       - name: postgres
    ///         image: postgres:16
    ///         ports: [{name: pg, containerPort: 5432}]
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata: {name: postgres, namespace: shop}
    /// spec:
    ///   serviceName: postgres
    ///   selector: {matchLabels: {app: postgres}}
    ///   template:
    ///     metadata: {labels: {app: postgres}}
    ///     spec:
    ///       containers:
    ///       - name: postgres
    ///         image: postgres:16
    ///         ports: [{name: pg, containerPort: 5432}]
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: postgres-from-api, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: postgres}}
    ///   ingress:
    ///   - from: [{podSelector: {matchLabels: {app: api}}}]
    ///     ports: [{port: pg}]
    /// ```
    ///
    /// ## Fix
    /// Select the data store with an ingress policy that admits only its clients, on its port
    /// (`kubeward netpol explain --from NS/CLIENT --to NS/DB --port 5432/TCP` shows what
    /// allows a flow today).
    ///
    /// ## Exceptions
    /// Caches holding nothing sensitive, or stores protected by a service mesh's mutual TLS
    /// with authorization policies. Suppress on the workload with
    /// `kubeward.io/ignore: "NET008: <reason>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance, "Network separation and hardening"
    /// - CIS Kubernetes Benchmark 5.3.2
    /// - MITRE ATT&CK T1210 Exploitation of Remote Services
    /// - CWE-284 Improper Access Control
    pub static SENSITIVE_WORKLOAD_EXPOSED: Rule = Rule {
        code: "NET008",
        name: "sensitive-workload-exposed",
        severity: Severity::High,
        category: Category::Network,
        kinds: NET_KINDS,
        compliance: &[cis("5.3.2"), nsa("network-separation"), mitre("T1210"), cwe("CWE-284")],
        fix: "Select the data store with an ingress NetworkPolicy that admits only its clients on its port.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

const IMAGES: &[&str] = &[
    "postgres",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "memcached",
    "cassandra",
    "elasticsearch",
    "opensearch",
    "couchdb",
    "neo4j",
    "mssql",
    "cockroach",
    "clickhouse",
];
const PORTS: &[i64] = &[
    5432, 3306, 1433, 27017, 6379, 11211, 9042, 9200, 5984, 7687, 26257,
];

fn image_base(image: &str) -> String {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last).to_ascii_lowercase()
}

/// Why a workload is sensitive: `(reason, field path)`, in container order.
fn reasons(template: &PodTemplate<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in template.containers() {
        if let Some(image) = c.image() {
            let base = image_base(image);
            if IMAGES.iter().any(|s| base.contains(s)) && !base.contains("exporter") {
                out.push((format!("image `{image}`"), c.path_of("image")));
            }
        }
        for (i, port) in c
            .node
            .get("ports")
            .into_iter()
            .flat_map(Node::items)
            .enumerate()
        {
            let Some(number) = port.get("containerPort").and_then(Node::as_i64) else {
                continue;
            };
            if PORTS.contains(&number) {
                let protocol = port.get("protocol").and_then(Node::as_str).unwrap_or("TCP");
                out.push((
                    format!("port {number}/{protocol}"),
                    format!("{}[{i}].containerPort", c.path_of("ports")),
                ));
            }
        }
    }
    out
}

/// How the workload's own ingress admits every pod: `None` when it does not; otherwise
/// the explanation and, for a rule, the policy object's reference and path.
fn open_ingress(
    a: &Analysis,
    w: &WorkloadRef,
) -> Option<(String, Option<kubeward_netpol::PolicyLocation>)> {
    let me = Endpoint::workload(&w.kind, &w.namespace, &w.name);
    let why = a.cluster.explain(&me, &me, None).ok()?;
    if !why.ingress.isolated {
        return Some(("no NetworkPolicy isolates it for ingress".to_string(), None));
    }
    for m in &why.ingress.allowed_by {
        let hit = a.coverage.allow_all_ingress.iter().find(|r| {
            r.location.policy == m.policy
                && match r.kind {
                    AllowAllKind::AnySource => r.location.path == m.rule,
                    AllowAllKind::AllNamespaces => Some(&r.location.path) == m.peer.as_ref(),
                }
        });
        if let Some(r) = hit {
            let what = match r.kind {
                AllowAllKind::AnySource => format!("rule `{}` has no `from`", r.location.path),
                AllowAllKind::AllNamespaces => {
                    format!("peer `{}` selects every namespace", r.location.path)
                }
            };
            return Some((
                format!(
                    "{} admits everyone: {what} (ports: {})",
                    describe_policy(&m.policy),
                    m.ports
                ),
                Some(r.location.clone()),
            ));
        }
    }
    None
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let a = analysis(ctx.index);
    for w in &a.workloads {
        if a.coverage.host_network.contains(w) {
            continue;
        }
        let Some((object, _)) = a.workload_object(ctx.index, w) else {
            continue;
        };
        let Some(template) = PodTemplate::of(object) else {
            continue;
        };
        let why = reasons(&template);
        let Some((_, first_site)) = why.first() else {
            continue;
        };
        let listed: Vec<&str> = why.iter().map(|(r, _)| r.as_str()).collect();
        let (how, rule) = if let Some(open) = open_ingress(&a, w) {
            open
        } else if let Some(exposed) = a
            .coverage
            .exposed_sensitive
            .iter()
            .find(|e| &e.workload == w)
        {
            (
                format!(
                    "every other workload of the input reaches it (on {} in common)",
                    exposed.common_ports
                ),
                None,
            )
        } else {
            continue;
        };
        let message = format!(
            "{} ({}) accepts connections from every pod of every namespace: {how}",
            describe(w),
            listed.join(", ")
        );
        let Some(mut builder) = report_workload(out, &a, ctx.index, w, "metadata", message) else {
            continue;
        };
        builder = builder.related(object, first_site.clone(), "why it is sensitive");
        if let Some(loc) = rule
            && let Some((policy, path)) = a.policy_site(ctx.index, &loc)
        {
            let _ = builder.related(policy, path, "the rule that admits every namespace");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn image_names() {
        assert_eq!(
            super::image_base("docker.io/bitnami/postgresql:16@sha256:abc"),
            "postgresql"
        );
        assert_eq!(super::image_base("localhost:5000/Redis:7"), "redis");
    }
}

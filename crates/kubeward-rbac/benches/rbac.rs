//! Benchmarks: a synthetic cluster of 10,000 roles and 20,000 bindings (plus the default
//! policy, 2,000 ServiceAccounts and 3,000 workloads).
//!
//! Run: `cargo bench -p kubeward-rbac --bench rbac`
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::sync::OnceLock;

use kubeward_rbac::{Policy, Request, RiskOptions, SourceId, WorkloadRef};

fn main() {
    divan::main();
}

const NAMESPACES: usize = 200;
const CLUSTER_ROLES: usize = 2_000;
const ROLES: usize = 8_000;
const CLUSTER_ROLE_BINDINGS: usize = 4_000;
const ROLE_BINDINGS: usize = 16_000;
const AGGREGATED: usize = 20;

/// A tiny deterministic generator (no dependency).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from((self.0 >> 33) % n as u64).unwrap()
    }
}

const RESOURCES: [(&str, &str); 14] = [
    ("", "pods"),
    ("", "pods/log"),
    ("", "pods/exec"),
    ("", "configmaps"),
    ("", "secrets"),
    ("", "services"),
    ("", "serviceaccounts"),
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("apps", "*/scale"),
    ("batch", "jobs"),
    ("networking.k8s.io", "ingresses"),
    ("rbac.authorization.k8s.io", "rolebindings"),
    ("example.com", "widgets"),
];
const VERBS: [&str; 8] = [
    "get", "list", "watch", "create", "update", "patch", "delete", "*",
];

fn rules(rng: &mut Lcg, out: &mut String) {
    out.push_str("rules:\n");
    for _ in 0..3 + rng.next(3) {
        let (g, r) = RESOURCES[rng.next(RESOURCES.len())];
        let v1 = VERBS[rng.next(VERBS.len() - 1)];
        let v2 = if rng.next(50) == 0 {
            "*"
        } else {
            VERBS[rng.next(VERBS.len() - 1)]
        };
        let _ = writeln!(
            out,
            "- apiGroups: [\"{g}\"]\n  resources: [\"{r}\"]\n  verbs: [{v1}, \"{v2}\"]"
        );
        if rng.next(5) == 0 {
            let _ = writeln!(out, "  resourceNames: [obj-{}]", rng.next(100));
        }
    }
}

fn subjects(rng: &mut Lcg, ns: Option<usize>, out: &mut String) {
    out.push_str("subjects:\n");
    for _ in 0..1 + rng.next(3) {
        match rng.next(3) {
            0 => {
                let _ = writeln!(out, "- {{kind: User, name: user-{}}}", rng.next(5_000));
            }
            1 => {
                let _ = writeln!(out, "- {{kind: Group, name: group-{}}}", rng.next(200));
            }
            _ => {
                let sns = ns.unwrap_or_else(|| rng.next(NAMESPACES));
                let _ = writeln!(
                    out,
                    "- {{kind: ServiceAccount, name: sa-{}, namespace: ns-{sns}}}",
                    rng.next(10)
                );
            }
        }
    }
}

fn cluster_text() -> String {
    let mut rng = Lcg(42);
    let mut s = String::with_capacity(16 << 20);
    for i in 0..CLUSTER_ROLES {
        let _ = writeln!(
            s,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr-{i}\n  labels: {{agg-group: g{}}}",
            i % AGGREGATED
        );
        if i < AGGREGATED {
            let _ = writeln!(
                s,
                "aggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {{agg-group: g{i}}}"
            );
        } else {
            rules(&mut rng, &mut s);
        }
    }
    for i in 0..ROLES {
        let _ = writeln!(
            s,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: role-{i}, namespace: ns-{}}}",
            i % NAMESPACES
        );
        rules(&mut rng, &mut s);
    }
    for i in 0..CLUSTER_ROLE_BINDINGS {
        let role = if rng.next(100) == 0 {
            "missing".to_string()
        } else {
            format!("cr-{}", rng.next(CLUSTER_ROLES))
        };
        let _ = writeln!(
            s,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: crb-{i}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}"
        );
        subjects(&mut rng, None, &mut s);
    }
    for i in 0..ROLE_BINDINGS {
        let ns = i % NAMESPACES;
        let role_ref = if rng.next(2) == 0 {
            format!(
                "{{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr-{}}}",
                rng.next(CLUSTER_ROLES)
            )
        } else {
            // a Role of the same namespace
            let r = rng.next(ROLES / NAMESPACES) * NAMESPACES + ns;
            format!("{{apiGroup: rbac.authorization.k8s.io, kind: Role, name: role-{r}}}")
        };
        let _ = writeln!(
            s,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: rb-{i}, namespace: ns-{ns}}}\nroleRef: {role_ref}"
        );
        subjects(&mut rng, Some(ns), &mut s);
    }
    for i in 0..2_000 {
        let _ = writeln!(
            s,
            "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa-{}, namespace: ns-{}}}",
            i % 10,
            i / 10
        );
    }
    s
}

/// The loaded policy (index not yet built), and the workloads.
fn loaded() -> &'static (Policy, Vec<WorkloadRef>) {
    static CELL: OnceLock<(Policy, Vec<WorkloadRef>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let text = cluster_text();
        let parsed = kubeward_yaml::parse_str(&text);
        let mut policy = Policy::with_defaults();
        let mut n = 0;
        for doc in &parsed.documents {
            if policy.add_object(SourceId(doc.index), &doc.root).unwrap() {
                n += 1;
            }
        }
        assert_eq!(
            n,
            CLUSTER_ROLES + ROLES + CLUSTER_ROLE_BINDINGS + ROLE_BINDINGS + 2_000
        );
        let kinds = [
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "CronJob",
            "Pod",
        ];
        let workloads = (0..3_000)
            .map(|i| WorkloadRef {
                kind: kinds[i % kinds.len()].to_string(),
                namespace: format!("ns-{}", i % NAMESPACES),
                name: format!("w-{i}"),
                service_account: format!("sa-{}", i % 10),
                source: None,
            })
            .collect();
        (policy, workloads)
    })
}

/// A resolved copy of [`loaded`] for the query benchmarks (the original stays unresolved).
fn prepared() -> &'static Policy {
    static CELL: OnceLock<Policy> = OnceLock::new();
    CELL.get_or_init(|| {
        let p = loaded().0.clone();
        p.prepare();
        p
    })
}

/// Full analysis from a freshly loaded policy: resolve (aggregation, links), risk report,
/// escalation graph with shortest paths.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn full_risk_and_escalation(bencher: divan::Bencher) {
    let (policy, workloads) = loaded();
    bencher
        .with_inputs(|| policy.clone())
        .bench_local_values(|p| {
            let risk = p.risk_report(&RiskOptions::default());
            let graph = p.escalation_paths(workloads);
            (risk.findings.len(), graph.paths.len())
        });
}

/// Resolving the model alone (aggregation, binding → role links).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn prepare(bencher: divan::Bencher) {
    let (policy, _) = loaded();
    bencher
        .with_inputs(|| policy.clone())
        .bench_local_values(|p| {
            p.prepare();
            p
        });
}

/// `who_can` after loading (model resolved).
#[divan::bench(sample_count = 50)]
fn who_can_namespaced(bencher: divan::Bencher) {
    let policy = prepared();
    let req = Request::resource("get", "", "secrets")
        .name("obj-7")
        .namespace("ns-17");
    bencher.bench(|| policy.who_can(divan::black_box(&req)).len());
}

/// `who_can` over every namespace.
#[divan::bench(sample_count = 20)]
fn who_can_all_namespaces(bencher: divan::Bencher) {
    let policy = prepared();
    let req = Request::resource("create", "", "pods")
        .subresource("exec")
        .all_namespaces();
    bencher.bench(|| policy.who_can(divan::black_box(&req)).len());
}

/// The risk report alone (model resolved).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn risk_only(bencher: divan::Bencher) {
    let policy = prepared();
    bencher.bench(|| policy.risk_report(&RiskOptions::default()).findings.len());
}

/// The escalation graph alone (model resolved).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn escalation_only(bencher: divan::Bencher) {
    let policy = prepared();
    let workloads = &loaded().1;
    bencher.bench(|| policy.escalation_paths(workloads).paths.len());
}

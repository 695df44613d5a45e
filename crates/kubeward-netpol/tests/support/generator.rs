//! Deterministic synthetic clusters for randomized tests and the benchmark.

use std::fmt::Write as _;

/// A tiny xorshift generator (deterministic across platforms).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[usize::try_from(self.below(xs.len() as u64)).unwrap_or(0)]
    }
}

/// Shape of a generated cluster.
pub struct Shape {
    pub namespaces: usize,
    pub workloads_per_ns: usize,
    /// Pod objects per workload (0: only the Deployment template).
    pub pods_per_workload: usize,
    pub policies_per_ns: usize,
    /// The first policy of every namespace denies everything (both directions).
    pub deny_all: bool,
}

const TIERS: [&str; 5] = ["web", "api", "db", "cache", "worker"];
const ENVS: [&str; 3] = ["prod", "dev", "stage"];

/// Generates YAML: namespaces, Deployments (optionally with owned Pods whose named ports
/// differ), kube-dns, and a mix of NetworkPolicies exercising every feature.
pub fn cluster_yaml(seed: u64, shape: &Shape) -> String {
    let mut r = Rng::new(seed);
    let mut s = String::with_capacity(shape.namespaces * shape.workloads_per_ns * 600);
    s.push_str("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: coredns, namespace: kube-system}\nspec: {template: {metadata: {labels: {k8s-app: kube-dns}}, spec: {containers: [{name: c, image: coredns, ports: [{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}]}]}}}\n");
    for n in 0..shape.namespaces {
        let ns = format!("ns{n}");
        let env = r.pick(&ENVS);
        let _ = write!(
            s,
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}, labels: {{env: {env}, team: t{}}}}}\n",
            n % 7
        );
        for w in 0..shape.workloads_per_ns {
            let tier = TIERS[w % TIERS.len()];
            let http = if r.below(3) == 0 { 8080 } else { 80 };
            let image = if tier == "db" { "postgres:16" } else { "nginx" };
            let extra = if r.below(4) == 0 {
                ", canary: \"true\""
            } else {
                ""
            };
            let _ = write!(
                s,
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w{w}, namespace: {ns}}}\nspec: {{template: {{metadata: {{labels: {{app: w{w}, tier: {tier}{extra}}}}}, spec: {{containers: [{{name: c, image: \"{image}\", ports: [{{name: http, containerPort: {http}}}, {{name: metrics, containerPort: 9090}}]}}]}}}}}}\n"
            );
            for p in 0..shape.pods_per_workload {
                // Older pods of a rollout may map `http` elsewhere.
                let port = if p % 3 == 2 { 8081 } else { http };
                let _ = write!(
                    s,
                    "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: w{w}-5f7d-{p}\n  namespace: {ns}\n  labels: {{app: w{w}, tier: {tier}, pod-template-hash: 5f7d{extra}}}\n  ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: w{w}-5f7d, controller: true}}]\nspec: {{containers: [{{name: c, image: \"{image}\", ports: [{{name: http, containerPort: {port}}}, {{name: metrics, containerPort: 9090}}]}}]}}\n"
                );
            }
        }
        for p in 0..shape.policies_per_ns {
            let kind = if shape.deny_all && p == 0 {
                7
            } else {
                (p + r.below(2) as usize) % 7
            };
            let _ = write!(
                s,
                "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p{p}, namespace: {ns}}}\nspec:\n"
            );
            match kind {
                0 => {
                    let types = if r.below(2) == 0 {
                        "[Ingress]"
                    } else {
                        "[Ingress, Egress]"
                    };
                    let _ = write!(s, "  podSelector: {{}}\n  policyTypes: {types}\n");
                }
                1 => {
                    let tier = r.pick(&TIERS);
                    let _ = write!(
                        s,
                        "  podSelector: {{matchLabels: {{tier: {tier}}}}}\n  ingress:\n  - from: [{{podSelector: {{}}}}]\n    ports: [{{port: http}}, {{port: 9090}}]\n"
                    );
                }
                2 => {
                    let env = r.pick(&ENVS);
                    let _ = write!(
                        s,
                        "  podSelector: {{matchExpressions: [{{key: tier, operator: In, values: [db, cache]}}]}}\n  ingress:\n  - from:\n    - namespaceSelector: {{matchLabels: {{env: {env}}}}}\n      podSelector: {{matchExpressions: [{{key: tier, operator: NotIn, values: [db]}}, {{key: canary, operator: DoesNotExist}}]}}\n    - podSelector: {{matchLabels: {{tier: worker}}}}\n    ports: [{{port: 5432}}, {{port: 6000, endPort: 6100}}]\n"
                    );
                }
                3 => {
                    let a = r.below(250) + 1;
                    let b = r.below(250);
                    let _ = write!(
                        s,
                        "  podSelector: {{matchLabels: {{tier: api}}}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: kube-system}}}}\n      podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}\n    ports: [{{port: 53, protocol: UDP}}, {{port: dns-tcp}}]\n  - to: [{{ipBlock: {{cidr: 10.{a}.0.0/16, except: [10.{a}.{b}.0/24]}}}}, {{ipBlock: {{cidr: \"2001:db8:{a:x}::/48\"}}}}]\n    ports: [{{port: 443}}, {{port: 8000, endPort: 8999, protocol: SCTP}}]\n  - to: [{{namespaceSelector: {{matchLabels: {{team: t{}}}}}}}]\n    ports: [{{port: http}}]\n",
                        (n + 1) % 7
                    );
                }
                4 => {
                    let w = r.below(shape.workloads_per_ns as u64);
                    let _ = write!(
                        s,
                        "  podSelector: {{matchLabels: {{app: w{w}}}}}\n  ingress:\n  - from: [{{namespaceSelector: {{}}, podSelector: {{matchLabels: {{tier: web}}}}}}]\n    ports: [{{port: metrics}}, {{port: http, protocol: UDP}}]\n  - from: [{{ipBlock: {{cidr: 192.168.0.0/16, except: [192.168.{}.0/24]}}}}]\n",
                        r.below(256)
                    );
                }
                5 => {
                    let _ = write!(
                        s,
                        "  podSelector: {{matchLabels: {{tier: worker}}}}\n  egress:\n  - to: [{{podSelector: {{matchExpressions: [{{key: tier, operator: Exists}}]}}}}]\n  - ports: [{{port: 53, protocol: UDP}}]\n"
                    );
                }
                7 => s.push_str("  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"),
                _ => {
                    let _ = write!(
                        s,
                        "  podSelector: {{matchLabels: {{tier: cache}}}}\n  ingress:\n  - ports: [{{port: 6379}}]\n  - from: [{{namespaceSelector: {{matchLabels: {{team: t{}}}}}}}]\n",
                        n % 7
                    );
                }
            }
        }
    }
    s
}

//! Events per second through parse + all detectors on a generated 40,000-event stream.
//!
//! `cargo bench -p kubeward-audit --bench throughput`
//!
//! The stream imitates a busy cluster's `Metadata`-level log: controllers and kubelets
//! reading and updating leases, endpoints and pods (watches at two stages), users running
//! kubectl, some `Request`-level writes with bodies, secret reads, 403s and an exec session.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use std::fmt::Write;

use divan::counter::{BytesCount, ItemsCount};
use kubeward_audit::{Config, Engine, parse_document};

const EVENTS: usize = 40_000;

fn main() {
    // `AUDIT_BENCH_STATS=1` prints what the detectors found in the stream, once.
    if std::env::var_os("AUDIT_BENCH_STATS").is_some() {
        let stream = generate();
        let mut engine = Engine::new(bench_config()).unwrap();
        let report = engine.scan(stream.as_bytes(), "bench").unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors.first());
        assert_eq!(report.events, EVENTS as u64);
        eprintln!("{} bytes, {:#?}", stream.len(), engine.stats());
    }
    divan::main();
}

/// A tiny deterministic PRNG (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn stamp(micros: u64) -> String {
    kubeward_audit::event::Timestamp(i64::try_from(micros).unwrap()).to_string()
}

#[allow(clippy::too_many_lines)]
fn generate() -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::with_capacity(EVENTS * 1100);
    let base: u64 = 1_714_532_400_000_000; // 2024-05-01T03:00:00Z
    let users = [
        (
            "system:kube-controller-manager",
            r#"["system:authenticated"]"#,
            "kube-controller-manager/v1.30.1 (linux/amd64) kubernetes/6911225/leader-election",
        ),
        (
            "system:kube-scheduler",
            r#"["system:authenticated"]"#,
            "kube-scheduler/v1.30.1 (linux/amd64) kubernetes/6911225/scheduler",
        ),
        (
            "system:serviceaccount:kube-system:replicaset-controller",
            r#"["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]"#,
            "kube-controller-manager/v1.30.1 (linux/amd64) kubernetes/6911225/system:serviceaccount:kube-system:replicaset-controller",
        ),
        (
            "system:node:worker-1",
            r#"["system:nodes","system:authenticated"]"#,
            "kubelet/v1.30.1 (linux/amd64) kubernetes/6911225",
        ),
        (
            "system:node:worker-2",
            r#"["system:nodes","system:authenticated"]"#,
            "kubelet/v1.30.1 (linux/amd64) kubernetes/6911225",
        ),
        (
            "system:serviceaccount:monitoring:prometheus",
            r#"["system:serviceaccounts","system:serviceaccounts:monitoring","system:authenticated"]"#,
            "Prometheus/2.51.0",
        ),
        (
            "system:serviceaccount:argocd:argocd-application-controller",
            r#"["system:serviceaccounts","system:serviceaccounts:argocd","system:authenticated"]"#,
            "argocd-application-controller/v2.10.0",
        ),
        (
            "dev-alice",
            r#"["developers","system:authenticated"]"#,
            "kubectl/v1.30.1 (linux/amd64) kubernetes/6911225",
        ),
        (
            "dev-bob",
            r#"["developers","system:authenticated"]"#,
            "kubectl/v1.29.4 (darwin/arm64) kubernetes/55f2bc1",
        ),
        (
            "system:serviceaccount:default:webapp",
            r#"["system:serviceaccounts","system:serviceaccounts:default","system:authenticated"]"#,
            "python-requests/2.31.0",
        ),
    ];
    let namespaces = [
        "default",
        "kube-system",
        "payments",
        "monitoring",
        "argocd",
        "batch",
        "web",
        "data",
    ];
    // (verb, resource, subresource, group, has_name, weight)
    let shapes: [(&str, &str, &str, &str, bool, u64); 14] = [
        ("get", "leases", "", "coordination.k8s.io", true, 20),
        ("update", "leases", "", "coordination.k8s.io", true, 20),
        ("watch", "pods", "", "", false, 8),
        ("list", "pods", "", "", false, 8),
        ("get", "pods", "", "", true, 10),
        ("patch", "pods", "status", "", true, 8),
        ("get", "configmaps", "", "", true, 6),
        ("update", "endpointslices", "", "discovery.k8s.io", true, 6),
        ("get", "secrets", "", "", true, 4),
        ("list", "deployments", "", "apps", false, 3),
        ("create", "pods", "", "", true, 3),
        ("create", "events", "", "", true, 6),
        ("create", "pods", "exec", "", true, 1),
        ("create", "serviceaccounts", "token", "", true, 2),
    ];
    let total_weight: u64 = shapes.iter().map(|s| s.5).sum();
    let mut t = base;
    let mut lines = 0usize;
    let mut n: u64 = 0;
    while lines < EVENTS {
        n += 1;
        t += 150_000 + rng.below(100_000);
        let mut pick = rng.below(total_weight);
        let shape = shapes
            .iter()
            .find(|s| {
                if pick < s.5 {
                    true
                } else {
                    pick -= s.5;
                    false
                }
            })
            .unwrap();
        let (verb, resource, sub, group, named, _) = *shape;
        let (user, groups, ua) = users[usize::try_from(rng.below(users.len() as u64)).unwrap()];
        let ns = namespaces[usize::try_from(rng.below(namespaces.len() as u64)).unwrap()];
        let name = format!("{resource}-{}", rng.below(500));
        let denied = rng.below(50) == 0;
        let code = if denied {
            403
        } else if verb == "create" && sub.is_empty() {
            201
        } else if sub == "exec" {
            101
        } else {
            200
        };
        let prefix = if group.is_empty() {
            "/api/v1".to_owned()
        } else {
            format!("/apis/{group}/v1")
        };
        let mut uri = format!("{prefix}/namespaces/{ns}/{resource}");
        if named {
            let _ = write!(uri, "/{name}");
        }
        if !sub.is_empty() {
            let _ = write!(uri, "/{sub}");
        }
        if sub == "exec" {
            uri.push_str("?command=sh&container=app&stdin=true&tty=true");
        }
        if verb == "watch" {
            uri.push_str("?allowWatchBookmarks=true&resourceVersion=123&watch=true");
        }
        let mut obj = format!(r#"{{"resource":"{resource}","namespace":"{ns}""#);
        if named {
            let _ = write!(obj, r#","name":"{name}""#);
        }
        if !group.is_empty() {
            let _ = write!(obj, r#","apiGroup":"{group}""#);
        }
        obj.push_str(r#","apiVersion":"v1""#);
        if !sub.is_empty() {
            let _ = write!(obj, r#","subresource":"{sub}""#);
        }
        obj.push('}');
        let level = if verb == "create" && resource == "pods" && sub.is_empty() {
            "Request"
        } else {
            "Metadata"
        };
        let body = if level == "Request" {
            r#","requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.25","ports":[{"containerPort":80}],"resources":{"limits":{"cpu":"500m","memory":"128Mi"}},"securityContext":{"privileged":false,"runAsNonRoot":true}}],"volumes":[{"name":"tmp","emptyDir":{}}]}}"#
        } else {
            ""
        };
        let stages: &[&str] = if verb == "watch" || sub == "exec" {
            &["ResponseStarted", "ResponseComplete"]
        } else {
            &["ResponseComplete"]
        };
        let ip = format!("10.244.{}.{}", rng.below(8), rng.below(250) + 2);
        let decision = if denied { "forbid" } else { "allow" };
        let status = if denied {
            r#""status":"Failure","reason":"Forbidden","#
        } else {
            ""
        };
        for stage in stages {
            if lines >= EVENTS {
                break;
            }
            let _ = writeln!(
                out,
                r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"{level}","auditID":"{:08x}-5eed-4c1d-9a7e-{:012x}","stage":"{stage}","requestURI":"{uri}","verb":"{verb}","user":{{"username":"{user}","uid":"{:x}","groups":{groups}}},"sourceIPs":["{ip}"],"userAgent":"{ua}","objectRef":{obj},"responseStatus":{{"metadata":{{}},{status}"code":{code}}}{body},"requestReceivedTimestamp":"{}","stageTimestamp":"{}","annotations":{{"authorization.k8s.io/decision":"{decision}","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"system:controller\" of ClusterRole \"system:controller\" to ServiceAccount \"x/kube-system\""}}}}"#,
                n,
                n.wrapping_mul(2_654_435_761),
                n % 9973,
                stamp(t),
                stamp(t + 3_000),
            );
            lines += 1;
        }
    }
    out
}

fn bench_config() -> Config {
    let mut c = Config::default();
    // Let the first-seen detectors leave their learning period within the stream.
    c.first_seen.learning_seconds = 600;
    c
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn parse_and_detect(bencher: divan::Bencher) {
    let stream = generate();
    let lines: Vec<&str> = stream.lines().collect();
    assert_eq!(lines.len(), EVENTS);
    bencher
        .counter(ItemsCount::new(EVENTS))
        .with_inputs(|| Engine::new(bench_config()).unwrap())
        .bench_local_values(|mut engine| {
            let mut out = Vec::new();
            for line in &lines {
                let doc = parse_document(line).unwrap();
                engine.process_document(&doc, &mut out);
            }
            out.len()
        });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn parse_only(bencher: divan::Bencher) {
    let stream = generate();
    let lines: Vec<&str> = stream.lines().collect();
    bencher
        .counter(BytesCount::new(stream.len()))
        .bench_local(|| {
            lines
                .iter()
                .map(|l| parse_document(l).map(|d| d.len()).unwrap_or(0))
                .sum::<usize>()
        });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn scan_reader(bencher: divan::Bencher) {
    let stream = generate();
    bencher
        .counter(ItemsCount::new(EVENTS))
        .with_inputs(|| Engine::new(bench_config()).unwrap())
        .bench_local_values(|mut engine| {
            let report = engine.scan(stream.as_bytes(), "bench").unwrap();
            assert!(report.errors.is_empty());
            report.findings.len()
        });
}

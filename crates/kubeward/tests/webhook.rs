//! `kubeward serve` end to end: the real binary, certificates from `kubeward webhook certs`,
//! AdmissionReview v1 requests over HTTPS with a rustls client, certificate rotation under a
//! request loop, the audit backend, `/metrics` read by the `prometheus_client` (PyPI)
//! OpenMetrics parser, and the committed `deploy/` manifests scanned clean.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as Std, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod support;
use support::{Client, Server, gen_certs, kubeward};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tools() -> PathBuf {
    std::env::var_os("KUBEWARD_TOOLS").map_or_else(|| repo_root().join(".tools"), PathBuf::from)
}

fn tool_or_skip(path: &Path) -> bool {
    if path.exists() {
        return true;
    }
    assert!(
        std::env::var_os("KUBEWARD_REQUIRE_EXTERNAL").is_none(),
        "{} missing: run scripts/install-test-deps.sh",
        path.display()
    );
    eprintln!("skipping: {} not installed", path.display());
    false
}

fn pod(name: &str, privileged: bool) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop", "uid": "3b6c1d9e-1111-4a7e-9c55-0d6f5e0c1a01",
                     "creationTimestamp": "2025-05-01T10:00:00Z", "labels": {"app": name}},
        "spec": {
            "containers": [{
                "name": "app", "image": "registry.example.com/shop/web:1.4.2",
                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "128Mi"}},
                "securityContext": {"privileged": privileged}
            }],
            "serviceAccountName": "default", "restartPolicy": "Always", "dnsPolicy": "ClusterFirst"
        },
        "status": {}
    })
}

fn deployment(replicas: u32, privileged: bool) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "shop", "generation": 3, "resourceVersion": "81234"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [{
                    "name": "api", "image": "registry.example.com/shop/api:2.0.1",
                    "securityContext": {"privileged": privileged}
                }]}
            }
        }
    })
}

fn review(
    uid: &str,
    op: &str,
    kind: (&str, &str, &str),
    resource: &str,
    object: Value,
    old: Value,
    dry_run: bool,
) -> Value {
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": kind.0, "version": kind.1, "kind": kind.2},
            "resource": {"group": kind.0, "version": kind.1, "resource": resource},
            "requestKind": {"group": kind.0, "version": kind.1, "kind": kind.2},
            "requestResource": {"group": kind.0, "version": kind.1, "resource": resource},
            "name": object["metadata"]["name"].as_str().or(old["metadata"]["name"].as_str()).unwrap_or(""),
            "namespace": "shop",
            "operation": op,
            "userInfo": {"username": "alice@example.com", "uid": "u-42", "groups": ["dev", "system:authenticated"]},
            "object": object,
            "oldObject": old,
            "dryRun": dry_run,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": if op == "UPDATE" { "UpdateOptions" } else { "CreateOptions" }}
        }
    })
}

const POD: (&str, &str, &str) = ("", "v1", "Pod");
const DEPLOY: (&str, &str, &str) = ("apps", "v1", "Deployment");

/// Samples of the `/metrics` text as parsed by the `prometheus_client` OpenMetrics parser:
/// `name{k="v",..}` (labels sorted) -> value.
fn parse_metrics_with_python(text: &str) -> Option<std::collections::BTreeMap<String, f64>> {
    let python = tools().join("venv/bin/python");
    if !tool_or_skip(&python) {
        return None;
    }
    let script = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
        out["%s{%s}" % (s.name, labels)] = s.value
print(json.dumps(out))
"#;
    let mut child = Std::new(&python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "prometheus_client rejected /metrics: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn admission_reviews_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    gen_certs(&certs);
    let server = Server::start(
        dir.path(),
        &certs,
        "webhook:\n  limits:\n    max-body-bytes: 65536\n",
    );
    let c = Client::new(&[&certs.join("ca.crt")]);
    let port = server.port;

    // Pod CREATE, privileged: denied, with the code, the field path and the fix.
    let r = c.review(
        port,
        "/validate",
        &review(
            "a1",
            "CREATE",
            POD,
            "pods",
            pod("web", true),
            Value::Null,
            false,
        ),
    );
    assert_eq!(r["allowed"], false, "{r}");
    assert_eq!(r["status"]["code"], 403);
    let msg = r["status"]["message"].as_str().unwrap();
    assert!(
        msg.contains("POD001 spec.containers[0].securityContext.privileged"),
        "{msg}"
    );
    assert!(msg.contains("fix:"), "{msg}");
    assert!(msg.len() < 1100, "{msg}");

    // A clean pod: allowed.
    let r = c.review(
        port,
        "/validate",
        &review(
            "a2",
            "CREATE",
            POD,
            "pods",
            pod("ok", false),
            Value::Null,
            false,
        ),
    );
    assert_eq!(r["allowed"], true, "{r}");

    // Deployment UPDATE (scale) where the violation pre-existed: allowed (updates: introduced).
    let r = c.review(
        port,
        "/validate",
        &review(
            "a3",
            "UPDATE",
            DEPLOY,
            "deployments",
            deployment(5, true),
            deployment(3, true),
            false,
        ),
    );
    assert_eq!(r["allowed"], true, "{r}");
    // The same UPDATE introducing the violation: denied.
    let r = c.review(
        port,
        "/validate",
        &review(
            "a4",
            "UPDATE",
            DEPLOY,
            "deployments",
            deployment(5, true),
            deployment(3, false),
            false,
        ),
    );
    assert_eq!(r["allowed"], false, "{r}");
    assert!(
        r["status"]["message"]
            .as_str()
            .unwrap()
            .contains("spec.template.spec.containers[0].securityContext.privileged")
    );

    // dryRun: judged the same way, nothing else happens.
    let r = c.review(
        port,
        "/validate",
        &review(
            "a5",
            "CREATE",
            POD,
            "pods",
            pod("web", true),
            Value::Null,
            true,
        ),
    );
    assert_eq!(r["allowed"], false, "{r}");

    // DELETE: allowed without evaluation.
    let r = c.review(
        port,
        "/validate",
        &review(
            "a6",
            "DELETE",
            POD,
            "pods",
            Value::Null,
            pod("web", true),
            false,
        ),
    );
    assert_eq!(r["allowed"], true, "{r}");

    // An unknown kind (a CRD): allowed, no warnings.
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "shop"}, "spec": {"privileged": true}});
    let r = c.review(
        port,
        "/validate",
        &review(
            "a7",
            "CREATE",
            ("example.com", "v1", "Widget"),
            "widgets",
            widget,
            Value::Null,
            false,
        ),
    );
    assert_eq!(r["allowed"], true, "{r}");
    assert!(r.get("warnings").is_none(), "{r}");

    // A namespace labelled kubeward.io/enforce=warn (routed to /validate/warn): warnings only.
    let r = c.review(
        port,
        "/validate/warn",
        &review(
            "a8",
            "CREATE",
            POD,
            "pods",
            pod("web", true),
            Value::Null,
            false,
        ),
    );
    assert_eq!(r["allowed"], true, "{r}");
    assert!(
        r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("POD001")),
        "{r}"
    );

    // Malformed, wrong version, oversized.
    let (code, body) = c.request(port, "POST", "/validate", "{\"apiVersion\": ");
    assert_eq!(code, 400, "{body}");
    let mut v1beta1 = review(
        "b1",
        "CREATE",
        POD,
        "pods",
        pod("web", true),
        Value::Null,
        false,
    );
    v1beta1["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let (code, body) = c.request(port, "POST", "/validate", &v1beta1.to_string());
    assert_eq!(code, 400, "{body}");
    assert!(
        body.contains("admission.k8s.io/v1beta1") && body.contains("v1 only"),
        "{body}"
    );
    let mut big = pod("big", false);
    big["metadata"]["annotations"] = json!({"blob": "x".repeat(100_000)});
    // The server answers 413 as soon as the limit is crossed and closes the connection; a
    // client still uploading may see the close (broken pipe) before it can read the answer.
    // Either way the refusal is counted, and the metrics check below asserts that count.
    match c.try_request(
        port,
        "POST",
        "/validate",
        &review("b2", "CREATE", POD, "pods", big, Value::Null, false).to_string(),
    ) {
        Ok((code, _)) => assert_eq!(code, 413),
        Err(e) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
            ),
            "oversized body: {e}"
        ),
    }

    assert_eq!(c.request(port, "GET", "/healthz", "").0, 200);

    // Metrics, through the real parser.
    let (code, text) = c.request(port, "GET", "/metrics", "");
    assert_eq!(code, 200);
    if let Some(samples) = parse_metrics_with_python(&text) {
        let get = |k: &str| {
            samples
                .get(k)
                .copied()
                .unwrap_or_else(|| panic!("{k} missing: {samples:?}"))
        };
        assert_eq!(
            get(r#"kubeward_webhook_decisions_total{action="deny",rule="POD001"}"#),
            3.0
        );
        assert_eq!(
            get(r#"kubeward_webhook_decisions_total{action="warn",rule="POD001"}"#),
            1.0
        );
        assert_eq!(
            get(r#"kubeward_webhook_admission_reviews_total{operation="CREATE",result="denied"}"#),
            2.0
        );
        assert_eq!(
            get(r#"kubeward_webhook_admission_reviews_total{operation="UPDATE",result="allowed"}"#),
            1.0
        );
        assert_eq!(
            get(
                r#"kubeward_webhook_admission_reviews_total{operation="DELETE",result="operation"}"#
            ),
            1.0
        );
        assert_eq!(
            get(r#"kubeward_webhook_http_requests_total{code="400",path="/validate"}"#),
            2.0
        );
        assert_eq!(
            get(r#"kubeward_webhook_http_requests_total{code="413",path="/validate"}"#),
            1.0
        );
        assert_eq!(
            get(r#"kubeward_webhook_rejected_requests_total{reason="too-large"}"#),
            1.0
        );
        assert_eq!(
            get(r#"kubeward_webhook_request_duration_seconds_count{path="/validate"}"#),
            10.0
        );
        // The scrape itself is in flight while metrics are encoded.
        assert_eq!(get("kubeward_webhook_in_flight_requests{}"), 1.0);
    }

    // Logs: JSON lines with the uid, never object contents.
    let logs = server.logs();
    let line = logs
        .lines()
        .find(|l| l.contains("\"uid\":\"a1\""))
        .unwrap_or_else(|| panic!("{logs}"));
    let v: Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["denied"], "POD001");
    assert!(
        !logs.contains("registry.example.com"),
        "object contents leaked into logs"
    );

    // Configuration reload: an invalid change is refused (old policy kept), then break glass.
    let config = dir.path().join("kubeward.yaml");
    std::fs::write(&config, "webhook:\n  mode: block\n").unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let r = c.review(
        port,
        "/validate",
        &review(
            "c1",
            "CREATE",
            POD,
            "pods",
            pod("web", true),
            Value::Null,
            false,
        ),
    );
    assert_eq!(r["allowed"], false, "{r}");
    std::fs::write(&config, "webhook:\n  break-glass: true\n").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = c.review(
            port,
            "/validate",
            &review(
                "c2",
                "CREATE",
                POD,
                "pods",
                pod("web", true),
                Value::Null,
                false,
            ),
        );
        if r["allowed"] == true {
            assert!(r["warnings"].to_string().contains("POD001"), "{r}");
            break;
        }
        assert!(Instant::now() < deadline, "break glass never applied");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (_, m) = c.request(port, "GET", "/metrics", "");
    assert!(
        m.contains("kubeward_webhook_reloads_total{kind=\"config\",result=\"error\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("kubeward_webhook_reloads_total{kind=\"config\",result=\"ok\"} 1"),
        "{m}"
    );

    // Graceful shutdown.
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
}

#[test]
fn certificate_rotation_loses_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live");
    let next = dir.path().join("next");
    gen_certs(&live);
    gen_certs(&next);
    let old_ca = dir.path().join("old-ca.crt");
    std::fs::copy(live.join("ca.crt"), &old_ca).unwrap();
    let server = Server::start(dir.path(), &live, "");
    let both = Client::new(&[&old_ca, &next.join("ca.crt")]);
    let only_new = Client::new(&[&next.join("ca.crt")]);
    let port = server.port;
    let body = review(
        "r",
        "CREATE",
        POD,
        "pods",
        pod("ok", false),
        Value::Null,
        false,
    )
    .to_string();

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let loops: Vec<_> = (0..3)
        .map(|_| {
            let c = both.clone();
            let body = body.clone();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let (mut ok, mut failed) = (0u32, Vec::new());
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    match c.try_request(port, "POST", "/validate", &body) {
                        Ok((200, _)) => ok += 1,
                        other => failed.push(format!("{other:?}")),
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    // Rotate the way a Secret update looks to a reader: files replaced one after the other.
    for f in ["tls.crt", "tls.key"] {
        let tmp = live.join(format!(".{f}.tmp"));
        std::fs::copy(next.join(f), &tmp).unwrap();
        std::fs::rename(&tmp, live.join(f)).unwrap();
        std::thread::sleep(Duration::from_millis(300));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while only_new.try_request(port, "GET", "/healthz", "").is_err() {
        assert!(Instant::now() < deadline, "new certificate never served");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut total = 0;
    for l in loops {
        let (ok, failed) = l.join().unwrap();
        assert!(
            failed.is_empty(),
            "requests lost during rotation: {failed:?}"
        );
        total += ok;
    }
    assert!(total > 20, "only {total} requests in the loop");
    let (_, metrics) = both.request(port, "GET", "/metrics", "");
    assert!(
        metrics.contains("kubeward_webhook_reloads_total{kind=\"tls\",result=\"ok\"} 1"),
        "{metrics}"
    );
}

fn audit_batch(n: usize, offset: usize) -> String {
    let items: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
                "auditID": format!("ev-{}", offset + i), "stage": "ResponseComplete",
                "requestURI": "/api/v1/namespaces/web/pods/api-0/exec?command=sh&stdin=true&tty=true",
                "verb": "create",
                "user": {"username": "mallory@example.com", "groups": ["system:authenticated"]},
                "sourceIPs": ["203.0.113.5"], "userAgent": "kubectl/v1.30.1",
                "objectRef": {"resource": "pods", "namespace": "web", "name": "api-0", "apiVersion": "v1", "subresource": "exec"},
                "responseStatus": {"metadata": {}, "code": 101},
                "requestReceivedTimestamp": "2025-05-01T03:00:00.000000Z",
                "stageTimestamp": "2025-05-01T03:00:00.100000Z"
            })
        })
        .collect();
    json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": items})
        .to_string()
}

fn metric(text: &str, sample: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(sample).and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0.0)
}

#[test]
fn audit_backend_logs_findings_and_conserves_batches() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    gen_certs(&certs);
    let server = Server::start(
        dir.path(),
        &certs,
        "webhook:\n  limits:\n    audit-queue: 2\n",
    );
    let c = Client::new(&[&certs.join("ca.crt")]);
    let port = server.port;

    let (code, body) = c.request(port, "POST", "/audit", &audit_batch(1, 0));
    assert_eq!(code, 200, "{body}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.logs().contains("\"code\":\"AUD003\"") {
        assert!(
            Instant::now() < deadline,
            "finding not logged: {}",
            server.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let logs = server.logs();
    let line = logs
        .lines()
        .find(|l| l.contains("\"code\":\"AUD003\""))
        .unwrap();
    let v: Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["user"], "mallory@example.com");
    assert_eq!(v["audit_id"], "ev-0");
    assert_eq!(c.request(port, "POST", "/audit", "{not json").0, 400);

    // A burst from several senders: every batch is either accepted or refused with 429/503.
    let senders: Vec<_> = (0..6)
        .map(|t| {
            let c = c.clone();
            std::thread::spawn(move || {
                let (mut accepted, mut refused) = (0u32, 0u32);
                for i in 0..15 {
                    let (code, _) = c.request(
                        port,
                        "POST",
                        "/audit",
                        &audit_batch(20, 1000 * (t + 1) + 20 * i),
                    );
                    match code {
                        200 => accepted += 1,
                        429 | 503 => refused += 1,
                        other => panic!("unexpected status {other}"),
                    }
                }
                (accepted, refused)
            })
        })
        .collect();
    let (mut accepted, mut refused) = (1u32, 0u32);
    for s in senders {
        let (a, r) = s.join().unwrap();
        accepted += a;
        refused += r;
    }
    assert_eq!(accepted + refused, 91);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, m) = c.request(port, "GET", "/metrics", "");
        let received = metric(&m, "kubeward_audit_batches_total{result=\"received\"}");
        let processed = metric(&m, "kubeward_audit_batches_total{result=\"processed\"}");
        let rejected = metric(&m, "kubeward_audit_batches_total{result=\"rejected\"}");
        if processed == received && received > 0.0 {
            assert_eq!(received, f64::from(accepted), "{m}");
            assert_eq!(rejected, f64::from(refused), "{m}");
            assert_eq!(
                metric(&m, "kubeward_audit_events_total"),
                1.0 + 20.0 * f64::from(accepted - 1),
                "{m}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "queue never drained: {m}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn committed_manifests_match_the_generator_and_scan_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let status = kubeward()
        .args(["webhook", "manifests", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let committed = repo_root().join("deploy");
    for entry in std::fs::read_dir(&out).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let fresh = std::fs::read_to_string(entry.path()).unwrap();
        let saved = std::fs::read_to_string(committed.join(&name)).unwrap_or_else(|_| {
            panic!(
                "deploy/{} missing: regenerate with `kubeward webhook manifests --out deploy`",
                name.to_string_lossy()
            )
        });
        assert_eq!(fresh, saved, "deploy/{} is stale", name.to_string_lossy());
    }
    let scan = kubeward()
        .current_dir(repo_root())
        .args(["scan", "deploy/", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&scan.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&scan.stdout)));
    let findings = report["findings"].as_array().expect("findings array");
    assert!(
        findings.is_empty(),
        "kubeward scan deploy/ reported: {findings:#?}"
    );
    assert_eq!(
        report["errors"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
    // Clean without suppressions, and every manifest was read.
    assert_eq!(report["summary"]["suppressed"], 0, "{report}");
    assert_eq!(report["summary"]["objects"], 10, "{report}");
    assert_eq!(
        scan.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&scan.stdout)
    );
}

/// With image signature checks the webhook must reach registries: `--registry-cidr` opens
/// exactly that egress (and DNS), and the manifests still scan clean.
#[test]
fn registry_egress_manifests_scan_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let status = kubeward()
        .args([
            "webhook",
            "manifests",
            "--registry-cidr",
            "203.0.113.0/24",
            "--out",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let policy = std::fs::read_to_string(out.join("networkpolicy.yaml")).unwrap();
    assert!(policy.contains("cidr: 203.0.113.0/24"), "{policy}");
    assert!(policy.contains("k8s-app: kube-dns"), "{policy}");
    assert!(!policy.contains("egress: []"), "{policy}");
    let scan = kubeward()
        .args(["scan", "--format", "json"])
        .arg(&out)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(0),
        "{report:#}"
    );
    // The network-policy engine accepts the generated policies (no validation error).
    let explain = kubeward()
        .args(["netpol", "connections", "--format", "json"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(explain.status.code().is_some_and(|c| c < 2), "{explain:?}");
}

//! Pod evaluations per second at restricted/latest, on a realistic compliant pod and on a pod
//! that violates most controls. Run with
//! `cargo bench -p kubeward-pss --bench evaluate`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use divan::{Bencher, black_box};
use kubeward_pss::{Level, PodInput, Version, evaluate, forbidden_message};
use kubeward_yaml::Node;

const COMPLIANT: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, tier: frontend}
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: runtime/default
    prometheus.io/scrape: "true"
spec:
  serviceAccountName: web
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    runAsGroup: 10001
    fsGroup: 10001
    seccompProfile: {type: RuntimeDefault}
  initContainers:
  - name: migrate
    image: registry.example.com/web-migrate:1.4.2
    command: [/migrate, --up]
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
  containers:
  - name: app
    image: registry.example.com/web:1.4.2
    ports: [{name: http, containerPort: 8080}]
    env: [{name: MODE, value: production}]
    resources:
      requests: {cpu: 100m, memory: 128Mi}
      limits: {memory: 256Mi}
    livenessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 10}
    readinessProbe: {httpGet: {path: /ready, port: http}}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
    volumeMounts: [{name: tmp, mountPath: /tmp}, {name: config, mountPath: /etc/web}]
  - name: sidecar
    image: registry.example.com/proxy:2.0
    ports: [{containerPort: 9090}]
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
  volumes:
  - {name: tmp, emptyDir: {}}
  - {name: config, configMap: {name: web-config}}
"#;

const VIOLATING: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: node-agent
  annotations:
    container.apparmor.security.beta.kubernetes.io/agent: unconfined
spec:
  hostNetwork: true
  hostPID: true
  securityContext:
    runAsUser: 0
    sysctls: [{name: net.core.somaxconn, value: "1024"}]
  containers:
  - name: agent
    image: registry.example.com/agent:3.1
    ports: [{containerPort: 9100, hostPort: 9100}]
    livenessProbe: {httpGet: {host: localhost, path: /healthz, port: 9100}}
    securityContext:
      privileged: true
      capabilities: {add: [SYS_ADMIN, NET_RAW]}
      seccompProfile: {type: Unconfined}
    volumeMounts: [{name: root, mountPath: /host}]
  - name: logs
    image: registry.example.com/logs:1.0
  volumes:
  - {name: root, hostPath: {path: /}}
  - {name: data, nfs: {server: nfs.example.com, path: /data}}
"#;

fn load(text: &str) -> Node {
    kubeward_yaml::parse_str(text)
        .documents
        .into_iter()
        .next()
        .unwrap()
        .root
}

fn input(pod: &Node) -> PodInput<'_> {
    PodInput {
        metadata: pod.get("metadata"),
        spec: pod.get("spec").unwrap(),
    }
}

#[divan::bench]
fn restricted_latest_compliant(bencher: Bencher) {
    let pod = load(COMPLIANT);
    assert!(evaluate(input(&pod), Level::Restricted, Version::Latest).allowed);
    bencher.bench(|| evaluate(black_box(input(&pod)), Level::Restricted, Version::Latest));
}

#[divan::bench]
fn restricted_latest_violating(bencher: Bencher) {
    let pod = load(VIOLATING);
    assert!(
        evaluate(input(&pod), Level::Restricted, Version::Latest)
            .violations
            .len()
            > 8
    );
    bencher.bench(|| evaluate(black_box(input(&pod)), Level::Restricted, Version::Latest));
}

#[divan::bench]
fn restricted_latest_violating_with_message(bencher: Bencher) {
    let pod = load(VIOLATING);
    bencher.bench(|| {
        forbidden_message(&evaluate(
            black_box(input(&pod)),
            Level::Restricted,
            Version::Latest,
        ))
    });
}

fn main() {
    divan::main();
}

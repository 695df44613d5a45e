use kubeward_diagnostics::{Category, Severity};

use super::verdict::violation;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre, pss};
use crate::rules::workload::util::KINDS;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags probes and lifecycle handlers that set `host` on `httpGet` or `tcpSocket`.
    ///
    /// Pod Security Standards control **Probes and Lifecycle Hooks** (Baseline; upstream check
    /// `hostProbesAndHostLifecycle`). The host field of HTTP and TCP probes and lifecycle
    /// handlers lets the kubelet connect to arbitrary addresses (including the node's
    /// localhost) on the pod's behalf and must not be set. Any non-empty host is forbidden,
    /// including localhost and 127.0.0.1 (KEP-4940).
    ///
    /// Restricted fields:
    /// - `spec.containers[*].livenessProbe.httpGet.host`
    /// - `spec.containers[*].readinessProbe.httpGet.host`
    /// - `spec.containers[*].startupProbe.httpGet.host`
    /// - `spec.containers[*].livenessProbe.tcpSocket.host`
    /// - `spec.containers[*].readinessProbe.tcpSocket.host`
    /// - `spec.containers[*].startupProbe.tcpSocket.host`
    /// - `spec.containers[*].lifecycle.postStart.httpGet.host`
    /// - `spec.containers[*].lifecycle.preStop.httpGet.host`
    /// - `spec.containers[*].lifecycle.postStart.tcpSocket.host`
    /// - `spec.containers[*].lifecycle.preStop.tcpSocket.host`
    /// - `(the same fields of initContainers and ephemeralContainers)`
    ///
    /// Allowed values: undefined, ""
    ///
    /// Policy versions:
    /// - v1.34: New control in policy v1.34; pods are not checked for it at older policy
    ///   versions.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
    ///
    /// ## Why is this bad?
    /// The kubelet runs probes and lifecycle handlers from the node. A `host` field makes it
    /// connect wherever the pod author says: to the node's own `localhost` services, to the
    /// cloud metadata endpoint or to other pods, bypassing network policies (a server-side
    /// request forgery through the kubelet).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: registry.example.com/web:1.0
    ///     livenessProbe:
    ///       httpGet: {host: 169.254.169.254, path: /latest/meta-data, port: 80}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: registry.example.com/web:1.0
    ///     livenessProbe:
    ///       httpGet: {path: /healthz, port: 8080}
    /// ```
    ///
    /// ## Fix
    /// Remove `host`: the kubelet then probes the pod's own IP.
    ///
    /// ## Exceptions
    /// None known; a probe should check the pod itself. Suppress with
    /// `kubeward.io/ignore: "POD102: <why>"` if you must.
    ///
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Probes and Lifecycle Hooks" (KEP-4940)
    /// - CWE-918 Server-Side Request Forgery
    pub static HOST_PROBE_OR_LIFECYCLE: Rule = Rule {
        code: "POD102",
        name: "probe-or-lifecycle-host",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("hostProbesAndHostLifecycle"), mitre("T1090"), cwe("CWE-918")],
        fix: "Remove `host` from the probe or lifecycle handler.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(v) = violation(ctx, "hostProbesAndHostLifecycle") else {
        return;
    };
    for site in &v.sites {
        // `containers[0].livenessProbe.httpGet.host` -> `livenessProbe.httpGet`.
        let handler = site
            .engine_path
            .split_once("].")
            .map_or("", |(_, rest)| rest)
            .trim_end_matches(".host");
        out.report(
            site.path.clone(),
            format!(
                "`{handler}` of {} makes the kubelet connect to host `{}`",
                site.subject(&v.pod),
                site.value()
            ),
        );
    }
}

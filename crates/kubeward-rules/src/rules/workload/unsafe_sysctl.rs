use kubeward_diagnostics::{Category, Severity};
use kubeward_model::PodTemplate;
use kubeward_yaml::Node;

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, pss};
use crate::{Check, declare_rule};

/// Sysctls the kubelet considers safe (namespaced and isolated), as of Kubernetes 1.32.
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];

declare_rule! {
    /// ## What it does
    /// Flags pod `securityContext.sysctls` outside the set the kubelet considers safe.
    ///
    /// ## Why is this bad?
    /// Unsafe sysctls are not isolated per pod: they change kernel behaviour for the whole
    /// node, can destabilise it or weaken protections for every other pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: tuned}
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///     - {name: kernel.msgmax, value: "65536"}
    ///   containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.0
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: tuned}
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///     - {name: net.ipv4.ip_local_port_range, value: "32768 60999"}
    ///   containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.0
    /// ```
    ///
    /// ## Fix
    /// Remove the sysctl, or tune it on dedicated nodes outside Kubernetes.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Sysctls"
    /// - Kubernetes documentation, "Using sysctls in a Kubernetes Cluster"
    pub static UNSAFE_SYSCTL: Rule = Rule {
        code: "POD026",
        name: "unsafe-sysctl",
        severity: Severity::High,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("sysctls"), cis("5.2.10")],
        fix: "Remove sysctls outside the safe set.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(pod) = PodTemplate::of(ctx.object) else {
        return;
    };
    let sysctls = pod.security_context().and_then(|sc| sc.get("sysctls"));
    for (i, sysctl) in sysctls.into_iter().flat_map(Node::items).enumerate() {
        let name = sysctl.get("name").and_then(Node::as_str).unwrap_or("");
        if !SAFE_SYSCTLS.contains(&name) {
            out.report(
                format!("{}.securityContext.sysctls[{i}].name", pod.spec_path),
                format!("pod sets unsafe sysctl `{name}`"),
            );
        }
    }
}

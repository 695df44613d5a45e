use kubeward_diagnostics::{Category, Severity};

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags pod `securityContext.sysctls` outside the safe set of the policy version.
    ///
    /// Pod Security Standards control **Sysctls** (Baseline; upstream check `sysctls`). Sysctls
    /// can disable security mechanisms or affect all containers on a host, and are disallowed
    /// except for a safe subset that is namespaced and isolated from other pods.
    ///
    /// Restricted fields:
    /// - `spec.securityContext.sysctls[*].name`
    ///
    /// Allowed values: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range,
    /// net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start;
    /// v1.27+: net.ipv4.ip_local_reserved_ports; v1.29+: net.ipv4.tcp_keepalive_time,
    /// net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes;
    /// v1.32+: net.ipv4.tcp_rmem, net.ipv4.tcp_wmem; v1.37+:
    /// net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat
    ///
    /// Policy versions:
    /// - v1.0: Five safe sysctls.
    /// - v1.27: Adds net.ipv4.ip_local_reserved_ports.
    /// - v1.29: Adds net.ipv4.tcp_keepalive_time, tcp_fin_timeout, tcp_keepalive_intvl,
    ///   tcp_keepalive_probes.
    /// - v1.32: Adds net.ipv4.tcp_rmem and net.ipv4.tcp_wmem.
    /// - v1.37: Adds net.ipv4.tcp_slow_start_after_idle and net.ipv4.tcp_notsent_lowat.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
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
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
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
    let Some(v) = violation(ctx, "sysctls") else {
        return;
    };
    for site in &v.sites {
        out.report(
            site.path.clone(),
            format!("pod sets unsafe sysctl `{}`", site.value()),
        );
    }
}

use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, capability_name};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, mitre, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers that explicitly add the `NET_RAW` capability.
    ///
    /// Pod Security Standards control **Capabilities** (Baseline; upstream check
    /// `capabilities_baseline`). Adding capabilities beyond the container runtime's default set
    /// (notably NET_RAW, SYS_ADMIN) must be disallowed.
    ///
    /// Restricted fields:
    /// - `spec.containers[*].securityContext.capabilities.add`
    /// - `spec.initContainers[*].securityContext.capabilities.add`
    /// - `spec.ephemeralContainers[*].securityContext.capabilities.add`
    ///
    /// Allowed values: undefined, empty, or any of AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER,
    /// FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT
    ///
    /// Policy versions:
    /// - v1.0: Initial revision.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
    ///
    /// ## Why is this bad?
    /// Raw sockets allow crafting packets: ARP and DNS spoofing of neighbouring pods on the
    /// same node, and several kernel exploits start from `NET_RAW`.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: pinger}
    /// spec:
    ///   containers:
    ///   - name: pinger
    ///     image: busybox:1.36
    ///     securityContext:
    ///       capabilities:
    ///         add: [NET_RAW]
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: pinger}
    /// spec:
    ///   containers:
    ///   - name: pinger
    ///     image: busybox:1.36
    ///     securityContext:
    ///       capabilities:
    ///         drop: [ALL]
    /// ```
    ///
    /// ## Fix
    /// Remove `NET_RAW`; use the `net.ipv4.ping_group_range` sysctl for ICMP echo.
    ///
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Capabilities"
    /// - CIS Kubernetes Benchmark 5.2.8
    /// - MITRE ATT&CK T1557 Adversary-in-the-Middle
    pub static CAP_NET_RAW: Rule = Rule {
        code: "POD009",
        name: "cap-net-raw",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("capabilities_baseline"), cis("5.2.8"), mitre("T1557")],
        fix: "Remove `NET_RAW` from `capabilities.add`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(v) = violation(ctx, "capabilities_baseline") else {
        return;
    };
    for site in &v.sites {
        if capability_name(&site.value()) == "NET_RAW" {
            out.report(
                site.path.clone(),
                format!("{} adds capability `NET_RAW`", site.subject(&v.pod)),
            );
        }
    }
}

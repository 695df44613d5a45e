use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, added_capabilities, each_container};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, mitre, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers that explicitly add the `NET_RAW` capability.
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
    /// ## References
    /// - CIS Kubernetes Benchmark 5.2.8
    /// - MITRE ATT&CK T1557 Adversary-in-the-Middle
    pub static CAP_NET_RAW: Rule = Rule {
        code: "POD009",
        name: "cap-net-raw",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("capabilities_restricted"), cis("5.2.8"), mitre("T1557")],
        fix: "Remove `NET_RAW` from `capabilities.add`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |_, container| {
        for (cap, path) in added_capabilities(container) {
            if cap == "NET_RAW" {
                out.report(
                    path,
                    format!("{} adds capability `NET_RAW`", container.describe()),
                );
            }
        }
    });
}

use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, added_capabilities, each_container};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, mitre, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers that add `SYS_ADMIN` (or `ALL`) capabilities.
    ///
    /// ## Why is this bad?
    /// `SYS_ADMIN` is "the new root": mount filesystems, use `bpf`, manipulate namespaces. Most
    /// published container escapes (cgroup `release_agent`, mounting the host disk) need it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: fuse}
    /// spec:
    ///   containers:
    ///   - name: fuse
    ///     image: registry.example.com/fuse:2.1
    ///     securityContext:
    ///       capabilities:
    ///         add: [SYS_ADMIN]
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: fuse}
    /// spec:
    ///   containers:
    ///   - name: fuse
    ///     image: registry.example.com/fuse:2.1
    ///     securityContext:
    ///       capabilities:
    ///         drop: [ALL]
    /// ```
    ///
    /// ## Fix
    /// Remove `SYS_ADMIN`; use a CSI driver or device plugin for the feature that needed it.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "Capabilities"
    /// - MITRE ATT&CK T1611 Escape to Host
    pub static CAP_SYS_ADMIN: Rule = Rule {
        code: "POD008",
        name: "cap-sys-admin",
        severity: Severity::Critical,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("capabilities_baseline"), cis("5.2.9"), mitre("T1611"), cwe("CWE-250")],
        fix: "Remove `SYS_ADMIN` from `capabilities.add`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |_, container| {
        for (cap, path) in added_capabilities(container) {
            if cap == "SYS_ADMIN" || cap == "ALL" {
                out.report(
                    path,
                    format!("{} adds capability `{cap}`", container.describe()),
                );
            }
        }
    });
}

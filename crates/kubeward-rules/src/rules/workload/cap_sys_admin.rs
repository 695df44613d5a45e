use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, capability_name};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, mitre, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers that add `SYS_ADMIN` (or `ALL`) capabilities.
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
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
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
    let Some(v) = violation(ctx, "capabilities_baseline") else {
        return;
    };
    for site in &v.sites {
        let cap = capability_name(&site.value());
        if cap == "SYS_ADMIN" || cap == "ALL" {
            out.report(
                site.path.clone(),
                format!("{} adds capability `{cap}`", site.subject(&v.pod)),
            );
        }
    }
}

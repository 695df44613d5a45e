use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, capability_name};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

/// Capabilities with a rule of their own.
const OWN_RULES: &[&str] = &["SYS_ADMIN", "NET_RAW", "ALL"];

declare_rule! {
    /// ## What it does
    /// Flags capabilities added to a container beyond the container runtime's default set.
    /// `SYS_ADMIN` (and `ALL`) and `NET_RAW` have their own rules; default capabilities added
    /// back that the restricted profile forbids are reported by `POD007`.
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
    /// Each capability is a slice of root: `SYS_PTRACE` reads other processes' memory,
    /// `NET_ADMIN` rewrites the network, `DAC_OVERRIDE` ignores file permissions.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: debug}
    /// spec:
    ///   containers:
    ///   - name: debug
    ///     image: busybox:1.36
    ///     securityContext:
    ///       capabilities:
    ///         add: [SYS_PTRACE]
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: debug}
    /// spec:
    ///   containers:
    ///   - name: debug
    ///     image: busybox:1.36
    ///     securityContext:
    ///       capabilities:
    ///         drop: [ALL]
    /// ```
    ///
    /// ## Fix
    /// Remove the capability, or keep only the one the workload needs and document why.
    ///
    /// ## Options
    /// - `allowed-capabilities` (default `[NET_BIND_SERVICE]`): capabilities accepted without a
    ///   finding (by this rule and by `POD007`).
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline "Capabilities" and Restricted "Capabilities"
    /// - CIS Kubernetes Benchmark 5.2.8, 5.2.9
    pub static CAPABILITIES_ADDED: Rule = Rule {
        code: "POD006",
        name: "capabilities-added",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("capabilities_baseline"), cis("5.2.9"), cwe("CWE-250")],
        fix: "Remove added capabilities the workload does not need.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(v) = violation(ctx, "capabilities_baseline") else {
        return;
    };
    let allowed = ctx.options.allowed_capabilities();
    for site in &v.sites {
        let cap = capability_name(&site.value());
        if OWN_RULES.contains(&cap.as_str()) || allowed.iter().any(|a| capability_name(a) == cap) {
            continue;
        }
        out.report(
            site.path.clone(),
            format!("{} adds capability `{cap}`", site.subject(&v.pod)),
        );
    }
}

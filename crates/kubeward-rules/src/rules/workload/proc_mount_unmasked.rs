use kubeward_diagnostics::{Category, Severity};

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{mitre, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers whose `securityContext.procMount` is anything but `Default` (in
    /// practice `Unmasked`). From policy v1.35 user-namespaced pods are reported by `POD104`.
    ///
    /// Pod Security Standards control **/proc Mount Type** (Baseline; upstream check
    /// `procMount`). The default /proc masks reduce attack surface and are required. From
    /// policy v1.35 the baseline level allows any procMount for pods in a user namespace
    /// (spec.hostUsers: false); the restricted level still forbids it (see
    /// procMount_restricted).
    ///
    /// Restricted fields:
    /// - `spec.containers[*].securityContext.procMount`
    /// - `spec.initContainers[*].securityContext.procMount`
    /// - `spec.ephemeralContainers[*].securityContext.procMount`
    ///
    /// Allowed values: undefined, Default; from v1.35 any value when spec.hostUsers is false
    ///
    /// Policy versions:
    /// - v1.0: Anything but Default is forbidden.
    /// - v1.35: Relaxed for pods with spec.hostUsers: false.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
    ///
    /// ## Why is this bad?
    /// The default `/proc` mount masks kernel interfaces (`/proc/sys`, `/proc/sysrq-trigger`,
    /// `/proc/kcore`, ...). Unmasked, a container can read kernel memory and change kernel
    /// settings of the node.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: nested}
    /// spec:
    ///   containers:
    ///   - name: nested
    ///     image: registry.example.com/buildkit:0.16
    ///     securityContext:
    ///       procMount: Unmasked
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: nested}
    /// spec:
    ///   containers:
    ///   - name: nested
    ///     image: registry.example.com/buildkit:0.16
    ///     securityContext:
    ///       procMount: Default
    /// ```
    ///
    /// ## Fix
    /// Remove `procMount` or set it to `Default`.
    ///
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "/proc Mount Type"
    pub static PROC_MOUNT_UNMASKED: Rule = Rule {
        code: "POD025",
        name: "proc-mount-unmasked",
        severity: Severity::High,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("procMount"), mitre("T1611")],
        fix: "Set `procMount: Default` or remove it.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(v) = violation(ctx, "procMount") else {
        return;
    };
    for site in &v.sites {
        let who = site.subject(&v.pod);
        let value = site.value();
        let message = if value == "Unmasked" {
            format!("{who} mounts `/proc` unmasked")
        } else {
            format!("{who} sets `procMount: {value}`")
        };
        out.report(site.path.clone(), message);
    }
}

use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, each_container, seccomp_type};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, mitre, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers whose seccomp profile is `Unconfined`, set on the container, on the
    /// pod, or through the legacy `seccomp.security.alpha.kubernetes.io` annotations.
    ///
    /// ## Why is this bad?
    /// Seccomp filters the system calls a container may make. Unconfined, the whole kernel
    /// attack surface is reachable: most kernel exploits used for container escapes rely on
    /// syscalls that the runtime's default profile blocks (`unshare`, `keyctl`, `bpf`, ...).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   securityContext:
    ///     seccompProfile: {type: Unconfined}
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   securityContext:
    ///     seccompProfile: {type: RuntimeDefault}
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fix
    /// Use `seccompProfile: {type: RuntimeDefault}` (or a `Localhost` profile).
    ///
    /// ## References
    /// - Pod Security Standards, Baseline and Restricted, "Seccomp"
    /// - CIS Kubernetes Benchmark 5.7.2
    pub static SECCOMP_UNCONFINED: Rule = Rule {
        code: "POD023",
        name: "seccomp-unconfined",
        severity: Severity::High,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("seccompProfile_baseline"), cis("5.7.2"), mitre("T1611")],
        fix: "Set `seccompProfile.type: RuntimeDefault`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |pod, container| {
        if let Some((kind, path)) = seccomp_type(pod, container)
            && kind == "Unconfined"
        {
            out.report(
                path,
                format!(
                    "{} runs without seccomp (`Unconfined`)",
                    container.describe()
                ),
            );
        }
    });
}

use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, each_container, is_windows, seccomp_type};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags Linux containers with no seccomp profile at all (neither on the container nor on
    /// the pod).
    ///
    /// ## Why is this bad?
    /// Unless the kubelet runs with `--seccomp-default`, a container without a profile runs
    /// `Unconfined`: every syscall is allowed. The Restricted Pod Security Standard requires
    /// an explicit profile.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
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
    /// Set `seccompProfile: {type: RuntimeDefault}` in the pod's `securityContext`.
    ///
    /// ## Exceptions
    /// Windows pods are not checked.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "Seccomp"
    /// - CIS Kubernetes Benchmark 5.7.2
    pub static SECCOMP_PROFILE_MISSING: Rule = Rule {
        code: "POD024",
        name: "seccomp-profile-missing",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("seccompProfile_restricted"), cis("5.7.2")],
        fix: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |pod, container| {
        if !is_windows(pod) && seccomp_type(pod, container).is_none() {
            out.report(
                container.path_of("securityContext.seccompProfile"),
                format!("{} has no seccomp profile", container.describe()),
            );
        }
    });
}

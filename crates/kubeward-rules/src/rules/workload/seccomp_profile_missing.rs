use kubeward_diagnostics::{Category, Severity};

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, pss};
use crate::rules::pss::verdict::violation_beyond;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags Linux containers with no seccomp profile at all (neither on the container nor on
    /// the pod).
    ///
    /// Pod Security Standards control **Seccomp (restricted)** (Restricted; upstream check
    /// `seccompProfile_restricted`). A seccomp profile must be explicitly set to RuntimeDefault
    /// or Localhost, at the pod level or in every container (a container may leave it unset
    /// when the pod level sets an allowed profile). From v1.25 pods with spec.os.name: windows
    /// are exempt. Replaces seccompProfile_baseline at the restricted level.
    ///
    /// Restricted fields:
    /// - `spec.securityContext.seccompProfile.type`
    /// - `spec.containers[*].securityContext.seccompProfile.type`
    /// - `spec.initContainers[*].securityContext.seccompProfile.type`
    /// - `spec.ephemeralContainers[*].securityContext.seccompProfile.type`
    ///
    /// Allowed values: RuntimeDefault, Localhost; undefined at container level when the pod
    /// level is set
    ///
    /// Policy versions:
    /// - v1.19: Introduced.
    /// - v1.25: Pods with spec.os.name: windows are exempt.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
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
    /// Windows pods (`spec.os.name: windows`) are not checked from policy v1.25. A profile
    /// set to a forbidden type is reported by `POD023`.
    ///
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
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
    let Some(v) = violation_beyond(
        ctx,
        "seccompProfile_restricted",
        Some("seccompProfile_baseline"),
    ) else {
        return;
    };
    for site in &v.sites {
        out.report(
            site.path.clone(),
            format!("{} has no seccomp profile", site.subject(&v.pod)),
        );
    }
}

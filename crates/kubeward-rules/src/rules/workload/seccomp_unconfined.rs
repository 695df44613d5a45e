use kubeward_diagnostics::{Category, Severity};

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, mitre, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags pods and containers whose seccomp profile is `Unconfined` (or any type other than
    /// `RuntimeDefault` and `Localhost`); before policy v1.19, the legacy
    /// `seccomp.security.alpha.kubernetes.io` annotations instead.
    ///
    /// Pod Security Standards control **Seccomp** (Baseline; upstream check
    /// `seccompProfile_baseline`). Seccomp must not be explicitly set to Unconfined. Before
    /// policy v1.19 the alpha annotations are checked; from v1.19 the
    /// securityContext.seccompProfile fields.
    ///
    /// Restricted fields:
    /// - `v1.0-v1.18: metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]`
    /// - `v1.0-v1.18: metadata.annotations["container.seccomp.security.alpha.kubernetes.io/*"]`
    /// - `v1.19+: spec.securityContext.seccompProfile.type`
    /// - `v1.19+: spec.containers[*].securityContext.seccompProfile.type (and init/ephemeral)`
    ///
    /// Allowed values: annotations: undefined, runtime/default, docker/default, localhost/*;
    /// fields: undefined, RuntimeDefault, Localhost
    ///
    /// Policy versions:
    /// - v1.0: Checks the seccomp alpha annotations.
    /// - v1.19: Checks the seccompProfile fields instead.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
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
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
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
    let Some(v) = violation(ctx, "seccompProfile_baseline") else {
        return;
    };
    for site in &v.sites {
        let who = site.subject(&v.pod);
        let value = site.value();
        let message = if site.engine_path.starts_with("metadata.") {
            format!("{who} disables seccomp (`{value}`)")
        } else if value == "Unconfined" {
            format!("{who} runs without seccomp (`Unconfined`)")
        } else {
            format!("{who} sets seccomp profile type `{value}`")
        };
        out.report(site.path.clone(), message);
    }
}

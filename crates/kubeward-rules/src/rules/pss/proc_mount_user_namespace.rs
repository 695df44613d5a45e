use kubeward_diagnostics::{Category, Severity};

use super::verdict::violation_beyond;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{mitre, pss};
use crate::rules::workload::util::KINDS;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers of user-namespaced pods (`hostUsers: false`) that set a non-default
    /// `procMount`, which the baseline level allows from policy v1.35 but the restricted level
    /// does not. Other pods are reported by `POD025 proc-mount-unmasked`.
    ///
    /// Pod Security Standards control **/proc Mount Type (restricted)** (Restricted; upstream
    /// check `procMount_restricted`). The restricted level keeps forbidding non-default /proc
    /// mounts even for pods in a user namespace. Replaces procMount at the restricted level
    /// from v1.35.
    ///
    /// Restricted fields:
    /// - `spec.containers[*].securityContext.procMount`
    /// - `spec.initContainers[*].securityContext.procMount`
    /// - `spec.ephemeralContainers[*].securityContext.procMount`
    ///
    /// Allowed values: undefined, Default
    ///
    /// Policy versions:
    /// - v1.35: Introduced when the baseline procMount check was relaxed for user namespaces.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
    ///
    /// ## Why is this bad?
    /// An unmasked `/proc` exposes kernel interfaces (`/proc/sys`, `/proc/sysrq-trigger`,
    /// `/proc/kcore`) that the default masks hide. A user namespace limits what root in the
    /// container can do with them, but the restricted profile keeps defence in depth: a kernel
    /// bug in user-namespace handling would otherwise meet an unmasked `/proc`.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: builder}
    /// spec:
    ///   hostUsers: false
    ///   containers:
    ///   - name: buildkit
    ///     image: registry.example.com/buildkit:0.20
    ///     securityContext:
    ///       procMount: Unmasked
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: builder}
    /// spec:
    ///   hostUsers: false
    ///   containers:
    ///   - name: buildkit
    ///     image: registry.example.com/buildkit:0.20
    /// ```
    ///
    /// ## Fix
    /// Remove `procMount` (or set it to `Default`).
    ///
    /// ## Exceptions
    /// Rootless image builders and nested container runtimes in user namespaces need an
    /// unmasked `/proc`; run them in a namespace enforcing `baseline` and suppress with
    /// `kubeward.io/ignore: "POD104: <why>"`.
    ///
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "/proc Mount Type" (user namespaces, v1.35)
    /// - KEP-127 "Support User Namespaces"
    pub static PROC_MOUNT_USER_NAMESPACE: Rule = Rule {
        code: "POD104",
        name: "proc-mount-unmasked-user-namespace",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("procMount_restricted"), mitre("T1611")],
        fix: "Remove `procMount` or set it to `Default`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(v) = violation_beyond(ctx, "procMount_restricted", Some("procMount")) else {
        return;
    };
    for site in &v.sites {
        out.report(
            site.path.clone(),
            format!(
                "{} sets `procMount: {}` in a user-namespaced pod",
                site.subject(&v.pod),
                site.value()
            ),
        );
    }
}

use kubeward_diagnostics::{Category, Severity};

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{mitre, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags pods and containers whose AppArmor profile is `Unconfined` (or another forbidden
    /// type), through the `appArmorProfile` field (container or pod) or the legacy
    /// `container.apparmor.security.beta.kubernetes.io/<container>` annotation.
    ///
    /// Pod Security Standards control **AppArmor** (Baseline; upstream check
    /// `appArmorProfile`). On supported hosts, the RuntimeDefault AppArmor profile is applied
    /// by default. The baseline policy prevents overriding or disabling the default profile, or
    /// restricts overrides to an allowed set of profiles. Both the
    /// securityContext.appArmorProfile fields (pod and every container) and the deprecated
    /// per-container beta annotations are checked.
    ///
    /// Restricted fields:
    /// - `spec.securityContext.appArmorProfile.type`
    /// - `spec.containers[*].securityContext.appArmorProfile.type`
    /// - `spec.initContainers[*].securityContext.appArmorProfile.type`
    /// - `spec.ephemeralContainers[*].securityContext.appArmorProfile.type`
    /// - `metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"]`
    ///
    /// Allowed values: fields: undefined, RuntimeDefault, Localhost; annotations: undefined,
    /// empty, runtime/default, localhost/*
    ///
    /// Policy versions:
    /// - v1.0: Single revision; the field checks were added to it in Kubernetes 1.30, so they
    ///   apply at every policy version.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
    ///
    /// ## Why is this bad?
    /// AppArmor's runtime default profile blocks writes to `/proc` and `/sys` and mounts;
    /// turning it off removes a layer that stops several container escapes.
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
    ///     securityContext:
    ///       appArmorProfile: {type: Unconfined}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     securityContext:
    ///       appArmorProfile: {type: RuntimeDefault}
    /// ```
    ///
    /// ## Fix
    /// Use `RuntimeDefault` or a `Localhost` profile.
    ///
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "AppArmor"
    pub static APPARMOR_UNCONFINED: Rule = Rule {
        code: "POD027",
        name: "apparmor-unconfined",
        severity: Severity::High,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("appArmorProfile"), mitre("T1611")],
        fix: "Set `appArmorProfile.type: RuntimeDefault`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(v) = violation(ctx, "appArmorProfile") else {
        return;
    };
    for site in &v.sites {
        let who = site.subject(&v.pod);
        let value = site.value();
        let message = if site.engine_path.starts_with("metadata.") {
            format!("{who} sets AppArmor profile `{value}`")
        } else if value == "Unconfined" {
            format!("{who} runs without AppArmor (`Unconfined`)")
        } else {
            format!("{who} sets AppArmor profile type `{value}`")
        };
        out.report(site.path.clone(), message);
    }
}

use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, capability_name};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, pss};
use crate::rules::pss::verdict::violation_beyond;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers whose `securityContext.capabilities.drop` does not include `ALL`
    /// (exactly, in upper case), and default capabilities added back other than
    /// `NET_BIND_SERVICE` (capabilities beyond the default set are reported by `POD006`,
    /// `POD008` and `POD009`).
    ///
    /// Pod Security Standards control **Capabilities (restricted)** (Restricted; upstream check
    /// `capabilities_restricted`). Containers must drop ALL capabilities and may only add back
    /// NET_BIND_SERVICE. From v1.25 pods with spec.os.name: windows are exempt. Replaces
    /// capabilities_baseline at the restricted level.
    ///
    /// Restricted fields:
    /// - `spec.containers[*].securityContext.capabilities.drop`
    /// - `spec.containers[*].securityContext.capabilities.add`
    /// - `(the same fields of initContainers and ephemeralContainers)`
    ///
    /// Allowed values: drop must include ALL; add: undefined, empty, NET_BIND_SERVICE
    ///
    /// Policy versions:
    /// - v1.22: Introduced.
    /// - v1.25: Pods with spec.os.name: windows are exempt.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
    ///
    /// ## Why is this bad?
    /// Container runtimes grant a default set of capabilities (`CHOWN`, `DAC_OVERRIDE`,
    /// `FOWNER`, `SETUID`, `SETGID`, `NET_RAW`, ...). Most applications need none of them;
    /// each one widens what an attacker can do after compromising the process.
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
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     securityContext:
    ///       capabilities:
    ///         drop: [ALL]
    /// ```
    ///
    /// ## Fix
    /// Add `capabilities: {drop: [ALL]}` and add back only what is needed.
    ///
    /// ## Exceptions
    /// Windows pods (`spec.os.name: windows`) are not checked from policy v1.25.
    ///
    /// ## Options
    /// - `allowed-capabilities`: capabilities accepted without a finding when added back.

    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "Capabilities"
    /// - CIS Kubernetes Benchmark 5.2.9
    pub static CAPABILITIES_NOT_DROPPED: Rule = Rule {
        code: "POD007",
        name: "capabilities-not-dropped",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("capabilities_restricted"), cis("5.2.9")],
        fix: "Set `securityContext.capabilities.drop: [ALL]`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(v) = violation_beyond(
        ctx,
        "capabilities_restricted",
        Some("capabilities_baseline"),
    ) else {
        return;
    };
    let allowed = ctx.options.allowed_capabilities();
    for site in &v.sites {
        let who = site.subject(&v.pod);
        if site.engine_path.ends_with("capabilities.drop") {
            out.report(
                site.path.clone(),
                format!("{who} does not drop `ALL` capabilities"),
            );
            continue;
        }
        let cap = capability_name(&site.value());
        if allowed.iter().any(|a| capability_name(a) == cap) {
            continue;
        }
        out.report(
            site.path.clone(),
            format!(
                "{who} adds capability `{cap}`; the restricted profile allows only `NET_BIND_SERVICE`"
            ),
        )
        .fix(format!("Remove `{cap}` from `capabilities.add`."));
    }
}

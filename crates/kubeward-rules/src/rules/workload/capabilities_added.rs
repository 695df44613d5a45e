use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, added_capabilities, each_container};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, pss};
use crate::{Check, declare_rule};

/// Capabilities with a rule of their own.
const OWN_RULES: &[&str] = &["SYS_ADMIN", "NET_RAW", "ALL"];

declare_rule! {
    /// ## What it does
    /// Flags Linux capabilities added to a container beyond an allowed set (by default only
    /// `NET_BIND_SERVICE`). `SYS_ADMIN` and `NET_RAW` have their own rules.
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
    /// `options.allowed-capabilities` in `.kubeward.yaml` (default `[NET_BIND_SERVICE]`).
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
    let allowed = ctx.options.allowed_capabilities();
    each_container(ctx, |_, container| {
        for (cap, path) in added_capabilities(container) {
            if OWN_RULES.contains(&cap.as_str())
                || allowed.iter().any(|a| a.eq_ignore_ascii_case(&cap))
            {
                continue;
            }
            out.report(
                path,
                format!("{} adds capability `{cap}`", container.describe()),
            );
        }
    });
}

use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, capability_name, each_container, is_windows};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, pss};
use crate::{Check, declare_rule};
use kubeward_yaml::Node;

declare_rule! {
    /// ## What it does
    /// Flags Linux containers whose `securityContext.capabilities.drop` does not include `ALL`.
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
    /// Windows pods are not checked.
    ///
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
    each_container(ctx, |pod, container| {
        if is_windows(pod) {
            return;
        }
        let drop = container
            .security_context()
            .and_then(|sc| sc.get("capabilities"))
            .and_then(|c| c.get("drop"));
        let drops_all = drop
            .into_iter()
            .flat_map(Node::items)
            .filter_map(Node::as_str)
            .any(|c| capability_name(c) == "ALL");
        if !drops_all {
            let path = if drop.is_some() {
                container.path_of("securityContext.capabilities.drop")
            } else {
                container.path_of("securityContext.capabilities")
            };
            out.report(
                path,
                format!("{} does not drop `ALL` capabilities", container.describe()),
            );
        }
    });
}

use kubeward_diagnostics::{Category, Severity};
use kubeward_yaml::Node;

use super::util::{KINDS, each_container};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{mitre, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers with `securityContext.procMount: Unmasked`.
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
    ///   hostUsers: false
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
    each_container(ctx, |_, container| {
        let value = container
            .security_context()
            .and_then(|sc| sc.get("procMount"))
            .and_then(Node::as_str);
        if value == Some("Unmasked") {
            out.report(
                container.path_of("securityContext.procMount"),
                format!("{} mounts `/proc` unmasked", container.describe()),
            );
        }
    });
}

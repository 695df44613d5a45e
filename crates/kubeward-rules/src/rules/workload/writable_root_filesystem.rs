use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, container_bool, each_container};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers that do not set `securityContext.readOnlyRootFilesystem: true`.
    ///
    /// ## Why is this bad?
    /// A writable root filesystem lets an attacker drop tools, modify binaries and persist in
    /// the container. An immutable root filesystem limits them to explicitly mounted volumes.
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
    ///       readOnlyRootFilesystem: true
    ///     volumeMounts:
    ///     - {name: tmp, mountPath: /tmp}
    ///   volumes:
    ///   - {name: tmp, emptyDir: {}}
    /// ```
    ///
    /// ## Fix
    /// Set `readOnlyRootFilesystem: true`; mount an `emptyDir` where the application writes.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance, "Immutable container file systems"
    pub static WRITABLE_ROOT_FILESYSTEM: Rule = Rule {
        code: "POD005",
        name: "writable-root-filesystem",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[nsa("immutable-filesystems"), mitre("T1059"), cwe("CWE-732")],
        fix: "Set `securityContext.readOnlyRootFilesystem: true` and mount writable paths as volumes.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |_, container| {
        let (value, path) = container_bool(container, "readOnlyRootFilesystem");
        if value != Some(true) {
            out.report(
                path,
                format!("{} has a writable root filesystem", container.describe()),
            );
        }
    });
}

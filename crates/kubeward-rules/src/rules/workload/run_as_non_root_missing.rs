use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, each_container, effective, is_windows};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags Linux containers that may run as root because neither the container nor the pod
    /// sets `runAsNonRoot: true` and no non-zero `runAsUser` is set.
    ///
    /// ## Why is this bad?
    /// Without it, the image decides the user, and most images default to root. The kubelet
    /// enforces `runAsNonRoot: true` at start-up, so a root image fails fast instead of running
    /// with root privileges.
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
    ///     runAsNonRoot: true
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fix
    /// Set `runAsNonRoot: true` in the pod's `securityContext`.
    ///
    /// ## Exceptions
    /// Windows pods are not checked.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "Running as Non-root"
    /// - CIS Kubernetes Benchmark 5.2.7
    pub static RUN_AS_NON_ROOT_MISSING: Rule = Rule {
        code: "POD004",
        name: "run-as-non-root-missing",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("runAsNonRoot"), cis("5.2.7"), cwe("CWE-250")],
        fix: "Set `securityContext.runAsNonRoot: true` on the pod or container.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |pod, container| {
        if is_windows(pod) {
            return;
        }
        let non_root = effective(pod, container, "runAsNonRoot");
        if non_root.as_ref().and_then(|e| e.node.as_bool()) == Some(true) {
            return;
        }
        let uid = effective(pod, container, "runAsUser").and_then(|e| e.node.as_i64());
        if uid.is_some_and(|u| u > 0) {
            return;
        }
        if uid == Some(0) {
            // POD003 already reports an explicit root user.
            return;
        }
        let (path, message) = match non_root {
            Some(e) => (
                e.path,
                format!("{} sets `runAsNonRoot: false`", container.describe()),
            ),
            None => (
                container.path_of("securityContext.runAsNonRoot"),
                format!(
                    "{} may run as root: `runAsNonRoot` is not set on the container or pod",
                    container.describe()
                ),
            ),
        };
        out.report(path, message);
    });
}

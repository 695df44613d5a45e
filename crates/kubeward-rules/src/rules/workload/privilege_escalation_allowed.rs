use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, container_bool, each_container, is_windows};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, mitre, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags Linux containers that do not set `securityContext.allowPrivilegeEscalation: false`.
    ///
    /// ## Why is this bad?
    /// Unless it is `false`, a process can gain more privileges than its parent through setuid
    /// binaries or file capabilities (`no_new_privs` is not set), turning a foothold in the
    /// container into root inside it.
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
    ///       allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Fix
    /// Set `securityContext.allowPrivilegeEscalation: false` on every container.
    ///
    /// ## Exceptions
    /// Windows pods (`spec.os.name: windows`) are not checked: the field does not apply.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "Privilege Escalation"
    /// - CIS Kubernetes Benchmark 5.2.6
    pub static PRIVILEGE_ESCALATION_ALLOWED: Rule = Rule {
        code: "POD002",
        name: "privilege-escalation-allowed",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("allowPrivilegeEscalation"), cis("5.2.6"), mitre("T1548"), cwe("CWE-269")],
        fix: "Set `securityContext.allowPrivilegeEscalation: false`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |pod, container| {
        if is_windows(pod) {
            return;
        }
        match container_bool(container, "allowPrivilegeEscalation") {
            (Some(false), _) => {}
            (Some(true), path) => {
                out.report(
                    path,
                    format!(
                        "{} sets `allowPrivilegeEscalation: true`",
                        container.describe()
                    ),
                );
            }
            (None, path) => {
                out.report(
                    path,
                    format!(
                        "{} does not set `allowPrivilegeEscalation: false`",
                        container.describe()
                    ),
                );
            }
        }
    });
}

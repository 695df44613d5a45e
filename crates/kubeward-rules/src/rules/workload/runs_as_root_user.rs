use kubeward_diagnostics::{Category, Severity};

use super::util::{KINDS, each_container, effective};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers whose effective `runAsUser` is `0` (root), set on the container or
    /// inherited from the pod's `securityContext`.
    ///
    /// ## Why is this bad?
    /// Root in a container is root on the node's kernel with only namespaces and capabilities
    /// in between; any container escape or writable host mount becomes full node compromise.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   securityContext:
    ///     runAsUser: 0
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
    ///     runAsUser: 10001
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fix
    /// Run as a non-zero UID (`runAsUser: 10001`) and build the image to work as that user.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "Running as Non-root user"
    /// - CIS Kubernetes Benchmark 5.2.7
    pub static RUNS_AS_ROOT_USER: Rule = Rule {
        code: "POD003",
        name: "runs-as-root-user",
        severity: Severity::High,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("runAsUser"), cis("5.2.7"), cwe("CWE-250")],
        fix: "Set `runAsUser` to a non-zero UID.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |pod, container| {
        if let Some(uid) = effective(pod, container, "runAsUser")
            && uid.node.as_i64() == Some(0)
        {
            let origin = if uid.from_pod {
                " (inherited from the pod)"
            } else {
                ""
            };
            out.report(
                uid.path,
                format!(
                    "{} runs as root: `runAsUser: 0`{origin}",
                    container.describe()
                ),
            );
        }
    });
}

use kubeward_diagnostics::{Category, Severity};

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags pods and containers that set `runAsUser: 0` (root). Like Pod Security Admission,
    /// a pod-level `runAsUser: 0` is reported even when every container overrides it.
    ///
    /// Pod Security Standards control **Running as Non-root user** (Restricted; upstream check
    /// `runAsUser`). Containers must not set runAsUser to 0 (root). From v1.35 pods in a user
    /// namespace (spec.hostUsers: false) are exempt.
    ///
    /// Restricted fields:
    /// - `spec.securityContext.runAsUser`
    /// - `spec.containers[*].securityContext.runAsUser`
    /// - `spec.initContainers[*].securityContext.runAsUser`
    /// - `spec.ephemeralContainers[*].securityContext.runAsUser`
    ///
    /// Allowed values: undefined, any non-zero value
    ///
    /// Policy versions:
    /// - v1.23: Introduced.
    /// - v1.35: Pods with spec.hostUsers: false are exempt.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
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
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
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
    let Some(v) = violation(ctx, "runAsUser") else {
        return;
    };
    for site in &v.sites {
        out.report(
            site.path.clone(),
            format!("{} runs as root: `runAsUser: 0`", site.subject(&v.pod)),
        );
    }
}

use kubeward_diagnostics::{Category, Severity};
use kubeward_yaml::Node;

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers that may run as root because neither the container nor the pod sets
    /// `runAsNonRoot: true`, and pods or containers that set it to `false`. As in Pod Security
    /// Admission, a non-zero `runAsUser` does not count: only `runAsNonRoot: true` does.
    ///
    /// Pod Security Standards control **Running as Non-root** (Restricted; upstream check
    /// `runAsNonRoot`). Containers must be required to run as non-root users: runAsNonRoot must
    /// be true at the pod level or in every container, and must not be false anywhere. From
    /// v1.35 pods in a user namespace (spec.hostUsers: false) are exempt.
    ///
    /// Restricted fields:
    /// - `spec.securityContext.runAsNonRoot`
    /// - `spec.containers[*].securityContext.runAsNonRoot`
    /// - `spec.initContainers[*].securityContext.runAsNonRoot`
    /// - `spec.ephemeralContainers[*].securityContext.runAsNonRoot`
    ///
    /// Allowed values: true; undefined at container level when the pod level is true
    ///
    /// Policy versions:
    /// - v1.0: Initial revision.
    /// - v1.35: Pods with spec.hostUsers: false are exempt.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
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
    /// Pods in a user namespace (`spec.hostUsers: false`) are exempt from policy v1.35.
    ///
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
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
    let Some(v) = violation(ctx, "runAsNonRoot") else {
        return;
    };
    for site in &v.sites {
        let who = site.subject(&v.pod);
        let message = if site.node.and_then(Node::as_bool) == Some(false) {
            format!("{who} sets `runAsNonRoot: false`")
        } else {
            format!(
                "{who} may run as root: `runAsNonRoot: true` is set on neither the container nor the pod"
            )
        };
        out.report(site.path.clone(), message);
    }
}

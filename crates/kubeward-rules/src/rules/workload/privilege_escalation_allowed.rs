use kubeward_diagnostics::{Category, Severity};
use kubeward_yaml::Node;

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, mitre, pss};
use crate::rules::pss::verdict::violation;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags Linux containers that do not set `securityContext.allowPrivilegeEscalation: false`.
    ///
    /// Pod Security Standards control **Privilege Escalation** (Restricted; upstream check
    /// `allowPrivilegeEscalation`). Privilege escalation (such as via set-user-ID or
    /// set-group-ID file mode) must not be allowed: every container must set
    /// allowPrivilegeEscalation to false. From v1.25 pods with spec.os.name: windows are
    /// exempt.
    ///
    /// Restricted fields:
    /// - `spec.containers[*].securityContext.allowPrivilegeEscalation`
    /// - `spec.initContainers[*].securityContext.allowPrivilegeEscalation`
    /// - `spec.ephemeralContainers[*].securityContext.allowPrivilegeEscalation`
    ///
    /// Allowed values: false
    ///
    /// Policy versions:
    /// - v1.8: Introduced with the field (Kubernetes 1.8).
    /// - v1.25: Pods with spec.os.name: windows are exempt.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
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
    /// Windows pods (`spec.os.name: windows`) are not checked from policy v1.25: the field does
    /// not apply.
    ///
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
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
    let Some(v) = violation(ctx, "allowPrivilegeEscalation") else {
        return;
    };
    for site in &v.sites {
        let who = site.subject(&v.pod);
        let message = if site.node.and_then(Node::as_bool) == Some(true) {
            format!("{who} sets `allowPrivilegeEscalation: true`")
        } else {
            format!("{who} does not set `allowPrivilegeEscalation: false`")
        };
        out.report(site.path.clone(), message);
    }
}

use kubeward_diagnostics::{Category, Severity};

use super::verdict::violation;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, mitre, nsa, pss};
use crate::rules::workload::util::KINDS;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags pods and containers that set a forbidden SELinux type, or any SELinux user or role.
    ///
    /// Pod Security Standards control **SELinux** (Baseline; upstream check `seLinuxOptions`).
    /// Setting the SELinux type is restricted, and setting a custom SELinux user or role is
    /// forbidden.
    ///
    /// Restricted fields:
    /// - `spec.securityContext.seLinuxOptions.type`
    /// - `spec.securityContext.seLinuxOptions.user`
    /// - `spec.securityContext.seLinuxOptions.role`
    /// - `spec.containers[*].securityContext.seLinuxOptions.{type,user,role}`
    /// - `spec.initContainers[*].securityContext.seLinuxOptions.{type,user,role}`
    /// - `spec.ephemeralContainers[*].securityContext.seLinuxOptions.{type,user,role}`
    ///
    /// Allowed values: type: undefined, "", container_t, container_init_t, container_kvm_t (and
    /// container_engine_t from v1.31); user and role: undefined, ""
    ///
    /// Policy versions:
    /// - v1.0: Types "", container_t, container_init_t, container_kvm_t.
    /// - v1.31: Adds container_engine_t.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
    ///
    /// ## Why is this bad?
    /// SELinux confines a container to the `container_t` domain. A workload that picks its own
    /// type (`spc_t`, `unconfined_t`) or user and role runs unconfined: a compromised process
    /// can read and write host files and processes that SELinux would otherwise keep from it,
    /// a common step in a container escape.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: agent}
    /// spec:
    ///   securityContext:
    ///     seLinuxOptions: {type: spc_t}
    ///   containers:
    ///   - name: agent
    ///     image: registry.example.com/agent:1.0
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: agent}
    /// spec:
    ///   securityContext:
    ///     seLinuxOptions: {level: "s0:c123,c456"}
    ///   containers:
    ///   - name: agent
    ///     image: registry.example.com/agent:1.0
    /// ```
    ///
    /// ## Fix
    /// Remove `seLinuxOptions.type`, `user` and `role`, or use one of the container types
    /// (`container_t`, `container_init_t`, `container_kvm_t`, `container_engine_t` from v1.31).
    /// Setting the MCS `level` is allowed.
    ///
    /// ## Exceptions
    /// Node agents that must manage the host (some CSI and monitoring daemons) need a custom
    /// type. Suppress on the object with `kubeward.io/ignore: "POD100: <why>"` and run them in
    /// a namespace labelled `pod-security.kubernetes.io/enforce: privileged`.
    ///
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "SELinux"
    /// - CIS Kubernetes Benchmark 5.7.2 (apply security context to pods and containers)
    /// - NSA/CISA Kubernetes Hardening Guidance, "Pod security"
    pub static SELINUX_OPTIONS: Rule = Rule {
        code: "POD100",
        name: "selinux-options-forbidden",
        severity: Severity::High,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("seLinuxOptions"), cis("5.7.2"), nsa("pod-security"), mitre("T1611")],
        fix: "Remove the custom SELinux type, user and role.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(v) = violation(ctx, "seLinuxOptions") else {
        return;
    };
    for site in &v.sites {
        let who = site.subject(&v.pod);
        let message = if site.engine_path.ends_with(".type") {
            format!("{who} sets forbidden SELinux type `{}`", site.value())
        } else if site.engine_path.ends_with(".user") {
            format!("{who} sets SELinux user `{}`", site.value())
        } else {
            format!("{who} sets SELinux role `{}`", site.value())
        };
        out.report(site.path.clone(), message);
    }
}

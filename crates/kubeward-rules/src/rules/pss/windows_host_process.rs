use kubeward_diagnostics::{Category, Severity};

use super::verdict::violation;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre, pss};
use crate::rules::workload::util::KINDS;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags Windows pods and containers that run as HostProcess containers.
    ///
    /// Pod Security Standards control **HostProcess** (Baseline; upstream check
    /// `windowsHostProcess`). Windows HostProcess containers have privileged access to the
    /// Windows node and must be disallowed.
    ///
    /// Restricted fields:
    /// - `spec.securityContext.windowsOptions.hostProcess`
    /// - `spec.containers[*].securityContext.windowsOptions.hostProcess`
    /// - `spec.initContainers[*].securityContext.windowsOptions.hostProcess`
    /// - `spec.ephemeralContainers[*].securityContext.windowsOptions.hostProcess`
    ///
    /// Allowed values: undefined, false
    ///
    /// Policy versions:
    /// - v1.0: Initial revision.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
    ///
    /// ## Why is this bad?
    /// A HostProcess container runs directly on the Windows node, in the host's network
    /// namespace, with the privileges of a node user such as `NT AUTHORITY\SYSTEM`: code in it
    /// owns the node and every pod scheduled there.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: agent}
    /// spec:
    ///   os: {name: windows}
    ///   hostNetwork: true
    ///   securityContext:
    ///     windowsOptions: {hostProcess: true, runAsUserName: "NT AUTHORITY\\SYSTEM"}
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
    ///   os: {name: windows}
    ///   containers:
    ///   - name: agent
    ///     image: registry.example.com/agent:1.0
    /// ```
    ///
    /// ## Fix
    /// Remove `windowsOptions.hostProcess: true` and run the workload as a normal Windows
    /// container.
    ///
    /// ## Exceptions
    /// Node management DaemonSets (CNI, CSI node plugins, log shippers) on Windows nodes may
    /// need HostProcess. Suppress with `kubeward.io/ignore: "POD101: <why>"` and run them in a
    /// namespace labelled `pod-security.kubernetes.io/enforce: privileged`.
    ///
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "HostProcess"
    /// - Kubernetes documentation, "Create a Windows HostProcess Pod"
    pub static WINDOWS_HOST_PROCESS: Rule = Rule {
        code: "POD101",
        name: "windows-host-process",
        severity: Severity::Critical,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("windowsHostProcess"), mitre("T1611"), cwe("CWE-250")],
        fix: "Remove `windowsOptions.hostProcess: true`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(v) = violation(ctx, "windowsHostProcess") else {
        return;
    };
    for site in &v.sites {
        out.report(
            site.path.clone(),
            format!(
                "{} runs as a Windows HostProcess container (`hostProcess: true`)",
                site.subject(&v.pod)
            ),
        );
    }
}

use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cis, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `EXPOSE` of port 22 (also `22/tcp` and ranges containing 22).
    ///
    /// ## Why is this bad?
    /// An SSH daemon in a container is an extra, long-lived remote entry point with its own
    /// credentials and keys to manage, and it bypasses the orchestrator's access control and audit
    /// (`kubectl exec` is authorised and logged; SSH is not).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// EXPOSE 22
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// EXPOSE 8080
    /// ```
    ///
    /// ## Fix
    /// Remove the SSH server; use `kubectl exec` / `docker exec` or an ephemeral debug container.
    ///
    /// ## Exceptions
    /// Images whose purpose is an SSH service (bastion, git server).
    ///
    /// To accept one finding, put a comment on the line directly above the `EXPOSE`, naming the
    /// rule and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG112: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG112` or `ignore: [IMG112]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.6 (Ensure sshd is not run within containers)
    /// - NIST SP 800-190 4.4.2 (Unbounded network access from containers)
    /// - MITRE ATT&CK T1021.004 (Remote Services: SSH)
    pub static EXPOSE_SSH: Rule = Rule {
        code: "IMG112",
        name: "expose-ssh",
        severity: Severity::Medium,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 5.6"), mitre("T1021.004")],
        fix: "Remove `EXPOSE 22` and the SSH server; use `kubectl exec` or an ephemeral debug container.",
        since: "0.1.0",
        check: Check::External,
    };
}

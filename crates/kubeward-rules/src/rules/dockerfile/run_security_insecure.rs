use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cwe, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `RUN --security=insecure`, the BuildKit entitlement that runs a build step without
    /// the default sandbox (all capabilities, no seccomp/AppArmor), like `docker run --privileged`.
    ///
    /// ## Why is this bad?
    /// The step can mount host devices, load kernel modules and escape to the build host, which
    /// often holds registry credentials and other builds' caches. A compromised dependency fetched
    /// in that step takes over the builder.
    ///
    /// ## Example
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1-labs
    /// FROM debian:12-slim
    /// RUN --security=insecure mount -t tmpfs none /mnt
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1
    /// FROM debian:12-slim
    /// RUN --mount=type=tmpfs,target=/mnt ls /mnt
    /// ```
    ///
    /// ## Fix
    /// Use a dedicated mount type (`--mount=type=tmpfs|cache|bind|secret`) or restructure the build so
    /// the step does not need privileges.
    ///
    /// ## Exceptions
    /// Image builds that genuinely need privileges (e.g. building disk images), run on an isolated
    /// builder with `--allow security.insecure`.
    ///
    /// To accept one finding, put a comment on the line directly above the `RUN`, naming the rule
    /// and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG116: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG116` or `ignore: [IMG116]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - NIST SP 800-190 4.4.3 (Insecure container runtime configurations)
    /// - CWE-250
    /// - MITRE ATT&CK T1611 (Escape to Host)
    pub static RUN_SECURITY_INSECURE: Rule = Rule {
        code: "IMG116",
        name: "run-security-insecure",
        severity: Severity::High,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cwe("CWE-250"), mitre("T1611")],
        fix: "Remove `--security=insecure`; use a dedicated `--mount` type or restructure the step.",
        since: "0.1.0",
        check: Check::External,
    };
}

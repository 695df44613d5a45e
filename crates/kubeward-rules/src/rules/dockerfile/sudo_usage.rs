use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cis, cwe, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `RUN` steps that call `sudo` (or `doas`).
    ///
    /// ## Why is this bad?
    /// Build steps already run as the current `USER`; `sudo` in a Dockerfile usually means `sudo`
    /// is installed and configured in the image, which gives any process running as that user an
    /// easy path to root. It also has unpredictable TTY and signal behaviour.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// USER app
    /// RUN sudo apt-get update
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// RUN apt-get update && rm -rf /var/lib/apt/lists/*
    /// USER app
    /// ```
    ///
    /// ## Fix
    /// Run the privileged steps before switching `USER`, then switch to the unprivileged user.
    /// If privilege changes are needed at run time, use `gosu`/`su-exec` in the entrypoint.
    ///
    /// ## Exceptions
    /// None that justify the pattern in a release image.
    ///
    /// To accept one finding, put a comment on the line directly above the `RUN`, naming the rule
    /// and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG110: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG110` or `ignore: [IMG110]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.1
    /// - CWE-250
    /// - MITRE ATT&CK T1548.003 (Abuse Elevation Control Mechanism: Sudo and Sudo Caching)
    pub static SUDO_USAGE: Rule = Rule {
        code: "IMG110",
        name: "sudo-usage",
        severity: Severity::Medium,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.1"), cwe("CWE-250"), mitre("T1548.003")],
        fix: "Run privileged steps before `USER` switches to the unprivileged user; do not install `sudo`.",
        since: "0.1.0",
        check: Check::External,
    };
}

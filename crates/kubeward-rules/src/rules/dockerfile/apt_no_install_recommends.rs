use kubeward_diagnostics::{Category, Severity};

use crate::meta::cis;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `apt-get install` / `apt install` without `--no-install-recommends` (or
    /// `-o APT::Install-Recommends=false`) in stages that end up in the final image.
    ///
    /// ## Why is this bad?
    /// Recommended packages are not needed to run the software but enlarge the attack surface:
    /// more binaries, more CVEs to patch, sometimes daemons and compilers.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix
    /// Add `--no-install-recommends` and list the packages you really need.
    ///
    /// ## Exceptions
    /// Images that configure `APT::Install-Recommends "false";` in `/etc/apt/apt.conf.d/`.
    ///
    /// To accept one finding, put a comment on the line directly above the `RUN`, naming the rule
    /// and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG109: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG109` or `ignore: [IMG109]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3
    /// - NIST SP 800-190 4.1.1 (Image vulnerabilities)
    pub static APT_NO_INSTALL_RECOMMENDS: Rule = Rule {
        code: "IMG109",
        name: "apt-no-install-recommends",
        severity: Severity::Low,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.3")],
        fix: "Add `--no-install-recommends` to `apt-get install`.",
        since: "0.1.0",
        check: Check::External,
    };
}

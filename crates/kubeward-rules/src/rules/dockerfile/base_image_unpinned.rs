use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cis, cwe, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `FROM` images (and `COPY --from=<image>` images) that use the `latest` tag or no tag at
    /// all (which means `latest`) and no digest. Build arguments in `FROM` are substituted with the
    /// defaults of the `ARG`s declared before the first `FROM`; references to earlier stages and
    /// `scratch` are never reported; a reference that depends on an argument without default is
    /// only known at build time and is skipped.
    ///
    /// ## Why is this bad?
    /// `latest` moves: every build may silently pick up a different base image, including a
    /// compromised or vulnerable one, and a build cannot be reproduced or audited later. It also
    /// defeats review: nobody approved the image that actually ships.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node
    /// COPY . /app
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM node:22.11-bookworm-slim
    /// COPY . /app
    /// ```
    ///
    /// ## Fix
    /// Use an explicit version tag, ideally also pinned by digest
    /// (`FROM node:22.11-bookworm-slim@sha256:...`), and update it deliberately (Renovate,
    /// Dependabot).
    ///
    /// ## Exceptions
    /// Local development Dockerfiles that intentionally track `latest`.
    ///
    /// To accept one finding, put a comment on the line directly above the `FROM` (or the `COPY
    /// --from=<image>`), naming the rule and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG101: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG101` or `ignore: [IMG101]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.2 (Ensure that containers use only trusted base images)
    /// - NIST SP 800-190 4.1.5 (Use of untrusted images)
    /// - CWE-1357
    /// - MITRE ATT&CK T1195.002 (Supply Chain Compromise: Compromise Software Supply Chain)
    pub static BASE_IMAGE_UNPINNED: Rule = Rule {
        code: "IMG101",
        name: "base-image-unpinned",
        severity: Severity::Medium,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.2"), cwe("CWE-1357"), mitre("T1195.002")],
        fix: "Pin the base image to a version tag, ideally with its `@sha256:` digest.",
        since: "0.1.0",
        check: Check::External,
    };
}

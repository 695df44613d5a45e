use kubeward_diagnostics::{Category, Severity};

use crate::meta::cis;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `RUN` steps in stages that end up in the final image that install packages and leave
    /// the package manager's cache in the same layer: `apt-get install` without removing
    /// `/var/lib/apt/lists/*`, `apk add` without `--no-cache`, `dnf`/`yum`/`microdnf` install without
    /// `clean all`, `zypper install` without `zypper clean`. A `RUN --mount=type=cache` on the cache
    /// directory also counts as clean. Builder stages that are not part of the final image are not
    /// reported.
    ///
    /// ## Why is this bad?
    /// Package indexes and caches inflate every image and layer, and stale indexes let later
    /// `install` steps in derived images pick up outdated package versions. Cleaning in a later
    /// `RUN` does not help: the earlier layer still contains the files.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends ca-certificates \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix
    /// Clean in the same `RUN` that installs, or use `apk add --no-cache`, or a BuildKit cache
    /// mount (`RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt ...`).
    ///
    /// ## Exceptions
    /// None that justify the pattern in a release image.
    ///
    /// To accept one finding, put a comment on the line directly above the `RUN`, naming the rule
    /// and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG108: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG108` or `ignore: [IMG108]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3 (Ensure that unnecessary packages are not installed in the container)
    pub static PACKAGE_CACHE_NOT_CLEANED: Rule = Rule {
        code: "IMG108",
        name: "package-cache-not-cleaned",
        severity: Severity::Low,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.3")],
        fix: "Clean the package cache in the same `RUN` (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `dnf clean all`) or use a cache mount.",
        since: "0.1.0",
        check: Check::External,
    };
}

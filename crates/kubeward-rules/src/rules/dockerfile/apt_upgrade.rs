use kubeward_diagnostics::{Category, Severity};

use crate::meta::cis;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `apt-get upgrade`, `dist-upgrade` or `full-upgrade` (also `apt ...`) in stages that
    /// end up in the final image. Low severity: upgrading does pull security fixes, but in the
    /// wrong place.
    ///
    /// ## Why is this bad?
    /// Upgrading inside the build makes the image content depend on the day it was built, so two
    /// builds of the same commit differ and scan results cannot be reproduced; upgrades of
    /// essential packages can also fail in unprivileged containers. Security fixes belong in the
    /// base image: rebuild on a patched base instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get -y dist-upgrade && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM debian:12.8-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix
    /// Use a recent, pinned base image and rebuild regularly; install only the specific packages
    /// you need (pinned if reproducibility matters).
    ///
    /// ## Exceptions
    /// Base images that are rarely refreshed upstream, where an in-build upgrade is the only way to
    /// get fixes.
    ///
    /// To accept one finding, put a comment on the line directly above the `RUN`, naming the rule
    /// and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG115: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG115` or `ignore: [IMG115]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.4 (Ensure images are scanned and rebuilt to include security patches)
    pub static APT_UPGRADE: Rule = Rule {
        code: "IMG115",
        name: "apt-upgrade",
        severity: Severity::Low,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.4")],
        fix: "Remove the upgrade; rebuild regularly on a recent, pinned base image.",
        since: "0.1.0",
        check: Check::External,
    };
}

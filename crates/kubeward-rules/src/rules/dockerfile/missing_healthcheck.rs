use kubeward_diagnostics::{Category, Severity};

use crate::meta::cis;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Informational: reports a final stage (including the stages it is built from) without a
    /// `HEALTHCHECK` instruction. `HEALTHCHECK NONE` counts as an explicit decision. A health check
    /// inherited from an external base image is not visible to a static check.
    ///
    /// ## Why is this bad?
    /// Without a health check, Docker and Swarm cannot tell a hung process from a healthy one, so
    /// a degraded or compromised container keeps receiving traffic. On Kubernetes the image's
    /// `HEALTHCHECK` is ignored; define liveness/readiness probes in the Pod spec instead, which is
    /// why this check is informational.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site /usr/share/nginx/html
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site /usr/share/nginx/html
    /// HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1
    /// ```
    ///
    /// ## Fix
    /// Add `HEALTHCHECK CMD <probe>` to the final stage, or `HEALTHCHECK NONE` when probes are
    /// defined by the orchestrator.
    ///
    /// ## Exceptions
    /// Images run only on Kubernetes with probes defined in manifests.
    ///
    /// To accept one finding, put a comment on the line directly above the final stage's `FROM`,
    /// naming the rule and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG114: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG114` or `ignore: [IMG114]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.6 (Ensure that HEALTHCHECK instructions have been added to container images)
    pub static MISSING_HEALTHCHECK: Rule = Rule {
        code: "IMG114",
        name: "missing-healthcheck",
        severity: Severity::Info,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.6")],
        fix: "Add `HEALTHCHECK CMD <probe>` to the final stage, or `HEALTHCHECK NONE` when the orchestrator probes.",
        since: "0.1.0",
        check: Check::External,
    };
}

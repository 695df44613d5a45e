use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cis, cwe, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a final build stage whose effective user is root: its last `USER` is `root`, `0`,
    /// `root:root` or `0:0`, or it has no `USER` at all.
    ///
    /// The effective user is resolved through the stage chain: a final stage without `USER` that is
    /// built `FROM` an earlier stage inherits that stage's last `USER`. A base image from a registry
    /// is opaque to a static check, so a final stage without `USER` built on an external image is
    /// reported as "runs as the base image's default user, which is root for most images". Two
    /// exceptions are recognised: a tag containing `nonroot` (the distroless convention, uid 65532)
    /// is treated as non-root, and a `USER` whose value comes from a build argument without a
    /// default is treated as unknown and not reported.
    ///
    /// ## Why is this bad?
    /// A process running as uid 0 inside the container is root on the host's kernel. Any
    /// remote-code-execution bug in the application then runs with full privileges inside the
    /// container, can modify its binaries, and is one kernel or runtime vulnerability (or one
    /// `hostPath` mount, one extra capability) away from the node. Kubernetes `runAsNonRoot: true`
    /// also refuses to start such images unless a numeric `runAsUser` is set.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app /app
    /// CMD ["python", "/app/main.py"]
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN useradd --uid 10001 --no-create-home app
    /// COPY app /app
    /// USER 10001:10001
    /// CMD ["python", "/app/main.py"]
    /// ```
    ///
    /// ## Fix
    /// Create an unprivileged user (or use a numeric uid that exists in the image) and add
    /// `USER <uid>` as the last `USER` of the final stage, after steps that need root. Prefer a
    /// numeric uid so Kubernetes can verify `runAsNonRoot`.
    ///
    /// ## Exceptions
    /// Images whose entrypoint drops privileges itself (e.g. via `gosu`/`su-exec`) still start as
    /// root; suppress the finding for them with a reason.
    ///
    /// To accept one finding, put a comment on the line directly above the final stage's `FROM` (or
    /// above its last `USER root`), naming the rule and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG100: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG100` or `ignore: [IMG100]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.1 (Ensure that a user for the container has been created)
    /// - NIST SP 800-190 4.1.2 (Image configuration defects)
    /// - CWE-250
    /// - MITRE ATT&CK T1611 (Escape to Host)
    pub static FINAL_STAGE_ROOT: Rule = Rule {
        code: "IMG100",
        name: "final-stage-root",
        severity: Severity::High,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.1"), cwe("CWE-250"), mitre("T1611")],
        fix: "Add `USER <non-root uid>` as the last `USER` of the final stage.",
        since: "0.1.0",
        check: Check::External,
    };
}

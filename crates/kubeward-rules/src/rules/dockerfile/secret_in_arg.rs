use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cis, cwe, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `ARG` declarations with a secret-looking name (same rules as `secret-in-env`) and a
    /// literal default value. `ARG TOKEN` without a default is fine as far as this check goes.
    ///
    /// ## Why is this bad?
    /// The default is committed with the Dockerfile, and build arguments used by a `RUN` are
    /// recorded in the image history (`docker history --no-trunc`) and in provenance attestations,
    /// so the secret ships with the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG NPM_TOKEN=npm_abcdef0123456789
    /// RUN echo "token=$NPM_TOKEN" > /root/.npmrc
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1
    /// FROM node:22.11-alpine
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    ///
    /// ## Fix
    /// Remove the default and use a BuildKit secret mount (`RUN --mount=type=secret,id=...`) with
    /// `docker build --secret id=...,src=...`: the value is available to that one step only and is
    /// never stored in a layer or the history.
    ///
    /// ## Exceptions
    /// None that justify the pattern in a release image.
    ///
    /// To accept one finding, put a comment on the line directly above the `ARG`, naming the rule
    /// and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG106: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG106` or `ignore: [IMG106]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.10 (Ensure secrets are not stored in Dockerfiles)
    /// - NIST SP 800-190 4.1.4 (Embedded clear text secrets)
    /// - CWE-798
    /// - MITRE ATT&CK T1552.001 (Unsecured Credentials: Credentials In Files)
    pub static SECRET_IN_ARG: Rule = Rule {
        code: "IMG106",
        name: "secret-in-arg",
        severity: Severity::High,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.10"), cwe("CWE-798"), mitre("T1552.001")],
        fix: "Remove the default; use `RUN --mount=type=secret` for build-time secrets.",
        since: "0.1.0",
        check: Check::External,
    };
}

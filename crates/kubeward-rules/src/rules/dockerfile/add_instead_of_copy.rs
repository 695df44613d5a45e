use kubeward_diagnostics::{Category, Severity};

use crate::meta::cis;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `ADD` whose sources are all local files that are not archives (by extension), so
    /// `ADD` behaves exactly like `COPY`. Sources with variables or trailing wildcards are not
    /// reported because they may be archives.
    ///
    /// ## Why is this bad?
    /// `ADD` has implicit behaviour: it fetches URLs and unpacks local archives. Using it for plain
    /// files hides that magic in reviews; a later change of a file name to `*.tar` silently changes
    /// what the image contains.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ADD config.yaml /etc/app/config.yaml
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY config.yaml /etc/app/config.yaml
    /// ```
    ///
    /// ## Fix
    /// Replace `ADD` with `COPY`; keep `ADD` only for local archives that should be extracted.
    ///
    /// ## Exceptions
    /// None that justify the pattern in a release image.
    ///
    /// To accept one finding, put a comment on the line directly above the `ADD`, naming the rule
    /// and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG104: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG104` or `ignore: [IMG104]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.9 (Ensure that COPY is used instead of ADD in Dockerfiles)
    pub static ADD_INSTEAD_OF_COPY: Rule = Rule {
        code: "IMG104",
        name: "add-instead-of-copy",
        severity: Severity::Low,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.9")],
        fix: "Use `COPY` instead of `ADD` for local files that are not archives.",
        since: "0.1.0",
        check: Check::External,
    };
}

use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cwe, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `chmod` in `RUN` and `COPY`/`ADD --chmod=` with a mode that grants write permission to
    /// others: octal modes whose last digit has the write bit (`777`, `666`, `0002`), and symbolic
    /// modes with `o` or `a` and `w` (`o+w`, `a+rwx`). Modes with the sticky bit (`1777`, `+t`) are
    /// shared scratch directories like `/tmp` and are not reported.
    ///
    /// ## Why is this bad?
    /// Any process in the container, whatever its uid, can modify world-writable binaries,
    /// scripts or configuration, which turns a low-privileged foothold into code execution as the
    /// user that later runs them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY app /app
    /// RUN chmod -R 777 /app
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY --chown=10001:10001 --chmod=755 app /app
    /// ```
    ///
    /// ## Fix
    /// Give ownership to the user that needs to write (`--chown`, `chown`) and use `755`/`644` or
    /// stricter. Writable runtime data belongs in a volume.
    ///
    /// ## Exceptions
    /// Shared scratch directories with the sticky bit (`chmod 1777`) are not reported at all.
    ///
    /// To accept one finding, put a comment on the line directly above the `RUN` (or the
    /// `COPY`/`ADD --chmod`), naming the rule and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG111: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG111` or `ignore: [IMG111]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - NIST SP 800-190 4.1.2 (Image configuration defects)
    /// - CWE-732
    /// - MITRE ATT&CK T1574 (Hijack Execution Flow)
    pub static CHMOD_WORLD_WRITABLE: Rule = Rule {
        code: "IMG111",
        name: "chmod-world-writable",
        severity: Severity::Medium,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cwe("CWE-732"), mitre("T1574")],
        fix: "Use mode `755`/`644` or stricter and give ownership (`--chown`) to the user that writes.",
        since: "0.1.0",
        check: Check::External,
    };
}

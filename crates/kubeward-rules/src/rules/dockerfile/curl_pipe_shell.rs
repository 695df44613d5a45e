use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cis, cwe, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `RUN` steps that pipe `curl`, `wget` or `fetch` output into a shell or interpreter
    /// (`sh`, `bash`, `python`, `perl`, ...), possibly through other commands, or that run a script
    /// obtained by command or process substitution (`sh -c "$(curl ...)"`, `bash <(curl ...)`).
    ///
    /// ## Why is this bad?
    /// Whatever the server returns at build time is executed as root in the build, without any
    /// integrity check: a compromised download host, a hijacked domain or a truncated transfer
    /// runs arbitrary code and can plant malware in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN curl -fsSL https://example.com/install.sh | bash
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \
    ///  && echo "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  /tmp/install.sh" | sha256sum -c - \
    ///  && sh /tmp/install.sh && rm /tmp/install.sh
    /// ```
    ///
    /// ## Fix
    /// Download to a file, verify a pinned SHA-256 (or a signature) and only then execute it; or
    /// use the distribution's package manager, or `ADD --checksum=`.
    ///
    /// ## Exceptions
    /// None that justify the pattern in a release image.
    ///
    /// To accept one finding, put a comment on the line directly above the `RUN`, naming the rule
    /// and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG107: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG107` or `ignore: [IMG107]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.11 (Ensure only verified packages are installed)
    /// - NIST SP 800-190 4.1.3 (Embedded malware)
    /// - CWE-494
    /// - MITRE ATT&CK T1195.002 (Supply Chain Compromise: Compromise Software Supply Chain)
    pub static CURL_PIPE_SHELL: Rule = Rule {
        code: "IMG107",
        name: "curl-pipe-shell",
        severity: Severity::High,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.11"), cwe("CWE-494"), mitre("T1195.002")],
        fix: "Download to a file, verify a pinned SHA-256 (or signature), then run it.",
        since: "0.1.0",
        check: Check::External,
    };
}

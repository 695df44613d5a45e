use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cis, cwe, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `ADD` with an `http://`, `https://` or git source and no `--checksum=` flag.
    ///
    /// ## Why is this bad?
    /// The downloaded content is not verified: a compromised server, DNS or TLS interception, or a
    /// changed release asset ends up in the image unnoticed, with no way to tell later what was
    /// fetched.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ADD https://example.com/tool-1.2.tar.gz /opt/
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool-1.2.tar.gz /opt/
    /// ```
    ///
    /// ## Fix
    /// Add `--checksum=sha256:<digest>` (Dockerfile syntax 1.6+), or download with
    /// `curl -fsSLo file URL && echo "<sha256>  file" | sha256sum -c -` in a `RUN`.
    ///
    /// ## Exceptions
    /// None that justify the pattern in a release image.
    ///
    /// To accept one finding, put a comment on the line directly above the `ADD`, naming the rule
    /// and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG103: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG103` or `ignore: [IMG103]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.9 (Ensure that COPY is used instead of ADD)
    /// - CIS Docker Benchmark 4.11 (Ensure only verified packages are installed)
    /// - NIST SP 800-190 4.1.3 (Embedded malware)
    /// - CWE-494
    /// - MITRE ATT&CK T1195.002 (Supply Chain Compromise: Compromise Software Supply Chain)
    pub static ADD_REMOTE_URL: Rule = Rule {
        code: "IMG103",
        name: "add-remote-url",
        severity: Severity::Medium,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.9"), cis("Docker 4.11"), cwe("CWE-494"), mitre("T1195.002")],
        fix: "Add `--checksum=sha256:<digest>` to `ADD`, or download and verify the file in a `RUN`.",
        since: "0.1.0",
        check: Check::External,
    };
}

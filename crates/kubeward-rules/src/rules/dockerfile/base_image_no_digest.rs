use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cis, cwe, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `FROM` images (and `COPY --from=<image>` images) that have a version tag but no
    /// `@sha256:` digest. Informational: tags of most registries are mutable.
    ///
    /// ## Why is this bad?
    /// A tag can be re-pointed by whoever controls the repository (or an attacker who took it
    /// over). Only a digest identifies the exact bytes that were reviewed and scanned.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d
    /// ```
    ///
    /// ## Fix
    /// Append the digest of the reviewed image (`docker buildx imagetools inspect alpine:3.20`)
    /// and let an update bot refresh it.
    ///
    /// ## Exceptions
    /// Teams that accept tag-level pinning can disable this informational check.
    ///
    /// To accept one finding, put a comment on the line directly above the `FROM` (or the `COPY
    /// --from=<image>`), naming the rule and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG102: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG102` or `ignore: [IMG102]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.2
    /// - NIST SP 800-190 4.1.5 (Use of untrusted images)
    /// - MITRE ATT&CK T1195.002 (Supply Chain Compromise: Compromise Software Supply Chain)
    pub static BASE_IMAGE_NO_DIGEST: Rule = Rule {
        code: "IMG102",
        name: "base-image-no-digest",
        severity: Severity::Info,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.2"), cwe("CWE-1357"), mitre("T1195.002")],
        fix: "Append the reviewed image's `@sha256:` digest to the reference.",
        since: "0.1.0",
        check: Check::External,
    };
}

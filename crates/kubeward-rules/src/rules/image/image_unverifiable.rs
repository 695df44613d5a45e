use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cwe, mitre};
use crate::rules::workload::util::KINDS;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a container image that an `images.signatures` policy covers but whose
    /// signature could not be checked because the registry was unreachable, timed out,
    /// answered garbage, redirected in a loop or refused the credentials. Also reports an SBOM
    /// mapped to an image that cannot be read.
    ///
    /// At admission, `images.admission.on-registry-error` decides what this means:
    /// `fail-closed` (default) denies the request, `fail-open` admits it with a warning. A
    /// per-rule action in `webhook.actions` overrides both.
    ///
    /// ## Why is this bad?
    /// An image that cannot be verified is an image that was not verified. Failing open keeps
    /// deployments going during a registry outage at the cost of that guarantee; the finding
    /// makes the trade-off visible in the audit trail.
    ///
    /// ## Example
    /// ```yaml
    /// images:
    ///   signatures:
    ///   - images: [registry.example.com/**]
    ///     keys: [keys/cosign.pub]
    ///   admission:
    ///     on-registry-error: fail-open
    /// ```
    ///
    /// ## Fix
    /// Restore access to the registry (network path, CA in `images.registry.ca`, credentials
    /// in `images.registry.docker-config`), or mirror the image into a reachable registry.
    ///
    /// ## References
    /// - CWE-636 Not Failing Securely ('Failing Open')
    /// - MITRE ATT&CK T1195.002 Compromise Software Supply Chain
    pub static IMAGE_UNVERIFIABLE: Rule = Rule {
        code: "IMG202",
        name: "image-unverifiable",
        severity: Severity::Medium,
        category: Category::Image,
        kinds: KINDS,
        compliance: &[cwe("CWE-636"), mitre("T1195.002")],
        fix: "Make the registry reachable for kubeward (network, CA, credentials), or mirror the image.",
        since: "0.2.0",
        check: Check::External,
    };
}

use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cwe, mitre, nsa};
use crate::rules::workload::util::KINDS;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a container image whose SBOM (mapped to the image in
    /// `images.vulnerabilities.sboms`) contains packages affected by advisories of the local
    /// OSV database at or above `images.vulnerabilities.fail-on` (default `high`). Versions are
    /// compared with each ecosystem's own rules (Debian, Alpine, npm, PyPI, Go, crates.io,
    /// Maven); severity comes from the advisory's CVSS vector where present. The finding's
    /// severity is the highest advisory severity; the message lists the worst advisories with
    /// the installed and fixed versions.
    ///
    /// ## Why is this bad?
    /// Known, published vulnerabilities are what attackers scan for first; an image with a
    /// critical advisory and an available fix is the cheapest way into a cluster.
    ///
    /// ## Example
    /// ```yaml
    /// # .kubeward.yaml
    /// images:
    ///   vulnerabilities:
    ///     db: osv/
    ///     fail-on: high
    ///     sboms:
    ///     - {image: registry.example.com/team/web:1.4, sbom: sboms/web.cdx.json}
    /// ```
    ///
    /// ## Fix
    /// Rebuild the image on a patched base or with the fixed package versions the message
    /// names, regenerate the SBOM, and deploy the new digest.
    ///
    /// ## Options
    /// `images.vulnerabilities.db` (directory of OSV JSON advisories), `fail-on`, `sboms`
    /// (`image` exact reference or `*` pattern, `sbom` CycloneDX 1.4–1.6 or SPDX 2.3 JSON).
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance, "Container images" (scan images for vulnerabilities)
    /// - NIST SP 800-190 4.1.1 (Image vulnerabilities)
    /// - MITRE ATT&CK T1190 Exploit Public-Facing Application
    pub static IMAGE_KNOWN_VULNERABILITIES: Rule = Rule {
        code: "IMG201",
        name: "image-known-vulnerabilities",
        severity: Severity::High,
        category: Category::Image,
        kinds: KINDS,
        compliance: &[nsa("container-images"), mitre("T1190"), cwe("CWE-1395")],
        fix: "Rebuild the image with the fixed package versions and deploy the new digest.",
        since: "0.2.0",
        check: Check::External,
    };
}

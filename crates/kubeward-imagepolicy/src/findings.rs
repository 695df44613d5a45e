//! Turns an [`ImageCheck`] into findings of the documented rules IMG200 (no valid signature),
//! IMG201 (known vulnerabilities) and IMG202 (could not be verified). The callers (scan,
//! `kubeward image`, the webhook) add the location of the `image` field.

use std::fmt::Write as _;

use kubeward_diagnostics::Severity;
use kubeward_rules::Rule;
use kubeward_rules::rules::image::{
    IMAGE_KNOWN_VULNERABILITIES, IMAGE_SIGNATURE_MISSING, IMAGE_UNVERIFIABLE,
};
use kubeward_vuln::Severity as VulnSeverity;

use crate::gate::{ImageCheck, SignatureStatus, VulnStatus};

/// Advisories named in one IMG201 message before "and N more".
pub const MAX_ADVISORIES_LISTED: usize = 3;

/// One finding about an image, without a location.
#[derive(Debug, Clone)]
pub struct GateFinding {
    /// The rule.
    pub rule: &'static Rule,
    /// What is wrong (no secret values: image names, digests, advisory ids, versions).
    pub message: String,
    /// Finding-specific severity (IMG201: the worst advisory).
    pub severity: Option<Severity>,
}

/// The kubeward severity of an advisory severity (`Unknown` counts as low).
#[must_use]
pub const fn severity_of(s: VulnSeverity) -> Severity {
    match s {
        VulnSeverity::Critical => Severity::Critical,
        VulnSeverity::High => Severity::High,
        VulnSeverity::Medium => Severity::Medium,
        VulnSeverity::Low | VulnSeverity::Unknown => Severity::Low,
    }
}

fn short(digest: Option<&str>) -> String {
    digest.map_or_else(String::new, |d| {
        let cut: String = d.chars().take(19).collect();
        format!(" ({cut}…)")
    })
}

/// The findings of one checked image.
///
/// ```
/// use kubeward_imagepolicy::{ImageCheck, SignatureStatus, findings};
/// let check = ImageCheck {
///     image: "registry.example.com/web:1".into(),
///     reference: Some("registry.example.com/web:1".into()),
///     invalid: None,
///     digest: None,
///     signature: Some(SignatureStatus::Unavailable { policy: "team".into(), error: "timed out".into() }),
///     vulnerabilities: None,
///     cached: false,
/// };
/// let f = findings(&check);
/// assert_eq!(f[0].rule.code, "IMG202");
/// assert!(f[0].message.contains("timed out"));
/// ```
#[must_use]
pub fn findings(check: &ImageCheck) -> Vec<GateFinding> {
    let mut out = Vec::new();
    let image = &check.image;
    let digest = short(check.digest.as_deref());
    match &check.signature {
        Some(SignatureStatus::Rejected { policy, reasons }) => out.push(GateFinding {
            rule: &IMAGE_SIGNATURE_MISSING,
            message: format!(
                "image `{image}`{digest} has no valid signature by the keys of policy `{policy}`: {}",
                reasons.join("; ")
            ),
            severity: None,
        }),
        Some(SignatureStatus::Unavailable { policy, error }) => out.push(GateFinding {
            rule: &IMAGE_UNVERIFIABLE,
            message: format!(
                "the signature of image `{image}` (policy `{policy}`) could not be checked: {error}"
            ),
            severity: None,
        }),
        Some(SignatureStatus::Verified { .. }) | None => {}
    }
    match &check.vulnerabilities {
        Some(VulnStatus::Matched {
            sbom,
            threshold,
            findings,
        }) if !findings.is_empty() => {
            let worst = findings
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(VulnSeverity::Unknown);
            let mut message = format!(
                "image `{image}`{digest} has {} known vulnerabilit{} at or above {threshold} (SBOM {sbom}):",
                findings.len(),
                if findings.len() == 1 { "y" } else { "ies" }
            );
            let mut sorted: Vec<_> = findings.iter().collect();
            sorted.sort_by(|a, b| {
                b.severity
                    .cmp(&a.severity)
                    .then_with(|| a.advisory_id.cmp(&b.advisory_id))
            });
            for (i, f) in sorted.iter().take(MAX_ADVISORIES_LISTED).enumerate() {
                let sep = if i == 0 { " " } else { "; " };
                let _ = write!(
                    message,
                    "{sep}{} {} in {} {}",
                    f.advisory_id, f.severity, f.package, f.installed_version
                );
                match &f.fixed_version {
                    Some(fixed) => {
                        let _ = write!(message, " (fixed in {fixed})");
                    }
                    None => message.push_str(" (no fix)"),
                }
            }
            if sorted.len() > MAX_ADVISORIES_LISTED {
                let _ = write!(
                    message,
                    "; and {} more",
                    sorted.len() - MAX_ADVISORIES_LISTED
                );
            }
            out.push(GateFinding {
                rule: &IMAGE_KNOWN_VULNERABILITIES,
                message,
                severity: Some(severity_of(worst)),
            });
        }
        Some(VulnStatus::SbomError { sbom, error }) => out.push(GateFinding {
            rule: &IMAGE_UNVERIFIABLE,
            message: format!("the SBOM {sbom} mapped to image `{image}` cannot be used: {error}"),
            severity: None,
        }),
        _ => {}
    }
    out
}

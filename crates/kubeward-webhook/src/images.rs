//! Admission-time image checks: the images of the admitted object that the `images:` policy
//! covers are checked (signatures through the registry, SBOM vulnerabilities) before the
//! object is judged, within the request's time budget. Verdicts come from the gate's
//! per-replica caches when the digest was judged before, so the hot path makes no registry
//! call; a tag is re-resolved after `tag-ttl-seconds`.
//!
//! What a registry failure means (deny or warn) is the action of rule IMG202, set from
//! `images.admission.on-registry-error` (see [`crate::config::Policy`]).

use std::collections::BTreeSet;
use std::time::Duration;

use kubeward_imagepolicy::{
    GateFinding, ImageGate, SignatureStatus, check_all, findings, image_fields,
};
use kubeward_rules::rules::image::IMAGE_UNVERIFIABLE;

use crate::config::{Policy, Updates};
use crate::evaluation::skip_reason;
use crate::metrics::Metrics;
use crate::review::AdmissionRequest;

/// Images of one request checked at the same time.
const CONCURRENCY: usize = 8;

/// Time kept back from the request's budget for evaluating the object after the image checks.
pub const EVALUATION_MARGIN: Duration = Duration::from_millis(250);

/// The image findings of `request`, each with the field path of its `image`. Images that an
/// UPDATE leaves unchanged at the same path are not checked under `updates: introduced`.
pub async fn image_findings(
    gate: &ImageGate,
    metrics: &Metrics,
    policy: &Policy,
    request: &AdmissionRequest,
    deadline: tokio::time::Instant,
) -> Vec<(String, GateFinding)> {
    if skip_reason(policy, request).is_some() {
        return Vec::new();
    }
    let Some(object) = &request.object else {
        return Vec::new();
    };
    let loaded = kubeward_model::load_text("admission-request.json", object.get());
    let Some(first) = loaded.objects.first() else {
        return Vec::new();
    };
    let mut fields = image_fields(first);
    fields.retain(|f| gate.covers(&f.image));
    if request.operation == "UPDATE"
        && policy.webhook.updates == Updates::Introduced
        && let Some(old) = &request.old_object
    {
        let old = kubeward_model::load_text("admission-old.json", old.get());
        let before: BTreeSet<(String, String)> = old
            .objects
            .first()
            .map(image_fields)
            .unwrap_or_default()
            .into_iter()
            .map(|f| (f.path, f.image))
            .collect();
        fields.retain(|f| !before.contains(&(f.path.clone(), f.image.clone())));
    }
    if fields.is_empty() {
        return Vec::new();
    }
    let budget = deadline.checked_sub(EVALUATION_MARGIN).unwrap_or(deadline);
    let checks = tokio::time::timeout_at(
        budget,
        check_all(gate, fields.iter().map(|f| f.image.as_str()), CONCURRENCY),
    )
    .await;
    let mut out = Vec::new();
    match checks {
        Ok(checks) => {
            for check in checks.values() {
                metrics.image_check(match &check.signature {
                    None => "no-signature-policy",
                    Some(_) if check.cached => "cache-hit",
                    Some(SignatureStatus::Unavailable { .. }) => "unavailable",
                    Some(_) => "registry",
                });
            }
            for field in fields {
                if let Some(check) = checks.get(&field.image) {
                    out.extend(findings(check).into_iter().map(|f| (field.path.clone(), f)));
                }
            }
        }
        Err(_) => {
            metrics.image_check("timeout");
            for field in fields {
                out.push((
                    field.path,
                    GateFinding {
                        rule: &IMAGE_UNVERIFIABLE,
                        message: format!(
                            "the image `{}` could not be verified within the admission time budget",
                            field.image
                        ),
                        severity: None,
                    },
                ));
            }
        }
    }
    out
}

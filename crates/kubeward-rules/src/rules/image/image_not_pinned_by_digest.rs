use kubeward_diagnostics::{Category, Severity};

use super::reference::{is_templated, parse};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, nsa};
use crate::rules::workload::util::{KINDS, each_container};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags container images referenced by tag without a digest (`@sha256:...`).
    ///
    /// ## Why is this bad?
    /// Tags are mutable: a compromised registry account or a careless re-push changes the
    /// image behind `v1.2.3`. A digest pins the exact bytes that were reviewed, scanned and
    /// signed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27.3
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27.3@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a
    /// ```
    ///
    /// ## Fix
    /// Append the digest; let your CD tool or Renovate keep tag and digest in sync.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance, "Container images"
    pub static IMAGE_NOT_PINNED_BY_DIGEST: Rule = Rule {
        code: "IMG002",
        name: "image-not-pinned-by-digest",
        severity: Severity::Low,
        category: Category::Image,
        kinds: KINDS,
        compliance: &[nsa("container-images"), cwe("CWE-494")],
        fix: "Reference the image by digest (`image:tag@sha256:...`).",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |_, container| {
        let Some(image) = container.image() else {
            return;
        };
        if is_templated(image) {
            return;
        }
        if let Some(reference) = parse(image)
            && reference.digest.is_none()
        {
            out.report(
                container.path_of("image"),
                format!(
                    "{} uses image `{image}` without a digest",
                    container.describe()
                ),
            );
        }
    });
}

use kubeward_diagnostics::{Category, Severity};

use super::reference::{is_templated, parse};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, nsa};
use crate::rules::workload::util::{KINDS, each_container};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags container images with the `latest` tag or no tag at all (which means `latest`),
    /// unless they are pinned by digest.
    ///
    /// ## Why is this bad?
    /// `latest` moves: two nodes can run different code under the same manifest, a rollback
    /// does not roll back, and whoever can push to the repository changes what runs in the
    /// cluster without a review.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27.3
    /// ```
    ///
    /// ## Fix
    /// Use an immutable version tag, ideally with its digest (`nginx:1.27.3@sha256:...`).
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance, "Container images"
    pub static IMAGE_TAG_LATEST: Rule = Rule {
        code: "IMG001",
        name: "image-tag-latest",
        severity: Severity::Medium,
        category: Category::Image,
        kinds: KINDS,
        compliance: &[nsa("container-images"), cis("5.5.1"), cwe("CWE-1357")],
        fix: "Pin the image to a version tag (and digest).",
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
        let Some(reference) = parse(image) else {
            return;
        };
        if reference.digest.is_some() {
            return;
        }
        match reference.tag {
            None => {
                out.report(
                    container.path_of("image"),
                    format!(
                        "{} uses image `{image}` without a tag (implies `latest`)",
                        container.describe()
                    ),
                );
            }
            Some("latest") => {
                out.report(
                    container.path_of("image"),
                    format!(
                        "{} uses image `{image}` with the `latest` tag",
                        container.describe()
                    ),
                );
            }
            Some(_) => {}
        }
    });
}

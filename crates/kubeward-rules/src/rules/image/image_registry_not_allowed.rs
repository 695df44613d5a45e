use kubeward_diagnostics::{Category, Severity};

use super::reference::{is_templated, parse};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre, nsa};
use crate::rules::workload::util::{KINDS, each_container};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags images pulled from a registry outside the configured allow-list. Inactive until
    /// `options.allowed-registries` is set in `.kubeward.yaml`.
    ///
    /// ## Why is this bad?
    /// Images from arbitrary registries bypass your scanning, signing and provenance
    /// controls, and typosquatted public images are a known supply-chain attack.
    ///
    /// ## Example
    /// ```yaml
    /// # config: {options: {allowed-registries: [ghcr.io/acme]}}
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: docker.io/someone/nginx:1.27
    /// ```
    /// Use instead:
    /// ```yaml
    /// # config: {options: {allowed-registries: [ghcr.io/acme]}}
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: ghcr.io/acme/nginx:1.27
    /// ```
    ///
    /// ## Fix
    /// Mirror the image into an approved registry and reference it from there.
    ///
    /// ## Options
    /// `options.allowed-registries`: registry hosts, optionally with a path prefix
    /// (`ghcr.io/acme`). Images without a host come from `docker.io`.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance, "Container images"
    /// - MITRE ATT&CK T1195.002 Compromise Software Supply Chain
    pub static IMAGE_REGISTRY_NOT_ALLOWED: Rule = Rule {
        code: "IMG003",
        name: "image-registry-not-allowed",
        severity: Severity::High,
        category: Category::Image,
        kinds: KINDS,
        compliance: &[nsa("container-images"), mitre("T1195.002"), cwe("CWE-829")],
        fix: "Use an image from an allowed registry.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let allowed = &ctx.options.allowed_registries;
    if allowed.is_empty() {
        return;
    }
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
        let full = format!("{}/{}", reference.registry, reference.repository);
        let ok = allowed.iter().any(|entry| {
            let entry = entry.trim_end_matches('/');
            full == entry || full.starts_with(&format!("{entry}/"))
        });
        if !ok {
            out.report(
                container.path_of("image"),
                format!(
                    "{} pulls `{image}` from `{}`, which is not an allowed registry",
                    container.describe(),
                    reference.registry
                ),
            );
        }
    });
}

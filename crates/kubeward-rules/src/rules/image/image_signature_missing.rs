use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cwe, mitre, nsa};
use crate::rules::workload::util::KINDS;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a container image that an `images.signatures` policy covers but that carries no
    /// valid cosign signature by one of the policy's keys. The tag is resolved to its manifest
    /// digest first. Both places cosign stores signatures are read: the simple-signing
    /// manifest at the tag `sha256-<hex>.sig` (a signature counts only if its payload names
    /// that exact digest, its payload blob matches the digest recorded in the signature
    /// manifest, and it verifies with a configured public key), and Sigstore bundles attached
    /// to the digest as OCI 1.1 referrers, cosign v3's default (the DSSE signature must verify
    /// with a configured key and the in-toto statement's subject must be that digest). As with
    /// `cosign verify --key --insecure-ignore-tlog`, transparency-log entries are not checked.
    /// Runs in `kubeward scan` (when the section is configured), `kubeward image verify` and at
    /// admission.
    ///
    /// ## Why is this bad?
    /// A signature is the link between what your pipeline built and what the cluster runs.
    /// Without it, a pushed-over tag, a compromised registry account or a typosquatted image
    /// runs with your workload's identity and permissions.
    ///
    /// ## Example
    /// ```yaml
    /// # .kubeward.yaml
    /// images:
    ///   signatures:
    ///   - images: [registry.example.com/team/**]
    ///     keys: [keys/cosign.pub]
    /// ---
    /// # a pod whose image was never signed by keys/cosign.pub
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: registry.example.com/team/web:1.4
    /// ```
    ///
    /// ## Fix
    /// Sign the image in the pipeline that built it (`cosign sign --key cosign.key IMAGE@DIGEST`)
    /// and deploy by digest; if the signature exists, check that it was made with one of the
    /// policy's keys and for the digest the tag points to now.
    ///
    /// ## Options
    /// `images.signatures[].images` (patterns on `registry/repository`, `*` within a path
    /// segment, `**` across segments) and `images.signatures[].keys` (PEM public keys).
    /// Registry access: `images.registry` (`insecure`, `ca`, `timeout-ms`, `docker-config`).
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance, "Container images"
    /// - SLSA v1.0 Build L2 (signed provenance) and Sigstore cosign signature specification
    /// - MITRE ATT&CK T1195.002 Compromise Software Supply Chain
    pub static IMAGE_SIGNATURE_MISSING: Rule = Rule {
        code: "IMG200",
        name: "image-signature-missing",
        severity: Severity::High,
        category: Category::Image,
        kinds: KINDS,
        compliance: &[nsa("container-images"), mitre("T1195.002"), cwe("CWE-347")],
        fix: "Sign the image with a configured key (`cosign sign --key …`) and deploy it by digest.",
        since: "0.2.0",
        check: Check::External,
    };
}

use kubeward_diagnostics::{Category, Severity};
use kubeward_secrets::EncryptionFindingKind;

use super::encryption::{KINDS, report};
use crate::context::{Emitter, ObjectContext};
use crate::meta::cwe;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `kms` provider of an `EncryptionConfiguration` without `apiVersion: v2`
    /// (KMS v1, the default when `apiVersion` is omitted).
    ///
    /// ## Why is this bad?
    /// KMS v1 is deprecated since Kubernetes 1.28 and disabled by default from 1.29 (the
    /// `KMSv1` feature gate): an upgrade can leave the API server unable to read its Secrets.
    /// v1 also calls the plugin for every read and write, so rotating or throttling the
    /// external KMS degrades the whole API server.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    /// - resources: [secrets]
    ///   providers:
    ///   - kms:
    ///       name: vault-kms
    ///       endpoint: unix:///var/run/kms-plugin/socket.sock
    ///       cachesize: 1000
    ///   - identity: {}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    /// - resources: [secrets]
    ///   providers:
    ///   - kms:
    ///       apiVersion: v2
    ///       name: vault-kms
    ///       endpoint: unix:///var/run/kms-plugin/socket.sock
    ///   - identity: {}
    /// ```
    ///
    /// ## Fix
    /// Deploy a KMS v2 plugin, add it as the first provider with `apiVersion: v2`, keep the
    /// v1 provider after it until every Secret is rewritten, then remove it.
    ///
    /// ## Exceptions
    /// Clusters older than 1.27 (no KMS v2 GA): `--ignore SEC014`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes documentation, "Using a KMS provider for data encryption" (KMS v1 deprecated in 1.28, disabled by default in 1.29)
    /// - CWE-477 Use of Obsolete Function
    pub static ENCRYPTION_KMS_V1_PROVIDER: Rule = Rule {
        code: "SEC014",
        name: "encryption-kms-v1-provider",
        severity: Severity::Medium,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[cwe("CWE-477")],
        fix: "Migrate to a KMS v2 provider (`apiVersion: v2`).",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(ctx, out, &[EncryptionFindingKind::KmsV1Deprecated]);
}

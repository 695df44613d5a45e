use kubeward_diagnostics::{Category, Severity};
use kubeward_secrets::EncryptionFindingKind;

use super::encryption::{KINDS, report};
use crate::context::{Emitter, ObjectContext};
use crate::meta::cwe;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports what makes kube-apiserver reject an `EncryptionConfiguration` or fail to use a key.
    ///
    /// Checked: a key whose decoded length does not fit the provider (AES 16, 24 or 32 bytes,
    /// secretbox 32), a key that is not base64 or lacks `name`/`secret`, a provider without
    /// keys, a provider item naming no or several providers, a `resources` item without
    /// resources or providers, a resource masked by an earlier `*.group` or `*.*` rule,
    /// overlapping resources in one list, and resource names the server refuses (`*`,
    /// capitals, `*.events.k8s.io`, the removed `extensions` group).
    ///
    /// ## Why is this bad?
    /// The API server does not start with an invalid file, and a control-plane restart is the
    /// worst time to find out; an operator under pressure then often removes the encryption
    /// flag altogether.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    /// - resources: [secrets]
    ///   providers:
    ///   - aesgcm:
    ///       keys:
    ///       - {name: key1, secret: c2hvcnQta2V5}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    /// - resources: [secrets]
    ///   providers:
    ///   - secretbox:
    ///       keys:
    ///       - {name: key1, secret: c92P2+zHd3OC2pYwL82DeaGdyy8Yck0kF4nP47GiCpg=}
    /// ```
    ///
    /// ## Fix
    /// Correct the field the message names; validate with a test API server before rolling
    /// the file out to control-plane nodes.
    ///
    /// ## Exceptions
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes documentation, "Encrypting Confidential Data at Rest" (configuration and key sizes)
    /// - `k8s.io/apiserver/pkg/apis/apiserver/validation` (the server's checks)
    /// - CWE-1284 Improper Validation of Specified Quantity in Input
    pub static ENCRYPTION_CONFIG_INVALID: Rule = Rule {
        code: "SEC017",
        name: "encryption-config-invalid",
        severity: Severity::Medium,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[cwe("CWE-1284")],
        fix: "Correct the named field; the API server refuses this configuration.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(
        ctx,
        out,
        &[
            EncryptionFindingKind::InvalidKeyLength,
            EncryptionFindingKind::KeyNotBase64,
            EncryptionFindingKind::KeyIncomplete,
            EncryptionFindingKind::NoKeys,
            EncryptionFindingKind::InvalidProviderItem,
            EncryptionFindingKind::IncompleteResourceItem,
            EncryptionFindingKind::MaskedResource,
            EncryptionFindingKind::OverlappingResources,
            EncryptionFindingKind::InvalidResourceName,
        ],
    );
}

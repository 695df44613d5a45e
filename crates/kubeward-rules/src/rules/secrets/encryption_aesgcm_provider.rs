use kubeward_diagnostics::{Category, Severity};
use kubeward_secrets::EncryptionFindingKind;

use super::encryption::{KINDS, report};
use crate::context::{Emitter, ObjectContext};
use crate::meta::cwe;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `resources` item of an `EncryptionConfiguration` whose first (writing)
    /// provider is `aesgcm`.
    ///
    /// ## Why is this bad?
    /// AES-GCM with random nonces is only safe for about 200,000 writes per key: beyond that
    /// nonce reuse becomes likely and with it the loss of confidentiality and integrity.
    /// Upstream recommends `aesgcm` only with an automated key rotation scheme.
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
    ///       - {name: key1, secret: c92P2+zHd3OC2pYwL82DeaGdyy8Yck0kF4nP47GiCpg=}
    ///   - identity: {}
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
    ///   - identity: {}
    /// ```
    ///
    /// ## Fix
    /// Write with KMS v2 or `secretbox`, or automate key rotation before 200,000 writes.
    ///
    /// ## Exceptions
    /// Automated rotation is in place: `--ignore SEC013`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes documentation, "Encrypting Confidential Data at Rest", providers table ("aesgcm: must be rotated every 200,000 writes")
    /// - CWE-323 Reusing a Nonce, Key Pair in Encryption
    pub static ENCRYPTION_AESGCM_PROVIDER: Rule = Rule {
        code: "SEC013",
        name: "encryption-aesgcm-provider",
        severity: Severity::Low,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[cwe("CWE-323")],
        fix: "Write with KMS v2 or secretbox, or rotate the aesgcm key automatically.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(ctx, out, &[EncryptionFindingKind::AesgcmWriteProvider]);
}

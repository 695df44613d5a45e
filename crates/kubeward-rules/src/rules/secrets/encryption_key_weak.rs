use kubeward_diagnostics::{Category, Severity};
use kubeward_secrets::EncryptionFindingKind;

use super::encryption::{KINDS, report};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `EncryptionConfiguration` key whose material is obviously not random.
    ///
    /// For `aescbc`, `aesgcm` and `secretbox` keys: all zero bytes, one repeated byte or a short repeated
    /// pattern, very few distinct bytes, or printable text a person typed (a passphrase
    /// base64-encoded). The message says which; it never shows the key.
    ///
    /// ## Why is this bad?
    /// Encryption at rest is only as strong as its key. A guessable key turns an etcd backup
    /// into plain text for whoever guesses it, and copied tutorial keys are guessed first.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    /// - resources: [secrets]
    ///   providers:
    ///   - secretbox:
    ///       keys:
    ///       - {name: key1, secret: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=}
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
    /// Generate a key with `head -c 32 /dev/urandom | base64`, add it as the first key, restart
    /// the API servers, rewrite all Secrets, then remove the weak key.
    ///
    /// ## Exceptions
    /// None outside throw-away test clusters (`--ignore SEC015`).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes documentation, "Encrypting Confidential Data at Rest" (generate keys from a cryptographically secure random source)
    /// - CWE-1391 Use of Weak Credentials; CWE-330 Use of Insufficiently Random Values
    pub static ENCRYPTION_KEY_WEAK: Rule = Rule {
        code: "SEC015",
        name: "encryption-key-weak",
        severity: Severity::High,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[mitre("T1552"), cwe("CWE-330")],
        fix: "Replace the key with 32 random bytes (`head -c 32 /dev/urandom | base64`) and rewrite all Secrets.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(ctx, out, &[EncryptionFindingKind::WeakKeyMaterial]);
}

use kubeward_diagnostics::{Category, Severity};
use kubeward_secrets::EncryptionFindingKind;

use super::encryption::{KINDS, report};
use crate::context::{Emitter, ObjectContext};
use crate::meta::cwe;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports key material used more than once in an `EncryptionConfiguration`.
    ///
    /// The same secret under two key names, in two providers or in two `resources` items. The message
    /// names the first place it is used.
    ///
    /// ## Why is this bad?
    /// Reusing a key across providers mixes algorithms over one key (AES-CBC and AES-GCM on
    /// the same key weaken each other) and across resources multiplies the data exposed by
    /// one leak; a "rotated" key that equals the old one is no rotation at all.
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
    ///       - {name: key2, secret: c92P2+zHd3OC2pYwL82DeaGdyy8Yck0kF4nP47GiCpg=}
    ///       - {name: key1, secret: c92P2+zHd3OC2pYwL82DeaGdyy8Yck0kF4nP47GiCpg=}
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
    ///       - {name: key2, secret: +2X2c6e9naYonwPUhxAPCTDhPZkHx3ZTcJfXMoQ7o0s=}
    ///       - {name: key1, secret: c92P2+zHd3OC2pYwL82DeaGdyy8Yck0kF4nP47GiCpg=}
    /// ```
    ///
    /// ## Fix
    /// Give every key its own random material (`head -c 32 /dev/urandom | base64`).
    ///
    /// ## Exceptions
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes documentation, "Encrypting Confidential Data at Rest", "Rotating a decryption key"
    /// - CWE-323 Reusing a Nonce, Key Pair in Encryption
    pub static ENCRYPTION_KEY_REUSED: Rule = Rule {
        code: "SEC016",
        name: "encryption-key-reused",
        severity: Severity::Medium,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[cwe("CWE-323")],
        fix: "Give every key its own random material.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(ctx, out, &[EncryptionFindingKind::KeyReused]);
}

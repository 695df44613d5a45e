use kubeward_diagnostics::{Category, Severity};
use kubeward_secrets::EncryptionFindingKind;

use super::encryption::{KINDS, report};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `resources` item of an `EncryptionConfiguration` whose first (writing)
    /// provider is `aescbc`.
    ///
    /// ## Why is this bad?
    /// Upstream no longer recommends AES-CBC with PKCS#7 padding: it is vulnerable to
    /// padding-oracle attacks, and the key sits in the file next to the API server, so
    /// whoever reads the host's disk reads the key too. KMS v2 keeps the key encryption key
    /// outside the node; `secretbox` (XSalsa20-Poly1305) at least authenticates.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    /// - resources: [secrets]
    ///   providers:
    ///   - aescbc:
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
    ///   - kms:
    ///       apiVersion: v2
    ///       name: vault-kms
    ///       endpoint: unix:///var/run/kms-plugin/socket.sock
    ///   - aescbc:
    ///       keys:
    ///       - {name: key1, secret: c92P2+zHd3OC2pYwL82DeaGdyy8Yck0kF4nP47GiCpg=}
    ///   - identity: {}
    /// ```
    ///
    /// ## Fix
    /// Put a KMS v2 provider (or `secretbox`) first, keep `aescbc` after it for reading
    /// existing data, and rewrite all Secrets.
    ///
    /// ## Exceptions
    /// Clusters without a KMS where `secretbox` is not an option: accept with
    /// `--ignore SEC012` and rotate the key regularly.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes documentation, "Encrypting Confidential Data at Rest", providers table ("aescbc: not recommended due to CBC's vulnerability to padding oracle attacks")
    /// - CIS Kubernetes Benchmark 1.2.28
    /// - CWE-327 Use of a Broken or Risky Cryptographic Algorithm
    pub static ENCRYPTION_AESCBC_PROVIDER: Rule = Rule {
        code: "SEC012",
        name: "encryption-aescbc-provider",
        severity: Severity::Medium,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[cis("1.2.28"), cwe("CWE-327")],
        fix: "Write with KMS v2 (or secretbox) first; keep `aescbc` only for reading old data.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(ctx, out, &[EncryptionFindingKind::AescbcWriteProvider]);
}

use kubeward_diagnostics::{Category, Severity};
use kubeward_secrets::EncryptionFindingKind;

use super::encryption::{KINDS, report};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `EncryptionConfiguration` whose `resources` item governing Secrets lists
    /// `identity` as its first provider.
    ///
    /// The first provider encrypts every write; the others are only tried when reading.
    /// `identity` first means Secrets are written in clear even though keys are configured,
    /// a common leftover from a migration or a rollback.
    ///
    /// ## Why is this bad?
    /// Every new or updated Secret lands in etcd and its backups unencrypted, while the file
    /// suggests encryption is on: the false sense of safety is worse than no file.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    /// - resources: [secrets]
    ///   providers:
    ///   - identity: {}
    ///   - secretbox:
    ///       keys:
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
    ///       - {name: key1, secret: c92P2+zHd3OC2pYwL82DeaGdyy8Yck0kF4nP47GiCpg=}
    ///   - identity: {}
    /// ```
    ///
    /// ## Fix
    /// Move the encrypting provider (KMS v2 or `secretbox`) to the first position, keep
    /// `identity` last so existing plain-text data stays readable, restart the API servers and
    /// rewrite all Secrets (`kubectl get secrets -A -o json | kubectl replace -f -`).
    ///
    /// ## Exceptions
    /// The intermediate step of *decrypting* a cluster on purpose. Suppress with
    /// `--ignore SEC011` for that run.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes documentation, "Encrypting Confidential Data at Rest" ("the first provider in the list is used to encrypt")
    /// - CIS Kubernetes Benchmark 1.2.28
    /// - CWE-311 Missing Encryption of Sensitive Data
    pub static ENCRYPTION_IDENTITY_PROVIDER_FIRST: Rule = Rule {
        code: "SEC011",
        name: "encryption-identity-provider-first",
        severity: Severity::High,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[cis("1.2.28"), nsa("encryption"), mitre("T1552"), cwe("CWE-311")],
        fix: "Put the encrypting provider (KMS v2 or secretbox) first and `identity` last; rewrite all Secrets.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(ctx, out, &[EncryptionFindingKind::IdentityFirstForSecrets]);
}

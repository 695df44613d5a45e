use kubeward_diagnostics::{Category, Severity};
use kubeward_secrets::EncryptionFindingKind;

use super::encryption::{KINDS, report};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports an `EncryptionConfiguration` in which no `resources` item covers Secrets.
    ///
    /// The file is the one given to kube-apiserver `--encryption-provider-config`; Secrets are
    /// covered by `secrets`, `*.` (every core resource) or `*.*`.
    ///
    /// The API server looks a resource up as the exact `resource.group`, then `*.<group>`,
    /// then `*.*`; a resource matched by none is stored with the `identity` transformer, that
    /// is, unencrypted.
    ///
    /// ## Why is this bad?
    /// Secrets are then stored in plain text in etcd, in its snapshots and in every backup:
    /// anyone with read access to an etcd member's disk, a snapshot file or the etcd client
    /// port gets every credential of the cluster without going through RBAC.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    /// - resources: [configmaps]
    ///   providers:
    ///   - secretbox:
    ///       keys:
    ///       - {name: key1, secret: c92P2+zHd3OC2pYwL82DeaGdyy8Yck0kF4nP47GiCpg=}
    ///   - identity: {}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    /// - resources: [secrets, configmaps]
    ///   providers:
    ///   - secretbox:
    ///       keys:
    ///       - {name: key1, secret: c92P2+zHd3OC2pYwL82DeaGdyy8Yck0kF4nP47GiCpg=}
    ///   - identity: {}
    /// ```
    ///
    /// ## Fix
    /// Add `secrets` to a `resources` item whose first provider encrypts (KMS v2 or
    /// `secretbox`), restart the API servers, then rewrite every Secret so it is stored
    /// encrypted: `kubectl get secrets -A -o json | kubectl replace -f -`.
    ///
    /// ## Exceptions
    /// None: every cluster stores Secrets. To accept the state, `--ignore SEC010`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes documentation, "Encrypting Confidential Data at Rest"
    /// - CIS Kubernetes Benchmark 1.2.27 / 1.2.28; node check `CP056`
    /// - CWE-311 Missing Encryption of Sensitive Data
    pub static SECRETS_NOT_ENCRYPTED_AT_REST: Rule = Rule {
        code: "SEC010",
        name: "secrets-not-encrypted-at-rest",
        severity: Severity::High,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[cis("1.2.28"), nsa("encryption"), mitre("T1552"), cwe("CWE-311")],
        fix: "Add `secrets` to a `resources` item whose first provider is KMS v2 or secretbox, then rewrite all Secrets.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(ctx, out, &[EncryptionFindingKind::SecretsNotEncrypted]);
}

use kubeward_diagnostics::{Category, Severity};

use super::scan::{Route, report};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a private key anywhere in a manifest other than a `Secret`.
    ///
    /// A PEM or OpenSSH block (`-----BEGIN ... PRIVATE KEY-----`) with real key material, in
    /// clear or base64-encoded, in ConfigMaps, env values, annotations, custom resources or
    /// embedded kubeconfigs.
    ///
    /// Private keys inside a `Secret` are judged by `SEC005 committed-secret-object`.
    ///
    /// ## Why is this bad?
    /// A private key is the identity of a server, a user or a signer: whoever copies it can
    /// impersonate the TLS endpoint, log in over SSH, or sign as the owner, and nothing but
    /// revoking the certificate or key undoes that. Outside a Secret it is readable by anyone
    /// who can read the object and it is never encrypted at rest.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata: {name: proxy-tls}
    /// data:
    ///   server.key: |
    ///     -----BEGIN PRIVATE KEY-----
    ///     UvImZaYMEtKJGF2VDuiBNgkWb2sRPReNbA/TkB/yOaGglfIPk5VlDPk4C47bIkpr
    ///     JIoekk6P0K4uGpSSozBfGIy2EJAPnjR/rohtxlB3lex0XEw/yy6yxz4Uk0yGfuBX
    ///     unJJm/oSHoNrKsFXJu59awr2qxPDjpLK4NFQV7FZmH+UzHQR1xfxRXmyqhAPu7NP
    ///     -----END PRIVATE KEY-----
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: cert-manager.io/v1
    /// kind: Certificate
    /// metadata: {name: proxy-tls}
    /// spec:
    ///   secretName: proxy-tls
    ///   dnsNames: [proxy.example.com]
    ///   issuerRef: {name: internal-ca, kind: ClusterIssuer}
    /// ```
    ///
    /// ## Fix
    /// Revoke and replace the key. Let cert-manager issue TLS keys inside the cluster, or
    /// deliver keys as Secrets through Sealed Secrets, External Secrets Operator, SOPS or
    /// Vault, and mount them as files.
    ///
    /// ## Exceptions
    /// Key blocks without real key material (`...`, `<key>`) and public certificates are not
    /// reported. A throw-away test key can be suppressed with
    /// `kubeward.io/ignore: "SEC004: <why>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CWE-321 Use of Hard-coded Cryptographic Key; CWE-798 Use of Hard-coded Credentials
    /// - MITRE ATT&CK T1552.004 Unsecured Credentials: Private Keys
    pub static PRIVATE_KEY_IN_MANIFEST: Rule = Rule {
        code: "SEC004",
        name: "private-key-in-manifest",
        severity: Severity::Critical,
        category: Category::Secrets,
        kinds: &[],
        compliance: &[nsa("secrets"), mitre("T1552.004"), cwe("CWE-321")],
        fix: "Revoke the key; issue keys in-cluster (cert-manager) or deliver them as Secrets from a secret manager.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(ctx, out, Route::PrivateKey);
}

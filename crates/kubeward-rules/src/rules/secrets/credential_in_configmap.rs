use kubeward_diagnostics::{Category, Severity};

use super::scan::{Route, report};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports credentials in a ConfigMap's `data` or `binaryData`.
    ///
    /// Detected: a password under a credential-like key, a connection string with a password
    /// (`postgres://user:pass@host`), a token of a known format, or a credential inside an
    /// embedded file (a kubeconfig, a Docker `config.json`, an application config).
    ///
    /// Private keys are reported by `SEC004 private-key-in-manifest`.
    ///
    /// ## Why is this bad?
    /// ConfigMaps are not meant for confidential data: they are readable by every subject
    /// with `get configmaps` in the namespace (often granted broadly, e.g. to CI and to
    /// `view`), never encrypted at rest, printed by `kubectl describe`, and committed in clear.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata: {name: api-config}
    /// data:
    ///   DATABASE_URL: "postgres://api:Vx9-kq2Lm4Rt7Zp@db:5432/api"
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata: {name: api-config}
    /// data:
    ///   DATABASE_HOST: db
    ///   DATABASE_USER: api
    /// ```
    ///
    /// ## Fix
    /// Rotate the credential, keep non-secret settings in the ConfigMap and move the secret
    /// part into a Secret delivered by Sealed Secrets, External Secrets Operator, SOPS or
    /// Vault; have the application read the password from its own file or variable.
    ///
    /// ## Exceptions
    /// Placeholders and template variables are not reported. For sample values that are
    /// public on purpose, suppress with `kubeward.io/ignore: "SEC003: <why>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes documentation, "ConfigMaps": "ConfigMap does not provide secrecy or encryption"
    /// - CWE-798 Use of Hard-coded Credentials; CWE-312 Cleartext Storage of Sensitive Information
    pub static CREDENTIAL_IN_CONFIGMAP: Rule = Rule {
        code: "SEC003",
        name: "credential-in-configmap",
        severity: Severity::High,
        category: Category::Secrets,
        kinds: &["ConfigMap"],
        compliance: &[nsa("secrets"), mitre("T1552.001"), cwe("CWE-798"), cwe("CWE-312")],
        fix: "Move the credential from the ConfigMap into a Secret (not committed in clear) and rotate it.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(ctx, out, Route::ConfigMap);
}

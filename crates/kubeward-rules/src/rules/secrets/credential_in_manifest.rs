use kubeward_diagnostics::{Category, Severity};

use super::scan::{Route, report};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports credentials in annotations, image references, probe headers and custom resources.
    ///
    /// Covered: annotations (including a Secret's
    /// `kubectl.kubernetes.io/last-applied-configuration`), image references with
    /// `user:password@`, probe `httpHeaders` with a literal `Authorization`, and any field of
    /// any other kind (custom resources, Helm values embedded in objects, operators' specs).
    ///
    /// Container env values, command lines, ConfigMap data, private keys and Secret data have
    /// their own rules (`SEC002`, `SEC008`, `SEC003`, `SEC004`, `SEC005`), and the keys of an
    /// `EncryptionConfiguration` are judged by `SEC010`–`SEC017`; every detected credential is
    /// reported by exactly one rule.
    ///
    /// ## Why is this bad?
    /// A credential in a manifest is in git, in CI logs and in the API server, readable by
    /// everyone who can read the object. Annotations and custom resources are read by far more
    /// subjects (dashboards, operators, `kubectl get -o yaml`) than Secrets are.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: monitoring.coreos.com/v1
    /// kind: Alertmanager
    /// metadata:
    ///   name: main
    ///   annotations:
    ///     notify/slack: "https://hooks.slack.com/services/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"
    /// spec:
    ///   replicas: 2
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: monitoring.coreos.com/v1
    /// kind: Alertmanager
    /// metadata:
    ///   name: main
    /// spec:
    ///   replicas: 2
    ///   secrets: [alertmanager-slack]
    /// ```
    ///
    /// ## Fix
    /// Rotate the credential and reference a Secret instead (most operators accept a
    /// `secretKeyRef`-style field); deliver the Secret with Sealed Secrets, External Secrets
    /// Operator, SOPS or Vault.
    ///
    /// ## Exceptions
    /// Placeholders and template variables are not reported. Suppress a public sample value
    /// with `kubeward.io/ignore: "SEC009: <why>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CWE-798 Use of Hard-coded Credentials
    /// - MITRE ATT&CK T1552 Unsecured Credentials
    pub static CREDENTIAL_IN_MANIFEST: Rule = Rule {
        code: "SEC009",
        name: "credential-in-manifest",
        severity: Severity::High,
        category: Category::Secrets,
        kinds: &[],
        compliance: &[nsa("secrets"), mitre("T1552"), cwe("CWE-798")],
        fix: "Rotate the credential and reference it from a Secret (not committed in clear) instead.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(ctx, out, Route::Other);
}

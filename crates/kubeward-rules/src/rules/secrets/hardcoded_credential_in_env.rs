use kubeward_diagnostics::{Category, Severity};

use kubeward_yaml::Node;

use super::scan::{Route, credential_name, findings, report, strong_literal};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre, nsa};
use crate::rules::workload::util::{KINDS, each_container};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports credentials written literally into a container's `env[].value`.
    ///
    /// Detected: known token formats (cloud keys, GitHub/GitLab/Slack/Stripe tokens, JWTs,
    /// connection strings with a password) and high-entropy values under credential-like
    /// names (`DB_PASSWORD`, `API_TOKEN`, ...).
    ///
    /// The message names the variable and what the value looks like (`an AWS access key id
    /// (`AKIA****`)`); the value itself is never printed, and it is masked in the source
    /// frame. The severity follows the detector (an AWS secret key is critical, a generic
    /// password high) and drops one step at low confidence.
    ///
    /// A literal that the detectors set aside as a sample because it contains a dictionary
    /// word (`Passw0rd-Pr0d-2024!`) is still reported, at medium severity, when its
    /// variable is named like a credential and the value is strong enough to be what someone
    /// deploys (12+ characters of 3 character classes, no template syntax, no
    /// `changeme`/`example`/`replace` words).
    ///
    /// ## Why is this bad?
    /// The manifest lives in git, in CI logs, in Helm release history and in the API server's
    /// `last-applied-configuration`: everyone who can read any of them has the credential,
    /// and rotating it means a code change. Anyone who can `get` the workload (a much wider
    /// group than those who can read Secrets) can read it too.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: api}
    /// spec:
    ///   selector: {matchLabels: {app: api}}
    ///   template:
    ///     metadata: {labels: {app: api}}
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: registry.example.com/api:2.0
    ///         env:
    ///         - name: DB_PASSWORD
    ///           value: "Vx9-kq2Lm4Rt7Zp"
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: api}
    /// spec:
    ///   selector: {matchLabels: {app: api}}
    ///   template:
    ///     metadata: {labels: {app: api}}
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: registry.example.com/api:2.0
    ///         env:
    ///         - name: DB_PASSWORD
    ///           valueFrom:
    ///             secretKeyRef: {name: api-db, key: password}
    /// ```
    ///
    /// ## Fix
    /// Rotate the credential (it is in the repository's history), store the new one in a
    /// Secret that is not committed in clear (Sealed Secrets, External Secrets Operator, SOPS
    /// or Vault), and reference it with `valueFrom.secretKeyRef` or, better, mount it as a
    /// file (`SEC001`).
    ///
    /// ## Exceptions
    /// Placeholders (`changeme`, `${VAR}`, `{{ .Values.x }}`, `<redacted>`), hashes and
    /// references are not reported. For a value known to be public (a test fixture), suppress
    /// on the object with `kubeward.io/ignore: "SEC002: <why>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes documentation, "Good practices for Kubernetes Secrets"
    /// - CWE-798 Use of Hard-coded Credentials
    /// - MITRE ATT&CK T1552.001 Unsecured Credentials: Credentials In Files
    pub static HARDCODED_CREDENTIAL_IN_ENV: Rule = Rule {
        code: "SEC002",
        name: "hardcoded-credential-in-env",
        severity: Severity::High,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[nsa("secrets"), mitre("T1552.001"), cwe("CWE-798")],
        fix: "Move the value into a Secret (not committed in clear) and reference it with `valueFrom.secretKeyRef`; rotate it.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(ctx, out, Route::Env);
    // Strong literals under credential names that the engine set aside as samples because
    // they contain a dictionary word (`Passw0rd-Pr0d-2024!`): deployed all the same.
    let detected = findings(ctx.object);
    each_container(ctx, |_, container| {
        let env = container.node.get("env");
        for (i, var) in env.into_iter().flat_map(Node::items).enumerate() {
            let name = var.get("name").and_then(Node::as_str).unwrap_or("");
            let Some(value) = var.get("value").and_then(Node::as_str) else {
                continue;
            };
            let path = container.path_of(&format!("env[{i}].value"));
            if credential_name(name)
                && strong_literal(value)
                && !detected.iter().any(|f| f.path == path)
            {
                out.report(
                    path.clone(),
                    format!(
                        "Environment variable `{name}` of {} holds a literal password (`****`) that reads like a sample value",
                        container.describe()
                    ),
                )
                .severity(Severity::Medium)
                .redact(path);
            }
        }
    });
}

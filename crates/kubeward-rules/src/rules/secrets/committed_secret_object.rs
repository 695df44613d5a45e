use kubeward_diagnostics::{Category, Severity};
use kubeward_secrets::{Verdict, analyze_secret_object};

use super::scan::{credential_name, findings, phrase};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `Secret` manifest that carries real values in `data` or `stringData`.
    ///
    /// Type-aware: a `kubernetes.io/service-account-token` Secret without a token (a token
    /// request the controller fills in), public keys such as `tls.crt`, `ca.crt` or a
    /// basic-auth `username`, empty values, placeholders (`${X}`, `{{ .Values.x }}`,
    /// `changeme`) and SOPS-encrypted values (`ENC[...]`) are not real values; a TLS key
    /// without key material or a `.dockerconfigjson` without a real credential are not either.
    ///
    /// `data` values are base64-decoded first: base64 is an encoding, not encryption. An
    /// `Opaque` Secret is reported when one of its real values is a recognised credential or
    /// sits under a credential-like key (`password`, `token`, `api-key`, `secret`, ...); one
    /// holding only hosts, URLs and user names is not. Typed Secrets (`kubernetes.io/tls`,
    /// `dockerconfigjson`, `ssh-auth`, `basic-auth`, tokens) hold credentials by contract.
    ///
    /// ## Why is this bad?
    /// Whoever can read the repository, its forks, CI caches or an old clone has the
    /// credentials, forever: deleting the file does not remove it from history. RBAC on
    /// Secrets and encryption at rest protect nothing once the value is in git.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata: {name: db}
    /// type: Opaque
    /// stringData:
    ///   password: "Vx9-kq2Lm4Rt7Zp"
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: external-secrets.io/v1
    /// kind: ExternalSecret
    /// metadata: {name: db}
    /// spec:
    ///   secretStoreRef: {name: vault, kind: ClusterSecretStore}
    ///   target: {name: db}
    ///   data:
    ///   - secretKey: password
    ///     remoteRef: {key: prod/db, property: password}
    /// ```
    ///
    /// ## Fix
    /// Rotate every committed value, remove the Secret from the repository, and commit one of:
    /// a `SealedSecret` (Bitnami Sealed Secrets: encrypted for the cluster's controller), an
    /// `ExternalSecret` (External Secrets Operator: synced from AWS/GCP/Azure secret managers
    /// or Vault), a SOPS-encrypted manifest (decrypted by Flux, Argo CD or helm-secrets), or a
    /// Vault Agent / Secrets Store CSI driver reference. TLS keys are best issued in-cluster by
    /// cert-manager.
    ///
    /// ## Exceptions
    /// Test fixtures with throw-away values: suppress with
    /// `kubeward.io/ignore: "SEC005: <why>"`, or exempt the path in `.kubeward.yaml`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes documentation, "Secrets": "Secrets are, by default, stored unencrypted"; "Good practices for Kubernetes Secrets"
    /// - CWE-312 Cleartext Storage of Sensitive Information; CWE-540 Inclusion of Sensitive Information in Source Code
    /// - MITRE ATT&CK T1552.001 Unsecured Credentials: Credentials In Files
    pub static COMMITTED_SECRET_OBJECT: Rule = Rule {
        code: "SEC005",
        name: "committed-secret-object",
        severity: Severity::High,
        category: Category::Secrets,
        kinds: &["Secret"],
        compliance: &[nsa("secrets"), mitre("T1552.001"), cwe("CWE-312"), cwe("CWE-540")],
        fix: "Rotate the values and commit a SealedSecret, an ExternalSecret (External Secrets Operator), a SOPS-encrypted file or a Vault reference instead.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

/// The fix for one Secret type.
fn fix_for(secret_type: &str) -> &'static str {
    match secret_type {
        "kubernetes.io/tls" => {
            "Rotate the key and let cert-manager issue it in-cluster, or deliver it with Sealed Secrets, External Secrets Operator, SOPS or Vault."
        }
        "kubernetes.io/dockerconfigjson" | "kubernetes.io/dockercfg" => {
            "Rotate the registry credential and create the pull secret from a secret manager (External Secrets Operator, Vault) or commit it as a SealedSecret or SOPS-encrypted file."
        }
        "kubernetes.io/service-account-token" => {
            "Remove the token from `data`: commit the Secret with only the `kubernetes.io/service-account.name` annotation (the controller fills the token in), or use TokenRequest (projected tokens) instead."
        }
        _ => {
            "Rotate the values and commit a SealedSecret, an ExternalSecret (External Secrets Operator), a SOPS-encrypted file or a Vault reference instead."
        }
    }
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let object = ctx.object;
    let Some(analysis) = analyze_secret_object(&object.root) else {
        return;
    };
    let Verdict::RealValues { paths } = &analysis.verdict else {
        return;
    };
    let detected = findings(object);
    // An Opaque Secret is a credential leak when some real value is a recognised credential
    // or sits under a credential-like key; hosts, URLs and user names alone are not. Typed
    // Secrets (TLS, registry, SSH, basic-auth, tokens) hold credentials by contract.
    let key_of = |path: &String| {
        analysis
            .values
            .iter()
            .find(|v| &v.path == path)
            .map_or("", |v| v.key.as_str())
    };
    let opaque = analysis.secret_type == "Opaque";
    if opaque
        && !paths
            .iter()
            .any(|p| detected.iter().any(|f| &f.path == p) || credential_name(key_of(p)))
    {
        return;
    }
    // Point at the most telling value: one a detector recognised, else one named like a
    // credential, else the first.
    let rank = |path: &String| {
        let key = key_of(path);
        if detected.iter().any(|f| &f.path == path) {
            0
        } else if credential_name(key) {
            1
        } else {
            2
        }
    };
    let Some(first) = paths.iter().min_by_key(|p| rank(p)) else {
        return;
    };
    let keys: Vec<String> = analysis
        .values
        .iter()
        .filter(|v| paths.contains(&v.path))
        .map(|v| format!("`{}`", v.key))
        .collect();
    let mut looks: Vec<String> = Vec::new();
    for f in detected.iter().filter(|f| paths.contains(&f.path)) {
        let p = phrase(&f.matched);
        if !looks.contains(&p) && looks.len() < 3 {
            looks.push(p);
        }
    }
    let what = if looks.is_empty() {
        String::new()
    } else {
        format!(", including {}", looks.join(" and "))
    };
    let n = paths.len();
    let plural = if n == 1 { "value" } else { "values" };
    let message = format!(
        "Secret `{}` (type `{}`) is committed with {n} real {plural} in {}{what}",
        object.name(),
        analysis.secret_type,
        keys.join(", "),
    );
    out.report(first.clone(), message)
        .fix(fix_for(&analysis.secret_type));
}

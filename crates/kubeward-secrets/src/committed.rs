//! Committed `Secret` analysis: does a Secret manifest carry real values?

use kubeward_yaml::{Node, path_join};
use serde::Serialize;

use crate::detect::{ValueContext, b64std, private_key_in, scan_value};
use crate::heuristics::is_placeholder;

/// What one `data`/`stringData` value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueStatus {
    /// Empty string or null.
    Empty,
    /// A template, variable reference or obvious placeholder (`${X}`, `changeme`, `<redacted>`).
    Placeholder,
    /// Public or non-secret by the Secret type's contract (`ca.crt`, `tls.crt`, `username`,
    /// `namespace`, a bootstrap `token-id`) or by content (a certificate, a number).
    NotSensitive,
    /// A real value.
    Real,
}

/// One value of a committed Secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommittedValue {
    /// The data key.
    pub key: String,
    /// Field path (`data["tls.key"]`, `stringData.password`).
    pub path: String,
    /// What the value is.
    pub status: ValueStatus,
}

/// The judgement on a committed Secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub enum Verdict {
    /// No `data` or `stringData`.
    Empty,
    /// A `kubernetes.io/service-account-token` Secret without a token: the token controller
    /// fills it in; committing it is the documented way to request a long-lived token.
    TokenRequest,
    /// Only empty, placeholder or public values.
    NoSecretValues,
    /// Real secret values are committed (a finding).
    RealValues {
        /// Paths of the real values.
        paths: Vec<String>,
    },
}

impl Verdict {
    /// True when the Secret commits real secret values.
    #[must_use]
    pub const fn is_finding(&self) -> bool {
        matches!(self, Self::RealValues { .. })
    }
}

/// The analysis of one Secret manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommittedSecret {
    /// `type` (defaults to `Opaque`).
    pub secret_type: String,
    /// Whether `data` or `stringData` has at least one entry.
    pub has_data: bool,
    /// All keys of `data` and `stringData`, sorted and unique.
    pub keys: Vec<String>,
    /// Per-value status, in key order (`data` first, then `stringData`).
    pub values: Vec<CommittedValue>,
    /// The judgement.
    pub verdict: Verdict,
}

/// Keys that a Secret type documents as non-secret.
fn public_keys(secret_type: &str) -> &'static [&'static str] {
    match secret_type {
        "kubernetes.io/service-account-token" => &["ca.crt", "namespace"],
        "kubernetes.io/tls" => &["tls.crt", "ca.crt"],
        "kubernetes.io/basic-auth" => &["username"],
        "bootstrap.kubernetes.io/token" => &[
            "token-id",
            "description",
            "expiration",
            "usage-bootstrap-authentication",
            "usage-bootstrap-signing",
            "auth-extra-groups",
        ],
        _ => &["ca.crt", "tls.crt", "username", "namespace"],
    }
}

/// Analyzes a `v1/Secret` manifest; `None` for other kinds.
///
/// Values in `data` are base64-decoded. A value is `Real` unless it is empty, a placeholder,
/// or public by the type's contract or content (a PEM certificate without a private key, a
/// number). Docker config values are real only when an `auths` entry carries a real
/// credential; a TLS key is real only when it contains key material.
///
/// ```
/// let doc = kubeward_yaml::parse_str(
///     "apiVersion: v1\nkind: Secret\nmetadata:\n  name: t\n  annotations:\n    kubernetes.io/service-account.name: build\ntype: kubernetes.io/service-account-token\n",
/// );
/// let s = kubeward_secrets::analyze_secret_object(&doc.documents[0].root).unwrap();
/// assert_eq!(s.verdict, kubeward_secrets::Verdict::TokenRequest);
/// assert!(!s.verdict.is_finding());
/// ```
#[must_use]
pub fn analyze_secret_object(node: &Node) -> Option<CommittedSecret> {
    if node.get("kind").and_then(Node::as_str) != Some("Secret") {
        return None;
    }
    let api = node
        .get("apiVersion")
        .and_then(Node::as_str)
        .unwrap_or("v1");
    if api != "v1" {
        return None;
    }
    let secret_type = node
        .get("type")
        .and_then(Node::as_str)
        .filter(|t| !t.is_empty())
        .unwrap_or("Opaque")
        .to_string();
    let public = public_keys(&secret_type);
    let mut values = Vec::new();
    for (field, encoded) in [("data", true), ("stringData", false)] {
        let Some(map) = node.get(field) else { continue };
        for (key, value) in map.entries() {
            let path = path_join(field, &key);
            let status = match value.scalar_string() {
                None => ValueStatus::Empty,
                Some(raw) => classify(&key, &raw, encoded, public),
            };
            values.push(CommittedValue {
                key: key.into_owned(),
                path,
                status,
            });
        }
    }
    let mut keys: Vec<String> = values.iter().map(|v| v.key.clone()).collect();
    keys.sort();
    keys.dedup();
    let has_data = !values.is_empty();
    let real: Vec<String> = values
        .iter()
        .filter(|v| v.status == ValueStatus::Real)
        .map(|v| v.path.clone())
        .collect();
    let verdict = if !real.is_empty() {
        Verdict::RealValues { paths: real }
    } else if secret_type == "kubernetes.io/service-account-token" {
        Verdict::TokenRequest
    } else if has_data {
        Verdict::NoSecretValues
    } else {
        Verdict::Empty
    };
    Some(CommittedSecret {
        secret_type,
        has_data,
        keys,
        values,
        verdict,
    })
}

fn classify(key: &str, raw: &str, encoded: bool, public: &[&str]) -> ValueStatus {
    if raw.trim().is_empty() {
        return ValueStatus::Empty;
    }
    if public.contains(&key) {
        return ValueStatus::NotSensitive;
    }
    let text = if encoded {
        // `changeme` and `${X}` are not base64 of text: judge them as written.
        let decoded = b64std(raw).map(String::from_utf8);
        match decoded {
            Some(Ok(t)) => t,
            _ if is_placeholder(raw) => return ValueStatus::Placeholder,
            // Binary content (a keystore): real.
            Some(Err(_)) => return ValueStatus::Real,
            None => raw.to_string(),
        }
    } else {
        raw.to_string()
    };
    let t = text.trim();
    if t.is_empty() {
        return ValueStatus::Empty;
    }
    if matches!(key, ".dockerconfigjson" | ".dockercfg") {
        return docker_config_status(t);
    }
    let has_pem = t.contains("-----BEGIN ");
    let has_private = t.contains("PRIVATE KEY");
    if has_pem && !has_private {
        // Certificates and public keys.
        return ValueStatus::NotSensitive;
    }
    if has_private || key == "tls.key" || key == "ssh-privatekey" {
        // A key without PEM key material is not a usable key.
        return if private_key_in(t).is_some() {
            ValueStatus::Real
        } else {
            ValueStatus::Placeholder
        };
    }
    if t.contains('\n') || t.starts_with('{') {
        // A file (config, JSON): real unless it is a template with nothing detectable.
        let templated = t.contains("{{") || t.contains("${");
        let detected = !scan_value(&ValueContext::keyed(key), t).is_empty();
        return if templated && !detected {
            ValueStatus::Placeholder
        } else {
            ValueStatus::Real
        };
    }
    if is_placeholder(t) {
        return ValueStatus::Placeholder;
    }
    if t.bytes().all(|b| b.is_ascii_digit()) && t.len() < 8 {
        return ValueStatus::NotSensitive;
    }
    ValueStatus::Real
}

/// A Docker config is real when some registry entry carries a non-placeholder credential.
fn docker_config_status(text: &str) -> ValueStatus {
    let Ok(serde_json::Value::Object(root)) = serde_json::from_str::<serde_json::Value>(text)
    else {
        return ValueStatus::Real;
    };
    let registries = match root.get("auths") {
        Some(serde_json::Value::Object(a)) => a.clone(),
        _ => root,
    };
    let real = registries.values().any(|entry| {
        let field = |name: &str| entry.get(name).and_then(serde_json::Value::as_str);
        let auth_real = field("auth").is_some_and(|a| {
            b64std(a)
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.split_once(':').map(|(_, p)| p.to_string()))
                .is_some_and(|p| !is_placeholder(&p))
        });
        let other_real = ["password", "identitytoken", "registrytoken"]
            .iter()
            .any(|n| field(n).is_some_and(|v| !is_placeholder(v)));
        auth_real || other_real
    });
    if real {
        ValueStatus::Real
    } else {
        ValueStatus::Placeholder
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyze(yaml: &str) -> CommittedSecret {
        let p = kubeward_yaml::parse_str(yaml);
        analyze_secret_object(&p.documents[0].root).unwrap()
    }

    #[test]
    fn not_a_secret() {
        let p = kubeward_yaml::parse_str("kind: ConfigMap\n");
        assert!(analyze_secret_object(&p.documents[0].root).is_none());
    }

    #[test]
    fn opaque_real_and_placeholder() {
        let s = analyze(
            "kind: Secret\ndata:\n  password: VnhfOWtxMkxtNFJ0N1pw\nstringData:\n  token: ${TOKEN}\n  user: admin\n",
        );
        assert_eq!(s.secret_type, "Opaque");
        assert_eq!(s.keys, ["password", "token", "user"]);
        assert_eq!(
            s.verdict,
            Verdict::RealValues {
                paths: vec!["data.password".into()]
            }
        );
        let p = analyze("kind: Secret\nstringData:\n  password: '{{ .Values.password }}'\n");
        assert_eq!(p.verdict, Verdict::NoSecretValues);
    }

    #[test]
    fn tls_public_only() {
        // base64 of "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        let s = analyze(
            "kind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=\n  tls.key: ''\n",
        );
        assert_eq!(s.verdict, Verdict::NoSecretValues);
        assert_eq!(s.values[0].path, "data[\"tls.crt\"]");
    }

    #[test]
    fn sa_token_with_token_is_finding() {
        let s = analyze(
            "kind: Secret\ntype: kubernetes.io/service-account-token\ndata:\n  namespace: ZGVmYXVsdA==\n  token: ZXlKaGJHY2lPaUpTVXpJMU5pSjkuZXlKemRXSWlPaUp6ZVhOMFpXMDZjMlZ5ZG1salpTSjkuc2lnbmF0dXJl\n",
        );
        assert!(s.verdict.is_finding());
        assert_eq!(s.values[0].status, ValueStatus::NotSensitive);
    }

    #[test]
    fn docker_config_real_and_templated() {
        // {"auths":{"r.io":{"auth":"<b64 robot:zymMlopiWfqUyHRSIf>"}}}
        let real = r#"{"auths":{"r.io":{"auth":"cm9ib3Q6enltTWxvcGlXZnFVeUhSU0lm"}}}"#;
        let s = analyze(&format!(
            "kind: Secret\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{real}'\n"
        ));
        assert!(s.verdict.is_finding());
        let templated = r#"{"auths":{"r.io":{"username":"robot","password":"${PW}"}}}"#;
        let s = analyze(&format!(
            "kind: Secret\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{templated}'\n"
        ));
        assert_eq!(s.verdict, Verdict::NoSecretValues);
    }

    #[test]
    fn config_file_with_example_host_is_real() {
        let s = analyze(
            "kind: Secret\nstringData:\n  app.yaml: |\n    host: db.example.com\n    password: Vx9kq2Lm4Rt7Zp\n  tpl.yaml: |\n    password: {{ .Values.pw }}\n    user: app\n",
        );
        assert_eq!(s.values[0].status, ValueStatus::Real);
        assert_eq!(s.values[1].status, ValueStatus::Placeholder);
    }

    #[test]
    fn empty_secret() {
        let s = analyze("kind: Secret\nmetadata: {name: x}\n");
        assert_eq!(s.verdict, Verdict::Empty);
        assert!(!s.has_data);
    }
}

//! A basic review of an `EncryptionConfiguration` (apiserver.config.k8s.io/v1): which provider
//! writes Secrets. The API server encrypts a resource with the **first** provider of the
//! **first** `resources[]` entry that covers it (`secrets`, `*.` for the core group, `*.*` for
//! everything); the others only decrypt. Key material is never read into a message.
//!
//! ```
//! use kubeward_controlplane::encryption::{review_secrets, SecretsEncryption};
//! let cfg = kubeward_yaml::parse_str("kind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - identity: {}\n  - aescbc: {keys: [{name: k, secret: c2VjcmV0}]}\n").documents.remove(0).root;
//! let r = review_secrets(&cfg);
//! assert_eq!(r.verdict, SecretsEncryption::NotEncrypted);
//! assert_eq!(r.write_provider.as_deref(), Some("identity"));
//! ```

use kubeward_yaml::{Node, path_index, path_join};
use serde::Serialize;

/// What happens to Secrets written to etcd.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SecretsEncryption {
    /// Encrypted with a strong provider (`kms`, `secretbox`).
    Strong,
    /// Encrypted, but with a provider the Kubernetes documentation discourages (`aescbc`:
    /// padding-oracle prone) or one needing care (`aesgcm`: keys must be rotated every 200k
    /// writes).
    Weak,
    /// Written in plain text (`identity` first, or no entry covers Secrets).
    NotEncrypted,
    /// The file could not be understood.
    Invalid,
}

/// The result of [`review_secrets`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncryptionReview {
    /// The verdict.
    pub verdict: SecretsEncryption,
    /// The provider that encrypts new writes of Secrets, if any.
    pub write_provider: Option<String>,
    /// Field path of that provider (or of the problem).
    pub field_path: String,
    /// Explanation.
    pub message: String,
}

const PROVIDERS: [&str; 6] = ["identity", "aescbc", "aesgcm", "secretbox", "kms", "aes"];

fn covers_secrets(resource: &str) -> bool {
    matches!(resource, "secrets" | "*." | "*.*")
}

/// Reviews how Secrets are encrypted at rest by this configuration.
#[must_use]
pub fn review_secrets(root: &Node) -> EncryptionReview {
    let invalid = |field_path: &str, message: String| EncryptionReview {
        verdict: SecretsEncryption::Invalid,
        write_provider: None,
        field_path: field_path.to_string(),
        message,
    };
    match root.get("kind").and_then(Node::as_str) {
        Some("EncryptionConfiguration" | "EncryptionConfig") => {}
        other => {
            return invalid(
                "kind",
                format!("expected kind EncryptionConfiguration, found {other:?}"),
            );
        }
    }
    let Some(resources) = root.get("resources").and_then(Node::as_seq) else {
        return invalid("resources", "no `resources` list".into());
    };
    for (i, entry) in resources.iter().enumerate() {
        let base = path_index("resources", i);
        let covered = entry
            .get("resources")
            .map(Node::items)
            .into_iter()
            .flatten()
            .filter_map(Node::as_str)
            .any(covers_secrets);
        if !covered {
            continue;
        }
        let providers_path = path_join(&base, "providers");
        let Some(first) = entry.get("providers").and_then(|p| p.items().next()) else {
            return invalid(
                &providers_path,
                "the entry covering secrets has no providers".into(),
            );
        };
        let first_path = path_index(&providers_path, 0);
        let name = first
            .entries()
            .map(|(k, _)| k.into_owned())
            .find(|k| PROVIDERS.contains(&k.as_str()));
        let Some(name) = name else {
            return invalid(&first_path, "unrecognised provider".into());
        };
        let (verdict, message) = match name.as_str() {
            "identity" => (
                SecretsEncryption::NotEncrypted,
                "the first provider for secrets is `identity`: new Secrets are written to etcd in plain text".to_string(),
            ),
            "aescbc" => (
                SecretsEncryption::Weak,
                "secrets are encrypted with `aescbc`, which the Kubernetes documentation no longer recommends (CBC padding-oracle risk); prefer `kms` (v2) or `secretbox`".to_string(),
            ),
            "aesgcm" => (
                SecretsEncryption::Weak,
                "secrets are encrypted with `aesgcm`, which is only safe with automated key rotation (every 200,000 writes); prefer `kms` (v2) or `secretbox`".to_string(),
            ),
            "kms" => (SecretsEncryption::Strong, "secrets are encrypted with a `kms` provider".to_string()),
            "secretbox" => (SecretsEncryption::Strong, "secrets are encrypted with `secretbox`".to_string()),
            other => (SecretsEncryption::Invalid, format!("unknown provider `{other}`")),
        };
        return EncryptionReview {
            verdict,
            write_provider: Some(name.clone()),
            field_path: path_join(&first_path, &name),
            message,
        };
    }
    EncryptionReview {
        verdict: SecretsEncryption::NotEncrypted,
        write_provider: None,
        field_path: "resources".into(),
        message: "no `resources` entry covers `secrets` (or `*.`/`*.*`): Secrets are stored in plain text".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(text: &str) -> EncryptionReview {
        review_secrets(&kubeward_yaml::parse_str(text).documents.remove(0).root)
    }

    const CANARY: &str = "S3VCRVdBUkQtQ0FOQVJZLVNFQ1JFVA==";

    #[test]
    fn verdicts() {
        let kms = review(
            "kind: EncryptionConfiguration\nresources:\n- resources: [configmaps]\n  providers: [{identity: {}}]\n- resources: [secrets]\n  providers:\n  - kms: {apiVersion: v2, name: x, endpoint: unix:///k.sock}\n  - identity: {}\n",
        );
        assert_eq!(kms.verdict, SecretsEncryption::Strong);
        assert_eq!(kms.field_path, "resources[1].providers[0].kms");
        let cbc = review(&format!(
            "kind: EncryptionConfiguration\nresources:\n- resources: ['*.*']\n  providers:\n  - aescbc:\n      keys:\n      - name: k1\n        secret: {CANARY}\n"
        ));
        assert_eq!(cbc.verdict, SecretsEncryption::Weak);
        assert!(!format!("{cbc:?}").contains(CANARY));
        let none = review(
            "kind: EncryptionConfiguration\nresources:\n- resources: [configmaps]\n  providers: [{secretbox: {}}]\n",
        );
        assert_eq!(none.verdict, SecretsEncryption::NotEncrypted);
        let bad = review("kind: Pod\n");
        assert_eq!(bad.verdict, SecretsEncryption::Invalid);
    }
}

//! `EncryptionConfiguration` analysis (the kube-apiserver `--encryption-provider-config`).
//!
//! Semantics follow upstream `k8s.io/apiserver`: each `resources[]` item lists resources
//! (`resource` or `resource.group`, `*.group`, `*.` for the core group, `*.*` for all) and
//! an ordered provider list; the first provider encrypts writes. A resource's transformer is
//! looked up as the exact group/resource, then `*.<group>`, then `*.*`, else identity (no
//! encryption). A resource listed after an earlier `*.<group>` or `*.*` rule is "masked" and
//! the API server refuses the configuration.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use kubeward_yaml::{Node, path_index, path_join};
use serde::Serialize;

use crate::catalog::Severity;

/// An encryption provider type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    /// No encryption.
    Identity,
    /// AES-CBC with PKCS#7 padding (weak: padding oracle).
    Aescbc,
    /// AES-GCM with random nonce (rotate keys every 200,000 writes).
    Aesgcm,
    /// XSalsa20 + Poly1305.
    Secretbox,
    /// KMS plugin, API v1 (deprecated).
    KmsV1,
    /// KMS plugin, API v2.
    KmsV2,
}

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EncryptionFindingKind {
    /// No `resources` item covers Secrets (`secrets`, `*.`, `*.*`): stored in clear.
    SecretsNotEncrypted,
    /// The provider that encrypts Secrets is `identity`: new writes are stored in clear.
    IdentityFirstForSecrets,
    /// `aescbc` encrypts writes: vulnerable to padding-oracle attacks, not recommended.
    AescbcWriteProvider,
    /// `aesgcm` encrypts writes: safe only with automated rotation (200,000 writes per key).
    AesgcmWriteProvider,
    /// A KMS v1 provider (deprecated since Kubernetes 1.28, disabled by default from 1.29).
    KmsV1Deprecated,
    /// A key whose decoded length does not fit the provider (AES 16/24/32, secretbox 32).
    InvalidKeyLength,
    /// A key secret that is not valid base64.
    KeyNotBase64,
    /// A key without `name` or `secret`.
    KeyIncomplete,
    /// Key material that is obviously weak (all zero, one repeated byte or short pattern,
    /// few distinct bytes, or printable text chosen by a person).
    WeakKeyMaterial,
    /// The same key material used in more than one place.
    KeyReused,
    /// A provider with an empty `keys` list.
    NoKeys,
    /// A provider item naming none or more than one provider type.
    InvalidProviderItem,
    /// A `resources` item with no resources or no providers.
    IncompleteResourceItem,
    /// A resource masked by an earlier `*.group` or `*.*` rule (the server refuses it).
    MaskedResource,
    /// Overlapping or duplicate resources within one list (the server refuses it).
    OverlappingResources,
    /// A resource name the server rejects (`*`, capitals, `*.events.k8s.io`, `extensions`,
    /// `resource.*`, non-REST resources).
    InvalidResourceName,
}

/// One finding in an encryption configuration; messages never include key material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncryptionFinding {
    /// What is wrong.
    pub kind: EncryptionFindingKind,
    /// How bad it is.
    pub severity: Severity,
    /// Field path (`resources[0].providers[0].aescbc.keys[1].secret`).
    pub path: String,
    /// A short explanation.
    pub message: String,
}

/// How Secrets are protected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretsCoverage {
    /// Path of the `resources[]` item that governs Secrets.
    pub item_path: String,
    /// The resource string that matched (`secrets`, `*.`, `*.*`).
    pub matched_by: String,
    /// The provider that encrypts new writes of Secrets.
    pub write_provider: Option<ProviderKind>,
}

/// The analysis of one `EncryptionConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncryptionReport {
    /// The kind (`EncryptionConfiguration`, or the older `EncryptionConfig`).
    pub kind: String,
    /// How Secrets are protected, if any item covers them.
    pub secrets: Option<SecretsCoverage>,
    /// Findings, sorted by path.
    pub findings: Vec<EncryptionFinding>,
}

/// A parsed `group/resource` (upstream `schema.ParseGroupResource`: split at the first dot).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct GroupResource {
    group: String,
    resource: String,
}

impl GroupResource {
    fn parse(s: &str) -> Self {
        match s.split_once('.') {
            Some((r, g)) => Self {
                group: g.to_string(),
                resource: r.to_string(),
            },
            None => Self {
                group: String::new(),
                resource: s.to_string(),
            },
        }
    }
    fn any_in(group: &str) -> Self {
        Self {
            group: group.to_string(),
            resource: "*".into(),
        }
    }
    fn is_any_any(&self) -> bool {
        self.group == "*" && self.resource == "*"
    }
}

const PROVIDER_NAMES: &[&str] = &["identity", "aescbc", "aesgcm", "secretbox", "kms"];

/// Analyzes an `EncryptionConfiguration` (apiserver.config.k8s.io/v1) or the older
/// `EncryptionConfig` kind; `None` for other objects.
///
/// ```
/// let doc = kubeward_yaml::parse_str(
///     "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [configmaps]\n  providers:\n  - identity: {}\n",
/// );
/// let r = kubeward_secrets::analyze_encryption_config(&doc.documents[0].root).unwrap();
/// assert!(r.secrets.is_none());
/// assert_eq!(r.findings[0].kind, kubeward_secrets::EncryptionFindingKind::SecretsNotEncrypted);
/// ```
#[must_use]
pub fn analyze_encryption_config(node: &Node) -> Option<EncryptionReport> {
    let kind = node.get("kind").and_then(Node::as_str)?;
    if kind != "EncryptionConfiguration" && kind != "EncryptionConfig" {
        return None;
    }
    let mut a = Analyzer::default();
    let items: Vec<&Node> = node
        .get("resources")
        .map(|r| r.items().collect())
        .unwrap_or_default();
    // gr -> (item index, resource string), first occurrence wins for writes.
    let mut seen: BTreeMap<GroupResource, (usize, String)> = BTreeMap::new();
    let mut write: Vec<Option<ProviderKind>> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let ipath = path_index("resources", i);
        let resources: Vec<(usize, &str)> = item
            .get("resources")
            .map(|r| {
                r.items()
                    .enumerate()
                    .filter_map(|(j, n)| n.as_str().map(|s| (j, s)))
                    .collect()
            })
            .unwrap_or_default();
        let rpath = path_join(&ipath, "resources");
        if resources.is_empty() {
            a.push(
                EncryptionFindingKind::IncompleteResourceItem,
                Severity::Medium,
                &rpath,
                "at least one resource is required".into(),
            );
        }
        a.validate_names(&resources, &rpath);
        a.validate_overlap(&resources, &rpath);
        for &(j, res) in &resources {
            let gr = GroupResource::parse(res);
            let masking = [GroupResource::any_in(&gr.group), GroupResource::any_in("*")]
                .into_iter()
                .find_map(|m| seen.get(&m).map(|(_, s)| s.clone()));
            if let Some(by) = masking {
                a.push(
                    EncryptionFindingKind::MaskedResource,
                    Severity::High,
                    &path_index(&rpath, j),
                    format!("resource `{res}` is masked by the earlier rule `{by}`; the API server rejects this configuration"),
                );
            }
            seen.entry(gr).or_insert_with(|| (i, res.to_string()));
        }
        write.push(a.providers(item, &ipath));
    }
    // Secrets lookup: exact, then `*.` (core group), then `*.*`.
    let secrets_gr = GroupResource::parse("secrets");
    let coverage = [
        secrets_gr,
        GroupResource::any_in(""),
        GroupResource::any_in("*"),
    ]
    .iter()
    .find_map(|gr| seen.get(gr).cloned())
    .map(|(i, matched_by)| SecretsCoverage {
        item_path: path_index("resources", i),
        matched_by,
        write_provider: write.get(i).copied().flatten(),
    });
    match &coverage {
        None => a.push(
            EncryptionFindingKind::SecretsNotEncrypted,
            Severity::High,
            "resources",
            "no resources item covers `secrets` (nor `*.` or `*.*`): Secrets are stored unencrypted in etcd".into(),
        ),
        Some(c) if c.write_provider == Some(ProviderKind::Identity) => a.push(
            EncryptionFindingKind::IdentityFirstForSecrets,
            Severity::High,
            &format!("{}.providers[0]", c.item_path),
            format!("Secrets (matched by `{}`) are written with the `identity` provider first: new and updated Secrets are stored unencrypted", c.matched_by),
        ),
        Some(_) => {}
    }
    a.findings
        .sort_by(|x, y| (&x.path, x.kind).cmp(&(&y.path, y.kind)));
    Some(EncryptionReport {
        kind: kind.to_string(),
        secrets: coverage,
        findings: a.findings,
    })
}

#[derive(Default)]
struct Analyzer {
    findings: Vec<EncryptionFinding>,
    /// Decoded key material -> first path.
    keys_seen: BTreeMap<Vec<u8>, String>,
}

impl Analyzer {
    fn push(
        &mut self,
        kind: EncryptionFindingKind,
        severity: Severity,
        path: &str,
        message: String,
    ) {
        self.findings.push(EncryptionFinding {
            kind,
            severity,
            path: path.to_string(),
            message,
        });
    }

    fn validate_names(&mut self, resources: &[(usize, &str)], rpath: &str) {
        for &(j, res) in resources {
            let gr = GroupResource::parse(res);
            let reason = if res.to_lowercase() != res {
                Some("resource names must not contain capital letters")
            } else if res == "*" {
                Some("use `*.` for all core resources or `*.*` for all resources")
            } else if matches!(
                res,
                "apiserveripinfo" | "serviceipallocations" | "servicenodeportallocations"
            ) {
                Some("resources without a REST API cannot be encrypted")
            } else if gr.group == "events.k8s.io" {
                Some("`*.events.k8s.io` objects are stored as `events`; use `events`")
            } else if gr.group == "extensions" {
                Some("the `extensions` group was removed and cannot be used")
            } else if gr.group == "*" && gr.resource != "*" {
                Some("encrypting one resource across all groups is not supported")
            } else {
                None
            };
            if let Some(r) = reason {
                self.push(
                    EncryptionFindingKind::InvalidResourceName,
                    Severity::Medium,
                    &path_index(rpath, j),
                    format!("`{res}`: {r}"),
                );
            }
        }
    }

    fn validate_overlap(&mut self, resources: &[(usize, &str)], rpath: &str) {
        let grs: Vec<GroupResource> = resources
            .iter()
            .map(|(_, r)| GroupResource::parse(r))
            .collect();
        let mut duplicate = false;
        let mut overlap = false;
        for (i, a) in grs.iter().enumerate() {
            for (j, b) in grs.iter().enumerate() {
                if i == j {
                    continue;
                }
                if a == b {
                    duplicate = true;
                } else if a.is_any_any()
                    || (a.group == b.group && (a.resource == "*" || b.resource == "*"))
                {
                    overlap = true;
                }
            }
        }
        if duplicate {
            self.push(
                EncryptionFindingKind::OverlappingResources,
                Severity::Medium,
                rpath,
                "the same resource is listed more than once".into(),
            );
        }
        if overlap {
            self.push(
                EncryptionFindingKind::OverlappingResources,
                Severity::Medium,
                rpath,
                "overlapping resources (such as `secrets` and `*.`) in one list are rejected"
                    .into(),
            );
        }
    }

    /// Checks an item's providers; returns the write (first) provider.
    fn providers(&mut self, item: &Node, ipath: &str) -> Option<ProviderKind> {
        let ppath = path_join(ipath, "providers");
        let providers: Vec<&Node> = item
            .get("providers")
            .map(|p| p.items().collect())
            .unwrap_or_default();
        if providers.is_empty() {
            self.push(
                EncryptionFindingKind::IncompleteResourceItem,
                Severity::Medium,
                &ppath,
                "at least one provider is required".into(),
            );
            return None;
        }
        let mut first = None;
        for (j, p) in providers.iter().enumerate() {
            let path = path_index(&ppath, j);
            let present: Vec<&str> = PROVIDER_NAMES
                .iter()
                .copied()
                // `identity:` with no value is JSON null: a nil pointer upstream, so absent.
                .filter(|n| p.get(n).is_some_and(|v| !v.is_null()))
                .collect();
            let [name] = present.as_slice() else {
                let msg = if present.is_empty() {
                    "provider item names none of identity, aescbc, aesgcm, secretbox, kms"
                } else {
                    "more than one provider in a single item; split them into separate items"
                };
                self.push(
                    EncryptionFindingKind::InvalidProviderItem,
                    Severity::Medium,
                    &path,
                    msg.into(),
                );
                continue;
            };
            let body = p.get(name);
            let kind = match *name {
                "identity" => ProviderKind::Identity,
                "aescbc" => ProviderKind::Aescbc,
                "aesgcm" => ProviderKind::Aesgcm,
                "secretbox" => ProviderKind::Secretbox,
                _ => {
                    let v = body
                        .and_then(|b| b.get("apiVersion"))
                        .and_then(Node::as_str)
                        .unwrap_or("v1");
                    if v == "v2" {
                        ProviderKind::KmsV2
                    } else {
                        ProviderKind::KmsV1
                    }
                }
            };
            let body_path = path_join(&path, name);
            match kind {
                ProviderKind::Aescbc | ProviderKind::Aesgcm => self.keys(body, &body_path, &[16, 24, 32]),
                ProviderKind::Secretbox => self.keys(body, &body_path, &[32]),
                ProviderKind::KmsV1 => self.push(
                    EncryptionFindingKind::KmsV1Deprecated,
                    Severity::Medium,
                    &body_path,
                    "KMS v1 is deprecated (Kubernetes 1.28) and disabled by default from 1.29; use `apiVersion: v2`".into(),
                ),
                ProviderKind::Identity | ProviderKind::KmsV2 => {}
            }
            if j == 0 {
                first = Some(kind);
                match kind {
                    ProviderKind::Aescbc => self.push(
                        EncryptionFindingKind::AescbcWriteProvider,
                        Severity::Medium,
                        &body_path,
                        "`aescbc` encrypts writes: AES-CBC is vulnerable to padding-oracle attacks and not recommended; prefer KMS v2 or secretbox".into(),
                    ),
                    ProviderKind::Aesgcm => self.push(
                        EncryptionFindingKind::AesgcmWriteProvider,
                        Severity::Low,
                        &body_path,
                        "`aesgcm` encrypts writes: each key must be rotated every 200,000 writes; use it only with automated rotation".into(),
                    ),
                    _ => {}
                }
            }
        }
        first
    }

    fn keys(&mut self, body: Option<&Node>, path: &str, sizes: &[usize]) {
        let kpath = path_join(path, "keys");
        let keys: Vec<&Node> = body
            .and_then(|b| b.get("keys"))
            .map(|k| k.items().collect())
            .unwrap_or_default();
        if keys.is_empty() {
            self.push(
                EncryptionFindingKind::NoKeys,
                Severity::Medium,
                &kpath,
                "at least one key is required".into(),
            );
            return;
        }
        for (i, key) in keys.iter().enumerate() {
            let path = path_index(&kpath, i);
            let name = key.get("name").and_then(Node::as_str).unwrap_or("");
            let secret = key.get("secret").and_then(Node::as_str).unwrap_or("");
            if name.is_empty() || secret.is_empty() {
                let missing = if name.is_empty() { "name" } else { "secret" };
                self.push(
                    EncryptionFindingKind::KeyIncomplete,
                    Severity::Medium,
                    &path,
                    format!("key has no `{missing}`"),
                );
                if secret.is_empty() {
                    continue;
                }
            }
            let spath = path_join(&path, "secret");
            let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(secret) else {
                self.push(
                    EncryptionFindingKind::KeyNotBase64,
                    Severity::Medium,
                    &spath,
                    "key secret is not valid base64".into(),
                );
                continue;
            };
            if !sizes.contains(&bytes.len()) {
                self.push(
                    EncryptionFindingKind::InvalidKeyLength,
                    Severity::Medium,
                    &spath,
                    format!(
                        "key decodes to {} bytes; expected one of {sizes:?}",
                        bytes.len()
                    ),
                );
            }
            if let Some(why) = weakness(&bytes) {
                self.push(
                    EncryptionFindingKind::WeakKeyMaterial,
                    Severity::High,
                    &spath,
                    format!("key material is weak: {why}"),
                );
            }
            match self.keys_seen.get(&bytes) {
                Some(first) => {
                    let msg = format!("the same key material is already used at `{first}`");
                    self.push(
                        EncryptionFindingKind::KeyReused,
                        Severity::Medium,
                        &spath,
                        msg,
                    );
                }
                None => {
                    self.keys_seen.insert(bytes, spath);
                }
            }
        }
    }
}

/// Why key material is obviously not random, if it is.
fn weakness(bytes: &[u8]) -> Option<&'static str> {
    if bytes.is_empty() {
        return None;
    }
    if bytes.iter().all(|&b| b == 0) {
        return Some("all bytes are zero");
    }
    if bytes.windows(2).all(|w| matches!(w, [a, b] if a == b)) {
        return Some("one repeated byte");
    }
    for period in 2..=8 {
        if bytes.len() >= period * 2
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| bytes.get(i % period) == Some(b))
        {
            return Some("a short repeated pattern");
        }
    }
    let distinct: BTreeSet<u8> = bytes.iter().copied().collect();
    if bytes.len() >= 16 && distinct.len() * 4 < bytes.len() {
        return Some("too few distinct byte values");
    }
    if bytes.len() >= 16 && bytes.iter().all(|b| (0x20..0x7f).contains(b)) {
        return Some("printable text (a passphrase), not random bytes");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(yaml: &str) -> EncryptionReport {
        let p = kubeward_yaml::parse_str(yaml);
        analyze_encryption_config(&p.documents[0].root).unwrap()
    }

    fn kinds(r: &EncryptionReport) -> Vec<(EncryptionFindingKind, String)> {
        r.findings
            .iter()
            .map(|f| (f.kind, f.path.clone()))
            .collect()
    }

    const GOOD_KEY: &str = "pU3KGCUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw=";

    #[test]
    fn good_config() {
        let r = run(&format!(
            "kind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - secretbox:\n      keys:\n      - name: k1\n        secret: {GOOD_KEY}\n  - identity: {{}}\n"
        ));
        assert_eq!(kinds(&r), []);
        assert_eq!(
            r.secrets.unwrap().write_provider,
            Some(ProviderKind::Secretbox)
        );
    }

    #[test]
    fn wildcards() {
        let core = run(
            "kind: EncryptionConfig\nresources:\n- resources: ['*.']\n  providers:\n  - kms: {apiVersion: v2, name: k, endpoint: unix:///k.sock}\n",
        );
        assert_eq!(core.secrets.as_ref().unwrap().matched_by, "*.");
        assert_eq!(kinds(&core), []);
        let apps = run(
            "kind: EncryptionConfiguration\nresources:\n- resources: ['*.apps']\n  providers:\n  - kms: {apiVersion: v2, name: k, endpoint: unix:///k.sock}\n",
        );
        assert!(apps.secrets.is_none());
        let all = run(
            "kind: EncryptionConfiguration\nresources:\n- resources: [events]\n  providers: [{identity: {}}]\n- resources: ['*.*']\n  providers:\n  - kms: {name: k, endpoint: unix:///k.sock}\n",
        );
        let c = all.secrets.clone().unwrap();
        assert_eq!(
            (c.matched_by.as_str(), c.item_path.as_str()),
            ("*.*", "resources[1]")
        );
        assert_eq!(
            kinds(&all),
            [(
                EncryptionFindingKind::KmsV1Deprecated,
                "resources[1].providers[0].kms".into()
            )]
        );
    }

    #[test]
    fn masked_and_identity() {
        let r = run(
            "kind: EncryptionConfiguration\nresources:\n- resources: ['*.*']\n  providers: [{identity: {}}]\n- resources: [secrets]\n  providers: [{identity: {}}]\n",
        );
        assert_eq!(
            kinds(&r),
            [
                (
                    EncryptionFindingKind::IdentityFirstForSecrets,
                    "resources[1].providers[0]".into()
                ),
                (
                    EncryptionFindingKind::MaskedResource,
                    "resources[1].resources[0]".into()
                ),
            ]
        );
    }

    #[test]
    fn weak_and_reused_keys() {
        // 32 zero bytes; 16 bytes of text ("secret is secure"); reused good key.
        let zero = base64::engine::general_purpose::STANDARD.encode([0u8; 32]);
        let r = run(&format!(
            "kind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - aescbc:\n      keys:\n      - {{name: a, secret: {zero}}}\n      - {{name: b, secret: c2VjcmV0IGlzIHNlY3VyZQ==}}\n      - {{name: c, secret: {GOOD_KEY}}}\n      - {{name: d, secret: 'not base64!'}}\n- resources: [configmaps]\n  providers:\n  - aesgcm:\n      keys:\n      - {{name: e, secret: {GOOD_KEY}}}\n      - {{name: f, secret: c2hvcnQ=}}\n"
        ));
        let k = kinds(&r);
        let p = "resources[0].providers[0].aescbc";
        assert!(k.contains(&(EncryptionFindingKind::AescbcWriteProvider, p.into())));
        assert!(k.contains(&(
            EncryptionFindingKind::WeakKeyMaterial,
            format!("{p}.keys[0].secret")
        )));
        assert!(k.contains(&(
            EncryptionFindingKind::WeakKeyMaterial,
            format!("{p}.keys[1].secret")
        )));
        assert!(k.contains(&(
            EncryptionFindingKind::KeyNotBase64,
            format!("{p}.keys[3].secret")
        )));
        let q = "resources[1].providers[0].aesgcm";
        assert!(k.contains(&(
            EncryptionFindingKind::KeyReused,
            format!("{q}.keys[0].secret")
        )));
        assert!(k.contains(&(
            EncryptionFindingKind::InvalidKeyLength,
            format!("{q}.keys[1].secret")
        )));
        assert!(k.contains(&(EncryptionFindingKind::AesgcmWriteProvider, q.into())));
        // No key material in messages.
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains(GOOD_KEY) && !json.contains("c2VjcmV0"));
    }

    #[test]
    fn null_provider_is_absent() {
        let r = run(
            "kind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - identity:\n",
        );
        assert_eq!(
            kinds(&r),
            [(
                EncryptionFindingKind::InvalidProviderItem,
                "resources[0].providers[0]".into()
            )]
        );
        assert_eq!(r.secrets.unwrap().write_provider, None);
    }

    #[test]
    fn invalid_items() {
        let r = run(
            "kind: EncryptionConfiguration\nresources:\n- resources: ['*', Secrets, secrets, '*.']\n  providers:\n  - {identity: {}, aescbc: {keys: []}}\n",
        );
        let k: Vec<_> = kinds(&r).into_iter().map(|(k, _)| k).collect();
        assert!(k.contains(&EncryptionFindingKind::InvalidResourceName));
        assert!(k.contains(&EncryptionFindingKind::OverlappingResources));
        assert!(k.contains(&EncryptionFindingKind::InvalidProviderItem));
        assert!(k.contains(&EncryptionFindingKind::MaskedResource));
    }
}

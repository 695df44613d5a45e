//! `scan_object`: walks a manifest object and scans every string with its key context.

use std::borrow::Cow;
use std::collections::BTreeSet;

use kubeward_yaml::{Node, Value, path_index, path_join};
use serde::Serialize;

use crate::detect::{KindHint, SecretMatch, ValueContext, b64std, scan_value};
use crate::heuristics::{KeySense, key_sense};

/// Annotation that kubectl writes with the whole last-applied object as JSON.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Embedded documents are followed this many levels deep.
const MAX_EMBED_DEPTH: usize = 3;
/// Embedded documents larger than this are scanned as text only.
const MAX_EMBED_BYTES: usize = 1024 * 1024;

/// How the scanned text was obtained from the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueEncoding {
    /// The field's string as written; `byte_range` indexes into it.
    Plain,
    /// The field was base64-decoded first (`Secret.data`, `ConfigMap.binaryData`);
    /// `byte_range` indexes into the decoded text.
    Base64,
}

/// A credential found somewhere in an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectSecretFinding {
    /// Field path of the string in the object (`data.password`, `spec.containers[0].env[2].value`).
    pub path: String,
    /// When the string held an embedded JSON/YAML document (a kubeconfig, a
    /// `.dockerconfigjson`, the last-applied configuration), the path inside it
    /// (nested documents joined with ` > `).
    pub embedded_path: Option<String>,
    /// How the field's text was decoded before scanning (applies to the outermost field).
    pub encoding: ValueEncoding,
    /// The key context the value was scanned with (map key, env var or header name, flag),
    /// for messages such as "`DB_PASSWORD` holds a literal credential".
    pub key: Option<String>,
    /// The match; `byte_range` is relative to the innermost scanned string.
    pub matched: SecretMatch,
}

/// Scans every string in `node` (a manifest object, or any YAML/JSON tree).
///
/// Secret `data` and ConfigMap `binaryData` values are base64-decoded first. Strings that
/// hold a JSON or YAML document (a kubeconfig in a ConfigMap, a `.dockerconfigjson`, the
/// `kubectl.kubernetes.io/last-applied-configuration` annotation) are parsed and walked.
/// Env vars and HTTP headers (`{name, value}` maps) use the `name` as the key context;
/// `args`/`command` pairs like `["--db-password", "..."]` use the flag. Findings from the
/// last-applied annotation that repeat a finding elsewhere in the object are dropped.
///
/// ```
/// let doc = kubeward_yaml::parse_str(
///     "kind: Secret\napiVersion: v1\nmetadata: {name: db}\ndata:\n  password: VnhfOWtxMkxtNFJ0N1pw\n",
/// );
/// let findings = kubeward_secrets::scan_object(&doc.documents[0].root);
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].path, "data.password");
/// assert_eq!(findings[0].matched.detector.id, "sensitive-key-value");
/// assert_eq!(findings[0].matched.redacted.to_string(), "****");
/// ```
#[must_use]
pub fn scan_object(node: &Node) -> Vec<ObjectSecretFinding> {
    let mut w = Walker::default();
    let frame = Frame {
        outer: None,
        encoding: ValueEncoding::Plain,
        depth: 0,
        last_applied: false,
    };
    w.document(node, &mut Cursor::default(), &frame);
    w.finish()
}

#[derive(Default)]
struct Walker {
    found: Vec<(ObjectSecretFinding, bool)>,
}

/// One step of the path from the document root to the current node.
enum Seg<'n> {
    Key(Cow<'n, str>),
    Index(usize),
}

/// The path to the current node as a stack; rendered to a string only for findings.
#[derive(Default)]
struct Cursor<'n> {
    segs: Vec<Seg<'n>>,
}

impl<'n> Cursor<'n> {
    fn render(&self) -> String {
        let mut out = String::new();
        for s in &self.segs {
            out = match s {
                Seg::Key(k) => path_join(&out, k),
                Seg::Index(i) => path_index(&out, *i),
            };
        }
        out
    }

    fn last_key(&self) -> Option<&str> {
        self.segs.iter().rev().find_map(|s| match s {
            Seg::Key(k) => Some(k.as_ref()),
            Seg::Index(_) => None,
        })
    }

    /// The key `n` levels above the current node (0 = the current key).
    fn key_at(&self, up: usize) -> Option<&str> {
        let i = self.segs.len().checked_sub(up + 1)?;
        match self.segs.get(i)? {
            Seg::Key(k) => Some(k.as_ref()),
            Seg::Index(_) => None,
        }
    }

    fn has_key(&self, key: &str) -> bool {
        self.segs
            .iter()
            .any(|s| matches!(s, Seg::Key(k) if k.as_ref() == key))
    }
}

/// Where we are with respect to embedded documents.
#[derive(Clone)]
struct Frame {
    /// The outer field path and the inner path prefix, once inside an embedded document.
    outer: Option<(String, String)>,
    encoding: ValueEncoding,
    depth: usize,
    last_applied: bool,
}

impl Frame {
    fn locate(&self, path: String) -> (String, Option<String>) {
        match &self.outer {
            None => (path, None),
            Some((outer, prefix)) => {
                let inner = if prefix.is_empty() {
                    path
                } else if path.is_empty() {
                    prefix.clone()
                } else {
                    format!("{prefix} > {path}")
                };
                (outer.clone(), Some(inner))
            }
        }
    }
}

/// Every entry of a mapping with a scalar key, duplicates included: a value shadowed by a
/// later duplicate key is still committed to the file, so it is scanned too. (Linear,
/// unlike `Node::entries`, which resolves duplicates.)
fn all_entries(node: &Node) -> impl Iterator<Item = (Cow<'_, str>, &Node)> {
    node.as_map()
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.scalar_string()?, v)))
}

fn kind_of(node: &Node) -> Option<&str> {
    node.get("kind").and_then(Node::as_str)
}

fn str_field<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Node::as_str)
}

impl Walker {
    fn finish(self) -> Vec<ObjectSecretFinding> {
        // Secrets seen outside the last-applied annotation.
        let live: BTreeSet<(&str, &str)> = self
            .found
            .iter()
            .filter(|(_, la)| !la)
            .map(|(f, _)| {
                (
                    f.matched.detector.id,
                    f.matched.redacted.expose_secret().as_str(),
                )
            })
            .collect();
        let mut out: Vec<ObjectSecretFinding> = self
            .found
            .iter()
            .filter(|(f, la)| {
                !la || !live.contains(&(
                    f.matched.detector.id,
                    f.matched.redacted.expose_secret().as_str(),
                ))
            })
            .map(|(f, _)| f.clone())
            .collect();
        out.sort_by(|a, b| {
            (
                &a.path,
                &a.embedded_path,
                a.matched.byte_range.start,
                a.matched.detector.id,
            )
                .cmp(&(
                    &b.path,
                    &b.embedded_path,
                    b.matched.byte_range.start,
                    b.matched.detector.id,
                ))
        });
        out.dedup();
        out
    }

    /// A document root: applies kind-specific decoding, then walks generically.
    fn document<'n>(&mut self, root: &'n Node, cur: &mut Cursor<'n>, frame: &Frame) {
        let kind = kind_of(root);
        let is_secret = kind == Some("Secret");
        let is_configmap = kind == Some("ConfigMap");
        let is_kubeconfig = kind == Some("Config")
            || (root.get("users").is_some() && root.get("clusters").is_some());
        if !root.is_map() {
            self.node(root, cur, None, KindHint::Generic, frame);
            return;
        }
        let root_hint = if str_field(root, "type") == Some("service_account") {
            KindHint::GcpServiceAccount
        } else {
            KindHint::Generic
        };
        for (key, value) in all_entries(root) {
            let k = key.clone();
            cur.segs.push(Seg::Key(key));
            match k.as_ref() {
                "data" if is_secret => self.decoded_map(value, cur, KindHint::SecretData, frame),
                "binaryData" if is_configmap => {
                    self.decoded_map(value, cur, KindHint::ConfigData, frame);
                }
                "data" | "stringData" if is_secret || is_configmap => {
                    let hint = if is_secret {
                        KindHint::SecretData
                    } else {
                        KindHint::ConfigData
                    };
                    for (dk, dv) in all_entries(value) {
                        let dkey = dk.clone();
                        cur.segs.push(Seg::Key(dk));
                        self.node(dv, cur, Some(&dkey), hint, frame);
                        cur.segs.pop();
                    }
                }
                "users" if is_kubeconfig => {
                    self.node(value, cur, Some(&k), KindHint::Kubeconfig, frame);
                }
                _ => self.node(value, cur, Some(&k), root_hint, frame),
            }
            cur.segs.pop();
        }
    }

    /// A map of base64 values (`Secret.data`, `ConfigMap.binaryData`).
    fn decoded_map<'n>(
        &mut self,
        map: &'n Node,
        cur: &mut Cursor<'n>,
        hint: KindHint,
        frame: &Frame,
    ) {
        for (k, v) in all_entries(map) {
            let key = k.clone();
            cur.segs.push(Seg::Key(k));
            if let Some(raw) = v.as_str() {
                match b64std(raw).map(String::from_utf8) {
                    Some(Ok(text)) => {
                        let mut f = frame.clone();
                        if f.outer.is_none() {
                            f.encoding = ValueEncoding::Base64;
                        }
                        self.string(&text, cur, Some(&key), hint, &f);
                    }
                    // Binary content (images, keystores): no text to scan.
                    Some(Err(_)) => {}
                    // Not base64 (the API server would reject it): scan the raw text.
                    None => self.string(raw, cur, Some(&key), hint, frame),
                }
            }
            cur.segs.pop();
        }
    }

    fn node<'n>(
        &mut self,
        node: &'n Node,
        cur: &mut Cursor<'n>,
        key: Option<&str>,
        hint: KindHint,
        frame: &Frame,
    ) {
        match &node.value {
            Value::Str(s) => {
                let hint = if key == Some("image") {
                    KindHint::Image
                } else {
                    hint
                };
                self.string(s, cur, key, hint, frame);
            }
            Value::Map(_) => self.map(node, cur, hint, frame),
            Value::Seq(items) => self.seq(items, cur, key, hint, frame),
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
        }
    }

    fn map<'n>(&mut self, node: &'n Node, cur: &mut Cursor<'n>, hint: KindHint, frame: &Frame) {
        // One pass for the fields that shape the walk (the last duplicate wins, as in
        // `Node::get`).
        let mut name = None;
        let mut is_service_account = false;
        let mut has_clusters = false;
        for (k, v) in node.as_map().unwrap_or_default() {
            match k.as_str() {
                Some("name") => name = v.as_str(),
                Some("type") => is_service_account = v.as_str() == Some("service_account"),
                Some("clusters") => has_clusters = true,
                _ => {}
            }
        }
        // `{name, value}` pairs: env vars, HTTP headers, parameters.
        let pair_hint = if cur.has_key("httpHeaders") {
            KindHint::HttpHeader
        } else if cur.key_at(1) == Some("env") {
            KindHint::EnvValue
        } else {
            hint
        };
        let child_hint = if is_service_account {
            KindHint::GcpServiceAccount
        } else {
            hint
        };
        let parent_key = cur.last_key().map(str::to_string);
        for (key, value) in all_entries(node) {
            let k = key.clone();
            cur.segs.push(Seg::Key(key));
            match k.as_ref() {
                "value" if name.is_some() && value.as_str().is_some() => {
                    self.node(value, cur, name, pair_hint, frame);
                }
                "annotations" if parent_key.as_deref() == Some("metadata") => {
                    for (ak, av) in all_entries(value) {
                        let akey = ak.clone();
                        cur.segs.push(Seg::Key(ak));
                        if let Some(text) = av.as_str() {
                            if akey == LAST_APPLIED {
                                let mut f = frame.clone();
                                f.last_applied = true;
                                self.string(text, cur, Some(&akey), KindHint::Annotation, &f);
                            } else {
                                self.string(text, cur, Some(&akey), KindHint::Annotation, frame);
                            }
                        }
                        cur.segs.pop();
                    }
                }
                "auths" => self.node(value, cur, Some(&k), KindHint::DockerConfig, frame),
                // SealedSecret and similar: asymmetric ciphertext, safe to commit.
                "encryptedData" => {}
                "users" if value.is_seq() && has_clusters => {
                    self.node(value, cur, Some(&k), KindHint::Kubeconfig, frame);
                }
                _ => self.node(value, cur, Some(&k), child_hint, frame),
            }
            cur.segs.pop();
        }
    }

    fn seq<'n>(
        &mut self,
        items: &'n [Node],
        cur: &mut Cursor<'n>,
        key: Option<&str>,
        hint: KindHint,
        frame: &Frame,
    ) {
        let cmdline = matches!(key, Some("args" | "command"));
        let hint = if cmdline { KindHint::CommandLine } else { hint };
        let mut skip_next = false;
        for (i, item) in items.iter().enumerate() {
            if skip_next {
                skip_next = false;
                continue;
            }
            cur.segs.push(Seg::Index(i));
            if cmdline
                && let Some(flag) = item.as_str()
                && flag.starts_with('-')
                && !flag.contains('=')
                && key_sense(flag) == KeySense::Sensitive
                && let Some(next) = items.get(i + 1).and_then(Node::as_str)
                && !next.starts_with('-')
            {
                self.string(flag, cur, key, hint, frame);
                cur.segs.pop();
                cur.segs.push(Seg::Index(i + 1));
                self.string(next, cur, Some(flag), hint, frame);
                skip_next = true;
            } else {
                self.node(item, cur, key, hint, frame);
            }
            cur.segs.pop();
        }
    }

    fn record(&mut self, cur: &Cursor<'_>, key: Option<&str>, frame: &Frame, m: SecretMatch) {
        let (path, embedded_path) = frame.locate(cur.render());
        self.found.push((
            ObjectSecretFinding {
                path,
                embedded_path,
                encoding: frame.encoding,
                key: key.map(str::to_string),
                matched: m,
            },
            frame.last_applied,
        ));
    }

    /// One string: an embedded document is walked; otherwise the text is scanned.
    fn string(
        &mut self,
        text: &str,
        cur: &Cursor<'_>,
        key: Option<&str>,
        hint: KindHint,
        frame: &Frame,
    ) {
        if frame.depth < MAX_EMBED_DEPTH
            && let Some(docs) = embedded_documents(text)
        {
            let before = self.found.len();
            let multi = docs.len() > 1;
            let here = cur.render();
            for (i, doc) in docs.iter().enumerate() {
                let prefix = if multi {
                    path_index("", i)
                } else {
                    String::new()
                };
                let outer = match &frame.outer {
                    None => (here.clone(), prefix),
                    Some((outer, _)) => {
                        let inner_here = frame.locate(here.clone()).1.unwrap_or_default();
                        let joined = if prefix.is_empty() {
                            inner_here
                        } else {
                            format!("{inner_here} > {prefix}")
                        };
                        (outer.clone(), joined)
                    }
                };
                let inner = Frame {
                    outer: Some(outer),
                    encoding: frame.encoding,
                    depth: frame.depth + 1,
                    last_applied: frame.last_applied,
                };
                let mut inner_cur = Cursor::default();
                if matches!(
                    key,
                    Some(".dockerconfigjson" | ".dockercfg" | "config.json")
                ) {
                    self.node(doc, &mut inner_cur, None, KindHint::DockerConfig, &inner);
                } else {
                    self.document(doc, &mut inner_cur, &inner);
                }
            }
            if self.found.len() > before {
                return;
            }
        }
        let ctx = ValueContext {
            key,
            kind_hint: hint,
        };
        for m in scan_value(&ctx, text) {
            self.record(cur, key, frame, m);
        }
    }
}

/// The first meaningful line is a YAML mapping key (`key:`), a sequence item or a document
/// marker, so prose with colons is not parsed.
fn starts_like_yaml(t: &str) -> bool {
    let Some(line) = t
        .lines()
        .map(str::trim_end)
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
    else {
        return false;
    };
    if line == "---" || line.starts_with("- ") || line.starts_with("%YAML") {
        return true;
    }
    let Some((key, rest)) = line.split_once(':') else {
        return false;
    };
    let key = key.trim_matches(|c| c == '"' || c == '\'');
    let key_ok = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'));
    key_ok && (rest.is_empty() || rest.starts_with(' '))
}

/// A JSON value as a [`Node`] (spans are empty: embedded findings are located by the outer
/// field path).
fn json_to_node(v: serde_json::Value) -> Node {
    let span = kubeward_yaml::NULL.span;
    let value = match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(a) => Value::Seq(a.into_iter().map(json_to_node).collect()),
        serde_json::Value::Object(o) => Value::Map(
            o.into_iter()
                .map(|(k, v)| (Node::new(Value::Str(k), span), json_to_node(v)))
                .collect(),
        ),
    };
    Node::new(value, span)
}

fn non_empty_collection(n: &Node) -> bool {
    match &n.value {
        Value::Map(m) => !m.is_empty(),
        Value::Seq(s) => !s.is_empty(),
        _ => false,
    }
}

/// Parses `text` as embedded JSON/YAML when it plausibly is one and yields collections.
/// JSON goes through serde_json (fast); YAML through the kubeward loader.
fn embedded_documents(text: &str) -> Option<Vec<Node>> {
    let t = text.trim();
    if t.len() < 8 || t.len() > MAX_EMBED_BYTES {
        return None;
    }
    let jsonish =
        (t.starts_with('{') && t.ends_with('}')) || (t.starts_with('[') && t.ends_with(']'));
    if jsonish && let Ok(v) = serde_json::from_str::<serde_json::Value>(t) {
        let node = json_to_node(v);
        return non_empty_collection(&node).then(|| vec![node]);
    }
    let yamlish = t.contains('\n') && starts_like_yaml(t);
    if !(jsonish || yamlish) {
        return None;
    }
    let parsed = kubeward_yaml::parse_str(t);
    if parsed
        .issues
        .iter()
        .any(|i| i.severity == kubeward_yaml::IssueSeverity::Error)
    {
        return None;
    }
    let docs: Vec<Node> = parsed
        .documents
        .into_iter()
        .map(|d| d.root)
        .filter(non_empty_collection)
        .collect();
    (!docs.is_empty()).then_some(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(yaml: &str) -> Vec<ObjectSecretFinding> {
        let parsed = kubeward_yaml::parse_str(yaml);
        scan_object(&parsed.documents[0].root)
    }

    fn summary(f: &[ObjectSecretFinding]) -> Vec<(String, Option<String>, &'static str)> {
        f.iter()
            .map(|f| {
                (
                    f.path.clone(),
                    f.embedded_path.clone(),
                    f.matched.detector.id,
                )
            })
            .collect()
    }

    #[test]
    fn env_uses_name_as_key() {
        let f = scan(
            "kind: Pod\nspec:\n  containers:\n  - name: app\n    env:\n    - name: DB_PASSWORD\n      value: Vx9#kq2!Lm4@Rt7\n    - name: MODE\n      value: Vx9#kq2!Lm4@Rt7\n",
        );
        assert_eq!(
            summary(&f),
            [(
                "spec.containers[0].env[0].value".to_string(),
                None,
                "sensitive-key-value"
            )]
        );
    }

    #[test]
    fn args_flag_pairs() {
        let f = scan(
            "kind: Pod\nspec:\n  containers:\n  - name: app\n    args: [\"--db-password\", \"Vx9kq2Lm4Rt7Zp\", \"--api-token=Qz8Wx3Ec5Rv7Tb9Yn\"]\n",
        );
        let s = summary(&f);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0].0, "spec.containers[0].args[1]");
        assert_eq!(s[1].0, "spec.containers[0].args[2]");
    }

    #[test]
    fn dockerconfigjson_in_secret() {
        // {"auths":{"registry.corp.io":{"auth":"<b64 robot:Qw3rTy7Ui9Op>"}}}
        let inner = r#"{"auths":{"registry.corp.io":{"auth":"cm9ib3Q6UXczclR5N1VpOU9w"}}}"#;
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(inner);
        let f = scan(&format!(
            "kind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {b64}\n"
        ));
        assert_eq!(
            summary(&f),
            [(
                "data[\".dockerconfigjson\"]".to_string(),
                Some("auths[\"registry.corp.io\"].auth".to_string()),
                "docker-registry-auth"
            )]
        );
        assert_eq!(f[0].encoding, ValueEncoding::Base64);
    }

    #[test]
    fn last_applied_is_deduped() {
        let f = scan(
            "kind: ConfigMap\nmetadata:\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"kind\":\"ConfigMap\",\"data\":{\"api_key\":\"Qz8Wx3Ec5Rv7Tb9Yn\"}}'\ndata:\n  api_key: Qz8Wx3Ec5Rv7Tb9Yn\n",
        );
        assert_eq!(
            summary(&f),
            [("data.api_key".to_string(), None, "sensitive-key-value")]
        );
        let only_annotation = scan(
            "kind: ConfigMap\nmetadata:\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"kind\":\"ConfigMap\",\"data\":{\"api_key\":\"Qz8Wx3Ec5Rv7Tb9Yn\"}}'\n",
        );
        assert_eq!(only_annotation.len(), 1);
        assert_eq!(
            only_annotation[0].embedded_path.as_deref(),
            Some("data.api_key")
        );
    }

    #[test]
    fn kubeconfig_in_configmap() {
        let f = scan(
            "kind: ConfigMap\ndata:\n  kubeconfig: |\n    apiVersion: v1\n    kind: Config\n    clusters:\n    - name: c\n      cluster: {server: https://k8s.corp.io}\n    users:\n    - name: admin\n      user:\n        token: Zk8Pq2Lm4Xv7Rt9Yh1Jd5Fs0Ga3Bn6Ct\n",
        );
        assert_eq!(
            summary(&f),
            [(
                "data.kubeconfig".to_string(),
                Some("users[0].user.token".to_string()),
                "kubeconfig-credential"
            )]
        );
    }

    #[test]
    fn multi_document_embedded_yaml() {
        let f = scan(
            "kind: ConfigMap\ndata:\n  bundle.yaml: |\n    kind: ConfigMap\n    data: {a: b}\n    ---\n    kind: ConfigMap\n    data:\n      api_key: Qz8Wx3Ec5Rv7Tb9Yn\n",
        );
        assert_eq!(
            summary(&f),
            [(
                "data[\"bundle.yaml\"]".to_string(),
                Some("[1] > data.api_key".to_string()),
                "sensitive-key-value"
            )]
        );
    }

    #[test]
    fn nested_embedded_paths() {
        use base64::Engine as _;
        // last-applied JSON of a Secret whose data holds a base64 .dockerconfigjson.
        let dcj = r#"{"auths":{"r.io":{"auth":"cm9ib3Q6UXczclR5N1VpOU9w"}}}"#;
        let b64 = base64::engine::general_purpose::STANDARD.encode(dcj);
        let last = serde_json::json!({"kind": "Secret", "data": {".dockerconfigjson": b64}});
        let yaml = format!(
            "kind: Secret\nmetadata:\n  annotations:\n    {LAST_APPLIED}: {}\n",
            serde_json::to_string(&last.to_string()).unwrap()
        );
        let f = scan(&yaml);
        assert_eq!(
            summary(&f),
            [(
                format!("metadata.annotations[\"{LAST_APPLIED}\"]"),
                Some("data[\".dockerconfigjson\"] > auths[\"r.io\"].auth".to_string()),
                "docker-registry-auth"
            )]
        );
    }

    #[test]
    fn duplicate_keys_are_all_scanned() {
        let f = scan("kind: ConfigMap\ndata:\n  api_key: Qz8Wx3Ec5Rv7Tb9Yn\n  api_key: ${KEY}\n");
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn list_items_and_sealed_secrets() {
        let f = scan(
            "kind: List\nitems:\n- kind: Secret\n  stringData: {password: Vx9kq2Lm4Rt7Zp}\n- kind: SealedSecret\n  spec:\n    encryptedData: {password: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq}\n",
        );
        assert_eq!(
            summary(&f),
            [(
                "items[0].stringData.password".to_string(),
                None,
                "sensitive-key-value"
            )]
        );
    }

    #[test]
    fn binary_data_that_is_not_text_is_skipped() {
        // base64 of bytes 0x89 'P' 'N' 'G' 0xff 0xfe ...
        let f = scan("kind: ConfigMap\nbinaryData:\n  password: iVBOR//+AAEC\n");
        assert!(f.is_empty());
    }

    #[test]
    fn probe_header() {
        let f = scan(
            "kind: Pod\nspec:\n  containers:\n  - name: a\n    livenessProbe:\n      httpGet:\n        path: /healthz\n        httpHeaders:\n        - name: Authorization\n          value: Bearer Zk8Pq2Lm4Xv7Rt9Yh1Jd5Fs0Ga3Bn6Ct\n",
        );
        assert_eq!(
            summary(&f),
            [(
                "spec.containers[0].livenessProbe.httpGet.httpHeaders[0].value".to_string(),
                None,
                "authorization-header"
            )]
        );
    }
}

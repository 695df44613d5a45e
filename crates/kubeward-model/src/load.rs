//! Turning a source file into [`Object`]s: documents, `List` kinds, Helm and Kustomize origins,
//! and shape checks on the fields rules depend on.

use kubeward_source::{SourceFile, Span};
use kubeward_yaml::{IssueKind, IssueSeverity, Limits, Node, Value, parse_each};

use crate::object::{Object, ObjectRef, Origin};

/// What kind of problem a [`ModelIssue`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelIssueKind {
    /// A YAML loader issue (syntax, duplicate key, limits).
    Yaml(IssueKind),
    /// A document that is not a Kubernetes object (no `kind` or `apiVersion`, not a mapping).
    NotAnObject,
    /// A field has the wrong type (`containers: "x"`, `privileged: "yes please"`).
    WrongType,
}

/// A located problem found while turning a file into objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelIssue {
    /// What went wrong.
    pub kind: ModelIssueKind,
    /// Errors mean something could not be loaded.
    pub severity: IssueSeverity,
    /// Where.
    pub span: Span,
    /// Field path, when the issue is about a field of an object.
    pub path: Option<String>,
    /// Human-readable explanation.
    pub message: String,
}

/// The objects and issues of one file.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Objects in document order (list items expanded).
    pub objects: Vec<Object>,
    /// Problems in position order.
    pub issues: Vec<ModelIssue>,
    /// Number of YAML documents read (empty ones included).
    pub documents: usize,
}

/// Loads objects from a text with default limits (convenient for tests and doc examples).
#[must_use]
pub fn load_text(path: &str, text: &str) -> Loaded {
    load_source(&SourceFile::new(path, text), Limits::default())
}

/// Loads every object of a source file.
#[must_use]
pub fn load_source(source: &SourceFile, limits: Limits) -> Loaded {
    let mut loaded = Loaded::default();
    let mut previous_end_line = 0u32;
    let yaml_issues = parse_each(source.text(), limits, |doc| {
        loaded.documents += 1;
        let template = helm_source(source, previous_end_line, doc.root.span.start.line);
        previous_end_line = doc.root.span.end.line.max(doc.root.span.start.line);
        if doc.root.is_null() {
            return;
        }
        let span = doc.root.span;
        add_document(&mut loaded, source, doc.index, doc.root, template, span);
    });
    loaded
        .issues
        .extend(yaml_issues.into_iter().map(|issue| ModelIssue {
            kind: ModelIssueKind::Yaml(issue.kind),
            severity: issue.severity,
            span: issue.span,
            path: None,
            message: issue.message,
        }));
    loaded.issues.sort_by_key(|i| i.span.start);
    loaded
}

/// The last Helm `# Source: chart/templates/x.yaml` comment between two lines (exclusive).
fn helm_source(source: &SourceFile, after: u32, before: u32) -> Option<String> {
    (after.saturating_add(1)..before)
        .rev()
        .filter_map(|n| source.line(n))
        .find_map(|line| line.trim_start().strip_prefix("# Source: "))
        .map(|s| s.trim().to_string())
}

fn add_document(
    loaded: &mut Loaded,
    source: &SourceFile,
    document: usize,
    root: Node,
    template: Option<String>,
    span: Span,
) {
    if !root.is_map() {
        loaded.issues.push(not_an_object(
            span,
            None,
            format!(
                "document is a {}, not a Kubernetes object; skipped",
                root.type_name()
            ),
        ));
        return;
    }
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    let api_version = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let is_list = kind.ends_with("List") && root.get("items").is_some_and(Node::is_seq);
    if is_list {
        let item_kind = (kind != "List").then(|| kind.trim_end_matches("List").to_string());
        let list_api_version = api_version.to_string();
        let Value::Map(entries) = root.value else {
            return;
        };
        let Some(items) = entries
            .into_iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some("items"))
            .map(|(_, v)| v)
        else {
            return;
        };
        let Value::Seq(items) = items.value else {
            return;
        };
        for (i, item) in items.into_iter().enumerate() {
            let item_span = item.span;
            if !item.is_map() {
                loaded.issues.push(not_an_object(
                    item_span,
                    Some(format!("items[{i}]")),
                    format!(
                        "list item is a {}, not an object; skipped",
                        item.type_name()
                    ),
                ));
                continue;
            }
            let kind = item
                .get("kind")
                .and_then(Node::as_str)
                .map(str::to_string)
                .or_else(|| item_kind.clone());
            let Some(kind) = kind else {
                loaded.issues.push(not_an_object(
                    item_span,
                    Some(format!("items[{i}]")),
                    "item of a `kind: List` has no `kind`; skipped".to_string(),
                ));
                continue;
            };
            let api_version = item
                .get("apiVersion")
                .and_then(Node::as_str)
                .map_or_else(|| list_api_version.clone(), str::to_string);
            push_object(
                loaded,
                item,
                kind,
                api_version,
                Origin {
                    source: source.clone(),
                    document,
                    item: Some(i),
                    template: template.clone(),
                    span: item_span,
                },
            );
        }
        return;
    }
    if kind.is_empty() && api_version.is_empty() && is_json_file(source) {
        // Other JSON (package.json, SBOMs, OSV advisories, tool configs) in a scanned tree is
        // not a broken manifest; reporting every such file would drown the real ones.
        return;
    }
    if kind.is_empty() || api_version.is_empty() {
        let missing = if kind.is_empty() {
            "kind"
        } else {
            "apiVersion"
        };
        loaded.issues.push(not_an_object(
            span,
            None,
            format!("document has no `{missing}`, so it is not a Kubernetes object; skipped"),
        ));
        return;
    }
    let (kind, api_version) = (kind.to_string(), api_version.to_string());
    push_object(
        loaded,
        root,
        kind,
        api_version,
        Origin {
            source: source.clone(),
            document,
            item: None,
            template,
            span,
        },
    );
}

/// Whether the document comes from a `.json` file.
fn is_json_file(source: &SourceFile) -> bool {
    std::path::Path::new(source.path())
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn not_an_object(span: Span, path: Option<String>, message: String) -> ModelIssue {
    ModelIssue {
        kind: ModelIssueKind::NotAnObject,
        severity: IssueSeverity::Warning,
        span,
        path,
        message,
    }
}

fn push_object(
    loaded: &mut Loaded,
    root: Node,
    kind: String,
    api_version: String,
    mut origin: Origin,
) {
    let metadata = root.get("metadata");
    let name = metadata
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .and_then(Node::scalar_string)
        .map(|s| s.into_owned())
        .unwrap_or_default();
    let namespace = metadata
        .and_then(|m| m.get("namespace"))
        .and_then(Node::scalar_string)
        .map(|s| s.into_owned());
    if origin.template.is_none() {
        origin.template = metadata
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get("config.kubernetes.io/origin"))
            .and_then(Node::as_str)
            .and_then(kustomize_origin_path);
    }
    let object = Object {
        reference: ObjectRef {
            api_version,
            kind,
            namespace,
            name,
        },
        root,
        origin,
    };
    let prefix = object.document_path();
    for (span, path, message) in crate::shape::check_shapes(&object) {
        loaded.issues.push(ModelIssue {
            kind: ModelIssueKind::WrongType,
            severity: IssueSeverity::Warning,
            span,
            path: Some(if prefix.is_empty() {
                path
            } else {
                format!("{prefix}.{path}")
            }),
            message,
        });
    }
    loaded.objects.push(object);
}

/// The `path:` line of a Kustomize `config.kubernetes.io/origin` annotation.
fn kustomize_origin_path(annotation: &str) -> Option<String> {
    let mut path = None;
    let mut repo = None;
    for line in annotation.lines() {
        let line = line.trim();
        if let Some(p) = line.strip_prefix("path:") {
            path = Some(p.trim().trim_matches(['"', '\'']).to_string());
        } else if let Some(r) = line.strip_prefix("repo:") {
            repo = Some(r.trim().trim_matches(['"', '\'']).to_string());
        }
    }
    match (repo, path) {
        (Some(repo), Some(path)) => Some(format!("{repo}//{path}")),
        (None, path) => path,
        (Some(_), None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_typed_lists() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- {metadata: {name: b}}\n---\napiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: c, namespace: x}\n";
        let loaded = load_text("l.yaml", text);
        let names: Vec<_> = loaded
            .objects
            .iter()
            .map(|o| (o.kind().to_string(), o.name().to_string()))
            .collect();
        assert_eq!(
            names,
            vec![("Pod".into(), "a".into()), ("Pod".into(), "c".into())]
        );
        assert_eq!(loaded.objects[1].origin.item, Some(0));
        assert_eq!(loaded.objects[1].reference.api_version, "v1");
        assert_eq!(loaded.issues.len(), 1);
        assert_eq!(loaded.issues[0].kind, ModelIssueKind::NotAnObject);
    }

    #[test]
    fn other_json_is_not_reported_but_a_kindless_manifest_is() {
        let sbom = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}"#;
        assert!(load_text("sbom.cdx.json", sbom).issues.is_empty());
        assert!(
            load_text("package.JSON", r#"{"name":"x"}"#)
                .issues
                .is_empty()
        );
        // Half a manifest is still reported, in JSON as in YAML.
        let half = r#"{"apiVersion":"v1","metadata":{"name":"x"}}"#;
        assert_eq!(load_text("pod.json", half).issues.len(), 1);
        assert_eq!(load_text("values.yaml", "replicas: 3\n").issues.len(), 1);
    }

    #[test]
    fn helm_source_comments() {
        let text = "---\n# Source: chart/templates/a.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n# Source: chart/templates/b.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n";
        let loaded = load_text("h.yaml", text);
        assert_eq!(
            loaded.objects[0].origin.template.as_deref(),
            Some("chart/templates/a.yaml")
        );
        assert_eq!(
            loaded.objects[1].origin.template.as_deref(),
            Some("chart/templates/b.yaml")
        );
    }

    #[test]
    fn kustomize_origin() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  annotations:\n    config.kubernetes.io/origin: |\n      path: base/service.yaml\n";
        let loaded = load_text("k.yaml", text);
        assert_eq!(
            loaded.objects[0].origin.template.as_deref(),
            Some("base/service.yaml")
        );
    }

    #[test]
    fn documents_without_kind_are_reported() {
        let loaded = load_text("v.yaml", "replicaCount: 1\n---\n- a\n---\n");
        assert!(loaded.objects.is_empty());
        assert_eq!(loaded.issues.len(), 2);
        assert_eq!(loaded.documents, 3);
    }
}

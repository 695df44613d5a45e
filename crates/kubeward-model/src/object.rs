//! [`Object`]: one Kubernetes object with its identity, source and spanned tree.

use std::fmt;

use kubeward_source::{SourceFile, Span};
use kubeward_yaml::Node;
use serde::Serialize;

/// Identity of an object: `apiVersion`, `kind`, `namespace`, `name`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    /// `apiVersion`, e.g. `apps/v1`.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// `kind`, e.g. `Deployment`.
    pub kind: String,
    /// `metadata.namespace` as written (absent for cluster-scoped objects or objects applied
    /// with `kubectl -n`).
    pub namespace: Option<String>,
    /// `metadata.name` (or `metadata.generateName`, or empty).
    pub name: String,
}

impl ObjectRef {
    /// The API group of the object (`""` for the core group).
    #[must_use]
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// Where an object came from.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The file (or stdin) it was read from.
    pub source: SourceFile,
    /// Index of the YAML document in the file.
    pub document: usize,
    /// Index in `items` when the object came from a `List`.
    pub item: Option<usize>,
    /// The template that rendered it: from a Helm `# Source:` comment or a Kustomize
    /// `config.kubernetes.io/origin` annotation.
    pub template: Option<String>,
    /// Span of the whole object in the file.
    pub span: Span,
}

/// A Kubernetes object read from a manifest.
#[derive(Debug, Clone)]
pub struct Object {
    /// Identity.
    pub reference: ObjectRef,
    /// The object's tree (the `items[i]` node for list items).
    pub root: Node,
    /// Where it came from.
    pub origin: Origin,
}

impl Object {
    /// `kind`.
    #[must_use]
    pub fn kind(&self) -> &str {
        &self.reference.kind
    }

    /// `metadata.name`.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.reference.name
    }

    /// `metadata.namespace` if written.
    #[must_use]
    pub fn namespace(&self) -> Option<&str> {
        self.reference.namespace.as_deref()
    }

    /// `metadata`, if present.
    #[must_use]
    pub fn metadata(&self) -> Option<&Node> {
        self.root.get("metadata")
    }

    /// A label value from `metadata.labels`.
    #[must_use]
    pub fn label(&self, key: &str) -> Option<&str> {
        self.metadata()?.get("labels")?.get(key)?.as_str()
    }

    /// An annotation value from `metadata.annotations`.
    #[must_use]
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata()?.get("annotations")?.get(key)?.as_str()
    }

    /// Field-path prefix of this object inside its document (`items[3]` for list items, empty
    /// otherwise).
    #[must_use]
    pub fn document_path(&self) -> String {
        self.origin
            .item
            .map_or_else(String::new, |i| format!("items[{i}]"))
    }
}

//! Pod-spec extraction for every workload kind and container views with field paths.

use kubeward_yaml::{Node, path_index, path_join};

use crate::Object;

/// Kinds whose objects carry a pod spec, with the path to their pod template.
pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "PodTemplate",
];

/// Where the pod template lives for a kind: (metadata path, spec path).
#[must_use]
pub fn pod_template_paths(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "Pod" => ("metadata", "spec"),
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController" => ("spec.template.metadata", "spec.template.spec"),
        "CronJob" => (
            "spec.jobTemplate.spec.template.metadata",
            "spec.jobTemplate.spec.template.spec",
        ),
        "PodTemplate" => ("template.metadata", "template.spec"),
        _ => return None,
    })
}

/// The pod template of a workload: its spec and metadata with their field paths.
#[derive(Debug, Clone, Copy)]
pub struct PodTemplate<'a> {
    /// The pod spec node.
    pub spec: &'a Node,
    /// Field path of the pod spec inside the object (`spec.template.spec`).
    pub spec_path: &'static str,
    /// The pod metadata node, if present (annotations and labels of the pods).
    pub metadata: Option<&'a Node>,
    /// Field path of the pod metadata inside the object.
    pub metadata_path: &'static str,
}

impl<'a> PodTemplate<'a> {
    /// The pod template of `object`, if its kind has one and the spec is a mapping.
    ///
    /// ```
    /// # use kubeward_model::{load_text, PodTemplate};
    /// let loaded = load_text("d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx\n");
    /// let pod = PodTemplate::of(&loaded.objects[0]).unwrap();
    /// assert_eq!(pod.spec_path, "spec.template.spec");
    /// let containers: Vec<_> = pod.containers().collect();
    /// assert_eq!(containers[0].path, "spec.template.spec.containers[0]");
    /// assert_eq!(containers[0].name, "app");
    /// ```
    #[must_use]
    pub fn of(object: &'a Object) -> Option<Self> {
        let (metadata_path, spec_path) = pod_template_paths(object.kind())?;
        let spec = object.root.at_path(spec_path).filter(|n| n.is_map())?;
        Some(Self {
            spec,
            spec_path,
            metadata: object.root.at_path(metadata_path).filter(|n| n.is_map()),
            metadata_path,
        })
    }

    /// A field of the pod spec with its full path.
    #[must_use]
    pub fn field(&self, key: &str) -> (Option<&'a Node>, String) {
        (self.spec.get(key), path_join(self.spec_path, key))
    }

    /// The pod-level `securityContext`, if it is a mapping.
    #[must_use]
    pub fn security_context(&self) -> Option<&'a Node> {
        self.spec.get("securityContext").filter(|n| n.is_map())
    }

    /// A pod annotation.
    #[must_use]
    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.metadata?.get("annotations")?.get(key)?.as_str()
    }

    /// Every container: init containers, then regular, then ephemeral.
    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> + '_ {
        [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ]
        .into_iter()
        .flat_map(move |kind| {
            let list_path = path_join(self.spec_path, kind.field());
            self.spec
                .get(kind.field())
                .into_iter()
                .flat_map(Node::items)
                .enumerate()
                .filter(|(_, node)| node.is_map())
                .map(move |(index, node)| Container {
                    kind,
                    index,
                    node,
                    path: path_index(&list_path, index),
                    name: node.get("name").and_then(Node::as_str).unwrap_or(""),
                })
        })
    }
}

/// The three kinds of containers in a pod spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContainerKind {
    /// `initContainers`.
    Init,
    /// `containers`.
    Regular,
    /// `ephemeralContainers`.
    Ephemeral,
}

impl ContainerKind {
    /// The pod-spec field holding this kind of container.
    #[must_use]
    pub const fn field(self) -> &'static str {
        match self {
            Self::Init => "initContainers",
            Self::Regular => "containers",
            Self::Ephemeral => "ephemeralContainers",
        }
    }

    /// A word for messages: `init container`, `container`, `ephemeral container`.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Init => "init container",
            Self::Regular => "container",
            Self::Ephemeral => "ephemeral container",
        }
    }
}

/// One container of a pod spec with its field path.
#[derive(Debug, Clone)]
pub struct Container<'a> {
    /// Init, regular or ephemeral.
    pub kind: ContainerKind,
    /// Index in its list.
    pub index: usize,
    /// The container node.
    pub node: &'a Node,
    /// Field path inside the object, e.g. `spec.template.spec.containers[0]`.
    pub path: String,
    /// `name` (empty when missing).
    pub name: &'a str,
}

impl<'a> Container<'a> {
    /// The container's `securityContext`, if it is a mapping.
    #[must_use]
    pub fn security_context(&self) -> Option<&'a Node> {
        self.node.get("securityContext").filter(|n| n.is_map())
    }

    /// Path of a field below this container (`field("securityContext.privileged")`).
    #[must_use]
    pub fn path_of(&self, field: &str) -> String {
        format!("{}.{field}", self.path)
    }

    /// `image`, if it is a string.
    #[must_use]
    pub fn image(&self) -> Option<&'a str> {
        self.node.get("image").and_then(Node::as_str)
    }

    /// A phrase naming the container for messages: ``container `app` ``.
    #[must_use]
    pub fn describe(&self) -> String {
        format!("{} `{}`", self.kind.describe(), self.name)
    }
}

//! Kubernetes objects on spanned YAML: the third stage of kubeward's pipeline.
//!
//! [`load_source`] turns a file into [`Object`]s (multi-document YAML, JSON, `kind: List` and
//! typed lists such as `PodList`, `kubectl get -o yaml` output), remembering the Helm template
//! (`# Source:` comments) or Kustomize origin each object came from. [`PodTemplate`] gives the
//! pod spec of every workload kind with field paths, and [`ObjectIndex`] lets rules look across
//! objects.
//!
//! ```
//! use kubeward_model::{load_text, PodTemplate};
//! let loaded = load_text("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n");
//! let pod = &loaded.objects[0];
//! assert_eq!(pod.reference.to_string(), "Pod shop/web");
//! let template = PodTemplate::of(pod).unwrap();
//! assert_eq!(template.containers().count(), 1);
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod index;
mod load;
mod object;
mod shape;
mod workload;

pub use index::ObjectIndex;
pub use load::{Loaded, ModelIssue, ModelIssueKind, load_source, load_text};
pub use object::{Object, ObjectRef, Origin};
pub use workload::{Container, ContainerKind, PodTemplate, WORKLOAD_KINDS, pod_template_paths};

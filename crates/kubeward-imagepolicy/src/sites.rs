//! Where images appear in manifests, and checking many images at once.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::StreamExt as _;
use kubeward_model::{Object, PodTemplate};

use crate::gate::{ImageCheck, ImageGate};

/// An `image` field of a container (init, regular or ephemeral) of a workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageField {
    /// The image as written.
    pub image: String,
    /// Its field path (`spec.template.spec.containers[0].image`).
    pub path: String,
}

/// Every container image of `object` (empty for kinds without a pod template). Templated
/// values (`{{ .Values.image }}`, `${IMAGE}`) are skipped: they name no image yet.
///
/// ```
/// let loaded = kubeward_model::load_text("p.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers: [{name: i, image: busybox}]\n  containers: [{name: a, image: nginx:1.27}, {name: b, image: '{{ .Values.image }}'}]\n");
/// let fields = kubeward_imagepolicy::image_fields(&loaded.objects[0]);
/// assert_eq!(fields.len(), 2);
/// assert_eq!(fields[1].path, "spec.containers[0].image");
/// ```
#[must_use]
pub fn image_fields(object: &Object) -> Vec<ImageField> {
    let Some(pod) = PodTemplate::of(object) else {
        return Vec::new();
    };
    pod.containers()
        .filter_map(|c| {
            let image = c.image()?.trim();
            if image.is_empty() || image.contains("{{") || image.contains("${") {
                return None;
            }
            Some(ImageField {
                image: image.to_owned(),
                path: c.path_of("image"),
            })
        })
        .collect()
}

/// Checks each distinct image once, at most `concurrency` at a time.
pub async fn check_all<I, S>(
    gate: &ImageGate,
    images: I,
    concurrency: usize,
) -> BTreeMap<String, ImageCheck>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let distinct: BTreeSet<String> = images.into_iter().map(|s| s.as_ref().to_owned()).collect();
    let mut pending =
        futures_util::stream::iter(distinct.into_iter().map(|image| check_one(gate, image)))
            .buffer_unordered(concurrency.max(1));
    let mut out = BTreeMap::new();
    while let Some((image, check)) = pending.next().await {
        out.insert(image, check);
    }
    out
}

async fn check_one(gate: &ImageGate, image: String) -> (String, ImageCheck) {
    let check = gate.check(&image).await;
    (image, check)
}

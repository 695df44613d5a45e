//! Parsing of container image references (`[registry/]repository[:tag][@digest]`) with the
//! rules of the distribution reference grammar used by Docker and containerd.

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry host (`docker.io` when none is written).
    pub registry: String,
    /// Repository path (`library/nginx`).
    pub repository: String,
    /// Tag, if written.
    pub tag: Option<&'a str>,
    /// Digest (`sha256:...`), if written.
    pub digest: Option<&'a str>,
}

/// Parses an image reference. The first path component is a registry when it contains `.` or
/// `:` or is `localhost`, as in Docker's normalisation.
///
/// ```
/// use kubeward_rules::rules::image::reference::parse;
/// let r = parse("nginx").unwrap();
/// assert_eq!((r.registry.as_str(), r.repository.as_str(), r.tag), ("docker.io", "library/nginx", None));
/// let r = parse("ghcr.io/acme/api:1.2@sha256:abc").unwrap();
/// assert_eq!((r.registry.as_str(), r.tag, r.digest), ("ghcr.io", Some("1.2"), Some("sha256:abc")));
/// let r = parse("localhost:5000/app:dev").unwrap();
/// assert_eq!((r.registry.as_str(), r.repository.as_str(), r.tag), ("localhost:5000", "app", Some("dev")));
/// ```
#[must_use]
pub fn parse(image: &str) -> Option<ImageRef<'_>> {
    let image = image.trim();
    if image.is_empty() || image.contains(char::is_whitespace) {
        return None;
    }
    let (name_tag, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_tag.get(last_slash..)?.rfind(':') {
        Some(i) => (
            name_tag.get(..last_slash + i)?,
            Some(name_tag.get(last_slash + i + 1..)?),
        ),
        None => (name_tag, None),
    };
    let (registry, repository) = match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
            (first.to_string(), rest.to_string())
        }
        _ if name.contains('/') => ("docker.io".to_string(), name.to_string()),
        _ => ("docker.io".to_string(), format!("library/{name}")),
    };
    let registry = if registry == "index.docker.io" || registry == "registry-1.docker.io" {
        "docker.io".to_string()
    } else {
        registry
    };
    Some(ImageRef {
        registry,
        repository,
        tag,
        digest,
    })
}

/// Whether an image string is a template placeholder we cannot judge (`{{ .Values.image }}`,
/// `${IMAGE}`).
#[must_use]
pub fn is_templated(image: &str) -> bool {
    image.contains("{{") || image.contains("${") || image.contains("$(")
}

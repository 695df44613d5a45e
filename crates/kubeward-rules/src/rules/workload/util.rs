//! Helpers shared by workload rules: walking containers and reading security contexts with
//! pod-level defaults, as the kubelet applies them.

use kubeward_model::{Container, ContainerKind, PodTemplate, WORKLOAD_KINDS};
use kubeward_yaml::Node;

use crate::context::ObjectContext;

/// Kinds every workload rule applies to.
pub const KINDS: &[&str] = WORKLOAD_KINDS;

/// Kinds that run to completion (probes make little sense there).
pub const BATCH_KINDS: &[&str] = &["Job", "CronJob"];

/// Calls `f` with the pod template and each container of the object.
pub fn each_container<'a>(
    ctx: &ObjectContext<'a>,
    mut f: impl FnMut(&PodTemplate<'a>, &Container<'a>),
) {
    if let Some(pod) = PodTemplate::of(ctx.object) {
        for container in pod.containers() {
            f(&pod, &container);
        }
    }
}

/// Where an effective security-context value comes from.
#[derive(Debug, Clone)]
pub struct Effective<'a> {
    /// The value node.
    pub node: &'a Node,
    /// Its field path.
    pub path: String,
    /// True when inherited from the pod-level securityContext.
    pub from_pod: bool,
}

/// A container security-context field, falling back to the pod-level field of the same name
/// (for the fields Kubernetes defines at both levels: runAsUser, runAsNonRoot, runAsGroup,
/// seccompProfile, seLinuxOptions, appArmorProfile, windowsOptions).
pub fn effective<'a>(
    pod: &PodTemplate<'a>,
    container: &Container<'a>,
    field: &str,
) -> Option<Effective<'a>> {
    if let Some(node) = container
        .security_context()
        .and_then(|sc| sc.get(field))
        .filter(|n| !n.is_null())
    {
        return Some(Effective {
            node,
            path: container.path_of(&format!("securityContext.{field}")),
            from_pod: false,
        });
    }
    pod.security_context()
        .and_then(|sc| sc.get(field))
        .filter(|n| !n.is_null())
        .map(|node| Effective {
            node,
            path: format!("{}.securityContext.{field}", pod.spec_path),
            from_pod: true,
        })
}

/// A container-only security-context boolean with its path (present or not).
pub fn container_bool(container: &Container<'_>, field: &str) -> (Option<bool>, String) {
    let value = container
        .security_context()
        .and_then(|sc| sc.get(field))
        .and_then(Node::as_bool);
    (
        value,
        container.path_of(&format!("securityContext.{field}")),
    )
}

/// Whether the pod declares `spec.os.name: windows`.
pub fn is_windows(pod: &PodTemplate<'_>) -> bool {
    pod.spec
        .get("os")
        .and_then(|os| os.get("name"))
        .and_then(Node::as_str)
        == Some("windows")
}

/// Normalises a capability name: upper case, without the `CAP_` prefix.
pub fn capability_name(raw: &str) -> String {
    let upper = raw.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_string()
}

/// Added capabilities of a container with the path of each entry.
pub fn added_capabilities<'a>(container: &Container<'a>) -> Vec<(String, String)> {
    container
        .security_context()
        .and_then(|sc| sc.get("capabilities"))
        .and_then(|c| c.get("add"))
        .into_iter()
        .flat_map(Node::items)
        .enumerate()
        .filter_map(|(i, n)| {
            n.as_str().map(|s| {
                (
                    capability_name(s),
                    container.path_of(&format!("securityContext.capabilities.add[{i}]")),
                )
            })
        })
        .collect()
}

/// Whether the container is not ephemeral (ephemeral containers cannot set resources, probes
/// or ports).
pub fn is_long_running(container: &Container<'_>) -> bool {
    container.kind == ContainerKind::Regular
}

/// Reports `message` at a pod-spec boolean field that is `true` (host namespaces).
pub fn report_true_pod_field(
    ctx: &ObjectContext<'_>,
    out: &mut crate::context::Emitter<'_>,
    field: &str,
    message: &str,
) {
    if let Some(pod) = PodTemplate::of(ctx.object)
        && let (Some(node), path) = pod.field(field)
        && node.as_bool() == Some(true)
    {
        out.report(path, message);
    }
}

/// The effective seccomp profile type of a container, from fields (container, then pod) or
/// the legacy annotations. Returns the type (`RuntimeDefault`, `Unconfined`, `Localhost`)
/// and the path where it is set.
pub fn seccomp_type<'a>(
    pod: &PodTemplate<'a>,
    container: &Container<'a>,
) -> Option<(String, String)> {
    if let Some(e) = effective(pod, container, "seccompProfile")
        && let Some(kind) = e.node.get("type").and_then(Node::as_str)
    {
        return Some((kind.to_string(), format!("{}.type", e.path)));
    }
    let container_key = format!(
        "container.seccomp.security.alpha.kubernetes.io/{}",
        container.name
    );
    for key in [
        container_key.as_str(),
        "seccomp.security.alpha.kubernetes.io/pod",
    ] {
        if let Some(value) = pod.annotation(key) {
            let kind = match value {
                "unconfined" => "Unconfined",
                v if v.starts_with("localhost/") => "Localhost",
                _ => "RuntimeDefault",
            };
            return Some((
                kind.to_string(),
                format!("{}.annotations[\"{key}\"]", pod.metadata_path),
            ));
        }
    }
    None
}

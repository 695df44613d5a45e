use kubeward_diagnostics::{Category, Severity};
use kubeward_model::PodTemplate;
use kubeward_yaml::Node;

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, mitre, pss};
use crate::{Check, declare_rule};

/// Host paths that give control of the node (container runtime sockets, the root, kubelet
/// state and credentials): mounting them is critical.
const CRITICAL_PATHS: &[&str] = &[
    "/",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/var/run",
    "/run",
    "/etc",
    "/etc/kubernetes",
    "/root",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/etcd",
    "/home",
];

declare_rule! {
    /// ## What it does
    /// Flags `hostPath` volumes. Mounting a container runtime socket
    /// (`/var/run/docker.sock`, containerd, CRI-O), the node's `/`, `/etc`, `/proc`, `/var/lib/kubelet`
    /// and similar paths is reported as critical.
    ///
    /// ## Why is this bad?
    /// A `hostPath` volume exposes the node's filesystem to the pod. With the runtime socket
    /// the pod can start a privileged container on the node; with `/etc` or `/` it can add
    /// an SSH key or a static pod; with kubelet state it can read other pods' secrets.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: builder}
    /// spec:
    ///   containers:
    ///   - name: builder
    ///     image: docker:27
    ///     volumeMounts:
    ///     - {name: docker, mountPath: /var/run/docker.sock}
    ///   volumes:
    ///   - name: docker
    ///     hostPath: {path: /var/run/docker.sock}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: builder}
    /// spec:
    ///   containers:
    ///   - name: builder
    ///     image: gcr.io/kaniko-project/executor:v1.23.2
    ///     volumeMounts:
    ///     - {name: work, mountPath: /workspace}
    ///   volumes:
    ///   - name: work
    ///     emptyDir: {}
    /// ```
    ///
    /// ## Fix
    /// Use `emptyDir`, a PersistentVolumeClaim, a ConfigMap/Secret, or a CSI driver instead of
    /// `hostPath`. Build images with a daemonless builder instead of the runtime socket.
    ///
    /// ## Options
    /// `options.allowed-host-paths`: paths accepted without a finding (exact, or a prefix
    /// ending in `/`).
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "HostPath Volumes"
    /// - MITRE ATT&CK T1611 Escape to Host
    pub static HOST_PATH_VOLUME: Rule = Rule {
        code: "POD013",
        name: "host-path-volume",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("hostPathVolumes"), cis("5.2.12"), mitre("T1611"), cwe("CWE-668")],
        fix: "Replace the `hostPath` volume with `emptyDir`, a PVC or a CSI volume.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(pod) = PodTemplate::of(ctx.object) else {
        return;
    };
    for (i, volume) in pod
        .spec
        .get("volumes")
        .into_iter()
        .flat_map(Node::items)
        .enumerate()
    {
        let Some(host_path) = volume.get("hostPath") else {
            continue;
        };
        let path = host_path.get("path").and_then(Node::as_str).unwrap_or("");
        let normalized = normalize(path);
        let allowed =
            ctx.options.allowed_host_paths.iter().any(|a| {
                a == &normalized || (a.ends_with('/') && normalized.starts_with(a.as_str()))
            });
        if allowed {
            continue;
        }
        let name = volume.get("name").and_then(Node::as_str).unwrap_or("");
        let field = format!("{}.volumes[{i}].hostPath.path", pod.spec_path);
        if CRITICAL_PATHS.contains(&normalized.as_str()) || normalized.ends_with(".sock") {
            out.report(
                field,
                format!("volume `{name}` mounts the node's `{normalized}`, which gives control of the node"),
            )
            .severity(Severity::Critical);
        } else {
            out.report(
                field,
                format!("volume `{name}` mounts host path `{normalized}`"),
            );
        }
    }
}

/// Collapses `//` and trailing `/` so `/var/run/` and `/var//run` compare equal to `/var/run`.
fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

use kubeward_diagnostics::{Category, Severity};
use kubeward_yaml::Node;

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, mitre, pss};
use crate::rules::pss::verdict::violation;
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
    /// Pod Security Standards control **HostPath Volumes** (Baseline; upstream check
    /// `hostPathVolumes`). HostPath volumes mount host files and directories into the pod and
    /// must be forbidden.
    ///
    /// Restricted fields:
    /// - `spec.volumes[*].hostPath`
    ///
    /// Allowed values: undefined, null
    ///
    /// Policy versions:
    /// - v1.0: Initial revision.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
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
    /// - `allowed-host-paths`: paths accepted without a finding (exact, or a prefix ending in
    ///   `/`).

    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.    ///
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
    let Some(v) = violation(ctx, "hostPathVolumes") else {
        return;
    };
    for site in &v.sites {
        let path_node = site.node.and_then(|n| n.get("path"));
        let normalized = normalize(path_node.and_then(Node::as_str).unwrap_or(""));
        let allowed =
            ctx.options.allowed_host_paths.iter().any(|a| {
                a == &normalized || (a.ends_with('/') && normalized.starts_with(a.as_str()))
            });
        if allowed {
            continue;
        }
        // `volumes[3].hostPath` -> the volume's name.
        let name = site
            .engine_path
            .strip_suffix(".hostPath")
            .and_then(|volume| v.pod.spec.at_path(volume))
            .and_then(|n| n.get("name"))
            .and_then(Node::as_str)
            .unwrap_or("");
        let field = if path_node.is_some() {
            format!("{}.path", site.path)
        } else {
            site.path.clone()
        };
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

//! The control catalogue: what each check restricts, what it allows and how it changed, for
//! `kubeward explain` and generated documentation.

use crate::Level;

/// One revision of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    /// The first policy version (`v1.<minor>`) this revision applies to.
    pub since_minor: u32,
    /// What changed at this revision.
    pub change: &'static str,
}

/// Documentation of one upstream check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    /// The upstream check ID (`hostNamespaces`, `capabilities_restricted`, ...).
    pub id: &'static str,
    /// The level the check belongs to (restricted checks also apply baseline checks).
    pub level: Level,
    /// The Pod Security Standards control name.
    pub title: &'static str,
    /// What the control restricts and why.
    pub description: &'static str,
    /// The restricted fields (relative to the object, as the standard lists them).
    pub fields: &'static [&'static str],
    /// The allowed values.
    pub allowed: &'static str,
    /// Baseline checks this restricted check replaces at the restricted level.
    pub overrides: &'static [&'static str],
    /// The revisions, oldest first.
    pub revisions: &'static [Revision],
}

const fn r(since_minor: u32, change: &'static str) -> Revision {
    Revision {
        since_minor,
        change,
    }
}

/// The catalogue, in upstream evaluation order (baseline checks by ID, then restricted).
pub(crate) static CATALOGUE: &[CheckInfo] = &[
    CheckInfo {
        id: "appArmorProfile",
        level: Level::Baseline,
        title: "AppArmor",
        description: "On supported hosts, the RuntimeDefault AppArmor profile is applied by default. The baseline policy prevents overriding or disabling the default profile, or restricts overrides to an allowed set of profiles. Both the securityContext.appArmorProfile fields (pod and every container) and the deprecated per-container beta annotations are checked.",
        fields: &[
            "spec.securityContext.appArmorProfile.type",
            "spec.containers[*].securityContext.appArmorProfile.type",
            "spec.initContainers[*].securityContext.appArmorProfile.type",
            "spec.ephemeralContainers[*].securityContext.appArmorProfile.type",
            "metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/*\"]",
        ],
        allowed: "fields: undefined, RuntimeDefault, Localhost; annotations: undefined, empty, runtime/default, localhost/*",
        overrides: &[],
        revisions: &[r(
            0,
            "Single revision; the field checks were added to it in Kubernetes 1.30, so they apply at every policy version.",
        )],
    },
    CheckInfo {
        id: "capabilities_baseline",
        level: Level::Baseline,
        title: "Capabilities",
        description: "Adding capabilities beyond the container runtime's default set (notably NET_RAW, SYS_ADMIN) must be disallowed.",
        fields: &[
            "spec.containers[*].securityContext.capabilities.add",
            "spec.initContainers[*].securityContext.capabilities.add",
            "spec.ephemeralContainers[*].securityContext.capabilities.add",
        ],
        allowed: "undefined, empty, or any of AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT",
        overrides: &[],
        revisions: &[r(0, "Initial revision.")],
    },
    CheckInfo {
        id: "hostNamespaces",
        level: Level::Baseline,
        title: "Host Namespaces",
        description: "Sharing the host's network, PID or IPC namespaces must be disallowed: it exposes host processes, sockets and shared memory to the pod.",
        fields: &["spec.hostNetwork", "spec.hostPID", "spec.hostIPC"],
        allowed: "undefined, false",
        overrides: &[],
        revisions: &[r(0, "Initial revision.")],
    },
    CheckInfo {
        id: "hostPathVolumes",
        level: Level::Baseline,
        title: "HostPath Volumes",
        description: "HostPath volumes mount host files and directories into the pod and must be forbidden.",
        fields: &["spec.volumes[*].hostPath"],
        allowed: "undefined, null",
        overrides: &[],
        revisions: &[r(0, "Initial revision.")],
    },
    CheckInfo {
        id: "hostPorts",
        level: Level::Baseline,
        title: "Host Ports",
        description: "HostPorts bind the node's network interfaces and must be disallowed entirely (there is no allowed range in the standard).",
        fields: &[
            "spec.containers[*].ports[*].hostPort",
            "spec.initContainers[*].ports[*].hostPort",
            "spec.ephemeralContainers[*].ports[*].hostPort",
        ],
        allowed: "undefined, 0",
        overrides: &[],
        revisions: &[r(0, "Initial revision.")],
    },
    CheckInfo {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        title: "Probes and Lifecycle Hooks",
        description: "The host field of HTTP and TCP probes and lifecycle handlers lets the kubelet connect to arbitrary addresses (including the node's localhost) on the pod's behalf and must not be set. Any non-empty host is forbidden, including localhost and 127.0.0.1 (KEP-4940).",
        fields: &[
            "spec.containers[*].livenessProbe.httpGet.host",
            "spec.containers[*].readinessProbe.httpGet.host",
            "spec.containers[*].startupProbe.httpGet.host",
            "spec.containers[*].livenessProbe.tcpSocket.host",
            "spec.containers[*].readinessProbe.tcpSocket.host",
            "spec.containers[*].startupProbe.tcpSocket.host",
            "spec.containers[*].lifecycle.postStart.httpGet.host",
            "spec.containers[*].lifecycle.preStop.httpGet.host",
            "spec.containers[*].lifecycle.postStart.tcpSocket.host",
            "spec.containers[*].lifecycle.preStop.tcpSocket.host",
            "(the same fields of initContainers and ephemeralContainers)",
        ],
        allowed: "undefined, \"\"",
        overrides: &[],
        revisions: &[r(
            34,
            "New control in policy v1.34; pods are not checked for it at older policy versions.",
        )],
    },
    CheckInfo {
        id: "privileged",
        level: Level::Baseline,
        title: "Privileged Containers",
        description: "Privileged containers disable most security mechanisms and must be disallowed.",
        fields: &[
            "spec.containers[*].securityContext.privileged",
            "spec.initContainers[*].securityContext.privileged",
            "spec.ephemeralContainers[*].securityContext.privileged",
        ],
        allowed: "undefined, false",
        overrides: &[],
        revisions: &[r(0, "Initial revision.")],
    },
    CheckInfo {
        id: "procMount",
        level: Level::Baseline,
        title: "/proc Mount Type",
        description: "The default /proc masks reduce attack surface and are required. From policy v1.35 the baseline level allows any procMount for pods in a user namespace (spec.hostUsers: false); the restricted level still forbids it (see procMount_restricted).",
        fields: &[
            "spec.containers[*].securityContext.procMount",
            "spec.initContainers[*].securityContext.procMount",
            "spec.ephemeralContainers[*].securityContext.procMount",
        ],
        allowed: "undefined, Default; from v1.35 any value when spec.hostUsers is false",
        overrides: &[],
        revisions: &[
            r(0, "Anything but Default is forbidden."),
            r(35, "Relaxed for pods with spec.hostUsers: false."),
        ],
    },
    CheckInfo {
        id: "seLinuxOptions",
        level: Level::Baseline,
        title: "SELinux",
        description: "Setting the SELinux type is restricted, and setting a custom SELinux user or role is forbidden.",
        fields: &[
            "spec.securityContext.seLinuxOptions.type",
            "spec.securityContext.seLinuxOptions.user",
            "spec.securityContext.seLinuxOptions.role",
            "spec.containers[*].securityContext.seLinuxOptions.{type,user,role}",
            "spec.initContainers[*].securityContext.seLinuxOptions.{type,user,role}",
            "spec.ephemeralContainers[*].securityContext.seLinuxOptions.{type,user,role}",
        ],
        allowed: "type: undefined, \"\", container_t, container_init_t, container_kvm_t (and container_engine_t from v1.31); user and role: undefined, \"\"",
        overrides: &[],
        revisions: &[
            r(
                0,
                "Types \"\", container_t, container_init_t, container_kvm_t.",
            ),
            r(31, "Adds container_engine_t."),
        ],
    },
    CheckInfo {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        title: "Seccomp",
        description: "Seccomp must not be explicitly set to Unconfined. Before policy v1.19 the alpha annotations are checked; from v1.19 the securityContext.seccompProfile fields.",
        fields: &[
            "v1.0-v1.18: metadata.annotations[\"seccomp.security.alpha.kubernetes.io/pod\"]",
            "v1.0-v1.18: metadata.annotations[\"container.seccomp.security.alpha.kubernetes.io/*\"]",
            "v1.19+: spec.securityContext.seccompProfile.type",
            "v1.19+: spec.containers[*].securityContext.seccompProfile.type (and init/ephemeral)",
        ],
        allowed: "annotations: undefined, runtime/default, docker/default, localhost/*; fields: undefined, RuntimeDefault, Localhost",
        overrides: &[],
        revisions: &[
            r(0, "Checks the seccomp alpha annotations."),
            r(19, "Checks the seccompProfile fields instead."),
        ],
    },
    CheckInfo {
        id: "sysctls",
        level: Level::Baseline,
        title: "Sysctls",
        description: "Sysctls can disable security mechanisms or affect all containers on a host, and are disallowed except for a safe subset that is namespaced and isolated from other pods.",
        fields: &["spec.securityContext.sysctls[*].name"],
        allowed: "kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start; v1.27+: net.ipv4.ip_local_reserved_ports; v1.29+: net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes; v1.32+: net.ipv4.tcp_rmem, net.ipv4.tcp_wmem; v1.37+: net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat",
        overrides: &[],
        revisions: &[
            r(0, "Five safe sysctls."),
            r(27, "Adds net.ipv4.ip_local_reserved_ports."),
            r(
                29,
                "Adds net.ipv4.tcp_keepalive_time, tcp_fin_timeout, tcp_keepalive_intvl, tcp_keepalive_probes.",
            ),
            r(32, "Adds net.ipv4.tcp_rmem and net.ipv4.tcp_wmem."),
            r(
                37,
                "Adds net.ipv4.tcp_slow_start_after_idle and net.ipv4.tcp_notsent_lowat.",
            ),
        ],
    },
    CheckInfo {
        id: "windowsHostProcess",
        level: Level::Baseline,
        title: "HostProcess",
        description: "Windows HostProcess containers have privileged access to the Windows node and must be disallowed.",
        fields: &[
            "spec.securityContext.windowsOptions.hostProcess",
            "spec.containers[*].securityContext.windowsOptions.hostProcess",
            "spec.initContainers[*].securityContext.windowsOptions.hostProcess",
            "spec.ephemeralContainers[*].securityContext.windowsOptions.hostProcess",
        ],
        allowed: "undefined, false",
        overrides: &[],
        revisions: &[r(0, "Initial revision.")],
    },
    CheckInfo {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        title: "Privilege Escalation",
        description: "Privilege escalation (such as via set-user-ID or set-group-ID file mode) must not be allowed: every container must set allowPrivilegeEscalation to false. From v1.25 pods with spec.os.name: windows are exempt.",
        fields: &[
            "spec.containers[*].securityContext.allowPrivilegeEscalation",
            "spec.initContainers[*].securityContext.allowPrivilegeEscalation",
            "spec.ephemeralContainers[*].securityContext.allowPrivilegeEscalation",
        ],
        allowed: "false",
        overrides: &[],
        revisions: &[
            r(8, "Introduced with the field (Kubernetes 1.8)."),
            r(25, "Pods with spec.os.name: windows are exempt."),
        ],
    },
    CheckInfo {
        id: "capabilities_restricted",
        level: Level::Restricted,
        title: "Capabilities (restricted)",
        description: "Containers must drop ALL capabilities and may only add back NET_BIND_SERVICE. From v1.25 pods with spec.os.name: windows are exempt. Replaces capabilities_baseline at the restricted level.",
        fields: &[
            "spec.containers[*].securityContext.capabilities.drop",
            "spec.containers[*].securityContext.capabilities.add",
            "(the same fields of initContainers and ephemeralContainers)",
        ],
        allowed: "drop must include ALL; add: undefined, empty, NET_BIND_SERVICE",
        overrides: &["capabilities_baseline"],
        revisions: &[
            r(22, "Introduced."),
            r(25, "Pods with spec.os.name: windows are exempt."),
        ],
    },
    CheckInfo {
        id: "procMount_restricted",
        level: Level::Restricted,
        title: "/proc Mount Type (restricted)",
        description: "The restricted level keeps forbidding non-default /proc mounts even for pods in a user namespace. Replaces procMount at the restricted level from v1.35.",
        fields: &[
            "spec.containers[*].securityContext.procMount",
            "spec.initContainers[*].securityContext.procMount",
            "spec.ephemeralContainers[*].securityContext.procMount",
        ],
        allowed: "undefined, Default",
        overrides: &["procMount"],
        revisions: &[r(
            35,
            "Introduced when the baseline procMount check was relaxed for user namespaces.",
        )],
    },
    CheckInfo {
        id: "restrictedVolumes",
        level: Level::Restricted,
        title: "Volume Types",
        description: "The restricted level limits inline volume sources to configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret. Replaces hostPathVolumes at the restricted level. A volume with no source at all is defaulted to emptyDir by the API server.",
        fields: &["spec.volumes[*]"],
        allowed: "configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret",
        overrides: &["hostPathVolumes"],
        revisions: &[r(
            0,
            "Single revision; image volumes were allowed in Kubernetes 1.33 at every policy version.",
        )],
    },
    CheckInfo {
        id: "runAsNonRoot",
        level: Level::Restricted,
        title: "Running as Non-root",
        description: "Containers must be required to run as non-root users: runAsNonRoot must be true at the pod level or in every container, and must not be false anywhere. From v1.35 pods in a user namespace (spec.hostUsers: false) are exempt.",
        fields: &[
            "spec.securityContext.runAsNonRoot",
            "spec.containers[*].securityContext.runAsNonRoot",
            "spec.initContainers[*].securityContext.runAsNonRoot",
            "spec.ephemeralContainers[*].securityContext.runAsNonRoot",
        ],
        allowed: "true; undefined at container level when the pod level is true",
        overrides: &[],
        revisions: &[
            r(0, "Initial revision."),
            r(35, "Pods with spec.hostUsers: false are exempt."),
        ],
    },
    CheckInfo {
        id: "runAsUser",
        level: Level::Restricted,
        title: "Running as Non-root user",
        description: "Containers must not set runAsUser to 0 (root). From v1.35 pods in a user namespace (spec.hostUsers: false) are exempt.",
        fields: &[
            "spec.securityContext.runAsUser",
            "spec.containers[*].securityContext.runAsUser",
            "spec.initContainers[*].securityContext.runAsUser",
            "spec.ephemeralContainers[*].securityContext.runAsUser",
        ],
        allowed: "undefined, any non-zero value",
        overrides: &[],
        revisions: &[
            r(23, "Introduced."),
            r(35, "Pods with spec.hostUsers: false are exempt."),
        ],
    },
    CheckInfo {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        title: "Seccomp (restricted)",
        description: "A seccomp profile must be explicitly set to RuntimeDefault or Localhost, at the pod level or in every container (a container may leave it unset when the pod level sets an allowed profile). From v1.25 pods with spec.os.name: windows are exempt. Replaces seccompProfile_baseline at the restricted level.",
        fields: &[
            "spec.securityContext.seccompProfile.type",
            "spec.containers[*].securityContext.seccompProfile.type",
            "spec.initContainers[*].securityContext.seccompProfile.type",
            "spec.ephemeralContainers[*].securityContext.seccompProfile.type",
        ],
        allowed: "RuntimeDefault, Localhost; undefined at container level when the pod level is set",
        overrides: &["seccompProfile_baseline"],
        revisions: &[
            r(19, "Introduced."),
            r(25, "Pods with spec.os.name: windows are exempt."),
        ],
    },
];

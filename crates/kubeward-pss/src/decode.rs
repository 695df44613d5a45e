//! A typed, borrowed view of the pod fields the checks read, decoded from a YAML [`Node`] the
//! way the API server's decoder would fill `corev1.PodSpec` (case-sensitive keys, the last
//! duplicate key wins, `null` means unset). A value of the wrong type is treated as unset and its
//! path is recorded as malformed (the API server would have rejected the whole object).

use std::borrow::Cow;

use kubeward_yaml::{Node, Value, path_index, path_join};

/// Where a container lives in the pod spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub(crate) const fn field(self) -> &'static str {
        match self {
            Self::Init => "initContainers",
            Self::Regular => "containers",
            Self::Ephemeral => "ephemeralContainers",
        }
    }
}

/// `seLinuxOptions` (missing strings are empty, as in Go).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SeLinux<'a> {
    pub(crate) type_: &'a str,
    pub(crate) user: &'a str,
    pub(crate) role: &'a str,
}

/// Fields shared by the pod-level and container-level security contexts.
#[derive(Debug, Clone, Default)]
pub(crate) struct CommonSc<'a> {
    pub(crate) run_as_non_root: Option<bool>,
    pub(crate) run_as_user: Option<i64>,
    /// `Some(type)` when `seccompProfile` is set (`""` when it has no `type`).
    pub(crate) seccomp_type: Option<&'a str>,
    /// `Some(type)` when `appArmorProfile` is set (`""` when it has no `type`).
    pub(crate) apparmor_type: Option<&'a str>,
    pub(crate) se_linux: Option<SeLinux<'a>>,
    pub(crate) host_process: Option<bool>,
}

/// `capabilities` of a container.
#[derive(Debug, Clone, Default)]
pub(crate) struct Caps<'a> {
    /// `(index in add, capability)`.
    pub(crate) add: Vec<(usize, &'a str)>,
    pub(crate) drop: Vec<&'a str>,
}

/// A container's `securityContext`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContainerSc<'a> {
    pub(crate) common: CommonSc<'a>,
    pub(crate) privileged: Option<bool>,
    pub(crate) allow_privilege_escalation: Option<bool>,
    pub(crate) proc_mount: Option<&'a str>,
    pub(crate) capabilities: Option<Caps<'a>>,
}

/// One container (init, regular or ephemeral), in visiting order.
#[derive(Debug, Clone)]
pub(crate) struct ContainerView<'a> {
    pub(crate) kind: ContainerKind,
    pub(crate) index: usize,
    pub(crate) name: &'a str,
    pub(crate) sc: Option<ContainerSc<'a>>,
    /// `(index in ports, hostPort)` for every non-zero host port.
    pub(crate) host_ports: Vec<(usize, i64)>,
    /// `(relative path of the host field, host)` for every non-empty probe/lifecycle host, in
    /// upstream visiting order (liveness, readiness, startup, postStart, preStop; httpGet before
    /// tcpSocket).
    pub(crate) handler_hosts: Vec<(&'static str, &'a str)>,
}

impl ContainerView<'_> {
    /// `containers[2].<rel>`.
    pub(crate) fn field_path(&self, rel: &str) -> String {
        self.field_path2(rel, "")
    }

    /// `containers[2].<rel><rel2>`, built in one allocation.
    pub(crate) fn field_path2(&self, rel: &str, rel2: &str) -> String {
        use std::fmt::Write as _;
        let field = self.kind.field();
        let mut p = String::with_capacity(field.len() + rel.len() + rel2.len() + 6);
        let _ = write!(p, "{field}[{}].{rel}{rel2}", self.index);
        p
    }
}

/// One entry of `spec.volumes`.
#[derive(Debug, Clone)]
pub(crate) struct VolumeView<'a> {
    pub(crate) index: usize,
    pub(crate) name: &'a str,
    pub(crate) host_path: bool,
    /// One of the volume sources the restricted profile allows is set.
    pub(crate) allowed_source: bool,
    /// The first set source that the restricted profile forbids, in upstream switch order.
    pub(crate) restricted_source: Option<&'static str>,
}

/// The decoded pod.
#[derive(Debug, Clone, Default)]
pub(crate) struct PodView<'a> {
    /// String-valued annotations (effective entries only).
    pub(crate) annotations: Vec<(Cow<'a, str>, &'a str)>,
    pub(crate) host_network: bool,
    pub(crate) host_pid: bool,
    pub(crate) host_ipc: bool,
    pub(crate) host_users: Option<bool>,
    pub(crate) os_name: Option<&'a str>,
    pub(crate) sc: CommonSc<'a>,
    /// `(index in sysctls, name)`.
    pub(crate) sysctls: Vec<(usize, &'a str)>,
    pub(crate) volumes: Vec<VolumeView<'a>>,
    pub(crate) containers: Vec<ContainerView<'a>>,
}

impl PodView<'_> {
    /// `spec.os.name == "windows"` (upstream compares with `corev1.Windows` exactly).
    pub(crate) fn is_windows(&self) -> bool {
        self.os_name == Some("windows")
    }

    /// `spec.hostUsers == false` (upstream `relaxPolicyForUserNamespacePod`).
    pub(crate) fn in_user_namespace(&self) -> bool {
        self.host_users == Some(false)
    }
}

/// Volume sources allowed by the restricted profile (upstream `restrictedVolumes`).
const ALLOWED_SOURCES: [&str; 9] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Volume sources forbidden by the restricted profile, in upstream switch order.
pub(crate) const RESTRICTED_SOURCES: [&str; 21] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

const PROBES: [(&str, [&str; 2]); 3] = [
    (
        "livenessProbe",
        ["livenessProbe.httpGet.host", "livenessProbe.tcpSocket.host"],
    ),
    (
        "readinessProbe",
        [
            "readinessProbe.httpGet.host",
            "readinessProbe.tcpSocket.host",
        ],
    ),
    (
        "startupProbe",
        ["startupProbe.httpGet.host", "startupProbe.tcpSocket.host"],
    ),
];

const LIFECYCLE: [(&str, &str, [&str; 2]); 2] = [
    (
        "postStart",
        "lifecycle.postStart",
        [
            "lifecycle.postStart.httpGet.host",
            "lifecycle.postStart.tcpSocket.host",
        ],
    ),
    (
        "preStop",
        "lifecycle.preStop",
        [
            "lifecycle.preStop.httpGet.host",
            "lifecycle.preStop.tcpSocket.host",
        ],
    ),
];

/// Decoding state: the malformed field paths found so far.
pub(crate) struct Decoder {
    pub(crate) malformed: Vec<String>,
}

/// A path under construction: a lazily built base and a relative suffix, joined only when a
/// malformed value is found (so that well-formed input allocates no path strings).
#[derive(Clone, Copy)]
struct At<'p> {
    base: &'p dyn Fn() -> String,
}

const ROOT: At<'static> = At { base: &String::new };

impl At<'_> {
    fn join(self, rel: &str) -> String {
        let mut base = (self.base)();
        if !base.is_empty() {
            base.push('.');
        }
        base.push_str(rel);
        base
    }
}

impl Decoder {
    pub(crate) const fn new() -> Self {
        Self {
            malformed: Vec::new(),
        }
    }

    fn bad(&mut self, path: String) {
        self.malformed.push(path);
    }

    /// The value at `key`, `None` when absent or `null`.
    fn field<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
        node.get(key).filter(|n| !n.is_null())
    }

    fn map<'a>(&mut self, node: &'a Node, key: &str, at: At<'_>, rel: &str) -> Option<&'a Node> {
        let v = Self::field(node, key)?;
        if v.is_map() {
            Some(v)
        } else {
            self.bad(at.join(rel));
            None
        }
    }

    fn seq<'a>(&mut self, node: &'a Node, key: &str, at: At<'_>, rel: &str) -> Option<&'a [Node]> {
        let v = Self::field(node, key)?;
        if let Some(items) = v.as_seq() {
            Some(items)
        } else {
            self.bad(at.join(rel));
            None
        }
    }

    fn bool(&mut self, node: &Node, key: &str, at: At<'_>, rel: &str) -> Option<bool> {
        let v = Self::field(node, key)?;
        if let Value::Bool(b) = v.value {
            Some(b)
        } else {
            self.bad(at.join(rel));
            None
        }
    }

    fn str<'a>(&mut self, node: &'a Node, key: &str, at: At<'_>, rel: &str) -> Option<&'a str> {
        let v = Self::field(node, key)?;
        if let Some(s) = v.as_str() {
            Some(s)
        } else {
            self.bad(at.join(rel));
            None
        }
    }

    fn int(
        &mut self,
        node: &Node,
        key: &str,
        at: At<'_>,
        rel: &str,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let v = Self::field(node, key)?;
        match v.as_i64() {
            Some(i) if (min..=max).contains(&i) => Some(i),
            _ => {
                self.bad(at.join(rel));
                None
            }
        }
    }

    /// Decodes the pod. `metadata` is the pod's (or pod template's) metadata, `spec` its spec.
    pub(crate) fn pod<'a>(&mut self, metadata: Option<&'a Node>, spec: &'a Node) -> PodView<'a> {
        let mut pod = PodView::default();
        if let Some(meta) = metadata.filter(|m| !m.is_null()) {
            self.annotations(meta, &mut pod);
        }
        if !spec.is_map() {
            if !spec.is_null() {
                self.bad(String::new());
            }
            return pod;
        }
        let root = ROOT;
        pod.host_network = self
            .bool(spec, "hostNetwork", root, "hostNetwork")
            .unwrap_or(false);
        pod.host_pid = self.bool(spec, "hostPID", root, "hostPID").unwrap_or(false);
        pod.host_ipc = self.bool(spec, "hostIPC", root, "hostIPC").unwrap_or(false);
        pod.host_users = self.bool(spec, "hostUsers", root, "hostUsers");
        if let Some(os) = self.map(spec, "os", root, "os") {
            pod.os_name = Some(self.str(os, "name", root, "os.name").unwrap_or(""));
        }
        if let Some(sc) = self.map(spec, "securityContext", root, "securityContext") {
            let base = || "securityContext".to_string();
            let at = At { base: &base };
            pod.sc = self.common_sc(sc, at);
            if let Some(items) = self.seq(sc, "sysctls", at, "sysctls") {
                for (i, item) in items.iter().enumerate() {
                    if item.is_map() {
                        let base = || path_index("securityContext.sysctls", i);
                        let name = self
                            .str(item, "name", At { base: &base }, "name")
                            .unwrap_or("");
                        pod.sysctls.push((i, name));
                    } else if !item.is_null() {
                        self.bad(path_index("securityContext.sysctls", i));
                    }
                }
            }
        }
        if let Some(items) = self.seq(spec, "volumes", root, "volumes") {
            for (i, item) in items.iter().enumerate() {
                if let Some(v) = self.volume(i, item) {
                    pod.volumes.push(v);
                }
            }
        }
        for kind in [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ] {
            if let Some(items) = self.seq(spec, kind.field(), root, kind.field()) {
                for (i, item) in items.iter().enumerate() {
                    if let Some(c) = self.container(kind, i, item) {
                        pod.containers.push(c);
                    }
                }
            }
        }
        pod
    }

    fn annotations<'a>(&mut self, meta: &'a Node, pod: &mut PodView<'a>) {
        if !meta.is_map() {
            self.bad("metadata".to_string());
            return;
        }
        let Some(ann) = Self::field(meta, "annotations") else {
            return;
        };
        if !ann.is_map() {
            self.bad("metadata.annotations".to_string());
            return;
        }
        for (key, value) in ann.entries() {
            match &value.value {
                Value::Str(s) => pod.annotations.push((key, s.as_str())),
                Value::Null => pod.annotations.push((key, "")),
                _ => self.bad(path_join("metadata.annotations", &key)),
            }
        }
    }

    fn volume<'a>(&mut self, index: usize, item: &'a Node) -> Option<VolumeView<'a>> {
        let base = || path_index("volumes", index);
        if !item.is_map() {
            if !item.is_null() {
                self.bad(base());
            }
            return None;
        }
        let at = At { base: &base };
        let name = self.str(item, "name", at, "name").unwrap_or("");
        let set = |d: &mut Self, key: &str| d.map(item, key, at, key).is_some();
        // Every source is decoded (not short-circuited) so that each malformed one is recorded.
        let mut allowed_source = false;
        for key in ALLOWED_SOURCES {
            allowed_source |= set(self, key);
        }
        let mut restricted_source = None;
        for key in RESTRICTED_SOURCES {
            if set(self, key) && restricted_source.is_none() {
                restricted_source = Some(key);
            }
        }
        let host_path = restricted_source == Some("hostPath");
        Some(VolumeView {
            index,
            name,
            host_path,
            allowed_source,
            restricted_source,
        })
    }

    fn container<'a>(
        &mut self,
        kind: ContainerKind,
        index: usize,
        item: &'a Node,
    ) -> Option<ContainerView<'a>> {
        let base = || path_index(kind.field(), index);
        if !item.is_map() {
            if !item.is_null() {
                self.bad(base());
            }
            return None;
        }
        let at = At { base: &base };
        let name = self.str(item, "name", at, "name").unwrap_or("");
        let sc = self
            .map(item, "securityContext", at, "securityContext")
            .map(|sc| self.container_sc(sc, at));
        let mut host_ports = Vec::new();
        if let Some(ports) = self.seq(item, "ports", at, "ports") {
            for (j, port) in ports.iter().enumerate() {
                let pbase = || path_index(&at.join("ports"), j);
                if !port.is_map() {
                    if !port.is_null() {
                        self.bad(pbase());
                    }
                    continue;
                }
                let p = self.int(
                    port,
                    "hostPort",
                    At { base: &pbase },
                    "hostPort",
                    i64::from(i32::MIN),
                    i64::from(i32::MAX),
                );
                if let Some(hp) = p.filter(|hp| *hp != 0) {
                    host_ports.push((j, hp));
                }
            }
        }
        let mut handler_hosts = Vec::new();
        for (probe, paths) in PROBES {
            if let Some(p) = self.map(item, probe, at, probe) {
                self.handler(p, at, paths, &mut handler_hosts);
            }
        }
        if let Some(lc) = self.map(item, "lifecycle", at, "lifecycle") {
            for (hook, rel, paths) in LIFECYCLE {
                if let Some(h) = self.map(lc, hook, at, rel) {
                    self.handler(h, at, paths, &mut handler_hosts);
                }
            }
        }
        Some(ContainerView {
            kind,
            index,
            name,
            sc,
            host_ports,
            handler_hosts,
        })
    }

    /// `paths` are the `host` paths of the handler's `httpGet` and `tcpSocket` actions.
    fn handler<'a>(
        &mut self,
        handler: &'a Node,
        at: At<'_>,
        paths: [&'static str; 2],
        out: &mut Vec<(&'static str, &'a str)>,
    ) {
        for (action, path) in ["httpGet", "tcpSocket"].into_iter().zip(paths) {
            let action_path = path.strip_suffix(".host").unwrap_or(path);
            if let Some(a) = self.map(handler, action, at, action_path)
                && let Some(host) = self.str(a, "host", at, path).filter(|h| !h.is_empty())
            {
                out.push((path, host));
            }
        }
    }

    fn common_sc<'a>(&mut self, sc: &'a Node, at: At<'_>) -> CommonSc<'a> {
        let mut out = CommonSc {
            run_as_non_root: self.bool(sc, "runAsNonRoot", at, "runAsNonRoot"),
            run_as_user: self.int(sc, "runAsUser", at, "runAsUser", i64::MIN, i64::MAX),
            ..CommonSc::default()
        };
        if let Some(p) = self.map(sc, "seccompProfile", at, "seccompProfile") {
            out.seccomp_type = Some(self.str(p, "type", at, "seccompProfile.type").unwrap_or(""));
        }
        if let Some(p) = self.map(sc, "appArmorProfile", at, "appArmorProfile") {
            out.apparmor_type = Some(
                self.str(p, "type", at, "appArmorProfile.type")
                    .unwrap_or(""),
            );
        }
        if let Some(o) = self.map(sc, "seLinuxOptions", at, "seLinuxOptions") {
            out.se_linux = Some(SeLinux {
                type_: self.str(o, "type", at, "seLinuxOptions.type").unwrap_or(""),
                user: self.str(o, "user", at, "seLinuxOptions.user").unwrap_or(""),
                role: self.str(o, "role", at, "seLinuxOptions.role").unwrap_or(""),
            });
        }
        if let Some(w) = self.map(sc, "windowsOptions", at, "windowsOptions") {
            out.host_process = self.bool(w, "hostProcess", at, "windowsOptions.hostProcess");
        }
        out
    }

    fn container_sc<'a>(&mut self, sc: &'a Node, container: At<'_>) -> ContainerSc<'a> {
        let base = || container.join("securityContext");
        let at = At { base: &base };
        let mut out = ContainerSc {
            common: self.common_sc(sc, at),
            privileged: self.bool(sc, "privileged", at, "privileged"),
            allow_privilege_escalation: self.bool(
                sc,
                "allowPrivilegeEscalation",
                at,
                "allowPrivilegeEscalation",
            ),
            proc_mount: self.str(sc, "procMount", at, "procMount"),
            capabilities: None,
        };
        if let Some(caps) = self.map(sc, "capabilities", at, "capabilities") {
            let mut c = Caps::default();
            if let Some(add) = self.seq(caps, "add", at, "capabilities.add") {
                for (i, item) in add.iter().enumerate() {
                    match item.as_str() {
                        Some(s) => c.add.push((i, s)),
                        None if item.is_null() => c.add.push((i, "")),
                        None => self.bad(path_index(&at.join("capabilities.add"), i)),
                    }
                }
            }
            if let Some(drop) = self.seq(caps, "drop", at, "capabilities.drop") {
                for (i, item) in drop.iter().enumerate() {
                    match item.as_str() {
                        Some(s) => c.drop.push(s),
                        None if item.is_null() => c.drop.push(""),
                        None => self.bad(path_index(&at.join("capabilities.drop"), i)),
                    }
                }
            }
            out.capabilities = Some(c);
        }
        out
    }
}

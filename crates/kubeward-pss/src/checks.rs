//! The checks, one function per upstream versioned implementation, and the registry that
//! resolves which implementations run for a level and policy version.
//!
//! Each function mirrors `staging/src/k8s.io/pod-security-admission/policy/check_<id>.go`:
//! the same visiting order, the same forbidden reason and detail strings (`pluralize`,
//! `joinQuote`, sorted sets), plus the field paths of the offending fields.

use std::sync::OnceLock;

use kubeward_yaml::path_join;

use crate::Level;
use crate::decode::{Caps, CommonSc, ContainerView, PodView, SeLinux};
use crate::text::{go_quote, join_quote, pluralize, sorted_set};
use crate::version::MAX_POLICY_MINOR;

/// What a failing check reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) reason: String,
    pub(crate) detail: String,
    pub(crate) paths: Vec<String>,
}

fn finding(reason: impl Into<String>, detail: String, paths: Vec<String>) -> Option<Finding> {
    Some(Finding {
        reason: reason.into(),
        detail,
        paths,
    })
}

pub(crate) type CheckFn = fn(&PodView<'_>) -> Option<Finding>;

/// One revision of a check, in force from `min_minor` until the next revision.
pub(crate) struct VersionedCheck {
    pub(crate) min_minor: u32,
    pub(crate) check: CheckFn,
    /// Baseline check IDs this restricted revision replaces at the restricted level.
    pub(crate) overrides: &'static [&'static str],
}

/// A check and its revisions (strictly increasing `min_minor`).
pub(crate) struct CheckDef {
    pub(crate) id: &'static str,
    pub(crate) level: Level,
    pub(crate) versions: &'static [VersionedCheck],
}

const fn v(min_minor: u32, check: CheckFn) -> VersionedCheck {
    VersionedCheck {
        min_minor,
        check,
        overrides: &[],
    }
}

const fn vo(min_minor: u32, check: CheckFn, overrides: &'static [&'static str]) -> VersionedCheck {
    VersionedCheck {
        min_minor,
        check,
        overrides,
    }
}

/// Every check, as upstream registers them (`DefaultChecks`).
pub(crate) static CHECKS: &[CheckDef] = &[
    CheckDef {
        id: "hostNamespaces",
        level: Level::Baseline,
        versions: &[v(0, host_namespaces)],
    },
    CheckDef {
        id: "privileged",
        level: Level::Baseline,
        versions: &[v(0, privileged)],
    },
    CheckDef {
        id: "capabilities_baseline",
        level: Level::Baseline,
        versions: &[v(0, capabilities_baseline)],
    },
    CheckDef {
        id: "hostPathVolumes",
        level: Level::Baseline,
        versions: &[v(0, host_path_volumes)],
    },
    CheckDef {
        id: "hostPorts",
        level: Level::Baseline,
        versions: &[v(0, host_ports)],
    },
    CheckDef {
        id: "appArmorProfile",
        level: Level::Baseline,
        versions: &[v(0, app_armor_profile)],
    },
    CheckDef {
        id: "seLinuxOptions",
        level: Level::Baseline,
        versions: &[v(0, se_linux_options_1_0), v(31, se_linux_options_1_31)],
    },
    CheckDef {
        id: "procMount",
        level: Level::Baseline,
        versions: &[v(0, proc_mount_1_0), v(35, proc_mount_1_35_baseline)],
    },
    CheckDef {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        versions: &[v(0, seccomp_baseline_1_0), v(19, seccomp_baseline_1_19)],
    },
    CheckDef {
        id: "sysctls",
        level: Level::Baseline,
        versions: &[
            v(0, sysctls_1_0),
            v(27, sysctls_1_27),
            v(29, sysctls_1_29),
            v(32, sysctls_1_32),
            v(37, sysctls_1_37),
        ],
    },
    CheckDef {
        id: "windowsHostProcess",
        level: Level::Baseline,
        versions: &[v(0, windows_host_process)],
    },
    CheckDef {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        versions: &[v(34, host_probes_and_host_lifecycle)],
    },
    CheckDef {
        id: "restrictedVolumes",
        level: Level::Restricted,
        versions: &[vo(0, restricted_volumes, &["hostPathVolumes"])],
    },
    CheckDef {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        versions: &[
            v(8, allow_privilege_escalation_1_8),
            v(25, allow_privilege_escalation_1_25),
        ],
    },
    CheckDef {
        id: "runAsNonRoot",
        level: Level::Restricted,
        versions: &[v(0, run_as_non_root_1_0), v(35, run_as_non_root_1_35)],
    },
    CheckDef {
        id: "runAsUser",
        level: Level::Restricted,
        versions: &[v(23, run_as_user_1_23), v(35, run_as_user_1_35)],
    },
    CheckDef {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        versions: &[
            vo(19, seccomp_restricted_1_19, &["seccompProfile_baseline"]),
            vo(25, seccomp_restricted_1_25, &["seccompProfile_baseline"]),
        ],
    },
    CheckDef {
        id: "capabilities_restricted",
        level: Level::Restricted,
        versions: &[
            vo(22, capabilities_restricted_1_22, &["capabilities_baseline"]),
            vo(25, capabilities_restricted_1_25, &["capabilities_baseline"]),
        ],
    },
    CheckDef {
        id: "procMount_restricted",
        level: Level::Restricted,
        versions: &[vo(35, proc_mount_1_0, &["procMount"])],
    },
];

/// A check revision selected for evaluation.
#[derive(Clone, Copy)]
pub(crate) struct Selected {
    pub(crate) def: &'static CheckDef,
    pub(crate) version: &'static VersionedCheck,
}

struct Resolved {
    /// Indexed by minor version `0..=MAX_POLICY_MINOR`.
    baseline: Vec<Vec<Selected>>,
    restricted: Vec<Vec<Selected>>,
}

fn revision_at(def: &'static CheckDef, minor: u32) -> Option<&'static VersionedCheck> {
    def.versions.iter().rev().find(|v| v.min_minor <= minor)
}

fn resolve_all() -> Resolved {
    // Upstream `populate`: baseline IDs sorted, then restricted IDs sorted.
    let mut ordered: Vec<&'static CheckDef> = CHECKS.iter().collect();
    ordered.sort_by(|a, b| (a.level, a.id).cmp(&(b.level, b.id)));
    let mut baseline = Vec::new();
    let mut restricted = Vec::new();
    for minor in 0..=MAX_POLICY_MINOR {
        let applicable: Vec<Selected> = ordered
            .iter()
            .filter_map(|def| revision_at(def, minor).map(|version| Selected { def, version }))
            .collect();
        let overridden: Vec<&str> = applicable
            .iter()
            .filter(|s| s.def.level == Level::Restricted)
            .flat_map(|s| s.version.overrides.iter().copied())
            .collect();
        baseline.push(
            applicable
                .iter()
                .copied()
                .filter(|s| s.def.level == Level::Baseline)
                .collect(),
        );
        restricted.push(
            applicable
                .iter()
                .copied()
                .filter(|s| s.def.level == Level::Restricted || !overridden.contains(&s.def.id))
                .collect(),
        );
    }
    Resolved {
        baseline,
        restricted,
    }
}

/// The check revisions evaluated for `level` at policy minor version `minor` (already clamped),
/// in upstream order.
pub(crate) fn selected(level: Level, minor: u32) -> &'static [Selected] {
    static RESOLVED: OnceLock<Resolved> = OnceLock::new();
    let resolved = RESOLVED.get_or_init(resolve_all);
    let table = match level {
        Level::Privileged => return &[],
        Level::Baseline => &resolved.baseline,
        Level::Restricted => &resolved.restricted,
    };
    usize::try_from(minor)
        .ok()
        .and_then(|m| table.get(m))
        .map_or(&[], Vec::as_slice)
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the checks.

/// `container "a"` / `containers "a", "b"`.
fn containers_phrase(names: &[&str]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

fn sc_path(c: &ContainerView<'_>, rel: &str) -> String {
    c.field_path2("securityContext.", rel)
}

fn annotation_path(key: &str) -> String {
    path_join("metadata.annotations", key)
}

// ---------------------------------------------------------------------------------------------
// Baseline checks.

fn host_namespaces(pod: &PodView<'_>) -> Option<Finding> {
    let mut set = Vec::new();
    let mut paths = Vec::new();
    for (on, name) in [
        (pod.host_network, "hostNetwork"),
        (pod.host_pid, "hostPID"),
        (pod.host_ipc, "hostIPC"),
    ] {
        if on {
            set.push(format!("{name}=true"));
            paths.push(name.to_string());
        }
    }
    if set.is_empty() {
        return None;
    }
    finding("host namespaces", set.join(", "), paths)
}

fn privileged(pod: &PodView<'_>) -> Option<Finding> {
    let mut bad = Vec::new();
    let mut paths = Vec::new();
    for c in &pod.containers {
        if c.sc.as_ref().and_then(|sc| sc.privileged) == Some(true) {
            bad.push(c.name);
            paths.push(sc_path(c, "privileged"));
        }
    }
    if bad.is_empty() {
        return None;
    }
    finding(
        "privileged",
        format!(
            "{} must not set securityContext.privileged=true",
            containers_phrase(&bad)
        ),
        paths,
    )
}

const CAPABILITIES_ALLOWED_1_0: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn caps<'p, 'a>(c: &'p ContainerView<'a>) -> Option<&'p Caps<'a>> {
    c.sc.as_ref().and_then(|sc| sc.capabilities.as_ref())
}

fn capabilities_baseline(pod: &PodView<'_>) -> Option<Finding> {
    let mut bad = Vec::new();
    let mut caps_set = Vec::new();
    let mut paths = Vec::new();
    for c in &pod.containers {
        let Some(caps) = caps(c) else { continue };
        let mut valid = true;
        for (i, cap) in &caps.add {
            if !CAPABILITIES_ALLOWED_1_0.contains(cap) {
                valid = false;
                caps_set.push((*cap).to_string());
                paths.push(c.field_path2("securityContext.capabilities.add", &format!("[{i}]")));
            }
        }
        if !valid {
            bad.push(c.name);
        }
    }
    if bad.is_empty() {
        return None;
    }
    finding(
        "non-default capabilities",
        format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&bad),
            join_quote(&sorted_set(caps_set))
        ),
        paths,
    )
}

fn host_path_volumes(pod: &PodView<'_>) -> Option<Finding> {
    let mut names = Vec::new();
    let mut paths = Vec::new();
    for vol in pod.volumes.iter().filter(|v| v.host_path) {
        names.push(vol.name);
        paths.push(format!("volumes[{}].hostPath", vol.index));
    }
    if names.is_empty() {
        return None;
    }
    finding(
        "hostPath volumes",
        format!(
            "{} {}",
            pluralize("volume", "volumes", names.len()),
            join_quote(&names)
        ),
        paths,
    )
}

fn host_ports(pod: &PodView<'_>) -> Option<Finding> {
    let mut bad = Vec::new();
    let mut ports = Vec::new();
    let mut paths = Vec::new();
    for c in pod.containers.iter().filter(|c| !c.host_ports.is_empty()) {
        bad.push(c.name);
        for (j, port) in &c.host_ports {
            ports.push(port.to_string());
            paths.push(c.field_path(&format!("ports[{j}].hostPort")));
        }
    }
    if bad.is_empty() {
        return None;
    }
    let ports = sorted_set(ports);
    finding(
        "hostPort",
        format!(
            "{} {} {} {}",
            containers_phrase(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
        paths,
    )
}

const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn app_armor_profile(pod: &PodView<'_>) -> Option<Finding> {
    let allowed_type = |t: &str| t == "RuntimeDefault" || t == "Localhost";
    let mut setters: Vec<String> = Vec::new();
    let mut values = Vec::new();
    let mut paths = Vec::new();
    if let Some(t) = pod.sc.apparmor_type.filter(|t| !allowed_type(t)) {
        setters.push("pod".into());
        values.push(t.to_string());
        paths.push("securityContext.appArmorProfile.type".to_string());
    }
    let mut bad = Vec::new();
    for c in &pod.containers {
        let t = c.sc.as_ref().and_then(|sc| sc.common.apparmor_type);
        if let Some(t) = t.filter(|t| !allowed_type(t)) {
            bad.push(c.name);
            values.push(t.to_string());
            paths.push(sc_path(c, "appArmorProfile.type"));
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    let mut annotations: Vec<(String, String)> = pod
        .annotations
        .iter()
        .filter(|(k, v)| {
            k.starts_with(APPARMOR_ANNOTATION_PREFIX)
                && !(v.is_empty() || *v == "runtime/default" || v.starts_with("localhost/"))
        })
        .map(|(k, v)| (format!("{k}={}", go_quote(v)), annotation_path(k)))
        .collect();
    let mut values = sorted_set(values);
    if !annotations.is_empty() {
        annotations.sort();
        setters.push(pluralize("annotation", "annotations", annotations.len()).into());
        for (text, path) in annotations {
            values.push(text);
            paths.push(path);
        }
    }
    if setters.is_empty() {
        return None;
    }
    finding(
        pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            values.len(),
        ),
        format!(
            "{} must not set AppArmor profile type to {}",
            setters.join(" and "),
            join_quote(&values)
        ),
        paths,
    )
}

const SELINUX_TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const SELINUX_TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn se_linux_options_1_0(pod: &PodView<'_>) -> Option<Finding> {
    se_linux_options(pod, SELINUX_TYPES_1_0)
}

fn se_linux_options_1_31(pod: &PodView<'_>) -> Option<Finding> {
    se_linux_options(pod, SELINUX_TYPES_1_31)
}

#[derive(Default)]
struct SeLinuxState {
    types: Vec<String>,
    user: bool,
    role: bool,
    paths: Vec<String>,
}

impl SeLinuxState {
    /// Records what is wrong with `o`; returns whether it is valid.
    fn check(&mut self, o: &SeLinux<'_>, allowed: &[&str], path: impl Fn(&str) -> String) -> bool {
        let mut valid = true;
        if !allowed.contains(&o.type_) {
            valid = false;
            self.types.push(o.type_.to_string());
            self.paths.push(path("type"));
        }
        if !o.user.is_empty() {
            valid = false;
            self.user = true;
            self.paths.push(path("user"));
        }
        if !o.role.is_empty() {
            valid = false;
            self.role = true;
            self.paths.push(path("role"));
        }
        valid
    }
}

fn se_linux_options(pod: &PodView<'_>, allowed: &[&str]) -> Option<Finding> {
    let mut st = SeLinuxState::default();
    let mut setters: Vec<String> = Vec::new();
    if let Some(o) = &pod.sc.se_linux
        && !st.check(o, allowed, |f| {
            format!("securityContext.seLinuxOptions.{f}")
        })
    {
        setters.push("pod".into());
    }
    let mut bad = Vec::new();
    for c in &pod.containers {
        if let Some(o) = c.sc.as_ref().and_then(|sc| sc.common.se_linux.as_ref())
            && !st.check(o, allowed, |f| {
                c.field_path2("securityContext.seLinuxOptions.", f)
            })
        {
            bad.push(c.name);
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    let mut data = Vec::new();
    let types = sorted_set(st.types);
    if !types.is_empty() {
        data.push(format!(
            "{} {}",
            pluralize("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if st.user {
        data.push("user may not be set".to_string());
    }
    if st.role {
        data.push("role may not be set".to_string());
    }
    finding(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            setters.join(" and "),
            data.join("; ")
        ),
        st.paths,
    )
}

/// Upstream `procMount_1_0`: anything but `Default` is forbidden.
fn proc_mount_1_0(pod: &PodView<'_>) -> Option<Finding> {
    let mut bad = Vec::new();
    let mut types = Vec::new();
    let mut paths = Vec::new();
    for c in &pod.containers {
        if let Some(pm) =
            c.sc.as_ref()
                .and_then(|sc| sc.proc_mount)
                .filter(|pm| *pm != "Default")
        {
            bad.push(c.name);
            types.push(pm.to_string());
            paths.push(sc_path(c, "procMount"));
        }
    }
    if bad.is_empty() {
        return None;
    }
    finding(
        "procMount",
        format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&bad),
            join_quote(&sorted_set(types))
        ),
        paths,
    )
}

/// Upstream `procMount1_35baseline`: relaxed for pods in a user namespace.
fn proc_mount_1_35_baseline(pod: &PodView<'_>) -> Option<Finding> {
    if pod.in_user_namespace() {
        return None;
    }
    proc_mount_1_0(pod)
}

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn annotation<'p>(pod: &'p PodView<'_>, key: &str) -> Option<&'p str> {
    pod.annotations
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| *v)
}

fn valid_seccomp_annotation(v: &str) -> bool {
    v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
}

/// Upstream `seccompProfileBaseline_1_0`: the alpha annotations.
fn seccomp_baseline_1_0(pod: &PodView<'_>) -> Option<Finding> {
    let mut forbidden: Vec<(String, String)> = Vec::new();
    if let Some(v) =
        annotation(pod, SECCOMP_POD_ANNOTATION).filter(|v| !valid_seccomp_annotation(v))
    {
        forbidden.push((
            format!("{SECCOMP_POD_ANNOTATION}={}", go_quote(v)),
            annotation_path(SECCOMP_POD_ANNOTATION),
        ));
    }
    for c in &pod.containers {
        let key = format!("{SECCOMP_CONTAINER_ANNOTATION_PREFIX}{}", c.name);
        if let Some(v) = annotation(pod, &key).filter(|v| !valid_seccomp_annotation(v)) {
            forbidden.push((format!("{key}={}", go_quote(v)), annotation_path(&key)));
        }
    }
    if forbidden.is_empty() {
        return None;
    }
    forbidden.sort();
    forbidden.dedup();
    let (texts, paths): (Vec<String>, Vec<String>) = forbidden.into_iter().unzip();
    finding(
        "seccompProfile",
        format!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", texts.len()),
            texts.join(", ")
        ),
        paths,
    )
}

fn valid_seccomp(t: &str) -> bool {
    t == "Localhost" || t == "RuntimeDefault"
}

fn container_seccomp<'a>(c: &ContainerView<'a>) -> Option<&'a str> {
    c.sc.as_ref().and_then(|sc| sc.common.seccomp_type)
}

/// Upstream `seccompProfileBaseline_1_19`: explicitly set profiles must be allowed ones.
fn seccomp_baseline_1_19(pod: &PodView<'_>) -> Option<Finding> {
    let mut setters: Vec<String> = Vec::new();
    let mut values = Vec::new();
    let mut paths = Vec::new();
    if let Some(t) = pod.sc.seccomp_type.filter(|t| !valid_seccomp(t)) {
        setters.push("pod".into());
        values.push(t.to_string());
        paths.push("securityContext.seccompProfile.type".to_string());
    }
    let mut bad = Vec::new();
    for c in &pod.containers {
        if let Some(t) = container_seccomp(c).filter(|t| !valid_seccomp(t)) {
            bad.push(c.name);
            values.push(t.to_string());
            paths.push(sc_path(c, "seccompProfile.type"));
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    finding(
        "seccompProfile",
        format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            setters.join(" and "),
            join_quote(&sorted_set(values))
        ),
        paths,
    )
}

const SYSCTLS_1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SYSCTLS_1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SYSCTLS_1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const SYSCTLS_1_37: &[&str] = &[
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

/// The safe sysctl sets added at each revision (each revision allows all earlier ones too).
pub(crate) const SYSCTL_REVISIONS: &[(u32, &[&str])] = &[
    (0, SYSCTLS_1_0),
    (27, SYSCTLS_1_27),
    (29, SYSCTLS_1_29),
    (32, SYSCTLS_1_32),
    (37, SYSCTLS_1_37),
];

fn sysctls_up_to(pod: &PodView<'_>, revision: u32) -> Option<Finding> {
    let allowed = |name: &str| {
        SYSCTL_REVISIONS
            .iter()
            .filter(|(min, _)| *min <= revision)
            .any(|(_, set)| set.contains(&name))
    };
    let mut names = Vec::new();
    let mut paths = Vec::new();
    for (i, name) in &pod.sysctls {
        if !allowed(name) {
            names.push(*name);
            paths.push(format!("securityContext.sysctls[{i}].name"));
        }
    }
    if names.is_empty() {
        return None;
    }
    finding("forbidden sysctls", names.join(", "), paths)
}

fn sysctls_1_0(pod: &PodView<'_>) -> Option<Finding> {
    sysctls_up_to(pod, 0)
}
fn sysctls_1_27(pod: &PodView<'_>) -> Option<Finding> {
    sysctls_up_to(pod, 27)
}
fn sysctls_1_29(pod: &PodView<'_>) -> Option<Finding> {
    sysctls_up_to(pod, 29)
}
fn sysctls_1_32(pod: &PodView<'_>) -> Option<Finding> {
    sysctls_up_to(pod, 32)
}
fn sysctls_1_37(pod: &PodView<'_>) -> Option<Finding> {
    sysctls_up_to(pod, 37)
}

fn windows_host_process(pod: &PodView<'_>) -> Option<Finding> {
    let mut setters: Vec<String> = Vec::new();
    let mut paths = Vec::new();
    let mut bad = Vec::new();
    let mut container_paths = Vec::new();
    for c in &pod.containers {
        if c.sc.as_ref().and_then(|sc| sc.common.host_process) == Some(true) {
            bad.push(c.name);
            container_paths.push(sc_path(c, "windowsOptions.hostProcess"));
        }
    }
    if pod.sc.host_process == Some(true) {
        setters.push("pod".into());
        paths.push("securityContext.windowsOptions.hostProcess".to_string());
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
        paths.extend(container_paths);
    }
    if setters.is_empty() {
        return None;
    }
    finding(
        "hostProcess",
        format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.join(" and ")
        ),
        paths,
    )
}

fn host_probes_and_host_lifecycle(pod: &PodView<'_>) -> Option<Finding> {
    let mut bad = Vec::new();
    let mut hosts = Vec::new();
    let mut paths = Vec::new();
    for c in pod
        .containers
        .iter()
        .filter(|c| !c.handler_hosts.is_empty())
    {
        bad.push(c.name.to_string());
        for (rel, host) in &c.handler_hosts {
            hosts.push((*host).to_string());
            paths.push(c.field_path(rel));
        }
    }
    if bad.is_empty() {
        return None;
    }
    // Both are sets upstream (`sets.List` sorts them).
    let bad = sorted_set(bad);
    let hosts = sorted_set(hosts);
    finding(
        "probe or lifecycle host",
        format!(
            "{} {} {} {} {}",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize(
                "probe or lifecycle host",
                "probe or lifecycle hosts",
                hosts.len()
            ),
            join_quote(&hosts)
        ),
        paths,
    )
}

// ---------------------------------------------------------------------------------------------
// Restricted checks.

fn restricted_volumes(pod: &PodView<'_>) -> Option<Finding> {
    let mut names = Vec::new();
    let mut types = Vec::new();
    let mut paths = Vec::new();
    for vol in &pod.volumes {
        if vol.allowed_source {
            continue;
        }
        // A volume with no source at all is defaulted to `emptyDir: {}` by the API server before
        // admission, so only a set forbidden source makes it a restricted volume.
        let Some(kind) = vol.restricted_source else {
            continue;
        };
        names.push(vol.name);
        types.push(kind.to_string());
        paths.push(format!("volumes[{}].{kind}", vol.index));
    }
    if names.is_empty() {
        return None;
    }
    let types = sorted_set(types);
    finding(
        "restricted volume types",
        format!(
            "{} {} {} {} {}",
            pluralize("volume", "volumes", names.len()),
            join_quote(&names),
            pluralize("uses", "use", names.len()),
            pluralize(
                "restricted volume type",
                "restricted volume types",
                types.len()
            ),
            join_quote(&types)
        ),
        paths,
    )
}

fn allow_privilege_escalation_1_8(pod: &PodView<'_>) -> Option<Finding> {
    let mut bad = Vec::new();
    let mut paths = Vec::new();
    for c in &pod.containers {
        if c.sc.as_ref().and_then(|sc| sc.allow_privilege_escalation) != Some(false) {
            bad.push(c.name);
            paths.push(sc_path(c, "allowPrivilegeEscalation"));
        }
    }
    if bad.is_empty() {
        return None;
    }
    finding(
        "allowPrivilegeEscalation != false",
        format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_phrase(&bad)
        ),
        paths,
    )
}

fn allow_privilege_escalation_1_25(pod: &PodView<'_>) -> Option<Finding> {
    if pod.is_windows() {
        return None;
    }
    allow_privilege_escalation_1_8(pod)
}

fn run_as_non_root_1_0(pod: &PodView<'_>) -> Option<Finding> {
    let mut setters: Vec<String> = Vec::new();
    let mut explicit_paths = Vec::new();
    let mut pod_non_root = false;
    match pod.sc.run_as_non_root {
        Some(false) => {
            setters.push("pod".into());
            explicit_paths.push("securityContext.runAsNonRoot".to_string());
        }
        Some(true) => pod_non_root = true,
        None => {}
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_paths = Vec::new();
    for c in &pod.containers {
        match c.sc.as_ref().and_then(|sc| sc.common.run_as_non_root) {
            Some(false) => {
                explicit.push(c.name);
                explicit_paths.push(sc_path(c, "runAsNonRoot"));
            }
            Some(true) => {}
            None if !pod_non_root => {
                implicit.push(c.name);
                implicit_paths.push(sc_path(c, "runAsNonRoot"));
            }
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if !setters.is_empty() {
        return finding(
            "runAsNonRoot != true",
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters.join(" and ")
            ),
            explicit_paths,
        );
    }
    if !implicit.is_empty() {
        return finding(
            "runAsNonRoot != true",
            format!(
                "pod or {} must set securityContext.runAsNonRoot=true",
                containers_phrase(&implicit)
            ),
            implicit_paths,
        );
    }
    None
}

fn run_as_non_root_1_35(pod: &PodView<'_>) -> Option<Finding> {
    if pod.in_user_namespace() {
        return None;
    }
    run_as_non_root_1_0(pod)
}

fn run_as_user_1_23(pod: &PodView<'_>) -> Option<Finding> {
    let mut setters: Vec<String> = Vec::new();
    let mut paths = Vec::new();
    if pod.sc.run_as_user == Some(0) {
        setters.push("pod".into());
        paths.push("securityContext.runAsUser".to_string());
    }
    let mut bad = Vec::new();
    for c in &pod.containers {
        if c.sc.as_ref().and_then(|sc| sc.common.run_as_user) == Some(0) {
            bad.push(c.name);
            paths.push(sc_path(c, "runAsUser"));
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    finding(
        "runAsUser=0",
        format!("{} must not set runAsUser=0", setters.join(" and ")),
        paths,
    )
}

fn run_as_user_1_35(pod: &PodView<'_>) -> Option<Finding> {
    if pod.in_user_namespace() {
        return None;
    }
    run_as_user_1_23(pod)
}

fn seccomp_restricted_1_19(pod: &PodView<'_>) -> Option<Finding> {
    let sc: &CommonSc<'_> = &pod.sc;
    let mut setters: Vec<String> = Vec::new();
    let mut values = Vec::new();
    let mut explicit_paths = Vec::new();
    let mut pod_set = false;
    if let Some(t) = sc.seccomp_type {
        if valid_seccomp(t) {
            pod_set = true;
        } else {
            setters.push("pod".into());
            values.push(t.to_string());
            explicit_paths.push("securityContext.seccompProfile.type".to_string());
        }
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_paths = Vec::new();
    for c in &pod.containers {
        match container_seccomp(c) {
            Some(t) if !valid_seccomp(t) => {
                explicit.push(c.name);
                values.push(t.to_string());
                explicit_paths.push(sc_path(c, "seccompProfile.type"));
            }
            Some(_) => {}
            None if !pod_set => {
                implicit.push(c.name);
                implicit_paths.push(sc_path(c, "seccompProfile.type"));
            }
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if !setters.is_empty() {
        return finding(
            "seccompProfile",
            format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.join(" and "),
                join_quote(&sorted_set(values))
            ),
            explicit_paths,
        );
    }
    if !implicit.is_empty() {
        return finding(
            "seccompProfile",
            format!(
                "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                containers_phrase(&implicit)
            ),
            implicit_paths,
        );
    }
    None
}

fn seccomp_restricted_1_25(pod: &PodView<'_>) -> Option<Finding> {
    if pod.is_windows() {
        return None;
    }
    seccomp_restricted_1_19(pod)
}

fn capabilities_restricted_1_22(pod: &PodView<'_>) -> Option<Finding> {
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut forbidden_caps = Vec::new();
    let mut drop_paths = Vec::new();
    let mut add_paths = Vec::new();
    for c in &pod.containers {
        let Some(caps) = caps(c) else {
            missing_drop.push(c.name);
            drop_paths.push(sc_path(c, "capabilities.drop"));
            continue;
        };
        if !caps.drop.contains(&"ALL") {
            missing_drop.push(c.name);
            drop_paths.push(sc_path(c, "capabilities.drop"));
        }
        let mut added_forbidden = false;
        for (i, cap) in &caps.add {
            if *cap != "NET_BIND_SERVICE" {
                added_forbidden = true;
                forbidden_caps.push((*cap).to_string());
                add_paths
                    .push(c.field_path2("securityContext.capabilities.add", &format!("[{i}]")));
            }
        }
        if added_forbidden {
            adding.push(c.name);
        }
    }
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding),
            join_quote(&sorted_set(forbidden_caps))
        ));
    }
    if details.is_empty() {
        return None;
    }
    drop_paths.extend(add_paths);
    finding("unrestricted capabilities", details.join("; "), drop_paths)
}

fn capabilities_restricted_1_25(pod: &PodView<'_>) -> Option<Finding> {
    if pod.is_windows() {
        return None;
    }
    capabilities_restricted_1_22(pod)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(level: Level, minor: u32) -> Vec<&'static str> {
        selected(level, minor).iter().map(|s| s.def.id).collect()
    }

    #[test]
    fn registry_is_well_formed() {
        let mut seen = Vec::new();
        for def in CHECKS {
            assert!(!seen.contains(&def.id), "duplicate {}", def.id);
            seen.push(def.id);
            assert_ne!(def.level, Level::Privileged);
            assert!(!def.versions.is_empty());
            for pair in def.versions.windows(2) {
                assert!(pair[0].min_minor < pair[1].min_minor, "{}", def.id);
            }
            for version in def.versions {
                assert!(version.min_minor <= MAX_POLICY_MINOR);
                for o in version.overrides {
                    assert_eq!(def.level, Level::Restricted);
                    let target = CHECKS.iter().find(|d| d.id == *o).unwrap();
                    assert_eq!(target.level, Level::Baseline);
                }
            }
        }
        let max = CHECKS
            .iter()
            .filter_map(|d| d.versions.last())
            .map(|v| v.min_minor)
            .max();
        assert_eq!(max, Some(MAX_POLICY_MINOR));
    }

    #[test]
    fn baseline_order_is_sorted_ids() {
        assert_eq!(
            ids(Level::Baseline, MAX_POLICY_MINOR),
            vec![
                "appArmorProfile",
                "capabilities_baseline",
                "hostNamespaces",
                "hostPathVolumes",
                "hostPorts",
                "hostProbesAndHostLifecycle",
                "privileged",
                "procMount",
                "seLinuxOptions",
                "seccompProfile_baseline",
                "sysctls",
                "windowsHostProcess",
            ]
        );
        assert!(!ids(Level::Baseline, 33).contains(&"hostProbesAndHostLifecycle"));
    }

    #[test]
    fn restricted_overrides() {
        assert_eq!(
            ids(Level::Restricted, MAX_POLICY_MINOR),
            vec![
                "appArmorProfile",
                "hostNamespaces",
                "hostPorts",
                "hostProbesAndHostLifecycle",
                "privileged",
                "seLinuxOptions",
                "sysctls",
                "windowsHostProcess",
                "allowPrivilegeEscalation",
                "capabilities_restricted",
                "procMount_restricted",
                "restrictedVolumes",
                "runAsNonRoot",
                "runAsUser",
                "seccompProfile_restricted",
            ]
        );
        // Before the restricted revisions exist, the baseline checks they override still run.
        let v10 = ids(Level::Restricted, 0);
        assert!(v10.contains(&"capabilities_baseline"));
        assert!(v10.contains(&"seccompProfile_baseline"));
        assert!(v10.contains(&"procMount"));
        assert!(!v10.contains(&"hostPathVolumes"));
        assert!(!v10.contains(&"allowPrivilegeEscalation"));
        assert!(ids(Level::Restricted, 8).contains(&"allowPrivilegeEscalation"));
        assert!(!ids(Level::Restricted, 18).contains(&"seccompProfile_restricted"));
        assert!(!ids(Level::Restricted, 19).contains(&"seccompProfile_baseline"));
        assert!(ids(Level::Restricted, 21).contains(&"capabilities_baseline"));
        assert!(!ids(Level::Restricted, 22).contains(&"capabilities_baseline"));
        assert!(!ids(Level::Restricted, 22).contains(&"runAsUser"));
        assert!(ids(Level::Restricted, 23).contains(&"runAsUser"));
        assert!(ids(Level::Restricted, 34).contains(&"procMount"));
        assert!(!ids(Level::Restricted, 35).contains(&"procMount"));
        assert!(selected(Level::Privileged, 30).is_empty());
        assert!(selected(Level::Restricted, MAX_POLICY_MINOR + 1).is_empty());
    }
}

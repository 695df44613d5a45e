//! Reading a node's files: static pod manifests, kubeconfigs, PKI, the kubelet's systemd unit
//! and configuration, etcd's data directory, and the files the API server flags point at.
//!
//! Every path is reported as the node sees it (`/etc/kubernetes/manifests/etcd.yaml`) even when
//! it was read from a copy under another root directory. Problems are collected in
//! [`NodeLayout::errors`]; a bad file never stops the rest of the node from being read.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use kubeward_yaml::{Node, path_index, path_join};
use serde::Serialize;

use crate::error::LayoutError;
use crate::flags::{self, Dialect, ParsedFlags};
use crate::systemd::{UnitSettings, expand_exec, parse_env_file};

/// Largest file read (static pod manifests and configuration files are a few KiB).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A control-plane component that runs as a static pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Component {
    /// kube-apiserver.
    ApiServer,
    /// kube-controller-manager.
    ControllerManager,
    /// kube-scheduler.
    Scheduler,
    /// etcd.
    Etcd,
}

impl Component {
    /// All components, in order.
    pub const ALL: [Component; 4] = [
        Component::ApiServer,
        Component::ControllerManager,
        Component::Scheduler,
        Component::Etcd,
    ];

    /// The binary / container name (`kube-apiserver`).
    #[must_use]
    pub fn binary(self) -> &'static str {
        match self {
            Component::ApiServer => "kube-apiserver",
            Component::ControllerManager => "kube-controller-manager",
            Component::Scheduler => "kube-scheduler",
            Component::Etcd => "etcd",
        }
    }

    /// The flag table and dialect the component parses its command line with.
    #[must_use]
    pub fn flag_syntax(self) -> (Dialect, flags::FlagTable) {
        match self {
            Component::ApiServer => (Dialect::Pflag, flags::KUBE_APISERVER_FLAGS),
            Component::ControllerManager => (Dialect::Pflag, flags::KUBE_CONTROLLER_MANAGER_FLAGS),
            Component::Scheduler => (Dialect::Pflag, flags::KUBE_SCHEDULER_FLAGS),
            Component::Etcd => (Dialect::GoFlag, flags::ETCD_FLAGS),
        }
    }

    fn from_name(name: &str) -> Option<Component> {
        let base = name.rsplit('/').next().unwrap_or(name);
        Component::ALL.into_iter().find(|c| c.binary() == base)
    }
}

/// File-system facts about one file or directory (for the CIS permission checks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileFacts {
    /// The path as the node sees it (absolute).
    pub path: PathBuf,
    /// Permission bits (`mode & 0o7777`).
    pub mode: u32,
    /// Owner user id.
    pub uid: u32,
    /// Owner group id.
    pub gid: u32,
    /// Whether it is a directory.
    pub is_dir: bool,
}

/// One element of a container's `command` + `args`, with its field path in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arg {
    /// The argument.
    pub value: String,
    /// Where it is, relative to the manifest's root (`spec.containers[0].command[3]`).
    pub field_path: String,
}

/// A parsed static pod manifest of a control-plane component.
#[derive(Debug, Clone, Serialize)]
pub struct StaticPod {
    /// Which component.
    pub component: Component,
    /// The manifest file.
    pub file: FileFacts,
    /// Field path of the component's container (`spec.containers[0]`).
    pub container_path: String,
    /// `command` followed by `args`.
    pub argv: Vec<Arg>,
    /// Index in [`StaticPod::argv`] of the first argument given to the flag parser (1 when
    /// `command[0]` is the binary).
    pub flags_start: usize,
    /// The parsed flags (occurrence indexes are relative to `flags_start`).
    pub flags: ParsedFlags,
    /// Literal container environment variables (`name -> value`), used for etcd's `ETCD_*`.
    #[serde(skip)]
    pub env: BTreeMap<String, String>,
    /// `(mountPath, hostPath)` pairs from volume mounts backed by hostPath volumes.
    pub host_mounts: Vec<(String, String)>,
}

impl StaticPod {
    /// The field path of the argument that set flag occurrence `occ`.
    #[must_use]
    pub fn field_path_of(&self, occ: &flags::FlagOccurrence) -> Option<String> {
        self.argv
            .get(self.flags_start + occ.index)
            .map(|a| a.field_path.clone())
    }

    /// Maps a path seen inside the container to the host path through hostPath mounts (the
    /// longest matching mount wins). Paths outside every mount are returned unchanged.
    #[must_use]
    pub fn host_path(&self, container_path: &str) -> String {
        let best = self
            .host_mounts
            .iter()
            .filter(|(mount, _)| {
                let m = mount.trim_end_matches('/');
                container_path == m
                    || container_path
                        .strip_prefix(m)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .max_by_key(|(mount, _)| mount.len());
        match best {
            Some((mount, host)) => {
                let rest = container_path
                    .strip_prefix(mount.trim_end_matches('/'))
                    .unwrap_or("");
                format!("{}{}", host.trim_end_matches('/'), rest)
            }
            None => container_path.to_string(),
        }
    }
}

/// Where a kubelet command-line argument came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KubeletArg {
    /// The argument.
    pub value: String,
    /// Where it was found (unit file or environment file, and variable).
    pub origin: String,
}

/// The kubelet as configured on the node.
#[derive(Debug, Clone, Serialize)]
pub struct Kubelet {
    /// Service unit and drop-in files that were read, in the order applied.
    pub unit_files: Vec<FileFacts>,
    /// Environment files that were read.
    pub env_files: Vec<FileFacts>,
    /// The rebuilt command line (without the binary), with origins.
    pub argv: Vec<KubeletArg>,
    /// The parsed command line.
    pub flags: ParsedFlags,
    /// The configuration file (`--config`), if any.
    pub config_file: Option<FileFacts>,
    /// Its parsed content (`None` when absent or unparseable).
    #[serde(skip)]
    pub config: Option<Node>,
    /// Drop-in configuration files from `--config-dir` (`*.conf`, in name order); each
    /// overrides the configuration file and the drop-ins before it, flags override them all.
    pub config_dropins: Vec<YamlFile>,
    /// The kubeconfig (`--kubeconfig`, default `/etc/kubernetes/kubelet.conf`).
    pub kubeconfig: Option<FileFacts>,
    /// The client CA file named by `authentication.x509.clientCAFile` / `--client-ca-file`.
    pub client_ca_file: Option<FileFacts>,
}

/// A YAML file the checks read whole (encryption configuration, audit policy, ...).
#[derive(Debug, Clone, Serialize)]
pub struct YamlFile {
    /// The file.
    pub file: FileFacts,
    /// Its first document (`None` when it did not parse).
    #[serde(skip)]
    pub root: Option<Node>,
}

/// A control-plane manifest that exists but could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenManifest {
    /// The file.
    pub file: FileFacts,
    /// Why it could not be used.
    pub message: String,
}

/// Explicitly named inputs, for when there is no node root to walk.
#[derive(Debug, Clone, Default)]
pub struct ExplicitFiles {
    /// A directory of static pod manifests.
    pub manifests_dir: Option<PathBuf>,
    /// A kubelet configuration file.
    pub kubelet_config: Option<PathBuf>,
    /// Kubelet command-line arguments (without the binary).
    pub kubelet_args: Option<Vec<String>>,
    /// An `EncryptionConfiguration` file.
    pub encryption_config: Option<PathBuf>,
    /// An audit `Policy` file.
    pub audit_policy: Option<PathBuf>,
}

/// Everything read from one node.
#[derive(Debug, Clone, Serialize)]
pub struct NodeLayout {
    /// The directory standing for `/` (`None` with [`NodeLayout::from_files`]).
    pub root: Option<PathBuf>,
    /// The static pod manifests directory, if it exists.
    pub manifests_dir: Option<FileFacts>,
    /// Control-plane static pods found.
    pub static_pods: BTreeMap<Component, StaticPod>,
    /// Components whose manifest exists but could not be read or parsed.
    pub broken_components: BTreeMap<Component, BrokenManifest>,
    /// `/etc/kubernetes/*.conf` kubeconfigs, by file name.
    pub kubeconfigs: BTreeMap<String, FileFacts>,
    /// Everything under `/etc/kubernetes/pki`, sorted by path.
    pub pki: Vec<FileFacts>,
    /// CNI configuration files (`/etc/cni/net.d`, `/var/lib/cni/networks`).
    pub cni_files: Vec<FileFacts>,
    /// The etcd data directory (`--data-dir`, default `/var/lib/etcd`).
    pub etcd_data_dir: Option<FileFacts>,
    /// A kube-proxy kubeconfig on disk, if any.
    pub proxy_kubeconfig: Option<FileFacts>,
    /// The kubelet, when a unit, flags or a configuration file were found.
    pub kubelet: Option<Kubelet>,
    /// The API server's `--encryption-provider-config` file.
    pub encryption_config: Option<YamlFile>,
    /// The API server's `--audit-policy-file`.
    pub audit_policy: Option<YamlFile>,
    /// The API server's `--authorization-config` file.
    pub authorization_config: Option<YamlFile>,
    /// etcd's `--config-file`, which replaces all its flags and `ETCD_*` variables.
    pub etcd_config: Option<YamlFile>,
    /// The API server's `--authentication-config` file.
    pub authentication_config: Option<YamlFile>,
    /// Users and groups from `/etc/passwd` and `/etc/group` under the root (`name -> id`).
    pub users: BTreeMap<String, u32>,
    /// Groups (`name -> id`).
    pub groups: BTreeMap<String, u32>,
    /// Located problems.
    pub errors: Vec<LayoutError>,
}

struct Reader {
    root: Option<PathBuf>,
}

impl Reader {
    /// The local path for a node path.
    fn local(&self, node_path: &str) -> PathBuf {
        match &self.root {
            Some(r) => r.join(node_path.trim_start_matches('/')),
            None => PathBuf::from(node_path),
        }
    }

    fn node_path(&self, local: &Path) -> PathBuf {
        match &self.root {
            Some(r) => match local.strip_prefix(r) {
                Ok(rest) => Path::new("/").join(rest),
                Err(_) => local.to_path_buf(),
            },
            None => local.to_path_buf(),
        }
    }

    fn stat(&self, local: &Path) -> Option<FileFacts> {
        let meta = fs::metadata(local).ok()?;
        Some(FileFacts {
            path: self.node_path(local),
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
            is_dir: meta.is_dir(),
        })
    }

    fn read(&self, local: &Path, errors: &mut Vec<LayoutError>) -> Option<String> {
        let shown = self.node_path(local);
        match fs::metadata(local) {
            Ok(m) if m.len() > MAX_FILE_BYTES => {
                errors.push(LayoutError::Unreadable {
                    path: shown,
                    message: format!("file is larger than {MAX_FILE_BYTES} bytes"),
                });
                return None;
            }
            Ok(m) if m.is_dir() => {
                errors.push(LayoutError::Unreadable {
                    path: shown,
                    message: "is a directory".into(),
                });
                return None;
            }
            _ => {}
        }
        match fs::read(local) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => Some(s),
                Err(_) => {
                    errors.push(LayoutError::Unreadable {
                        path: shown,
                        message: "not valid UTF-8".into(),
                    });
                    None
                }
            },
            Err(e) => {
                errors.push(LayoutError::Unreadable {
                    path: shown,
                    message: e.to_string(),
                });
                None
            }
        }
    }

    fn read_yaml(&self, local: &Path, errors: &mut Vec<LayoutError>) -> Option<YamlFile> {
        let file = self.stat(local)?;
        let text = self.read(local, errors);
        let root = text.and_then(|t| parse_first_doc(&t, &file.path, errors));
        Some(YamlFile { file, root })
    }

    fn list_dir(&self, local: &Path) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = match fs::read_dir(local) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(_) => Vec::new(),
        };
        out.sort();
        out
    }

    fn walk(&self, local: &Path, out: &mut Vec<FileFacts>, depth: usize) {
        if let Some(f) = self.stat(local) {
            let is_dir = f.is_dir;
            out.push(f);
            if is_dir && depth < 8 {
                for child in self.list_dir(local) {
                    // Do not follow symlinked directories (loops).
                    if fs::symlink_metadata(&child).is_ok_and(|m| m.file_type().is_symlink()) {
                        if let Some(f) = self.stat(&child).filter(|f| !f.is_dir) {
                            out.push(f);
                        }
                        continue;
                    }
                    self.walk(&child, out, depth + 1);
                }
            }
        }
    }
}

/// Parses the first YAML document of a file, recording syntax errors as located errors.
pub(crate) fn parse_first_doc(
    text: &str,
    path: &Path,
    errors: &mut Vec<LayoutError>,
) -> Option<Node> {
    let parsed = kubeward_yaml::parse_str(text);
    for issue in &parsed.issues {
        if issue.severity == kubeward_yaml::IssueSeverity::Error {
            errors.push(LayoutError::Unparseable {
                path: path.to_path_buf(),
                line: issue.span.start.line,
                col: issue.span.start.col,
                message: issue.message.clone(),
            });
        }
    }
    let has_error = parsed
        .issues
        .iter()
        .any(|i| i.severity == kubeward_yaml::IssueSeverity::Error);
    let root = parsed.documents.into_iter().next().map(|d| d.root);
    match root {
        Some(r) if !has_error && r.is_map() => Some(r),
        Some(r) if !has_error => {
            errors.push(LayoutError::Invalid {
                path: path.to_path_buf(),
                field_path: String::new(),
                message: format!(
                    "expected a mapping at the top level, found {}",
                    r.type_name()
                ),
            });
            None
        }
        _ => {
            if !has_error {
                errors.push(LayoutError::Invalid {
                    path: path.to_path_buf(),
                    field_path: String::new(),
                    message: "empty document".into(),
                });
            }
            None
        }
    }
}

fn string_items(node: Option<&Node>, base: &str) -> Vec<Arg> {
    node.map(|n| {
        n.items()
            .enumerate()
            .filter_map(|(i, item)| {
                item.scalar_string().map(|s| Arg {
                    value: s.into_owned(),
                    field_path: path_index(base, i),
                })
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Parses a static pod manifest into a [`StaticPod`] when it runs a control-plane component.
/// `Ok(None)` means the pod is something else (not an error).
///
/// # Errors
/// A located [`LayoutError`] when the document is not a Pod with containers.
pub fn parse_static_pod(root: &Node, file: FileFacts) -> Result<Option<StaticPod>, LayoutError> {
    let invalid = |field_path: &str, message: String| LayoutError::Invalid {
        path: file.path.clone(),
        field_path: field_path.to_string(),
        message,
    };
    if let Some(kind) = root.get("kind").and_then(Node::as_str)
        && kind != "Pod"
    {
        return Ok(None);
    }
    let containers = root
        .at_path("spec.containers")
        .ok_or_else(|| invalid("spec.containers", "no spec.containers".into()))?;
    let items = containers.as_seq().ok_or_else(|| {
        invalid(
            "spec.containers",
            format!("expected a sequence, found {}", containers.type_name()),
        )
    })?;
    // Pick the container whose command binary or name names a component.
    let mut found = None;
    for (i, c) in items.iter().enumerate() {
        let cmd0 = c
            .get("command")
            .and_then(|cmd| cmd.items().next())
            .and_then(Node::as_str);
        let name = c.get("name").and_then(Node::as_str);
        let comp = cmd0
            .and_then(Component::from_name)
            .or_else(|| name.and_then(Component::from_name));
        if let Some(comp) = comp {
            found = Some((i, comp, c));
            break;
        }
    }
    let Some((ci, component, container)) = found else {
        return Ok(None);
    };
    let cpath = path_index("spec.containers", ci);
    for key in ["command", "args"] {
        if let Some(n) = container.get(key)
            && !n.is_seq()
            && !n.is_null()
        {
            return Err(invalid(
                &path_join(&cpath, key),
                format!("expected a sequence of strings, found {}", n.type_name()),
            ));
        }
    }
    let mut argv = string_items(container.get("command"), &path_join(&cpath, "command"));
    argv.extend(string_items(
        container.get("args"),
        &path_join(&cpath, "args"),
    ));
    let flags_start = usize::from(argv.first().is_some_and(|a| !a.value.starts_with('-')));
    let (dialect, table) = component.flag_syntax();
    let words: Vec<&str> = argv
        .get(flags_start..)
        .unwrap_or_default()
        .iter()
        .map(|a| a.value.as_str())
        .collect();
    let flags = flags::parse(&words, dialect, table);
    let mut env = BTreeMap::new();
    for e in container.get("env").map(Node::items).into_iter().flatten() {
        if let (Some(n), Some(v)) = (
            e.get("name").and_then(Node::as_str),
            e.get("value").and_then(Node::scalar_string),
        ) {
            env.insert(n.to_string(), v.into_owned());
        }
    }
    let mut host_vols = BTreeMap::new();
    for v in root
        .at_path("spec.volumes")
        .map(Node::items)
        .into_iter()
        .flatten()
    {
        if let (Some(n), Some(p)) = (
            v.get("name").and_then(Node::as_str),
            v.at_path("hostPath.path").and_then(Node::as_str),
        ) {
            host_vols.insert(n.to_string(), p.to_string());
        }
    }
    let mut host_mounts = Vec::new();
    for m in container
        .get("volumeMounts")
        .map(Node::items)
        .into_iter()
        .flatten()
    {
        if let (Some(n), Some(mp)) = (
            m.get("name").and_then(Node::as_str),
            m.get("mountPath").and_then(Node::as_str),
        ) && let Some(hp) = host_vols.get(n)
        {
            host_mounts.push((mp.to_string(), hp.clone()));
        }
    }
    Ok(Some(StaticPod {
        component,
        file,
        container_path: cpath,
        argv,
        flags_start,
        flags,
        env,
        host_mounts,
    }))
}

fn read_id_file(text: &str) -> BTreeMap<String, u32> {
    text.lines()
        .filter_map(|l| {
            let mut parts = l.split(':');
            let name = parts.next()?;
            let _pw = parts.next()?;
            let id = parts.next()?.parse().ok()?;
            Some((name.to_string(), id))
        })
        .collect()
}

const UNIT_DIRS: [&str; 3] = [
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
    "/etc/systemd/system",
];

impl NodeLayout {
    fn empty(root: Option<PathBuf>) -> Self {
        Self {
            root,
            manifests_dir: None,
            static_pods: BTreeMap::new(),
            broken_components: BTreeMap::new(),
            kubeconfigs: BTreeMap::new(),
            pki: Vec::new(),
            cni_files: Vec::new(),
            etcd_data_dir: None,
            proxy_kubeconfig: None,
            kubelet: None,
            encryption_config: None,
            audit_policy: None,
            authorization_config: None,
            etcd_config: None,
            authentication_config: None,
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            errors: Vec::new(),
        }
    }

    /// Reads a kubeadm-style node whose `/` is `root` (a mounted node image, a copy, or `/`).
    ///
    /// Never fails: missing files mean absent components, bad files become
    /// [`NodeLayout::errors`].
    #[must_use]
    pub fn from_root(root: impl AsRef<Path>) -> Self {
        let reader = Reader {
            root: Some(root.as_ref().to_path_buf()),
        };
        let mut layout = Self::empty(reader.root.clone());
        if let Ok(t) = fs::read_to_string(reader.local("/etc/passwd")) {
            layout.users = read_id_file(&t);
        }
        if let Ok(t) = fs::read_to_string(reader.local("/etc/group")) {
            layout.groups = read_id_file(&t);
        }
        layout.read_manifests(&reader, &reader.local("/etc/kubernetes/manifests"));
        for p in reader.list_dir(&reader.local("/etc/kubernetes")) {
            if p.extension().is_some_and(|e| e == "conf")
                && let Some(f) = reader.stat(&p)
                && !f.is_dir
                && let Some(name) = p.file_name().and_then(|n| n.to_str())
            {
                layout.kubeconfigs.insert(name.to_string(), f);
            }
        }
        let pki = reader.local("/etc/kubernetes/pki");
        if pki.exists() {
            reader.walk(&pki, &mut layout.pki, 0);
            layout.pki.sort_by(|a, b| a.path.cmp(&b.path));
        }
        for d in ["/etc/cni/net.d", "/var/lib/cni/networks"] {
            let local = reader.local(d);
            if local.is_dir() {
                let mut files = Vec::new();
                reader.walk(&local, &mut files, 0);
                layout
                    .cni_files
                    .extend(files.into_iter().filter(|f| !f.is_dir));
            }
        }
        if let Some(p) = layout.static_pods.get(&Component::Etcd)
            && let Some(cf) = p.flags.value("config-file").filter(|v| !v.is_empty())
        {
            let local = reader.local(&p.host_path(&cf));
            layout.etcd_config = reader.read_yaml(&local, &mut layout.errors);
            if layout.etcd_config.is_none() {
                layout.errors.push(LayoutError::Unreadable {
                    path: reader.node_path(&local),
                    message: "etcd --config-file does not exist".into(),
                });
            }
        }
        let from_config = layout
            .etcd_config
            .as_ref()
            .and_then(|c| c.root.as_ref())
            .and_then(|r| r.get("data-dir"))
            .and_then(Node::as_str)
            .map(str::to_string);
        let data_dir = layout
            .static_pods
            .get(&Component::Etcd)
            .and_then(|p| {
                let d = if p.flags.is_set("config-file") {
                    from_config.clone()
                } else {
                    p.flags.value("data-dir")
                };
                d.map(|d| p.host_path(&d))
            })
            .unwrap_or_else(|| "/var/lib/etcd".to_string());
        layout.etcd_data_dir = reader.stat(&reader.local(&data_dir));
        for p in [
            "/var/lib/kube-proxy/kubeconfig.conf",
            "/var/lib/kube-proxy/kubeconfig",
            "/etc/kubernetes/proxy.conf",
            "/etc/kubernetes/kube-proxy.kubeconfig",
        ] {
            if let Some(f) = reader.stat(&reader.local(p)) {
                layout.proxy_kubeconfig = Some(f);
                break;
            }
        }
        layout.read_apiserver_files(&reader, None, None);
        layout.kubelet = read_kubelet_from_units(&reader, &mut layout.errors);
        layout.errors.sort();
        layout
    }

    /// Reads explicitly named files (no root to walk: file ownership and kubeconfig checks that
    /// need the node are not applicable).
    #[must_use]
    pub fn from_files(files: &ExplicitFiles) -> Self {
        let reader = Reader { root: None };
        let mut layout = Self::empty(None);
        if let Some(dir) = &files.manifests_dir {
            if dir.is_dir() {
                layout.read_manifests(&reader, dir);
            } else {
                layout.errors.push(LayoutError::Unreadable {
                    path: dir.clone(),
                    message: "not a directory".into(),
                });
            }
        }
        layout.read_apiserver_files(
            &reader,
            files.encryption_config.as_deref(),
            files.audit_policy.as_deref(),
        );
        if files.kubelet_config.is_some() || files.kubelet_args.is_some() {
            let mut args = files.kubelet_args.clone().unwrap_or_default();
            if let Some(c) = &files.kubelet_config
                && !args.iter().any(|a| a.starts_with("--config"))
            {
                args.push(format!("--config={}", c.display()));
            }
            let argv = args
                .into_iter()
                .map(|value| KubeletArg {
                    value,
                    origin: "given arguments".into(),
                })
                .collect();
            layout.kubelet = Some(build_kubelet(
                &reader,
                Vec::new(),
                Vec::new(),
                argv,
                &mut layout.errors,
            ));
        }
        layout.errors.sort();
        layout
    }

    fn read_manifests(&mut self, reader: &Reader, dir: &Path) {
        let Some(dir_facts) = reader.stat(dir) else {
            return;
        };
        self.manifests_dir = Some(dir_facts);
        for path in reader.list_dir(dir) {
            let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
                continue;
            };
            if !matches!(ext, "yaml" | "yml" | "json" | "manifest") {
                continue;
            }
            let Some(facts) = reader.stat(&path) else {
                continue;
            };
            if facts.is_dir {
                continue;
            }
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let by_name = Component::from_name(stem);
            let mut errs = Vec::new();
            let text = reader.read(&path, &mut errs);
            let root = text.and_then(|t| parse_first_doc(&t, &facts.path, &mut errs));
            let parsed = root.map(|r| parse_static_pod(&r, facts.clone()));
            match parsed {
                Some(Ok(Some(pod))) => match self.static_pods.entry(pod.component) {
                    std::collections::btree_map::Entry::Occupied(_) => {
                        self.errors.push(LayoutError::Invalid {
                            path: facts.path.clone(),
                            field_path: String::new(),
                            message: format!(
                                "a second manifest for {}; the first one found is checked",
                                pod.component.binary()
                            ),
                        });
                    }
                    std::collections::btree_map::Entry::Vacant(v) => {
                        v.insert(pod);
                    }
                },
                Some(Ok(None)) => {}
                Some(Err(e)) => {
                    if let Some(c) = by_name {
                        self.broken_components.insert(
                            c,
                            BrokenManifest {
                                file: facts.clone(),
                                message: e.to_string(),
                            },
                        );
                    }
                    errs.push(e);
                }
                None => {
                    if let Some(c) = by_name {
                        let msg = errs
                            .first()
                            .map_or_else(|| "unreadable".to_string(), ToString::to_string);
                        self.broken_components.insert(
                            c,
                            BrokenManifest {
                                file: facts.clone(),
                                message: msg,
                            },
                        );
                    }
                }
            }
            self.errors.extend(errs);
        }
        // A component whose file was broken but another manifest ran it after all.
        let present: Vec<Component> = self.static_pods.keys().copied().collect();
        for c in present {
            self.broken_components.remove(&c);
        }
    }

    fn read_apiserver_files(&mut self, reader: &Reader, enc: Option<&Path>, audit: Option<&Path>) {
        let api = self.static_pods.get(&Component::ApiServer);
        let from_flag = |flag: &str| -> Option<PathBuf> {
            let pod = api?;
            let v = pod.flags.value(flag)?;
            if v.is_empty() || reader.root.is_none() {
                return None;
            }
            Some(reader.local(&pod.host_path(&v)))
        };
        let enc_path = enc
            .map(Path::to_path_buf)
            .or_else(|| from_flag("encryption-provider-config"));
        let audit_path = audit
            .map(Path::to_path_buf)
            .or_else(|| from_flag("audit-policy-file"));
        let authz_path = from_flag("authorization-config");
        let authn_path = from_flag("authentication-config");
        let mut errors = Vec::new();
        for (path, slot) in [
            (enc_path, &mut self.encryption_config),
            (audit_path, &mut self.audit_policy),
            (authz_path, &mut self.authorization_config),
            (authn_path, &mut self.authentication_config),
        ] {
            if let Some(p) = path {
                *slot = reader.read_yaml(&p, &mut errors);
                if slot.is_none() {
                    errors.push(LayoutError::Unreadable {
                        path: reader.node_path(&p),
                        message: "file named by an API server flag does not exist".into(),
                    });
                }
            }
        }
        self.errors.extend(errors);
    }

    /// The path of a node file under this layout's root (for callers that want to read more).
    #[must_use]
    pub fn local_path(&self, node_path: &str) -> PathBuf {
        Reader {
            root: self.root.clone(),
        }
        .local(node_path)
    }
}

fn read_kubelet_from_units(reader: &Reader, errors: &mut Vec<LayoutError>) -> Option<Kubelet> {
    // Base unit: the last of the unit directories that has it (/etc overrides /usr/lib).
    let mut unit_files = Vec::new();
    let mut settings = UnitSettings::default();
    let mut base = None;
    for d in UNIT_DIRS {
        let p = reader.local(&format!("{d}/kubelet.service"));
        if p.is_file() {
            base = Some(p);
        }
    }
    // Drop-ins by file name; a same-named file in a later directory masks earlier ones.
    let mut dropins: BTreeMap<String, PathBuf> = BTreeMap::new();
    for d in UNIT_DIRS {
        for p in reader.list_dir(&reader.local(&format!("{d}/kubelet.service.d"))) {
            if p.extension().is_some_and(|e| e == "conf")
                && let Some(n) = p.file_name().and_then(|n| n.to_str())
            {
                dropins.insert(n.to_string(), p);
            }
        }
    }
    for p in base.iter().chain(dropins.values()) {
        if let Some(f) = reader.stat(p) {
            unit_files.push(f);
        }
        if let Some(t) = reader.read(p, errors) {
            settings.apply_text(&t);
        }
    }
    let mut env_files = Vec::new();
    let mut env_maps = Vec::new();
    let mut env_origin: BTreeMap<String, String> = settings
        .environment
        .iter()
        .map(|(k, _)| (k.clone(), "Environment=".to_string()))
        .collect();
    let listed: Vec<(String, bool)> = if unit_files.is_empty() {
        // No unit: still look at kubeadm's files so flags set there are seen.
        vec![
            ("/var/lib/kubelet/kubeadm-flags.env".to_string(), true),
            ("/etc/default/kubelet".to_string(), true),
            ("/etc/sysconfig/kubelet".to_string(), true),
        ]
    } else {
        settings.environment_files.clone()
    };
    for (path, optional) in &listed {
        let local = reader.local(path);
        match reader.stat(&local) {
            Some(f) => {
                if let Some(t) = reader.read(&local, errors) {
                    let m = parse_env_file(&t);
                    for k in m.keys() {
                        env_origin.insert(k.clone(), path.clone());
                    }
                    env_maps.push(m);
                }
                env_files.push(f);
            }
            None if !optional => errors.push(LayoutError::Unreadable {
                path: PathBuf::from(path),
                message: "EnvironmentFile= names a file that does not exist".into(),
            }),
            None => {}
        }
    }
    let env = settings.environment(&env_maps);
    let argv: Vec<KubeletArg> = match &settings.exec_start {
        Some(cmd) => {
            let mut out = Vec::new();
            for (i, word) in crate::systemd::split_words(cmd).into_iter().enumerate() {
                let var = word
                    .strip_prefix("${")
                    .and_then(|w| w.strip_suffix('}'))
                    .or_else(|| word.strip_prefix('$'));
                let origin = match var {
                    Some(v) => format!(
                        "${v} ({})",
                        env_origin.get(v).map_or("unset", String::as_str)
                    ),
                    None => "ExecStart=".to_string(),
                };
                for value in expand_exec(&word, &env) {
                    if i == 0 {
                        continue; // the binary
                    }
                    out.push(KubeletArg {
                        value,
                        origin: origin.clone(),
                    });
                }
            }
            out
        }
        None => {
            // No ExecStart: take the well-known variables in kubeadm's order.
            [
                "KUBELET_KUBECONFIG_ARGS",
                "KUBELET_CONFIG_ARGS",
                "KUBELET_KUBEADM_ARGS",
                "KUBELET_EXTRA_ARGS",
            ]
            .iter()
            .filter_map(|k| env.get(*k).map(|v| (k, v)))
            .flat_map(|(k, v)| {
                crate::systemd::split_words(v)
                    .into_iter()
                    .map(move |value| KubeletArg {
                        value,
                        origin: format!("${k}"),
                    })
            })
            .collect()
        }
    };
    let default_config = reader.local("/var/lib/kubelet/config.yaml");
    if unit_files.is_empty() && env_files.is_empty() && !default_config.is_file() {
        return None;
    }
    let mut argv = argv;
    if unit_files.is_empty()
        && default_config.is_file()
        && !argv.iter().any(|a| a.value.starts_with("--config"))
    {
        argv.push(KubeletArg {
            value: "--config=/var/lib/kubelet/config.yaml".into(),
            origin: "kubeadm default (no kubelet unit found)".into(),
        });
    }
    Some(build_kubelet(reader, unit_files, env_files, argv, errors))
}

fn build_kubelet(
    reader: &Reader,
    unit_files: Vec<FileFacts>,
    env_files: Vec<FileFacts>,
    argv: Vec<KubeletArg>,
    errors: &mut Vec<LayoutError>,
) -> Kubelet {
    let words: Vec<&str> = argv.iter().map(|a| a.value.as_str()).collect();
    let flags = flags::parse(&words, Dialect::Pflag, flags::KUBELET_FLAGS);
    let mut config_file = None;
    let mut config = None;
    if let Some(path) = flags.value("config").filter(|p| !p.is_empty()) {
        let local = reader.local(&path);
        match reader.stat(&local) {
            Some(f) => {
                if let Some(text) = reader.read(&local, errors) {
                    config = parse_first_doc(&text, &f.path, errors);
                    if let Some(c) = &config {
                        errors.extend(crate::kubelet::validate_config(c, &f.path));
                    }
                }
                config_file = Some(f);
            }
            None => errors.push(LayoutError::Unreadable {
                path: PathBuf::from(&path),
                message: "kubelet --config file does not exist".into(),
            }),
        }
    }
    let mut config_dropins = Vec::new();
    if let Some(dir) = flags.value("config-dir").filter(|p| !p.is_empty()) {
        for p in reader.list_dir(&reader.local(&dir)) {
            if p.extension().is_some_and(|e| e == "conf")
                && let Some(y) = reader.read_yaml(&p, errors)
            {
                if let Some(r) = &y.root {
                    errors.extend(crate::kubelet::validate_config(r, &y.file.path));
                }
                config_dropins.push(y);
            }
        }
    }
    let kubeconfig = if reader.root.is_some() {
        let kc = flags
            .value("kubeconfig")
            .unwrap_or_else(|| "/etc/kubernetes/kubelet.conf".to_string());
        reader.stat(&reader.local(&kc))
    } else {
        None
    };
    let ca = flags.value("client-ca-file").or_else(|| {
        config
            .as_ref()
            .and_then(|c| c.at_path("authentication.x509.clientCAFile"))
            .and_then(Node::as_str)
            .map(str::to_string)
    });
    let client_ca_file = match (ca, reader.root.is_some()) {
        (Some(ca), true) if !ca.is_empty() => reader.stat(&reader.local(&ca)),
        _ => None,
    };
    Kubelet {
        unit_files,
        env_files,
        argv,
        flags,
        config_file,
        config,
        config_dropins,
        kubeconfig,
        client_ca_file,
    }
}

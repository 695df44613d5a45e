use kubeward_diagnostics::{Category, Severity};
use kubeward_model::PodTemplate;
use kubeward_yaml::{Node, path_index, path_join};

use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre};
use crate::rules::workload::util::KINDS;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports Secret volumes whose files other users of the container can read.
    ///
    /// Checked: an explicit `defaultMode` or per-item `mode` of a `secret` volume, or of a
    /// projected volume with a Secret or service-account-token source, that gives *others*
    /// any access (`mode & 0o007 != 0`, e.g. `0644`, `0755`, `0777`).
    ///
    /// Modes are integers: YAML 1.1 (what `kubectl` reads) treats `0644` as octal, so it
    /// arrives as `420`; JSON has no octal, so `420` there means `0644` too. Messages show
    /// both. A `defaultMode` is only judged when some file uses it (no `items`, or an item
    /// without its own `mode`).
    ///
    /// ## Why is this bad?
    /// Every process in the container, whatever its user, can read the files: a compromised
    /// sidecar, a helper running as another UID or a debug shell is enough to take the
    /// credential. Group read (`0440`) with `fsGroup` is the way to share it with a non-root
    /// user; others never need it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: api}
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: registry.example.com/api:2.0
    ///     volumeMounts:
    ///     - {name: creds, mountPath: /etc/creds, readOnly: true}
    ///   volumes:
    ///   - name: creds
    ///     secret: {secretName: api-creds, defaultMode: 0644}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: api}
    /// spec:
    ///   securityContext: {runAsUser: 10001, fsGroup: 10001}
    ///   containers:
    ///   - name: api
    ///     image: registry.example.com/api:2.0
    ///     volumeMounts:
    ///     - {name: creds, mountPath: /etc/creds, readOnly: true}
    ///   volumes:
    ///   - name: creds
    ///     secret: {secretName: api-creds, defaultMode: 0440}
    /// ```
    ///
    /// ## Fix
    /// Set `defaultMode: 0400` (root-owned) or `0440` with a pod `fsGroup` for a non-root
    /// user.
    ///
    /// ## Exceptions
    /// When unset, Kubernetes uses `0644`; this rule reports only modes written in the
    /// manifest, where someone chose them. Suppress with
    /// `kubeward.io/ignore: "SEC006: <why>"` if another UID must read the file.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Kubernetes API reference, `SecretVolumeSource.defaultMode` (default 0644)
    /// - CWE-732 Incorrect Permission Assignment for Critical Resource
    pub static SECRET_VOLUME_WORLD_READABLE: Rule = Rule {
        code: "SEC006",
        name: "secret-volume-world-readable",
        severity: Severity::Medium,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[mitre("T1552.001"), cwe("CWE-732")],
        fix: "Set `defaultMode: 0400` (or `0440` with an `fsGroup`).",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

/// A mode that grants others access, as integer.
fn open_mode(node: Option<&Node>) -> Option<i64> {
    node.and_then(Node::as_i64)
        .filter(|m| (0..=0o777).contains(m) && m & 0o007 != 0)
}

fn describe_mode(mode: i64) -> String {
    format!("0{mode:03o} (`{mode}` in decimal)")
}

/// Reports `defaultMode` (if some file uses it) and per-item `mode`s of one secret source.
/// `items_at` is the node holding `items`, `default_at` the node holding `defaultMode`.
fn check_source(
    out: &mut Emitter<'_>,
    what: &str,
    items_at: (&Node, &str),
    default_at: Option<(&Node, &str)>,
) {
    let (source, source_path) = items_at;
    let items: Vec<&Node> = source
        .get("items")
        .into_iter()
        .flat_map(Node::items)
        .collect();
    let default_used = items.is_empty() || items.iter().any(|i| i.get("mode").is_none());
    if let Some((holder, holder_path)) = default_at
        && default_used
        && let Some(mode) = open_mode(holder.get("defaultMode"))
    {
        out.report(
            path_join(holder_path, "defaultMode"),
            format!(
                "{what} files get mode {}: readable by every user in the container",
                describe_mode(mode)
            ),
        );
    }
    for (j, item) in items.iter().enumerate() {
        if let Some(mode) = open_mode(item.get("mode")) {
            let key = item.get("key").and_then(Node::as_str).unwrap_or("");
            out.report(
                path_join(&path_index(&path_join(source_path, "items"), j), "mode"),
                format!(
                    "{what} key `{key}` gets mode {}: readable by every user in the container",
                    describe_mode(mode)
                ),
            );
        }
    }
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(pod) = PodTemplate::of(ctx.object) else {
        return;
    };
    let (volumes, vpath) = pod.field("volumes");
    for (i, volume) in volumes.into_iter().flat_map(Node::items).enumerate() {
        let path = path_index(&vpath, i);
        let name = volume.get("name").and_then(Node::as_str).unwrap_or("");
        if let Some(secret) = volume.get("secret").filter(|s| s.is_map()) {
            let spath = path_join(&path, "secret");
            let secret_name = secret
                .get("secretName")
                .and_then(Node::as_str)
                .unwrap_or("");
            let what = format!("Secret volume `{name}` (Secret `{secret_name}`):");
            check_source(out, &what, (secret, &spath), Some((secret, &spath)));
        }
        let Some(projected) = volume.get("projected").filter(|p| p.is_map()) else {
            continue;
        };
        let ppath = path_join(&path, "projected");
        let sources: Vec<&Node> = projected
            .get("sources")
            .into_iter()
            .flat_map(Node::items)
            .collect();
        let mut default_reported = false;
        for (k, source) in sources.iter().enumerate() {
            let kpath = path_index(&path_join(&ppath, "sources"), k);
            let (inner, kind) = if let Some(s) = source.get("secret").filter(|s| s.is_map()) {
                (s, "secret")
            } else if source.get("serviceAccountToken").is_some_and(Node::is_map) {
                // A token file has no items; only the volume's defaultMode applies.
                if !default_reported && let Some(mode) = open_mode(projected.get("defaultMode")) {
                    out.report(
                        path_join(&ppath, "defaultMode"),
                        format!("Projected volume `{name}`: the service-account token gets mode {}: readable by every user in the container", describe_mode(mode)),
                    );
                    default_reported = true;
                }
                continue;
            } else {
                continue;
            };
            let inner_path = path_join(&kpath, kind);
            let secret_name = inner.get("name").and_then(Node::as_str).unwrap_or("");
            let what = format!("Projected volume `{name}` (Secret `{secret_name}`):");
            let default_at = (!default_reported).then_some((projected, ppath.as_str()));
            let before = out.findings().len();
            check_source(out, &what, (inner, &inner_path), default_at);
            if out
                .findings()
                .get(before..)
                .unwrap_or_default()
                .iter()
                .any(|f| f.path.ends_with(".projected.defaultMode"))
            {
                default_reported = true;
            }
        }
    }
}

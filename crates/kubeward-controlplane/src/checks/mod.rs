//! The CIS Kubernetes Benchmark checks (v1.12.0 numbering, as published in kube-bench's
//! `cfg/cis-1.12`), evaluated over a [`NodeLayout`].
//!
//! Every check has a stable id (the CIS id; `kw.*` for kubeward's own additions), metadata
//! with what/why/fix text naming the exact flag or configuration key, and a result with a
//! [`Status`], a reason and [`Evidence`] (file, field path, the relevant argument — never a
//! secret value). A component that is not on the node makes its checks
//! [`Status::NotApplicable`] with a reason, never a failure: managed control planes (EKS, GKE,
//! AKS) have no API server manifests on their nodes.

mod control_plane;
mod etcd;
mod files;
mod kubelet;
mod logging;

use std::path::PathBuf;

use serde::Serialize;

use crate::error::LayoutError;
use crate::flags::FlagOccurrence;
use crate::layout::{Component, NodeLayout, StaticPod};

/// The benchmark whose ids and expectations are followed.
pub const BENCHMARK: &str = "CIS Kubernetes Benchmark v1.12.0";

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Status {
    /// The node meets the recommendation.
    Pass,
    /// The node does not.
    Fail,
    /// Needs a person: a manual recommendation, or something could not be evaluated.
    Warn,
    /// The component is not on this node (managed control plane, worker node, ...).
    NotApplicable,
}

/// What part of the node a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Target {
    /// Control-plane configuration files (1.1).
    ControlPlaneFiles,
    /// kube-apiserver flags (1.2).
    ApiServer,
    /// kube-controller-manager flags (1.3).
    ControllerManager,
    /// kube-scheduler flags (1.4).
    Scheduler,
    /// etcd (2).
    Etcd,
    /// Authentication and logging policy (3).
    Policies,
    /// Worker node files (4.1).
    WorkerFiles,
    /// Kubelet settings (4.2).
    Kubelet,
    /// kube-proxy (4.3).
    KubeProxy,
}

/// Static description of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckMeta {
    /// Stable id: the CIS id (`1.2.1`) or `kw.<name>` for kubeward's own checks.
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Whether the benchmark marks it Automated (scored); Manual ones never fail the score.
    pub scored: bool,
    /// What it looks at.
    pub target: Target,
    /// What the check verifies, naming the flag or configuration key.
    pub what: &'static str,
    /// Why it matters (the attacker's gain).
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

/// Where a result comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    /// The file, as the node sees it.
    pub file: Option<PathBuf>,
    /// The field path inside the file (`spec.containers[0].command[7]`), when it is YAML.
    pub field_path: Option<String>,
    /// What was seen (secret values are never included).
    pub detail: String,
}

impl Evidence {
    /// Evidence without a file.
    #[must_use]
    pub fn note(detail: impl Into<String>) -> Self {
        Self {
            file: None,
            field_path: None,
            detail: detail.into(),
        }
    }
}

/// The outcome of one check on one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// The check's metadata.
    pub meta: CheckMeta,
    /// The result.
    pub status: Status,
    /// Why, in one sentence.
    pub reason: String,
    /// What was looked at.
    pub evidence: Vec<Evidence>,
}

/// Everything one run produced.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`BENCHMARK`].
    pub benchmark: &'static str,
    /// One result per check, in id order.
    pub results: Vec<CheckResult>,
    /// Files that could not be read or parsed (the checks that needed them say so).
    pub errors: Vec<LayoutError>,
}

impl Report {
    /// The result of check `id`.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.meta.id == id)
    }

    /// How many results have `status`.
    #[must_use]
    pub fn count(&self, status: Status) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }
}

/// Expectations that depend on the node's accounts.
///
/// CIS expects `root:root` (uid 0, gid 0) for configuration files and `etcd:etcd` for etcd's
/// data directory. The etcd ids come from `/etc/passwd` and `/etc/group` under the node root
/// unless given here. Tests that create fixtures as an unprivileged user set `root_uid` /
/// `root_gid` to their own ids so the "secure" fixture can pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// The uid standing for `root`.
    pub root_uid: u32,
    /// The gid standing for `root`.
    pub root_gid: u32,
    /// `(uid, gid)` standing for `etcd:etcd`; `None`: look the names up on the node.
    pub etcd_owner: Option<(u32, u32)>,
}

/// The context a check function sees.
pub(crate) struct Ctx<'a> {
    pub layout: &'a NodeLayout,
    pub opts: &'a Options,
}

/// A check's result without its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub status: Status,
    pub reason: String,
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    pub fn new(status: Status, reason: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self {
            status,
            reason: reason.into(),
            evidence,
        }
    }
    pub fn pass(reason: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self::new(Status::Pass, reason, evidence)
    }
    pub fn fail(reason: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self::new(Status::Fail, reason, evidence)
    }
    pub fn warn(reason: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self::new(Status::Warn, reason, evidence)
    }
    pub fn na(reason: impl Into<String>) -> Self {
        Self::new(Status::NotApplicable, reason, Vec::new())
    }
}

/// A check: metadata and the function that evaluates it.
pub(crate) struct Check {
    pub meta: CheckMeta,
    pub run: fn(&Ctx<'_>) -> Outcome,
}

pub(crate) const fn meta(
    id: &'static str,
    title: &'static str,
    scored: bool,
    target: Target,
    what: &'static str,
    why: &'static str,
    fix: &'static str,
) -> CheckMeta {
    CheckMeta {
        id,
        title,
        scored,
        target,
        what,
        why,
        fix,
    }
}

fn all_checks() -> impl Iterator<Item = &'static Check> {
    files::CHECKS
        .iter()
        .chain(control_plane::CHECKS)
        .chain(etcd::CHECKS)
        .chain(logging::CHECKS)
        .chain(kubelet::CHECKS)
}

fn id_key(id: &str) -> (u8, Vec<u32>, String) {
    if id.starts_with("kw.") {
        return (1, Vec::new(), id.to_string());
    }
    (
        0,
        id.split('.')
            .map(|p| p.parse().unwrap_or(u32::MAX))
            .collect(),
        String::new(),
    )
}

/// The metadata of every check, in id order.
#[must_use]
pub fn catalogue() -> Vec<CheckMeta> {
    let mut v: Vec<CheckMeta> = all_checks().map(|c| c.meta).collect();
    v.sort_by_key(|m| id_key(m.id));
    v
}

/// Runs every check against a node layout.
#[must_use]
pub fn run_checks(layout: &NodeLayout, opts: &Options) -> Report {
    let ctx = Ctx { layout, opts };
    let mut results: Vec<CheckResult> = all_checks()
        .map(|c| {
            let mut out = (c.run)(&ctx);
            out.evidence.sort();
            out.evidence.dedup();
            CheckResult {
                meta: c.meta,
                status: out.status,
                reason: out.reason,
                evidence: out.evidence,
            }
        })
        .collect();
    results.sort_by_key(|r| id_key(r.meta.id));
    Report {
        benchmark: BENCHMARK,
        results,
        errors: layout.errors.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the check modules.

/// Flags whose values must never be shown.
fn is_sensitive_flag(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    (n.contains("password") || n.contains("secret") || n.contains("token"))
        && !n.ends_with("-file")
        && !n.ends_with("-dir")
        && !n.contains("expiration")
        && !n.contains("webhook")
}

/// `--name=value` for evidence, with sensitive values masked.
pub(crate) fn show_flag(name: &str, value: Option<&str>) -> String {
    match value {
        None => format!("--{name}"),
        Some(_) if is_sensitive_flag(name) => format!("--{name}=<redacted>"),
        Some(v) => format!("--{name}={v}"),
    }
}

/// The static pod of `comp`, or the outcome to return when it is not usable.
pub(crate) fn pod<'a>(ctx: &Ctx<'a>, comp: Component) -> Result<&'a StaticPod, Outcome> {
    if let Some(p) = ctx.layout.static_pods.get(&comp) {
        return Ok(p);
    }
    if let Some(b) = ctx.layout.broken_components.get(&comp) {
        return Err(Outcome::warn(
            format!(
                "the {} manifest could not be evaluated: {}",
                comp.binary(),
                b.message
            ),
            vec![Evidence {
                file: Some(b.file.path.clone()),
                field_path: None,
                detail: b.message.clone(),
            }],
        ));
    }
    Err(Outcome::na(match &ctx.layout.manifests_dir {
        Some(d) => format!(
            "no {} static pod manifest in {} (managed control plane, or not a control-plane node)",
            comp.binary(),
            d.path.display()
        ),
        None => format!(
            "no static pod manifests directory, so no {} to check (managed control plane, or not a control-plane node)",
            comp.binary()
        ),
    }))
}

/// Evidence for a flag occurrence in a static pod.
pub(crate) fn ev_occ(pod: &StaticPod, occ: &FlagOccurrence) -> Evidence {
    Evidence {
        file: Some(pod.file.path.clone()),
        field_path: pod.field_path_of(occ),
        detail: show_flag(&occ.name, occ.value.as_deref()),
    }
}

/// Evidence that a flag is absent from a static pod.
pub(crate) fn ev_unset(pod: &StaticPod, flag: &str, default: &str) -> Evidence {
    Evidence {
        file: Some(pod.file.path.clone()),
        field_path: Some(pod.container_path.clone()),
        detail: if default.is_empty() {
            format!("--{flag} is not set")
        } else {
            format!("--{flag} is not set (default: {default})")
        },
    }
}

/// Evidence for the effective occurrence of `flag`, plus earlier conflicting ones.
pub(crate) fn ev_flag(pod: &StaticPod, flag: &str, default: &str) -> Vec<Evidence> {
    let occs: Vec<&FlagOccurrence> = pod.flags.all(flag).collect();
    if occs.is_empty() {
        return vec![ev_unset(pod, flag, default)];
    }
    let mut out: Vec<Evidence> = occs.iter().map(|o| ev_occ(pod, o)).collect();
    let scalar = matches!(
        pod.flags.kind(flag),
        crate::flags::FlagKind::Scalar | crate::flags::FlagKind::Bool
    );
    if scalar && occs.len() > 1 {
        out.push(Evidence {
            file: Some(pod.file.path.clone()),
            field_path: Some(pod.container_path.clone()),
            detail: format!(
                "--{flag} is given {} times; the last one is used",
                occs.len()
            ),
        });
    }
    out
}

/// A boolean flag that must equal `want`; `default` is the component's default.
pub(crate) fn bool_flag(
    ctx: &Ctx<'_>,
    comp: Component,
    flag: &str,
    want: bool,
    default: bool,
) -> Outcome {
    let p = match pod(ctx, comp) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ev = ev_flag(p, flag, &default.to_string());
    match p.flags.bool(flag) {
        Some(Err(raw)) => Outcome::warn(
            format!(
                "--{flag} has the invalid boolean value {raw:?}; {} refuses to start",
                comp.binary()
            ),
            ev,
        ),
        Some(Ok(v)) if v == want => Outcome::pass(format!("--{flag}={v}"), ev),
        Some(Ok(v)) => Outcome::fail(format!("--{flag}={v}, expected {want}"), ev),
        None if default == want => {
            Outcome::pass(format!("--{flag} is not set and defaults to {default}"), ev)
        }
        None => Outcome::fail(
            format!("--{flag} is not set and defaults to {default}, expected {want}"),
            ev,
        ),
    }
}

/// Flags that must all be set to a non-empty value.
pub(crate) fn flags_set(ctx: &Ctx<'_>, comp: Component, flags: &[&str]) -> Outcome {
    let p = match pod(ctx, comp) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let mut ev = Vec::new();
    let mut missing = Vec::new();
    for f in flags {
        ev.extend(ev_flag(p, f, ""));
        if p.flags.value(f).is_none_or(|v| v.is_empty()) {
            missing.push(format!("--{f}"));
        }
    }
    if missing.is_empty() {
        Outcome::pass(format!("{} set", join_flags(flags)), ev)
    } else {
        Outcome::fail(format!("{} not set", missing.join(" and ")), ev)
    }
}

fn join_flags(flags: &[&str]) -> String {
    flags
        .iter()
        .map(|f| format!("--{f}"))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A flag that must not be set.
pub(crate) fn flag_unset(ctx: &Ctx<'_>, comp: Component, flag: &str) -> Outcome {
    let p = match pod(ctx, comp) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ev = ev_flag(p, flag, "");
    if p.flags.is_set(flag) {
        Outcome::fail(format!("--{flag} is set"), ev)
    } else {
        Outcome::pass(format!("--{flag} is not set"), ev)
    }
}

/// An integer flag that must be at least `min`.
pub(crate) fn int_at_least(ctx: &Ctx<'_>, comp: Component, flag: &str, min: i64) -> Outcome {
    let p = match pod(ctx, comp) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ev = ev_flag(p, flag, "");
    match p.flags.value(flag) {
        None => Outcome::fail(format!("--{flag} is not set, expected {min} or more"), ev),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if n >= min => Outcome::pass(format!("--{flag}={n}"), ev),
            Ok(n) => Outcome::fail(format!("--{flag}={n}, expected {min} or more"), ev),
            Err(_) => Outcome::warn(
                format!(
                    "--{flag}={v:?} is not an integer; {} refuses to start",
                    comp.binary()
                ),
                ev,
            ),
        },
    }
}

/// Checks that every element of `list` is in `allowed`.
pub(crate) fn only_allowed(list: &[String], allowed: &[&str]) -> Vec<String> {
    list.iter()
        .filter(|s| !allowed.contains(&s.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_unique_and_documented() {
        let cat = catalogue();
        let mut ids: Vec<&str> = cat.iter().map(|m| m.id).collect();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate check ids");
        for m in &cat {
            assert!(
                !m.title.is_empty() && !m.what.is_empty() && !m.why.is_empty() && !m.fix.is_empty(),
                "{}",
                m.id
            );
        }
    }

    #[test]
    fn sensitive_flags_are_masked() {
        assert_eq!(
            show_flag("oidc-client-secret", Some("hunter2")),
            "--oidc-client-secret=<redacted>"
        );
        assert_eq!(
            show_flag("token-auth-file", Some("/etc/t.csv")),
            "--token-auth-file=/etc/t.csv"
        );
    }
}

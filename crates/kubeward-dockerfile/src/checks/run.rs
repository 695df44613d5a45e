//! Checks over `RUN` scripts: downloads piped to shells, package managers, sudo.

use std::collections::BTreeSet;

use super::{CheckInfo, Ctx, Finding, RunScript, finding};
use crate::shell::{Command, basename};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Manager {
    Apt,
    Apk,
    Dnf,
    Zypper,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Install,
    Remove,
    Upgrade,
    Clean,
    MarkAuto,
    Other,
}

#[derive(Debug)]
struct PkgOp {
    manager: Manager,
    action: Action,
    packages: Vec<String>,
    words: Vec<String>,
    virtual_name: Option<String>,
}

impl PkgOp {
    fn has(&self, word: &str) -> bool {
        self.words.iter().any(|w| w == word)
    }
}

/// Options that take a separate value, per manager.
fn takes_value(manager: Manager, opt: &str) -> bool {
    match manager {
        Manager::Apt => matches!(opt, "-o" | "-c" | "-t" | "--target-release" | "--option"),
        Manager::Apk => matches!(
            opt,
            "--virtual"
                | "-t"
                | "--repository"
                | "-X"
                | "--root"
                | "-p"
                | "--arch"
                | "--keys-dir"
                | "--cache-dir"
                | "--repositories-file"
        ),
        Manager::Dnf => matches!(
            opt,
            "-c" | "--config"
                | "-x"
                | "--exclude"
                | "--releasever"
                | "--installroot"
                | "--repo"
                | "--enablerepo"
                | "--disablerepo"
                | "--setopt"
        ),
        Manager::Zypper => matches!(opt, "-r" | "--repo" | "--root" | "-R" | "--from"),
    }
}

fn package_op(cmd: &Command) -> Option<PkgOp> {
    let (prog, _) = cmd.program();
    let (name, args) = prog.split_first()?;
    let manager = match basename(name) {
        "apt-get" | "apt" | "aptitude" => Manager::Apt,
        "apt-mark" => {
            let action = if args.iter().any(|a| a == "auto") {
                Action::MarkAuto
            } else {
                Action::Other
            };
            return Some(PkgOp {
                manager: Manager::Apt,
                action,
                packages: Vec::new(),
                words: args.to_vec(),
                virtual_name: None,
            });
        }
        "apk" => Manager::Apk,
        "dnf" | "dnf5" | "yum" | "microdnf" | "tdnf" => Manager::Dnf,
        "zypper" => Manager::Zypper,
        _ => return None,
    };
    let mut positional = Vec::new();
    let mut virtual_name = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a.starts_with('-') && a.len() > 1 {
            if takes_value(manager, a) {
                let v = it.next();
                if manager == Manager::Apk && (a == "--virtual" || a == "-t") {
                    virtual_name = v.cloned();
                }
            } else if let Some(v) = a.strip_prefix("--virtual=") {
                virtual_name = Some(v.to_owned());
            }
            continue;
        }
        positional.push(a.clone());
    }
    let mut pos = positional.into_iter();
    let mut sub = pos.next().unwrap_or_default();
    if manager == Manager::Dnf && sub == "group" {
        sub = format!("group{}", pos.next().unwrap_or_default());
    }
    let action = match (manager, sub.as_str()) {
        (Manager::Apt, "install") | (Manager::Apk, "add") => Action::Install,
        (
            Manager::Dnf,
            "install" | "groupinstall" | "localinstall" | "reinstall" | "in" | "grouplist",
        ) => {
            if sub == "grouplist" {
                Action::Other
            } else {
                Action::Install
            }
        }
        (Manager::Zypper, "install" | "in") => Action::Install,
        (Manager::Apt, "remove" | "purge" | "autoremove")
        | (Manager::Apk, "del")
        | (Manager::Dnf, "remove" | "erase" | "autoremove" | "groupremove")
        | (Manager::Zypper, "remove" | "rm") => Action::Remove,
        (Manager::Apt, "upgrade" | "dist-upgrade" | "full-upgrade")
        | (Manager::Apk, "upgrade")
        | (Manager::Dnf, "upgrade" | "update" | "distro-sync")
        | (Manager::Zypper, "update" | "up" | "dist-upgrade" | "dup") => Action::Upgrade,
        (Manager::Apt, "clean" | "autoclean" | "dist-clean")
        | (Manager::Dnf | Manager::Apk, "clean" | "cache")
        | (Manager::Zypper, "clean" | "cc") => Action::Clean,
        _ => Action::Other,
    };
    Some(PkgOp {
        manager,
        action,
        packages: pos.collect(),
        words: args.to_vec(),
        virtual_name,
    })
}

fn ops(run: &RunScript<'_>) -> Vec<PkgOp> {
    run.commands.iter().filter_map(package_op).collect()
}

/// Whether an `rm` in the script deletes a path containing `needle`.
fn removes(run: &RunScript<'_>, needle: &str) -> bool {
    run.commands.iter().any(|c| {
        let (prog, _) = c.program();
        prog.first().is_some_and(|n| basename(n) == "rm")
            && prog.iter().skip(1).any(|w| w.contains(needle))
    })
}

fn manager_name(m: Manager) -> &'static str {
    match m {
        Manager::Apt => "apt-get",
        Manager::Apk => "apk",
        Manager::Dnf => "dnf/yum",
        Manager::Zypper => "zypper",
    }
}

pub(crate) fn package_cache_not_cleaned(
    ctx: &Ctx<'_>,
    info: &'static CheckInfo,
    out: &mut Vec<Finding>,
) {
    for run in &ctx.runs {
        if !ctx.final_image(run.outer.stage) {
            continue;
        }
        let ops = ops(run);
        let mut reported = Vec::new();
        for op in ops.iter().filter(|o| o.action == Action::Install) {
            if reported.contains(&op.manager) {
                continue;
            }
            let cleaned = match op.manager {
                Manager::Apt => {
                    removes(run, "/var/lib/apt/lists")
                        || run.has_mount_target("/var/lib/apt")
                        || ops.iter().any(|o| {
                            o.manager == Manager::Apt
                                && o.action == Action::Clean
                                && o.has("dist-clean")
                        })
                }
                Manager::Apk => {
                    op.has("--no-cache")
                        || removes(run, "/var/cache/apk")
                        || run.has_mount_target("/var/cache/apk")
                        || ops
                            .iter()
                            .any(|o| o.manager == Manager::Apk && o.action == Action::Clean)
                }
                Manager::Dnf => {
                    ops.iter()
                        .any(|o| o.manager == Manager::Dnf && o.action == Action::Clean)
                        || removes(run, "/var/cache/dnf")
                        || removes(run, "/var/cache/yum")
                        || run.has_mount_target("/var/cache/dnf")
                        || run.has_mount_target("/var/cache/yum")
                }
                Manager::Zypper => {
                    ops.iter()
                        .any(|o| o.manager == Manager::Zypper && o.action == Action::Clean)
                        || removes(run, "/var/cache/zypp")
                        || run.has_mount_target("/var/cache/zypp")
                }
            };
            if !cleaned {
                reported.push(op.manager);
                let hint = match op.manager {
                    Manager::Apt => "remove `/var/lib/apt/lists/*` in the same `RUN`",
                    Manager::Apk => "use `apk add --no-cache`",
                    Manager::Dnf => "run `dnf clean all` (or `yum clean all`) in the same `RUN`",
                    Manager::Zypper => "run `zypper clean --all` in the same `RUN`",
                };
                out.push(finding(
                    info,
                    run.outer,
                    format!(
                        "`{}` installs packages but leaves its cache in the layer; {hint}",
                        manager_name(op.manager)
                    ),
                ));
            }
        }
    }
}

pub(crate) fn apt_no_install_recommends(
    ctx: &Ctx<'_>,
    info: &'static CheckInfo,
    out: &mut Vec<Finding>,
) {
    for run in &ctx.runs {
        if !ctx.final_image(run.outer.stage) {
            continue;
        }
        let missing = ops(run).iter().any(|op| {
            op.manager == Manager::Apt
                && op.action == Action::Install
                && !op.has("--no-install-recommends")
                && !op.words.iter().any(|w| {
                    w.starts_with("APT::Install-Recommends=")
                        && matches!(
                            w.trim_start_matches("APT::Install-Recommends="),
                            "false" | "0" | "no"
                        )
                })
        });
        if missing {
            out.push(finding(
                info,
                run.outer,
                "`apt-get install` without `--no-install-recommends` pulls in recommended packages"
                    .to_owned(),
            ));
        }
    }
}

pub(crate) fn apt_upgrade(ctx: &Ctx<'_>, info: &'static CheckInfo, out: &mut Vec<Finding>) {
    for run in &ctx.runs {
        if !ctx.final_image(run.outer.stage) {
            continue;
        }
        if let Some(op) = ops(run)
            .into_iter()
            .find(|op| op.manager == Manager::Apt && op.action == Action::Upgrade)
        {
            let sub = op
                .words
                .iter()
                .find(|w| w.contains("upgrade"))
                .cloned()
                .unwrap_or_else(|| "upgrade".to_owned());
            out.push(finding(
                info,
                run.outer,
                format!(
                    "`apt-get {sub}` upgrades packages in place, making the build unreproducible"
                ),
            ));
        }
    }
}

const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "ash", "dash", "ksh", "python", "python2", "python3", "perl", "ruby",
    "node", "php", "pwsh",
];

const DOWNLOADERS: &[&str] = &["curl", "wget", "fetch"];

fn is_download_substitution(word: &str) -> bool {
    ["$(", "<(", "`"].iter().any(|open| {
        DOWNLOADERS
            .iter()
            .any(|d| word.contains(&format!("{open}{d} ")))
    })
}

pub(crate) fn curl_pipe_shell(ctx: &Ctx<'_>, info: &'static CheckInfo, out: &mut Vec<Finding>) {
    for run in &ctx.runs {
        let cmds = &run.commands;
        let mut hit: Option<String> = None;
        for (i, c) in cmds.iter().enumerate() {
            let Some(name) = c.name() else { continue };
            if DOWNLOADERS.contains(&name) && c.piped_to_next {
                let mut j = i;
                while let Some(prev) = cmds.get(j)
                    && prev.piped_to_next
                {
                    j += 1;
                    if let Some(sh) = cmds.get(j).and_then(Command::name)
                        && SHELLS.contains(&sh)
                    {
                        hit = Some(format!(
                            "`{name} ... | {sh}` runs a downloaded script unverified"
                        ));
                        break;
                    }
                }
            }
            if hit.is_none()
                && (SHELLS.contains(&name) || matches!(name, "eval" | "source" | "."))
                && c.program()
                    .0
                    .iter()
                    .skip(1)
                    .any(|w| is_download_substitution(w))
            {
                hit = Some(format!(
                    "`{name}` runs a script fetched by command substitution, unverified"
                ));
            }
            if hit.is_some() {
                break;
            }
        }
        if let Some(message) = hit {
            out.push(finding(info, run.outer, message));
        }
    }
}

pub(crate) fn sudo_usage(ctx: &Ctx<'_>, info: &'static CheckInfo, out: &mut Vec<Finding>) {
    for run in &ctx.runs {
        if run.commands.iter().any(|c| c.program().1) {
            out.push(finding(
                info,
                run.outer,
                "`sudo` in `RUN`: build steps already run as the current `USER`".to_owned(),
            ));
        }
    }
}

/// Compilers, build systems and VCS tools that a runtime image rarely needs.
const BUILD_TOOLS: &[&str] = &[
    "gcc",
    "g++",
    "gcc-c++",
    "make",
    "cmake",
    "build-essential",
    "build-base",
    "alpine-sdk",
    "base-devel",
    "@development-tools",
    "development tools",
    "git",
    "golang",
    "golang-go",
    "go",
    "clang",
    "autoconf",
    "automake",
    "libtool",
    "cargo",
    "rustc",
];

/// The package name without version, release or architecture qualifiers.
fn package_base(spec: &str) -> String {
    let s = spec
        .split(['=', '~', '>', '<', ':'])
        .next()
        .unwrap_or(spec)
        .to_ascii_lowercase();
    // Versioned toolchain packages: gcc-12, golang-1.21-go, clang-17.
    for prefix in ["gcc-", "g++-", "clang-", "golang-"] {
        if let Some(rest) = s.strip_prefix(prefix)
            && rest.starts_with(|c: char| c.is_ascii_digit())
        {
            return prefix.trim_end_matches('-').to_owned();
        }
    }
    s
}

pub(crate) fn build_tools_in_final_stage(
    ctx: &Ctx<'_>,
    info: &'static CheckInfo,
    out: &mut Vec<Finding>,
) {
    if ctx.df.stages.len() != 1 {
        return;
    }
    for run in &ctx.runs {
        if !ctx.final_image(run.outer.stage) {
            continue;
        }
        let ops = ops(run);
        let mut removed: BTreeSet<String> = BTreeSet::new();
        let mut apt_auto_removed = false;
        let marked_auto = ops.iter().any(|o| o.action == Action::MarkAuto);
        for op in ops.iter().filter(|o| o.action == Action::Remove) {
            removed.extend(op.packages.iter().map(|p| package_base(p)));
            if op.manager == Manager::Apt
                && marked_auto
                && (op.has("--auto-remove") || op.has("autoremove"))
            {
                apt_auto_removed = true;
            }
        }
        let mut tools = BTreeSet::new();
        for op in ops.iter().filter(|o| o.action == Action::Install) {
            if op.manager == Manager::Apt && apt_auto_removed {
                continue;
            }
            if op
                .virtual_name
                .as_ref()
                .is_some_and(|v| removed.contains(&v.to_ascii_lowercase()))
            {
                continue;
            }
            for p in &op.packages {
                let base = package_base(p);
                if BUILD_TOOLS.contains(&base.as_str()) && !removed.contains(&base) {
                    tools.insert(base);
                }
            }
        }
        if !tools.is_empty() {
            let list: Vec<String> = tools.into_iter().map(|t| format!("`{t}`")).collect();
            out.push(finding(
                info,
                run.outer,
                format!(
                    "build tools {} stay in the runtime image of this single-stage build",
                    list.join(", ")
                ),
            ));
        }
    }
}

pub(crate) fn run_security_insecure(
    ctx: &Ctx<'_>,
    info: &'static CheckInfo,
    out: &mut Vec<Finding>,
) {
    for run in &ctx.runs {
        if run
            .run
            .flag_value("security")
            .is_some_and(|v| v.eq_ignore_ascii_case("insecure"))
        {
            out.push(finding(
                info,
                run.outer,
                "`RUN --security=insecure` runs the step with all capabilities, like a privileged container".to_owned(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    #[test]
    fn package_ops() {
        let c = commands(
            "apt-get -qq -o Dpkg::Options::=--force-confnew install -y --no-install-recommends curl=7.1 git",
        );
        let op = package_op(&c[0]).unwrap();
        assert_eq!(op.action, Action::Install);
        assert_eq!(op.packages, ["curl=7.1", "git"]);
        let c = commands("apk add --no-cache --virtual .build-deps gcc make");
        let op = package_op(&c[0]).unwrap();
        assert_eq!(op.virtual_name.as_deref(), Some(".build-deps"));
        assert_eq!(op.packages, ["gcc", "make"]);
        let c = commands("dnf -y group install 'Development Tools'");
        let op = package_op(&c[0]).unwrap();
        assert_eq!(op.action, Action::Install);
        assert_eq!(op.packages, ["Development Tools"]);
    }

    #[test]
    fn package_names() {
        assert_eq!(package_base("gcc-12"), "gcc");
        assert_eq!(package_base("golang-1.21-go"), "golang");
        assert_eq!(package_base("git=1:2.39"), "git");
        assert_eq!(package_base("make:amd64"), "make");
        assert_eq!(package_base("gcc-c++"), "gcc-c++");
    }
}

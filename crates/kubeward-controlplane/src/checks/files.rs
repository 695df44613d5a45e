//! 1.1 Control-plane node configuration files: permissions and ownership.

use super::{Check, Ctx, Evidence, Outcome, Target, meta};
use crate::layout::{Component, FileFacts};

const T: Target = Target::ControlPlaneFiles;

fn mode_ev(f: &FileFacts) -> Evidence {
    Evidence {
        file: Some(f.path.clone()),
        field_path: None,
        detail: format!("mode {:o}, owner {}:{}", f.mode, f.uid, f.gid),
    }
}

/// Every file must have no permission bit outside `max` (kube-bench's `bitmask` test).
pub(crate) fn perms(files: &[&FileFacts], max: u32, what: &str) -> Outcome {
    if files.is_empty() {
        return Outcome::na(format!("no {what} on this node"));
    }
    let bad: Vec<&&FileFacts> = files.iter().filter(|f| f.mode & !max != 0).collect();
    let ev = files.iter().map(|f| mode_ev(f)).collect();
    if bad.is_empty() {
        Outcome::pass(
            format!("{what}: permissions {max:o} or more restrictive"),
            ev,
        )
    } else {
        let list: Vec<String> = bad
            .iter()
            .map(|f| format!("{} ({:o})", f.path.display(), f.mode))
            .collect();
        Outcome::fail(
            format!("more permissive than {max:o}: {}", list.join(", ")),
            ev,
        )
    }
}

/// Every file must be owned by `uid:gid`.
pub(crate) fn owner(
    files: &[&FileFacts],
    uid: u32,
    gid: u32,
    expected: &str,
    what: &str,
) -> Outcome {
    if files.is_empty() {
        return Outcome::na(format!("no {what} on this node"));
    }
    let bad: Vec<&&FileFacts> = files
        .iter()
        .filter(|f| f.uid != uid || f.gid != gid)
        .collect();
    let ev = files.iter().map(|f| mode_ev(f)).collect();
    if bad.is_empty() {
        Outcome::pass(format!("{what}: owned by {expected} ({uid}:{gid})"), ev)
    } else {
        let list: Vec<String> = bad
            .iter()
            .map(|f| format!("{} ({}:{})", f.path.display(), f.uid, f.gid))
            .collect();
        Outcome::fail(
            format!("not owned by {expected} ({uid}:{gid}): {}", list.join(", ")),
            ev,
        )
    }
}

fn needs_root(ctx: &Ctx<'_>) -> Option<Outcome> {
    ctx.layout.root.is_none().then(|| {
        Outcome::na("file checks need the node's root directory (explicit files were given)")
    })
}

fn manifest<'a>(ctx: &Ctx<'a>, comp: Component) -> Result<&'a FileFacts, Outcome> {
    if let Some(o) = needs_root(ctx) {
        return Err(o);
    }
    if let Some(p) = ctx.layout.static_pods.get(&comp) {
        return Ok(&p.file);
    }
    if let Some(b) = ctx.layout.broken_components.get(&comp) {
        return Ok(&b.file);
    }
    Err(Outcome::na(format!(
        "no {} static pod manifest on this node (managed control plane, or not a control-plane node)",
        comp.binary()
    )))
}

fn manifest_perms(ctx: &Ctx<'_>, comp: Component) -> Outcome {
    match manifest(ctx, comp) {
        Ok(f) => perms(&[f], 0o600, &format!("{} manifest", comp.binary())),
        Err(o) => o,
    }
}

fn manifest_owner(ctx: &Ctx<'_>, comp: Component) -> Outcome {
    match manifest(ctx, comp) {
        Ok(f) => owner(
            &[f],
            ctx.opts.root_uid,
            ctx.opts.root_gid,
            "root:root",
            &format!("{} manifest", comp.binary()),
        ),
        Err(o) => o,
    }
}

fn kubeconfigs<'a>(ctx: &Ctx<'a>, names: &[&str]) -> Vec<&'a FileFacts> {
    names
        .iter()
        .filter_map(|n| ctx.layout.kubeconfigs.get(*n))
        .collect()
}

fn kubeconfig_perms(ctx: &Ctx<'_>, names: &[&str]) -> Outcome {
    if let Some(o) = needs_root(ctx) {
        return o;
    }
    perms(&kubeconfigs(ctx, names), 0o600, &names.join(" / "))
}

fn kubeconfig_owner(ctx: &Ctx<'_>, names: &[&str]) -> Outcome {
    if let Some(o) = needs_root(ctx) {
        return o;
    }
    owner(
        &kubeconfigs(ctx, names),
        ctx.opts.root_uid,
        ctx.opts.root_gid,
        "root:root",
        &names.join(" / "),
    )
}

fn etcd_data_perms(ctx: &Ctx<'_>) -> Outcome {
    if let Some(o) = needs_root(ctx) {
        return o;
    }
    if !ctx.layout.static_pods.contains_key(&Component::Etcd) && ctx.layout.etcd_data_dir.is_none()
    {
        return Outcome::na("no etcd on this node (external or managed etcd)");
    }
    match &ctx.layout.etcd_data_dir {
        Some(d) => perms(&[d], 0o700, "etcd data directory"),
        None => Outcome::warn(
            "the etcd data directory named by --data-dir does not exist on this node",
            vec![],
        ),
    }
}

fn etcd_data_owner(ctx: &Ctx<'_>) -> Outcome {
    if let Some(o) = needs_root(ctx) {
        return o;
    }
    let Some(d) = &ctx.layout.etcd_data_dir else {
        return if ctx.layout.static_pods.contains_key(&Component::Etcd) {
            Outcome::warn(
                "the etcd data directory named by --data-dir does not exist on this node",
                vec![],
            )
        } else {
            Outcome::na("no etcd on this node (external or managed etcd)")
        };
    };
    let ids = ctx.opts.etcd_owner.or_else(|| {
        Some((
            *ctx.layout.users.get("etcd")?,
            *ctx.layout.groups.get("etcd")?,
        ))
    });
    match ids {
        Some((u, g)) => owner(&[d], u, g, "etcd:etcd", "etcd data directory"),
        None => Outcome::fail(
            "there is no `etcd` user and group on this node (kubeadm runs etcd as root); CIS expects the data directory owned by a dedicated etcd:etcd account",
            vec![mode_ev(d)],
        ),
    }
}

fn cni_files<'a>(ctx: &Ctx<'a>) -> Vec<&'a FileFacts> {
    ctx.layout.cni_files.iter().collect()
}

fn pki_all<'a>(ctx: &Ctx<'a>) -> Vec<&'a FileFacts> {
    ctx.layout.pki.iter().collect()
}

fn pki_ext<'a>(ctx: &Ctx<'a>, ext: &str) -> Vec<&'a FileFacts> {
    ctx.layout
        .pki
        .iter()
        .filter(|f| !f.is_dir && f.path.extension().is_some_and(|e| e == ext))
        .collect()
}

const FIX_CHMOD600: &str = "chmod 600 <file> on the control-plane node.";
const FIX_CHOWN: &str = "chown root:root <file> on the control-plane node.";
const WHY_MANIFEST_PERM: &str = "The static pod manifest defines the component's flags; whoever can write it can disable authentication or run arbitrary containers as root on the node.";
const WHY_OWNER: &str = "A file owned by another account can be rewritten by that account, bypassing the permission bits.";
const WHY_KUBECONFIG: &str = "These kubeconfigs hold client certificates and keys with high privileges (cluster-admin for admin.conf); reading them is taking over the cluster.";

pub(crate) static CHECKS: &[Check] = &[
    Check {
        meta: meta(
            "1.1.1",
            "API server pod specification file permissions are 600 or more restrictive",
            true,
            T,
            "Checks the mode of /etc/kubernetes/manifests/kube-apiserver.yaml.",
            WHY_MANIFEST_PERM,
            "chmod 600 /etc/kubernetes/manifests/kube-apiserver.yaml",
        ),
        run: |c| manifest_perms(c, Component::ApiServer),
    },
    Check {
        meta: meta(
            "1.1.2",
            "API server pod specification file ownership is root:root",
            true,
            T,
            "Checks the owner of /etc/kubernetes/manifests/kube-apiserver.yaml.",
            WHY_OWNER,
            "chown root:root /etc/kubernetes/manifests/kube-apiserver.yaml",
        ),
        run: |c| manifest_owner(c, Component::ApiServer),
    },
    Check {
        meta: meta(
            "1.1.3",
            "Controller manager pod specification file permissions are 600 or more restrictive",
            true,
            T,
            "Checks the mode of /etc/kubernetes/manifests/kube-controller-manager.yaml.",
            WHY_MANIFEST_PERM,
            "chmod 600 /etc/kubernetes/manifests/kube-controller-manager.yaml",
        ),
        run: |c| manifest_perms(c, Component::ControllerManager),
    },
    Check {
        meta: meta(
            "1.1.4",
            "Controller manager pod specification file ownership is root:root",
            true,
            T,
            "Checks the owner of /etc/kubernetes/manifests/kube-controller-manager.yaml.",
            WHY_OWNER,
            "chown root:root /etc/kubernetes/manifests/kube-controller-manager.yaml",
        ),
        run: |c| manifest_owner(c, Component::ControllerManager),
    },
    Check {
        meta: meta(
            "1.1.5",
            "Scheduler pod specification file permissions are 600 or more restrictive",
            true,
            T,
            "Checks the mode of /etc/kubernetes/manifests/kube-scheduler.yaml.",
            WHY_MANIFEST_PERM,
            "chmod 600 /etc/kubernetes/manifests/kube-scheduler.yaml",
        ),
        run: |c| manifest_perms(c, Component::Scheduler),
    },
    Check {
        meta: meta(
            "1.1.6",
            "Scheduler pod specification file ownership is root:root",
            true,
            T,
            "Checks the owner of /etc/kubernetes/manifests/kube-scheduler.yaml.",
            WHY_OWNER,
            "chown root:root /etc/kubernetes/manifests/kube-scheduler.yaml",
        ),
        run: |c| manifest_owner(c, Component::Scheduler),
    },
    Check {
        meta: meta(
            "1.1.7",
            "etcd pod specification file permissions are 600 or more restrictive",
            true,
            T,
            "Checks the mode of /etc/kubernetes/manifests/etcd.yaml.",
            WHY_MANIFEST_PERM,
            "chmod 600 /etc/kubernetes/manifests/etcd.yaml",
        ),
        run: |c| manifest_perms(c, Component::Etcd),
    },
    Check {
        meta: meta(
            "1.1.8",
            "etcd pod specification file ownership is root:root",
            true,
            T,
            "Checks the owner of /etc/kubernetes/manifests/etcd.yaml.",
            WHY_OWNER,
            "chown root:root /etc/kubernetes/manifests/etcd.yaml",
        ),
        run: |c| manifest_owner(c, Component::Etcd),
    },
    Check {
        meta: meta(
            "1.1.9",
            "Container Network Interface file permissions are 600 or more restrictive",
            false,
            T,
            "Checks the mode of files under /etc/cni/net.d and /var/lib/cni/networks.",
            "CNI configuration decides pod networking; a writable one can route or expose pod traffic.",
            "chmod 600 <path/to/cni/files>",
        ),
        run: |c| needs_root(c).unwrap_or_else(|| perms(&cni_files(c), 0o600, "CNI files")),
    },
    Check {
        meta: meta(
            "1.1.10",
            "Container Network Interface file ownership is root:root",
            false,
            T,
            "Checks the owner of files under /etc/cni/net.d and /var/lib/cni/networks.",
            WHY_OWNER,
            "chown root:root <path/to/cni/files>",
        ),
        run: |c| {
            needs_root(c).unwrap_or_else(|| {
                owner(
                    &cni_files(c),
                    c.opts.root_uid,
                    c.opts.root_gid,
                    "root:root",
                    "CNI files",
                )
            })
        },
    },
    Check {
        meta: meta(
            "1.1.11",
            "etcd data directory permissions are 700 or more restrictive",
            true,
            T,
            "Checks the mode of etcd's --data-dir (default /var/lib/etcd).",
            "The data directory holds every object of the cluster, Secrets included; reading it bypasses the API server entirely.",
            "chmod 700 /var/lib/etcd",
        ),
        run: etcd_data_perms,
    },
    Check {
        meta: meta(
            "1.1.12",
            "etcd data directory ownership is etcd:etcd",
            true,
            T,
            "Checks the owner of etcd's --data-dir against the node's etcd user and group.",
            WHY_OWNER,
            "chown etcd:etcd /var/lib/etcd (run etcd as a dedicated etcd user)",
        ),
        run: etcd_data_owner,
    },
    Check {
        meta: meta(
            "1.1.13",
            "Default administrative credential file permissions are 600",
            true,
            T,
            "Checks the mode of /etc/kubernetes/admin.conf and super-admin.conf.",
            WHY_KUBECONFIG,
            "chmod 600 /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf",
        ),
        run: |c| kubeconfig_perms(c, &["admin.conf", "super-admin.conf"]),
    },
    Check {
        meta: meta(
            "1.1.14",
            "Default administrative credential file ownership is root:root",
            true,
            T,
            "Checks the owner of /etc/kubernetes/admin.conf and super-admin.conf.",
            WHY_OWNER,
            "chown root:root /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf",
        ),
        run: |c| kubeconfig_owner(c, &["admin.conf", "super-admin.conf"]),
    },
    Check {
        meta: meta(
            "1.1.15",
            "scheduler.conf file permissions are 600 or more restrictive",
            true,
            T,
            "Checks the mode of /etc/kubernetes/scheduler.conf.",
            WHY_KUBECONFIG,
            FIX_CHMOD600,
        ),
        run: |c| kubeconfig_perms(c, &["scheduler.conf"]),
    },
    Check {
        meta: meta(
            "1.1.16",
            "scheduler.conf file ownership is root:root",
            true,
            T,
            "Checks the owner of /etc/kubernetes/scheduler.conf.",
            WHY_OWNER,
            FIX_CHOWN,
        ),
        run: |c| kubeconfig_owner(c, &["scheduler.conf"]),
    },
    Check {
        meta: meta(
            "1.1.17",
            "controller-manager.conf file permissions are 600 or more restrictive",
            true,
            T,
            "Checks the mode of /etc/kubernetes/controller-manager.conf.",
            WHY_KUBECONFIG,
            FIX_CHMOD600,
        ),
        run: |c| kubeconfig_perms(c, &["controller-manager.conf"]),
    },
    Check {
        meta: meta(
            "1.1.18",
            "controller-manager.conf file ownership is root:root",
            true,
            T,
            "Checks the owner of /etc/kubernetes/controller-manager.conf.",
            WHY_OWNER,
            FIX_CHOWN,
        ),
        run: |c| kubeconfig_owner(c, &["controller-manager.conf"]),
    },
    Check {
        meta: meta(
            "1.1.19",
            "Kubernetes PKI directory and file ownership is root:root",
            true,
            T,
            "Checks the owner of /etc/kubernetes/pki and everything in it.",
            "The PKI directory holds the cluster CA keys; whoever controls it can mint any identity.",
            "chown -R root:root /etc/kubernetes/pki/",
        ),
        run: |c| {
            needs_root(c).unwrap_or_else(|| {
                owner(
                    &pki_all(c),
                    c.opts.root_uid,
                    c.opts.root_gid,
                    "root:root",
                    "PKI files",
                )
            })
        },
    },
    Check {
        meta: meta(
            "1.1.20",
            "Kubernetes PKI certificate file permissions are 644 or more restrictive",
            false,
            T,
            "Checks the mode of /etc/kubernetes/pki/**/*.crt.",
            "Writable certificates let an attacker swap a trusted CA.",
            "chmod -R 644 /etc/kubernetes/pki/*.crt",
        ),
        run: |c| {
            needs_root(c).unwrap_or_else(|| perms(&pki_ext(c, "crt"), 0o644, "PKI certificates"))
        },
    },
    Check {
        meta: meta(
            "1.1.21",
            "Kubernetes PKI key file permissions are 600",
            false,
            T,
            "Checks the mode of /etc/kubernetes/pki/**/*.key.",
            "Private keys readable by others give away the identities they belong to (CA, API server, etcd).",
            "chmod -R 600 /etc/kubernetes/pki/*.key",
        ),
        run: |c| needs_root(c).unwrap_or_else(|| perms(&pki_ext(c, "key"), 0o600, "PKI keys")),
    },
];

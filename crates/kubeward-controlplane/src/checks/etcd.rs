//! 2 etcd. etcd reads Go `flag` arguments and, for flags not given on the command line,
//! `ETCD_<FLAG_NAME>` environment variables; with `--config-file` it ignores both.

use super::{Check, Ctx, Evidence, Outcome, Target, ev_flag, meta, pod, show_flag};
use crate::layout::{Component, StaticPod};

const ETCD: Component = Component::Etcd;

/// The key of an etcd flag in its YAML `--config-file`.
fn config_key(flag: &str) -> String {
    match flag {
        "cert-file" | "key-file" | "client-cert-auth" | "trusted-ca-file" | "auto-tls" => {
            format!("client-transport-security.{flag}")
        }
        f => match f.strip_prefix("peer-") {
            Some(
                rest @ ("cert-file" | "key-file" | "client-cert-auth" | "trusted-ca-file"
                | "auto-tls"),
            ) => {
                format!("peer-transport-security.{rest}")
            }
            _ => format!("[\"{f}\"]"),
        },
    }
}

/// An effective etcd setting: `(value, evidence)`.
fn setting(ctx: &Ctx<'_>, p: &StaticPod, flag: &str) -> (Option<String>, Vec<Evidence>) {
    if p.flags.is_set("config-file") {
        let mut ev = ev_flag(p, "config-file", "");
        let Some(file) = &ctx.layout.etcd_config else {
            return (None, ev);
        };
        let key = config_key(flag);
        let value = file
            .root
            .as_ref()
            .and_then(|r| r.at_path(&key))
            .and_then(kubeward_yaml::Node::scalar_string)
            .map(std::borrow::Cow::into_owned);
        ev.push(Evidence {
            file: Some(file.file.path.clone()),
            field_path: Some(key.clone()),
            detail: match &value {
                Some(v) => format!(
                    "{key}: {}",
                    show_flag(flag, Some(v))
                        .split_once('=')
                        .map_or("", |(_, v)| v)
                ),
                None => format!("{key} is not set"),
            },
        });
        return (value, ev);
    }
    if p.flags.is_set(flag) {
        return (p.flags.value(flag), ev_flag(p, flag, ""));
    }
    let env = format!("ETCD_{}", flag.to_ascii_uppercase().replace('-', "_"));
    if let Some(v) = p.env.get(&env) {
        return (
            Some(v.clone()),
            vec![Evidence {
                file: Some(p.file.path.clone()),
                field_path: Some(format!("{}.env", p.container_path)),
                detail: format!(
                    "{env}={}",
                    show_flag(flag, Some(v))
                        .split_once('=')
                        .map_or("", |(_, v)| v)
                ),
            }],
        );
    }
    (None, ev_flag(p, flag, ""))
}

fn etcd_pod<'a>(ctx: &Ctx<'a>) -> Result<&'a StaticPod, Outcome> {
    let p = pod(ctx, ETCD)?;
    if p.flags.is_set("config-file") {
        match &ctx.layout.etcd_config {
            Some(f) if f.root.is_some() => {}
            _ => {
                return Err(Outcome::warn(
                    "etcd is configured with --config-file (which replaces all flags and ETCD_* variables), and that file could not be read or parsed",
                    ev_flag(p, "config-file", ""),
                ));
            }
        }
    }
    Ok(p)
}

fn set(ctx: &Ctx<'_>, flags: &[&str]) -> Outcome {
    let p = match etcd_pod(ctx) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let mut ev = Vec::new();
    let mut missing = Vec::new();
    for f in flags {
        let (v, e) = setting(ctx, p, f);
        ev.extend(e);
        if v.is_none_or(|v| v.is_empty()) {
            missing.push(format!("--{f}"));
        }
    }
    if missing.is_empty() {
        Outcome::pass("set", ev)
    } else {
        Outcome::fail(format!("{} not set", missing.join(" and ")), ev)
    }
}

fn boolean(ctx: &Ctx<'_>, flag: &str, want: bool) -> Outcome {
    let p = match etcd_pod(ctx) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let (v, ev) = setting(ctx, p, flag);
    let value = match v.as_deref() {
        None => false, // every etcd boolean audited here defaults to false
        Some(s) => match crate::flags::parse_go_bool(s) {
            Some(b) => b,
            None => {
                return Outcome::warn(
                    format!("--{flag}={s:?} is not a boolean; etcd refuses to start"),
                    ev,
                );
            }
        },
    };
    let shown = if v.is_some() {
        format!("--{flag}={value}")
    } else {
        format!("--{flag} is not set (default false)")
    };
    if value == want {
        Outcome::pass(shown, ev)
    } else {
        Outcome::fail(format!("{shown}, expected {want}"), ev)
    }
}

fn unique_ca(ctx: &Ctx<'_>) -> Outcome {
    let p = match etcd_pod(ctx) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let (etcd_ca, mut ev) = setting(ctx, p, "trusted-ca-file");
    let Some(etcd_ca) = etcd_ca.filter(|v| !v.is_empty()) else {
        return Outcome::fail(
            "--trusted-ca-file is not set: etcd has no CA for client certificates",
            ev,
        );
    };
    let Some(api) = ctx.layout.static_pods.get(&Component::ApiServer) else {
        return Outcome::warn(
            "no API server manifest to compare with; check that etcd's CA is not the cluster CA",
            ev,
        );
    };
    ev.extend(ev_flag(api, "client-ca-file", ""));
    let Some(cluster_ca) = api.flags.value("client-ca-file") else {
        return Outcome::warn("the API server has no --client-ca-file to compare with", ev);
    };
    let etcd_host = p.host_path(&etcd_ca);
    let cluster_host = api.host_path(&cluster_ca);
    if etcd_host == cluster_host {
        return Outcome::fail(
            format!(
                "etcd trusts the cluster CA {cluster_host}: any certificate the cluster CA issues can read etcd"
            ),
            ev,
        );
    }
    if ctx.layout.root.is_some() {
        let a = std::fs::read(ctx.layout.local_path(&etcd_host));
        let b = std::fs::read(ctx.layout.local_path(&cluster_host));
        if let (Ok(a), Ok(b)) = (a, b)
            && a == b
        {
            return Outcome::fail(
                format!(
                    "{etcd_host} and {cluster_host} hold the same CA: any certificate the cluster CA issues can read etcd"
                ),
                ev,
            );
        }
    }
    Outcome::pass(
        format!("etcd trusts {etcd_host}, distinct from the cluster CA {cluster_host}"),
        ev,
    )
}

const T: Target = Target::Etcd;
const WHY_CLIENT: &str =
    "etcd holds every object including Secrets; whoever can talk to it owns the cluster.";

pub(crate) static CHECKS: &[Check] = &[
    Check {
        meta: meta(
            "2.1",
            "etcd --cert-file and --key-file are set",
            true,
            T,
            "Checks etcd --cert-file and --key-file (or ETCD_CERT_FILE / ETCD_KEY_FILE).",
            "Without them etcd serves clients over plain HTTP: Secrets cross the network in clear text.",
            "Set --cert-file and --key-file in /etc/kubernetes/manifests/etcd.yaml.",
        ),
        run: |c| set(c, &["cert-file", "key-file"]),
    },
    Check {
        meta: meta(
            "2.2",
            "etcd --client-cert-auth is true",
            true,
            T,
            "Checks etcd --client-cert-auth (or ETCD_CLIENT_CERT_AUTH), default false.",
            WHY_CLIENT,
            "Set --client-cert-auth=true (with --trusted-ca-file).",
        ),
        run: |c| boolean(c, "client-cert-auth", true),
    },
    Check {
        meta: meta(
            "2.3",
            "etcd --auto-tls is not true",
            true,
            T,
            "Checks etcd --auto-tls (or ETCD_AUTO_TLS), default false.",
            "Auto TLS uses self-signed certificates that clients cannot verify, and disables client authentication.",
            "Remove --auto-tls or set it to false.",
        ),
        run: |c| boolean(c, "auto-tls", false),
    },
    Check {
        meta: meta(
            "2.4",
            "etcd --peer-cert-file and --peer-key-file are set",
            true,
            T,
            "Checks etcd --peer-cert-file and --peer-key-file.",
            "Without peer TLS, replication traffic (all data) is in clear text between members.",
            "Set --peer-cert-file and --peer-key-file.",
        ),
        run: |c| set(c, &["peer-cert-file", "peer-key-file"]),
    },
    Check {
        meta: meta(
            "2.5",
            "etcd --peer-client-cert-auth is true",
            true,
            T,
            "Checks etcd --peer-client-cert-auth, default false.",
            "Without it anyone reaching the peer port can join or talk to the cluster as a member.",
            "Set --peer-client-cert-auth=true.",
        ),
        run: |c| boolean(c, "peer-client-cert-auth", true),
    },
    Check {
        meta: meta(
            "2.6",
            "etcd --peer-auto-tls is not true",
            true,
            T,
            "Checks etcd --peer-auto-tls, default false.",
            "Self-signed peer certificates cannot be verified.",
            "Remove --peer-auto-tls or set it to false.",
        ),
        run: |c| boolean(c, "peer-auto-tls", false),
    },
    Check {
        meta: meta(
            "2.7",
            "A unique Certificate Authority is used for etcd",
            false,
            T,
            "Compares etcd --trusted-ca-file with the API server's --client-ca-file (paths through hostPath mounts, then contents).",
            "If etcd trusts the cluster CA, every client certificate the cluster issues (kubelets, users) can read etcd directly.",
            "Create a dedicated etcd CA (kubeadm uses /etc/kubernetes/pki/etcd/ca.crt) and set --trusted-ca-file to it.",
        ),
        run: unique_ca,
    },
];

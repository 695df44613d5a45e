//! 1.2 API server, 1.3 controller manager, 1.4 scheduler.

use std::collections::BTreeSet;

use kubeward_yaml::{Node, path_index, path_join};

use super::{
    Check, Ctx, Evidence, Outcome, Target, bool_flag, ev_flag, flag_unset, flags_set, int_at_least,
    meta, only_allowed, pod,
};
use crate::encryption::{SecretsEncryption, review_secrets};
use crate::layout::{Component, StaticPod};

const API: Component = Component::ApiServer;
const CM: Component = Component::ControllerManager;
const SCHED: Component = Component::Scheduler;

/// Admission plugins the API server enables when not told otherwise (Kubernetes 1.30+).
pub(crate) const DEFAULT_ADMISSION_PLUGINS: &[&str] = &[
    "NamespaceLifecycle",
    "LimitRanger",
    "ServiceAccount",
    "TaintNodesByCondition",
    "PodSecurity",
    "Priority",
    "DefaultTolerationSeconds",
    "DefaultStorageClass",
    "StorageObjectInUseProtection",
    "PersistentVolumeClaimResize",
    "RuntimeClass",
    "CertificateApproval",
    "CertificateSigning",
    "ClusterTrustBundleAttest",
    "CertificateSubjectRestriction",
    "DefaultIngressClass",
    "MutatingAdmissionWebhook",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionWebhook",
    "ResourceQuota",
];

/// Strong TLS cipher suites for the API server (CIS 1.2.29).
pub(crate) const STRONG_APISERVER_CIPHERS: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// The admission plugins the API server will run, and whether the set is uncertain.
pub(crate) fn enabled_admission(p: &StaticPod) -> (BTreeSet<String>, Vec<Evidence>) {
    let mut ev = Vec::new();
    if let Some(legacy) = p.flags.list("admission-control") {
        ev.extend(ev_flag(p, "admission-control", ""));
        return (legacy.into_iter().collect(), ev);
    }
    let mut set: BTreeSet<String> = DEFAULT_ADMISSION_PLUGINS
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    let enable = p.flags.list("enable-admission-plugins").unwrap_or_default();
    let disable = p
        .flags
        .list("disable-admission-plugins")
        .unwrap_or_default();
    ev.extend(ev_flag(
        p,
        "enable-admission-plugins",
        "the default plugins",
    ));
    if p.flags.is_set("disable-admission-plugins") {
        ev.extend(ev_flag(p, "disable-admission-plugins", ""));
    }
    set.extend(enable);
    for d in disable {
        set.remove(&d);
    }
    (set, ev)
}

fn admission_has(ctx: &Ctx<'_>, plugin: &str, want: bool) -> Outcome {
    let p = match pod(ctx, API) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let (set, ev) = enabled_admission(p);
    let both = p
        .flags
        .list("enable-admission-plugins")
        .unwrap_or_default()
        .iter()
        .any(|e| e == plugin)
        && p.flags
            .list("disable-admission-plugins")
            .unwrap_or_default()
            .iter()
            .any(|d| d == plugin);
    if both {
        return Outcome::warn(
            format!("{plugin} is both enabled and disabled; kube-apiserver refuses to start"),
            ev,
        );
    }
    match (set.contains(plugin), want) {
        (true, true) => Outcome::pass(format!("admission plugin {plugin} is enabled"), ev),
        (false, false) => Outcome::pass(format!("admission plugin {plugin} is not enabled"), ev),
        (false, true) => Outcome::fail(format!("admission plugin {plugin} is not enabled"), ev),
        (true, false) => Outcome::fail(format!("admission plugin {plugin} is enabled"), ev),
    }
}

/// The authorizers in effect: from `--authorization-mode`, or from the structured
/// `--authorization-config` file, or the default (`AlwaysAllow`).
fn authorizers(ctx: &Ctx<'_>, p: &StaticPod) -> Result<(Vec<String>, Vec<Evidence>), Outcome> {
    if p.flags.is_set("authorization-config") {
        let mut ev = ev_flag(p, "authorization-config", "");
        let Some(file) = &ctx.layout.authorization_config else {
            return Err(Outcome::warn(
                "--authorization-config is set but the file could not be read on this node",
                ev,
            ));
        };
        let Some(root) = &file.root else {
            return Err(Outcome::warn(
                "the --authorization-config file does not parse",
                ev,
            ));
        };
        let mut types = Vec::new();
        for (i, a) in root
            .get("authorizers")
            .map(Node::items)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(t) = a.get("type").and_then(Node::as_str) {
                types.push(t.to_string());
                ev.push(Evidence {
                    file: Some(file.file.path.clone()),
                    field_path: Some(path_join(&path_index("authorizers", i), "type")),
                    detail: format!("authorizer {t}"),
                });
            }
        }
        return Ok((types, ev));
    }
    let ev = ev_flag(p, "authorization-mode", "AlwaysAllow");
    let modes = p
        .flags
        .list("authorization-mode")
        .unwrap_or_else(|| vec!["AlwaysAllow".to_string()]);
    Ok((modes, ev))
}

fn authz(ctx: &Ctx<'_>, mode: &str, want: bool) -> Outcome {
    let p = match pod(ctx, API) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let (modes, ev) = match authorizers(ctx, p) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let has = modes.iter().any(|m| m == mode);
    let shown = modes.join(",");
    match (has, want) {
        (true, true) => Outcome::pass(format!("authorization modes {shown} include {mode}"), ev),
        (false, false) => Outcome::pass(
            format!("authorization modes {shown} do not include {mode}"),
            ev,
        ),
        (false, true) => Outcome::fail(
            format!("authorization modes {shown} do not include {mode}"),
            ev,
        ),
        (true, false) => Outcome::fail(format!("authorization modes {shown} include {mode}"), ev),
    }
}

/// Health endpoints that a structured `AuthenticationConfiguration` may open to anonymous
/// requests without exposing the API.
const HEALTH_PATHS: &[&str] = &["/livez", "/readyz", "/healthz"];

fn anonymous_auth(ctx: &Ctx<'_>) -> Outcome {
    let p = match pod(ctx, API) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if !p.flags.is_set("authentication-config") {
        return bool_flag(ctx, API, "anonymous-auth", false, true);
    }
    let mut ev = ev_flag(p, "authentication-config", "");
    if p.flags.is_set("anonymous-auth") {
        ev.extend(ev_flag(p, "anonymous-auth", ""));
        return Outcome::warn(
            "--anonymous-auth and an anonymous section in --authentication-config cannot both be used; check which one applies",
            ev,
        );
    }
    let Some(file) = &ctx.layout.authentication_config else {
        return Outcome::warn(
            "--authentication-config is set but the file could not be read on this node",
            ev,
        );
    };
    let Some(root) = &file.root else {
        return Outcome::warn("the --authentication-config file does not parse", ev);
    };
    let Some(anon) = root.get("anonymous") else {
        ev.push(Evidence {
            file: Some(file.file.path.clone()),
            field_path: Some("anonymous".into()),
            detail: "no `anonymous` section (anonymous requests are allowed by default)".into(),
        });
        return Outcome::fail(
            "the AuthenticationConfiguration has no `anonymous` section: anonymous requests are enabled",
            ev,
        );
    };
    let enabled = anon.get("enabled").and_then(Node::as_bool).unwrap_or(false);
    let paths: Vec<String> = anon
        .get("conditions")
        .map(Node::items)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("path").and_then(Node::as_str).map(str::to_string))
        .collect();
    ev.push(Evidence {
        file: Some(file.file.path.clone()),
        field_path: Some("anonymous.enabled".into()),
        detail: format!(
            "anonymous.enabled: {enabled}; conditions: {}",
            paths.join(", ")
        ),
    });
    if !enabled {
        Outcome::pass(
            "anonymous authentication is disabled in the AuthenticationConfiguration",
            ev,
        )
    } else if !paths.is_empty() && paths.iter().all(|p| HEALTH_PATHS.contains(&p.as_str())) {
        Outcome::pass(
            "anonymous authentication is limited to health endpoints",
            ev,
        )
    } else {
        Outcome::fail(
            "anonymous authentication is enabled beyond the health endpoints",
            ev,
        )
    }
}

fn encryption_content(ctx: &Ctx<'_>) -> Outcome {
    let p = match pod(ctx, API) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let mut ev = ev_flag(p, "encryption-provider-config", "");
    if !p.flags.is_set("encryption-provider-config") {
        return Outcome::fail(
            "--encryption-provider-config is not set: Secrets are stored in etcd in plain text",
            ev,
        );
    }
    let Some(file) = &ctx.layout.encryption_config else {
        return Outcome::warn(
            "the encryption configuration file could not be read on this node",
            ev,
        );
    };
    let Some(root) = &file.root else {
        return Outcome::warn("the encryption configuration file does not parse", ev);
    };
    let r = review_secrets(root);
    ev.push(Evidence {
        file: Some(file.file.path.clone()),
        field_path: Some(r.field_path.clone()),
        detail: r
            .write_provider
            .clone()
            .map_or_else(|| r.message.clone(), |w| format!("writes with `{w}`")),
    });
    match r.verdict {
        SecretsEncryption::Strong => Outcome::pass(r.message, ev),
        SecretsEncryption::Weak => Outcome::warn(r.message, ev),
        SecretsEncryption::NotEncrypted => Outcome::fail(r.message, ev),
        SecretsEncryption::Invalid => Outcome::warn(format!("cannot evaluate: {}", r.message), ev),
    }
}

fn ciphers(ctx: &Ctx<'_>, comp: Component, allowed: &[&str]) -> Outcome {
    let p = match pod(ctx, comp) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ev = ev_flag(p, "tls-cipher-suites", "Go's default suites");
    match p.flags.list("tls-cipher-suites") {
        None => Outcome::fail(
            "--tls-cipher-suites is not set: Go's defaults include CBC-mode suites with SHA-1",
            ev,
        ),
        Some(list) if list.is_empty() => {
            Outcome::fail("--tls-cipher-suites is empty: Go's defaults apply", ev)
        }
        Some(list) => {
            let weak = only_allowed(&list, allowed);
            if weak.is_empty() {
                Outcome::pass("only strong cipher suites are allowed", ev)
            } else {
                Outcome::fail(
                    format!("weak cipher suites allowed: {}", weak.join(", ")),
                    ev,
                )
            }
        }
    }
}

fn bind_localhost(ctx: &Ctx<'_>, comp: Component) -> Outcome {
    let p = match pod(ctx, comp) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ev = ev_flag(p, "bind-address", "0.0.0.0");
    match p.flags.value("bind-address").as_deref() {
        Some("127.0.0.1") => Outcome::pass("--bind-address=127.0.0.1", ev),
        Some(other) => Outcome::fail(
            format!("--bind-address={other}: the secure port listens beyond loopback"),
            ev,
        ),
        None => Outcome::fail(
            "--bind-address is not set and defaults to 0.0.0.0 (all interfaces)",
            ev,
        ),
    }
}

fn request_timeout(ctx: &Ctx<'_>) -> Outcome {
    let p = match pod(ctx, API) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ev = ev_flag(p, "request-timeout", "1m0s");
    match p.flags.value("request-timeout") {
        None => Outcome::warn(
            "--request-timeout is not set (default 1m0s); review whether that suits your cluster",
            ev,
        ),
        Some(v) => match crate::kubelet::parse_go_duration(&v) {
            Some(s) if s <= 0.0 => {
                Outcome::fail(format!("--request-timeout={v} disables the timeout"), ev)
            }
            Some(_) => Outcome::warn(
                format!("--request-timeout={v}; review whether that suits your cluster"),
                ev,
            ),
            None => Outcome::warn(
                format!(
                    "--request-timeout={v:?} is not a duration; kube-apiserver refuses to start"
                ),
                ev,
            ),
        },
    }
}

fn rotate_kubelet_server_cert_cm(ctx: &Ctx<'_>) -> Outcome {
    let p = match pod(ctx, CM) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ev = ev_flag(p, "feature-gates", "");
    let (gates, bad) = p.flags.map_bool("feature-gates");
    if let Some(b) = bad.first() {
        return Outcome::warn(
            format!("--feature-gates entry {b:?} is not key=bool; the component refuses to start"),
            ev,
        );
    }
    match gates.get("RotateKubeletServerCertificate") {
        Some(false) => Outcome::fail(
            "--feature-gates sets RotateKubeletServerCertificate=false",
            ev,
        ),
        Some(true) => Outcome::pass("RotateKubeletServerCertificate=true", ev),
        None => Outcome::pass(
            "RotateKubeletServerCertificate is not disabled (on by default)",
            ev,
        ),
    }
}

fn terminated_pod_gc(ctx: &Ctx<'_>) -> Outcome {
    let p = match pod(ctx, CM) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ev = ev_flag(p, "terminated-pod-gc-threshold", "12500");
    match p.flags.value("terminated-pod-gc-threshold") {
        None => Outcome::fail(
            "--terminated-pod-gc-threshold is not set (default 12500 terminated pods kept)",
            ev,
        ),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if n > 0 => Outcome::pass(format!("--terminated-pod-gc-threshold={n}"), ev),
            Ok(n) => Outcome::fail(
                format!(
                    "--terminated-pod-gc-threshold={n} disables terminated pod garbage collection"
                ),
                ev,
            ),
            Err(_) => Outcome::warn(
                format!("--terminated-pod-gc-threshold={v:?} is not an integer"),
                ev,
            ),
        },
    }
}

pub(crate) static CHECKS: &[Check] = &[
    Check {
        meta: meta(
            "1.2.1",
            "API server --anonymous-auth is false",
            false,
            Target::ApiServer,
            "Checks kube-apiserver --anonymous-auth (default true).",
            "Anonymous requests reach every authorizer as system:anonymous; one permissive binding exposes the API to the whole network.",
            "Set --anonymous-auth=false (or restrict anonymous to health endpoints with a structured AuthenticationConfiguration).",
        ),
        run: anonymous_auth,
    },
    Check {
        meta: meta(
            "1.2.2",
            "API server --token-auth-file is not set",
            true,
            Target::ApiServer,
            "Checks that kube-apiserver --token-auth-file is absent.",
            "Static tokens live in clear text on disk, never expire and cannot be revoked without a restart.",
            "Remove --token-auth-file and use client certificates, OIDC or service accounts.",
        ),
        run: |c| flag_unset(c, API, "token-auth-file"),
    },
    Check {
        meta: meta(
            "1.2.3",
            "API server admission plugin DenyServiceExternalIPs is enabled",
            false,
            Target::ApiServer,
            "Checks that --enable-admission-plugins includes DenyServiceExternalIPs.",
            "Service externalIPs let any user who can create Services intercept traffic to arbitrary IPs (CVE-2020-8554).",
            "Add DenyServiceExternalIPs to --enable-admission-plugins.",
        ),
        run: |c| admission_has(c, "DenyServiceExternalIPs", true),
    },
    Check {
        meta: meta(
            "1.2.4",
            "API server --kubelet-client-certificate and --kubelet-client-key are set",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --kubelet-client-certificate and --kubelet-client-key.",
            "Without a client certificate the API server cannot authenticate to kubelets, which then must allow unauthenticated access.",
            "Set --kubelet-client-certificate and --kubelet-client-key to the apiserver-kubelet-client pair.",
        ),
        run: |c| {
            flags_set(
                c,
                API,
                &["kubelet-client-certificate", "kubelet-client-key"],
            )
        },
    },
    Check {
        meta: meta(
            "1.2.5",
            "API server --kubelet-certificate-authority is set",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --kubelet-certificate-authority.",
            "Without it the API server does not verify kubelet serving certificates, so exec/logs traffic can be intercepted.",
            "Set --kubelet-certificate-authority to the CA that signs kubelet serving certificates.",
        ),
        run: |c| flags_set(c, API, &["kubelet-certificate-authority"]),
    },
    Check {
        meta: meta(
            "1.2.6",
            "API server --authorization-mode is not AlwaysAllow",
            true,
            Target::ApiServer,
            "Checks the authorizers from --authorization-mode (default AlwaysAllow) or --authorization-config.",
            "AlwaysAllow lets every authenticated (or anonymous) request do anything.",
            "Set --authorization-mode=Node,RBAC.",
        ),
        run: |c| authz(c, "AlwaysAllow", false),
    },
    Check {
        meta: meta(
            "1.2.7",
            "API server --authorization-mode includes Node",
            true,
            Target::ApiServer,
            "Checks that the authorizers include Node.",
            "The Node authorizer limits each kubelet to the objects of its own pods; without it a compromised node can read every Secret.",
            "Set --authorization-mode=Node,RBAC.",
        ),
        run: |c| authz(c, "Node", true),
    },
    Check {
        meta: meta(
            "1.2.8",
            "API server --authorization-mode includes RBAC",
            true,
            Target::ApiServer,
            "Checks that the authorizers include RBAC.",
            "RBAC is the fine-grained, auditable way to grant access; without it permissions are all-or-nothing or external.",
            "Set --authorization-mode=Node,RBAC.",
        ),
        run: |c| authz(c, "RBAC", true),
    },
    Check {
        meta: meta(
            "1.2.9",
            "API server admission plugin EventRateLimit is enabled",
            false,
            Target::ApiServer,
            "Checks that --enable-admission-plugins includes EventRateLimit.",
            "Unlimited event creation can flood etcd and the API server (denial of service).",
            "Add EventRateLimit to --enable-admission-plugins and configure it in --admission-control-config-file.",
        ),
        run: |c| admission_has(c, "EventRateLimit", true),
    },
    Check {
        meta: meta(
            "1.2.10",
            "API server admission plugin AlwaysAdmit is not enabled",
            true,
            Target::ApiServer,
            "Checks that --enable-admission-plugins does not include AlwaysAdmit.",
            "AlwaysAdmit is a no-op that signals admission control was deliberately weakened.",
            "Remove AlwaysAdmit from --enable-admission-plugins.",
        ),
        run: |c| admission_has(c, "AlwaysAdmit", false),
    },
    Check {
        meta: meta(
            "1.2.11",
            "API server admission plugin AlwaysPullImages is enabled",
            false,
            Target::ApiServer,
            "Checks that --enable-admission-plugins includes AlwaysPullImages.",
            "Without it a pod can run a private image already cached on a node without having the pull credentials.",
            "Add AlwaysPullImages to --enable-admission-plugins.",
        ),
        run: |c| admission_has(c, "AlwaysPullImages", true),
    },
    Check {
        meta: meta(
            "1.2.12",
            "API server admission plugin ServiceAccount is enabled",
            true,
            Target::ApiServer,
            "Checks that ServiceAccount is not in --disable-admission-plugins (it is on by default).",
            "The ServiceAccount plugin enforces that pods use existing service accounts and mounts bound tokens.",
            "Remove ServiceAccount from --disable-admission-plugins.",
        ),
        run: |c| admission_has(c, "ServiceAccount", true),
    },
    Check {
        meta: meta(
            "1.2.13",
            "API server admission plugin NamespaceLifecycle is enabled",
            true,
            Target::ApiServer,
            "Checks that NamespaceLifecycle is not in --disable-admission-plugins (it is on by default).",
            "It stops objects from being created in namespaces that are being deleted or do not exist.",
            "Remove NamespaceLifecycle from --disable-admission-plugins.",
        ),
        run: |c| admission_has(c, "NamespaceLifecycle", true),
    },
    Check {
        meta: meta(
            "1.2.14",
            "API server admission plugin NodeRestriction is enabled",
            true,
            Target::ApiServer,
            "Checks that --enable-admission-plugins includes NodeRestriction.",
            "Without it a kubelet can modify other nodes and pods not bound to it, and label itself into sensitive workloads.",
            "Add NodeRestriction to --enable-admission-plugins.",
        ),
        run: |c| admission_has(c, "NodeRestriction", true),
    },
    Check {
        meta: meta(
            "1.2.15",
            "API server --profiling is false",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --profiling (default true).",
            "The pprof endpoints reveal internals and can be used to load the server.",
            "Set --profiling=false.",
        ),
        run: |c| bool_flag(c, API, "profiling", false, true),
    },
    Check {
        meta: meta(
            "1.2.16",
            "API server --audit-log-path is set",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --audit-log-path.",
            "Without an audit log there is no record of who did what in the cluster.",
            "Set --audit-log-path=/var/log/kubernetes/audit/audit.log and --audit-policy-file.",
        ),
        run: |c| flags_set(c, API, &["audit-log-path"]),
    },
    Check {
        meta: meta(
            "1.2.17",
            "API server --audit-log-maxage is 30 or more",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --audit-log-maxage (days of audit logs kept).",
            "Short retention erases the trail before an intrusion is noticed.",
            "Set --audit-log-maxage=30.",
        ),
        run: |c| int_at_least(c, API, "audit-log-maxage", 30),
    },
    Check {
        meta: meta(
            "1.2.18",
            "API server --audit-log-maxbackup is 10 or more",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --audit-log-maxbackup (rotated files kept).",
            "Too few backups erase the trail before an intrusion is noticed.",
            "Set --audit-log-maxbackup=10.",
        ),
        run: |c| int_at_least(c, API, "audit-log-maxbackup", 10),
    },
    Check {
        meta: meta(
            "1.2.19",
            "API server --audit-log-maxsize is 100 or more",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --audit-log-maxsize (MB before rotation).",
            "Small files rotate away evidence quickly under load.",
            "Set --audit-log-maxsize=100.",
        ),
        run: |c| int_at_least(c, API, "audit-log-maxsize", 100),
    },
    Check {
        meta: meta(
            "1.2.20",
            "API server --request-timeout is appropriate",
            false,
            Target::ApiServer,
            "Shows kube-apiserver --request-timeout (default 1m0s) for review; 0 is flagged.",
            "Long or disabled timeouts let slow clients hold server resources.",
            "Set --request-timeout to a suitable value such as 300s, only if needed.",
        ),
        run: request_timeout,
    },
    Check {
        meta: meta(
            "1.2.21",
            "API server --service-account-lookup is true",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --service-account-lookup (default true).",
            "Without lookup, tokens of deleted service accounts keep working until they expire.",
            "Remove --service-account-lookup=false or set it to true.",
        ),
        run: |c| bool_flag(c, API, "service-account-lookup", true, true),
    },
    Check {
        meta: meta(
            "1.2.22",
            "API server --service-account-key-file is set",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --service-account-key-file.",
            "The public keys that verify service account tokens must be explicit so keys can be rotated.",
            "Set --service-account-key-file to the service accounts' public key file.",
        ),
        run: |c| flags_set(c, API, &["service-account-key-file"]),
    },
    Check {
        meta: meta(
            "1.2.23",
            "API server --etcd-certfile and --etcd-keyfile are set",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --etcd-certfile and --etcd-keyfile.",
            "Without a client certificate, etcd must accept unauthenticated clients, and its data is everything.",
            "Set --etcd-certfile and --etcd-keyfile to the apiserver-etcd-client pair.",
        ),
        run: |c| flags_set(c, API, &["etcd-certfile", "etcd-keyfile"]),
    },
    Check {
        meta: meta(
            "1.2.24",
            "API server --tls-cert-file and --tls-private-key-file are set",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --tls-cert-file and --tls-private-key-file.",
            "Without them the API server serves a self-signed certificate clients cannot verify.",
            "Set --tls-cert-file and --tls-private-key-file.",
        ),
        run: |c| flags_set(c, API, &["tls-cert-file", "tls-private-key-file"]),
    },
    Check {
        meta: meta(
            "1.2.25",
            "API server --client-ca-file is set",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --client-ca-file.",
            "Without a client CA, client certificate authentication is off and kubelets and controllers need weaker credentials.",
            "Set --client-ca-file=/etc/kubernetes/pki/ca.crt.",
        ),
        run: |c| flags_set(c, API, &["client-ca-file"]),
    },
    Check {
        meta: meta(
            "1.2.26",
            "API server --etcd-cafile is set",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --etcd-cafile.",
            "Without it the API server does not verify etcd's certificate and can be pointed at an impostor.",
            "Set --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt.",
        ),
        run: |c| flags_set(c, API, &["etcd-cafile"]),
    },
    Check {
        meta: meta(
            "1.2.27",
            "API server --encryption-provider-config is set",
            false,
            Target::ApiServer,
            "Checks kube-apiserver --encryption-provider-config.",
            "Without encryption at rest, Secrets sit in etcd and its backups in plain text.",
            "Create an EncryptionConfiguration and set --encryption-provider-config to it.",
        ),
        run: |c| flags_set(c, API, &["encryption-provider-config"]),
    },
    Check {
        meta: meta(
            "1.2.28",
            "Encryption providers are appropriately configured",
            false,
            Target::ApiServer,
            "Reads the EncryptionConfiguration: Secrets must be covered and the first provider must not be identity; aescbc and aesgcm are reported as weak.",
            "The first provider encrypts new writes: identity first means plain text, whatever follows.",
            "Put kms (v2) or secretbox first for `secrets` in the EncryptionConfiguration, then rewrite all Secrets.",
        ),
        run: encryption_content,
    },
    Check {
        meta: meta(
            "1.2.29",
            "API server uses only strong cryptographic ciphers",
            false,
            Target::ApiServer,
            "Checks that every suite in kube-apiserver --tls-cipher-suites is an AEAD suite with forward secrecy.",
            "Weak suites allow downgrade and decryption of API traffic.",
            "Set --tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ),
        run: |c| ciphers(c, API, STRONG_APISERVER_CIPHERS),
    },
    Check {
        meta: meta(
            "1.2.30",
            "API server --service-account-extend-token-expiration is false",
            true,
            Target::ApiServer,
            "Checks kube-apiserver --service-account-extend-token-expiration (default true).",
            "Extended tokens stay valid for a year instead of an hour, so a stolen token keeps working.",
            "Set --service-account-extend-token-expiration=false.",
        ),
        run: |c| {
            bool_flag(
                c,
                API,
                "service-account-extend-token-expiration",
                false,
                true,
            )
        },
    },
    Check {
        meta: meta(
            "1.3.1",
            "Controller manager --terminated-pod-gc-threshold is set",
            false,
            Target::ControllerManager,
            "Checks kube-controller-manager --terminated-pod-gc-threshold (default 12500).",
            "Thousands of terminated pods degrade the controller manager and etcd.",
            "Set --terminated-pod-gc-threshold=10 (or a value suited to the cluster).",
        ),
        run: terminated_pod_gc,
    },
    Check {
        meta: meta(
            "1.3.2",
            "Controller manager --profiling is false",
            true,
            Target::ControllerManager,
            "Checks kube-controller-manager --profiling (default true).",
            "The pprof endpoints reveal internals and can be used to load the server.",
            "Set --profiling=false in /etc/kubernetes/manifests/kube-controller-manager.yaml.",
        ),
        run: |c| bool_flag(c, CM, "profiling", false, true),
    },
    Check {
        meta: meta(
            "1.3.3",
            "Controller manager --use-service-account-credentials is true",
            true,
            Target::ControllerManager,
            "Checks kube-controller-manager --use-service-account-credentials (default false).",
            "Each controller then runs with its own least-privilege service account instead of the manager's broad identity.",
            "Set --use-service-account-credentials=true.",
        ),
        run: |c| bool_flag(c, CM, "use-service-account-credentials", true, false),
    },
    Check {
        meta: meta(
            "1.3.4",
            "Controller manager --service-account-private-key-file is set",
            true,
            Target::ControllerManager,
            "Checks kube-controller-manager --service-account-private-key-file.",
            "The key that signs service account tokens must be explicit so it can be rotated.",
            "Set --service-account-private-key-file=/etc/kubernetes/pki/sa.key.",
        ),
        run: |c| flags_set(c, CM, &["service-account-private-key-file"]),
    },
    Check {
        meta: meta(
            "1.3.5",
            "Controller manager --root-ca-file is set",
            true,
            Target::ControllerManager,
            "Checks kube-controller-manager --root-ca-file.",
            "Pods need the root CA in their service account volume to verify the API server (no man-in-the-middle).",
            "Set --root-ca-file=/etc/kubernetes/pki/ca.crt.",
        ),
        run: |c| flags_set(c, CM, &["root-ca-file"]),
    },
    Check {
        meta: meta(
            "1.3.6",
            "Controller manager RotateKubeletServerCertificate is true",
            true,
            Target::ControllerManager,
            "Checks that kube-controller-manager --feature-gates does not set RotateKubeletServerCertificate=false.",
            "Kubelet serving certificates must be rotated before they expire or leak.",
            "Remove RotateKubeletServerCertificate=false from --feature-gates.",
        ),
        run: rotate_kubelet_server_cert_cm,
    },
    Check {
        meta: meta(
            "1.3.7",
            "Controller manager --bind-address is 127.0.0.1",
            true,
            Target::ControllerManager,
            "Checks kube-controller-manager --bind-address (default 0.0.0.0).",
            "The controller manager's port (metrics, health, profiling) should not be reachable from the network.",
            "Set --bind-address=127.0.0.1.",
        ),
        run: |c| bind_localhost(c, CM),
    },
    Check {
        meta: meta(
            "1.4.1",
            "Scheduler --profiling is false",
            true,
            Target::Scheduler,
            "Checks kube-scheduler --profiling (default true).",
            "The pprof endpoints reveal internals and can be used to load the server.",
            "Set --profiling=false in /etc/kubernetes/manifests/kube-scheduler.yaml.",
        ),
        run: |c| bool_flag(c, SCHED, "profiling", false, true),
    },
    Check {
        meta: meta(
            "1.4.2",
            "Scheduler --bind-address is 127.0.0.1",
            true,
            Target::Scheduler,
            "Checks kube-scheduler --bind-address (default 0.0.0.0).",
            "The scheduler's port (metrics, health, profiling) should not be reachable from the network.",
            "Set --bind-address=127.0.0.1.",
        ),
        run: |c| bind_localhost(c, SCHED),
    },
];

//! 4 Worker node: kubelet files (4.1) and settings (4.2).

use super::files::{owner, perms};
use super::{Check, Ctx, Evidence, Outcome, Target, meta, only_allowed, show_flag};
use crate::kubelet::{
    KUBELET_SETTINGS, Setting, SettingSource, SettingValue, effective, parse_go_duration,
};
use crate::layout::{FileFacts, Kubelet};

/// Strong TLS cipher suites for the kubelet (CIS 4.2.12).
pub(crate) const STRONG_KUBELET_CIPHERS: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
];

fn kubelet<'a>(ctx: &Ctx<'a>) -> Result<&'a Kubelet, Outcome> {
    ctx.layout.kubelet.as_ref().ok_or_else(|| {
        Outcome::na("no kubelet on this node (no kubelet unit, flags or configuration file found)")
    })
}

fn show_value(v: &SettingValue) -> String {
    match v {
        SettingValue::Unset => "unset".into(),
        SettingValue::Bool(b) => b.to_string(),
        SettingValue::Int(i) => i.to_string(),
        SettingValue::Str(s) => s.clone(),
        SettingValue::List(l) => l.join(","),
        SettingValue::MapBool(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
        SettingValue::Invalid(m) => format!("invalid ({m})"),
    }
}

/// The effective setting for `flag`, with evidence of where it came from.
fn get(k: &Kubelet, flag: &str) -> (Setting, Vec<Evidence>) {
    let Some(spec) = KUBELET_SETTINGS.iter().find(|s| s.flag == flag) else {
        return (
            Setting {
                value: SettingValue::Unset,
                source: SettingSource::Default { with_config: false },
            },
            vec![],
        );
    };
    // The configuration layer that sets this field: the last drop-in that has it, else the file.
    let layer = k.config_dropins.iter().rev().find(|d| {
        !spec.config_path.is_empty()
            && d.root
                .as_ref()
                .and_then(|r| r.at_path(spec.config_path))
                .is_some_and(|n| !n.is_null())
    });
    let (cfg_node, cfg_file) = match layer {
        Some(d) => (d.root.as_ref(), Some(d.file.path.clone())),
        None => (
            k.config
                .as_ref()
                .or_else(|| k.config_dropins.iter().find_map(|d| d.root.as_ref())),
            k.config_file.as_ref().map(|f| f.path.clone()),
        ),
    };
    let s = effective(spec, &k.flags, cfg_node);
    let mut ev = Vec::new();
    let flag_ev = |index: usize| {
        let arg = k.argv.get(index);
        let value = arg.map(|a| a.value.as_str()).unwrap_or("");
        let shown = match value.split_once('=') {
            Some((n, v)) => show_flag(n.trim_start_matches('-'), Some(v)),
            None => value.to_string(),
        };
        Evidence::note(format!(
            "kubelet {shown} (from {})",
            arg.map_or("?", |a| a.origin.as_str())
        ))
    };
    match &s.source {
        SettingSource::Flag { index, .. } => ev.push(flag_ev(*index)),
        SettingSource::Config { field_path } => ev.push(Evidence {
            file: cfg_file.clone(),
            field_path: Some(field_path.clone()),
            detail: format!("{}: {}", spec.config_path, show_value(&s.value)),
        }),
        SettingSource::Default { with_config } => ev.push(Evidence::note(format!(
            "--{flag}{} not set; {} default: {}",
            if spec.config_path.is_empty() {
                String::new()
            } else {
                format!(" / {}", spec.config_path)
            },
            if *with_config {
                "configuration-file"
            } else {
                "command-line"
            },
            show_value(&s.value)
        ))),
        SettingSource::Merged => {
            if let Some(o) = k.flags.last(flag) {
                ev.push(flag_ev(o.index));
            }
            ev.push(Evidence {
                file: cfg_file.clone(),
                field_path: Some(spec.config_path.to_string()),
                detail: format!("{}: merged with --{flag}", spec.config_path),
            });
        }
    }
    for o in k.flags.all(flag).collect::<Vec<_>>().iter().rev().skip(1) {
        ev.push(flag_ev(o.index));
    }
    (s, ev)
}

fn invalid(flag: &str, msg: &str, ev: Vec<Evidence>) -> Outcome {
    Outcome::warn(
        format!("kubelet {flag}: {msg}; the kubelet refuses this configuration"),
        ev,
    )
}

fn bool_setting(ctx: &Ctx<'_>, flag: &str, want: bool) -> Outcome {
    let k = match kubelet(ctx) {
        Ok(k) => k,
        Err(o) => return o,
    };
    let (s, ev) = get(k, flag);
    match s.value {
        SettingValue::Bool(b) if b == want => Outcome::pass(format!("{flag} is {b}"), ev),
        SettingValue::Bool(b) => Outcome::fail(format!("{flag} is {b}, expected {want}"), ev),
        SettingValue::Invalid(m) => invalid(flag, &m, ev),
        other => Outcome::warn(
            format!("{flag} has an unexpected value {}", show_value(&other)),
            ev,
        ),
    }
}

fn authz_mode(ctx: &Ctx<'_>) -> Outcome {
    let k = match kubelet(ctx) {
        Ok(k) => k,
        Err(o) => return o,
    };
    let (s, ev) = get(k, "authorization-mode");
    match s.value {
        SettingValue::Str(m) if m == "AlwaysAllow" => Outcome::fail(
            "authorization mode is AlwaysAllow: every authenticated request may use the kubelet API",
            ev,
        ),
        SettingValue::Str(m) => Outcome::pass(format!("authorization mode is {m}"), ev),
        SettingValue::Invalid(m) => invalid("authorization-mode", &m, ev),
        other => Outcome::warn(
            format!("unexpected authorization mode {}", show_value(&other)),
            ev,
        ),
    }
}

fn string_set(ctx: &Ctx<'_>, flags: &[&str]) -> Outcome {
    let k = match kubelet(ctx) {
        Ok(k) => k,
        Err(o) => return o,
    };
    let mut ev = Vec::new();
    let mut missing = Vec::new();
    for f in flags {
        let (s, e) = get(k, f);
        ev.extend(e);
        match s.value {
            SettingValue::Str(v) if !v.is_empty() => {}
            SettingValue::Invalid(m) => return invalid(f, &m, ev),
            _ => missing.push((*f).to_string()),
        }
    }
    if missing.is_empty() {
        Outcome::pass("set", ev)
    } else {
        Outcome::fail(format!("not set: {}", missing.join(", ")), ev)
    }
}

fn read_only_port(ctx: &Ctx<'_>) -> Outcome {
    let k = match kubelet(ctx) {
        Ok(k) => k,
        Err(o) => return o,
    };
    let (s, ev) = get(k, "read-only-port");
    match s.value {
        SettingValue::Int(0) => Outcome::pass("the read-only port is disabled (0)", ev),
        SettingValue::Int(p) => Outcome::fail(
            format!("the unauthenticated read-only port {p} is open"),
            ev,
        ),
        SettingValue::Invalid(m) => invalid("read-only-port", &m, ev),
        other => Outcome::warn(
            format!("unexpected read-only port {}", show_value(&other)),
            ev,
        ),
    }
}

fn streaming_timeout(ctx: &Ctx<'_>) -> Outcome {
    let k = match kubelet(ctx) {
        Ok(k) => k,
        Err(o) => return o,
    };
    let (s, ev) = get(k, "streaming-connection-idle-timeout");
    match s.value {
        SettingValue::Str(d) => match parse_go_duration(&d) {
            Some(secs) if secs <= 0.0 => Outcome::fail(
                format!(
                    "streaming connection idle timeout is {d}: idle exec/attach/port-forward sessions never close"
                ),
                ev,
            ),
            Some(_) => Outcome::pass(format!("streaming connection idle timeout is {d}"), ev),
            None => invalid("streaming-connection-idle-timeout", "not a duration", ev),
        },
        SettingValue::Invalid(m) => invalid("streaming-connection-idle-timeout", &m, ev),
        other => Outcome::warn(format!("unexpected timeout {}", show_value(&other)), ev),
    }
}

fn hostname_override(ctx: &Ctx<'_>) -> Outcome {
    let k = match kubelet(ctx) {
        Ok(k) => k,
        Err(o) => return o,
    };
    let (s, ev) = get(k, "hostname-override");
    match s.value {
        SettingValue::Unset => Outcome::pass("--hostname-override is not set", ev),
        SettingValue::Str(_) => Outcome::fail(
            "--hostname-override is set: the node name no longer matches its certificate",
            ev,
        ),
        other => Outcome::warn(format!("unexpected value {}", show_value(&other)), ev),
    }
}

fn event_qps(ctx: &Ctx<'_>) -> Outcome {
    let k = match kubelet(ctx) {
        Ok(k) => k,
        Err(o) => return o,
    };
    let (s, ev) = get(k, "event-qps");
    match s.value {
        SettingValue::Int(q) if q < 0 => Outcome::fail(format!("eventRecordQPS is {q}"), ev),
        SettingValue::Int(0) => Outcome::pass(
            "eventRecordQPS is 0 (no rate limit: every event is recorded)",
            ev,
        ),
        SettingValue::Int(q) => Outcome::pass(
            format!("eventRecordQPS is {q}; events beyond it are dropped — review"),
            ev,
        ),
        SettingValue::Invalid(m) => invalid("event-qps", &m, ev),
        other => Outcome::warn(format!("unexpected value {}", show_value(&other)), ev),
    }
}

fn serving_cert(ctx: &Ctx<'_>) -> Outcome {
    let k = match kubelet(ctx) {
        Ok(k) => k,
        Err(o) => return o,
    };
    let out = string_set(ctx, &["tls-cert-file", "tls-private-key-file"]);
    if out.status == super::Status::Pass {
        return out;
    }
    let (s, mut ev) = get(k, "rotate-server-certificates");
    if s.value == SettingValue::Bool(true) {
        ev.extend(out.evidence);
        return Outcome::pass(
            "serverTLSBootstrap is true: the kubelet requests its serving certificate from the cluster CA",
            ev,
        );
    }
    let mut ev2 = out.evidence;
    ev2.extend(ev);
    Outcome::fail(
        "no serving certificate and no serverTLSBootstrap: the kubelet serves a self-signed certificate",
        ev2,
    )
}

fn feature_gate(ctx: &Ctx<'_>) -> Outcome {
    let k = match kubelet(ctx) {
        Ok(k) => k,
        Err(o) => return o,
    };
    let (s, ev) = get(k, "feature-gates");
    match s.value {
        SettingValue::MapBool(m) => match m.get("RotateKubeletServerCertificate") {
            Some(false) => Outcome::fail("RotateKubeletServerCertificate=false", ev),
            Some(true) => Outcome::pass("RotateKubeletServerCertificate=true", ev),
            None => Outcome::pass(
                "RotateKubeletServerCertificate is not disabled (on by default)",
                ev,
            ),
        },
        SettingValue::Invalid(m) => invalid("feature-gates", &m, ev),
        other => Outcome::warn(
            format!("unexpected feature gates {}", show_value(&other)),
            ev,
        ),
    }
}

fn kubelet_ciphers(ctx: &Ctx<'_>) -> Outcome {
    let k = match kubelet(ctx) {
        Ok(k) => k,
        Err(o) => return o,
    };
    let (s, ev) = get(k, "tls-cipher-suites");
    match s.value {
        SettingValue::List(l) if !l.is_empty() => {
            let weak = only_allowed(&l, STRONG_KUBELET_CIPHERS);
            if weak.is_empty() {
                Outcome::pass("only strong cipher suites are allowed", ev)
            } else {
                Outcome::fail(
                    format!("weak cipher suites allowed: {}", weak.join(", ")),
                    ev,
                )
            }
        }
        SettingValue::Invalid(m) => invalid("tls-cipher-suites", &m, ev),
        _ => Outcome::fail(
            "tlsCipherSuites is not set: Go's defaults include CBC-mode suites with SHA-1",
            ev,
        ),
    }
}

fn pod_pids(ctx: &Ctx<'_>) -> Outcome {
    let k = match kubelet(ctx) {
        Ok(k) => k,
        Err(o) => return o,
    };
    let (s, ev) = get(k, "pod-max-pids");
    match s.value {
        SettingValue::Int(n) if n > 0 => Outcome::pass(format!("podPidsLimit is {n}"), ev),
        SettingValue::Int(n) => Outcome::fail(
            format!("podPidsLimit is {n}: a pod can fork-bomb the node"),
            ev,
        ),
        SettingValue::Invalid(m) => invalid("pod-max-pids", &m, ev),
        other => Outcome::warn(format!("unexpected value {}", show_value(&other)), ev),
    }
}

fn files<'a>(
    ctx: &Ctx<'a>,
    pick: fn(&'a Kubelet) -> Vec<&'a FileFacts>,
) -> Result<Vec<&'a FileFacts>, Outcome> {
    if ctx.layout.root.is_none() {
        return Err(Outcome::na(
            "file checks need the node's root directory (explicit files were given)",
        ));
    }
    let k = kubelet(ctx)?;
    Ok(pick(k))
}

fn file_perms<'a>(
    ctx: &Ctx<'a>,
    pick: fn(&'a Kubelet) -> Vec<&'a FileFacts>,
    max: u32,
    what: &str,
) -> Outcome {
    match files(ctx, pick) {
        Ok(f) => perms(&f, max, what),
        Err(o) => o,
    }
}

fn file_owner<'a>(
    ctx: &Ctx<'a>,
    pick: fn(&'a Kubelet) -> Vec<&'a FileFacts>,
    what: &str,
) -> Outcome {
    match files(ctx, pick) {
        Ok(f) => owner(&f, ctx.opts.root_uid, ctx.opts.root_gid, "root:root", what),
        Err(o) => o,
    }
}

fn units(k: &Kubelet) -> Vec<&FileFacts> {
    k.unit_files.iter().chain(k.env_files.iter()).collect()
}
fn kubeconfig(k: &Kubelet) -> Vec<&FileFacts> {
    k.kubeconfig.iter().collect()
}
fn client_ca(k: &Kubelet) -> Vec<&FileFacts> {
    k.client_ca_file.iter().collect()
}
fn config(k: &Kubelet) -> Vec<&FileFacts> {
    k.config_file
        .iter()
        .chain(k.config_dropins.iter().map(|d| &d.file))
        .collect()
}

fn proxy_files<'a>(ctx: &Ctx<'a>) -> Result<Vec<&'a FileFacts>, Outcome> {
    if ctx.layout.root.is_none() {
        return Err(Outcome::na(
            "file checks need the node's root directory (explicit files were given)",
        ));
    }
    match &ctx.layout.proxy_kubeconfig {
        Some(f) => Ok(vec![f]),
        None => Err(Outcome::na(
            "no kube-proxy kubeconfig on this node (kubeadm keeps it in the kube-proxy ConfigMap)",
        )),
    }
}

const W: Target = Target::WorkerFiles;
const K: Target = Target::Kubelet;

pub(crate) static CHECKS: &[Check] = &[
    Check {
        meta: meta(
            "4.1.1",
            "Kubelet service file permissions are 600 or more restrictive",
            true,
            W,
            "Checks the mode of kubelet.service, its drop-ins (10-kubeadm.conf) and the environment files they read (kubeadm-flags.env, /etc/default/kubelet).",
            "These files hold the kubelet's flags; writing them turns off its authentication at the next restart.",
            "chmod 600 /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf (and the other files listed)",
        ),
        run: |c| file_perms(c, units, 0o600, "kubelet service files"),
    },
    Check {
        meta: meta(
            "4.1.2",
            "Kubelet service file ownership is root:root",
            true,
            W,
            "Checks the owner of the kubelet unit, drop-ins and environment files.",
            "A file owned by another account can be rewritten by it.",
            "chown root:root <file>",
        ),
        run: |c| file_owner(c, units, "kubelet service files"),
    },
    Check {
        meta: meta(
            "4.1.3",
            "Proxy kubeconfig file permissions are 600 or more restrictive, if it exists",
            false,
            W,
            "Checks the mode of a kube-proxy kubeconfig on the node.",
            "It holds kube-proxy's credentials.",
            "chmod 600 <proxy kubeconfig>",
        ),
        run: |c| match proxy_files(c) {
            Ok(f) => perms(&f, 0o600, "kube-proxy kubeconfig"),
            Err(o) => o,
        },
    },
    Check {
        meta: meta(
            "4.1.4",
            "Proxy kubeconfig file ownership is root:root, if it exists",
            false,
            W,
            "Checks the owner of a kube-proxy kubeconfig on the node.",
            "A file owned by another account can be rewritten by it.",
            "chown root:root <proxy kubeconfig>",
        ),
        run: |c| match proxy_files(c) {
            Ok(f) => owner(
                &f,
                c.opts.root_uid,
                c.opts.root_gid,
                "root:root",
                "kube-proxy kubeconfig",
            ),
            Err(o) => o,
        },
    },
    Check {
        meta: meta(
            "4.1.5",
            "Kubelet --kubeconfig file permissions are 600 or more restrictive",
            true,
            W,
            "Checks the mode of the kubelet's --kubeconfig (default /etc/kubernetes/kubelet.conf).",
            "It holds the node's client credentials.",
            "chmod 600 /etc/kubernetes/kubelet.conf",
        ),
        run: |c| file_perms(c, kubeconfig, 0o600, "kubelet kubeconfig"),
    },
    Check {
        meta: meta(
            "4.1.6",
            "Kubelet --kubeconfig file ownership is root:root",
            true,
            W,
            "Checks the owner of the kubelet's kubeconfig.",
            "A file owned by another account can be rewritten by it.",
            "chown root:root /etc/kubernetes/kubelet.conf",
        ),
        run: |c| file_owner(c, kubeconfig, "kubelet kubeconfig"),
    },
    Check {
        meta: meta(
            "4.1.7",
            "Client certificate authorities file permissions are 644 or more restrictive",
            false,
            W,
            "Checks the mode of the file named by authentication.x509.clientCAFile / --client-ca-file.",
            "Whoever can replace the CA file decides which client certificates the kubelet trusts.",
            "chmod 644 <client CA file>",
        ),
        run: |c| file_perms(c, client_ca, 0o644, "kubelet client CA file"),
    },
    Check {
        meta: meta(
            "4.1.8",
            "Client certificate authorities file ownership is root:root",
            false,
            W,
            "Checks the owner of the kubelet's client CA file.",
            "A file owned by another account can be rewritten by it.",
            "chown root:root <client CA file>",
        ),
        run: |c| file_owner(c, client_ca, "kubelet client CA file"),
    },
    Check {
        meta: meta(
            "4.1.9",
            "Kubelet config.yaml permissions are 600 or more restrictive",
            true,
            W,
            "Checks the mode of the kubelet's --config file (kubeadm: /var/lib/kubelet/config.yaml).",
            "It sets the kubelet's authentication and authorization.",
            "chmod 600 /var/lib/kubelet/config.yaml",
        ),
        run: |c| file_perms(c, config, 0o600, "kubelet configuration file"),
    },
    Check {
        meta: meta(
            "4.1.10",
            "Kubelet config.yaml ownership is root:root",
            true,
            W,
            "Checks the owner of the kubelet's --config file.",
            "A file owned by another account can be rewritten by it.",
            "chown root:root /var/lib/kubelet/config.yaml",
        ),
        run: |c| file_owner(c, config, "kubelet configuration file"),
    },
    Check {
        meta: meta(
            "4.2.1",
            "Kubelet anonymous authentication is disabled",
            true,
            K,
            "Checks authentication.anonymous.enabled / --anonymous-auth (flags override the file; default false with a config file, true without).",
            "Anonymous requests to port 10250 can list pods and, with a permissive authorizer, exec into them.",
            "Set `authentication: {anonymous: {enabled: false}}` in the kubelet config (or --anonymous-auth=false), then restart the kubelet.",
        ),
        run: |c| bool_setting(c, "anonymous-auth", false),
    },
    Check {
        meta: meta(
            "4.2.2",
            "Kubelet --authorization-mode is not AlwaysAllow",
            true,
            K,
            "Checks authorization.mode / --authorization-mode (default Webhook with a config file, AlwaysAllow without).",
            "AlwaysAllow lets any client that authenticates run commands in every pod on the node.",
            "Set `authorization: {mode: Webhook}` in the kubelet config.",
        ),
        run: authz_mode,
    },
    Check {
        meta: meta(
            "4.2.3",
            "Kubelet client CA file is set",
            true,
            K,
            "Checks authentication.x509.clientCAFile / --client-ca-file.",
            "Without a client CA the kubelet cannot authenticate the API server's client certificate.",
            "Set authentication.x509.clientCAFile=/etc/kubernetes/pki/ca.crt.",
        ),
        run: |c| string_set(c, &["client-ca-file"]),
    },
    Check {
        meta: meta(
            "4.2.4",
            "Kubelet read-only port is 0",
            false,
            K,
            "Checks readOnlyPort / --read-only-port (default 0 with a config file, 10255 without).",
            "The read-only port serves pod specs (with environment variables) without any authentication.",
            "Set readOnlyPort: 0.",
        ),
        run: read_only_port,
    },
    Check {
        meta: meta(
            "4.2.5",
            "Kubelet streaming connection idle timeout is not 0",
            false,
            K,
            "Checks streamingConnectionIdleTimeout / --streaming-connection-idle-timeout (default 4h).",
            "With 0, idle exec/attach/port-forward streams stay open forever.",
            "Set streamingConnectionIdleTimeout: 5m.",
        ),
        run: streaming_timeout,
    },
    Check {
        meta: meta(
            "4.2.6",
            "Kubelet --make-iptables-util-chains is true",
            true,
            K,
            "Checks makeIPTablesUtilChains / --make-iptables-util-chains (default true).",
            "The kubelet's iptables utility chains keep pod network rules consistent with the node's firewall.",
            "Set makeIPTablesUtilChains: true (or remove the false setting).",
        ),
        run: |c| bool_setting(c, "make-iptables-util-chains", true),
    },
    Check {
        meta: meta(
            "4.2.7",
            "Kubelet --hostname-override is not set",
            false,
            K,
            "Checks that the kubelet command line has no --hostname-override (it has no config-file field).",
            "An overridden hostname breaks the match between node name and its TLS identity.",
            "Remove --hostname-override from the kubelet's arguments.",
        ),
        run: hostname_override,
    },
    Check {
        meta: meta(
            "4.2.8",
            "Kubelet eventRecordQPS ensures appropriate event capture",
            false,
            K,
            "Shows eventRecordQPS / --event-qps (default 50; 0 = unlimited).",
            "Too low a limit drops events an investigation needs.",
            "Set eventRecordQPS to a level suited to the node (0 for no limit).",
        ),
        run: event_qps,
    },
    Check {
        meta: meta(
            "4.2.9",
            "Kubelet TLS certificate and key are set",
            false,
            K,
            "Checks tlsCertFile and tlsPrivateKeyFile (or --tls-cert-file / --tls-private-key-file), or serverTLSBootstrap.",
            "Without them the kubelet serves a self-signed certificate the API server cannot verify.",
            "Set tlsCertFile and tlsPrivateKeyFile, or serverTLSBootstrap: true with CSR approval.",
        ),
        run: serving_cert,
    },
    Check {
        meta: meta(
            "4.2.10",
            "Kubelet --rotate-certificates is not false",
            true,
            K,
            "Checks rotateCertificates / --rotate-certificates (default false; kubeadm sets true).",
            "Client certificates that are never rotated expire or stay valid long after a leak.",
            "Set rotateCertificates: true.",
        ),
        run: |c| bool_setting(c, "rotate-certificates", true),
    },
    Check {
        meta: meta(
            "4.2.11",
            "Kubelet RotateKubeletServerCertificate is true",
            false,
            K,
            "Checks that featureGates / --feature-gates does not set RotateKubeletServerCertificate=false (flags and file merge; flags win per gate).",
            "Serving certificates must be rotated before they expire or leak.",
            "Remove RotateKubeletServerCertificate=false from the feature gates.",
        ),
        run: feature_gate,
    },
    Check {
        meta: meta(
            "4.2.12",
            "Kubelet uses only strong cryptographic ciphers",
            false,
            K,
            "Checks that every suite in tlsCipherSuites / --tls-cipher-suites is an ECDHE AEAD suite.",
            "Weak suites allow downgrade and decryption of kubelet traffic (exec sessions, logs).",
            "Set tlsCipherSuites to TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 or a subset.",
        ),
        run: kubelet_ciphers,
    },
    Check {
        meta: meta(
            "4.2.13",
            "A limit is set on pod PIDs",
            false,
            K,
            "Checks podPidsLimit / --pod-max-pids (default -1: no limit).",
            "Without a limit one pod can exhaust the node's process table (fork bomb).",
            "Set podPidsLimit to a positive value such as 4096.",
        ),
        run: pod_pids,
    },
    Check {
        meta: meta(
            "4.2.14",
            "Kubelet --seccomp-default is true",
            false,
            K,
            "Checks seccompDefault / --seccomp-default (default false).",
            "Without it containers run Unconfined unless they ask for a profile, exposing every syscall.",
            "Set seccompDefault: true.",
        ),
        run: |c| bool_setting(c, "seccomp-default", true),
    },
    Check {
        meta: meta(
            "kw.protect-kernel-defaults",
            "Kubelet --protect-kernel-defaults is true (CIS v1.9 4.2.6)",
            false,
            K,
            "Checks protectKernelDefaults / --protect-kernel-defaults (default false). This was CIS 4.2.6 up to v1.9 and is kept as an additional hardening check.",
            "With it the kubelet refuses to run when kernel tunables differ from its expectations instead of silently changing them.",
            "Set protectKernelDefaults: true in the kubelet config after setting the kernel parameters it expects (vm.overcommit_memory=1, vm.panic_on_oom=0, kernel.panic=10, kernel.panic_on_oops=1), then restart the kubelet.",
        ),
        run: |c| bool_setting(c, "protect-kernel-defaults", true),
    },
];

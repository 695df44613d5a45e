//! The kubelet's effective settings: command-line flags override the `--config` file (as the
//! kubelet re-applies its flags over the loaded file), and defaults depend on whether a
//! configuration file is used at all (the `KubeletConfiguration` v1beta1 defaults are secure —
//! anonymous auth off, `Webhook` authorization, read-only port 0 — while the legacy flag
//! defaults are not: anonymous on, `AlwaysAllow`, read-only port 10255).
//!
//! ```
//! use kubeward_controlplane::kubelet::{KUBELET_SETTINGS, effective, SettingValue};
//! use kubeward_controlplane::flags::{parse, Dialect, KUBELET_FLAGS};
//! let cfg = kubeward_yaml::parse_str("kind: KubeletConfiguration\nreadOnlyPort: 0\n").documents.remove(0).root;
//! let flags = parse(&["--read-only-port=10255"], Dialect::Pflag, KUBELET_FLAGS);
//! let spec = KUBELET_SETTINGS.iter().find(|s| s.flag == "read-only-port").unwrap();
//! // The flag wins over the file:
//! assert_eq!(effective(spec, &flags, Some(&cfg)).value, SettingValue::Int(10255));
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use kubeward_yaml::{Node, Value};
use serde::Serialize;

use crate::error::LayoutError;
use crate::flags::ParsedFlags;

/// The type of a kubelet setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SettingType {
    /// Boolean.
    Bool,
    /// Integer.
    Int,
    /// String.
    Str,
    /// Go duration string.
    Duration,
    /// List of strings.
    List,
    /// `map[string]bool`.
    MapBool,
}

/// A kubelet setting reachable by flag and/or configuration-file field.
#[derive(Debug, Clone, Copy)]
pub struct SettingSpec {
    /// Flag name (without dashes).
    pub flag: &'static str,
    /// Dotted field path in `KubeletConfiguration` (empty when flag-only).
    pub config_path: &'static str,
    /// Type.
    pub ty: SettingType,
    /// Default when a configuration file is used (`None`: unset).
    pub default_with_config: Option<&'static str>,
    /// Default when only flags are used.
    pub default_flags_only: Option<&'static str>,
}

const fn s(
    flag: &'static str,
    config_path: &'static str,
    ty: SettingType,
    default_with_config: Option<&'static str>,
    default_flags_only: Option<&'static str>,
) -> SettingSpec {
    SettingSpec {
        flag,
        config_path,
        ty,
        default_with_config,
        default_flags_only,
    }
}

use SettingType as T;

/// The kubelet settings the CIS checks read.
pub const KUBELET_SETTINGS: &[SettingSpec] = &[
    s(
        "anonymous-auth",
        "authentication.anonymous.enabled",
        T::Bool,
        Some("false"),
        Some("true"),
    ),
    s(
        "authorization-mode",
        "authorization.mode",
        T::Str,
        Some("Webhook"),
        Some("AlwaysAllow"),
    ),
    s(
        "client-ca-file",
        "authentication.x509.clientCAFile",
        T::Str,
        None,
        None,
    ),
    s(
        "read-only-port",
        "readOnlyPort",
        T::Int,
        Some("0"),
        Some("10255"),
    ),
    s(
        "streaming-connection-idle-timeout",
        "streamingConnectionIdleTimeout",
        T::Duration,
        Some("4h0m0s"),
        Some("4h0m0s"),
    ),
    s(
        "protect-kernel-defaults",
        "protectKernelDefaults",
        T::Bool,
        Some("false"),
        Some("false"),
    ),
    s(
        "make-iptables-util-chains",
        "makeIPTablesUtilChains",
        T::Bool,
        Some("true"),
        Some("true"),
    ),
    s("hostname-override", "", T::Str, None, None),
    s(
        "event-qps",
        "eventRecordQPS",
        T::Int,
        Some("50"),
        Some("50"),
    ),
    s("tls-cert-file", "tlsCertFile", T::Str, None, None),
    s(
        "tls-private-key-file",
        "tlsPrivateKeyFile",
        T::Str,
        None,
        None,
    ),
    s(
        "rotate-certificates",
        "rotateCertificates",
        T::Bool,
        Some("false"),
        Some("false"),
    ),
    s(
        "rotate-server-certificates",
        "serverTLSBootstrap",
        T::Bool,
        Some("false"),
        Some("false"),
    ),
    s("feature-gates", "featureGates", T::MapBool, None, None),
    s("tls-cipher-suites", "tlsCipherSuites", T::List, None, None),
    s(
        "pod-max-pids",
        "podPidsLimit",
        T::Int,
        Some("-1"),
        Some("-1"),
    ),
    s(
        "seccomp-default",
        "seccompDefault",
        T::Bool,
        Some("false"),
        Some("false"),
    ),
];

/// A typed setting value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SettingValue {
    /// Not set anywhere and no default.
    Unset,
    /// Boolean.
    Bool(bool),
    /// Integer.
    Int(i64),
    /// String (durations keep their text).
    Str(String),
    /// List.
    List(Vec<String>),
    /// Map of booleans.
    MapBool(BTreeMap<String, bool>),
    /// The value has the wrong type or does not parse; the kubelet would refuse to start.
    Invalid(String),
}

/// Where an effective setting came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SettingSource {
    /// A command-line flag (index into the kubelet's argument list).
    Flag {
        /// The flag as written (`--read-only-port`).
        flag: String,
        /// Index in [`crate::layout::Kubelet::argv`].
        index: usize,
    },
    /// The configuration file.
    Config {
        /// Field path in the file.
        field_path: String,
    },
    /// Built-in default.
    Default {
        /// Whether the configuration-file defaults applied.
        with_config: bool,
    },
    /// Flag and file both contributed (feature gates merge).
    Merged,
}

/// An effective setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting {
    /// The value.
    pub value: SettingValue,
    /// Where it came from.
    pub source: SettingSource,
}

fn from_text(ty: SettingType, raw: &str) -> SettingValue {
    match ty {
        T::Bool => crate::flags::parse_go_bool(raw).map_or_else(
            || SettingValue::Invalid(format!("{raw:?} is not a boolean")),
            SettingValue::Bool,
        ),
        T::Int => raw.trim().parse().map_or_else(
            |_| SettingValue::Invalid(format!("{raw:?} is not an integer")),
            SettingValue::Int,
        ),
        T::Duration => match parse_go_duration(raw) {
            Some(_) => SettingValue::Str(raw.to_string()),
            None => SettingValue::Invalid(format!("{raw:?} is not a duration")),
        },
        T::Str => SettingValue::Str(raw.to_string()),
        T::List => SettingValue::List(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        T::MapBool => SettingValue::Invalid("map given as text".into()),
    }
}

fn from_node(ty: SettingType, n: &Node) -> SettingValue {
    let wrong = || {
        SettingValue::Invalid(format!(
            "expected {}, found {}",
            type_word(ty),
            n.type_name()
        ))
    };
    match ty {
        T::Bool => n.as_bool().map_or_else(wrong, SettingValue::Bool),
        T::Int => match n.value {
            Value::Int(i) => SettingValue::Int(i),
            _ => wrong(),
        },
        T::Str => n
            .as_str()
            .map_or_else(wrong, |s| SettingValue::Str(s.to_string())),
        T::Duration => match n.as_str() {
            Some(s) if parse_go_duration(s).is_some() => SettingValue::Str(s.to_string()),
            Some(s) => SettingValue::Invalid(format!("{s:?} is not a duration")),
            None => wrong(),
        },
        T::List => match n.as_seq() {
            Some(items) => {
                let strs: Option<Vec<String>> = items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect();
                strs.map_or_else(wrong, SettingValue::List)
            }
            None => wrong(),
        },
        T::MapBool => match n.as_map() {
            Some(_) => {
                let mut m = BTreeMap::new();
                for (k, v) in n.entries() {
                    match v.as_bool() {
                        Some(b) => {
                            m.insert(k.into_owned(), b);
                        }
                        None => {
                            return SettingValue::Invalid(format!(
                                "featureGates.{k}: expected boolean, found {}",
                                v.type_name()
                            ));
                        }
                    }
                }
                SettingValue::MapBool(m)
            }
            None => wrong(),
        },
    }
}

fn type_word(ty: SettingType) -> &'static str {
    match ty {
        T::Bool => "boolean",
        T::Int => "integer",
        T::Str => "string",
        T::Duration => "duration string",
        T::List => "sequence of strings",
        T::MapBool => "mapping of booleans",
    }
}

/// Computes the effective value of one setting: flag, else configuration file, else default.
#[must_use]
pub fn effective(spec: &SettingSpec, flags: &ParsedFlags, config: Option<&Node>) -> Setting {
    let flag_occ = flags.last(spec.flag);
    let cfg_node = if spec.config_path.is_empty() {
        None
    } else {
        config
            .and_then(|c| c.at_path(spec.config_path))
            .filter(|n| !n.is_null())
    };
    if spec.ty == T::MapBool {
        let (flag_map, bad) = flags.map_bool(spec.flag);
        if let Some(b) = bad.first() {
            return Setting {
                value: SettingValue::Invalid(format!(
                    "--{} entry {b:?} is not key=bool",
                    spec.flag
                )),
                source: SettingSource::Flag {
                    flag: format!("--{}", spec.flag),
                    index: flag_occ.map_or(0, |o| o.index),
                },
            };
        }
        let file_val = cfg_node.map(|n| from_node(spec.ty, n));
        return match (file_val, flag_occ) {
            (Some(SettingValue::MapBool(mut m)), Some(_)) => {
                m.extend(flag_map);
                Setting {
                    value: SettingValue::MapBool(m),
                    source: SettingSource::Merged,
                }
            }
            (Some(v), None) => Setting {
                value: v,
                source: SettingSource::Config {
                    field_path: spec.config_path.into(),
                },
            },
            (_, Some(o)) => Setting {
                value: SettingValue::MapBool(flag_map),
                source: SettingSource::Flag {
                    flag: format!("--{}", spec.flag),
                    index: o.index,
                },
            },
            (None, None) => Setting {
                value: SettingValue::MapBool(BTreeMap::new()),
                source: SettingSource::Default {
                    with_config: config.is_some(),
                },
            },
        };
    }
    if let Some(o) = flag_occ {
        let value = if spec.ty == T::List {
            SettingValue::List(flags.list(spec.flag).unwrap_or_default())
        } else {
            from_text(spec.ty, o.value.as_deref().unwrap_or("true"))
        };
        return Setting {
            value,
            source: SettingSource::Flag {
                flag: format!("--{}", spec.flag),
                index: o.index,
            },
        };
    }
    if let Some(n) = cfg_node {
        return Setting {
            value: from_node(spec.ty, n),
            source: SettingSource::Config {
                field_path: spec.config_path.into(),
            },
        };
    }
    let default = if config.is_some() {
        spec.default_with_config
    } else {
        spec.default_flags_only
    };
    Setting {
        value: default.map_or(SettingValue::Unset, |d| from_text(spec.ty, d)),
        source: SettingSource::Default {
            with_config: config.is_some(),
        },
    }
}

/// Parses a Go duration (`300ms`, `1h30m`, `0`), returning seconds.
///
/// ```
/// assert_eq!(kubeward_controlplane::kubelet::parse_go_duration("1h30m"), Some(5400.0));
/// assert_eq!(kubeward_controlplane::kubelet::parse_go_duration("0"), Some(0.0));
/// assert_eq!(kubeward_controlplane::kubelet::parse_go_duration("5"), None);
/// ```
#[must_use]
pub fn parse_go_duration(s: &str) -> Option<f64> {
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Some(0.0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0f64;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num: f64 = rest.get(..num_end)?.parse().ok()?;
        rest = rest.get(num_end..)?;
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = rest.get(..unit_end)?;
        rest = rest.get(unit_end..)?;
        let mult = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += num * mult;
    }
    Some(if neg { -total } else { total })
}

/// Top-level fields of `KubeletConfiguration` (kubelet.config.k8s.io/v1beta1).
const KNOWN_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "enableServer",
    "staticPodPath",
    "podLogsDir",
    "syncFrequency",
    "fileCheckFrequency",
    "httpCheckFrequency",
    "staticPodURL",
    "staticPodURLHeader",
    "address",
    "port",
    "readOnlyPort",
    "tlsCertFile",
    "tlsPrivateKeyFile",
    "tlsCipherSuites",
    "tlsMinVersion",
    "rotateCertificates",
    "serverTLSBootstrap",
    "authentication",
    "authorization",
    "registryPullQPS",
    "registryBurst",
    "imagePullCredentialsVerificationPolicy",
    "preloadedImagesVerificationAllowlist",
    "eventRecordQPS",
    "eventBurst",
    "enableDebuggingHandlers",
    "enableContentionProfiling",
    "healthzPort",
    "healthzBindAddress",
    "oomScoreAdj",
    "clusterDomain",
    "clusterDNS",
    "streamingConnectionIdleTimeout",
    "nodeStatusUpdateFrequency",
    "nodeStatusReportFrequency",
    "nodeLeaseDurationSeconds",
    "imageMinimumGCAge",
    "imageMaximumGCAge",
    "imageGCHighThresholdPercent",
    "imageGCLowThresholdPercent",
    "volumeStatsAggPeriod",
    "kubeletCgroups",
    "systemCgroups",
    "cgroupRoot",
    "cgroupsPerQOS",
    "cgroupDriver",
    "cpuManagerPolicy",
    "singleProcessOOMKill",
    "cpuManagerPolicyOptions",
    "cpuManagerReconcilePeriod",
    "memoryManagerPolicy",
    "topologyManagerPolicy",
    "topologyManagerScope",
    "topologyManagerPolicyOptions",
    "qosReserved",
    "runtimeRequestTimeout",
    "hairpinMode",
    "maxPods",
    "podCIDR",
    "podPidsLimit",
    "resolvConf",
    "runOnce",
    "cpuCFSQuota",
    "cpuCFSQuotaPeriod",
    "nodeStatusMaxImages",
    "maxOpenFiles",
    "contentType",
    "kubeAPIQPS",
    "kubeAPIBurst",
    "serializeImagePulls",
    "maxParallelImagePulls",
    "evictionHard",
    "evictionSoft",
    "evictionSoftGracePeriod",
    "evictionPressureTransitionPeriod",
    "evictionMaxPodGracePeriod",
    "evictionMinimumReclaim",
    "mergeDefaultEvictionSettings",
    "podsPerCore",
    "enableControllerAttachDetach",
    "protectKernelDefaults",
    "makeIPTablesUtilChains",
    "iptablesMasqueradeBit",
    "iptablesDropBit",
    "featureGates",
    "failSwapOn",
    "memorySwap",
    "containerLogMaxSize",
    "containerLogMaxFiles",
    "containerLogMaxWorkers",
    "containerLogMonitorInterval",
    "configMapAndSecretChangeDetectionStrategy",
    "systemReserved",
    "kubeReserved",
    "reservedSystemCPUs",
    "showHiddenMetricsForVersion",
    "systemReservedCgroup",
    "kubeReservedCgroup",
    "enforceNodeAllocatable",
    "allowedUnsafeSysctls",
    "volumePluginDir",
    "providerID",
    "kernelMemcgNotification",
    "logging",
    "enableSystemLogHandler",
    "enableSystemLogQuery",
    "shutdownGracePeriod",
    "shutdownGracePeriodCriticalPods",
    "shutdownGracePeriodByPodPriority",
    "crashLoopBackOff",
    "reservedMemory",
    "enableProfilingHandler",
    "enableDebugFlagsHandler",
    "seccompDefault",
    "memoryThrottlingFactor",
    "registerWithTaints",
    "registerNode",
    "tracing",
    "localStorageCapacityIsolation",
    "containerRuntimeEndpoint",
    "imageServiceEndpoint",
    "failCgroupV1",
    "userNamespaces",
];

/// Validates a kubelet configuration file: kind/apiVersion, unknown top-level fields (the
/// kubelet warns and ignores them) and the type of every field the checks read (a wrong type
/// makes the kubelet refuse the file).
#[must_use]
pub fn validate_config(root: &Node, path: &Path) -> Vec<LayoutError> {
    let mut out = Vec::new();
    let err = |field_path: &str, message: String| LayoutError::Invalid {
        path: path.to_path_buf(),
        field_path: field_path.to_string(),
        message,
    };
    match root.get("kind").and_then(Node::as_str) {
        Some("KubeletConfiguration") => {}
        other => out.push(err(
            "kind",
            format!("expected KubeletConfiguration, found {other:?}"),
        )),
    }
    match root.get("apiVersion").and_then(Node::as_str) {
        Some("kubelet.config.k8s.io/v1beta1" | "kubelet.config.k8s.io/v1") => {}
        other => out.push(err(
            "apiVersion",
            format!("unsupported apiVersion {other:?}"),
        )),
    }
    for (k, _) in root.entries() {
        if !KNOWN_FIELDS.contains(&k.as_ref()) {
            out.push(err(
                &k,
                "unknown field (the kubelet ignores it with a warning; a typo?)".into(),
            ));
        }
    }
    for spec in KUBELET_SETTINGS {
        if spec.config_path.is_empty() {
            continue;
        }
        if let Some(n) = root.at_path(spec.config_path).filter(|n| !n.is_null())
            && let SettingValue::Invalid(msg) = from_node(spec.ty, n)
        {
            out.push(err(
                spec.config_path,
                format!("{msg} (the kubelet rejects this file)"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::{Dialect, KUBELET_FLAGS, parse};

    fn cfg(text: &str) -> Node {
        kubeward_yaml::parse_str(text).documents.remove(0).root
    }

    fn spec(flag: &str) -> &'static SettingSpec {
        KUBELET_SETTINGS.iter().find(|s| s.flag == flag).unwrap()
    }

    #[test]
    fn defaults_depend_on_config_file() {
        let none = parse::<&str>(&[], Dialect::Pflag, KUBELET_FLAGS);
        assert_eq!(
            effective(spec("anonymous-auth"), &none, None).value,
            SettingValue::Bool(true)
        );
        let c = cfg("kind: KubeletConfiguration\n");
        assert_eq!(
            effective(spec("anonymous-auth"), &none, Some(&c)).value,
            SettingValue::Bool(false)
        );
        assert_eq!(
            effective(spec("read-only-port"), &none, None).value,
            SettingValue::Int(10255)
        );
    }

    #[test]
    fn flag_overrides_config() {
        let c = cfg("authentication:\n  anonymous:\n    enabled: false\n");
        let f = parse(&["--anonymous-auth=true"], Dialect::Pflag, KUBELET_FLAGS);
        let s = effective(spec("anonymous-auth"), &f, Some(&c));
        assert_eq!(s.value, SettingValue::Bool(true));
        assert!(matches!(s.source, SettingSource::Flag { .. }));
    }

    #[test]
    fn feature_gates_merge_flag_wins() {
        let c = cfg("featureGates:\n  RotateKubeletServerCertificate: true\n  A: true\n");
        let f = parse(
            &["--feature-gates=RotateKubeletServerCertificate=false"],
            Dialect::Pflag,
            KUBELET_FLAGS,
        );
        let s = effective(spec("feature-gates"), &f, Some(&c));
        let SettingValue::MapBool(m) = s.value else {
            panic!()
        };
        assert_eq!(m.get("RotateKubeletServerCertificate"), Some(&false));
        assert_eq!(m.get("A"), Some(&true));
    }

    #[test]
    fn wrong_types_and_unknown_fields() {
        let c = cfg(
            "kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\nreadOnlyPort: \"0\"\nprotectKernelDefault: true\nauthentication:\n  anonymous:\n    enabled: \"false\"\n",
        );
        let errs = validate_config(&c, Path::new("/var/lib/kubelet/config.yaml"));
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(errs.len(), 3, "{text:?}");
        assert!(
            text.iter()
                .any(|t| t.contains("protectKernelDefault") && t.contains("unknown"))
        );
        let none = parse::<&str>(&[], Dialect::Pflag, KUBELET_FLAGS);
        assert!(matches!(
            effective(spec("read-only-port"), &none, Some(&c)).value,
            SettingValue::Invalid(_)
        ));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_go_duration("4h0m0s"), Some(14400.0));
        assert_eq!(parse_go_duration("1.5s"), Some(1.5));
        assert_eq!(parse_go_duration("0s"), Some(0.0));
        assert_eq!(parse_go_duration("5 m"), None);
        assert_eq!(parse_go_duration("1d"), None);
        assert_eq!(parse_go_duration(""), None);
    }
}

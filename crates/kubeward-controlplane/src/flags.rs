//! Command-line flag parsing the way the Kubernetes components do it.
//!
//! The API server, controller manager, scheduler and kubelet parse their flags with
//! `spf13/pflag` ([`Dialect::Pflag`]); etcd uses Go's standard `flag` package
//! ([`Dialect::GoFlag`]). The differences that matter for an audit:
//!
//! - `--flag=value` and `--flag value` both set a value, but a **boolean** flag never takes the
//!   next argument: `--anonymous-auth false` sets `anonymous-auth` to `true` and leaves `false`
//!   as a stray positional argument (which the components then reject at start-up).
//! - Booleans accept Go's `strconv.ParseBool` spellings (`1`, `t`, `T`, `TRUE`, `true`, `True`,
//!   and the same for false); anything else is an error.
//! - A flag given twice: scalars keep the **last** value; string slices (`--enable-admission-plugins`,
//!   `--tls-cipher-suites`, ...) **accumulate** (the first occurrence replaces the default, later ones
//!   append, and each value is split on commas); string arrays accumulate without splitting;
//!   `--feature-gates` maps merge (`key=bool` pairs, later keys win).
//! - pflag normalises `_` to `-` in names (Kubernetes registers `WordSepNormalizeFunc`) and stops at
//!   `--`; Go's `flag` stops at the first non-flag argument and accepts one or two dashes.
//!
//! ```
//! use kubeward_controlplane::flags::{parse, Dialect, KUBE_APISERVER_FLAGS};
//! let args = ["kube-apiserver", "--anonymous-auth", "false", "--enable-admission-plugins=NodeRestriction",
//!             "--enable-admission-plugins", "EventRateLimit,AlwaysPullImages"];
//! let flags = parse(&args[1..], Dialect::Pflag, KUBE_APISERVER_FLAGS);
//! // `false` was not consumed by the boolean flag:
//! assert_eq!(flags.bool("anonymous-auth"), Some(Ok(true)));
//! assert_eq!(flags.positionals.len(), 1);
//! assert_eq!(flags.list("enable-admission-plugins").unwrap(),
//!            vec!["NodeRestriction", "EventRateLimit", "AlwaysPullImages"]);
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

/// Which flag library a component uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Dialect {
    /// `spf13/pflag` (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet).
    Pflag,
    /// Go's standard `flag` package (etcd).
    GoFlag,
}

/// How a flag's value is parsed and how repeated occurrences combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FlagKind {
    /// A boolean: `--flag` alone means true; never consumes the next argument.
    Bool,
    /// A single value; the last occurrence wins.
    Scalar,
    /// pflag `StringSlice`: comma-split, occurrences accumulate.
    StringSlice,
    /// pflag `StringArray`: occurrences accumulate, no comma splitting.
    StringArray,
    /// `map[string]bool` such as `--feature-gates`: comma-split `key=bool`, occurrences merge.
    MapStringBool,
}

/// A table of the flags whose kind is not [`FlagKind::Scalar`]; unknown flags are scalars.
pub type FlagTable = &'static [(&'static str, FlagKind)];

use FlagKind::{Bool as B, MapStringBool as M, StringArray as A, StringSlice as S};

/// Non-scalar flags of kube-apiserver that the checks read or that change argument parsing.
pub const KUBE_APISERVER_FLAGS: FlagTable = &[
    ("allow-privileged", B),
    ("anonymous-auth", B),
    ("audit-log-compress", B),
    ("contention-profiling", B),
    ("enable-aggregator-routing", B),
    ("enable-bootstrap-token-auth", B),
    ("enable-garbage-collector", B),
    ("enable-logs-handler", B),
    ("enable-priority-and-fairness", B),
    ("endpoint-reconciler-type-none", B),
    ("profiling", B),
    ("service-account-lookup", B),
    ("service-account-extend-token-expiration", B),
    ("storage-media-type-none", B),
    ("strict-transport-security-directives", S),
    ("version", B),
    ("watch-cache", B),
    ("log-flush-frequency-none", B),
    ("logtostderr", B),
    ("alsologtostderr", B),
    ("add-dir-header", B),
    ("skip-headers", B),
    ("skip-log-headers", B),
    ("one-output", B),
    ("admission-control", S),
    ("api-audiences", S),
    ("authorization-mode", S),
    ("cors-allowed-origins", S),
    ("disable-admission-plugins", S),
    ("enable-admission-plugins", S),
    ("etcd-servers", S),
    ("etcd-servers-overrides", S),
    ("kubelet-preferred-address-types", S),
    ("requestheader-allowed-names", S),
    ("requestheader-extra-headers-prefix", S),
    ("requestheader-group-headers", S),
    ("requestheader-uid-headers", S),
    ("requestheader-username-headers", S),
    ("tls-cipher-suites", S),
    ("service-account-issuer", A),
    ("service-account-key-file", A),
    ("tls-sni-cert-key", A),
    ("feature-gates", M),
];

/// Non-scalar flags of kube-controller-manager.
pub const KUBE_CONTROLLER_MANAGER_FLAGS: FlagTable = &[
    ("allocate-node-cidrs", B),
    ("configure-cloud-routes", B),
    ("contention-profiling", B),
    ("enable-dynamic-provisioning", B),
    ("enable-garbage-collector", B),
    ("enable-hostpath-provisioner", B),
    ("enable-taint-manager", B),
    ("leader-elect", B),
    ("profiling", B),
    ("use-service-account-credentials", B),
    ("authentication-skip-lookup", B),
    ("authentication-tolerate-lookup-failure", B),
    ("logtostderr", B),
    ("alsologtostderr", B),
    ("version", B),
    ("controllers", S),
    ("authorization-always-allow-paths", S),
    ("tls-cipher-suites", S),
    ("requestheader-allowed-names", S),
    ("tls-sni-cert-key", A),
    ("feature-gates", M),
];

/// Non-scalar flags of kube-scheduler.
pub const KUBE_SCHEDULER_FLAGS: FlagTable = &[
    ("contention-profiling", B),
    ("leader-elect", B),
    ("profiling", B),
    ("authentication-skip-lookup", B),
    ("authentication-tolerate-lookup-failure", B),
    ("logtostderr", B),
    ("alsologtostderr", B),
    ("version", B),
    ("authorization-always-allow-paths", S),
    ("tls-cipher-suites", S),
    ("requestheader-allowed-names", S),
    ("tls-sni-cert-key", A),
    ("feature-gates", M),
];

/// Non-scalar flags of the kubelet.
pub const KUBELET_FLAGS: FlagTable = &[
    ("anonymous-auth", B),
    ("authentication-token-webhook", B),
    ("cgroups-per-qos", B),
    ("enable-controller-attach-detach", B),
    ("enable-debugging-handlers", B),
    ("enable-server", B),
    ("exit-on-lock-contention", B),
    ("fail-swap-on", B),
    ("kernel-memcg-notification", B),
    ("keep-terminated-pod-volumes", B),
    ("local-storage-capacity-isolation", B),
    ("make-iptables-util-chains", B),
    ("protect-kernel-defaults", B),
    ("register-node", B),
    ("register-schedulable", B),
    ("rotate-certificates", B),
    ("rotate-server-certificates", B),
    ("run-once", B),
    ("seccomp-default", B),
    ("serialize-image-pulls", B),
    ("cpu-cfs-quota", B),
    ("logtostderr", B),
    ("alsologtostderr", B),
    ("version", B),
    ("tls-cipher-suites", S),
    ("enforce-node-allocatable", S),
    ("cluster-dns", S),
    ("node-ip", S),
    ("feature-gates", M),
];

/// Flags of etcd (Go `flag`; every etcd boolean listed so parsing stays exact).
pub const ETCD_FLAGS: FlagTable = &[
    ("auto-tls", B),
    ("client-cert-auth", B),
    ("peer-auto-tls", B),
    ("peer-client-cert-auth", B),
    ("enable-pprof", B),
    ("enable-v2", B),
    ("debug", B),
    ("force-new-cluster", B),
    ("strict-reconfig-check", B),
    ("pre-vote", B),
    ("experimental-initial-corrupt-check", B),
    ("experimental-enable-distributed-tracing", B),
    ("logger-to-stderr", B),
    ("version", B),
    ("enable-grpc-gateway", B),
    ("experimental-peer-skip-client-san-verification", B),
    ("peer-skip-client-san-verification", B),
    ("socket-reuse-address", B),
    ("socket-reuse-port", B),
    ("unsafe-no-fsync", B),
];

/// One occurrence of a flag on a command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagOccurrence {
    /// Normalised name without dashes (`anonymous-auth`).
    pub name: String,
    /// The value as given (`None` for a bare boolean flag, meaning `true`).
    pub value: Option<String>,
    /// Index of the argument that named the flag (in the argument list given to [`parse`]).
    pub index: usize,
}

/// A problem found while parsing arguments (the component would also reject or misread them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagProblem {
    /// Index of the offending argument.
    pub index: usize,
    /// What is wrong.
    pub message: String,
}

/// The parsed command line of one component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedFlags {
    /// The flag library that was emulated.
    pub dialect: Dialect,
    /// Every flag occurrence, in order.
    pub occurrences: Vec<FlagOccurrence>,
    /// Arguments that are not flags, with their indexes (components reject these at start-up).
    pub positionals: Vec<(usize, String)>,
    /// Malformed arguments and flags needing a value that had none.
    pub problems: Vec<FlagProblem>,
    #[serde(skip)]
    table: FlagTable,
}

/// Go's `strconv.ParseBool`.
///
/// ```
/// assert_eq!(kubeward_controlplane::flags::parse_go_bool("T"), Some(true));
/// assert_eq!(kubeward_controlplane::flags::parse_go_bool("yes"), None);
/// ```
#[must_use]
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The kind of `name` in `table` ([`FlagKind::Scalar`] when unlisted).
#[must_use]
pub fn kind_of(table: FlagTable, name: &str) -> FlagKind {
    table
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(FlagKind::Scalar, |(_, k)| *k)
}

fn normalize(dialect: Dialect, name: &str) -> String {
    match dialect {
        Dialect::Pflag => name.replace('_', "-"),
        Dialect::GoFlag => name.to_string(),
    }
}

/// Parses `args` (without the program name) like the component's flag library would.
#[must_use]
pub fn parse<S: AsRef<str>>(args: &[S], dialect: Dialect, table: FlagTable) -> ParsedFlags {
    let mut out = ParsedFlags {
        dialect,
        occurrences: Vec::new(),
        positionals: Vec::new(),
        problems: Vec::new(),
        table,
    };
    let mut i = 0usize;
    let mut only_positionals = false;
    while let Some(arg) = args.get(i) {
        let arg = arg.as_ref();
        let index = i;
        i += 1;
        if only_positionals {
            out.positionals.push((index, arg.to_string()));
            continue;
        }
        if arg == "--" {
            only_positionals = true;
            continue;
        }
        let body = match dialect {
            Dialect::Pflag => arg.strip_prefix("--"),
            Dialect::GoFlag => arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')),
        };
        let body = match body {
            Some(b) if !b.is_empty() => b,
            _ => {
                if dialect == Dialect::Pflag
                    && arg.len() > 1
                    && arg.starts_with('-')
                    && !arg.starts_with("--")
                {
                    // Shorthand flags (`-v=2`): the control-plane components only register
                    // logging shorthands; keep them as opaque occurrences.
                    let short = arg.get(1..).unwrap_or("");
                    let (name, value) = match short.split_once('=') {
                        Some((n, v)) => (n, Some(v.to_string())),
                        // klog's `-v` is an integer shorthand: `-v 2` and `-v2` both set it.
                        None if short == "v" => {
                            let next = args.get(i).map(|a| a.as_ref().to_string());
                            if next.is_some() {
                                i += 1;
                            }
                            ("v", next)
                        }
                        None if short.starts_with('v') && short.len() > 1 => {
                            ("v", short.get(1..).map(str::to_string))
                        }
                        None => (short, None),
                    };
                    out.occurrences.push(FlagOccurrence {
                        name: name.to_string(),
                        value,
                        index,
                    });
                    continue;
                }
                out.positionals.push((index, arg.to_string()));
                if dialect == Dialect::GoFlag {
                    only_positionals = true;
                }
                continue;
            }
        };
        if body.starts_with('-') || body.starts_with('=') {
            out.problems.push(FlagProblem {
                index,
                message: format!("bad flag syntax: {arg}"),
            });
            continue;
        }
        let (raw_name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let name = normalize(dialect, raw_name);
        let kind = kind_of(table, &name);
        let value = match (inline, kind) {
            (Some(v), _) => Some(v),
            (None, FlagKind::Bool) => None,
            (None, _) => {
                if let Some(next) = args.get(i) {
                    i += 1;
                    Some(next.as_ref().to_string())
                } else {
                    out.problems.push(FlagProblem {
                        index,
                        message: format!("flag needs an argument: --{name}"),
                    });
                    continue;
                }
            }
        };
        if kind == FlagKind::Bool
            && let Some(v) = &value
            && parse_go_bool(v).is_none()
        {
            out.problems.push(FlagProblem {
                index,
                message: format!("invalid boolean value {v:?} for --{name}"),
            });
        }
        out.occurrences.push(FlagOccurrence { name, value, index });
    }
    out
}

fn split_csv(value: &str) -> Vec<String> {
    // pflag reads slice values with encoding/csv: fields split on commas, double quotes
    // group a field. An empty value is an empty list.
    if value.is_empty() {
        return Vec::new();
    }
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

impl ParsedFlags {
    /// Occurrences of `name`, in order.
    pub fn all<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a FlagOccurrence> + use<'a, 'n> {
        self.occurrences.iter().filter(move |o| o.name == name)
    }

    /// Whether `name` was given at all.
    #[must_use]
    pub fn is_set(&self, name: &str) -> bool {
        self.all(name).next().is_some()
    }

    /// The last occurrence of `name` (the effective one for scalars and booleans).
    #[must_use]
    pub fn last(&self, name: &str) -> Option<&FlagOccurrence> {
        self.all(name).last()
    }

    /// The kind of `name` in this component's table.
    #[must_use]
    pub fn kind(&self, name: &str) -> FlagKind {
        kind_of(self.table, name)
    }

    /// The effective scalar value of `name` (last occurrence; a bare boolean reads `"true"`).
    #[must_use]
    pub fn value(&self, name: &str) -> Option<String> {
        self.last(name)
            .map(|o| o.value.clone().unwrap_or_else(|| "true".to_string()))
    }

    /// The effective boolean value: `Some(Err(raw))` when the value is not a Go boolean.
    #[must_use]
    pub fn bool(&self, name: &str) -> Option<Result<bool, String>> {
        self.last(name).map(|o| match &o.value {
            None => Ok(true),
            Some(v) => parse_go_bool(v).ok_or_else(|| v.clone()),
        })
    }

    /// The effective list value of `name` according to its kind: string slices and arrays
    /// accumulate over occurrences, scalars take the last occurrence split on commas.
    #[must_use]
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        if !self.is_set(name) {
            return None;
        }
        let values = self
            .all(name)
            .map(|o| o.value.clone().unwrap_or_else(|| "true".to_string()));
        Some(match self.kind(name) {
            FlagKind::StringSlice => values.flat_map(|v| split_csv(&v)).collect(),
            FlagKind::StringArray => values.collect(),
            FlagKind::Scalar | FlagKind::Bool | FlagKind::MapStringBool => {
                values.last().map(|v| split_csv(&v)).unwrap_or_default()
            }
        })
    }

    /// The effective `map[string]bool` value (for `--feature-gates`): occurrences merge, later
    /// keys win. Entries that do not parse are returned in the error list.
    #[must_use]
    pub fn map_bool(&self, name: &str) -> (BTreeMap<String, bool>, Vec<String>) {
        let mut map = BTreeMap::new();
        let mut bad = Vec::new();
        for occ in self.all(name) {
            for entry in split_csv(occ.value.as_deref().unwrap_or("")) {
                let entry = entry.trim();
                if entry.is_empty() {
                    continue;
                }
                match entry.split_once('=') {
                    Some((k, v)) => match parse_go_bool(v.trim()) {
                        Some(b) => {
                            map.insert(k.trim().to_string(), b);
                        }
                        None => bad.push(entry.to_string()),
                    },
                    None => bad.push(entry.to_string()),
                }
            }
        }
        (map, bad)
    }

    /// Scalar flags given more than once with different values: `(name, values in order)`.
    /// The component silently uses the last one, which is easy to miss when reviewing a file.
    #[must_use]
    pub fn conflicts(&self) -> Vec<(String, Vec<String>)> {
        let mut by_name: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for o in &self.occurrences {
            if matches!(self.kind(&o.name), FlagKind::Scalar | FlagKind::Bool) {
                by_name
                    .entry(&o.name)
                    .or_default()
                    .push(o.value.clone().unwrap_or_else(|| "true".to_string()));
            }
        }
        by_name
            .into_iter()
            .filter(|(_, vals)| vals.len() > 1 && vals.iter().any(|v| Some(v) != vals.first()))
            .map(|(n, v)| (n.to_string(), v))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> ParsedFlags {
        parse(args, Dialect::Pflag, KUBE_APISERVER_FLAGS)
    }

    #[test]
    fn equals_and_space_forms() {
        let f = p(&[
            "--audit-log-path=/var/log/a.log",
            "--audit-log-maxage",
            "30",
        ]);
        assert_eq!(f.value("audit-log-path").as_deref(), Some("/var/log/a.log"));
        assert_eq!(f.value("audit-log-maxage").as_deref(), Some("30"));
        assert!(f.positionals.is_empty());
    }

    #[test]
    fn booleans() {
        let f = p(&[
            "--profiling",
            "--anonymous-auth=false",
            "--service-account-lookup=T",
        ]);
        assert_eq!(f.bool("profiling"), Some(Ok(true)));
        assert_eq!(f.bool("anonymous-auth"), Some(Ok(false)));
        assert_eq!(f.bool("service-account-lookup"), Some(Ok(true)));
        let f = p(&["--profiling=no"]);
        assert_eq!(f.bool("profiling"), Some(Err("no".into())));
        assert_eq!(f.problems.len(), 1);
    }

    #[test]
    fn bool_does_not_consume_next() {
        let f = p(&["--profiling", "false", "--x=1"]);
        assert_eq!(f.bool("profiling"), Some(Ok(true)));
        assert_eq!(f.positionals, vec![(1, "false".to_string())]);
    }

    #[test]
    fn scalar_consumes_next_even_if_dashed() {
        // pflag takes the next argument as the value whatever it looks like.
        let f = p(&["--token-auth-file", "--profiling=false"]);
        assert_eq!(
            f.value("token-auth-file").as_deref(),
            Some("--profiling=false")
        );
        assert!(!f.is_set("profiling"));
    }

    #[test]
    fn repeated_scalar_last_wins_and_conflict_reported() {
        let f = p(&[
            "--audit-log-maxage=30",
            "--audit-log-maxage=5",
            "--profiling=false",
            "--profiling=false",
        ]);
        assert_eq!(f.value("audit-log-maxage").as_deref(), Some("5"));
        assert_eq!(
            f.conflicts(),
            vec![(
                "audit-log-maxage".to_string(),
                vec!["30".into(), "5".into()]
            )]
        );
    }

    #[test]
    fn slices_accumulate_arrays_do_not_split() {
        let f = p(&[
            "--authorization-mode=Node",
            "--authorization-mode=RBAC,Webhook",
            "--service-account-key-file=/a,b",
            "--service-account-key-file=/c",
        ]);
        assert_eq!(
            f.list("authorization-mode").unwrap(),
            vec!["Node", "RBAC", "Webhook"]
        );
        assert_eq!(
            f.list("service-account-key-file").unwrap(),
            vec!["/a,b", "/c"]
        );
        assert!(f.conflicts().is_empty());
    }

    #[test]
    fn csv_quotes_and_empty() {
        assert_eq!(split_csv(r#"a,"b,c",d"#), vec!["a", "b,c", "d"]);
        assert!(split_csv("").is_empty());
    }

    #[test]
    fn feature_gates_merge() {
        let f = p(&[
            "--feature-gates=A=true,RotateKubeletServerCertificate=false",
            "--feature-gates=RotateKubeletServerCertificate=true,Bad",
        ]);
        let (m, bad) = f.map_bool("feature-gates");
        assert_eq!(m.get("RotateKubeletServerCertificate"), Some(&true));
        assert_eq!(m.get("A"), Some(&true));
        assert_eq!(bad, vec!["Bad"]);
    }

    #[test]
    fn underscore_normalised_and_double_dash_terminates() {
        let f = p(&["--anonymous_auth=false", "--", "--profiling"]);
        assert_eq!(f.bool("anonymous-auth"), Some(Ok(false)));
        assert!(!f.is_set("profiling"));
        assert_eq!(f.positionals, vec![(2, "--profiling".to_string())]);
    }

    #[test]
    fn klog_verbosity_shorthand() {
        let f = p(&["-v", "2", "-v3", "-v=4", "--profiling=false"]);
        assert!(f.positionals.is_empty(), "{:?}", f.positionals);
        assert_eq!(f.value("v").as_deref(), Some("4"));
        assert_eq!(f.bool("profiling"), Some(Ok(false)));
    }

    #[test]
    fn missing_value_and_bad_syntax() {
        let f = p(&["---x", "--=y", "--audit-log-path"]);
        assert_eq!(f.problems.len(), 3);
    }

    #[test]
    fn goflag_single_dash_and_stop_at_positional() {
        let f = parse(
            &[
                "-client-cert-auth",
                "--cert-file",
                "/c.pem",
                "stray",
                "--auto-tls",
            ],
            Dialect::GoFlag,
            ETCD_FLAGS,
        );
        assert_eq!(f.bool("client-cert-auth"), Some(Ok(true)));
        assert_eq!(f.value("cert-file").as_deref(), Some("/c.pem"));
        assert!(!f.is_set("auto-tls"));
        assert_eq!(f.positionals.len(), 2);
    }

    #[test]
    fn goflag_does_not_normalise_underscores() {
        let f = parse(&["--client_cert_auth"], Dialect::GoFlag, ETCD_FLAGS);
        assert!(!f.is_set("client-cert-auth"));
    }
}

//! Property tests over generated pods.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kubeward_pss::{Level, MAX_POLICY_MINOR, PodInput, Version, evaluate};
use kubeward_source::Span;
use kubeward_yaml::{Node, Value};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

fn node(value: Value) -> Node {
    Node::new(value, Span::default())
}
fn s(v: &str) -> Node {
    node(Value::Str(v.to_string()))
}
fn map(entries: Vec<(&str, Node)>) -> Node {
    node(Value::Map(
        entries.into_iter().map(|(k, v)| (s(k), v)).collect(),
    ))
}
fn seq(items: Vec<Node>) -> Node {
    node(Value::Seq(items))
}
fn strs(items: &[&str]) -> Node {
    seq(items.iter().map(|i| s(i)).collect())
}

/// Adds `key: value` to `entries` when `value` is `Some`.
fn opt(entries: &mut Vec<(&'static str, Node)>, key: &'static str, value: Option<Node>) {
    if let Some(v) = value {
        entries.push((key, v));
    }
}

fn bool_node() -> impl Strategy<Value = Node> {
    prop_oneof![
        Just(node(Value::Bool(true))),
        Just(node(Value::Bool(false))),
        Just(node(Value::Null))
    ]
}

fn profile(types: &'static [&'static str]) -> impl Strategy<Value = Node> {
    select(types).prop_map(|t| map(vec![("type", s(t))]))
}

fn security_context() -> impl Strategy<Value = Node> {
    (
        (
            prop::option::of(bool_node()),
            prop::option::of(bool_node()),
            prop::option::of(bool_node()),
            prop::option::of(select(&[0_i64, 1000][..])),
            prop::option::of(select(&["Default", "Unmasked"][..])),
        ),
        (
            prop::option::of((
                subsequence(
                    &["NET_BIND_SERVICE", "CHOWN", "SYS_ADMIN", "NET_RAW"][..],
                    0..=2,
                ),
                subsequence(&["ALL", "NET_RAW"][..], 0..=2),
            )),
            prop::option::of(profile(&["RuntimeDefault", "Localhost", "Unconfined", ""])),
            prop::option::of(profile(&["RuntimeDefault", "Localhost", "Unconfined"])),
            prop::option::of(select(
                &["container_t", "container_engine_t", "spc_t", ""][..],
            )),
            prop::option::of(bool_node()),
        ),
    )
        .prop_map(
            |(
                (privileged, ape, non_root, user, proc_mount),
                (caps, seccomp, apparmor, selinux, host_process),
            )| {
                let mut e = Vec::new();
                opt(&mut e, "privileged", privileged);
                opt(&mut e, "allowPrivilegeEscalation", ape);
                opt(&mut e, "runAsNonRoot", non_root);
                opt(&mut e, "runAsUser", user.map(|u| node(Value::Int(u))));
                opt(&mut e, "procMount", proc_mount.map(s));
                opt(
                    &mut e,
                    "capabilities",
                    caps.map(|(add, drop)| map(vec![("add", strs(&add)), ("drop", strs(&drop))])),
                );
                opt(&mut e, "seccompProfile", seccomp);
                opt(&mut e, "appArmorProfile", apparmor);
                opt(
                    &mut e,
                    "seLinuxOptions",
                    selinux.map(|t| map(vec![("type", s(t))])),
                );
                opt(
                    &mut e,
                    "windowsOptions",
                    host_process.map(|h| map(vec![("hostProcess", h)])),
                );
                map(e)
            },
        )
}

fn container() -> impl Strategy<Value = Node> {
    (
        select(&["a", "b", "c"][..]),
        prop::option::of(security_context()),
        prop::option::of(select(&[0_i64, 80][..])),
        prop::option::of(select(&["", "localhost"][..])),
    )
        .prop_map(|(name, sc, host_port, probe_host)| {
            let mut e = vec![("name", s(name)), ("image", s("img"))];
            opt(&mut e, "securityContext", sc);
            opt(
                &mut e,
                "ports",
                host_port.map(|p| {
                    seq(vec![map(vec![
                        ("containerPort", node(Value::Int(8080))),
                        ("hostPort", node(Value::Int(p))),
                    ])])
                }),
            );
            opt(
                &mut e,
                "livenessProbe",
                probe_host.map(|h| {
                    map(vec![(
                        "httpGet",
                        map(vec![("host", s(h)), ("port", node(Value::Int(80)))]),
                    )])
                }),
            );
            map(e)
        })
}

fn pod() -> impl Strategy<Value = (Option<Node>, Node)> {
    (
        (
            prop::option::of(bool_node()),
            prop::option::of(bool_node()),
            prop::option::of(bool_node()),
            prop::option::of(select(&["windows", "linux"][..])),
        ),
        (
            prop::option::of(bool_node()),
            prop::option::of(select(&[0_i64, 1000][..])),
            prop::option::of(profile(&["RuntimeDefault", "Unconfined"])),
            subsequence(
                &[
                    "kernel.shm_rmid_forced",
                    "net.ipv4.tcp_rmem",
                    "net.core.somaxconn",
                ][..],
                0..=2,
            ),
            subsequence(&["emptyDir", "hostPath", "nfs", "configMap"][..], 0..=2),
            prop::option::of(select(&["runtime/default", "unconfined"][..])),
        ),
        (
            prop::collection::vec(container(), 0..=1),
            prop::collection::vec(container(), 1..=3),
            prop::collection::vec(container(), 0..=1),
        ),
    )
        .prop_map(
            |(
                (net, pid, host_users, os),
                (non_root, user, seccomp, sysctls, volumes, apparmor),
                (init, regular, ephemeral),
            )| {
                let mut e = Vec::new();
                opt(&mut e, "hostNetwork", net);
                opt(&mut e, "hostPID", pid);
                opt(&mut e, "hostUsers", host_users);
                opt(&mut e, "os", os.map(|o| map(vec![("name", s(o))])));
                let mut sc = Vec::new();
                opt(&mut sc, "runAsNonRoot", non_root);
                opt(&mut sc, "runAsUser", user.map(|u| node(Value::Int(u))));
                opt(&mut sc, "seccompProfile", seccomp);
                sc.push((
                    "sysctls",
                    seq(sysctls
                        .iter()
                        .map(|n| map(vec![("name", s(n)), ("value", s("1"))]))
                        .collect()),
                ));
                e.push(("securityContext", map(sc)));
                e.push((
                    "volumes",
                    seq(volumes
                        .iter()
                        .enumerate()
                        .map(|(i, t)| {
                            map(vec![
                                ("name", s(&format!("v{i}"))),
                                (t, map(vec![("path", s("/"))])),
                            ])
                        })
                        .collect()),
                ));
                e.push(("initContainers", seq(init)));
                e.push(("containers", seq(regular)));
                e.push(("ephemeralContainers", seq(ephemeral)));
                let metadata = apparmor.map(|a| {
                    map(vec![(
                        "annotations",
                        map(vec![(
                            "container.apparmor.security.beta.kubernetes.io/a",
                            s(a),
                        )]),
                    )])
                });
                (metadata, map(e))
            },
        )
}

fn versions() -> Vec<Version> {
    let mut v: Vec<Version> = (0..=MAX_POLICY_MINOR + 1).map(Version::v1).collect();
    v.push(Version::Latest);
    v
}

/// API validation rejects Linux-only security fields on `os.name: windows` pods; for such
/// (never admitted) pods upstream's Windows exemptions make restricted weaker than baseline.
fn windows_with_linux_only_fields(spec: &Node) -> bool {
    if spec.at_path("os.name").and_then(Node::as_str) != Some("windows") {
        return false;
    }
    let pod_seccomp = spec.at_path("securityContext.seccompProfile").is_some();
    let container_fields = ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .any(|k| {
            spec.get(k).into_iter().flat_map(Node::items).any(|c| {
                c.at_path("securityContext.capabilities").is_some()
                    || c.at_path("securityContext.seccompProfile").is_some()
            })
        });
    pod_seccomp || container_fields
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn restricted_allowed_implies_baseline_allowed((metadata, spec) in pod()) {
        prop_assume!(!windows_with_linux_only_fields(&spec));
        let input = PodInput { metadata: metadata.as_ref(), spec: &spec };
        for version in versions() {
            let restricted = evaluate(input, Level::Restricted, version);
            let baseline = evaluate(input, Level::Baseline, version);
            if restricted.allowed {
                prop_assert!(baseline.allowed, "{version}: {:?}", baseline.violations);
            }
            // Every baseline failure shows up at restricted too, possibly as the restricted check
            // that overrides the baseline one.
            for v in &baseline.violations {
                let overriding = match v.check {
                    "hostPathVolumes" => "restrictedVolumes",
                    "capabilities_baseline" => "capabilities_restricted",
                    "seccompProfile_baseline" => "seccompProfile_restricted",
                    "procMount" => "procMount_restricted",
                    other => other,
                };
                prop_assert!(
                    restricted.violations.iter().any(|r| r.check == v.check || r.check == overriding),
                    "{version}: baseline {} missing at restricted: {:?}", v.check, restricted.violations
                );
            }
        }
    }

    #[test]
    fn privileged_allows_everything((metadata, spec) in pod()) {
        let input = PodInput { metadata: metadata.as_ref(), spec: &spec };
        for version in versions() {
            let e = evaluate(input, Level::Privileged, version);
            prop_assert!(e.allowed);
            prop_assert!(e.violations.is_empty());
        }
    }

    #[test]
    fn violations_are_well_formed((metadata, spec) in pod()) {
        let input = PodInput { metadata: metadata.as_ref(), spec: &spec };
        for level in [Level::Baseline, Level::Restricted] {
            let e = evaluate(input, level, Version::Latest);
            prop_assert!(e.malformed.is_empty());
            prop_assert_eq!(e.allowed, e.violations.is_empty());
            for v in &e.violations {
                prop_assert!(!v.reason.is_empty());
                prop_assert!(!v.paths.is_empty(), "{}", v.check);
                prop_assert!(kubeward_pss::check_info(v.check).is_some());
            }
        }
    }
}

/// Arbitrary trees over the field names the checks read, with values of every type.
fn arbitrary_node() -> impl Strategy<Value = Node> {
    const KEYS: &[&str] = &[
        "spec",
        "containers",
        "initContainers",
        "ephemeralContainers",
        "securityContext",
        "name",
        "privileged",
        "capabilities",
        "add",
        "drop",
        "runAsUser",
        "runAsNonRoot",
        "seccompProfile",
        "type",
        "hostPort",
        "ports",
        "volumes",
        "hostPath",
        "sysctls",
        "livenessProbe",
        "httpGet",
        "host",
        "lifecycle",
        "preStop",
        "os",
        "hostUsers",
        "hostNetwork",
        "annotations",
        "seLinuxOptions",
        "windowsOptions",
        "hostProcess",
        "procMount",
        "appArmorProfile",
    ];
    let leaf = prop_oneof![
        Just(node(Value::Null)),
        any::<bool>().prop_map(|b| node(Value::Bool(b))),
        any::<i64>().prop_map(|i| node(Value::Int(i))),
        any::<f64>().prop_map(|f| node(Value::Float(f))),
        "[a-zA-Z\"\\\\/ ]{0,6}".prop_map(|t| node(Value::Str(t))),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(seq),
            prop::collection::vec((select(KEYS), inner), 0..6).prop_map(|e| map(e)),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn never_panics_on_arbitrary_input(meta in arbitrary_node(), spec in arbitrary_node()) {
        for version in [Version::v1(0), Version::v1(18), Version::v1(25), Version::Latest] {
            for level in [Level::Baseline, Level::Restricted] {
                let e = evaluate(PodInput { metadata: Some(&meta), spec: &spec }, level, version);
                let _ = kubeward_pss::forbidden_message(&e);
            }
        }
    }
}

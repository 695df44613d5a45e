//! Unit tests of the evaluation against upstream's own test expectations.

use super::*;

fn eval_yaml(yaml: &str, level: Level, version: Version) -> Evaluation {
    let parsed = kubeward_yaml::parse_str(yaml);
    let root = &parsed.documents[0].root;
    let spec = root.get("spec").unwrap(); // ok: unit-test module (declared under #[cfg(test)] in lib.rs)
    evaluate(
        PodInput {
            metadata: root.get("metadata"),
            spec,
        },
        level,
        version,
    )
}

fn only(eval: &Evaluation, check: &str) -> Violation {
    let v: Vec<_> = eval
        .violations
        .iter()
        .filter(|v| v.check == check)
        .collect();
    assert_eq!(v.len(), 1, "{check}: {eval:#?}");
    v[0].clone()
}

#[test]
fn catalogue_matches_registry() {
    let ids: Vec<_> = checks().iter().map(|c| c.id).collect();
    let mut registry: Vec<_> = checks::CHECKS.iter().map(|c| (c.level, c.id)).collect();
    registry.sort();
    let expected: Vec<_> = registry.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids, expected);
    for info in checks() {
        let def = checks::CHECKS.iter().find(|d| d.id == info.id).unwrap(); // ok: unit-test module (declared under #[cfg(test)] in lib.rs)
        assert_eq!(info.level, def.level);
        let mins: Vec<_> = def.versions.iter().map(|v| v.min_minor).collect();
        let revs: Vec<_> = info.revisions.iter().map(|r| r.since_minor).collect();
        assert_eq!(mins, revs, "{}", info.id);
        let overrides: Vec<_> = def
            .versions
            .iter()
            .flat_map(|v| v.overrides.iter().copied())
            .collect();
        for o in info.overrides {
            assert!(overrides.contains(o));
        }
        assert!(
            !info.description.is_empty() && !info.fields.is_empty() && !info.allowed.is_empty()
        );
    }
    assert!(check_info("privileged").is_some());
    assert!(check_info("nope").is_none());
}

#[test]
fn host_probes_upstream_cases() {
    let e = eval_yaml(
        r"
spec:
  containers:
  - name: valid
  - name: invalid1
    livenessProbe: {httpGet: {host: a.com}}
  - name: invalid2
    lifecycle: {preStop: {tcpSocket: {host: b.com}}}
    startupProbe: {httpGet: {host: a.com}}
",
        Level::Baseline,
        Version::v1(34),
    );
    let v = only(&e, "hostProbesAndHostLifecycle");
    assert_eq!(v.reason, "probe or lifecycle host");
    assert_eq!(
        v.detail,
        r#"containers "invalid1", "invalid2" use probe or lifecycle hosts "a.com", "b.com""#
    );
    assert_eq!(
        v.paths,
        [
            "containers[1].livenessProbe.httpGet.host",
            "containers[2].startupProbe.httpGet.host",
            "containers[2].lifecycle.preStop.tcpSocket.host"
        ]
    );
    let e = eval_yaml(
        r#"
spec:
  containers:
  - name: a
    livenessProbe: {httpGet: {host: "127.0.0.1"}}
    readinessProbe: {tcpSocket: {host: "::1"}}
    startupProbe: {httpGet: {host: localhost}}
"#,
        Level::Baseline,
        Version::Latest,
    );
    assert_eq!(
        only(&e, "hostProbesAndHostLifecycle").detail,
        r#"container "a" uses probe or lifecycle hosts "127.0.0.1", "::1", "localhost""#
    );
    // Inactive before v1.34.
    let e = eval_yaml(
        "spec:\n  containers:\n  - startupProbe: {httpGet: {host: localhost}}\n",
        Level::Baseline,
        Version::v1(33),
    );
    assert!(e.allowed);
}

#[test]
fn se_linux_upstream_cases() {
    let e = eval_yaml(
        r"
spec:
  securityContext:
    seLinuxOptions: {type: foo, user: bar, role: baz}
  containers:
  - {name: a, securityContext: {seLinuxOptions: {type: container_t}}}
  - {name: b, securityContext: {seLinuxOptions: {type: container_init_t}}}
  - {name: c, securityContext: {seLinuxOptions: {type: container_kvm_t}}}
  - {name: d, securityContext: {seLinuxOptions: {type: bar}}}
  - {name: e, securityContext: {seLinuxOptions: {user: bar}}}
  - {name: f, securityContext: {seLinuxOptions: {role: baz}}}
",
        Level::Baseline,
        Version::Latest,
    );
    let v = only(&e, "seLinuxOptions");
    assert_eq!(
        v.detail,
        r#"pod and containers "d", "e", "f" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set"#
    );
    assert_eq!(v.paths[0], "securityContext.seLinuxOptions.type");
    assert_eq!(v.paths.len(), 6);
}

#[test]
fn proc_mount_upstream_cases() {
    let yaml = |host_users: bool| {
        format!(
            r"
spec:
  hostUsers: {host_users}
  containers:
  - name: a
  - {{name: b, securityContext: {{}}}}
  - {{name: c, securityContext: {{procMount: Default}}}}
  - {{name: d, securityContext: {{procMount: Unmasked}}}}
  - {{name: e, securityContext: {{procMount: other}}}}
"
        )
    };
    let detail =
        r#"containers "d", "e" must not set securityContext.procMount to "Unmasked", "other""#;
    let e = eval_yaml(&yaml(true), Level::Baseline, Version::Latest);
    assert_eq!(only(&e, "procMount").detail, detail);
    assert!(eval_yaml(&yaml(false), Level::Baseline, Version::Latest).allowed);
    // Before v1.35 user namespaces relax nothing.
    let e = eval_yaml(&yaml(false), Level::Baseline, Version::v1(34));
    assert_eq!(only(&e, "procMount").detail, detail);
    // Restricted keeps forbidding it, through procMount_restricted from v1.35.
    let e = eval_yaml(&yaml(false), Level::Restricted, Version::Latest);
    assert_eq!(only(&e, "procMount_restricted").detail, detail);
    assert!(e.violations.iter().all(|v| v.check != "procMount"));
    let e = eval_yaml(&yaml(false), Level::Restricted, Version::v1(34));
    assert_eq!(only(&e, "procMount").detail, detail);
}

#[test]
fn run_as_non_root_messages() {
    let e = eval_yaml(
        r"
spec:
  securityContext: {runAsNonRoot: false}
  initContainers: [{name: i, securityContext: {runAsNonRoot: false}}]
  containers: [{name: a}, {name: b, securityContext: {runAsNonRoot: false}}]
",
        Level::Restricted,
        Version::Latest,
    );
    let v = only(&e, "runAsNonRoot");
    assert_eq!(v.reason, "runAsNonRoot != true");
    assert_eq!(
        v.detail,
        r#"pod and containers "i", "b" must not set securityContext.runAsNonRoot=false"#
    );
    assert_eq!(
        v.paths,
        [
            "securityContext.runAsNonRoot",
            "initContainers[0].securityContext.runAsNonRoot",
            "containers[1].securityContext.runAsNonRoot"
        ]
    );
    let e = eval_yaml(
        "spec:\n  containers: [{name: a}, {name: b, securityContext: {runAsNonRoot: true}}]\n",
        Level::Restricted,
        Version::Latest,
    );
    assert_eq!(
        only(&e, "runAsNonRoot").detail,
        r#"pod or container "a" must set securityContext.runAsNonRoot=true"#
    );
    let e = eval_yaml(
        "spec:\n  securityContext: {runAsNonRoot: true}\n  containers: [{name: a}]\n",
        Level::Restricted,
        Version::Latest,
    );
    assert!(e.violations.iter().all(|v| v.check != "runAsNonRoot"));
}

#[test]
fn apparmor_fields_and_annotations() {
    let e = eval_yaml(
        r#"
metadata:
  annotations:
    container.apparmor.security.beta.kubernetes.io/b: unconfined
    container.apparmor.security.beta.kubernetes.io/a: "foo"
    container.apparmor.security.beta.kubernetes.io/ok: localhost/x
spec:
  securityContext: {appArmorProfile: {type: Unconfined}}
  containers:
  - {name: a, securityContext: {appArmorProfile: {type: Unconfined}}}
  - {name: b, securityContext: {appArmorProfile: {type: RuntimeDefault}}}
"#,
        Level::Baseline,
        Version::v1(0),
    );
    let v = only(&e, "appArmorProfile");
    assert_eq!(v.reason, "forbidden AppArmor profiles");
    assert_eq!(
        v.detail,
        r#"pod and container "a" and annotations must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="foo"", "container.apparmor.security.beta.kubernetes.io/b="unconfined"""#
    );
    assert_eq!(
        v.paths,
        [
            "securityContext.appArmorProfile.type",
            "containers[0].securityContext.appArmorProfile.type",
            r#"metadata.annotations["container.apparmor.security.beta.kubernetes.io/a"]"#,
            r#"metadata.annotations["container.apparmor.security.beta.kubernetes.io/b"]"#,
        ]
    );
    let e = eval_yaml(
        "metadata:\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/a: unconfined\nspec:\n  containers: [{name: a}]\n",
        Level::Baseline,
        Version::Latest,
    );
    let v = only(&e, "appArmorProfile");
    assert_eq!(v.reason, "forbidden AppArmor profile");
    assert_eq!(
        v.detail,
        r#"annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/a="unconfined"""#
    );
}

#[test]
fn windows_quirk_restricted_exempts_what_baseline_forbids() {
    // Upstream quirk: from v1.25 capabilities_restricted exempts Windows pods and overrides
    // capabilities_baseline, so restricted allows added capabilities on a Windows pod that
    // baseline forbids. (API validation rejects such a pod before admission.)
    let yaml = "spec:\n  os: {name: windows}\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: a\n    securityContext: {capabilities: {add: [SYS_ADMIN]}}\n";
    assert!(eval_yaml(yaml, Level::Restricted, Version::Latest).allowed);
    assert!(!eval_yaml(yaml, Level::Baseline, Version::Latest).allowed);
}

#[test]
fn malformed_values_are_unset_and_reported() {
    let e = eval_yaml(
        r#"
metadata:
  annotations: {a: 1}
spec:
  hostNetwork: "true"
  securityContext: {runAsUser: "0", sysctls: [{name: 5}, 3]}
  volumes: [{name: v, hostPath: "/etc"}]
  containers:
  - name: 7
    ports: [{hostPort: "80"}, {hostPort: 99999999999}]
    securityContext:
      privileged: "yes"
      capabilities: {add: [NET_RAW, {x: 1}], drop: ALL}
      seccompProfile: {type: 3}
"#,
        Level::Baseline,
        Version::Latest,
    );
    assert_eq!(
        e.malformed,
        [
            "metadata.annotations.a",
            "hostNetwork",
            "securityContext.runAsUser",
            "securityContext.sysctls[0].name",
            "securityContext.sysctls[1]",
            "volumes[0].hostPath",
            "containers[0].name",
            "containers[0].securityContext.seccompProfile.type",
            "containers[0].securityContext.privileged",
            "containers[0].securityContext.capabilities.add[1]",
            "containers[0].securityContext.capabilities.drop",
            "containers[0].ports[0].hostPort",
            "containers[0].ports[1].hostPort",
        ]
    );
    let ids: Vec<_> = e.violations.iter().map(|v| v.check).collect();
    assert_eq!(
        ids,
        [
            "capabilities_baseline",
            "seccompProfile_baseline",
            "sysctls"
        ]
    );
    assert_eq!(
        e.violations[1].detail,
        r#"container "" must not set securityContext.seccompProfile.type to """#
    );
    assert_eq!(e.violations[2].detail, "");
    // A non-mapping spec.
    let parsed = kubeward_yaml::parse_str("spec: [1]\n");
    let spec = parsed.documents[0].root.get("spec").unwrap(); // ok: unit-test module (declared under #[cfg(test)] in lib.rs)
    let e = evaluate(
        PodInput {
            metadata: None,
            spec,
        },
        Level::Restricted,
        Version::Latest,
    );
    assert!(e.allowed);
    assert_eq!(e.malformed, [""]);
}

#[test]
fn messages() {
    let e = eval_yaml(
        "spec:\n  hostNetwork: true\n  hostPID: true\n  containers: [{name: x, securityContext: {privileged: true}}]\n",
        Level::Baseline,
        Version::v1(25),
    );
    assert_eq!(
        forbidden_message(&e),
        r#"violates PodSecurity "baseline:v1.25": host namespaces (hostNetwork=true, hostPID=true), privileged (container "x" must not set securityContext.privileged=true)"#
    );
    assert!(
        warning_message(&e)
            .starts_with(r#"would violate PodSecurity "baseline:v1.25": host namespaces"#)
    );
    let ok = eval_yaml(
        "spec:\n  containers: [{name: x}]\n",
        Level::Privileged,
        Version::Latest,
    );
    assert!(ok.allowed);
    assert_eq!(forbidden_message(&ok), "");
    assert_eq!(warning_message(&ok), "");
    let mut unknown = e.clone();
    unknown.violations[0].reason.clear();
    unknown.violations[0].detail.clear();
    assert!(forbidden_detail(&unknown).starts_with("unknown forbidden reason, privileged ("));
}

//! Public API tests: explain, issues, coverage, synth, isolate, diff, graphs, JSON.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use kubeward_netpol::{
    AllowAllKind, Cluster, Connection, Endpoint, IssueSeverity, PortSet, Protocol, SourceId,
    WorkloadRef, diff,
};

fn fixture(name: &str) -> Cluster {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    Cluster::from_yaml(SourceId(7), &std::fs::read_to_string(p).unwrap())
}

fn w(kind: &str, ns: &str, name: &str) -> Endpoint {
    Endpoint::workload(kind, ns, name)
}

#[test]
fn explain_names_policy_rule_and_peer() {
    let c = fixture("selectors-and-or.yaml");
    let e = c
        .explain(
            &w("Deployment", "prod", "web"),
            &w("Deployment", "prod", "api"),
            Some((443, Protocol::Tcp)),
        )
        .unwrap();
    assert!(e.allowed);
    assert!(!e.egress.isolated && e.egress.allowed);
    assert!(e.ingress.isolated);
    assert_eq!(e.ingress.allowed_by.len(), 1);
    let m = &e.ingress.allowed_by[0];
    assert_eq!(
        (m.policy.namespace.as_str(), m.policy.name.as_str()),
        ("prod", "api-or")
    );
    assert_eq!(m.policy.source, SourceId(7));
    assert_eq!(m.rule, "spec.ingress[0]");
    assert_eq!(m.peer.as_deref(), Some("spec.ingress[0].from[1]"));
    assert_eq!(e.ports, PortSet::ports(Protocol::Tcp, 443, 443));

    // Denied by isolation: which policies select the destination.
    let e = c
        .explain(
            &w("Deployment", "prod", "web"),
            &w("Deployment", "prod", "db"),
            None,
        )
        .unwrap();
    assert!(!e.allowed);
    assert!(e.ingress.isolated && !e.ingress.allowed && e.ingress.allowed_by.is_empty());
    assert_eq!(
        e.ingress
            .selecting_policies
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        vec!["db-and"]
    );
    assert!(e.ports.is_empty());
}

#[test]
fn explain_named_ports_and_external() {
    let c = fixture("named-ports.yaml");
    let client = w("Deployment", "np", "client");
    let web = w("Deployment", "np", "web");
    // Two pod templates of web: 8080 and 9090 both resolve `http`.
    for port in [8080, 9090] {
        let e = c
            .explain(&client, &web, Some((port, Protocol::Tcp)))
            .unwrap();
        assert!(e.allowed, "{port}");
        assert_eq!(e.egress.allowed_by[0].rule, "spec.egress[0]");
        assert_eq!(
            e.egress.allowed_by[0].peer.as_deref(),
            Some("spec.egress[0].to[1]")
        );
    }
    assert!(
        !c.explain(&client, &web, Some((80, Protocol::Tcp)))
            .unwrap()
            .allowed
    );
    // db1 maps http to 80 only: 8080 is not open towards db1.
    assert!(
        !c.explain(
            &client,
            &w("Deployment", "np", "db1"),
            Some((8080, Protocol::Tcp))
        )
        .unwrap()
        .allowed
    );
    // A named port never matches an external address.
    let ext = Endpoint::parse("8.8.8.8").unwrap();
    let e = c.explain(&client, &ext, None).unwrap();
    assert!(!e.allowed && e.egress.isolated);
    // Kind may be left out.
    assert!(
        c.explain(&Endpoint::parse("np/client").unwrap(), &web, None)
            .unwrap()
            .allowed
    );
    assert!(
        c.explain(&w("Deployment", "np", "nope"), &web, None)
            .is_err()
    );
    assert!(c.explain(&ext, &ext, None).is_err());
}

#[test]
fn explain_ip_ranges() {
    let c = fixture("ipblock-except.yaml");
    let app = w("Deployment", "i", "app");
    let inside = Endpoint::parse("192.168.7.1").unwrap();
    let excepted = Endpoint::parse("192.168.1.9").unwrap();
    let e = c.explain(&inside, &app, None).unwrap();
    assert!(e.allowed);
    assert_eq!(
        e.ingress.allowed_by[0].peer.as_deref(),
        Some("spec.ingress[0].from[0]")
    );
    assert!(!c.explain(&excepted, &app, None).unwrap().allowed);
    assert!(
        c.explain(
            &app,
            &Endpoint::parse("10.200.0.1").unwrap(),
            Some((443, Protocol::Tcp))
        )
        .unwrap()
        .allowed
    );
    assert!(
        !c.explain(
            &app,
            &Endpoint::parse("10.1.0.1").unwrap(),
            Some((443, Protocol::Tcp))
        )
        .unwrap()
        .allowed
    );
    assert!(
        !c.explain(
            &app,
            &Endpoint::parse("10.200.0.1").unwrap(),
            Some((443, Protocol::Udp))
        )
        .unwrap()
        .allowed
    );
}

#[test]
fn invalid_policies_are_reported_and_left_out() {
    let c = Cluster::from_yaml(
        SourceId(3),
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: x}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: nginx}]}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}
    - ipBlock: {cidr: 300.0.0.0/8}
    - ipBlock: {cidr: 10.0.0.0/8}
      namespaceSelector: {}
    ports:
    - {port: http, endPort: 90}
    - {port: 90, endPort: 80}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: warn-only, namespace: x}
spec:
  podSelector: {matchLabels: {app: other}}
  ingress:
  - from: [{ipBlock: {cidr: 10.1.2.3/8}}]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: not-k8s, namespace: x}
spec: {selector: all()}
"#,
    );
    let errs: Vec<String> = c
        .issues()
        .iter()
        .filter(|i| i.severity == IssueSeverity::Error)
        .map(|i| format!("{}/{} {}", i.policy.name, i.path, i.message))
        .collect();
    assert_eq!(
        errs,
        vec![
            "bad/spec.ingress[0].from[0].ipBlock.except[0] `11.0.0.0/16` must be a strict subset of `cidr` `10.0.0.0/8`",
            "bad/spec.ingress[0].from[1].ipBlock.cidr invalid CIDR `300.0.0.0/8`",
            "bad/spec.ingress[0].from[2] may not specify both ipBlock and another peer",
            "bad/spec.ingress[0].ports[0].endPort may not be specified when `port` is non-numeric",
            "bad/spec.ingress[0].ports[1].endPort must be greater than or equal to `port` (80 < 90)",
        ]
    );
    let warns: Vec<&str> = c
        .issues()
        .iter()
        .filter(|i| i.severity == IssueSeverity::Warning)
        .map(|i| i.path.as_str())
        .collect();
    assert_eq!(warns, vec!["spec.ingress[0].from[0].ipBlock.cidr"]);
    assert_eq!(c.issues()[0].policy.source, SourceId(3));
    // The rejected policy does not isolate web; the valid one is kept.
    assert_eq!(
        c.policies()
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        vec!["warn-only"]
    );
    assert!(
        c.connections()
            .iter()
            .any(|x| x.src == x.dst && x.ports.is_all())
    );
}

#[test]
fn workloads_grouped_by_owner() {
    let c = fixture("owners.yaml");
    let names: Vec<String> = c.workloads().iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        vec![
            "DaemonSet/own/agent",
            "Deployment/own/api",
            "StatefulSet/own/db",
            "Pod/own/debug",
            "Job/own/migrate",
            "ReplicationController/own/old",
            "ReplicaSet/own/orphan-abc",
            "CronJob/own/report",
            "Deployment/own/web",
        ]
    );
}

#[test]
fn coverage_facts() {
    let c = Cluster::from_yaml(
        SourceId(0),
        r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: "docker.io/library/postgres:16", ports: [{containerPort: 5432}]}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache, namespace: data}
spec: {template: {metadata: {labels: {app: cache}}, spec: {containers: [{name: c, image: "redis:7"}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: front}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 80}]}]}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: front}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: front}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {}}]
  - ports: [{port: http}, {port: https}]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
  - to: [{podSelector: {matchLabels: {app: ghost}}}]
    ports: [{port: metrics}]
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: data}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cache, namespace: data}
spec:
  podSelector: {matchLabels: {app: cache}}
  ingress: [{from: [{podSelector: {matchLabels: {app: db}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: nothing, namespace: data}
spec:
  podSelector: {matchLabels: {app: gone}}
"#,
    );
    let cov = c.coverage();
    let names = |v: &[WorkloadRef]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(
        names(&cov.not_isolated_ingress),
        vec!["StatefulSet/data/db"]
    );
    assert_eq!(
        names(&cov.not_isolated_egress),
        vec!["Deployment/data/cache", "StatefulSet/data/db"]
    );
    let dd: Vec<(&str, bool, bool)> = cov
        .namespaces_without_default_deny
        .iter()
        .map(|n| (n.namespace.as_str(), n.ingress_missing, n.egress_missing))
        .collect();
    assert_eq!(dd, vec![("data", true, true)]);
    let loc = |v: &[kubeward_netpol::PolicyLocation]| {
        v.iter()
            .map(|l| format!("{}:{}", l.policy.name, l.path))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        loc(&cov.policies_selecting_nothing),
        vec!["nothing:spec.podSelector"]
    );
    assert_eq!(
        loc(&cov.peers_matching_nothing),
        vec!["web:spec.egress[1].to[0]"]
    );
    assert_eq!(loc(&cov.egress_to_world), vec!["web:spec.egress[0].to[0]"]);
    let aa: Vec<(String, AllowAllKind, bool)> = cov
        .allow_all_ingress
        .iter()
        .map(|a| (a.location.path.clone(), a.kind, a.all_ports))
        .collect();
    assert_eq!(
        aa,
        vec![
            (
                "spec.ingress[0].from[0]".to_string(),
                AllowAllKind::AllNamespaces,
                true
            ),
            (
                "spec.ingress[1]".to_string(),
                AllowAllKind::AnySource,
                false
            ),
        ]
    );
    let np: Vec<String> = cov
        .unresolved_named_ports
        .iter()
        .map(|u| format!("{} {}", u.location.path, u.name))
        .collect();
    assert_eq!(
        np,
        vec![
            "spec.egress[1].ports[0] metrics",
            "spec.ingress[1].ports[1] https"
        ]
    );
    // db is reachable from web (egress to namespace data, db not isolated) and from cache
    // (unisolated egress); cache only from db.
    assert_eq!(cov.exposed_sensitive.len(), 1);
    let s = &cov.exposed_sensitive[0];
    assert_eq!(s.workload.name, "db");
    assert_eq!(
        s.reasons,
        vec!["image docker.io/library/postgres:16", "port 5432/TCP"]
    );
    assert!(s.common_ports.is_all());
}

#[test]
fn connections_json_shape() {
    let c = fixture("ipblock-except.yaml");
    let json = serde_json::to_value(c.connections_report()).unwrap();
    let first = &json["connections"][0];
    assert_eq!(
        first["src"],
        serde_json::json!({"kind": "Deployment", "namespace": "i", "name": "app"})
    );
    assert_eq!(
        first["dst"],
        serde_json::json!({"ip_range": "10.0.0.0-10.0.255.255"})
    );
    assert_eq!(first["ports"], serde_json::json!({"TCP": "443"}));
    assert_eq!(json["connections"][2]["ports"], serde_json::json!("all"));
    let back: kubeward_netpol::ConnectionsReport = serde_json::from_value(json).unwrap();
    assert_eq!(back.connections, c.connections());
}

#[test]
fn graphs() {
    let c = fixture("recipe-egress-dns.yaml");
    let dot = c.graph_dot();
    assert!(dot.starts_with("digraph netpol {"));
    assert!(dot.contains("subgraph \"cluster_kube-system\""));
    assert!(dot.contains("[label=\"TCP:53 UDP:53\"]"));
    let m = c.graph_mermaid();
    assert!(m.contains("subgraph ns"));
    assert!(m.contains("-->|\"TCP:53 UDP:53\"|"));
    assert_eq!(dot.matches(" -> ").count(), c.connections().len());
}

#[test]
fn synth_preserves_connectivity_of_every_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        let c = Cluster::from_yaml(SourceId(0), &std::fs::read_to_string(&p).unwrap());
        let r = c.synth(None);
        assert!(
            r.verified(),
            "{}: {:?}\n{}",
            p.display(),
            r.mismatch,
            r.yaml
        );
        // Independent re-check: parse the YAML into a fresh cluster.
        let mut again = c.clone();
        again.clear_policies();
        again.add_yaml(SourceId(9), &r.yaml);
        assert!(again.issues().is_empty(), "{:?}", again.issues());
        assert!(
            diff(&c.connections(), &again.connections()).is_empty(),
            "{}",
            p.display()
        );
    }
}

#[test]
fn synth_from_declared_flows() {
    let c = fixture("selectors-and-or.yaml");
    let flows = vec![
        Connection {
            src: w("Deployment", "dev", "api"),
            dst: w("Deployment", "prod", "db"),
            ports: PortSet::ports(Protocol::Tcp, 5432, 5432),
        },
        Connection {
            src: w("Deployment", "prod", "web"),
            dst: Endpoint::parse("10.0.0.0-10.0.0.5").unwrap(),
            ports: PortSet::ports(Protocol::Tcp, 443, 443).union(&PortSet::ports(
                Protocol::Udp,
                1000,
                2000,
            )),
        },
        Connection {
            src: Endpoint::parse("203.0.113.0/24").unwrap(),
            dst: w("Deployment", "prod", "web"),
            ports: PortSet::all(),
        },
    ];
    let r = c.synth(Some(&flows));
    assert!(r.verified(), "{:?}\n{}", r.mismatch, r.yaml);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.policies, 2 + 4);
    assert!(r.yaml.contains("endPort: 2000"));
    assert!(r.yaml.contains("cidr: 10.0.0.4/31"));
    let mut again = c.clone();
    again.clear_policies();
    again.add_yaml(SourceId(0), &r.yaml);
    let got = again.connections();
    assert!(diff(&flows, &got).is_empty());
}

#[test]
fn synth_warns_when_labels_cannot_separate_workloads() {
    let c = Cluster::from_yaml(
        SourceId(0),
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: s}
spec: {template: {metadata: {labels: {app: same}}, spec: {containers: [{name: c, image: x}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b, namespace: s}
spec: {template: {metadata: {labels: {app: same}}, spec: {containers: [{name: c, image: x}]}}}
"#,
    );
    let flows = vec![Connection {
        src: w("Deployment", "s", "a"),
        dst: w("Deployment", "s", "a"),
        ports: PortSet::all(),
    }];
    let r = c.synth(Some(&flows));
    assert!(!r.verified());
    assert!(
        r.warnings
            .iter()
            .any(|x| x.contains("cannot be told apart"))
    );
}

#[test]
fn isolate_quarantines() {
    let c = fixture("recipe-egress-dns.yaml");
    let target = WorkloadRef::new("Deployment", "apps", "other");
    let r = c.isolate(&target, true).unwrap();
    assert!(r.yaml.contains("name: \"quarantine-deployment-other\""));
    assert!(r.also_selects.is_empty());
    assert!(r.still_allowed_by.is_empty());
    let remaining: Vec<String> = r
        .remaining
        .iter()
        .map(|x| format!("{} -> {} : {}", x.src, x.dst, x.ports))
        .collect();
    assert_eq!(
        remaining,
        vec!["Deployment/apps/other -> Deployment/kube-system/kube-dns : TCP:53 UDP:53"]
    );
    let r = c.isolate(&target, false).unwrap();
    assert!(r.remaining.is_empty());
    // An existing allow keeps working: policies are additive.
    let r = c
        .isolate(&WorkloadRef::new("", "apps", "ext"), false)
        .unwrap();
    assert_eq!(
        r.still_allowed_by
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        vec!["ext-deny-external-egress"]
    );
    assert!(!r.remaining.is_empty());
    assert!(
        c.isolate(&WorkloadRef::new("Deployment", "apps", "none"), false)
            .is_err()
    );
}

#[test]
fn diff_reports_gained_and_lost_ports() {
    let before = fixture("recipe-deny-all-to-app.yaml");
    let mut after = before.clone();
    after.add_yaml(
        SourceId(1),
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-allow-client, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 80}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-egress, namespace: default}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}], ports: [{port: 443}]}]
"#,
    );
    let d = diff(&before.connections(), &after.connections());
    let gained: Vec<String> = d
        .gained
        .iter()
        .map(|x| format!("{} -> {} : {}", x.src, x.dst, x.ports))
        .collect();
    assert_eq!(
        gained,
        vec!["Deployment/default/client -> Deployment/default/web : TCP:80"]
    );
    let lost: Vec<String> = d
        .lost
        .iter()
        .map(|x| format!("{} -> {} : {}", x.src, x.dst, x.ports))
        .collect();
    assert_eq!(
        lost,
        vec![
            "Deployment/default/api -> Deployment/default/api : all",
            "Deployment/default/api -> Deployment/default/client : all",
            "Deployment/default/api -> 0.0.0.0-9.255.255.255 : all",
            "Deployment/default/api -> 10.0.0.0-10.255.255.255 : TCP:1-442,444-65535 UDP:1-65535 SCTP:1-65535 other:all",
            "Deployment/default/api -> 11.0.0.0-255.255.255.255 : all",
            "Deployment/default/api -> ::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff : all",
        ]
    );
    assert!(diff(&after.connections(), &after.connections()).is_empty());
}

#[test]
fn a_redefined_policy_replaces_the_earlier_one() {
    // Recipe 11 defines `foo-deny-egress` twice: applying the file keeps the second.
    let c = Cluster::from_yaml(
        SourceId(0),
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: a}
spec:
  podSelector: {}
  ingress: [{}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: a}
spec:
  podSelector: {}
---
apiVersion: v1
kind: Pod
metadata: {name: x, namespace: a}
spec: {containers: [{name: c, image: i}]}
"#,
    );
    assert_eq!(c.policies().len(), 1);
    assert_eq!(c.issues().len(), 1);
    assert_eq!(c.issues()[0].severity, IssueSeverity::Warning);
    assert!(
        c.connections()
            .iter()
            .all(|x| x.dst.as_workload().is_none())
    );
}

#[test]
fn ignored_rules_do_not_cut_the_address_space_and_host_network_is_flagged() {
    let c = Cluster::from_yaml(
        SourceId(0),
        r#"
apiVersion: v1
kind: Pod
metadata: {name: node-agent, namespace: a}
spec: {hostNetwork: true, containers: [{name: c, image: i}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{}]
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]
"#,
    );
    let ranges: Vec<String> = c
        .endpoints()
        .iter()
        .filter(|e| e.as_workload().is_none())
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        ranges,
        vec![
            "0.0.0.0-255.255.255.255",
            "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
        ]
    );
    assert_eq!(
        c.coverage().host_network,
        vec![WorkloadRef::new("Pod", "a", "node-agent")]
    );
}

#[test]
fn workload_objects_point_back_to_inputs() {
    let mut c = Cluster::new();
    c.add_yaml(SourceId(1), "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: web-5d-1, namespace: a, labels: {pod-template-hash: 5d}, ownerReferences: [{kind: ReplicaSet, name: web-5d, controller: true}]}\n  spec: {containers: [{name: c, image: i}]}\n");
    c.add_yaml(SourceId(2), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\nspec: {template: {spec: {containers: [{name: c, image: i}]}}}\n");
    let objs = c.workload_objects(&WorkloadRef::new("Deployment", "a", "web"));
    assert_eq!(
        objs,
        vec![
            (SourceId(1), "items[0]".to_string()),
            (SourceId(2), String::new())
        ]
    );
    assert!(
        c.workload_objects(&WorkloadRef::new("Deployment", "a", "nope"))
            .is_empty()
    );
}

#[test]
fn streaming_matches_collected() {
    let c = fixture("recipe-namespaces.yaml");
    let mut streamed = Vec::new();
    c.for_each_connection(|s, d, p| {
        streamed.push(Connection {
            src: s.clone(),
            dst: d.clone(),
            ports: p.clone(),
        });
    });
    assert_eq!(streamed, c.connections());
    assert!(!streamed.is_empty());
}

//! End-to-end tests of `kubeward netpol` (and the NET rules of `kubeward scan`), running the
//! real binary on the fixtures under `tests/fixtures/netpol/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const SHOP: &str = "tests/fixtures/netpol/shop/";
const POLICIES: &str = "tests/fixtures/netpol/shop/policies.yaml";

fn kubeward() -> Command {
    let mut cmd = Command::cargo_bin("kubeward").unwrap();
    cmd.env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = kubeward().args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn endpoint(v: &Value) -> String {
    match v.get("ip_range") {
        Some(r) => r.as_str().unwrap().to_string(),
        None => format!(
            "{}/{}/{}",
            v["kind"].as_str().unwrap(),
            v["namespace"].as_str().unwrap(),
            v["name"].as_str().unwrap()
        ),
    }
}

fn ports(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}:{}", v.as_str().unwrap()))
            .collect::<Vec<_>>()
            .join(" "),
        other => panic!("bad ports {other}"),
    }
}

/// `SRC -> DST : PORTS` for every connection of a `connections --format json` document.
fn connection_lines(doc: &Value) -> BTreeSet<String> {
    doc["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} -> {} : {}",
                endpoint(&c["src"]),
                endpoint(&c["dst"]),
                ports(&c["ports"])
            )
        })
        .collect()
}

/// The same, restricted to workload-to-workload connections.
fn workload_lines(doc: &Value) -> BTreeSet<String> {
    doc["connections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["src"].get("ip_range").is_none() && c["dst"].get("ip_range").is_none())
        .map(|c| {
            format!(
                "{} -> {} : {}",
                endpoint(&c["src"]),
                endpoint(&c["dst"]),
                ports(&c["ports"])
            )
        })
        .collect()
}

fn set(lines: &[&str]) -> BTreeSet<String> {
    lines.iter().map(|s| (*s).to_string()).collect()
}

fn connections_json(paths: &[&str]) -> Value {
    let mut args = vec!["netpol", "connections", "--format", "json"];
    args.extend_from_slice(paths);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    json(&r.stdout)
}

// ---------------------------------------------------------------------------------------
// connections: the classic recipes with their expected connectivity

#[test]
fn recipe_default_deny_all() {
    let r = run(&[
        "netpol",
        "connections",
        "--format",
        "json",
        "tests/fixtures/netpol/recipes/deny-all.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r.stdout);
    // Nothing reaches or leaves the locked namespace, not even its own pods.
    assert_eq!(
        workload_lines(&doc),
        set(&["Deployment/open/c -> Deployment/open/c : all"])
    );
    assert!(
        connection_lines(&doc)
            .iter()
            .all(|l| !l.contains("/locked/")),
        "{doc}"
    );
    insta::assert_snapshot!("connections_deny_all_json", r.stdout);
}

#[test]
fn recipe_allow_same_namespace() {
    let doc = connections_json(&["tests/fixtures/netpol/recipes/same-namespace.yaml"]);
    assert_eq!(
        workload_lines(&doc),
        set(&[
            "Deployment/other/intruder -> Deployment/other/intruder : all",
            "Deployment/team/web -> Deployment/other/intruder : all",
            "Deployment/team/web -> Deployment/team/web : all",
            "Deployment/team/web -> Deployment/team/worker : all",
            "Deployment/team/worker -> Deployment/other/intruder : all",
            "Deployment/team/worker -> Deployment/team/web : all",
            "Deployment/team/worker -> Deployment/team/worker : all",
        ])
    );
    // External addresses cannot reach the isolated namespace either.
    assert!(
        connection_lines(&doc)
            .iter()
            .filter(|l| l.contains("-> Deployment/team/"))
            .all(|l| l.starts_with("Deployment/team/"))
    );
}

#[test]
fn recipe_allow_from_a_namespace_on_a_named_port() {
    let doc = connections_json(&["tests/fixtures/netpol/recipes/from-namespace.yaml"]);
    let into_api: BTreeSet<String> = connection_lines(&doc)
        .into_iter()
        .filter(|l| l.contains("-> Deployment/backend/api"))
        .collect();
    // Only `prod` (labelled purpose=production), only TCP 9000 (the named port `http`).
    assert_eq!(
        into_api,
        set(&["Deployment/prod/client -> Deployment/backend/api : TCP:9000"])
    );
}

#[test]
fn recipe_deny_egress_except_dns() {
    let r = run(&[
        "netpol",
        "connections",
        "--format",
        "json",
        "tests/fixtures/netpol/recipes/egress-dns.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json(&r.stdout);
    let from_app: BTreeSet<String> = connection_lines(&doc)
        .into_iter()
        .filter(|l| l.starts_with("Deployment/apps/app "))
        .collect();
    assert_eq!(
        from_app,
        set(&["Deployment/apps/app -> Deployment/kube-system/coredns : TCP:53 UDP:53"])
    );
    insta::assert_snapshot!("connections_egress_dns_json", r.stdout);
}

#[test]
fn connections_json_has_the_documented_shape() {
    let doc = connections_json(&[SHOP]);
    let conns = doc["connections"].as_array().unwrap();
    let pg = conns
        .iter()
        .find(|c| c["dst"]["name"] == "postgres")
        .unwrap();
    assert_eq!(
        pg["src"],
        serde_json::json!({"kind": "Deployment", "namespace": "shop", "name": "api"})
    );
    assert_eq!(pg["ports"], serde_json::json!({"TCP": "5432"}));
    // ipBlock `0.0.0.0/0 except 10.0.0.0/8` cuts the address space into exact ranges.
    let into_frontend: BTreeSet<String> = connection_lines(&doc)
        .into_iter()
        .filter(|l| l.contains("-> Deployment/shop/frontend"))
        .collect();
    assert_eq!(
        into_frontend,
        set(&[
            "0.0.0.0-9.255.255.255 -> Deployment/shop/frontend : TCP:8080",
            "11.0.0.0-255.255.255.255 -> Deployment/shop/frontend : TCP:8080",
        ])
    );
    assert!(conns.iter().any(|c| c["ports"] == "all"));
}

#[test]
fn connections_text_and_markdown() {
    let r = run(&["netpol", "connections", SHOP]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .contains("Deployment/shop/api -> StatefulSet/shop/postgres  TCP:5432\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("# 14 connections; a pair not listed is denied\n")
    );
    let r = run(&["netpol", "connections", "--format", "md", SHOP]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("| From | To | Ports |"));
    assert!(
        r.stdout
            .contains("| `Deployment/shop/frontend` | `Deployment/shop/api` | TCP:9000 |")
    );
}

#[test]
fn connections_from_stdin_and_output_file() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/netpol/recipes/deny-all.yaml"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.json");
    kubeward()
        .args(["netpol", "connections", "-f", "json", "-o"])
        .arg(&out)
        .arg("-")
        .write_stdin(text)
        .assert()
        .code(0);
    let doc = json(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(doc["connections"].as_array().unwrap().len(), 5);
}

// ---------------------------------------------------------------------------------------
// explain

#[test]
fn explain_allowed_names_the_rules_with_file_line() {
    let r = run(&[
        "netpol",
        "explain",
        "--from",
        "shop/api",
        "--to",
        "shop/postgres",
        "--port",
        "5432/TCP",
        SHOP,
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    insta::assert_snapshot!("explain_allowed_text", r.stdout);
    assert!(
        r.stdout
            .starts_with("allowed: Deployment/shop/api -> StatefulSet/shop/postgres on 5432/TCP\n")
    );
    // Egress at the source: the `api` policy's egress rule; ingress at the destination: the
    // `postgres` policy's peer, both with their exact place in the file.
    assert!(r.stdout.contains(&format!(
        "NetworkPolicy shop/api rule `spec.egress[0]`, peer `spec.egress[0].to[0]`, ports TCP:5432\n      at {POLICIES}:35:10"
    )));
    assert!(r.stdout.contains(&format!(
        "NetworkPolicy shop/postgres rule `spec.ingress[0]`, peer `spec.ingress[0].from[0]`, ports TCP:5432\n      at {POLICIES}:45:7"
    )));
}

#[test]
fn explain_denied_names_the_isolating_policies() {
    let r = run(&[
        "netpol",
        "explain",
        "--from",
        "shop/frontend",
        "--to",
        "shop/postgres",
        "--port",
        "5432",
        SHOP,
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    insta::assert_snapshot!("explain_denied_text", r.stdout);
    assert!(r.stdout.starts_with("denied: "));
    assert!(r.stdout.contains(&format!(
        "- NetworkPolicy shop/default-deny at {POLICIES}:1:1"
    )));
    assert!(
        r.stdout
            .contains("and no egress rule of them allows StatefulSet/shop/postgres on 5432/TCP")
    );
}

#[test]
fn explain_json_and_external_addresses() {
    let r = run(&[
        "netpol",
        "explain",
        "--from",
        "203.0.113.5",
        "--to",
        "shop/frontend",
        "--port",
        "8080/TCP",
        "--format",
        "json",
        SHOP,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r.stdout);
    assert_eq!(v["allowed"], true);
    assert_eq!(
        v["ingress"]["allowed_by"][0]["peer"],
        "spec.ingress[0].from[0]"
    );
    assert_eq!(
        v["ingress"]["allowed_by"][0]["location"],
        format!("{POLICIES}:15:12")
    );
    insta::assert_snapshot!("explain_external_json", r.stdout);
    // The `except` range is denied.
    let r = run(&[
        "netpol",
        "explain",
        "--from",
        "10.1.2.3",
        "--to",
        "shop/frontend",
        "--port",
        "8080",
        SHOP,
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn explain_resolves_pods_and_reports_unknown_names() {
    // A pod of the StatefulSet resolves to its workload.
    let r = run(&[
        "netpol",
        "explain",
        "--from",
        "shop/api",
        "--to",
        "shop/postgres-0",
        SHOP,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("StatefulSet/shop/postgres on ports TCP:5432")
    );
    let r = run(&[
        "netpol",
        "explain",
        "--from",
        "shop/nope",
        "--to",
        "shop/api",
        SHOP,
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no workload `shop/nope`"), "{}", r.stderr);
    assert!(r.stderr.contains("Deployment/shop/api"), "{}", r.stderr);
    let r = run(&[
        "netpol",
        "explain",
        "--from",
        "shop/api",
        "--to",
        "shop/frontend",
        "--port",
        "80/ICMP",
        SHOP,
    ]);
    assert_eq!(r.code, 2);
}

// ---------------------------------------------------------------------------------------
// graph

#[test]
fn graph_dot_and_mermaid() {
    let r = run(&["netpol", "graph", SHOP]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("digraph netpol {"));
    assert!(r.stdout.contains("subgraph \"cluster_shop\""));
    insta::assert_snapshot!("graph_dot", r.stdout);
    let r = run(&["netpol", "graph", "--format", "md", SHOP]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("```mermaid\nflowchart LR\n"));
    assert!(r.stdout.ends_with("```\n"));
    insta::assert_snapshot!("graph_mermaid", r.stdout);
    let r = run(&["netpol", "graph", "--format", "json", SHOP]);
    assert_eq!(r.code, 2);
}

// ---------------------------------------------------------------------------------------
// synth

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn synth_preserves_the_current_connections_verified() {
    let r = run(&["netpol", "synth", SHOP]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("# verified: recomputing connectivity"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("verified"));
    // Recompute independently: the workloads with only the generated policies allow exactly
    // what the original policies allowed (`netpol diff` compares connectivity, whatever the
    // CIDR cuts of the address space).
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "synth.yaml", &r.stdout);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/netpol/shop/workloads.yaml"),
        dir.path().join("workloads.yaml"),
    )
    .unwrap();
    let d = run(&["netpol", "diff", SHOP, dir.path().to_str().unwrap()]);
    assert_eq!(d.code, 0, "{}", d.stdout);
    assert_eq!(d.stdout, "# 0 gained, 0 lost\n");
}

#[test]
fn synth_from_declared_flows() {
    let r = run(&[
        "netpol",
        "synth",
        "--flows",
        "tests/fixtures/netpol/shop/flows.yaml",
        "tests/fixtures/netpol/shop/workloads.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("gives exactly the declared flows (4 flows)"),
        "{}",
        r.stdout
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "synth.yaml", &r.stdout);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/netpol/shop/workloads.yaml"),
        dir.path().join("workloads.yaml"),
    )
    .unwrap();
    let after = connections_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(
        connection_lines(&after),
        set(&[
            "203.0.113.0-203.0.113.255 -> Deployment/shop/frontend : TCP:8080",
            "Deployment/shop/api -> StatefulSet/shop/postgres : TCP:5432",
            "Deployment/shop/frontend -> Deployment/kube-system/coredns : UDP:53",
            "Deployment/shop/frontend -> Deployment/shop/api : TCP:9000",
        ])
    );
    // JSON output carries the verdict.
    let r = run(&[
        "netpol",
        "synth",
        "--flows",
        "tests/fixtures/netpol/shop/flows.yaml",
        "--format",
        "json",
        "tests/fixtures/netpol/shop/workloads.yaml",
    ]);
    let v = json(&r.stdout);
    assert_eq!(v["verified"], true);
    assert_eq!(v["flows"], 4);
}

#[test]
fn synth_flows_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "flows:\n- {from: shop/frontend, to: shop/nope}\n",
            ":2:29: no workload `shop/nope`",
        ),
        (
            "flows:\n- {from: shop/api, to: shop/postgres, ports: [5432/XTP]}\n",
            ":2:47: unknown protocol `XTP`",
        ),
        ("flows:\n- {from: shop/api}\n", ":2:3: missing `to`"),
        ("nothing: here\n", ":1:1: expected a `flows:` list"),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let flows = write(dir.path(), &format!("flows{i}.yaml"), text);
        let r = kubeward()
            .args(["netpol", "synth", "--flows"])
            .arg(&flows)
            .arg("tests/fixtures/netpol/shop/workloads.yaml")
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(2));
        let stderr = String::from_utf8(r.stderr).unwrap();
        assert!(
            stderr.contains(&format!("{}{expected}", flows.display())),
            "{stderr}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// isolate

#[test]
fn isolate_a_pod_quarantines_its_workload() {
    let r = run(&["netpol", "isolate", "shop/postgres-0", "--keep-dns", SHOP]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("isolate_keep_dns_yaml", r.stdout);
    assert!(
        r.stdout
            .contains("name: \"quarantine-statefulset-postgres\"")
    );
    assert!(r.stdout.contains("port: 53"));
    // The existing `postgres` policy still admits `api`: policies are additive.
    assert!(
        r.stderr.contains(&format!(
            "NetworkPolicy shop/postgres ({POLICIES}:38:1) still allows traffic"
        )),
        "{}",
        r.stderr
    );
    // Applying the quarantine to the workloads alone leaves the target unreachable.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "q.yaml",
        &run(&["netpol", "isolate", "shop/postgres", SHOP]).stdout,
    );
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/netpol/shop/workloads.yaml"),
        dir.path().join("workloads.yaml"),
    )
    .unwrap();
    let after = connections_json(&[dir.path().to_str().unwrap()]);
    assert!(
        connection_lines(&after)
            .iter()
            .all(|l| !l.contains("postgres")),
        "{after}"
    );
    let r = run(&["netpol", "isolate", "shop/ghost", SHOP]);
    assert_eq!(r.code, 2);
}

// ---------------------------------------------------------------------------------------
// diff

#[test]
fn diff_lists_gained_and_lost_connections() {
    let old = "tests/fixtures/netpol/diff/old";
    let new = "tests/fixtures/netpol/diff/new";
    let r = run(&["netpol", "diff", old, new]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("+ Deployment/kube-system/coredns -> StatefulSet/shop/postgres  TCP:5432\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("- Deployment/shop/frontend -> Deployment/shop/api  TCP:9000\n"),
        "{}",
        r.stdout
    );
    let r = run(&["netpol", "diff", old, new, "--format", "json"]);
    assert_eq!(r.code, 1);
    let v = json(&r.stdout);
    assert!(!v["gained"].as_array().unwrap().is_empty());
    assert!(!v["lost"].as_array().unwrap().is_empty());
    insta::assert_snapshot!("diff_json", r.stdout);
    let r = run(&["netpol", "diff", old, old]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "# 0 gained, 0 lost\n");
}

// ---------------------------------------------------------------------------------------
// invalid policies

#[test]
fn invalid_policies_are_located_errors_with_exit_2() {
    let file = "tests/fixtures/netpol/invalid.yaml";
    let r = run(&["netpol", "connections", file]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&format!(
            "{file}:13:17: error: NetworkPolicy shop/broken: `spec.ingress[0].from[0].ipBlock.cidr`: invalid CIDR `10.0.0.0/33`"
        )),
        "{}",
        r.stderr
    );
    // The answer is still printed, without the rejected policy.
    assert!(
        r.stdout
            .contains("Deployment/shop/web -> Deployment/shop/web  all")
    );
    // An invalid policy in the namespace of either end prevents an explanation's answer.
    let r = run(&[
        "netpol", "explain", "--from", "shop/web", "--to", "shop/web", file,
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("invalid NetworkPolicies were left out"));
    // Unreadable input too.
    let r = run(&[
        "netpol",
        "connections",
        "tests/fixtures/netpol/missing.yaml",
    ]);
    assert_eq!(r.code, 2);
}

// ---------------------------------------------------------------------------------------
// NET rules in `kubeward scan`

#[test]
fn scan_reports_net_findings_for_the_example_app() {
    let out = kubeward()
        .current_dir(repo_root())
        .args(["scan", "examples/", "--select", "NET", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: BTreeSet<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["location"]["file"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // postgres is reachable from every namespace; the shop allows all egress.
    assert!(
        found.contains(&(
            "NET008".to_string(),
            "examples/shop/database.yaml".to_string()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "NET007".to_string(),
            "examples/shop/network.yaml".to_string()
        )),
        "{found:?}"
    );
}

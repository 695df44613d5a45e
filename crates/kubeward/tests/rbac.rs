//! End-to-end tests of `kubeward rbac` (and the RBAC rules in `kubeward scan`), running the
//! real binary. The default-policy answers are those of a real cluster's bootstrap policy.
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

fn kubeward() -> Command {
    let mut cmd = Command::cargo_bin("kubeward").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd.current_dir(repo_root());
    cmd
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const TEAM: &str = "crates/kubeward/tests/fixtures/rbac/team.yaml";
const ANONYMOUS: &str = "crates/kubeward/tests/fixtures/rbac/anonymous.yaml";
const BROKEN: &str = "crates/kubeward/tests/fixtures/rbac/bad/broken.yaml";

/// Runs `kubeward rbac ARGS`, checks the exit code, returns stdout.
fn rbac(args: &[&str], code: i32) -> String {
    let out = kubeward()
        .arg("rbac")
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn json(args: &[&str], code: i32) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let text = rbac(&all, code);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn subjects(v: &Value) -> BTreeSet<String> {
    v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| match s["namespace"].as_str() {
            Some(ns) => format!(
                "{} {ns}/{}",
                s["kind"].as_str().unwrap(),
                s["name"].as_str().unwrap()
            ),
            None => format!(
                "{} {}",
                s["kind"].as_str().unwrap(),
                s["name"].as_str().unwrap()
            ),
        })
        .collect()
}

// --- who-can ---------------------------------------------------------------------------

#[test]
fn who_can_get_secrets_cluster_wide_with_defaults() {
    // A fresh cluster: only the superuser group, the controller manager and the two
    // controllers that must read every Secret (garbage collection, namespace deletion).
    let v = json(
        &[
            "who-can",
            "get",
            "secrets",
            "--cluster-wide",
            "--with-defaults",
        ],
        0,
    );
    assert_eq!(
        subjects(&v),
        [
            "Group system:masters",
            "ServiceAccount kube-system/generic-garbage-collector",
            "ServiceAccount kube-system/namespace-controller",
            "User system:kube-controller-manager",
        ]
        .into_iter()
        .map(String::from)
        .collect()
    );
    insta::assert_json_snapshot!("who_can_secrets_cluster_wide_defaults", v);
}

#[test]
fn who_can_get_secrets_in_a_namespace_follows_role_bindings() {
    // `edit` and `admin` read Secrets in shop (aggregated from system:aggregate-to-edit);
    // `view` does not; the shop service accounts read only one named Secret.
    let v = json(
        &[
            "who-can",
            "get",
            "secrets",
            "-n",
            "shop",
            "--with-defaults",
            TEAM,
        ],
        0,
    );
    let s = subjects(&v);
    for who in [
        "User bob",
        "User alice",
        "ServiceAccount ci/deployer",
        "ServiceAccount shop/reporter",
    ] {
        assert!(s.contains(who), "{who} missing from {s:?}");
    }
    assert!(
        !s.contains("User jane"),
        "view must not read secrets: {s:?}"
    );
    assert!(!s.contains("Group system:serviceaccounts:shop"), "{s:?}");
    // the exact JSON shape of the issue
    let bob = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "bob")
        .unwrap();
    assert_eq!(
        bob,
        &serde_json::json!({
            "kind": "User", "name": "bob", "namespace": null,
            "via": [{"binding": {"kind": "RoleBinding", "namespace": "shop", "name": "bob-edit"},
                     "role": {"kind": "ClusterRole", "name": "edit"}}]
        })
    );
    insta::assert_json_snapshot!("who_can_secrets_shop", v);
    // a named Secret adds the role with resourceNames
    let v = json(
        &[
            "who-can",
            "get",
            "secrets",
            "--name",
            "api-credentials",
            "-n",
            "shop",
            "--with-defaults",
            TEAM,
        ],
        0,
    );
    assert!(subjects(&v).contains("Group system:serviceaccounts:shop"));
}

#[test]
fn who_can_all_namespaces_and_text() {
    let text = rbac(
        &["who-can", "create", "deploy", "-A", "--with-defaults", TEAM],
        0,
    );
    assert!(
        text.starts_with("Who can create deployments.apps in any namespace:"),
        "{text}"
    );
    assert!(
        text.contains(
            "User bob\n  RoleBinding shop/bob-edit (crates/kubeward/tests/fixtures/rbac/team.yaml:"
        ),
        "{text}"
    );
    assert!(text.contains("superuser"), "{text}");
}

#[test]
fn who_can_non_resource_urls() {
    let v = json(
        &[
            "who-can",
            "get",
            "--non-resource-url",
            "/healthz",
            "--with-defaults",
        ],
        0,
    );
    let s = subjects(&v);
    assert!(s.contains("Group system:unauthenticated"), "{s:?}");
    assert!(s.contains("Group system:authenticated"), "{s:?}");
    // the URL may be given as the resource argument too, and inputs follow it
    let v2 = json(
        &["who-can", "get", "/healthz", "--with-defaults", ANONYMOUS],
        0,
    );
    assert_eq!(subjects(&v2), s);
}

// --- can-i -----------------------------------------------------------------------------

#[test]
fn view_cannot_read_secrets_edit_can() {
    rbac(
        &[
            "can-i",
            "get",
            "secrets",
            "-n",
            "shop",
            "--as",
            "jane",
            "--with-defaults",
            TEAM,
        ],
        1,
    );
    rbac(
        &[
            "can-i",
            "get",
            "pods",
            "-n",
            "shop",
            "--as",
            "jane",
            "--with-defaults",
            TEAM,
        ],
        0,
    );
    let v = json(
        &[
            "can-i",
            "get",
            "secrets",
            "-n",
            "shop",
            "--as",
            "bob",
            "--with-defaults",
            TEAM,
        ],
        0,
    );
    insta::assert_json_snapshot!("can_i_bob_secrets", v);
    // a RoleBinding grants only in its namespace
    rbac(
        &[
            "can-i",
            "get",
            "secrets",
            "-n",
            "prod",
            "--as",
            "bob",
            "--with-defaults",
            TEAM,
        ],
        1,
    );
    // admin aggregates edit: alice can too, and she can manage RoleBindings, bob cannot
    rbac(
        &[
            "can-i",
            "create",
            "rolebindings",
            "-n",
            "shop",
            "--as",
            "alice",
            "--with-defaults",
            TEAM,
        ],
        0,
    );
    rbac(
        &[
            "can-i",
            "create",
            "rolebindings",
            "-n",
            "shop",
            "--as",
            "bob",
            "--with-defaults",
            TEAM,
        ],
        1,
    );
}

#[test]
fn can_i_denied_json_and_text() {
    let v = json(
        &[
            "can-i",
            "delete",
            "nodes",
            "--as",
            "jane",
            "--with-defaults",
            TEAM,
        ],
        1,
    );
    assert_eq!(v, serde_json::json!({"allowed": false, "via": []}));
    assert_eq!(
        rbac(
            &[
                "can-i",
                "delete",
                "nodes",
                "--as",
                "jane",
                "--with-defaults"
            ],
            1
        ),
        "no\n"
    );
    assert_eq!(
        rbac(
            &[
                "can-i",
                "delete",
                "nodes",
                "--as",
                "jane",
                "--with-defaults",
                "-q"
            ],
            1
        ),
        ""
    );
    // system:masters is allowed everything, whatever RBAC says
    let text = rbac(
        &[
            "can-i",
            "delete",
            "nodes",
            "--as",
            "root",
            "--as-group",
            "system:masters",
            "--with-defaults",
        ],
        0,
    );
    assert!(text.starts_with("yes\n  superuser"), "{text}");
}

#[test]
fn can_i_service_account_impersonation() {
    // system:serviceaccount:NS:NAME is in system:serviceaccounts:NS
    let v = json(
        &[
            "can-i",
            "list",
            "configmaps",
            "-n",
            "shop",
            "--as",
            "system:serviceaccount:shop:api",
            "--with-defaults",
            TEAM,
        ],
        0,
    );
    assert_eq!(v["via"][0]["binding"]["name"], "shop-config");
    // explicit groups replace the implicit service-account groups (kubectl --as-group)
    rbac(
        &[
            "can-i",
            "list",
            "configmaps",
            "-n",
            "shop",
            "--as",
            "system:serviceaccount:shop:api",
            "--as-group",
            "devs",
            "--with-defaults",
            TEAM,
        ],
        1,
    );
    // resourceNames: get of the named Secret only, never list
    rbac(
        &[
            "can-i",
            "get",
            "secrets",
            "--name",
            "api-credentials",
            "-n",
            "shop",
            "--as",
            "system:serviceaccount:shop:api",
            TEAM,
        ],
        0,
    );
    rbac(
        &[
            "can-i",
            "get",
            "secrets",
            "--name",
            "other",
            "-n",
            "shop",
            "--as",
            "system:serviceaccount:shop:api",
            TEAM,
        ],
        1,
    );
    rbac(
        &[
            "can-i",
            "list",
            "secrets",
            "-n",
            "shop",
            "--as",
            "system:serviceaccount:shop:api",
            TEAM,
        ],
        1,
    );
    // the cluster-admin service account can do anything anywhere
    rbac(
        &[
            "can-i",
            "*",
            "*",
            "-A",
            "--as",
            "system:serviceaccount:shop:reporter",
            "--with-defaults",
            TEAM,
        ],
        0,
    );
}

#[test]
fn can_i_anonymous() {
    rbac(
        &[
            "can-i",
            "get",
            "/healthz",
            "--as",
            "system:anonymous",
            "--with-defaults",
        ],
        0,
    );
    rbac(
        &[
            "can-i",
            "get",
            "/api",
            "--as",
            "system:anonymous",
            "--with-defaults",
        ],
        1,
    );
    rbac(
        &[
            "can-i",
            "list",
            "pods",
            "-n",
            "public",
            "--as",
            "system:anonymous",
            "--with-defaults",
        ],
        1,
    );
    // system:anonymous is in system:unauthenticated
    let v = json(
        &[
            "can-i",
            "list",
            "pods",
            "-n",
            "public",
            "--as",
            "system:anonymous",
            "--with-defaults",
            ANONYMOUS,
        ],
        0,
    );
    assert_eq!(v["via"][0]["binding"]["name"], "anon-pods");
}

// --- access ----------------------------------------------------------------------------

#[test]
fn what_system_authenticated_can_do() {
    // A user with no bindings of their own holds what the default policy grants to
    // system:authenticated: self reviews and discovery.
    let v = json(&["access", "--as", "someone", "-A", "--with-defaults"], 0);
    assert_eq!(v["groups"], serde_json::json!(["system:authenticated"]));
    let resources: BTreeSet<&str> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["resource"].as_str())
        .collect();
    assert_eq!(
        resources,
        [
            "selfsubjectaccessreviews",
            "selfsubjectreviews",
            "selfsubjectrulesreviews"
        ]
        .into()
    );
    insta::assert_json_snapshot!("access_authenticated", v);
    let text = rbac(&["access", "--as", "someone", "-A", "--with-defaults"], 0);
    assert!(text.starts_with("Resources"), "{text}");
    assert!(
        text.contains("selfsubjectaccessreviews.authorization.k8s.io   []"),
        "{text}"
    );
    assert!(text.contains("[/healthz]"), "{text}");
}

#[test]
fn access_matrix() {
    let args = [
        "access",
        "--as",
        "jane",
        "-n",
        "shop",
        "--with-defaults",
        TEAM,
        "--matrix",
        "--verbs",
        "get,list,create,delete",
    ];
    let v = json(&args, 0);
    let row = |resource: &str| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"] == resource)
            .unwrap()["allowed"]
            .clone()
    };
    assert_eq!(
        row("pods"),
        serde_json::json!({"get": true, "list": true, "create": false, "delete": false})
    );
    assert_eq!(
        row("secrets"),
        serde_json::json!({"get": false, "list": false, "create": false, "delete": false})
    );
    // namespaced resources only, like rakkess -n
    assert!(
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["resource"] != "nodes")
    );
    insta::assert_json_snapshot!("access_matrix_jane", v);
    let text = rbac(&args, 0);
    assert!(text.starts_with("NAME"), "{text}");
    assert!(text.contains("\npods "), "{text}");
    assert!(text.contains('✔') && text.contains('✖'), "{text}");
}

// --- paths -----------------------------------------------------------------------------

#[test]
fn paths_json_from_workloads() {
    let v = json(&["paths", "--from-workloads", "--with-defaults", TEAM], 1);
    let starts: Vec<&Value> = v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["start"])
        .collect();
    assert!(
        starts.contains(&&serde_json::json!({"type": "workload", "kind": "CronJob", "namespace": "shop", "name": "nightly-report"})),
        "{starts:?}"
    );
    // the web Deployment's service account has no grants: no path
    assert!(starts.iter().all(|s| s["name"] != "web"), "{starts:?}");
    let steps = &v["paths"][0]["steps"];
    assert_eq!(
        steps.as_array().unwrap().last().unwrap()["to"]["type"],
        "cluster-admin"
    );
    insta::assert_json_snapshot!("paths_from_workloads", v);
}

#[test]
fn paths_from_one_subject() {
    // ci/deployer edits shop: it can run a pod as shop/reporter, which is cluster-admin.
    let v = json(&["paths", "sa:ci/deployer", "--with-defaults", TEAM], 1);
    let path = &v["paths"][0];
    assert_eq!(
        path["start"],
        serde_json::json!({"type": "service-account", "namespace": "ci", "name": "deployer"})
    );
    let reasons: Vec<&str> = path["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.last(), Some(&"wildcard-all"), "{reasons:?}");
    insta::assert_json_snapshot!("paths_deployer", v);
    let text = rbac(
        &[
            "paths",
            "--subject",
            "system:serviceaccount:ci:deployer",
            "--with-defaults",
            TEAM,
        ],
        1,
    );
    assert!(
        text.contains("ServiceAccount ci/deployer → cluster-admin"),
        "{text}"
    );
    // jane only views: no path, exit 0
    let text = rbac(&["paths", "user:jane", "--with-defaults", TEAM], 0);
    assert_eq!(text, "No path from User jane to cluster-admin.\n");
}

#[test]
fn paths_dot() {
    let dot = rbac(&["paths", "--with-defaults", TEAM, "--format", "dot"], 1);
    assert!(dot.starts_with("digraph escalation {"), "{dot}");
    assert!(
        dot.contains("label=\"cluster-admin\", shape=doubleoctagon"),
        "{dot}"
    );
    assert!(dot.trim_end().ends_with('}'));
    // one subject: only its path
    let dot = rbac(
        &[
            "paths",
            "sa:ci/deployer",
            "--with-defaults",
            TEAM,
            "--format",
            "dot",
        ],
        1,
    );
    assert!(dot.contains("ServiceAccount ci/deployer"), "{dot}");
    assert!(!dot.contains("User jane"), "{dot}");
    insta::assert_snapshot!("paths_deployer_dot", dot);
}

// --- exit codes and bad input ----------------------------------------------------------

#[test]
fn usage_and_input_errors_exit_2() {
    // no input at all
    let out = kubeward()
        .args(["rbac", "who-can", "get", "pods"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("no input"));
    // unknown flag, missing --as
    kubeward()
        .args(["rbac", "can-i", "get", "pods", "--with-defaults"])
        .assert()
        .code(2);
    kubeward()
        .args(["rbac", "who-can", "get", "pods", "--bogus"])
        .assert()
        .code(2);
    // -n and -A together
    kubeward()
        .args([
            "rbac",
            "who-can",
            "get",
            "pods",
            "-n",
            "x",
            "-A",
            "--with-defaults",
        ])
        .assert()
        .code(2);
    // unreadable input: the answer is still printed, the exit code says it is incomplete
    let out = kubeward()
        .args([
            "rbac",
            "who-can",
            "get",
            "pods",
            "--with-defaults",
            "does/not/exist.yaml",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Who can get pods"));
    // a YAML syntax error is located
    let out = kubeward()
        .args([
            "rbac",
            "can-i",
            "get",
            "pods",
            "--as",
            "x",
            "--with-defaults",
            BROKEN,
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8_lossy(&out).contains("broken.yaml:"),
        "{}",
        String::from_utf8_lossy(&out)
    );
}

#[test]
fn stdin_input() {
    let yaml = std::fs::read_to_string(repo_root().join(ANONYMOUS)).unwrap();
    kubeward()
        .args([
            "rbac",
            "can-i",
            "list",
            "pods",
            "-n",
            "public",
            "--as",
            "system:anonymous",
            "--with-defaults",
            "-",
        ])
        .write_stdin(yaml)
        .assert()
        .code(0);
}

// --- scan --------------------------------------------------------------------------------

#[test]
fn example_app_has_rbac_findings() {
    let out = kubeward()
        .args(["scan", "examples/", "--format", "json", "--select", "RBAC"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let found: BTreeSet<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["location"]["file"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    for (code, file) in [
        ("RBAC001", "examples/shop/rbac.yaml"),
        ("RBAC003", "examples/shop/rbac.yaml"),
        ("RBAC005", "examples/shop/rbac.yaml"),
        ("RBAC010", "examples/shop/rbac.yaml"),
        ("RBAC014", "examples/shop/node-agent.yaml"),
    ] {
        assert!(
            found.contains(&(code.to_string(), file.to_string())),
            "{code} in {file} missing: {found:?}"
        );
    }
}

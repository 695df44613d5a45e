//! Integration tests of the public API, driven by YAML fixtures and by the default policy
//! (whose answers are those of a real cluster with only the bootstrap policy).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use kubeward_rbac::{
    Decision, EdgeReason, FindingKind, GraphNode, MATRIX_VERBS, ObjectKind, Policy, Request,
    RiskKind, RiskOptions, Scope, SourceId, SubjectKind, UserInfo, WorkloadRef,
};

/// Loads a fixture with `add_object`, one source id per document (`base + index`).
fn load(policy: &mut Policy, fixture: &str, base: usize) {
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = kubeward_yaml::parse_str(&text);
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    for doc in &parsed.documents {
        assert!(
            policy
                .add_object(SourceId(base + doc.index), &doc.root)
                .unwrap(),
            "{fixture} #{}",
            doc.index
        );
    }
}

fn with(fixture: &str) -> Policy {
    let mut p = Policy::with_defaults();
    load(&mut p, fixture, 0);
    p
}

fn names(p: &Policy, req: &Request) -> BTreeSet<String> {
    p.who_can(req)
        .into_iter()
        .map(|g| match g.namespace {
            Some(ns) => format!("{}:{ns}/{}", g.kind, g.name),
            None => format!("{}:{}", g.kind, g.name),
        })
        .collect()
}

fn user(name: &str) -> UserInfo {
    UserInfo::impersonate(name, &[])
}

fn allowed(d: &Decision) -> bool {
    d.allowed
}

// ---------------------------------------------------------------- default policy

#[test]
fn defaults_who_can_get_secrets_cluster_wide() {
    let p = Policy::with_defaults();
    let who = names(&p, &Request::resource("get", "", "secrets"));
    let expected: BTreeSet<String> = [
        "Group:system:masters",
        "User:system:kube-controller-manager",
        "ServiceAccount:kube-system/generic-garbage-collector",
        "ServiceAccount:kube-system/namespace-controller",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(who, expected);
    let masters = p
        .who_can(&Request::resource("get", "", "secrets"))
        .into_iter()
        .find(|g| g.name == "system:masters")
        .unwrap();
    assert!(masters.superuser);
    assert_eq!(masters.via[0].binding.name, "cluster-admin");
    assert_eq!(masters.via[0].binding.kind, ObjectKind::ClusterRoleBinding);
    assert_eq!(masters.via[0].binding.source, None);
    assert_eq!(masters.via[0].rule.path, "rules[0]");
}

#[test]
fn defaults_aggregation_admin_edit_view() {
    let p = Policy::with_defaults();
    assert_eq!(
        p.aggregated_from("admin"),
        ["edit", "system:aggregate-to-admin"]
    );
    assert_eq!(
        p.aggregated_from("edit"),
        ["system:aggregate-to-edit", "view"]
    );
    assert_eq!(p.aggregated_from("view"), ["system:aggregate-to-view"]);
    assert!(p.aggregated_from("cluster-admin").is_empty());

    let rules_of = |name: &str| p.cluster_role_rules(name).unwrap();
    // admin ⊇ edit ⊇ view, with the contributing role as the rule's site
    let view = rules_of("view");
    let edit = rules_of("edit");
    let admin = rules_of("admin");
    assert!(
        view.iter()
            .all(|(_, site)| site.role.name == "system:aggregate-to-view")
    );
    for (rule, _) in &view {
        assert!(edit.iter().any(|(r, _)| r == rule));
    }
    for (rule, _) in &edit {
        assert!(admin.iter().any(|(r, _)| r == rule));
    }
    // no duplicates
    let distinct: BTreeSet<_> = admin.iter().map(|(r, _)| r.clone()).collect();
    assert_eq!(distinct.len(), admin.len());
}

#[test]
fn defaults_view_cannot_read_secrets_but_edit_and_admin_can() {
    let mut p = Policy::with_defaults();
    p.add_yaml_str(
        SourceId(1),
        r"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: viewer}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: editor}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: admins, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: User, name: admin}]
",
    )
    .unwrap();
    let get_secret = Request::resource("get", "", "secrets")
        .name("db")
        .namespace("app");
    let list_pods = Request::resource("list", "", "pods").namespace("app");
    let create_rb =
        Request::resource("create", "rbac.authorization.k8s.io", "rolebindings").namespace("app");
    assert!(!p.can_i(&user("viewer"), &get_secret).allowed);
    assert!(p.can_i(&user("viewer"), &list_pods).allowed);
    assert!(p.can_i(&user("editor"), &get_secret).allowed);
    assert!(!p.can_i(&user("editor"), &create_rb).allowed);
    assert!(p.can_i(&user("admin"), &get_secret).allowed);
    assert!(p.can_i(&user("admin"), &create_rb).allowed);
    // edit's secret access comes from system:aggregate-to-edit
    let d = p.can_i(&user("editor"), &get_secret);
    assert_eq!(d.via[0].role.name, "edit");
    assert_eq!(d.via[0].rule.role.name, "system:aggregate-to-edit");
    // nothing outside the namespace
    assert!(
        !p.can_i(
            &user("admin"),
            &Request::resource("get", "", "secrets")
                .name("db")
                .namespace("other")
        )
        .allowed
    );
    assert!(
        !p.can_i(&user("admin"), &Request::resource("list", "", "nodes"))
            .allowed
    );
}

#[test]
fn defaults_system_authenticated() {
    let p = Policy::with_defaults();
    let jane = user("jane");
    assert_eq!(jane.groups, ["system:authenticated"]);
    for req in [
        Request::resource("create", "authorization.k8s.io", "selfsubjectaccessreviews"),
        Request::resource("create", "authorization.k8s.io", "selfsubjectrulesreviews"),
        Request::resource("create", "authentication.k8s.io", "selfsubjectreviews"),
        Request::non_resource("get", "/api"),
        Request::non_resource("get", "/api/v1"),
        Request::non_resource("get", "/apis/apps/v1"),
        Request::non_resource("get", "/version"),
        Request::non_resource("get", "/healthz"),
        Request::non_resource("get", "/openapi/v3"),
    ] {
        assert!(p.can_i(&jane, &req).allowed, "{req}");
    }
    for req in [
        Request::resource("list", "", "namespaces"),
        Request::resource("get", "", "secrets").namespace("default"),
        Request::non_resource("get", "/metrics"),
        Request::non_resource("post", "/api"),
    ] {
        assert!(!p.can_i(&jane, &req).allowed, "{req}");
    }
    let who = names(
        &p,
        &Request::resource("create", "authorization.k8s.io", "selfsubjectaccessreviews"),
    );
    assert!(who.contains("Group:system:authenticated"));
    assert!(!who.contains("Group:system:unauthenticated"));
    // the issuer-discovery binding is for service accounts
    let sa = UserInfo::service_account("default", "default");
    assert!(
        p.can_i(
            &sa,
            &Request::non_resource("get", "/.well-known/openid-configuration")
        )
        .allowed
    );
    assert!(
        !p.can_i(
            &jane,
            &Request::non_resource("get", "/.well-known/openid-configuration")
        )
        .allowed
    );

    let listed = p.effective_rules(&jane, None);
    assert!(!listed.incomplete);
    let urls: BTreeSet<_> = listed
        .rules
        .iter()
        .filter_map(|r| r.non_resource_url.clone())
        .collect();
    for u in [
        "/api",
        "/api/*",
        "/apis",
        "/apis/*",
        "/healthz",
        "/livez",
        "/readyz",
        "/version",
        "/version/",
    ] {
        assert!(urls.contains(u), "{u}");
    }
}

#[test]
fn defaults_system_anonymous() {
    let p = Policy::with_defaults();
    let anon = UserInfo::anonymous();
    assert_eq!(anon.groups, ["system:unauthenticated"]);
    for path in ["/healthz", "/livez", "/readyz", "/version", "/version/"] {
        assert!(
            p.can_i(&anon, &Request::non_resource("get", path)).allowed,
            "{path}"
        );
    }
    for path in ["/api", "/apis", "/healthz/etcd", "/metrics", "/openapi/v2"] {
        assert!(
            !p.can_i(&anon, &Request::non_resource("get", path)).allowed,
            "{path}"
        );
    }
    assert!(
        !p.can_i(
            &anon,
            &Request::resource("create", "authorization.k8s.io", "selfsubjectaccessreviews")
        )
        .allowed
    );
    let rules = p.effective_rules(&anon, Some("default")).rules;
    assert!(rules.iter().all(|r| r.resource.is_none()), "{rules:?}");
}

#[test]
fn defaults_masters_short_circuit_and_impersonation_groups() {
    let p = Policy::new(); // no objects at all: system:masters is still allowed
    let root = UserInfo::impersonate("root", &["system:masters"]);
    assert_eq!(root.groups, ["system:masters", "system:authenticated"]);
    let d = p.can_i(&root, &Request::resource("delete", "", "nodes").name("n1"));
    assert!(d.allowed && d.superuser && d.via.is_empty());
    assert!(
        !p.can_i(
            &user("root"),
            &Request::resource("delete", "", "nodes").name("n1")
        )
        .allowed
    );
    // explicit groups are the authority; system:unauthenticated suppresses system:authenticated
    assert_eq!(
        UserInfo::impersonate("x", &["system:unauthenticated"]).groups,
        ["system:unauthenticated"]
    );
    assert_eq!(
        UserInfo::impersonate("system:serviceaccount:ci:bot", &["team"]).groups,
        ["team", "system:authenticated"]
    );
    // an invalid service-account user name is a plain user
    assert_eq!(
        UserInfo::impersonate("system:serviceaccount:Bad:x", &[]).groups,
        ["system:authenticated"]
    );

    let with_defaults = Policy::with_defaults();
    let d = with_defaults.can_i(&root, &Request::resource("delete", "", "nodes").name("n1"));
    assert!(d.superuser);
    assert_eq!(d.via[0].binding.name, "cluster-admin");
}

// ---------------------------------------------------------------- semantic corners

#[test]
fn resource_names_with_list_and_create() {
    let p = with("corners.yaml");
    let alice = user("alice");
    let cm = |verb: &str| Request::resource(verb, "", "configmaps").namespace("team-a");
    assert!(p.can_i(&alice, &cm("get").name("app-config")).allowed);
    assert!(p.can_i(&alice, &cm("update").name("app-config")).allowed);
    assert!(!p.can_i(&alice, &cm("get").name("other")).allowed);
    for verb in ["list", "watch", "create", "deletecollection"] {
        assert!(!p.can_i(&alice, &cm(verb)).allowed, "{verb}");
    }
    // who-can: by name yes, without a name no
    assert!(names(&p, &cm("get").name("app-config")).contains("User:alice"));
    assert!(!names(&p, &cm("list")).contains("User:alice"));
    // effective rules show the name
    let rules = p.effective_rules(&alice, Some("team-a")).rules;
    let row = rules
        .iter()
        .find(|r| r.resource.as_deref() == Some("configmaps"))
        .unwrap();
    assert_eq!(row.resource_name.as_deref(), Some("app-config"));
    assert_eq!(
        row.verbs,
        [
            "get",
            "list",
            "watch",
            "create",
            "update",
            "delete",
            "deletecollection"
        ]
    );
}

#[test]
fn subresource_wildcards() {
    let p = with("corners.yaml");
    let scaler = UserInfo::impersonate("s", &["scalers"]);
    let scale = |group: &str, res: &str| {
        Request::resource("update", group, res)
            .subresource("scale")
            .name("x")
            .namespace("n")
    };
    assert!(p.can_i(&scaler, &scale("apps", "deployments")).allowed);
    assert!(
        p.can_i(&scaler, &scale("", "replicationcontrollers"))
            .allowed
    );
    assert!(
        !p.can_i(
            &scaler,
            &Request::resource("update", "apps", "deployments")
                .name("x")
                .namespace("n")
        )
        .allowed
    );
    // `pods/*` is literal upstream: no exec
    let exec = Request::resource("create", "", "pods")
        .subresource("exec")
        .name("p")
        .namespace("n");
    assert!(!p.can_i(&scaler, &exec).allowed);
    assert!(
        p.can_i(
            &scaler,
            &Request::resource("get", "", "pods")
                .subresource("log")
                .name("p")
                .namespace("n")
        )
        .allowed
    );
    assert!(
        !p.can_i(
            &scaler,
            &Request::resource("get", "", "pods")
                .name("p")
                .namespace("n")
        )
        .allowed
    );
    let who = names(&p, &scale("apps", "statefulsets"));
    assert!(who.contains("Group:scalers"));
    // the namespace-less ServiceAccount subject of a ClusterRoleBinding never matches
    assert!(!who.iter().any(|n| n.contains("orphan")));
}

#[test]
fn rolebinding_to_clusterrole_is_scoped_to_its_namespace() {
    let p = with("corners.yaml");
    let alice = user("alice");
    // metrics-reader bound by a RoleBinding: cluster-scoped resources and URLs are not granted
    assert!(
        !p.can_i(&alice, &Request::non_resource("get", "/metrics"))
            .allowed
    );
    assert!(
        !p.can_i(&alice, &Request::resource("list", "", "nodes"))
            .allowed
    );
    // ... while the ClusterRoleBinding grants them to prometheus
    let prom = user("prometheus");
    assert!(
        p.can_i(&prom, &Request::non_resource("get", "/metrics"))
            .allowed
    );
    assert!(
        p.can_i(&prom, &Request::resource("list", "", "nodes"))
            .allowed
    );
    // configmap-by-name in team-a only
    let in_ns = |ns: &str| {
        Request::resource("get", "", "configmaps")
            .name("app-config")
            .namespace(ns)
    };
    assert!(p.can_i(&alice, &in_ns("team-a")).allowed);
    assert!(!p.can_i(&alice, &in_ns("team-b")).allowed);
    assert!(
        !p.can_i(
            &alice,
            &Request::resource("get", "", "configmaps").name("app-config")
        )
        .allowed
    );
    // who-can across namespaces reports the RoleBinding with its namespace
    let all = p.who_can(
        &Request::resource("get", "", "configmaps")
            .name("app-config")
            .all_namespaces(),
    );
    let a = all.iter().find(|g| g.name == "alice").unwrap();
    assert_eq!(a.via[0].binding.namespace.as_deref(), Some("team-a"));
    assert!(!names(&p, &in_ns("team-b")).contains("User:alice"));
    assert!(
        !names(
            &p,
            &Request::resource("get", "", "configmaps").name("app-config")
        )
        .contains("User:alice")
    );
}

#[test]
fn service_account_subjects_and_usernames() {
    let p = with("corners.yaml");
    let list = Request::resource("list", "", "pods").namespace("team-a");
    assert!(
        p.can_i(&UserInfo::service_account("team-a", "bot"), &list)
            .allowed
    );
    assert!(
        p.can_i(&UserInfo::service_account("tools", "ci"), &list)
            .allowed
    );
    assert!(
        !p.can_i(&UserInfo::service_account("other", "bot"), &list)
            .allowed
    );
    assert!(!p.can_i(&user("bot"), &list).allowed);
    let who = names(&p, &list);
    assert!(who.contains("ServiceAccount:team-a/bot"));
    assert!(who.contains("ServiceAccount:tools/ci"));
    let grant = p
        .who_can(&list)
        .into_iter()
        .find(|g| g.name == "ci")
        .unwrap();
    assert_eq!(grant.kind, SubjectKind::ServiceAccount);
    assert_eq!(grant.via[0].subject_path, "subjects[1]");
    assert_eq!(grant.via[0].role.kind, ObjectKind::Role);
    assert_eq!(grant.via[0].rule.path, "rules[0]");
    assert_eq!(grant.via[0].binding.source, Some(SourceId(6)));
}

#[test]
fn non_resource_url_prefix() {
    let p = with("corners.yaml");
    let prom = user("prometheus");
    assert!(
        p.can_i(&prom, &Request::non_resource("get", "/debug/pprof/heap"))
            .allowed
    );
    assert!(
        p.can_i(&prom, &Request::non_resource("get", "/debug/"))
            .allowed
    );
    assert!(
        !p.can_i(&prom, &Request::non_resource("get", "/debug"))
            .allowed
    );
    assert!(
        !p.can_i(&prom, &Request::non_resource("get", "/metrics/extra"))
            .allowed
    );
    assert!(
        !p.can_i(&prom, &Request::non_resource("post", "/metrics"))
            .allowed
    );
    assert!(names(&p, &Request::non_resource("get", "/debug/vars")).contains("User:prometheus"));
    // RoleBindings never grant non-resource URLs
    assert!(!names(&p, &Request::non_resource("get", "/debug/vars")).contains("User:alice"));
}

#[test]
fn missing_roles_are_findings_not_errors() {
    let p = with("corners.yaml");
    let f = p.findings();
    let kinds: Vec<_> = f
        .iter()
        .map(|f| (f.kind, f.object.name.as_str(), f.path.as_str()))
        .collect();
    assert!(
        kinds.contains(&(FindingKind::MissingRole, "dangling", "roleRef")),
        "{kinds:?}"
    );
    assert!(kinds.contains(&(FindingKind::InvalidRoleRef, "crb-to-role", "roleRef")));
    assert!(kinds.contains(&(
        FindingKind::ServiceAccountSubjectWithoutNamespace,
        "scalers",
        "subjects[1]"
    )));
    // alice is subject of the dangling binding: her decision lists it
    let d = p.can_i(
        &user("alice"),
        &Request::resource("get", "", "pods").namespace("team-a"),
    );
    assert!(!d.allowed);
    assert_eq!(d.unresolved.len(), 2, "{:?}", d.unresolved);
    let r = p.effective_rules(&user("alice"), Some("team-a"));
    assert!(r.incomplete);
}

#[test]
fn aggregation_with_selectors() {
    let p = with("aggregation.yaml");
    assert_eq!(
        p.aggregated_from("monitoring"),
        ["monitoring-dup", "monitoring-endpoints"]
    );
    let rules = p.cluster_role_rules("monitoring").unwrap();
    assert_eq!(rules.len(), 2, "{rules:?}");
    assert_eq!(rules[0].1.role.name, "monitoring-dup");
    assert_eq!(rules[0].1.path, "rules[0]");
    assert_eq!(rules[1].0.non_resource_urls, ["/metrics"]);
    // its own `*` rule is replaced, monitoring-old (deprecated) is not aggregated
    assert!(
        !rules
            .iter()
            .any(|(r, _)| r.resources.contains(&"secrets".to_string())
                || r.verbs.contains(&"*".to_string()))
    );
    // aggregation of an aggregated role settles
    let platform = p.cluster_role_rules("platform").unwrap();
    assert_eq!(platform, rules);
    let team = UserInfo::impersonate("p", &["platform"]);
    assert!(
        p.can_i(
            &team,
            &Request::resource("watch", "", "endpoints").namespace("x")
        )
        .allowed
    );
    assert!(
        !p.can_i(
            &team,
            &Request::resource("get", "", "secrets")
                .name("s")
                .namespace("x")
        )
        .allowed
    );
    // an invalid selector: the controller errors, the role keeps its rules
    let broken = p.cluster_role_rules("broken-selector").unwrap();
    assert_eq!(broken.len(), 1);
    assert!(
        p.findings()
            .iter()
            .any(|f| f.kind == FindingKind::InvalidAggregationSelector
                && f.path == "aggregationRule.clusterRoleSelectors[0]")
    );
    // reachability: monitoring-endpoints is reachable through platform
    let report = p.risk_report(&RiskOptions::default());
    let reach = |name: &str| {
        report
            .roles
            .iter()
            .find(|r| r.role.name == name)
            .unwrap()
            .reachable
    };
    assert!(reach("platform"));
    assert!(reach("monitoring-platform-label"));
    assert!(reach("monitoring-endpoints"));
    assert!(!reach("monitoring"));
    assert!(!reach("monitoring-old"));
}

#[test]
fn aggregation_cycle_settles_deterministically() {
    let mut p = Policy::new();
    p.add_yaml_str(
        SourceId(0),
        r"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a, labels: {agg: 'true'}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: 'true'}}]}
rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: b, labels: {agg: 'true'}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: 'true'}}]}
rules: [{apiGroups: [''], resources: [secrets], verbs: [get]}]
",
    )
    .unwrap();
    // a takes b's rules, then b takes a's (now b's own): both end with b's rule
    let a = p.cluster_role_rules("a").unwrap();
    let b = p.cluster_role_rules("b").unwrap();
    assert_eq!(a, b);
    assert_eq!(a[0].0.resources, ["secrets"]);
}

#[test]
fn matrix_helper() {
    let p = with("corners.yaml");
    let m = p.access_matrix(
        &UserInfo::service_account("team-a", "bot"),
        &Scope::Namespace("team-a".into()),
        &[("", "pods"), ("", "pods/log"), ("apps", "deployments")],
        &MATRIX_VERBS,
    );
    assert_eq!(m.verbs.len(), 8);
    assert_eq!(
        m.rows[0].allowed,
        [true, true, false, false, false, false, false, false]
    );
    assert!(m.rows[1].allowed.iter().all(|a| !a));
    assert!(m.rows[2].allowed.iter().all(|a| !a));
}

// ---------------------------------------------------------------- escalation

fn workloads() -> Vec<WorkloadRef> {
    vec![
        WorkloadRef {
            kind: "Deployment".into(),
            namespace: "ops".into(),
            name: "operator".into(),
            service_account: "operator".into(),
            source: Some(SourceId(100)),
        },
        WorkloadRef {
            kind: "Deployment".into(),
            namespace: "shop".into(),
            name: "web".into(),
            service_account: "web".into(),
            source: Some(SourceId(101)),
        },
    ]
}

#[test]
fn escalation_paths_through_workloads_secrets_and_impersonation() {
    let p = with("escalation.yaml");
    let g = p.escalation_paths(&workloads());
    let sa = |ns: &str, n: &str| GraphNode::ServiceAccount {
        namespace: ns.into(),
        name: n.into(),
    };
    let u = |n: &str| GraphNode::User { name: n.into() };

    let op = g.path_from(&sa("ops", "operator")).unwrap();
    assert_eq!(op.steps.len(), 1);
    assert_eq!(op.steps[0].reason, EdgeReason::WildcardAll);
    assert_eq!(
        op.steps[0].via.as_ref().unwrap().binding.name,
        "operator-admin"
    );

    // deployer patches the operator deployment, which runs as the operator
    let dep = g.path_from(&sa("ci", "deployer")).unwrap();
    let reasons: Vec<_> = dep.steps.iter().map(|s| s.reason).collect();
    assert_eq!(
        reasons,
        [
            EdgeReason::UpdateWorkload,
            EdgeReason::RunsAs,
            EdgeReason::WildcardAll
        ]
    );
    let via = dep.steps[0].via.as_ref().unwrap();
    assert_eq!(
        (via.binding.name.as_str(), via.rule.path.as_str()),
        ("deployer-patch", "rules[0]")
    );
    assert_eq!(via.binding.source, Some(SourceId(5)));

    // dev lists secrets in ops: the operator's token
    let dev = g.path_from(&u("dev")).unwrap();
    assert_eq!(dev.steps[0].reason, EdgeReason::ReadSecrets);
    assert_eq!(dev.steps.last().unwrap().to, GraphNode::ClusterAdmin);
    assert!(dev.steps.iter().any(|s| s.to == sa("ops", "operator")));

    // support impersonates system:masters
    let support = g.path_from(&u("support")).unwrap();
    assert_eq!(support.steps.len(), 1);
    assert_eq!(support.steps[0].reason, EdgeReason::Impersonate);

    // the intern can exec into shop pods, but web is powerless: no path
    assert!(g.path_from(&u("intern")).is_none());
    assert!(
        g.edges
            .iter()
            .any(|e| e.reason == EdgeReason::PodExec && g.nodes[e.from] == u("intern"))
    );
    assert!(g.path_from(&sa("shop", "web")).is_none());

    let dot = g.to_dot();
    assert!(dot.starts_with("digraph escalation {"));
    assert!(dot.contains("\"cluster-admin\""));
    assert!(dot.contains("label=\"update-workload\""));
}

#[test]
fn escalation_exec_into_powerful_pod() {
    let mut p = with("escalation.yaml");
    // now the intern may exec in ops, where the operator runs
    p.add_yaml_str(
        SourceId(50),
        r"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: intern-exec-ops, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: intern}]
",
    )
    .unwrap();
    let g = p.escalation_paths(&workloads());
    let path = g
        .path_from(&GraphNode::User {
            name: "intern".into(),
        })
        .unwrap();
    assert_eq!(path.steps.last().unwrap().to, GraphNode::ClusterAdmin);
    assert_eq!(
        path.steps[0].via.as_ref().unwrap().binding.name,
        "intern-exec-ops"
    );
}

// ---------------------------------------------------------------- risk

#[test]
fn risk_report_findings() {
    let p = with("risky.yaml");
    let report = p.risk_report(&RiskOptions::default());
    let has = |binding: &str, path: &str, kind: RiskKind| {
        report
            .findings
            .iter()
            .any(|f| f.binding.name == binding && f.path == path && f.kind == kind)
    };
    for kind in [
        RiskKind::WildcardVerb,
        RiskKind::WildcardResource,
        RiskKind::WildcardApiGroup,
        RiskKind::ClusterAdminEquivalent,
        RiskKind::SecretReadClusterWide,
    ] {
        assert!(has("everyone-admin", "roleRef", kind), "{kind:?}");
    }
    assert!(has(
        "everyone-admin",
        "subjects[0]",
        RiskKind::AllAuthenticatedSubject
    ));
    assert!(has(
        "app-secrets",
        "roleRef",
        RiskKind::SecretReadClusterWide
    ));
    assert!(has(
        "app-secrets",
        "subjects[1]",
        RiskKind::MissingServiceAccount
    ));
    assert!(has(
        "app-secrets",
        "subjects[2]",
        RiskKind::DefaultServiceAccount
    ));
    assert!(!has(
        "app-secrets",
        "subjects[0]",
        RiskKind::MissingServiceAccount
    ));
    // a RoleBinding of the same role: not cluster-wide
    assert!(!has(
        "ns-secrets",
        "roleRef",
        RiskKind::SecretReadClusterWide
    ));
    assert!(has("ns-secrets", "subjects[0]", RiskKind::AnonymousSubject));
    assert!(has("managers", "roleRef", RiskKind::Bind));
    assert!(has("managers", "roleRef", RiskKind::Escalate));
    assert!(has("managers", "roleRef", RiskKind::Impersonate));
    assert!(!has("managers", "roleRef", RiskKind::WildcardVerb));
    assert!(has("to-nowhere", "roleRef", RiskKind::MissingRole));

    // secondary location: the rule
    let f = report
        .findings
        .iter()
        .find(|f| f.binding.name == "app-secrets" && f.kind == RiskKind::SecretReadClusterWide)
        .unwrap();
    let rule = f.rule.as_ref().unwrap();
    assert_eq!(
        (rule.role.name.as_str(), rule.path.as_str()),
        ("secret-reader", "rules[1]")
    );
    assert_eq!(rule.role.source, Some(SourceId(2)));
    assert_eq!(f.binding.source, Some(SourceId(6)));
    // defaults are left out unless asked
    assert!(report.findings.iter().all(|f| f.binding.source.is_some()));
    let all = p.risk_report(&RiskOptions {
        include_defaults: true,
    });
    assert!(
        all.findings.iter().any(
            |f| f.binding.name == "cluster-admin" && f.kind == RiskKind::ClusterAdminEquivalent
        )
    );

    // reachability
    let reach = |name: &str| {
        report
            .roles
            .iter()
            .find(|r| r.role.name == name)
            .unwrap()
            .clone()
    };
    assert!(!reach("unused").reachable);
    assert!(reach("unused").bindings.is_empty());
    assert!(reach("secret-reader").reachable);
    assert_eq!(reach("secret-reader").bindings.len(), 2);

    // serializes
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"kind\":\"cluster-admin-equivalent\""));
}

#[test]
fn results_serialize_to_json() {
    let p = with("corners.yaml");
    let who = p.who_can(&Request::resource("list", "", "pods").namespace("team-a"));
    let json = serde_json::to_value(&who).unwrap();
    let bot = json
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "bot")
        .unwrap();
    assert_eq!(bot["kind"], "ServiceAccount");
    assert_eq!(bot["namespace"], "team-a");
    assert_eq!(bot["via"][0]["binding"]["kind"], "RoleBinding");
    assert_eq!(bot["via"][0]["rule"]["path"], "rules[0]");
    let req: Request = serde_json::from_str(
        r#"{"type":"resource","verb":"get","api_group":"","resource":"pods","scope":{"namespace":"team-a"}}"#,
    )
    .unwrap();
    assert!(allowed(
        &p.can_i(&UserInfo::service_account("team-a", "bot"), &req)
    ));
    let g = p.escalation_paths(&[]);
    serde_json::to_string(&g).unwrap();
}

#[test]
fn bad_objects_are_errors_with_paths_and_others_are_ignored() {
    let mut p = Policy::new();
    let doc = kubeward_yaml::parse_str(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: n}\nrules:\n- apiGroups: ['']\n  resources: {pods: 1}\n  verbs: [get]\n",
    );
    let err = p
        .add_object(SourceId(0), &doc.documents[0].root)
        .unwrap_err();
    assert_eq!(err.path(), Some("rules[0].resources"));
    let doc = kubeward_yaml::parse_str("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
    assert!(!p.add_object(SourceId(1), &doc.documents[0].root).unwrap());
    // duplicates: the later one wins and is reported
    let role = |verb: &str| {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: dup}}\nrules: [{{apiGroups: [''], resources: [pods], verbs: [{verb}]}}]\n"
        )
    };
    p.add_yaml_str(SourceId(2), &role("get")).unwrap();
    p.add_yaml_str(SourceId(3), &role("list")).unwrap();
    let rules = p.cluster_role_rules("dup").unwrap();
    assert_eq!(rules[0].0.verbs, ["list"]);
    assert_eq!(rules[0].1.role.source, Some(SourceId(3)));
    assert!(
        p.findings()
            .iter()
            .any(|f| f.kind == FindingKind::DuplicateObject)
    );
}

#[test]
fn who_can_and_can_i_agree() {
    let mut p = with("corners.yaml");
    load(&mut p, "escalation.yaml", 100);
    load(&mut p, "risky.yaml", 200);
    let requests = [
        Request::resource("get", "", "secrets")
            .name("x")
            .namespace("kube-system"),
        Request::resource("list", "", "secrets"),
        Request::resource("list", "", "pods").namespace("team-a"),
        Request::resource("patch", "apps", "deployments")
            .name("operator")
            .namespace("ops"),
        Request::resource("update", "apps", "deployments")
            .subresource("scale")
            .name("x")
            .namespace("n"),
        Request::resource("create", "", "pods")
            .subresource("exec")
            .name("p")
            .namespace("shop"),
        Request::resource("impersonate", "", "groups").name("system:masters"),
        Request::resource(
            "create",
            "certificates.k8s.io",
            "certificatesigningrequests",
        ),
        Request::non_resource("get", "/metrics"),
        Request::non_resource("get", "/version"),
        Request::non_resource("get", "/debug/pprof"),
    ];
    for req in &requests {
        for g in p.who_can(req) {
            let u = match g.kind {
                SubjectKind::User => UserInfo::new(&g.name, &[]),
                SubjectKind::Group => UserInfo::new("someone", &[g.name.as_str()]),
                SubjectKind::ServiceAccount => UserInfo::new(
                    &kubeward_rbac::service_account_username(
                        g.namespace.as_deref().unwrap(),
                        &g.name,
                    ),
                    &[],
                ),
                SubjectKind::Other(_) => panic!("never reported"),
            };
            let d = p.can_i(&u, req);
            assert!(d.allowed, "{req}: {} {:?}", g.name, g.via);
            assert_eq!(d.superuser, g.superuser);
            // every binding who-can names also allows the request for that user
            for v in &g.via {
                assert!(
                    d.via
                        .iter()
                        .any(|dv| dv.binding == v.binding && dv.rule == v.rule),
                    "{req}: {}",
                    g.name
                );
            }
        }
    }
    // and a user in none of the reported subjects is denied
    let nobody = UserInfo::new("nobody", &[]);
    for req in &requests {
        assert!(!p.can_i(&nobody, req).allowed, "{req}");
    }
}

#[test]
fn input_objects_replace_defaults_silently() {
    let mut p = Policy::with_defaults();
    p.add_yaml_str(
        SourceId(9),
        r"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view}
rules: [{apiGroups: [''], resources: [secrets], verbs: [get]}]
",
    )
    .unwrap();
    assert!(p.findings().is_empty(), "{:?}", p.findings());
    // no aggregationRule any more: the given rules are used
    let rules = p.cluster_role_rules("view").unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].1.role.source, Some(SourceId(9)));
    // and flow into edit through aggregation (view carries no aggregate-to-edit label now)
    assert!(!p.aggregated_from("edit").contains(&"view".to_string()));
}

#[test]
fn escalation_named_impersonation_and_tokens() {
    let mut p = with("escalation.yaml");
    p.add_yaml_str(
        SourceId(60),
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: helpdesk}
rules:
- apiGroups: [""]
  resources: [users]
  verbs: [impersonate]
  # a service-account user name needs `impersonate serviceaccounts`: no edge
  resourceNames: [admin-user, "system:serviceaccount:ops:operator"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: helpdesk}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: helpdesk}
subjects: [{kind: User, name: helpdesk}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admin-user}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: admin-user}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: token-minter, namespace: ops}
rules:
- apiGroups: [""]
  resources: [serviceaccounts/token]
  resourceNames: [operator]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: minter, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: token-minter}
subjects: [{kind: User, name: minter}]
"#,
    )
    .unwrap();
    let g = p.escalation_paths(&[]);
    let u = |n: &str| GraphNode::User { name: n.into() };
    let help = g.path_from(&u("helpdesk")).unwrap();
    assert_eq!(help.steps[0].reason, EdgeReason::Impersonate);
    assert_eq!(help.steps[0].to, u("admin-user"));
    let sa_edges = g.edges.iter().filter(|e| {
        g.nodes[e.from] == u("helpdesk")
            && matches!(g.nodes[e.to], GraphNode::ServiceAccount { .. })
    });
    assert_eq!(sa_edges.count(), 0);
    let minter = g.path_from(&u("minter")).unwrap();
    assert_eq!(minter.steps[0].reason, EdgeReason::CreateToken);
    assert_eq!(
        minter.steps[0].to,
        GraphNode::ServiceAccount {
            namespace: "ops".into(),
            name: "operator".into()
        }
    );
    assert_eq!(minter.steps.len(), 2);
}

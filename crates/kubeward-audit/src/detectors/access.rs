//! Access to credentials and into workloads: secrets, exec/attach/port-forward, node proxy,
//! token requests, impersonation, anonymous access.

use super::{Build, Cx, Spec, clip, object_name, query_values, uri_path};
use crate::config::glob_match;
use crate::event::Event;
use crate::finding::{DetectorMeta, Hit, NeedsLevel, Severity};
use crate::objects::TokenRequest;

/// Control-plane identities that read secrets by design.
const SECRET_READERS: &[&str] = &[
    "system:kube-controller-manager",
    "system:kube-scheduler",
    "system:apiserver",
    "system:serviceaccount:kube-system:*",
    "system:node:*",
];

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static SECRET_READ_META: DetectorMeta = DetectorMeta {
    code: "AUD001",
    name: "secret-read-by-unusual-identity",
    title: "Secret read by an identity outside the allow-list",
    severity: Severity::High,
    mitre_id: "T1552.007",
    mitre_name: "Unsecured Credentials: Container API",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports a successful `get`, `list` or `watch` of `secrets` by an identity that is not on the
allow-list (by default the control plane: controller manager, scheduler, kube-system service
accounts, kubelets).

## Why is this bad?
Secrets hold service-account tokens, registry credentials, TLS keys and database passwords.
Reading them is the shortest path from one compromised identity to many.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/secrets/db-credentials","verb":"get","user":{"username":"dev-alice","groups":["developers","system:authenticated"]},"sourceIPs":["203.0.113.7"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"secrets","namespace":"payments","name":"db-credentials","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-01T03:00:00.000000Z","stageTimestamp":"2024-05-01T03:00:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by RoleBinding \"ops\""}}
```

## Fix
Find the binding named in `authorization.k8s.io/reason` and remove `get`/`list`/`watch` on
`secrets` from roles that do not need them; rotate the secrets if the read was not expected.

## False positives
Operators that manage secrets (cert-manager, external-secrets, backup tools, CI deployers).
Add them: `allow: {secret-read-by-unusual-identity: {users: ["system:serviceaccount:cert-manager:cert-manager"]}}`.
"#,
};

fn secret_read(ev: &Event<'_>, _cx: &Cx<'_>) -> Option<Hit> {
    if !ev.targets("secrets", "") || !matches!(ev.verb.as_ref(), "get" | "list" | "watch") {
        return None;
    }
    if !ev.allowed() {
        return None;
    }
    let what = if ev.name().is_empty() {
        match ev.namespace() {
            "" => "all secrets in the cluster".to_owned(),
            ns => format!("the secrets of namespace `{ns}`"),
        }
    } else {
        format!("secret `{}`", object_name(ev))
    };
    Some(Hit::new(format!(
        "`{}` {} {what}",
        ev.user.username,
        past(&ev.verb)
    )))
}

fn past(verb: &str) -> &str {
    match verb {
        "get" => "read",
        "list" => "listed",
        "watch" => "watched",
        other => other,
    }
}

pub(crate) const SECRET_READ: Spec = Spec {
    meta: &SECRET_READ_META,
    default_allow: SECRET_READERS,
    build: Build::Stateless(secret_read),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static SECRET_LIST_META: DetectorMeta = DetectorMeta {
    code: "AUD002",
    name: "secret-list-cluster-wide",
    title: "Secrets listed or watched across all namespaces",
    severity: Severity::High,
    mitre_id: "T1552.007",
    mitre_name: "Unsecured Credentials: Container API",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports a successful `list` or `watch` of `secrets` without a namespace
(`GET /api/v1/secrets`), by an identity outside the allow-list.

## Why is this bad?
One request returns every secret of the cluster: all service-account tokens of older
clusters, every TLS key and password. Credential-harvesting tools do exactly this.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-2","stage":"ResponseComplete","requestURI":"/api/v1/secrets?limit=500","verb":"list","user":{"username":"system:serviceaccount:default:webapp","uid":"4b3c","groups":["system:serviceaccounts","system:serviceaccounts:default","system:authenticated"]},"sourceIPs":["10.244.1.17"],"userAgent":"python-requests/2.31.0","objectRef":{"resource":"secrets","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-01T03:01:00.000000Z","stageTimestamp":"2024-05-01T03:01:00.120000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"webapp-read\""}}
```

## Fix
Replace the ClusterRoleBinding with RoleBindings in the namespaces the workload needs, and
grant `get` on named secrets (`resourceNames`) rather than `list`.

## False positives
Cluster-wide secret controllers (cert-manager, external-secrets, Argo CD, Velero). Allow them
by service account: `allow: {secret-list-cluster-wide: {users: ["system:serviceaccount:argocd:*"]}}`.
"#,
};

fn secret_list(ev: &Event<'_>, _cx: &Cx<'_>) -> Option<Hit> {
    if !ev.targets("secrets", "")
        || !matches!(ev.verb.as_ref(), "list" | "watch")
        || !ev.namespace().is_empty()
        || !ev.allowed()
    {
        return None;
    }
    Some(Hit::new(format!(
        "`{}` {} secrets in all namespaces",
        ev.user.username,
        past(&ev.verb)
    )))
}

pub(crate) const SECRET_LIST_CLUSTER_WIDE: Spec = Spec {
    meta: &SECRET_LIST_META,
    default_allow: &[
        "system:kube-controller-manager",
        "system:serviceaccount:kube-system:*",
        "system:apiserver",
    ],
    build: Build::Stateless(secret_list),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// A pod subresource session (exec, attach, portforward).
fn pod_session(ev: &Event<'_>, sub: &str) -> bool {
    ev.targets("pods", sub) && matches!(ev.verb.as_ref(), "create" | "get") && ev.allowed()
}

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static EXEC_META: DetectorMeta = DetectorMeta {
    code: "AUD003",
    name: "exec-into-pod",
    title: "Command executed in a container (pods/exec)",
    severity: Severity::Medium,
    mitre_id: "T1609",
    mitre_name: "Container Administration Command",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports an allowed `pods/exec` session (`kubectl exec`; `create` over SPDY, `get` over
WebSocket), with the command and container taken from the request URI.

## Why is this bad?
Exec runs arbitrary commands inside a running container, with its service-account token,
mounted secrets and network position: the usual step after stealing credentials.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-3","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/payments/pods/api-7d9f/exec?command=sh&command=-c&command=cat+%2Fvar%2Frun%2Fsecrets%2Ftoken&container=api&stdin=true&stdout=true&tty=true","verb":"create","user":{"username":"dev-alice","groups":["developers","system:authenticated"]},"sourceIPs":["203.0.113.7"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"pods","namespace":"payments","name":"api-7d9f","apiVersion":"v1","subresource":"exec"},"responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2024-05-01T03:02:00.000000Z","stageTimestamp":"2024-05-01T03:02:00.050000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"devs\""}}
```

## Fix
Remove `create`/`get` on `pods/exec` from everyday roles; grant it just in time, and prefer
ephemeral debug containers with a restricted profile.

## False positives
Break-glass administrators and CI smoke tests. Allow them:
`allow: {exec-into-pod: {users: ["ci-runner"], namespaces: ["sandbox-*"]}}`. The command
shown comes from the request URI and may contain whatever the user typed.
"#,
};

fn exec(ev: &Event<'_>, _cx: &Cx<'_>) -> Option<Hit> {
    if !pod_session(ev, "exec") {
        return None;
    }
    let command = query_values(&ev.request_uri, "command").join(" ");
    let container = query_values(&ev.request_uri, "container").join(",");
    let mut hit = Hit::new(format!(
        "`{}` executed a command in pod `{}`",
        ev.user.username,
        object_name(ev)
    ));
    if !command.is_empty() {
        hit = hit.with("command", clip(&command, 256));
    }
    if !container.is_empty() {
        hit = hit.with("container", container);
    }
    Some(hit)
}

pub(crate) const EXEC: Spec = Spec {
    meta: &EXEC_META,
    default_allow: &[],
    build: Build::Stateless(exec),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static ATTACH_META: DetectorMeta = DetectorMeta {
    code: "AUD004",
    name: "attach-to-pod",
    title: "Terminal attached to a running container (pods/attach)",
    severity: Severity::Medium,
    mitre_id: "T1609",
    mitre_name: "Container Administration Command",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports an allowed `pods/attach` session (`kubectl attach`, `kubectl run -it`).

## Why is this bad?
Attach connects to the main process's stdin/stdout: an interactive shell container gives
the same power as exec, and it is less often watched.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-4","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/default/pods/toolbox/attach?container=toolbox&stdin=true&stdout=true&tty=true","verb":"create","user":{"username":"dev-bob","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"pods","namespace":"default","name":"toolbox","apiVersion":"v1","subresource":"attach"},"responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2024-05-01T03:03:00.000000Z","stageTimestamp":"2024-05-01T03:03:00.040000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Remove `pods/attach` from roles that do not need interactive access.

## False positives
`kubectl run -it --rm` debugging sessions by administrators; allow them by user or namespace.
"#,
};

fn attach(ev: &Event<'_>, _cx: &Cx<'_>) -> Option<Hit> {
    pod_session(ev, "attach").then(|| {
        Hit::new(format!(
            "`{}` attached to pod `{}`",
            ev.user.username,
            object_name(ev)
        ))
    })
}

pub(crate) const ATTACH: Spec = Spec {
    meta: &ATTACH_META,
    default_allow: &[],
    build: Build::Stateless(attach),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static PORT_FORWARD_META: DetectorMeta = DetectorMeta {
    code: "AUD005",
    name: "port-forward",
    title: "Port forwarded into a pod (pods/portforward)",
    severity: Severity::Medium,
    mitre_id: "T1090",
    mitre_name: "Proxy",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports an allowed `pods/portforward` session (`kubectl port-forward`).

## Why is this bad?
Port-forwarding tunnels the caller's traffic into the pod network through the API server,
around network policies and ingress controls: databases and admin ports become reachable.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-5","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/payments/pods/postgres-0/portforward","verb":"create","user":{"username":"dev-alice","groups":["system:authenticated"]},"sourceIPs":["203.0.113.7"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"pods","namespace":"payments","name":"postgres-0","apiVersion":"v1","subresource":"portforward"},"responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2024-05-01T03:04:00.000000Z","stageTimestamp":"2024-05-01T03:04:00.030000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Remove `pods/portforward` from roles; expose what developers need through reviewed services.

## False positives
Developers debugging their own namespaces; allow by namespace pattern.
"#,
};

fn port_forward(ev: &Event<'_>, _cx: &Cx<'_>) -> Option<Hit> {
    pod_session(ev, "portforward").then(|| {
        Hit::new(format!(
            "`{}` forwarded a port into pod `{}`",
            ev.user.username,
            object_name(ev)
        ))
    })
}

pub(crate) const PORT_FORWARD: Spec = Spec {
    meta: &PORT_FORWARD_META,
    default_allow: &[],
    build: Build::Stateless(port_forward),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static NODE_PROXY_META: DetectorMeta = DetectorMeta {
    code: "AUD006",
    name: "node-proxy-access",
    title: "Kubelet API reached through the API server (nodes/proxy)",
    severity: Severity::High,
    mitre_id: "T1609",
    mitre_name: "Container Administration Command",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports an allowed request to the `nodes/proxy` subresource, which forwards to the kubelet API.

## Why is this bad?
The kubelet API can run commands in any container of the node (`/run`, `/exec`) and read
logs and pod lists, bypassing the `pods/exec` permission and its audit trail.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-6","stage":"ResponseComplete","requestURI":"/api/v1/nodes/worker-1/proxy/run/kube-system/kube-proxy-x2x/kube-proxy?cmd=id","verb":"create","user":{"username":"system:serviceaccount:monitoring:scraper","groups":["system:serviceaccounts","system:authenticated"]},"sourceIPs":["10.244.2.5"],"userAgent":"curl/8.5.0","objectRef":{"resource":"nodes","name":"worker-1","apiVersion":"v1","subresource":"proxy"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-01T03:05:00.000000Z","stageTimestamp":"2024-05-01T03:05:00.300000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Remove `nodes/proxy` from roles (monitoring rarely needs more than `nodes/metrics`).

## False positives
Monitoring stacks that scrape kubelets through the API server proxy; allow their service
account, and prefer `nodes/metrics`.
"#,
};

fn node_proxy(ev: &Event<'_>, _cx: &Cx<'_>) -> Option<Hit> {
    if !ev.targets("nodes", "proxy") || !ev.allowed() {
        return None;
    }
    let path = uri_path(&ev.request_uri);
    let kubelet_path = path
        .find("/proxy")
        .and_then(|i| path.get(i + "/proxy".len()..))
        .unwrap_or_default();
    Some(
        Hit::new(format!(
            "`{}` reached the kubelet API of node `{}`",
            ev.user.username,
            ev.name()
        ))
        .with(
            "kubeletPath",
            clip(
                if kubelet_path.is_empty() {
                    "/"
                } else {
                    kubelet_path
                },
                256,
            ),
        ),
    )
}

pub(crate) const NODE_PROXY: Spec = Spec {
    meta: &NODE_PROXY_META,
    default_allow: &[],
    build: Build::Stateless(node_proxy),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static SA_TOKEN_META: DetectorMeta = DetectorMeta {
    code: "AUD009",
    name: "serviceaccount-token-created",
    title: "Service-account token minted (TokenRequest)",
    severity: Severity::Medium,
    mitre_id: "T1528",
    mitre_name: "Steal Application Access Token",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports an allowed `create` on `serviceaccounts/token` (a TokenRequest, `kubectl create
token`) by an identity other than a kubelet. The token itself (in the response) is never read.

## Why is this bad?
Whoever can mint a token for a service account acts as it for the token's lifetime, from
anywhere: an easy way to persist and to escalate to a more privileged account.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"0b1f6f7e-9","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/kube-system/serviceaccounts/clusterrole-aggregation-controller/token","verb":"create","user":{"username":"dev-alice","groups":["system:authenticated"]},"sourceIPs":["203.0.113.7"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"serviceaccounts","namespace":"kube-system","name":"clusterrole-aggregation-controller","apiVersion":"v1","subresource":"token"},"responseStatus":{"metadata":{},"code":201},"requestObject":{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","spec":{"audiences":["https://kubernetes.default.svc"],"expirationSeconds":31536000}},"requestReceivedTimestamp":"2024-05-01T03:09:00.000000Z","stageTimestamp":"2024-05-01T03:09:00.020000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Remove `create` on `serviceaccounts/token` from roles; revoke by deleting and recreating the
service account (bound tokens die with it).

## False positives
Kubelets (allowed by default) and tools that mint short-lived tokens (CI, Vault's Kubernetes
auth); allow their identities.
"#,
};

fn sa_token(ev: &Event<'_>, _cx: &Cx<'_>) -> Option<Hit> {
    if !ev.targets("serviceaccounts", "token") || ev.verb != "create" || !ev.allowed() {
        return None;
    }
    let mut hit = Hit::new(format!(
        "`{}` minted a token for service account `{}`",
        ev.user.username,
        object_name(ev)
    ));
    if let Some(spec) = ev.request_as::<TokenRequest>().and_then(|t| t.spec) {
        if let Some(a) = spec.audiences.filter(|a| !a.is_empty()) {
            hit = hit.with("audiences", clip(&a.join(","), 256));
        }
        if let Some(s) = spec.expiration_seconds {
            hit = hit.with("expirationSeconds", s.to_string());
        }
        if let Some(b) = spec.bound_object_ref {
            hit = hit.with("boundObject", format!("{}/{}", b.kind, b.name));
        }
    }
    Some(hit)
}

pub(crate) const SA_TOKEN: Spec = Spec {
    meta: &SA_TOKEN_META,
    default_allow: &["system:node:*"],
    build: Build::Stateless(sa_token),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static IMPERSONATION_META: DetectorMeta = DetectorMeta {
    code: "AUD010",
    name: "impersonation",
    title: "Request made while impersonating another identity",
    severity: Severity::Medium,
    mitre_id: "T1078",
    mitre_name: "Valid Accounts",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports a request carrying `impersonatedUser` (`kubectl --as`, `Impersonate-User` headers):
the authenticated user acted as someone else. Impersonating `system:masters` is called out.

## Why is this bad?
Impersonation borrows all permissions of the target; the audit trail then shows the target
doing things. `impersonate` on users or groups is equivalent to those identities' power.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-10","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/kube-system/configmaps","verb":"list","user":{"username":"dev-alice","groups":["system:authenticated"]},"impersonatedUser":{"username":"admin","groups":["system:masters"]},"sourceIPs":["203.0.113.7"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"configmaps","namespace":"kube-system","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-01T03:10:00.000000Z","stageTimestamp":"2024-05-01T03:10:00.020000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Remove the `impersonate` verb from roles that do not need it, or restrict it with
`resourceNames` to specific users and groups.

## False positives
Proxies and dashboards that impersonate their end users (Rancher, Teleport, OpenShift
console): allow the proxy's identity.
"#,
};

fn impersonation(ev: &Event<'_>, _cx: &Cx<'_>) -> Option<Hit> {
    let target = ev.impersonated_user.as_ref()?;
    let masters = target.in_group("system:masters");
    let mut hit = Hit::new(format!(
        "`{}` acted as `{}`{}",
        ev.user.username,
        target.username,
        if masters {
            " (group `system:masters`)"
        } else {
            ""
        }
    ))
    .with("impersonatedUser", target.username.to_string());
    if !target.groups.is_empty() {
        hit = hit.with("impersonatedGroups", target.groups.join(","));
    }
    Some(hit)
}

pub(crate) const IMPERSONATION: Spec = Spec {
    meta: &IMPERSONATION_META,
    default_allow: &[],
    build: Build::Stateless(impersonation),
    once_per_request: true,
    allow_authenticated_only: true,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static ANONYMOUS_META: DetectorMeta = DetectorMeta {
    code: "AUD011",
    name: "anonymous-request-allowed",
    title: "Unauthenticated request allowed",
    severity: Severity::High,
    mitre_id: "T1133",
    mitre_name: "External Remote Services",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports an allowed request by `system:anonymous` (or the group `system:unauthenticated`),
except the public health, version and OIDC discovery endpoints (configurable as
`anonymousPaths`).

## Why is this bad?
Anything anonymous users can do, the whole network can do. A binding to
`system:anonymous` or `system:unauthenticated` is a classic misconfiguration found by
internet-wide scanners.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-11","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"list","user":{"username":"system:anonymous","groups":["system:unauthenticated"]},"sourceIPs":["198.51.100.23"],"userAgent":"Go-http-client/1.1","objectRef":{"resource":"pods","namespace":"default","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-01T03:11:00.000000Z","stageTimestamp":"2024-05-01T03:11:00.020000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"oops\" of ClusterRole \"view\" to Group \"system:unauthenticated\""}}
```

## Fix
Delete bindings whose subjects are `system:anonymous` or `system:unauthenticated`; consider
`--anonymous-auth=false` or an `AuthenticationConfiguration` limiting anonymous access to
health endpoints.

## False positives
Additional public endpoints you expose on purpose: add them to `anonymousPaths`.
"#,
};

fn anonymous(ev: &Event<'_>, cx: &Cx<'_>) -> Option<Hit> {
    let anon = ev.user.username == "system:anonymous" || ev.user.in_group("system:unauthenticated");
    if !anon || !ev.allowed() {
        return None;
    }
    if ev.object_ref.is_none() {
        let path = uri_path(&ev.request_uri);
        if cx
            .config
            .anonymous_paths
            .iter()
            .any(|p| glob_match(p, path))
        {
            return None;
        }
    }
    Some(Hit::new(format!(
        "anonymous `{}` on `{}` was allowed",
        ev.verb,
        clip(uri_path(&ev.request_uri), 256)
    )))
}

pub(crate) const ANONYMOUS: Spec = Spec {
    meta: &ANONYMOUS_META,
    default_allow: &[],
    build: Build::Stateless(anonymous),
    once_per_request: true,
    allow_authenticated_only: false,
};

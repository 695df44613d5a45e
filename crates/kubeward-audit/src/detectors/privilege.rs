//! Privilege grants: admin bindings, wildcard roles, approved certificate requests.

use super::{Build, Cx, Spec, clip, object_name};
use crate::event::Event;
use crate::finding::{DetectorMeta, Hit, NeedsLevel, Severity};
use crate::objects::{Binding, Csr, Role};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

fn rbac_write(ev: &Event<'_>, resources: &[&str]) -> bool {
    resources.contains(&ev.resource())
        && ev.subresource().is_empty()
        && (ev.api_group().is_empty() || ev.api_group() == RBAC_GROUP)
        && matches!(ev.verb.as_ref(), "create" | "update" | "patch")
        && ev.allowed()
}

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static CLUSTER_ADMIN_META: DetectorMeta = DetectorMeta {
    code: "AUD007",
    name: "cluster-admin-binding-created",
    title: "Binding to cluster-admin created or changed",
    severity: Severity::Critical,
    mitre_id: "T1098.006",
    mitre_name: "Account Manipulation: Additional Container Cluster Roles",
    needs: NeedsLevel::Request,
    doc: r#"## What it does
Reports a created, updated or patched ClusterRoleBinding or RoleBinding whose `roleRef` is
the ClusterRole `cluster-admin` (or another role listed in `adminRoles`), naming its subjects.
Needs the `Request` level for create/update and `RequestResponse` for patch.

## Why is this bad?
`cluster-admin` is every permission on every object. A new binding to it is the textbook
persistence and escalation step after any foothold with `bind` or RBAC write access.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"0b1f6f7e-7","stage":"ResponseComplete","requestURI":"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings","verb":"create","user":{"username":"system:serviceaccount:ci:deployer","groups":["system:serviceaccounts","system:authenticated"]},"sourceIPs":["10.244.3.9"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"clusterrolebindings","name":"backdoor","apiGroup":"rbac.authorization.k8s.io","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestObject":{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"backdoor"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"kind":"ServiceAccount","name":"default","namespace":"default"}]},"requestReceivedTimestamp":"2024-05-01T03:07:00.000000Z","stageTimestamp":"2024-05-01T03:07:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Delete the binding unless it was approved; bind narrower roles; find how the creator got
`create` on bindings (or `bind` on `cluster-admin`).

## False positives
Cluster bootstrap (`system:apiserver`, kubeadm's `kubeadm:cluster-admins`) and
platform-team automation; allow the automation's identity.
"#,
};

fn cluster_admin_binding(ev: &Event<'_>, cx: &Cx<'_>) -> Option<Hit> {
    if !rbac_write(ev, &["clusterrolebindings", "rolebindings"]) {
        return None;
    }
    let binding: Binding = cx.body(ev)?;
    let role = binding.role_ref?;
    if role.kind != "ClusterRole" || !cx.config.admin_roles.contains(&role.name) {
        return None;
    }
    let subjects: Vec<String> = binding
        .subjects
        .unwrap_or_default()
        .iter()
        .map(|s| {
            if s.namespace.is_empty() {
                format!("{}:{}", s.kind, s.name)
            } else {
                format!("{}:{}/{}", s.kind, s.namespace, s.name)
            }
        })
        .collect();
    Some(
        Hit::new(format!(
            "`{}` bound ClusterRole `{}` with {} `{}` to {}",
            ev.user.username,
            role.name,
            if ev.resource() == "rolebindings" {
                "RoleBinding"
            } else {
                "ClusterRoleBinding"
            },
            object_name(ev),
            if subjects.is_empty() {
                "no subjects".to_owned()
            } else {
                subjects.join(", ")
            }
        ))
        .with("roleRef", role.name)
        .with("subjects", clip(&subjects.join(","), 512)),
    )
}

pub(crate) const CLUSTER_ADMIN_BINDING: Spec = Spec {
    meta: &CLUSTER_ADMIN_META,
    default_allow: &["system:apiserver"],
    build: Build::Stateless(cluster_admin_binding),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static RBAC_WILDCARD_META: DetectorMeta = DetectorMeta {
    code: "AUD008",
    name: "rbac-wildcard-role-created",
    title: "Role or ClusterRole with wildcard rules created or changed",
    severity: Severity::High,
    mitre_id: "T1098.006",
    mitre_name: "Account Manipulation: Additional Container Cluster Roles",
    needs: NeedsLevel::Request,
    doc: r#"## What it does
Reports a created, updated or patched Role or ClusterRole with `*` in a rule's `verbs`,
`resources` or `apiGroups`, with the field path of the first wildcard (`rules[0].verbs`).
Needs the `Request` level for create/update and `RequestResponse` for patch.

## Why is this bad?
Wildcards grant every current and future verb or resource, including `escalate`, `bind`,
`impersonate` and secrets: a quiet cluster-admin equivalent.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"0b1f6f7e-8","stage":"ResponseComplete","requestURI":"/apis/rbac.authorization.k8s.io/v1/clusterroles","verb":"create","user":{"username":"dev-alice","groups":["system:authenticated"]},"sourceIPs":["203.0.113.7"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"clusterroles","name":"helper","apiGroup":"rbac.authorization.k8s.io","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestObject":{"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"helper"},"rules":[{"apiGroups":[""],"resources":["configmaps"],"verbs":["get"]},{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}]},"requestReceivedTimestamp":"2024-05-01T03:08:00.000000Z","stageTimestamp":"2024-05-01T03:08:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
List the verbs, resources and API groups the role needs explicitly.

## False positives
The API server's bootstrap roles (`cluster-admin`) and the aggregation controller are allowed
by default; operators' installers may create broad roles on purpose.
"#,
};

fn rbac_wildcard(ev: &Event<'_>, cx: &Cx<'_>) -> Option<Hit> {
    if !rbac_write(ev, &["clusterroles", "roles"]) {
        return None;
    }
    let role: Role = cx.body(ev)?;
    let rules = role.rules?;
    let mut paths = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        for (field, list) in [
            ("verbs", &r.verbs),
            ("resources", &r.resources),
            ("apiGroups", &r.api_groups),
        ] {
            if list.iter().flatten().any(|v| v == "*") {
                paths.push(format!("rules[{i}].{field}"));
            }
        }
    }
    let first = paths.first()?.clone();
    Some(
        Hit::new(format!(
            "`{}` wrote {} `{}` with a wildcard at `{first}`",
            ev.user.username,
            if ev.resource() == "roles" {
                "Role"
            } else {
                "ClusterRole"
            },
            object_name(ev)
        ))
        .with("path", first)
        .with("wildcards", paths.join(",")),
    )
}

pub(crate) const RBAC_WILDCARD: Spec = Spec {
    meta: &RBAC_WILDCARD_META,
    default_allow: &[
        "system:apiserver",
        "system:serviceaccount:kube-system:clusterrole-aggregation-controller",
    ],
    build: Build::Stateless(rbac_wildcard),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static CSR_META: DetectorMeta = DetectorMeta {
    code: "AUD019",
    name: "csr-approved",
    title: "Certificate signing request approved by a person or unusual identity",
    severity: Severity::Medium,
    mitre_id: "T1649",
    mitre_name: "Steal or Forge Authentication Certificates",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports an allowed `update`/`patch` of `certificatesigningrequests/approval` by an identity
other than the controller manager's approver. When the body is logged, denials are skipped
and the signer is shown.

## Why is this bad?
An approved client CSR signed by `kubernetes.io/kube-apiserver-client` is a long-lived
credential for any user name and group in it — `system:masters` included — that cannot be
revoked short of rotating the cluster CA.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"0b1f6f7e-19","stage":"ResponseComplete","requestURI":"/apis/certificates.k8s.io/v1/certificatesigningrequests/evil/approval","verb":"update","user":{"username":"dev-alice","groups":["system:authenticated"]},"sourceIPs":["203.0.113.7"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"certificatesigningrequests","name":"evil","apiGroup":"certificates.k8s.io","apiVersion":"v1","subresource":"approval"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"kind":"CertificateSigningRequest","apiVersion":"certificates.k8s.io/v1","metadata":{"name":"evil"},"spec":{"signerName":"kubernetes.io/kube-apiserver-client","username":"dev-alice","usages":["client auth"]},"status":{"conditions":[{"type":"Approved","status":"True","reason":"KubectlApprove"}]}},"requestReceivedTimestamp":"2024-05-01T03:19:00.000000Z","stageTimestamp":"2024-05-01T03:19:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Check the subject of the approved request; remove `approve` on `signers` from roles that do
not need it.

## False positives
Manual approval of kubelet serving certificates; allow the administrators who do it.
"#,
};

fn csr_approved(ev: &Event<'_>, _cx: &Cx<'_>) -> Option<Hit> {
    if !ev.targets("certificatesigningrequests", "approval")
        || !matches!(ev.verb.as_ref(), "update" | "patch")
        || !ev.allowed()
    {
        return None;
    }
    let csr: Option<Csr> = ev.resulting_object();
    if let Some(conds) = csr
        .as_ref()
        .and_then(|c| c.status.as_ref())
        .and_then(|s| s.conditions.as_ref())
    {
        let approved = conds
            .iter()
            .any(|c| c.type_ == "Approved" && c.status != "False");
        if !approved {
            return None;
        }
    }
    let mut hit = Hit::new(format!(
        "`{}` approved certificate signing request `{}`",
        ev.user.username,
        ev.name()
    ));
    if let Some(spec) = csr.and_then(|c| c.spec) {
        if !spec.signer_name.is_empty() {
            hit = hit.with("signerName", spec.signer_name);
        }
        if !spec.username.is_empty() {
            hit = hit.with("requestor", spec.username);
        }
    }
    Some(hit)
}

pub(crate) const CSR_APPROVED: Spec = Spec {
    meta: &CSR_META,
    default_allow: &[
        "system:kube-controller-manager",
        "system:serviceaccount:kube-system:certificate-controller",
    ],
    build: Build::Stateless(csr_approved),
    once_per_request: true,
    allow_authenticated_only: false,
};

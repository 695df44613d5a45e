//! Workloads created with host access or in protected namespaces.

use super::{Build, Cx, Spec, object_name};
use crate::event::Event;
use crate::finding::{DetectorMeta, Hit, NeedsLevel, Severity};
use crate::objects::{PodSpec, pod_spec, pod_spec_path};

/// Controllers that create pods from templates someone else wrote (that write is reported).
const POD_CONTROLLERS: &[&str] = &[
    "system:kube-controller-manager",
    "system:serviceaccount:kube-system:replicaset-controller",
    "system:serviceaccount:kube-system:daemon-set-controller",
    "system:serviceaccount:kube-system:statefulset-controller",
    "system:serviceaccount:kube-system:job-controller",
    "system:serviceaccount:kube-system:replication-controller",
    "system:serviceaccount:kube-system:cronjob-controller",
    "system:serviceaccount:kube-system:deployment-controller",
];

/// A write that produces a pod spec: create/update/patch of a workload, or pod creation and
/// ephemeral-container updates.
fn workload_write(ev: &Event<'_>) -> bool {
    let Some(_) = pod_spec_path(ev.resource()) else {
        return false;
    };
    let ok_sub = match ev.subresource() {
        "" => true,
        "ephemeralcontainers" => ev.resource() == "pods",
        _ => false,
    };
    let ok_verb = match (ev.resource(), ev.subresource()) {
        ("pods", "") => ev.verb == "create",
        _ => matches!(ev.verb.as_ref(), "create" | "update" | "patch"),
    };
    ok_sub && ok_verb && ev.allowed()
}

fn kind_of(resource: &str) -> &str {
    match resource {
        "pods" => "pod",
        "deployments" => "Deployment",
        "replicasets" => "ReplicaSet",
        "statefulsets" => "StatefulSet",
        "daemonsets" => "DaemonSet",
        "jobs" => "Job",
        "cronjobs" => "CronJob",
        "replicationcontrollers" => "ReplicationController",
        "podtemplates" => "PodTemplate",
        other => other,
    }
}

fn spec_of(ev: &Event<'_>, cx: &Cx<'_>) -> Option<(&'static str, PodSpec)> {
    if !workload_write(ev) {
        return None;
    }
    if !ev.has_resulting_object() {
        cx.blind.set(true);
        return None;
    }
    pod_spec(ev)
}

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static PRIVILEGED_META: DetectorMeta = DetectorMeta {
    code: "AUD013",
    name: "privileged-pod-created",
    title: "Privileged container created",
    severity: Severity::High,
    mitre_id: "T1611",
    mitre_name: "Escape to Host",
    needs: NeedsLevel::Request,
    doc: r#"## What it does
Reports a pod (or a workload template: Deployment, DaemonSet, Job, CronJob, ...) written with
`securityContext.privileged: true` in any container, init container or ephemeral container,
with the field path. Needs the `Request` level (`RequestResponse` for patches).

## Why is this bad?
A privileged container has every capability and every host device: mounting the host disk
or loading a kernel module escapes to the node in one command.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"0b1f6f7e-13","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"create","user":{"username":"dev-bob","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"pods","namespace":"default","name":"debug","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"debug"},"spec":{"hostPID":true,"containers":[{"name":"sh","image":"alpine","securityContext":{"privileged":true}}]}},"requestReceivedTimestamp":"2024-05-01T03:13:00.000000Z","stageTimestamp":"2024-05-01T03:13:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Enforce Pod Security Admission `baseline` or `restricted` on the namespace; grant specific
capabilities instead of `privileged`.

## False positives
CNI, CSI and node agents (usually DaemonSets in `kube-system`). Pods created by workload
controllers from an already reported template are allowed by default. Allow by namespace:
`allow: {privileged-pod-created: {namespaces: ["kube-system"]}}`.
"#,
};

fn privileged(ev: &Event<'_>, cx: &Cx<'_>) -> Option<Hit> {
    let (base, spec) = spec_of(ev, cx)?;
    let paths: Vec<String> = spec
        .all_containers()
        .filter(|(_, c)| {
            c.security_context
                .as_ref()
                .and_then(|s| s.privileged)
                .unwrap_or(false)
        })
        .map(|(p, c)| format!("{base}.{p}.securityContext.privileged ({})", c.name))
        .collect();
    let first = paths.first()?;
    let path = first.split(' ').next().unwrap_or_default().to_owned();
    Some(
        Hit::new(format!(
            "`{}` wrote {} `{}` with a privileged container at `{path}`",
            ev.user.username,
            kind_of(ev.resource()),
            object_name(ev)
        ))
        .with("path", path)
        .with("containers", paths.join(", ")),
    )
}

pub(crate) const PRIVILEGED: Spec = Spec {
    meta: &PRIVILEGED_META,
    default_allow: POD_CONTROLLERS,
    build: Build::Stateless(privileged),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static HOSTPATH_META: DetectorMeta = DetectorMeta {
    code: "AUD014",
    name: "hostpath-pod-created",
    title: "Pod with a hostPath volume created",
    severity: Severity::High,
    mitre_id: "T1611",
    mitre_name: "Escape to Host",
    needs: NeedsLevel::Request,
    doc: r#"## What it does
Reports a pod or workload template written with a `hostPath` volume, naming the host path
and the field path (`spec.volumes[0].hostPath`). Needs the `Request` level.

## Why is this bad?
Mounting `/`, `/etc`, `/var/lib/kubelet` or the container runtime socket gives the pod the
node: its credentials, other pods' secrets and a way to run host processes.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"0b1f6f7e-14","stage":"ResponseComplete","requestURI":"/apis/apps/v1/namespaces/default/daemonsets","verb":"create","user":{"username":"dev-bob","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"daemonsets","namespace":"default","name":"node-shell","apiGroup":"apps","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestObject":{"kind":"DaemonSet","apiVersion":"apps/v1","metadata":{"name":"node-shell"},"spec":{"template":{"spec":{"containers":[{"name":"sh","image":"alpine"}],"volumes":[{"name":"host","hostPath":{"path":"/"}}]}}}},"requestReceivedTimestamp":"2024-05-01T03:14:00.000000Z","stageTimestamp":"2024-05-01T03:14:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Use `emptyDir`, `configMap`, `secret` or persistent volumes; enforce Pod Security Admission
`baseline`, which forbids `hostPath`.

## False positives
Log shippers and node agents reading `/var/log`; allow their namespace.
"#,
};

fn hostpath(ev: &Event<'_>, cx: &Cx<'_>) -> Option<Hit> {
    let (base, spec) = spec_of(ev, cx)?;
    let mounts: Vec<(String, String)> = spec
        .volumes
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, v)| {
            v.host_path
                .as_ref()
                .map(|h| (format!("{base}.volumes[{i}].hostPath"), h.path.clone()))
        })
        .collect();
    let (path, host) = mounts.first()?;
    Some(
        Hit::new(format!(
            "`{}` wrote {} `{}` mounting host path `{host}`",
            ev.user.username,
            kind_of(ev.resource()),
            object_name(ev)
        ))
        .with("path", path.clone())
        .with(
            "hostPaths",
            mounts
                .iter()
                .map(|(_, h)| h.as_str())
                .collect::<Vec<_>>()
                .join(","),
        ),
    )
}

pub(crate) const HOSTPATH: Spec = Spec {
    meta: &HOSTPATH_META,
    default_allow: POD_CONTROLLERS,
    build: Build::Stateless(hostpath),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static PROTECTED_META: DetectorMeta = DetectorMeta {
    code: "AUD015",
    name: "pod-created-in-kube-system",
    title: "Pod or workload created in kube-system by a non-system identity",
    severity: Severity::Medium,
    mitre_id: "T1610",
    mitre_name: "Deploy Container",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports the creation of a pod or pod-creating workload in a protected namespace
(`protectedNamespaces`, default `kube-system`) by an identity that is not a control-plane
component, kube-system service account or kubelet (mirror pods).

## Why is this bad?
`kube-system` is where attackers hide: privileged system workloads and service accounts
with broad rights live there, and its pods draw little attention.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-15","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/kube-system/pods","verb":"create","user":{"username":"dev-bob","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"pods","namespace":"kube-system","name":"kube-proxy-helper","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestReceivedTimestamp":"2024-05-01T03:15:00.000000Z","stageTimestamp":"2024-05-01T03:15:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Deploy applications to their own namespaces; restrict write access to `kube-system` to the
platform's deployment pipeline.

## False positives
Cluster add-on installers (Helm releases of CNI, DNS, metrics-server); allow the
installer's identity.
"#,
};

fn protected_pod(ev: &Event<'_>, cx: &Cx<'_>) -> Option<Hit> {
    if ev.verb != "create"
        || !ev.subresource().is_empty()
        || pod_spec_path(ev.resource()).is_none()
        || ev.resource() == "podtemplates"
        || !ev.allowed()
    {
        return None;
    }
    let ns = ev.namespace();
    if !cx.config.protected_namespaces.iter().any(|p| p == ns) {
        return None;
    }
    Some(Hit::new(format!(
        "`{}` created {} `{}` in protected namespace `{ns}`",
        ev.user.username,
        kind_of(ev.resource()),
        if ev.name().is_empty() {
            "(generated name)"
        } else {
            ev.name()
        },
    )))
}

pub(crate) const PROTECTED_NAMESPACE_POD: Spec = Spec {
    meta: &PROTECTED_META,
    default_allow: &[
        "system:serviceaccount:kube-system:*",
        "system:node:*",
        "system:kube-controller-manager",
        "system:kube-scheduler",
        "system:apiserver",
    ],
    build: Build::Stateless(protected_pod),
    once_per_request: true,
    allow_authenticated_only: false,
};

//! Changes to the control path: admission webhooks, logging and audit components, API
//! extensions, deleted events.

use super::{Build, Cx, Spec, is_write, object_name};
use crate::config::glob_match;
use crate::event::Event;
use crate::finding::{DetectorMeta, Hit, NeedsLevel, Severity};
use crate::objects::ApiService;

fn action(verb: &str) -> &str {
    match verb {
        "create" => "created",
        "update" => "updated",
        "patch" => "patched",
        "delete" => "deleted",
        "deletecollection" => "deleted all",
        other => other,
    }
}

const ADMISSION_RESOURCES: &[&str] = &[
    "mutatingwebhookconfigurations",
    "validatingwebhookconfigurations",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "mutatingadmissionpolicies",
    "mutatingadmissionpolicybindings",
];

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static WEBHOOK_META: DetectorMeta = DetectorMeta {
    code: "AUD016",
    name: "webhook-configuration-changed",
    title: "Admission webhook or admission policy changed",
    severity: Severity::High,
    mitre_id: "T1562.001",
    mitre_name: "Impair Defenses: Disable or Modify Tools",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports an allowed create, update, patch or delete of a Mutating/ValidatingWebhookConfiguration
or a (Mutating/Validating)AdmissionPolicy and its binding.

## Why is this bad?
Deleting or loosening a validating webhook switches off policy enforcement (Gatekeeper,
Kyverno); a new mutating webhook sees — and can change — every object written, secrets
included, which is both persistence and credential access.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-16","stage":"ResponseComplete","requestURI":"/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/gatekeeper-validating-webhook-configuration","verb":"delete","user":{"username":"dev-bob","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"validatingwebhookconfigurations","name":"gatekeeper-validating-webhook-configuration","apiGroup":"admissionregistration.k8s.io","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-01T03:16:00.000000Z","stageTimestamp":"2024-05-01T03:16:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Restore the configuration from source control; restrict write access to
`admissionregistration.k8s.io` to the policy engine's installer.

## False positives
cert-manager's cainjector and operators patch `caBundle` routinely; allow their service
accounts: `allow: {webhook-configuration-changed: {users: ["system:serviceaccount:cert-manager:cert-manager-cainjector"]}}`.
"#,
};

fn webhook(ev: &Event<'_>, _cx: &Cx<'_>) -> Option<Hit> {
    if !ADMISSION_RESOURCES.contains(&ev.resource())
        || !ev.subresource().is_empty()
        || !is_write(&ev.verb)
        || !ev.allowed()
    {
        return None;
    }
    Some(Hit::new(format!(
        "`{}` {} {} `{}`",
        ev.user.username,
        action(&ev.verb),
        ev.resource(),
        ev.name()
    )))
}

pub(crate) const WEBHOOK: Spec = Spec {
    meta: &WEBHOOK_META,
    default_allow: &["system:apiserver"],
    build: Build::Stateless(webhook),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// Resources whose change can switch off log collection.
const TAMPER_RESOURCES: &[&str] = &[
    "daemonsets",
    "deployments",
    "statefulsets",
    "configmaps",
    "pods",
    "namespaces",
    "services",
];

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static AUDIT_TAMPER_META: DetectorMeta = DetectorMeta {
    code: "AUD017",
    name: "audit-policy-or-logging-tampering",
    title: "Audit or logging pipeline changed or removed",
    severity: Severity::High,
    mitre_id: "T1562.008",
    mitre_name: "Impair Defenses: Disable or Modify Cloud Logs",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports what the audit log can see of an attempt to blind it: any write to dynamic audit
sinks (`auditsinks`), and updates, patches and deletions of DaemonSets, Deployments,
StatefulSets, ConfigMaps, pods, services and namespaces whose name matches an audit or
logging agent (`tamper.namePatterns`: `*audit*`, `*fluent-bit*`, `*falco*`, ...) or that live in
a logging namespace (`tamper.namespaces`). The audit policy file itself lives on the control
plane host and is not visible here.

## Why is this bad?
Attackers stop log shippers and runtime sensors before acting, so that nothing after leaves
the cluster. The deletion is often the last event a SIEM receives.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-17","stage":"ResponseComplete","requestURI":"/apis/apps/v1/namespaces/monitoring/daemonsets/fluent-bit","verb":"delete","user":{"username":"dev-bob","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"daemonsets","namespace":"monitoring","name":"fluent-bit","apiGroup":"apps","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-01T03:17:00.000000Z","stageTimestamp":"2024-05-01T03:17:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Restore the component; restrict write access to logging namespaces; alert on gaps in log
delivery as well, since a stopped shipper sends nothing.

## False positives
Upgrades of the logging stack by its installer, and controllers rolling its pods; allow the
installer's identity. Name patterns can match unrelated objects (`audit-service`); tune
`tamper.namePatterns`.
"#,
};

fn audit_tamper(ev: &Event<'_>, cx: &Cx<'_>) -> Option<Hit> {
    if !ev.allowed() || !ev.subresource().is_empty() {
        return None;
    }
    if ev.resource() == "auditsinks" && is_write(&ev.verb) {
        return Some(Hit::new(format!(
            "`{}` {} audit sink `{}`",
            ev.user.username,
            action(&ev.verb),
            ev.name()
        )));
    }
    if !matches!(
        ev.verb.as_ref(),
        "update" | "patch" | "delete" | "deletecollection"
    ) || !TAMPER_RESOURCES.contains(&ev.resource())
    {
        return None;
    }
    let t = &cx.config.tamper;
    let name = ev.name();
    let by_name = !name.is_empty() && t.name_patterns.iter().any(|p| glob_match(p, name));
    let ns = if ev.resource() == "namespaces" {
        name
    } else {
        ev.namespace()
    };
    let by_ns = !ns.is_empty() && t.namespaces.iter().any(|p| glob_match(p, ns));
    if !(by_name || by_ns) {
        return None;
    }
    let target = if name.is_empty() {
        format!("{} in namespace `{ns}`", ev.resource())
    } else {
        format!("{} `{}`", ev.resource(), object_name(ev))
    };
    Some(
        Hit::new(format!(
            "`{}` {} {target} of the logging pipeline",
            ev.user.username,
            action(&ev.verb)
        ))
        .with("matchedBy", if by_name { "name" } else { "namespace" }),
    )
}

pub(crate) const AUDIT_TAMPER: Spec = Spec {
    meta: &AUDIT_TAMPER_META,
    default_allow: &[
        "system:serviceaccount:kube-system:*",
        "system:kube-controller-manager",
        "system:node:*",
        "system:apiserver",
    ],
    build: Build::Stateless(audit_tamper),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static CRD_META: DetectorMeta = DetectorMeta {
    code: "AUD018",
    name: "crd-or-apiservice-registered",
    title: "CustomResourceDefinition or APIService registered",
    severity: Severity::Medium,
    mitre_id: "T1557",
    mitre_name: "Adversary-in-the-Middle",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports an allowed create of a CustomResourceDefinition, and a create, update or patch of an
APIService (its target service and `insecureSkipTLSVerify` shown when the body is logged).

## Why is this bad?
An APIService routes a whole API group to a service of the caller's choice: the API server
then forwards users' requests — with their identities — to it. New CRDs extend the API
surface and are a common persistence point for malicious operators.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"0b1f6f7e-18","stage":"ResponseComplete","requestURI":"/apis/apiregistration.k8s.io/v1/apiservices","verb":"create","user":{"username":"dev-bob","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"apiservices","name":"v1beta1.metrics.example.io","apiGroup":"apiregistration.k8s.io","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestObject":{"kind":"APIService","apiVersion":"apiregistration.k8s.io/v1","metadata":{"name":"v1beta1.metrics.example.io"},"spec":{"group":"metrics.example.io","version":"v1beta1","service":{"namespace":"default","name":"collector"},"insecureSkipTLSVerify":true,"groupPriorityMinimum":100,"versionPriority":100}},"requestReceivedTimestamp":"2024-05-01T03:18:00.000000Z","stageTimestamp":"2024-05-01T03:18:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Remove unexpected registrations; restrict write access to `apiregistration.k8s.io` and
`apiextensions.k8s.io` to the platform installer.

## False positives
Operator and add-on installs (metrics-server registers `v1beta1.metrics.k8s.io`); the API
server's own registrations (`system:apiserver`) are allowed by default.
"#,
};

fn crd_apiservice(ev: &Event<'_>, _cx: &Cx<'_>) -> Option<Hit> {
    if !ev.subresource().is_empty() || !ev.allowed() {
        return None;
    }
    match (ev.resource(), ev.verb.as_ref()) {
        ("customresourcedefinitions", "create") => Some(Hit::new(format!(
            "`{}` registered CustomResourceDefinition `{}`",
            ev.user.username,
            ev.name()
        ))),
        ("apiservices", "create" | "update" | "patch") => {
            let mut hit = Hit::new(format!(
                "`{}` {} APIService `{}`",
                ev.user.username,
                action(&ev.verb),
                ev.name()
            ));
            if let Some(spec) = ev.resulting_object::<ApiService>().and_then(|a| a.spec) {
                match spec.service {
                    Some(s) => hit = hit.with("service", format!("{}/{}", s.namespace, s.name)),
                    None => hit = hit.with("service", "local"),
                }
                if spec.insecure_skip_tls_verify == Some(true) {
                    hit = hit.with("insecureSkipTLSVerify", "true");
                }
            }
            Some(hit)
        }
        _ => None,
    }
}

pub(crate) const CRD_APISERVICE: Spec = Spec {
    meta: &CRD_META,
    default_allow: &["system:apiserver", "system:kube-aggregator"],
    build: Build::Stateless(crd_apiservice),
    once_per_request: true,
    allow_authenticated_only: false,
};

/// The metadata and documentation of this detector (re-exported in [`crate::meta`]).
pub static EVENT_DELETED_META: DetectorMeta = DetectorMeta {
    code: "AUD020",
    name: "event-deleted",
    title: "Kubernetes Events deleted",
    severity: Severity::Medium,
    mitre_id: "T1070",
    mitre_name: "Indicator Removal",
    needs: NeedsLevel::Metadata,
    doc: r#"## What it does
Reports an allowed `delete` or `deletecollection` of `events` (core or `events.k8s.io`) by
an identity other than the namespace controller.

## Why is this bad?
Events record pod scheduling, image pulls, failed mounts and probe failures. They expire on
their own (the API server's event TTL), so deleting them by hand is mostly done to cover
tracks.

## Example event
```json
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b1f6f7e-20","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/events","verb":"deletecollection","user":{"username":"dev-bob","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"userAgent":"kubectl/v1.30.1 (linux/amd64) kubernetes/6911225","objectRef":{"resource":"events","namespace":"payments","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-01T03:20:00.000000Z","stageTimestamp":"2024-05-01T03:20:00.010000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
```

## Fix
Remove `delete` on `events` from roles; ship events to external storage (event exporter).

## False positives
Namespace deletion (the namespace controller is allowed by default) and tools that prune
events; allow their identities.
"#,
};

fn event_deleted(ev: &Event<'_>, _cx: &Cx<'_>) -> Option<Hit> {
    if ev.resource() != "events"
        || !matches!(ev.api_group(), "" | "events.k8s.io")
        || !matches!(ev.verb.as_ref(), "delete" | "deletecollection")
        || !ev.allowed()
    {
        return None;
    }
    let what = if ev.name().is_empty() {
        match ev.namespace() {
            "" => "events in all namespaces".to_owned(),
            ns => format!("the events of namespace `{ns}`"),
        }
    } else {
        format!("event `{}`", object_name(ev))
    };
    Some(Hit::new(format!("`{}` deleted {what}", ev.user.username)))
}

pub(crate) const EVENT_DELETED: Spec = Spec {
    meta: &EVENT_DELETED_META,
    default_allow: &[
        "system:serviceaccount:kube-system:namespace-controller",
        "system:kube-controller-manager",
    ],
    build: Build::Stateless(event_deleted),
    once_per_request: true,
    allow_authenticated_only: false,
};

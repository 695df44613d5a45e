//! Minimal views of request/response bodies, parsed lazily by the detectors that need them.
//! Only the fields detectors read are declared; everything else (including a Secret's `data`
//! or a TokenRequest's `status.token`) is skipped by the parser and never stored.

use serde::Deserialize;

use crate::event::Event;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SecurityContext {
    #[serde(default)]
    pub privileged: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Container {
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "securityContext")]
    pub security_context: Option<SecurityContext>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct HostPath {
    #[serde(default)]
    pub path: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Volume {
    #[serde(default, rename = "hostPath")]
    pub host_path: Option<HostPath>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PodSpec {
    #[serde(default)]
    pub containers: Option<Vec<Container>>,
    #[serde(default, rename = "initContainers")]
    pub init_containers: Option<Vec<Container>>,
    #[serde(default, rename = "ephemeralContainers")]
    pub ephemeral_containers: Option<Vec<Container>>,
    #[serde(default)]
    pub volumes: Option<Vec<Volume>>,
}

impl PodSpec {
    /// Every container with its field path below the pod spec (`containers[0]`).
    pub fn all_containers(&self) -> impl Iterator<Item = (String, &Container)> {
        [
            ("containers", &self.containers),
            ("initContainers", &self.init_containers),
            ("ephemeralContainers", &self.ephemeral_containers),
        ]
        .into_iter()
        .flat_map(|(field, list)| {
            list.iter()
                .flatten()
                .enumerate()
                .map(move |(i, c)| (format!("{field}[{i}]"), c))
        })
    }
}

#[derive(Debug, Deserialize)]
struct WithSpec<T> {
    #[serde(default = "Option::default")]
    spec: Option<T>,
}

#[derive(Debug, Deserialize)]
struct WithTemplate<T> {
    #[serde(default = "Option::default")]
    template: Option<T>,
}

#[derive(Debug, Deserialize)]
struct CronSpec {
    #[serde(default, rename = "jobTemplate")]
    job_template: Option<WithSpec<WithTemplate<WithSpec<PodSpec>>>>,
}

/// Resources whose objects carry a pod template, with the path of the pod spec.
pub(crate) const POD_TEMPLATE_RESOURCES: &[(&str, &str)] = &[
    ("pods", "spec"),
    ("deployments", "spec.template.spec"),
    ("replicasets", "spec.template.spec"),
    ("statefulsets", "spec.template.spec"),
    ("daemonsets", "spec.template.spec"),
    ("jobs", "spec.template.spec"),
    ("replicationcontrollers", "spec.template.spec"),
    ("cronjobs", "spec.jobTemplate.spec.template.spec"),
    ("podtemplates", "template.spec"),
];

/// The pod spec path of `resource`, when it has one.
pub(crate) fn pod_spec_path(resource: &str) -> Option<&'static str> {
    POD_TEMPLATE_RESOURCES
        .iter()
        .find(|(r, _)| *r == resource)
        .map(|(_, p)| *p)
}

/// The pod spec of the object the request produced, with its path (`spec.template.spec`).
pub(crate) fn pod_spec(ev: &Event<'_>) -> Option<(&'static str, PodSpec)> {
    let path = pod_spec_path(ev.resource())?;
    let spec = match ev.resource() {
        "pods" => ev.resulting_object::<WithSpec<PodSpec>>()?.spec?,
        "cronjobs" => {
            ev.resulting_object::<WithSpec<CronSpec>>()?
                .spec?
                .job_template?
                .spec?
                .template?
                .spec?
        }
        "podtemplates" => {
            ev.resulting_object::<WithTemplate<WithSpec<PodSpec>>>()?
                .template?
                .spec?
        }
        _ => {
            ev.resulting_object::<WithSpec<WithTemplate<WithSpec<PodSpec>>>>()?
                .spec?
                .template?
                .spec?
        }
    };
    Some((path, spec))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RoleRef {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Subject {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Binding {
    #[serde(default, rename = "roleRef")]
    pub role_ref: Option<RoleRef>,
    #[serde(default)]
    pub subjects: Option<Vec<Subject>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PolicyRule {
    #[serde(default)]
    pub verbs: Option<Vec<String>>,
    #[serde(default, rename = "apiGroups")]
    pub api_groups: Option<Vec<String>>,
    #[serde(default)]
    pub resources: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Role {
    #[serde(default)]
    pub rules: Option<Vec<PolicyRule>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Condition {
    #[serde(default, rename = "type")]
    pub type_: String,
    #[serde(default)]
    pub status: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CsrStatus {
    #[serde(default)]
    pub conditions: Option<Vec<Condition>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CsrSpec {
    #[serde(default, rename = "signerName")]
    pub signer_name: String,
    #[serde(default)]
    pub username: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Csr {
    #[serde(default)]
    pub spec: Option<CsrSpec>,
    #[serde(default)]
    pub status: Option<CsrStatus>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct BoundObjectRef {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenRequestSpec {
    #[serde(default)]
    pub audiences: Option<Vec<String>>,
    #[serde(default, rename = "expirationSeconds")]
    pub expiration_seconds: Option<i64>,
    #[serde(default, rename = "boundObjectRef")]
    pub bound_object_ref: Option<BoundObjectRef>,
}

/// Only `spec`: `status.token` is never parsed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenRequest {
    #[serde(default)]
    pub spec: Option<TokenRequestSpec>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ServiceReference {
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ApiServiceSpec {
    #[serde(default)]
    pub service: Option<ServiceReference>,
    #[serde(default, rename = "insecureSkipTLSVerify")]
    pub insecure_skip_tls_verify: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ApiService {
    #[serde(default)]
    pub spec: Option<ApiServiceSpec>,
}

//! The built-in API resources of a current Kubernetes release, as discovery (`kubectl
//! api-resources`) lists them: what `kubectl auth can-i` and `kubectl who-can` resolve a
//! resource argument with. Without a live API server this table stands in for the RESTMapper,
//! so `who-can create deployments` asks about `deployments.apps`, and cluster-scoped resources
//! (`nodes`, `clusterroles`) are asked about at cluster scope.

/// One API resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiResource {
    /// Plural resource name (`deployments`).
    pub name: &'static str,
    /// API group (`""` for the core group).
    pub group: &'static str,
    /// Singular name (lower-case kind).
    pub singular: &'static str,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// kubectl short names.
    pub short: &'static [&'static str],
}

const fn r(
    name: &'static str,
    group: &'static str,
    singular: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
) -> ApiResource {
    ApiResource {
        name,
        group,
        singular,
        namespaced,
        short,
    }
}

/// The built-in resources (Kubernetes 1.33), the core group first so that `events` means the
/// core resource, as kubectl prefers it.
pub const RESOURCES: &[ApiResource] = &[
    r("bindings", "", "binding", true, &[]),
    r("componentstatuses", "", "componentstatus", false, &["cs"]),
    r("configmaps", "", "configmap", true, &["cm"]),
    r("endpoints", "", "endpoints", true, &["ep"]),
    r("events", "", "event", true, &["ev"]),
    r("limitranges", "", "limitrange", true, &["limits"]),
    r("namespaces", "", "namespace", false, &["ns"]),
    r("nodes", "", "node", false, &["no"]),
    r(
        "persistentvolumeclaims",
        "",
        "persistentvolumeclaim",
        true,
        &["pvc"],
    ),
    r("persistentvolumes", "", "persistentvolume", false, &["pv"]),
    r("pods", "", "pod", true, &["po"]),
    r("podtemplates", "", "podtemplate", true, &[]),
    r(
        "replicationcontrollers",
        "",
        "replicationcontroller",
        true,
        &["rc"],
    ),
    r("resourcequotas", "", "resourcequota", true, &["quota"]),
    r("secrets", "", "secret", true, &[]),
    r("serviceaccounts", "", "serviceaccount", true, &["sa"]),
    r("services", "", "service", true, &["svc"]),
    r(
        "mutatingwebhookconfigurations",
        "admissionregistration.k8s.io",
        "mutatingwebhookconfiguration",
        false,
        &[],
    ),
    r(
        "validatingadmissionpolicies",
        "admissionregistration.k8s.io",
        "validatingadmissionpolicy",
        false,
        &[],
    ),
    r(
        "validatingadmissionpolicybindings",
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybinding",
        false,
        &[],
    ),
    r(
        "validatingwebhookconfigurations",
        "admissionregistration.k8s.io",
        "validatingwebhookconfiguration",
        false,
        &[],
    ),
    r(
        "customresourcedefinitions",
        "apiextensions.k8s.io",
        "customresourcedefinition",
        false,
        &["crd", "crds"],
    ),
    r(
        "apiservices",
        "apiregistration.k8s.io",
        "apiservice",
        false,
        &[],
    ),
    r(
        "controllerrevisions",
        "apps",
        "controllerrevision",
        true,
        &[],
    ),
    r("daemonsets", "apps", "daemonset", true, &["ds"]),
    r("deployments", "apps", "deployment", true, &["deploy"]),
    r("replicasets", "apps", "replicaset", true, &["rs"]),
    r("statefulsets", "apps", "statefulset", true, &["sts"]),
    r(
        "selfsubjectreviews",
        "authentication.k8s.io",
        "selfsubjectreview",
        false,
        &[],
    ),
    r(
        "tokenreviews",
        "authentication.k8s.io",
        "tokenreview",
        false,
        &[],
    ),
    r(
        "localsubjectaccessreviews",
        "authorization.k8s.io",
        "localsubjectaccessreview",
        true,
        &[],
    ),
    r(
        "selfsubjectaccessreviews",
        "authorization.k8s.io",
        "selfsubjectaccessreview",
        false,
        &[],
    ),
    r(
        "selfsubjectrulesreviews",
        "authorization.k8s.io",
        "selfsubjectrulesreview",
        false,
        &[],
    ),
    r(
        "subjectaccessreviews",
        "authorization.k8s.io",
        "subjectaccessreview",
        false,
        &[],
    ),
    r(
        "horizontalpodautoscalers",
        "autoscaling",
        "horizontalpodautoscaler",
        true,
        &["hpa"],
    ),
    r("cronjobs", "batch", "cronjob", true, &["cj"]),
    r("jobs", "batch", "job", true, &[]),
    r(
        "certificatesigningrequests",
        "certificates.k8s.io",
        "certificatesigningrequest",
        false,
        &["csr"],
    ),
    r("leases", "coordination.k8s.io", "lease", true, &[]),
    r(
        "endpointslices",
        "discovery.k8s.io",
        "endpointslice",
        true,
        &[],
    ),
    r("events", "events.k8s.io", "event", true, &["ev"]),
    r(
        "flowschemas",
        "flowcontrol.apiserver.k8s.io",
        "flowschema",
        false,
        &[],
    ),
    r(
        "prioritylevelconfigurations",
        "flowcontrol.apiserver.k8s.io",
        "prioritylevelconfiguration",
        false,
        &[],
    ),
    r(
        "ingressclasses",
        "networking.k8s.io",
        "ingressclass",
        false,
        &[],
    ),
    r("ingresses", "networking.k8s.io", "ingress", true, &["ing"]),
    r(
        "networkpolicies",
        "networking.k8s.io",
        "networkpolicy",
        true,
        &["netpol"],
    ),
    r("runtimeclasses", "node.k8s.io", "runtimeclass", false, &[]),
    r(
        "poddisruptionbudgets",
        "policy",
        "poddisruptionbudget",
        true,
        &["pdb"],
    ),
    r(
        "clusterrolebindings",
        "rbac.authorization.k8s.io",
        "clusterrolebinding",
        false,
        &[],
    ),
    r(
        "clusterroles",
        "rbac.authorization.k8s.io",
        "clusterrole",
        false,
        &[],
    ),
    r(
        "rolebindings",
        "rbac.authorization.k8s.io",
        "rolebinding",
        true,
        &[],
    ),
    r("roles", "rbac.authorization.k8s.io", "role", true, &[]),
    r(
        "priorityclasses",
        "scheduling.k8s.io",
        "priorityclass",
        false,
        &["pc"],
    ),
    r("csidrivers", "storage.k8s.io", "csidriver", false, &[]),
    r("csinodes", "storage.k8s.io", "csinode", false, &[]),
    r(
        "csistoragecapacities",
        "storage.k8s.io",
        "csistoragecapacity",
        true,
        &[],
    ),
    r(
        "storageclasses",
        "storage.k8s.io",
        "storageclass",
        false,
        &["sc"],
    ),
    r(
        "volumeattachments",
        "storage.k8s.io",
        "volumeattachment",
        false,
        &[],
    ),
];

/// A resource argument resolved against [`RESOURCES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Plural resource name.
    pub resource: String,
    /// API group.
    pub group: String,
    /// Whether the request is namespaced (unknown resources are assumed to be).
    pub namespaced: bool,
}

/// Resolves `RESOURCE[.GROUP]` (plural, singular, kind or short name, any case) with an
/// optional explicit API group, the way kubectl's RESTMapper does for built-in resources.
/// Unknown resources (custom resources) are taken as written, in the group given (core if
/// none), and assumed namespaced.
///
/// ```ignore
/// let r = resolve("deploy", None);
/// assert_eq!((r.resource.as_str(), r.group.as_str()), ("deployments", "apps"));
/// ```
pub fn resolve(argument: &str, api_group: Option<&str>) -> Resolved {
    if argument == "*" {
        return Resolved {
            resource: "*".to_string(),
            group: api_group.unwrap_or("*").to_string(),
            namespaced: true,
        };
    }
    let (name, group) = match api_group {
        Some(g) => (argument, Some(g)),
        None => match argument.split_once('.') {
            Some((n, g)) => (n, Some(g)),
            None => (argument, None),
        },
    };
    let lower = name.to_ascii_lowercase();
    let found = RESOURCES.iter().find(|r| {
        group.is_none_or(|g| g == r.group)
            && (r.name == lower || r.singular == lower || r.short.contains(&lower.as_str()))
    });
    match found {
        Some(r) => Resolved {
            resource: r.name.to_string(),
            group: r.group.to_string(),
            namespaced: r.namespaced,
        },
        None => Resolved {
            resource: name.to_string(),
            group: group.unwrap_or("").to_string(),
            namespaced: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution() {
        let r = resolve("deploy", None);
        assert_eq!(
            (r.resource.as_str(), r.group.as_str(), r.namespaced),
            ("deployments", "apps", true)
        );
        let r = resolve("Node", None);
        assert_eq!(
            (r.resource.as_str(), r.group.as_str(), r.namespaced),
            ("nodes", "", false)
        );
        let r = resolve("deployments.apps", None);
        assert_eq!(r.group, "apps");
        let r = resolve("events", None);
        assert_eq!(r.group, "");
        let r = resolve("events", Some("events.k8s.io"));
        assert_eq!(r.group, "events.k8s.io");
        let r = resolve("widgets.acme.io", None);
        assert_eq!(
            (r.resource.as_str(), r.group.as_str(), r.namespaced),
            ("widgets", "acme.io", true)
        );
        let r = resolve("*", None);
        assert_eq!(r.group, "*");
    }
}

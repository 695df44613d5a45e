//! The RBAC data model: rules, subjects, object references, requests and users.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The API group of the RBAC kinds.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
/// The group every authenticated user is in.
pub const GROUP_AUTHENTICATED: &str = "system:authenticated";
/// The group of unauthenticated (anonymous) requests.
pub const GROUP_UNAUTHENTICATED: &str = "system:unauthenticated";
/// The superuser group: the API server's authorizer chain allows it everything.
pub const GROUP_MASTERS: &str = "system:masters";
/// The group of every service account.
pub const GROUP_SERVICEACCOUNTS: &str = "system:serviceaccounts";
/// The user name of anonymous requests.
pub const USER_ANONYMOUS: &str = "system:anonymous";
/// The prefix of service-account user names (`system:serviceaccount:NS:NAME`).
pub const SERVICEACCOUNT_USER_PREFIX: &str = "system:serviceaccount:";

/// An opaque identifier of where an object came from, chosen by the caller (a file id,
/// a document index, ...). Objects of the built-in default policy have no source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SourceId(pub usize);

/// The kinds of object this engine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ObjectKind {
    /// `rbac.authorization.k8s.io/v1` Role.
    Role,
    /// `rbac.authorization.k8s.io/v1` ClusterRole.
    ClusterRole,
    /// `rbac.authorization.k8s.io/v1` RoleBinding.
    RoleBinding,
    /// `rbac.authorization.k8s.io/v1` ClusterRoleBinding.
    ClusterRoleBinding,
    /// `v1` ServiceAccount.
    ServiceAccount,
}

impl ObjectKind {
    /// The Kubernetes kind name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Role => "Role",
            Self::ClusterRole => "ClusterRole",
            Self::RoleBinding => "RoleBinding",
            Self::ClusterRoleBinding => "ClusterRoleBinding",
            Self::ServiceAccount => "ServiceAccount",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reference to an object the engine knows (a role, a binding, a service account).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectRef {
    /// The object's kind.
    pub kind: ObjectKind,
    /// The namespace (`None` for cluster-scoped objects).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
    /// Where it came from; `None` for the built-in default policy.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<SourceId>,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// A resolved role (Role or ClusterRole); same shape as [`ObjectRef`].
pub type RoleRef = ObjectRef;

/// One `rules[]` entry of a Role or ClusterRole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    /// `verbs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verbs: Vec<String>,
    /// `apiGroups`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    /// `resources`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// `resourceNames`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// `nonResourceURLs`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        rename = "nonResourceURLs"
    )]
    pub non_resource_urls: Vec<String>,
}

/// The kind of a binding subject (serialized as the kind string).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum SubjectKind {
    /// `User`.
    User,
    /// `Group`.
    Group,
    /// `ServiceAccount`.
    ServiceAccount,
    /// Anything else: never matches a request (as upstream).
    Other(String),
}

impl SubjectKind {
    /// Parses a subject kind as the authorizer compares it (exact, case-sensitive).
    #[must_use]
    pub fn parse(kind: &str) -> Self {
        match kind {
            "User" => Self::User,
            "Group" => Self::Group,
            "ServiceAccount" => Self::ServiceAccount,
            other => Self::Other(other.to_string()),
        }
    }

    /// The kind name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::User => "User",
            Self::Group => "Group",
            Self::ServiceAccount => "ServiceAccount",
            Self::Other(s) => s,
        }
    }
}

impl From<String> for SubjectKind {
    fn from(s: String) -> Self {
        Self::parse(&s)
    }
}

impl From<SubjectKind> for String {
    fn from(k: SubjectKind) -> Self {
        k.as_str().to_string()
    }
}

impl fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A subject as written in a binding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Subject {
    /// `kind`.
    pub kind: SubjectKind,
    /// `name`.
    pub name: String,
    /// `namespace` as written (service accounts).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub namespace: Option<String>,
    /// `apiGroup` as written.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub api_group: Option<String>,
}

/// A subject after defaulting: a service account's namespace is filled in from a
/// RoleBinding's namespace, as the authorizer does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SubjectRef {
    /// The subject kind.
    pub kind: SubjectKind,
    /// The subject's namespace (service accounts only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub namespace: Option<String>,
    /// The subject's name.
    pub name: String,
}

impl SubjectRef {
    /// A `User` subject.
    #[must_use]
    pub fn user(name: &str) -> Self {
        Self {
            kind: SubjectKind::User,
            namespace: None,
            name: name.to_string(),
        }
    }

    /// A `Group` subject.
    #[must_use]
    pub fn group(name: &str) -> Self {
        Self {
            kind: SubjectKind::Group,
            namespace: None,
            name: name.to_string(),
        }
    }

    /// A `ServiceAccount` subject.
    #[must_use]
    pub fn service_account(namespace: &str, name: &str) -> Self {
        Self {
            kind: SubjectKind::ServiceAccount,
            namespace: Some(namespace.to_string()),
            name: name.to_string(),
        }
    }
}

impl fmt::Display for SubjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// A binding's `roleRef` as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoleRefSpec {
    /// `apiGroup`.
    pub api_group: String,
    /// `kind` (`Role` or `ClusterRole`; anything else never resolves).
    pub kind: String,
    /// `name`.
    pub name: String,
}

/// The namespace scope of a resource request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// A request with no namespace: cluster-scoped resources, or a list/watch across all
    /// namespaces (`kubectl get pods -A`). Only ClusterRoleBindings grant these.
    #[default]
    Cluster,
    /// A request in one namespace: ClusterRoleBindings and that namespace's RoleBindings.
    Namespace(String),
    /// For [`crate::Policy::who_can`]: the request in any one namespace (reports
    /// RoleBindings of every namespace, each grant carrying its namespace). For
    /// [`crate::Policy::can_i`] this is the same as [`Scope::Cluster`], like
    /// `kubectl auth can-i --all-namespaces`.
    AllNamespaces,
}

/// A resource request (`verb` on `resource[/subresource]` of `apiGroup`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResourceRequest {
    /// The verb (`get`, `list`, `create`, `impersonate`, ...).
    pub verb: String,
    /// The API group (`""` for the core group).
    pub api_group: String,
    /// The resource (plural, lower case: `pods`).
    pub resource: String,
    /// The subresource (`exec`, `status`, `scale`); empty for none.
    #[serde(default)]
    pub subresource: String,
    /// The object name; empty for requests without one (list, watch, create, deletecollection).
    #[serde(default)]
    pub name: String,
    /// The namespace scope.
    #[serde(default)]
    pub scope: Scope,
}

/// A request to the API server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// A request for an API resource.
    Resource(ResourceRequest),
    /// A request for a non-resource URL (`/healthz`, `/version`, `/api`).
    NonResource {
        /// The verb (`get`, `post`, ...).
        verb: String,
        /// The URL path.
        path: String,
    },
}

impl Request {
    /// A cluster-scope resource request with no name and no subresource.
    ///
    /// ```
    /// use kubeward_rbac::Request;
    /// let r = Request::resource("get", "", "pods").subresource("log").name("web").namespace("prod");
    /// assert_eq!(r.to_string(), "get pods/log \"web\" in namespace prod");
    /// ```
    #[must_use]
    pub fn resource(verb: &str, api_group: &str, resource: &str) -> Self {
        Self::Resource(ResourceRequest {
            verb: verb.to_string(),
            api_group: api_group.to_string(),
            resource: resource.to_string(),
            subresource: String::new(),
            name: String::new(),
            scope: Scope::Cluster,
        })
    }

    /// A non-resource URL request.
    #[must_use]
    pub fn non_resource(verb: &str, path: &str) -> Self {
        Self::NonResource {
            verb: verb.to_string(),
            path: path.to_string(),
        }
    }

    /// Sets the subresource (resource requests only).
    #[must_use]
    pub fn subresource(mut self, subresource: &str) -> Self {
        if let Self::Resource(r) = &mut self {
            r.subresource = subresource.to_string();
        }
        self
    }

    /// Sets the object name (resource requests only).
    #[must_use]
    pub fn name(mut self, name: &str) -> Self {
        if let Self::Resource(r) = &mut self {
            r.name = name.to_string();
        }
        self
    }

    /// Puts the request in a namespace (resource requests only).
    #[must_use]
    pub fn namespace(self, namespace: &str) -> Self {
        self.scope(Scope::Namespace(namespace.to_string()))
    }

    /// Sets the namespace scope (resource requests only).
    #[must_use]
    pub fn scope(mut self, scope: Scope) -> Self {
        if let Self::Resource(r) = &mut self {
            r.scope = scope;
        }
        self
    }

    /// Marks the request as "in any namespace" (see [`Scope::AllNamespaces`]).
    #[must_use]
    pub fn all_namespaces(self) -> Self {
        self.scope(Scope::AllNamespaces)
    }

    /// The verb.
    #[must_use]
    pub fn verb(&self) -> &str {
        match self {
            Self::Resource(r) => &r.verb,
            Self::NonResource { verb, .. } => verb,
        }
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Resource(r) => {
                write!(f, "{} {}", r.verb, r.resource)?;
                if !r.api_group.is_empty() {
                    write!(f, ".{}", r.api_group)?;
                }
                if !r.subresource.is_empty() {
                    write!(f, "/{}", r.subresource)?;
                }
                if !r.name.is_empty() {
                    write!(f, " {:?}", r.name)?;
                }
                match &r.scope {
                    Scope::Cluster => f.write_str(" cluster-wide"),
                    Scope::Namespace(ns) => write!(f, " in namespace {ns}"),
                    Scope::AllNamespaces => f.write_str(" in any namespace"),
                }
            }
            Self::NonResource { verb, path } => write!(f, "{verb} nonResourceURL {path}"),
        }
    }
}

/// An authenticated (or anonymous) user as the authorizer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserInfo {
    /// The user name (`jane`, `system:serviceaccount:ns:sa`, `system:anonymous`).
    pub name: String,
    /// The groups, including implicit ones.
    pub groups: Vec<String>,
}

impl UserInfo {
    /// A user with exactly these groups (no implicit groups added).
    #[must_use]
    pub fn new(name: &str, groups: &[&str]) -> Self {
        Self {
            name: name.to_string(),
            groups: groups.iter().map(|g| (*g).to_string()).collect(),
        }
    }

    /// The user the API server builds for `kubectl --as=NAME --as-group=G...`:
    /// a service-account user name (`system:serviceaccount:NS:NAME`) without explicit groups
    /// gets `system:serviceaccounts` and `system:serviceaccounts:NS`; every user but
    /// `system:anonymous` gets `system:authenticated` unless `system:authenticated` or
    /// `system:unauthenticated` was given; `system:anonymous` gets `system:unauthenticated`.
    ///
    /// ```
    /// use kubeward_rbac::UserInfo;
    /// let sa = UserInfo::impersonate("system:serviceaccount:ci:deployer", &[]);
    /// assert_eq!(sa.groups, ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"]);
    /// let anon = UserInfo::impersonate("system:anonymous", &[]);
    /// assert_eq!(anon.groups, ["system:unauthenticated"]);
    /// ```
    #[must_use]
    pub fn impersonate(as_user: &str, as_groups: &[&str]) -> Self {
        let mut groups: Vec<String> = as_groups.iter().map(|g| (*g).to_string()).collect();
        if groups.is_empty()
            && let Some((ns, _)) = split_service_account_username(as_user)
        {
            groups = service_account_groups(ns);
        }
        if as_user == USER_ANONYMOUS {
            if !groups.iter().any(|g| g == GROUP_UNAUTHENTICATED) {
                groups.push(GROUP_UNAUTHENTICATED.to_string());
            }
        } else if !groups
            .iter()
            .any(|g| g == GROUP_AUTHENTICATED || g == GROUP_UNAUTHENTICATED)
        {
            groups.push(GROUP_AUTHENTICATED.to_string());
        }
        Self {
            name: as_user.to_string(),
            groups,
        }
    }

    /// The anonymous user (`system:anonymous` in `system:unauthenticated`).
    #[must_use]
    pub fn anonymous() -> Self {
        Self::impersonate(USER_ANONYMOUS, &[])
    }

    /// A service account's user as its token authenticates it.
    #[must_use]
    pub fn service_account(namespace: &str, name: &str) -> Self {
        Self::impersonate(&service_account_username(namespace, name), &[])
    }

    /// Whether the user is in `group`.
    #[must_use]
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

/// `system:serviceaccount:NS:NAME`.
#[must_use]
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("{SERVICEACCOUNT_USER_PREFIX}{namespace}:{name}")
}

/// The groups of a service account: `system:serviceaccounts`, `system:serviceaccounts:NS`.
#[must_use]
pub fn service_account_groups(namespace: &str) -> Vec<String> {
    vec![
        GROUP_SERVICEACCOUNTS.to_string(),
        format!("{GROUP_SERVICEACCOUNTS}:{namespace}"),
    ]
}

/// Splits `system:serviceaccount:NS:NAME` into `(NS, NAME)` when both parts are valid names
/// (a DNS-1123 label and a DNS-1123 subdomain), as the API server does.
///
/// ```
/// use kubeward_rbac::split_service_account_username;
/// assert_eq!(split_service_account_username("system:serviceaccount:ci:bot"), Some(("ci", "bot")));
/// assert_eq!(split_service_account_username("system:serviceaccount:ci"), None);
/// assert_eq!(split_service_account_username("jane"), None);
/// ```
#[must_use]
pub fn split_service_account_username(user: &str) -> Option<(&str, &str)> {
    let rest = user.strip_prefix(SERVICEACCOUNT_USER_PREFIX)?;
    let (ns, name) = rest.split_once(':')?;
    (is_dns1123_label(ns) && is_dns1123_subdomain(name)).then_some((ns, name))
}

fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

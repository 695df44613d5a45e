//! The authorizer's questions: who can, can I, what can I.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::matching::rule_allows;
use crate::policy::{BindingId, Policy, PolicyFinding, RoleId, Via};
use crate::types::{GROUP_MASTERS, ObjectKind, Request, Scope, SubjectKind, SubjectRef, UserInfo};

/// A subject that is granted a request, with every binding → role → rule that grants it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectGrant {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: SubjectKind,
    /// The subject name.
    pub name: String,
    /// The service account's namespace.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub namespace: Option<String>,
    /// True for `system:masters`: the API server's authorizer chain allows this group
    /// everything before RBAC is asked.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub superuser: bool,
    /// The grants, sorted. For [`Scope::AllNamespaces`] queries a RoleBinding's namespace
    /// is where the grant holds.
    pub via: Vec<Via>,
}

impl SubjectGrant {
    /// The subject.
    #[must_use]
    pub fn subject(&self) -> SubjectRef {
        SubjectRef {
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }
}

/// The answer to [`Policy::can_i`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Whether the request is allowed.
    pub allowed: bool,
    /// Allowed because the user is in `system:masters` (the authorizer chain's superuser
    /// short-circuit), whatever RBAC says.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub superuser: bool,
    /// Each binding that allows it, with its first allowing rule; the first is the one the
    /// RBAC authorizer names in its reason. Empty when denied.
    pub via: Vec<Via>,
    /// Bindings that apply to the user but whose role does not resolve (the authorizer's
    /// evaluation errors).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub unresolved: Vec<PolicyFinding>,
}

/// One row of [`Policy::effective_rules`]: a resource (group, resource, optional name) or a
/// non-resource URL, and the verbs allowed on it, as `kubectl auth can-i --list` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectiveRule {
    /// The API group (resource rows).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub api_group: Option<String>,
    /// The resource, `resource/subresource` or a wildcard (resource rows).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub resource: Option<String>,
    /// The resource name a rule is limited to.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub resource_name: Option<String>,
    /// The non-resource URL (non-resource rows).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub non_resource_url: Option<String>,
    /// The verbs, in the order first granted.
    pub verbs: Vec<String>,
    /// The grants that contribute to the row.
    pub via: Vec<Via>,
}

/// The answer to [`Policy::effective_rules`], like a SelfSubjectRulesReview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesReport {
    /// The rows, sorted: resources by (resource, group, name), then non-resource URLs.
    pub rules: Vec<EffectiveRule>,
    /// True when some applicable binding's role did not resolve.
    pub incomplete: bool,
    /// Those bindings.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub unresolved: Vec<PolicyFinding>,
}

/// A resource × verb table of [`Policy::can_i`] answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessMatrix {
    /// The column verbs.
    pub verbs: Vec<String>,
    /// One row per resource.
    pub rows: Vec<MatrixRow>,
}

/// One row of an [`AccessMatrix`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRow {
    /// The API group.
    pub api_group: String,
    /// The resource (may be `resource/subresource`).
    pub resource: String,
    /// One answer per verb column.
    pub allowed: Vec<bool>,
}

/// The verbs of a default access matrix.
pub const MATRIX_VERBS: [&str; 8] = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];

/// `appliesToUser` upstream: whether a binding subject matches the user.
pub(crate) fn subject_applies(
    subject: &crate::types::Subject,
    binding_ns: Option<&str>,
    user: &UserInfo,
) -> bool {
    match &subject.kind {
        SubjectKind::User => user.name == subject.name,
        SubjectKind::Group => user.in_group(&subject.name),
        SubjectKind::ServiceAccount => {
            let ns = subject.namespace.as_deref().or(binding_ns).unwrap_or("");
            if ns.is_empty() {
                return false;
            }
            // serviceaccount.MatchesUsername: an exact comparison with the user name
            user.name
                .strip_prefix(crate::types::SERVICEACCOUNT_USER_PREFIX)
                .and_then(|rest| rest.strip_prefix(ns))
                .and_then(|rest| rest.strip_prefix(':'))
                == Some(subject.name.as_str())
        }
        SubjectKind::Other(_) => false,
    }
}

impl Policy {
    /// Bindings that the authorizer visits for a request in `namespace` (`None`: cluster
    /// scope): ClusterRoleBindings, then that namespace's RoleBindings.
    fn visited(&self, namespace: Option<&str>) -> impl Iterator<Item = BindingId> + '_ {
        let idx = self.index();
        let rbs = namespace
            .and_then(|ns| idx.rbs_by_ns.get(ns))
            .into_iter()
            .flatten();
        idx.crbs.iter().chain(rbs).copied()
    }

    /// The index of the first effective rule of `role` that allows `req`.
    pub(crate) fn first_allowing(&self, role: RoleId, req: &Request) -> Option<usize> {
        let idx = self.index();
        idx.effective.get(role)?.iter().position(|&rid| {
            idx.rules
                .get(rid)
                .is_some_and(|e| rule_allows(&e.rule, req))
        })
    }

    /// Every subject that the request is allowed for, as `kubectl who-can` answers it:
    /// subjects of ClusterRoleBindings whose ClusterRole allows it, plus (for a namespaced
    /// request) subjects of that namespace's RoleBindings whose role allows it, plus the
    /// `system:masters` superuser group. Service-account subjects without a namespace take
    /// their RoleBinding's namespace; subjects that can never match are left out.
    ///
    /// ```
    /// use kubeward_rbac::{Policy, Request};
    /// let p = Policy::with_defaults();
    /// let who = p.who_can(&Request::resource("create", "authorization.k8s.io", "selfsubjectaccessreviews"));
    /// assert!(who.iter().any(|g| g.name == "system:authenticated"));
    /// ```
    #[must_use]
    pub fn who_can(&self, req: &Request) -> Vec<SubjectGrant> {
        let idx = self.index();
        let bindings: Vec<BindingId> = match req {
            Request::NonResource { .. } => idx.crbs.clone(),
            Request::Resource(r) => match &r.scope {
                Scope::Cluster => idx.crbs.clone(),
                Scope::Namespace(ns) => self.visited(Some(ns)).collect(),
                Scope::AllNamespaces => idx
                    .crbs
                    .iter()
                    .chain(idx.rbs_by_ns.values().flatten())
                    .copied()
                    .collect(),
            },
        };
        // Per role: not yet checked / allows with rule i / does not allow.
        let mut memo: Vec<Option<Option<usize>>> = vec![None; self.roles.len()];
        let mut grants: BTreeMap<SubjectRef, SubjectGrant> = BTreeMap::new();
        grants.insert(
            SubjectRef::group(GROUP_MASTERS),
            SubjectGrant {
                kind: SubjectKind::Group,
                name: GROUP_MASTERS.to_string(),
                namespace: None,
                superuser: true,
                via: Vec::new(),
            },
        );
        for b in bindings {
            let Some(Ok(role)) = idx.resolved.get(b) else {
                continue;
            };
            let Some(slot) = memo.get_mut(*role) else {
                continue;
            };
            let allowing = *slot.get_or_insert_with(|| self.first_allowing(*role, req));
            let Some(rule_index) = allowing else { continue };
            let Some(binding) = self.bindings.get(b) else {
                continue;
            };
            for (i, s) in binding.obj.subjects.iter().enumerate() {
                let Some(subject) = binding.effective_subject(s) else {
                    continue;
                };
                if subject.kind == SubjectKind::ServiceAccount
                    && binding.obj.kind == ObjectKind::ClusterRoleBinding
                    && s.namespace.is_none()
                {
                    continue;
                }
                let via = self.via(b, i, *role, rule_index);
                grants
                    .entry(subject.clone())
                    .or_insert_with(|| SubjectGrant {
                        kind: subject.kind.clone(),
                        name: subject.name.clone(),
                        namespace: subject.namespace.clone(),
                        superuser: false,
                        via: Vec::new(),
                    })
                    .via
                    .push(via);
            }
        }
        grants
            .into_values()
            .map(|mut g| {
                g.via.sort();
                g.via.dedup();
                g
            })
            .collect()
    }

    /// Whether `user` may make the request, as the API server decides it: `system:masters`
    /// is allowed everything; otherwise the RBAC authorizer visits ClusterRoleBindings and
    /// (for a namespaced request) the namespace's RoleBindings whose subjects apply to the
    /// user, and allows when one of their roles' rules allows the request.
    ///
    /// ```
    /// use kubeward_rbac::{Policy, Request, UserInfo};
    /// let p = Policy::with_defaults();
    /// let anon = UserInfo::anonymous();
    /// assert!(p.can_i(&anon, &Request::non_resource("get", "/healthz")).allowed);
    /// assert!(!p.can_i(&anon, &Request::resource("list", "", "pods").namespace("default")).allowed);
    /// ```
    #[must_use]
    pub fn can_i(&self, user: &UserInfo, req: &Request) -> Decision {
        let namespace = match req {
            Request::Resource(r) => match &r.scope {
                Scope::Namespace(ns) => Some(ns.as_str()),
                Scope::Cluster | Scope::AllNamespaces => None,
            },
            Request::NonResource { .. } => None,
        };
        let idx = self.index();
        let mut via = Vec::new();
        let mut unresolved = Vec::new();
        for b in self.visited(namespace) {
            let Some(binding) = self.bindings.get(b) else {
                continue;
            };
            let ns = binding.obj.namespace.as_deref();
            let Some(subject) = binding
                .obj
                .subjects
                .iter()
                .position(|s| subject_applies(s, ns, user))
            else {
                continue;
            };
            match idx.resolved.get(b) {
                Some(Ok(role)) => {
                    if let Some(rule) = self.first_allowing(*role, req) {
                        via.push(self.via(b, subject, *role, rule));
                    }
                }
                _ => unresolved.extend(self.unresolved_finding(b)),
            }
        }
        let superuser = user.in_group(GROUP_MASTERS);
        Decision {
            allowed: superuser || !via.is_empty(),
            superuser,
            via,
            unresolved,
        }
    }

    /// What `user` may do in `namespace` (`None`: cluster-wide rules only), like
    /// `kubectl auth can-i --list`: the rules of every applicable binding broken down to one
    /// row per (group, resource, name) and per non-resource URL, with verbs merged.
    ///
    /// ```
    /// use kubeward_rbac::{Policy, UserInfo};
    /// let p = Policy::with_defaults();
    /// let report = p.effective_rules(&UserInfo::impersonate("jane", &[]), Some("default"));
    /// assert!(report.rules.iter().any(|r| r.non_resource_url.as_deref() == Some("/version")));
    /// ```
    #[must_use]
    pub fn effective_rules(&self, user: &UserInfo, namespace: Option<&str>) -> RulesReport {
        let idx = self.index();
        type Key = (bool, String, String, String, String);
        let mut rows: BTreeMap<Key, EffectiveRule> = BTreeMap::new();
        let mut unresolved = Vec::new();
        for b in self.visited(namespace) {
            let Some(binding) = self.bindings.get(b) else {
                continue;
            };
            let ns = binding.obj.namespace.as_deref();
            let Some(subject) = binding
                .obj
                .subjects
                .iter()
                .position(|s| subject_applies(s, ns, user))
            else {
                continue;
            };
            let Some(Ok(role)) = idx.resolved.get(b) else {
                unresolved.extend(self.unresolved_finding(b));
                continue;
            };
            for (eff_index, &rid) in idx.effective.get(*role).into_iter().flatten().enumerate() {
                let Some(entry) = idx.rules.get(rid) else {
                    continue;
                };
                let rule = &entry.rule;
                let via = self.via(b, subject, *role, eff_index);
                let mut add = |key: Key, mk: &dyn Fn() -> EffectiveRule| {
                    let row = rows.entry(key).or_insert_with(mk);
                    for v in &rule.verbs {
                        if !row.verbs.contains(v) {
                            row.verbs.push(v.clone());
                        }
                    }
                    if !row.via.contains(&via) {
                        row.via.push(via.clone());
                    }
                };
                if !rule.verbs.is_empty() {
                    for group in &rule.api_groups {
                        for resource in &rule.resources {
                            let names: Vec<Option<&String>> = if rule.resource_names.is_empty() {
                                vec![None]
                            } else {
                                rule.resource_names.iter().map(Some).collect()
                            };
                            for name in names {
                                let key = (
                                    false,
                                    resource.clone(),
                                    group.clone(),
                                    name.cloned().unwrap_or_default(),
                                    String::new(),
                                );
                                add(key, &|| EffectiveRule {
                                    api_group: Some(group.clone()),
                                    resource: Some(resource.clone()),
                                    resource_name: name.cloned(),
                                    non_resource_url: None,
                                    verbs: Vec::new(),
                                    via: Vec::new(),
                                });
                            }
                        }
                    }
                    for url in &rule.non_resource_urls {
                        let key = (
                            true,
                            String::new(),
                            String::new(),
                            String::new(),
                            url.clone(),
                        );
                        add(key, &|| EffectiveRule {
                            api_group: None,
                            resource: None,
                            resource_name: None,
                            non_resource_url: Some(url.clone()),
                            verbs: Vec::new(),
                            via: Vec::new(),
                        });
                    }
                }
            }
        }
        RulesReport {
            rules: rows.into_values().collect(),
            incomplete: !unresolved.is_empty(),
            unresolved,
        }
    }

    /// A resource × verb table of [`Policy::can_i`] answers for `user` in `scope`.
    /// `resources` are `(apiGroup, resource)` pairs; a resource may be `resource/subresource`.
    ///
    /// ```
    /// use kubeward_rbac::{Policy, Scope, UserInfo, MATRIX_VERBS};
    /// let p = Policy::with_defaults();
    /// let m = p.access_matrix(&UserInfo::anonymous(), &Scope::Namespace("default".into()), &[("", "pods")], &MATRIX_VERBS);
    /// assert!(m.rows[0].allowed.iter().all(|a| !a));
    /// ```
    #[must_use]
    pub fn access_matrix(
        &self,
        user: &UserInfo,
        scope: &Scope,
        resources: &[(&str, &str)],
        verbs: &[&str],
    ) -> AccessMatrix {
        let rows = resources
            .iter()
            .map(|(group, resource)| {
                let (res, sub) = resource.split_once('/').unwrap_or((resource, ""));
                MatrixRow {
                    api_group: (*group).to_string(),
                    resource: (*resource).to_string(),
                    allowed: verbs
                        .iter()
                        .map(|verb| {
                            let req = Request::resource(verb, group, res)
                                .subresource(sub)
                                .scope(scope.clone());
                            self.can_i(user, &req).allowed
                        })
                        .collect(),
                }
            })
            .collect();
        AccessMatrix {
            verbs: verbs.iter().map(|v| (*v).to_string()).collect(),
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Subject;

    fn sa(name: &str, ns: Option<&str>) -> Subject {
        Subject {
            kind: SubjectKind::ServiceAccount,
            name: name.to_string(),
            namespace: ns.map(str::to_string),
            api_group: None,
        }
    }

    #[test]
    fn service_account_subject_matching() {
        let bot = UserInfo::service_account("team-a", "bot");
        assert!(subject_applies(&sa("bot", Some("team-a")), None, &bot));
        assert!(subject_applies(&sa("bot", None), Some("team-a"), &bot));
        // no namespace anywhere: never
        assert!(!subject_applies(&sa("bot", None), None, &bot));
        // namespace prefixes do not confuse the comparison
        assert!(!subject_applies(&sa("a:bot", Some("team")), None, &bot));
        assert!(!subject_applies(&sa("bot", Some("team")), None, &bot));
        // a User subject with the service account's user name matches too
        let user = Subject {
            kind: SubjectKind::User,
            name: "system:serviceaccount:team-a:bot".into(),
            namespace: None,
            api_group: None,
        };
        assert!(subject_applies(&user, None, &bot));
        // unknown kinds never match
        let other = Subject {
            kind: SubjectKind::Other("user".into()),
            name: "bot".into(),
            namespace: None,
            api_group: None,
        };
        assert!(!subject_applies(&other, None, &UserInfo::new("bot", &[])));
    }
}

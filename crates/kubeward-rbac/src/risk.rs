//! Risky grants per binding, for the scan rules.
//!
//! Each [`RiskFinding`] is about one binding (its source id and a field path in it: `roleRef`
//! or `subjects[i]`) and, for permission risks, the role rule that makes it real as a
//! secondary location ([`RuleSite`]: the role object and its `rules[i]`; for aggregated
//! ClusterRoles, the ClusterRole the rule was aggregated from).
//!
//! `bind`, `escalate` and `impersonate` are reported when the verb is listed literally; a
//! `*` verb is reported once as [`RiskKind::WildcardVerb`]. Secret reads are reported
//! semantically (a rule that allows `get` of any secret, `list` or `watch` secrets, however
//! written) for ClusterRoleBindings.

use std::collections::{BTreeMap, BTreeSet};

use kubeward_yaml::path_index;
use serde::{Deserialize, Serialize};

use crate::matching::{api_group_matches, resource_matches, rule_allows, verb_matches};
use crate::policy::{Policy, RoleId, RuleSite};
use crate::types::{
    GROUP_AUTHENTICATED, GROUP_SERVICEACCOUNTS, GROUP_UNAUTHENTICATED, ObjectKind, ObjectRef,
    PolicyRule, RBAC_GROUP, Request, SubjectKind, SubjectRef, USER_ANONYMOUS,
};

/// What [`Policy::risk_report`] looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskOptions {
    /// Also report bindings and roles of the built-in default policy (off: they are the
    /// API server's own and would drown the input's findings).
    pub include_defaults: bool,
}

/// The kinds of [`RiskFinding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskKind {
    /// The binding refers to a role that does not exist (or a roleRef that cannot resolve).
    MissingRole,
    /// A bound rule has `*` in `verbs`.
    WildcardVerb,
    /// A bound rule has `*` in `resources`.
    WildcardResource,
    /// A bound rule has `*` in `apiGroups`.
    WildcardApiGroup,
    /// A ClusterRoleBinding to a rule with `*` verbs on `*` resources in `*` groups.
    ClusterAdminEquivalent,
    /// A ClusterRoleBinding to a rule that reads every secret of the cluster.
    SecretReadClusterWide,
    /// A bound rule with the `bind` verb on roles or clusterroles.
    Bind,
    /// A bound rule with the `escalate` verb on roles or clusterroles.
    Escalate,
    /// A bound rule with the `impersonate` verb.
    Impersonate,
    /// A subject `system:anonymous` or `system:unauthenticated`.
    AnonymousSubject,
    /// A subject `system:authenticated` (every user and service account).
    AllAuthenticatedSubject,
    /// A subject `system:serviceaccounts` (every service account of the cluster).
    AllServiceAccountsSubject,
    /// A subject that is a namespace's `default` service account (every pod without
    /// `serviceAccountName` gets these permissions).
    DefaultServiceAccount,
    /// A ServiceAccount subject that is not among the input's ServiceAccounts (reported only
    /// when the input has ServiceAccount objects at all; `default` always exists).
    MissingServiceAccount,
}

/// One risky grant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RiskFinding {
    /// The binding (with its source id).
    pub binding: ObjectRef,
    /// The field path in the binding (`roleRef` or `subjects[i]`).
    pub path: String,
    /// What.
    pub kind: RiskKind,
    /// The bound role, when it resolves.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub role: Option<ObjectRef>,
    /// The rule that makes it real (secondary location).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rule: Option<RuleSite>,
    /// The subject concerned (subject risks).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subject: Option<SubjectRef>,
    /// A sentence for people.
    pub message: String,
}

/// Whether a role is bound at all.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoleReachability {
    /// The role.
    pub role: ObjectRef,
    /// The bindings that refer to it directly.
    pub bindings: Vec<ObjectRef>,
    /// The aggregated ClusterRoles its rules are aggregated into (directly).
    pub aggregated_into: Vec<ObjectRef>,
    /// Bound directly, or aggregated into a role that is reachable.
    pub reachable: bool,
}

/// The result of [`Policy::risk_report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskReport {
    /// The findings, sorted by binding, path and kind.
    pub findings: Vec<RiskFinding>,
    /// Reachability of every role, sorted.
    pub roles: Vec<RoleReachability>,
}

/// A risk of one rule: where it is, what, in words.
type RuleRisk = (RuleSite, RiskKind, String);

fn has(list: &[String], s: &str) -> bool {
    list.iter().any(|x| x == s)
}

/// Permission risks of one rule in a binding of `kind`.
fn rule_risks(rule: &PolicyRule, cluster_wide: bool) -> Vec<(RiskKind, String)> {
    let mut out = Vec::new();
    if rule.verbs.is_empty() {
        return out;
    }
    let resource_rule = !rule.resources.is_empty();
    if has(&rule.verbs, "*") {
        out.push((RiskKind::WildcardVerb, "`*` verbs".to_string()));
    }
    if has(&rule.resources, "*") {
        out.push((RiskKind::WildcardResource, "`*` resources".to_string()));
    }
    if resource_rule && has(&rule.api_groups, "*") {
        out.push((RiskKind::WildcardApiGroup, "`*` apiGroups".to_string()));
    }
    if cluster_wide && rule_allows(rule, &Request::resource("*", "*", "*")) {
        out.push((
            RiskKind::ClusterAdminEquivalent,
            "`*` verbs on `*` resources in `*` apiGroups cluster-wide".to_string(),
        ));
    }
    if cluster_wide
        && ["get", "list", "watch"]
            .iter()
            .any(|v| rule_allows(rule, &Request::resource(v, "", "secrets")))
    {
        out.push((
            RiskKind::SecretReadClusterWide,
            "reads every Secret of the cluster".to_string(),
        ));
    }
    let rbac_roles = api_group_matches(rule, RBAC_GROUP)
        && (resource_matches(rule, "roles", "") || resource_matches(rule, "clusterroles", ""));
    if has(&rule.verbs, "bind") && rbac_roles {
        out.push((
            RiskKind::Bind,
            "`bind` on roles: grant any permission of the bound role".to_string(),
        ));
    }
    if has(&rule.verbs, "escalate") && rbac_roles {
        out.push((
            RiskKind::Escalate,
            "`escalate` on roles: write permissions one does not hold".to_string(),
        ));
    }
    if has(&rule.verbs, "impersonate") && resource_rule {
        out.push((
            RiskKind::Impersonate,
            "`impersonate`: act as other users, groups or service accounts".to_string(),
        ));
    }
    debug_assert!(verb_matches(rule, "*") || !has(&rule.verbs, "*"));
    out
}

impl Policy {
    /// Risky grants per binding and the reachability of every role (see the module docs).
    ///
    /// ```
    /// use kubeward_rbac::{Policy, RiskKind, RiskOptions, SourceId};
    /// let mut p = Policy::with_defaults();
    /// p.add_yaml_str(SourceId(7), r#"
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: oops}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
    /// subjects: [{kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}]
    /// "#).unwrap();
    /// let report = p.risk_report(&RiskOptions::default());
    /// let kinds: Vec<_> = report.findings.iter().map(|f| f.kind).collect();
    /// assert!(kinds.contains(&RiskKind::ClusterAdminEquivalent));
    /// assert!(kinds.contains(&RiskKind::AllAuthenticatedSubject));
    /// assert!(report.findings.iter().all(|f| f.binding.source == Some(SourceId(7))));
    /// ```
    #[must_use]
    pub fn risk_report(&self, options: &RiskOptions) -> RiskReport {
        let idx = self.index();
        let mut findings = Vec::new();
        // Rule risks per (role, cluster_wide), computed once per role.
        let mut cache: BTreeMap<(RoleId, bool), Vec<RuleRisk>> = BTreeMap::new();
        for (b, binding) in self.bindings.iter().enumerate() {
            if binding.source.is_none() && !options.include_defaults {
                continue;
            }
            let bref = binding.object_ref();
            let cluster_wide = binding.obj.kind == ObjectKind::ClusterRoleBinding;
            let role = match idx.resolved.get(b) {
                Some(Ok(role)) => Some(*role),
                _ => {
                    if let Some(f) = self.unresolved_finding(b) {
                        findings.push(RiskFinding {
                            binding: bref.clone(),
                            path: "roleRef".to_string(),
                            kind: RiskKind::MissingRole,
                            role: None,
                            rule: None,
                            subject: None,
                            message: f.message,
                        });
                    }
                    None
                }
            };
            if let Some(role) = role {
                let risks = cache.entry((role, cluster_wide)).or_insert_with(|| {
                    let mut out = Vec::new();
                    for &rid in idx.effective.get(role).into_iter().flatten() {
                        let Some(entry) = idx.rules.get(rid) else {
                            continue;
                        };
                        for (kind, what) in rule_risks(&entry.rule, cluster_wide) {
                            out.push((self.rule_site(entry), kind, what));
                        }
                    }
                    out
                });
                let role_ref = self.role_ref(role);
                for (site, kind, what) in risks.iter() {
                    findings.push(RiskFinding {
                        binding: bref.clone(),
                        path: "roleRef".to_string(),
                        kind: *kind,
                        role: Some(role_ref.clone()),
                        rule: Some(site.clone()),
                        subject: None,
                        message: format!(
                            "{bref} grants {what} through {role_ref} ({} {})",
                            site.role, site.path
                        ),
                    });
                }
            }
            for (i, s) in binding.obj.subjects.iter().enumerate() {
                let Some(subject) = binding.effective_subject(s) else {
                    continue;
                };
                let mut push = |kind: RiskKind, message: String| {
                    findings.push(RiskFinding {
                        binding: bref.clone(),
                        path: path_index("subjects", i),
                        kind,
                        role: role.map(|r| self.role_ref(r)),
                        rule: None,
                        subject: Some(subject.clone()),
                        message,
                    });
                };
                match (&subject.kind, subject.name.as_str()) {
                    (SubjectKind::User, USER_ANONYMOUS)
                    | (SubjectKind::Group, GROUP_UNAUTHENTICATED) => push(
                        RiskKind::AnonymousSubject,
                        format!("{bref} grants its role to unauthenticated requests ({subject})"),
                    ),
                    (SubjectKind::Group, GROUP_AUTHENTICATED) => push(
                        RiskKind::AllAuthenticatedSubject,
                        format!("{bref} grants its role to every authenticated user ({subject})"),
                    ),
                    (SubjectKind::Group, GROUP_SERVICEACCOUNTS) => push(
                        RiskKind::AllServiceAccountsSubject,
                        format!("{bref} grants its role to every service account of the cluster"),
                    ),
                    (SubjectKind::ServiceAccount, "default") => push(
                        RiskKind::DefaultServiceAccount,
                        format!(
                            "{bref} grants its role to the default service account of {}",
                            subject.namespace.as_deref().unwrap_or("")
                        ),
                    ),
                    (SubjectKind::ServiceAccount, name) => {
                        let ns = subject.namespace.clone().unwrap_or_default();
                        if self.service_account_inventory
                            && !self
                                .service_accounts
                                .contains_key(&(ns.clone(), name.to_string()))
                        {
                            push(
                                RiskKind::MissingServiceAccount,
                                format!(
                                    "{bref} binds ServiceAccount {ns}/{name}, which is not among the input objects"
                                ),
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
        findings.sort();
        findings.dedup();
        RiskReport {
            findings,
            roles: self.reachability(options),
        }
    }

    fn reachability(&self, options: &RiskOptions) -> Vec<RoleReachability> {
        let idx = self.index();
        let n = self.roles.len();
        let mut direct: Vec<BTreeSet<ObjectRef>> = vec![BTreeSet::new(); n];
        for (b, res) in idx.resolved.iter().enumerate() {
            if let Ok(role) = res
                && let Some(set) = direct.get_mut(*role)
            {
                set.insert(self.binding_ref(b));
            }
        }
        let mut into: Vec<BTreeSet<RoleId>> = vec![BTreeSet::new(); n];
        for (agg, parts) in idx.aggregates.iter().enumerate() {
            for p in parts {
                if let Some(set) = into.get_mut(*p) {
                    set.insert(agg);
                }
            }
        }
        // Reachable: bound, or aggregated into a reachable role (propagate from bound roles
        // down to what they aggregate).
        let mut reachable: Vec<bool> = direct.iter().map(|d| !d.is_empty()).collect();
        let mut stack: Vec<RoleId> = (0..n)
            .filter(|r| reachable.get(*r).copied().unwrap_or(false))
            .collect();
        while let Some(r) = stack.pop() {
            for &p in idx.aggregates.get(r).into_iter().flatten() {
                if let Some(flag) = reachable.get_mut(p)
                    && !*flag
                {
                    *flag = true;
                    stack.push(p);
                }
            }
        }
        let mut out: Vec<RoleReachability> = self
            .roles
            .iter()
            .enumerate()
            .filter(|(_, r)| options.include_defaults || r.source.is_some())
            .map(|(id, r)| RoleReachability {
                role: r.object_ref(),
                bindings: direct
                    .get(id)
                    .map(|s| s.iter().cloned().collect())
                    .unwrap_or_default(),
                aggregated_into: into
                    .get(id)
                    .map(|s| s.iter().map(|a| self.role_ref(*a)).collect())
                    .unwrap_or_default(),
                reachable: reachable.get(id).copied().unwrap_or(false),
            })
            .collect();
        out.sort();
        out
    }
}

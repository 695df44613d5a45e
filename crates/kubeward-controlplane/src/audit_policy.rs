//! A lint of the API server's audit `Policy` (audit.k8s.io/v1), following how the API server
//! evaluates it: rules are tried **in order and the first rule that matches decides the
//! level**; a request that matches no rule is not logged. A rule matches when every
//! constraint it has matches (`users`, `userGroups`, `verbs`, `namespaces`, `resources`,
//! `nonResourceURLs`); in `resources`, `*` matches every resource and subresource,
//! `pods/exec` a subresource, `*/exec` that subresource of any resource, `pods/*` all of
//! pods' subresources.
//!
//! What is flagged (CIS 3.2.2 asks for a policy that covers these concerns):
//! - Secrets, ConfigMaps and TokenReviews logged at `Request` or `RequestResponse`: the event
//!   then carries the secret values and tokens themselves (log them at `Metadata`).
//! - RBAC changes and `pods/exec`, `pods/attach`, `pods/portforward` not logged for an ordinary
//!   user.
//! - No catch-all rule (requests matching nothing are silently dropped), or a catch-all at
//!   `None`.
//! - `omitStages` naming unknown stages (the API server rejects the policy) or dropping
//!   `ResponseComplete` / `Panic` (the events that carry the outcome).
//!
//! ```
//! use kubeward_controlplane::audit_policy::{lint_audit_policy, AuditIssueKind};
//! let policy = kubeward_yaml::parse_str("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n").documents.remove(0).root;
//! let issues = lint_audit_policy(&policy);
//! assert!(issues.iter().any(|i| i.kind == AuditIssueKind::LeaksSensitiveData));
//! ```

use kubeward_yaml::{Node, path_index, path_join};
use serde::Serialize;

/// An audit level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    /// Not logged.
    None,
    /// Request metadata only.
    Metadata,
    /// Metadata and request body.
    Request,
    /// Metadata, request and response bodies.
    RequestResponse,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        match s {
            "None" => Some(Level::None),
            "Metadata" => Some(Level::Metadata),
            "Request" => Some(Level::Request),
            "RequestResponse" => Some(Level::RequestResponse),
            _ => None,
        }
    }
}

/// Kinds of audit-policy issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum AuditIssueKind {
    /// The API server would reject the policy.
    Invalid,
    /// Secret values or tokens end up in the audit log.
    LeaksSensitiveData,
    /// A security-relevant request is not logged.
    NotLogged,
    /// No catch-all rule, or a catch-all at `None`.
    NoCatchAll,
    /// Questionable `omitStages`.
    OmitStages,
}

/// One issue found by [`lint_audit_policy`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditIssue {
    /// Kind.
    pub kind: AuditIssueKind,
    /// Field path in the policy (the deciding rule, or `rules`).
    pub field_path: String,
    /// Explanation.
    pub message: String,
}

#[derive(Debug)]
struct Rule<'a> {
    path: String,
    level: Option<Level>,
    node: &'a Node,
}

/// A request used to probe the policy.
struct Req<'a> {
    group: &'a str,
    resource: &'a str,
    subresource: &'a str,
    verb: &'a str,
    user: &'a str,
    groups: &'a [&'a str],
    namespace: &'a str,
}

fn strings(n: Option<&Node>) -> Vec<&str> {
    n.map(|n| n.items().filter_map(Node::as_str).collect())
        .unwrap_or_default()
}

fn rule_matches(rule: &Node, req: &Req<'_>) -> bool {
    let users = strings(rule.get("users"));
    if !users.is_empty() && !users.contains(&req.user) {
        return false;
    }
    let groups = strings(rule.get("userGroups"));
    if !groups.is_empty() && !groups.iter().any(|g| req.groups.contains(g)) {
        return false;
    }
    let verbs = strings(rule.get("verbs"));
    if !verbs.is_empty() && !verbs.contains(&req.verb) {
        return false;
    }
    let namespaces = strings(rule.get("namespaces"));
    let resources: Vec<&Node> = rule
        .get("resources")
        .map(|r| r.items().collect())
        .unwrap_or_default();
    if !namespaces.is_empty() || !resources.is_empty() {
        if !namespaces.is_empty() && !namespaces.contains(&req.namespace) {
            return false;
        }
        if resources.is_empty() {
            return true;
        }
        let combined = if req.subresource.is_empty() {
            req.resource.to_string()
        } else {
            format!("{}/{}", req.resource, req.subresource)
        };
        return resources.iter().any(|gr| {
            let group = gr.get("group").and_then(Node::as_str).unwrap_or("");
            if group != req.group {
                return false;
            }
            let res = strings(gr.get("resources"));
            if res.is_empty() {
                return true;
            }
            // resourceNames narrow a rule to named objects; a generic request has no name.
            if !strings(gr.get("resourceNames")).is_empty() {
                return false;
            }
            res.iter().any(|r| {
                *r == combined
                    || *r == "*"
                    || (!req.subresource.is_empty()
                        && r.strip_prefix("*/") == Some(req.subresource))
                    || r.strip_suffix("/*") == Some(req.resource)
            })
        });
    }
    // Only nonResourceURLs: never matches a resource request.
    strings(rule.get("nonResourceURLs")).is_empty()
}

fn may_match_anyone(rule: &Node, req: &Req<'_>) -> bool {
    // Ignore user, group, verb and namespace constraints: could some request for this
    // resource reach the rule?
    let mut relaxed = Req { ..*req };
    let users = strings(rule.get("users"));
    if let Some(u) = users.first() {
        relaxed.user = u;
    }
    let groups = strings(rule.get("userGroups"));
    let g1;
    if let Some(g) = groups.first() {
        g1 = [*g];
        relaxed.groups = &g1;
    }
    let verbs = strings(rule.get("verbs"));
    if let Some(v) = verbs.first() {
        relaxed.verb = v;
    }
    let ns = strings(rule.get("namespaces"));
    if let Some(n) = ns.first() {
        relaxed.namespace = n;
    }
    rule_matches(rule, &relaxed)
}

fn is_catch_all(rule: &Node) -> bool {
    [
        "users",
        "userGroups",
        "verbs",
        "resources",
        "namespaces",
        "nonResourceURLs",
    ]
    .iter()
    .all(|k| {
        strings(rule.get(k)).is_empty()
            && rule
                .get(k)
                .is_none_or(|n| n.as_seq().is_none_or(<[Node]>::is_empty))
    })
}

const STAGES: [&str; 4] = [
    "RequestReceived",
    "ResponseStarted",
    "ResponseComplete",
    "Panic",
];

fn lint_omit_stages(node: Option<&Node>, path: &str, out: &mut Vec<AuditIssue>) {
    for (i, stage) in node
        .map(|n| n.items().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let p = path_index(path, i);
        match stage.as_str() {
            Some(s) if !STAGES.contains(&s) => out.push(AuditIssue {
                kind: AuditIssueKind::Invalid,
                field_path: p,
                message: format!(
                    "unknown stage `{s}` (valid: {}); the API server rejects the policy",
                    STAGES.join(", ")
                ),
            }),
            Some(s @ ("ResponseComplete" | "Panic")) => out.push(AuditIssue {
                kind: AuditIssueKind::OmitStages,
                field_path: p,
                message: format!(
                    "omitting `{s}` drops the events that record the outcome of requests"
                ),
            }),
            Some(_) => {}
            None => out.push(AuditIssue {
                kind: AuditIssueKind::Invalid,
                field_path: p,
                message: format!("expected a stage name, found {}", stage.type_name()),
            }),
        }
    }
}

/// Lints an audit policy document. The result is sorted by field path and kind.
#[must_use]
pub fn lint_audit_policy(root: &Node) -> Vec<AuditIssue> {
    let mut out = Vec::new();
    if root.get("kind").and_then(Node::as_str) != Some("Policy") {
        out.push(AuditIssue {
            kind: AuditIssueKind::Invalid,
            field_path: "kind".into(),
            message: "expected kind Policy".into(),
        });
    }
    match root.get("apiVersion").and_then(Node::as_str) {
        Some("audit.k8s.io/v1") => {}
        other => out.push(AuditIssue {
            kind: AuditIssueKind::Invalid,
            field_path: "apiVersion".into(),
            message: format!("expected apiVersion audit.k8s.io/v1, found {other:?}"),
        }),
    }
    lint_omit_stages(root.get("omitStages"), "omitStages", &mut out);
    let mut rules = Vec::new();
    for (i, r) in root
        .get("rules")
        .map(|r| r.items().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let path = path_index("rules", i);
        let level = r.get("level").and_then(Node::as_str).and_then(Level::parse);
        if level.is_none() {
            out.push(AuditIssue {
                kind: AuditIssueKind::Invalid,
                field_path: path_join(&path, "level"),
                message: "`level` must be one of None, Metadata, Request, RequestResponse; the API server rejects the policy".into(),
            });
        }
        if level != Some(Level::None) {
            lint_omit_stages(
                r.get("omitStages"),
                &path_join(&path, "omitStages"),
                &mut out,
            );
        }
        rules.push(Rule {
            path,
            level,
            node: r,
        });
    }
    if rules.is_empty() {
        out.push(AuditIssue {
            kind: AuditIssueKind::NotLogged,
            field_path: "rules".into(),
            message: "the policy has no rules: nothing is logged".into(),
        });
    }

    let ordinary_groups = ["system:authenticated"];
    let base = Req {
        group: "",
        resource: "",
        subresource: "",
        verb: "get",
        user: "kubeward-probe-user",
        groups: &ordinary_groups,
        namespace: "default",
    };
    // Sensitive data: any rule some request can reach before an unconditional one.
    for (group, resource, what) in [
        ("", "secrets", "Secrets (their values)"),
        ("", "configmaps", "ConfigMaps (often credentials)"),
        (
            "authentication.k8s.io",
            "tokenreviews",
            "TokenReviews (bearer tokens)",
        ),
    ] {
        let req = Req {
            group,
            resource,
            ..base
        };
        for rule in &rules {
            if !may_match_anyone(rule.node, &req) {
                continue;
            }
            if matches!(rule.level, Some(Level::Request | Level::RequestResponse)) {
                out.push(AuditIssue {
                    kind: AuditIssueKind::LeaksSensitiveData,
                    field_path: rule.path.clone(),
                    message: format!(
                        "{what} can be logged at `{:?}`: request/response bodies then land in the audit log; log `{resource}` at `Metadata`",
                        rule.level.unwrap_or(Level::Metadata)
                    ),
                });
                break;
            }
            if rule_matches(rule.node, &Req { ..req }) && is_unconditional_for(rule.node) {
                break;
            }
        }
    }
    // Must-log requests, as an ordinary authenticated user would make them.
    for (group, resource, sub, verb, what) in [
        (
            "rbac.authorization.k8s.io",
            "roles",
            "",
            "create",
            "RBAC changes (roles)",
        ),
        (
            "rbac.authorization.k8s.io",
            "rolebindings",
            "",
            "create",
            "RBAC changes (rolebindings)",
        ),
        (
            "rbac.authorization.k8s.io",
            "clusterroles",
            "",
            "create",
            "RBAC changes (clusterroles)",
        ),
        (
            "rbac.authorization.k8s.io",
            "clusterrolebindings",
            "",
            "create",
            "RBAC changes (clusterrolebindings)",
        ),
        ("", "pods", "exec", "create", "`pods/exec`"),
        ("", "pods", "attach", "create", "`pods/attach`"),
        ("", "pods", "portforward", "create", "`pods/portforward`"),
    ] {
        let req = Req {
            group,
            resource,
            subresource: sub,
            verb,
            ..base
        };
        let decided = rules.iter().find(|r| rule_matches(r.node, &req));
        match decided {
            None => out.push(AuditIssue {
                kind: AuditIssueKind::NotLogged,
                field_path: "rules".into(),
                message: format!("{what} match no rule and are not logged"),
            }),
            Some(r) if r.level == Some(Level::None) => out.push(AuditIssue {
                kind: AuditIssueKind::NotLogged,
                field_path: r.path.clone(),
                message: format!("{what} are not logged: this rule sets level None"),
            }),
            Some(_) => {}
        }
    }
    let catch_all = rules.iter().find(|r| is_catch_all(r.node));
    match catch_all {
        None if !rules.is_empty() => out.push(AuditIssue {
            kind: AuditIssueKind::NoCatchAll,
            field_path: "rules".into(),
            message: "no catch-all rule (a last rule with only `level`): requests matching no rule are not logged; end with `- level: Metadata`".into(),
        }),
        Some(r) if r.level == Some(Level::None) => out.push(AuditIssue {
            kind: AuditIssueKind::NoCatchAll,
            field_path: r.path.clone(),
            message: "the catch-all rule sets level None: every request not matched earlier goes unlogged".into(),
        }),
        _ => {}
    }
    out.sort_by(|a, b| (a.field_path.as_str(), a.kind).cmp(&(b.field_path.as_str(), b.kind)));
    out.dedup();
    out
}

fn is_unconditional_for(rule: &Node) -> bool {
    ["users", "userGroups", "verbs", "namespaces"]
        .iter()
        .all(|k| strings(rule.get(k)).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(text: &str) -> Vec<AuditIssue> {
        lint_audit_policy(&kubeward_yaml::parse_str(text).documents.remove(0).root)
    }

    const HEAD: &str = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

    #[test]
    fn good_policy_is_clean() {
        let issues = lint(&format!(
            "{HEAD}omitStages: [RequestReceived]\nrules:\n- level: Metadata\n  resources:\n  - group: ''\n    resources: [secrets, configmaps]\n  - group: authentication.k8s.io\n    resources: [tokenreviews]\n- level: RequestResponse\n  resources:\n  - group: rbac.authorization.k8s.io\n  - group: ''\n    resources: ['pods/exec', 'pods/attach', 'pods/portforward']\n- level: Metadata\n"
        ));
        assert!(issues.is_empty(), "{issues:?}");
    }

    #[test]
    fn secrets_leak_via_later_or_conditional_rules() {
        let issues = lint(&format!(
            "{HEAD}rules:\n- level: Request\n  users: [admin]\n  resources: [{{group: '', resources: ['*']}}]\n- level: Metadata\n"
        ));
        assert!(issues.iter().any(|i| i.kind == AuditIssueKind::LeaksSensitiveData && i.field_path == "rules[0]"));
    }

    #[test]
    fn earlier_metadata_rule_protects() {
        let issues = lint(&format!(
            "{HEAD}rules:\n- level: Metadata\n  resources: [{{group: '', resources: [secrets, configmaps]}}, {{group: authentication.k8s.io}}]\n- level: RequestResponse\n"
        ));
        assert!(
            !issues
                .iter()
                .any(|i| i.kind == AuditIssueKind::LeaksSensitiveData),
            "{issues:?}"
        );
    }

    #[test]
    fn exec_not_logged_and_no_catch_all() {
        let issues = lint(&format!(
            "{HEAD}rules:\n- level: None\n  resources: [{{group: '', resources: ['*/exec']}}]\n- level: Metadata\n  resources: [{{group: rbac.authorization.k8s.io}}]\n"
        ));
        let kinds: Vec<_> = issues
            .iter()
            .map(|i| (i.kind, i.field_path.as_str()))
            .collect();
        assert!(
            kinds.contains(&(AuditIssueKind::NotLogged, "rules[0]")),
            "{kinds:?}"
        );
        assert!(kinds.contains(&(AuditIssueKind::NoCatchAll, "rules")));
        // attach and portforward match nothing.
        assert!(issues.iter().any(|i| i.message.contains("pods/attach")));
    }

    #[test]
    fn omit_stages_and_invalid_levels() {
        let issues = lint(&format!(
            "{HEAD}omitStages: [ResponseComplete, Bogus]\nrules:\n- level: Everything\n- level: Metadata\n"
        ));
        let kinds: Vec<_> = issues
            .iter()
            .map(|i| (i.kind, i.field_path.as_str()))
            .collect();
        assert!(kinds.contains(&(AuditIssueKind::OmitStages, "omitStages[0]")));
        assert!(kinds.contains(&(AuditIssueKind::Invalid, "omitStages[1]")));
        assert!(kinds.contains(&(AuditIssueKind::Invalid, "rules[0].level")));
    }

    #[test]
    fn non_resource_rule_does_not_match_resources() {
        let issues = lint(&format!(
            "{HEAD}rules:\n- level: None\n  nonResourceURLs: ['*']\n- level: Metadata\n"
        ));
        assert!(issues.is_empty(), "{issues:?}");
    }
}

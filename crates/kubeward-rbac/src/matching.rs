//! Rule matching, as `pkg/apis/rbac/v1/evaluation_helpers.go` and `RuleAllows` in
//! `plugin/pkg/auth/authorizer/rbac/rbac.go` define it.

use crate::types::{PolicyRule, Request, ResourceRequest};

/// `VerbMatches`: the rule lists `*` or the verb.
#[must_use]
pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

/// `APIGroupMatches`: the rule lists `*` or the group (`""` is the core group).
#[must_use]
pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

/// `ResourceMatches`: `*`, the exact `resource[/subresource]`, or `*/subresource` when the
/// request has that subresource. `pods/*` is not a pattern upstream: it matches only a
/// subresource literally named `*`.
///
/// ```
/// use kubeward_rbac::{PolicyRule, matching::resource_matches};
/// let rule = PolicyRule { resources: vec!["*/scale".into()], ..Default::default() };
/// assert!(resource_matches(&rule, "deployments/scale", "scale"));
/// assert!(!resource_matches(&rule, "deployments", ""));
/// ```
#[must_use]
pub fn resource_matches(rule: &PolicyRule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        r == "*"
            || r == combined
            || (!subresource.is_empty()
                && r.len() == subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(subresource))
    })
}

/// [`resource_matches`] without building `resource/subresource` (no allocation).
fn resource_matches_parts(rule: &PolicyRule, resource: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        if r == "*" {
            return true;
        }
        if subresource.is_empty() {
            return r == resource;
        }
        let combined = r.len() == resource.len() + 1 + subresource.len()
            && r.starts_with(resource)
            && r.ends_with(subresource)
            && r.as_bytes().get(resource.len()) == Some(&b'/');
        combined
            || (r.len() == subresource.len() + 2 && r.starts_with("*/") && r.ends_with(subresource))
    })
}

/// `ResourceNameMatches`: an empty list matches every request, including those without a
/// name; a non-empty list matches only a listed name (so never `list`, `watch`, `create` or
/// `deletecollection`, which have no name).
#[must_use]
pub fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// `NonResourceURLMatches`: `*`, the exact path, or a prefix when the rule's URL ends in `*`.
///
/// ```
/// use kubeward_rbac::{PolicyRule, matching::non_resource_url_matches};
/// let rule = PolicyRule { non_resource_urls: vec!["/healthz/*".into()], ..Default::default() };
/// assert!(non_resource_url_matches(&rule, "/healthz/etcd"));
/// assert!(non_resource_url_matches(&rule, "/healthz/"));
/// assert!(!non_resource_url_matches(&rule, "/healthz"));
/// ```
#[must_use]
pub fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| {
        u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
    })
}

/// `RuleAllows` for a resource request.
#[must_use]
pub fn rule_allows_resource(rule: &PolicyRule, req: &ResourceRequest) -> bool {
    if !verb_matches(rule, &req.verb) || !api_group_matches(rule, &req.api_group) {
        return false;
    }
    resource_matches_parts(rule, &req.resource, &req.subresource)
        && resource_name_matches(rule, &req.name)
}

/// [`rule_allows_resource`] without the `resourceNames` check.
pub(crate) fn rule_allows_ignoring_name(rule: &PolicyRule, req: &ResourceRequest) -> bool {
    verb_matches(rule, &req.verb)
        && api_group_matches(rule, &req.api_group)
        && resource_matches_parts(rule, &req.resource, &req.subresource)
}

/// `RuleAllows`: whether one rule allows the request.
///
/// ```
/// use kubeward_rbac::{PolicyRule, Request, matching::rule_allows};
/// let rule = PolicyRule {
///     verbs: vec!["get".into()],
///     api_groups: vec!["".into()],
///     resources: vec!["secrets".into()],
///     resource_names: vec!["tls".into()],
///     ..Default::default()
/// };
/// assert!(rule_allows(&rule, &Request::resource("get", "", "secrets").name("tls")));
/// // a non-empty resourceNames never matches a request without a name
/// assert!(!rule_allows(&rule, &Request::resource("get", "", "secrets")));
/// ```
#[must_use]
pub fn rule_allows(rule: &PolicyRule, req: &Request) -> bool {
    match req {
        Request::Resource(r) => rule_allows_resource(rule, r),
        Request::NonResource { verb, path } => {
            verb_matches(rule, verb) && non_resource_url_matches(rule, path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str]) -> PolicyRule {
        let v = |x: &[&str]| x.iter().map(|s| (*s).to_string()).collect();
        PolicyRule {
            verbs: v(verbs),
            api_groups: v(groups),
            resources: v(resources),
            resource_names: v(names),
            non_resource_urls: vec![],
        }
    }

    #[test]
    fn resource_names_never_match_nameless_requests() {
        let r = rule(&["*"], &[""], &["configmaps"], &["cfg"]);
        for verb in ["list", "watch", "create", "deletecollection"] {
            assert!(!rule_allows(&r, &Request::resource(verb, "", "configmaps")));
        }
        assert!(rule_allows(
            &r,
            &Request::resource("get", "", "configmaps").name("cfg")
        ));
        assert!(!rule_allows(
            &r,
            &Request::resource("get", "", "configmaps").name("other")
        ));
        // an empty string in resourceNames matches a nameless request, literally
        let r = rule(&["list"], &[""], &["configmaps"], &[""]);
        assert!(rule_allows(
            &r,
            &Request::resource("list", "", "configmaps")
        ));
    }

    #[test]
    fn subresource_wildcards() {
        let star_scale = rule(&["get"], &["*"], &["*/scale"], &[]);
        let scale = |res: &str| Request::resource("get", "apps", res).subresource("scale");
        assert!(rule_allows(&star_scale, &scale("deployments")));
        assert!(rule_allows(&star_scale, &scale("statefulsets")));
        assert!(!rule_allows(
            &star_scale,
            &Request::resource("get", "apps", "deployments")
        ));
        assert!(!rule_allows(
            &star_scale,
            &Request::resource("get", "apps", "deployments").subresource("status")
        ));
        // `*/scale` does not match a subresource that merely ends in "scale"
        assert!(!rule_allows(
            &star_scale,
            &scale("x").subresource("rescale")
        ));

        // `pods/*` is not a wildcard upstream
        let pods_star = rule(&["create"], &[""], &["pods/*"], &[]);
        assert!(!rule_allows(
            &pods_star,
            &Request::resource("create", "", "pods").subresource("exec")
        ));
        assert!(rule_allows(
            &pods_star,
            &Request::resource("create", "", "pods").subresource("*")
        ));

        // `pods` does not grant `pods/exec`, `*` grants everything
        let pods = rule(&["create"], &[""], &["pods"], &[]);
        assert!(!rule_allows(
            &pods,
            &Request::resource("create", "", "pods").subresource("exec")
        ));
        let all = rule(&["create"], &[""], &["*"], &[]);
        assert!(rule_allows(
            &all,
            &Request::resource("create", "", "pods").subresource("exec")
        ));
        let exec = rule(&["create"], &[""], &["pods/exec"], &[]);
        assert!(rule_allows(
            &exec,
            &Request::resource("create", "", "pods").subresource("exec")
        ));
        assert!(!rule_allows(
            &exec,
            &Request::resource("create", "", "pods")
        ));
    }

    #[test]
    fn groups_and_verbs() {
        let r = rule(&["get"], &["apps"], &["deployments"], &[]);
        assert!(!rule_allows(
            &r,
            &Request::resource("get", "", "deployments")
        ));
        assert!(!rule_allows(
            &r,
            &Request::resource("list", "apps", "deployments")
        ));
        assert!(rule_allows(
            &r,
            &Request::resource("get", "apps", "deployments")
        ));
        let none = rule(&[], &["*"], &["*"], &[]);
        assert!(!rule_allows(
            &none,
            &Request::resource("get", "apps", "deployments")
        ));
    }

    #[test]
    fn non_resource_urls() {
        let mut r = rule(&["get"], &[], &[], &[]);
        r.non_resource_urls = vec!["/api".into(), "/apis/*".into()];
        assert!(rule_allows(&r, &Request::non_resource("get", "/api")));
        assert!(!rule_allows(&r, &Request::non_resource("get", "/api/v1")));
        assert!(rule_allows(
            &r,
            &Request::non_resource("get", "/apis/apps/v1")
        ));
        assert!(!rule_allows(&r, &Request::non_resource("get", "/apis")));
        assert!(!rule_allows(&r, &Request::non_resource("post", "/api")));
        // non-resource rules never match resource requests and vice versa
        assert!(!rule_allows(&r, &Request::resource("get", "", "pods")));
        let res = rule(&["get"], &["*"], &["*"], &[]);
        assert!(!rule_allows(&res, &Request::non_resource("get", "/api")));
        r.non_resource_urls = vec!["*".into()];
        assert!(rule_allows(&r, &Request::non_resource("get", "/anything")));
    }
}

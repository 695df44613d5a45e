//! Reading RBAC objects from [`kubeward_yaml::Node`] trees.

use std::collections::BTreeMap;

use kubeward_yaml::{Node, Value, path_index, path_join};

use crate::error::RbacError;
use crate::selector::{LabelSelector, Operator, Requirement};
use crate::types::{ObjectKind, PolicyRule, RBAC_GROUP, RoleRefSpec, Subject, SubjectKind};

/// A Role or ClusterRole as read.
#[derive(Debug, Clone)]
pub(crate) struct RoleObj {
    pub kind: ObjectKind,
    pub namespace: Option<String>,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub rules: Vec<PolicyRule>,
    /// `aggregationRule.clusterRoleSelectors` (ClusterRoles only).
    pub aggregation: Option<Vec<LabelSelector>>,
}

/// A RoleBinding or ClusterRoleBinding as read.
#[derive(Debug, Clone)]
pub(crate) struct BindingObj {
    pub kind: ObjectKind,
    pub namespace: Option<String>,
    pub name: String,
    pub role_ref: RoleRefSpec,
    pub subjects: Vec<Subject>,
}

/// What one node turned out to be.
#[derive(Debug, Clone)]
pub(crate) enum Parsed {
    Role(RoleObj),
    Binding(BindingObj),
    ServiceAccount { namespace: String, name: String },
    Ignored,
}

fn invalid(kind: ObjectKind, path: &str, message: impl Into<String>) -> RbacError {
    RbacError::InvalidObject {
        kind: kind.as_str(),
        path: path.to_string(),
        message: message.into(),
    }
}

fn api_group_of(api_version: Option<&str>) -> Option<&str> {
    api_version.map(|v| v.rsplit_once('/').map_or("", |(g, _)| g))
}

/// Reads one object. `default_namespace` is used for namespaced objects that do not say.
pub(crate) fn parse_object(node: &Node, default_namespace: &str) -> Result<Parsed, RbacError> {
    let Some(kind_str) = node.get("kind").and_then(Node::as_str) else {
        return Ok(Parsed::Ignored);
    };
    let group = api_group_of(node.get("apiVersion").and_then(Node::as_str));
    let kind = match kind_str {
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding"
            if group.is_none_or(|g| g == RBAC_GROUP) =>
        {
            match kind_str {
                "Role" => ObjectKind::Role,
                "ClusterRole" => ObjectKind::ClusterRole,
                "RoleBinding" => ObjectKind::RoleBinding,
                _ => ObjectKind::ClusterRoleBinding,
            }
        }
        "ServiceAccount" if group.is_none_or(str::is_empty) => ObjectKind::ServiceAccount,
        _ => return Ok(Parsed::Ignored),
    };
    let (name, namespace) = metadata(node, kind, default_namespace)?;
    match kind {
        ObjectKind::Role | ObjectKind::ClusterRole => {
            let labels = string_map(
                node.get("metadata").and_then(|m| m.get("labels")),
                kind,
                "metadata.labels",
            )?;
            let rules = rules(node.get("rules"), kind)?;
            let aggregation = if kind == ObjectKind::ClusterRole {
                aggregation(node.get("aggregationRule"), kind)?
            } else {
                None
            };
            Ok(Parsed::Role(RoleObj {
                kind,
                namespace,
                name,
                labels,
                rules,
                aggregation,
            }))
        }
        ObjectKind::RoleBinding | ObjectKind::ClusterRoleBinding => {
            let role_ref = role_ref(node.get("roleRef"), kind)?;
            let subjects = subjects(node.get("subjects"), kind)?;
            Ok(Parsed::Binding(BindingObj {
                kind,
                namespace,
                name,
                role_ref,
                subjects,
            }))
        }
        ObjectKind::ServiceAccount => Ok(Parsed::ServiceAccount {
            namespace: namespace.unwrap_or_else(|| default_namespace.to_string()),
            name,
        }),
    }
}

fn metadata(
    node: &Node,
    kind: ObjectKind,
    default_namespace: &str,
) -> Result<(String, Option<String>), RbacError> {
    let meta = node.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Node::scalar_string)
        .map(|s| s.into_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid(kind, "metadata.name", "missing name"))?;
    let namespaced = matches!(
        kind,
        ObjectKind::Role | ObjectKind::RoleBinding | ObjectKind::ServiceAccount
    );
    let namespace = namespaced.then(|| {
        meta.and_then(|m| m.get("namespace"))
            .and_then(Node::scalar_string)
            .map(|s| s.into_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| default_namespace.to_string())
    });
    Ok((name, namespace))
}

/// A string list; `null` is empty; a `null` item reads as `""` (as JSON decoding into Go does).
fn string_list(
    node: Option<&Node>,
    kind: ObjectKind,
    path: &str,
) -> Result<Vec<String>, RbacError> {
    let Some(node) = node else {
        return Ok(Vec::new());
    };
    match &node.value {
        Value::Null => Ok(Vec::new()),
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                if item.is_null() {
                    Ok(String::new())
                } else {
                    item.scalar_string()
                        .map(|s| s.into_owned())
                        .ok_or_else(|| invalid(kind, &path_index(path, i), "expected a string"))
                }
            })
            .collect(),
        _ => Err(invalid(
            kind,
            path,
            format!("expected a list, found a {}", node.type_name()),
        )),
    }
}

fn string_map(
    node: Option<&Node>,
    kind: ObjectKind,
    path: &str,
) -> Result<BTreeMap<String, String>, RbacError> {
    let Some(node) = node else {
        return Ok(BTreeMap::new());
    };
    if node.is_null() {
        return Ok(BTreeMap::new());
    }
    if !node.is_map() {
        return Err(invalid(kind, path, "expected a mapping"));
    }
    node.entries()
        .map(|(k, v)| {
            let value = if v.is_null() {
                String::new()
            } else {
                v.scalar_string()
                    .map(|s| s.into_owned())
                    .ok_or_else(|| invalid(kind, &path_join(path, &k), "expected a string"))?
            };
            Ok((k.into_owned(), value))
        })
        .collect()
}

fn seq<'a>(node: Option<&'a Node>, kind: ObjectKind, path: &str) -> Result<&'a [Node], RbacError> {
    match node {
        None => Ok(&[]),
        Some(n) if n.is_null() => Ok(&[]),
        Some(n) => n.as_seq().ok_or_else(|| {
            invalid(
                kind,
                path,
                format!("expected a list, found a {}", n.type_name()),
            )
        }),
    }
}

fn rules(node: Option<&Node>, kind: ObjectKind) -> Result<Vec<PolicyRule>, RbacError> {
    seq(node, kind, "rules")?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let base = path_index("rules", i);
            if !r.is_map() {
                return Err(invalid(kind, &base, "expected a mapping"));
            }
            let field = |key: &str| string_list(r.get(key), kind, &path_join(&base, key));
            Ok(PolicyRule {
                verbs: field("verbs")?,
                api_groups: field("apiGroups")?,
                resources: field("resources")?,
                resource_names: field("resourceNames")?,
                non_resource_urls: field("nonResourceURLs")?,
            })
        })
        .collect()
}

fn aggregation(
    node: Option<&Node>,
    kind: ObjectKind,
) -> Result<Option<Vec<LabelSelector>>, RbacError> {
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return Ok(None);
    };
    let base = "aggregationRule.clusterRoleSelectors";
    let selectors = seq(node.get("clusterRoleSelectors"), kind, base)?
        .iter()
        .enumerate()
        .map(|(i, sel)| {
            let path = path_index(base, i);
            let match_labels = string_map(
                sel.get("matchLabels"),
                kind,
                &path_join(&path, "matchLabels"),
            )?;
            let exprs_path = path_join(&path, "matchExpressions");
            let match_expressions = seq(sel.get("matchExpressions"), kind, &exprs_path)?
                .iter()
                .enumerate()
                .map(|(j, e)| {
                    let epath = path_index(&exprs_path, j);
                    let key = e
                        .get("key")
                        .and_then(Node::scalar_string)
                        .map(|s| s.into_owned())
                        .unwrap_or_default();
                    let op = e
                        .get("operator")
                        .and_then(Node::scalar_string)
                        .map(|s| s.into_owned())
                        .unwrap_or_default();
                    let operator = match op.as_str() {
                        "In" => Operator::In,
                        "NotIn" => Operator::NotIn,
                        "Exists" => Operator::Exists,
                        "DoesNotExist" => Operator::DoesNotExist,
                        _ => Operator::Unknown(op),
                    };
                    let values = string_list(e.get("values"), kind, &path_join(&epath, "values"))?;
                    Ok(Requirement {
                        key,
                        operator,
                        values,
                    })
                })
                .collect::<Result<Vec<_>, RbacError>>()?;
            Ok(LabelSelector {
                match_labels,
                match_expressions,
            })
        })
        .collect::<Result<Vec<_>, RbacError>>()?;
    Ok(Some(selectors))
}

fn str_field(node: &Node, key: &str) -> Option<String> {
    node.get(key)
        .and_then(Node::scalar_string)
        .map(|s| s.into_owned())
        .filter(|s| !s.is_empty())
}

fn role_ref(node: Option<&Node>, kind: ObjectKind) -> Result<RoleRefSpec, RbacError> {
    let node = node
        .filter(|n| n.is_map())
        .ok_or_else(|| invalid(kind, "roleRef", "missing roleRef"))?;
    let name =
        str_field(node, "name").ok_or_else(|| invalid(kind, "roleRef.name", "missing name"))?;
    let role_kind =
        str_field(node, "kind").ok_or_else(|| invalid(kind, "roleRef.kind", "missing kind"))?;
    Ok(RoleRefSpec {
        api_group: str_field(node, "apiGroup").unwrap_or_default(),
        kind: role_kind,
        name,
    })
}

fn subjects(node: Option<&Node>, kind: ObjectKind) -> Result<Vec<Subject>, RbacError> {
    seq(node, kind, "subjects")?
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let path = path_index("subjects", i);
            if !s.is_map() {
                return Err(invalid(kind, &path, "expected a mapping"));
            }
            Ok(Subject {
                kind: SubjectKind::parse(&str_field(s, "kind").unwrap_or_default()),
                name: str_field(s, "name").unwrap_or_default(),
                namespace: str_field(s, "namespace"),
                api_group: str_field(s, "apiGroup"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Parsed, RbacError> {
        let doc = kubeward_yaml::parse_str(text);
        parse_object(&doc.documents[0].root, "default")
    }

    #[test]
    fn reads_role_with_null_and_numeric_items() {
        let p = parse(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, ~]\n  resourceNames: [0644]\n",
        )
        .unwrap();
        let Parsed::Role(role) = p else { panic!() };
        assert_eq!(role.namespace.as_deref(), Some("default"));
        assert_eq!(role.rules[0].verbs, ["get", ""]);
        assert_eq!(role.rules[0].resource_names, ["420"]);
    }

    #[test]
    fn errors_carry_paths() {
        let e = parse("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n- verbs: get\n").unwrap_err();
        assert_eq!(e.path(), Some("rules[0].verbs"));
        let e = parse("kind: RoleBinding\nmetadata: {name: b}\n").unwrap_err();
        assert_eq!(e.path(), Some("roleRef"));
        let e = parse("kind: Role\nmetadata: {}\n").unwrap_err();
        assert_eq!(e.path(), Some("metadata.name"));
    }

    #[test]
    fn ignores_other_kinds_and_groups() {
        assert!(matches!(
            parse("kind: Pod\nmetadata: {name: p}\n").unwrap(),
            Parsed::Ignored
        ));
        assert!(matches!(
            parse("apiVersion: example.com/v1\nkind: Role\nmetadata: {name: p}\n").unwrap(),
            Parsed::Ignored
        ));
        assert!(matches!(
            parse("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: ci}\n")
                .unwrap(),
            Parsed::ServiceAccount { .. }
        ));
    }
}

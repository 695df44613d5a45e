//! Label selectors (`matchLabels` + `matchExpressions`), as `metav1.LabelSelector`.

use std::collections::BTreeMap;

use kubeward_yaml::{Node, path_index, path_join};

use crate::policy::IssueSink;

/// Labels of a pod or namespace.
pub(crate) type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Op {
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    DoesNotExist,
}

/// A parsed, valid label selector. Empty matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Selector {
    pub match_labels: Vec<(String, String)>,
    pub exprs: Vec<(String, Op)>,
}

impl Selector {
    pub(crate) fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.exprs.is_empty()
    }

    pub(crate) fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k).is_some_and(|x| x == v))
            && self.exprs.iter().all(|(k, op)| match op {
                Op::In(vals) => labels.get(k).is_some_and(|x| vals.contains(x)),
                Op::NotIn(vals) => labels.get(k).is_none_or(|x| !vals.contains(x)),
                Op::Exists => labels.contains_key(k),
                Op::DoesNotExist => !labels.contains_key(k),
            })
    }

    /// Parses a `LabelSelector` node, reporting problems the API server would reject.
    pub(crate) fn parse(node: &Node, path: &str, sink: &mut IssueSink) -> Selector {
        let mut sel = Selector::default();
        if node.is_null() {
            return sel;
        }
        if !node.is_map() {
            sink.error(
                path,
                format!(
                    "must be a label selector mapping, found {}",
                    node.type_name()
                ),
            );
            return sel;
        }
        let ml_path = path_join(path, "matchLabels");
        if let Some(ml) = node.get("matchLabels").filter(|n| !n.is_null()) {
            if !ml.is_map() {
                sink.error(
                    &ml_path,
                    "must be a mapping of label keys to values".to_string(),
                );
            }
            for (k, v) in ml.entries() {
                let p = path_join(&ml_path, &k);
                check_key(&k, &p, sink);
                match v.scalar_string() {
                    Some(val) => {
                        check_value(&val, &p, sink);
                        sel.match_labels.push((k.into_owned(), val.into_owned()));
                    }
                    None if v.is_null() => sel.match_labels.push((k.into_owned(), String::new())),
                    None => sink.error(&p, "label value must be a string".to_string()),
                }
            }
        }
        let me_path = path_join(path, "matchExpressions");
        if let Some(me) = node.get("matchExpressions").filter(|n| !n.is_null()) {
            if !me.is_seq() {
                sink.error(&me_path, "must be a list of requirements".to_string());
            }
            for (i, req) in me.items().enumerate() {
                let rp = path_index(&me_path, i);
                let key = req
                    .get("key")
                    .and_then(Node::scalar_string)
                    .map(std::borrow::Cow::into_owned);
                let Some(key) = key else {
                    sink.error(&path_join(&rp, "key"), "key is required".to_string());
                    continue;
                };
                check_key(&key, &path_join(&rp, "key"), sink);
                let values: Vec<String> = req
                    .get("values")
                    .map(|v| {
                        v.items()
                            .filter_map(Node::scalar_string)
                            .map(std::borrow::Cow::into_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                let op_path = path_join(&rp, "operator");
                let vals_path = path_join(&rp, "values");
                let op = match req.get("operator").and_then(Node::as_str) {
                    Some("In") | Some("NotIn") if values.is_empty() => {
                        sink.error(
                            &vals_path,
                            "must be specified when `operator` is 'In' or 'NotIn'".to_string(),
                        );
                        continue;
                    }
                    Some("In") => Op::In(values),
                    Some("NotIn") => Op::NotIn(values),
                    Some("Exists") | Some("DoesNotExist") if !values.is_empty() => {
                        sink.error(
                            &vals_path,
                            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                                .to_string(),
                        );
                        continue;
                    }
                    Some("Exists") => Op::Exists,
                    Some("DoesNotExist") => Op::DoesNotExist,
                    Some(other) => {
                        sink.error(&op_path, format!("not a valid selector operator: `{other}` (In, NotIn, Exists, DoesNotExist)"));
                        continue;
                    }
                    None => {
                        sink.error(&op_path, "operator is required".to_string());
                        continue;
                    }
                };
                if let Op::In(vals) | Op::NotIn(vals) = &op {
                    for (j, v) in vals.iter().enumerate() {
                        check_value(v, &path_index(&vals_path, j), sink);
                    }
                }
                sel.exprs.push((key, op));
            }
        }
        sel
    }
}

fn is_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

pub(crate) fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|l| {
            let b = l.as_bytes();
            !b.is_empty()
                && b.len() <= 63
                && b.first()
                    .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && b.last()
                    .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

fn check_key(k: &str, path: &str, sink: &mut IssueSink) {
    let ok = match k.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_name_part(name),
        None => is_name_part(k),
    };
    if !ok {
        sink.error(path, format!("`{k}` is not a valid label key"));
    }
}

fn check_value(v: &str, path: &str, sink: &mut IssueSink) {
    if !v.is_empty() && !is_name_part(v) {
        sink.error(path, format!("`{v}` is not a valid label value"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(y: &str) -> (Selector, usize) {
        let p = kubeward_yaml::parse_str(y);
        let mut sink = IssueSink::default();
        let s = Selector::parse(&p.documents[0].root, "s", &mut sink);
        (s, sink.errors.len())
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
            .collect()
    }

    #[test]
    fn operators() {
        let (s, e) = sel(
            "matchExpressions:\n- {key: env, operator: In, values: [prod, stage]}\n- {key: tier, operator: NotIn, values: [db]}\n- {key: team, operator: Exists}\n- {key: legacy, operator: DoesNotExist}\n",
        );
        assert_eq!(e, 0);
        assert!(s.matches(&labels(&[("env", "prod"), ("team", "a")])));
        assert!(s.matches(&labels(&[("env", "stage"), ("team", "a"), ("tier", "web")])));
        assert!(!s.matches(&labels(&[("env", "dev"), ("team", "a")])));
        assert!(!s.matches(&labels(&[("env", "prod"), ("team", "a"), ("tier", "db")])));
        assert!(!s.matches(&labels(&[("env", "prod")])));
        assert!(!s.matches(&labels(&[("env", "prod"), ("team", "a"), ("legacy", "")])));
    }

    #[test]
    fn invalid_selectors() {
        assert_eq!(sel("matchExpressions:\n- {key: a, operator: In}\n").1, 1);
        assert_eq!(
            sel("matchExpressions:\n- {key: a, operator: Exists, values: [x]}\n").1,
            1
        );
        assert_eq!(
            sel("matchExpressions:\n- {key: a, operator: in, values: [x]}\n").1,
            1
        );
        assert_eq!(sel("matchLabels: {\"bad key!\": x}\n").1, 1);
        assert_eq!(sel("matchLabels: {a: \"-x\"}\n").1, 1);
        let (s, e) = sel("{}");
        assert_eq!(e, 0);
        assert!(s.is_empty() && s.matches(&Labels::new()));
    }
}

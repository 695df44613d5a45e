//! Label selectors of `aggregationRule.clusterRoleSelectors`, with the semantics of
//! `metav1.LabelSelectorAsSelector`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A `matchExpressions` operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    /// `In`: the label is present and its value is listed.
    In,
    /// `NotIn`: the label is absent or its value is not listed.
    NotIn,
    /// `Exists`: the label is present.
    Exists,
    /// `DoesNotExist`: the label is absent.
    DoesNotExist,
    /// Anything else: makes the whole selector invalid.
    Unknown(String),
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// `key`.
    pub key: String,
    /// `operator`.
    pub operator: Operator,
    /// `values`.
    pub values: Vec<String>,
}

/// A `metav1.LabelSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSelector {
    /// `matchLabels`.
    pub match_labels: BTreeMap<String, String>,
    /// `matchExpressions`.
    pub match_expressions: Vec<Requirement>,
}

impl LabelSelector {
    /// Checks the selector as `LabelSelectorAsSelector` does: `In`/`NotIn` need values,
    /// `Exists`/`DoesNotExist` take none, other operators are errors.
    ///
    /// # Errors
    /// A message naming the offending expression.
    pub fn validate(&self) -> Result<(), String> {
        for (i, req) in self.match_expressions.iter().enumerate() {
            match &req.operator {
                Operator::In | Operator::NotIn if req.values.is_empty() => {
                    return Err(format!(
                        "matchExpressions[{i}]: values must be non-empty for In and NotIn"
                    ));
                }
                Operator::Exists | Operator::DoesNotExist if !req.values.is_empty() => {
                    return Err(format!(
                        "matchExpressions[{i}]: values must be empty for Exists and DoesNotExist"
                    ));
                }
                Operator::Unknown(op) => {
                    return Err(format!(
                        "matchExpressions[{i}]: {op:?} is not a valid operator"
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Whether the labels match. An empty selector matches everything.
    ///
    /// ```
    /// use kubeward_rbac::selector::{LabelSelector, Operator, Requirement};
    /// use std::collections::BTreeMap;
    /// let mut sel = LabelSelector::default();
    /// sel.match_expressions.push(Requirement { key: "tier".into(), operator: Operator::NotIn, values: vec!["db".into()] });
    /// let labels: BTreeMap<String, String> = [("app".to_string(), "x".to_string())].into();
    /// assert!(sel.matches(&labels)); // NotIn matches an absent label
    /// ```
    #[must_use]
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|req| {
                let value = labels.get(&req.key);
                match &req.operator {
                    Operator::In => value.is_some_and(|v| req.values.contains(v)),
                    Operator::NotIn => value.is_none_or(|v| !req.values.contains(v)),
                    Operator::Exists => value.is_some(),
                    Operator::DoesNotExist => value.is_none(),
                    Operator::Unknown(_) => false,
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn operators() {
        let req = |op, values: &[&str]| LabelSelector {
            match_labels: BTreeMap::new(),
            match_expressions: vec![Requirement {
                key: "k".into(),
                operator: op,
                values: values.iter().map(|s| (*s).to_string()).collect(),
            }],
        };
        let with = labels(&[("k", "a")]);
        let without = labels(&[("x", "a")]);
        assert!(req(Operator::In, &["a", "b"]).matches(&with));
        assert!(!req(Operator::In, &["b"]).matches(&with));
        assert!(!req(Operator::In, &["a"]).matches(&without));
        assert!(req(Operator::NotIn, &["b"]).matches(&with));
        assert!(!req(Operator::NotIn, &["a"]).matches(&with));
        assert!(req(Operator::Exists, &[]).matches(&with));
        assert!(!req(Operator::Exists, &[]).matches(&without));
        assert!(req(Operator::DoesNotExist, &[]).matches(&without));
        assert!(req(Operator::In, &[]).validate().is_err());
        assert!(req(Operator::Exists, &["a"]).validate().is_err());
        assert!(
            req(Operator::Unknown("Gt".into()), &["1"])
                .validate()
                .is_err()
        );
        assert!(LabelSelector::default().matches(&without));
    }
}

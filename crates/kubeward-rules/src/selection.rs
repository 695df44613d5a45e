//! Which rules run: `--select`/`--ignore` by code, name or code prefix.

use crate::Rule;

/// Rule selection by codes (`POD001`), names (`privileged-container`) or code prefixes
/// (`POD`, `RBAC0`). An empty `select` selects every rule.
///
/// ```
/// use kubeward_rules::{Selection, registry};
/// let sel = Selection::new(vec!["POD".into()], vec!["POD001".into(), "host-pid".into()]);
/// let codes: Vec<_> = registry::all().iter().filter(|r| sel.enabled(r)).map(|r| r.code).collect();
/// assert!(codes.contains(&"POD002"));
/// assert!(!codes.contains(&"POD001"));
/// assert!(!codes.contains(&"IMG001"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    select: Vec<String>,
    ignore: Vec<String>,
}

impl Selection {
    /// A selection from `select` and `ignore` lists.
    #[must_use]
    pub fn new(select: Vec<String>, ignore: Vec<String>) -> Self {
        Self { select, ignore }
    }

    /// Whether `rule` runs.
    #[must_use]
    pub fn enabled(&self, rule: &Rule) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| matches_rule(s, rule)))
            && !self.ignore.iter().any(|s| matches_rule(s, rule))
    }

    /// Adds more selectors (CLI flags on top of the configuration file).
    pub fn extend(&mut self, select: Vec<String>, ignore: Vec<String>) {
        self.select.extend(select);
        self.ignore.extend(ignore);
    }
}

/// Whether a selector (code, name or code prefix; case-insensitive) matches a rule.
#[must_use]
pub fn matches_rule(selector: &str, rule: &Rule) -> bool {
    let selector = selector.trim();
    if selector.eq_ignore_ascii_case(rule.name) || selector.eq_ignore_ascii_case("ALL") {
        return true;
    }
    let upper = selector.to_ascii_uppercase();
    !upper.is_empty() && rule.code.starts_with(&upper)
}

/// Whether a selector matches at least one rule of `rules` (to reject typos early).
#[must_use]
pub fn selector_is_known(selector: &str, rules: &[&Rule]) -> bool {
    rules.iter().any(|r| matches_rule(selector, r))
}

//! The registry: every built-in rule, listed explicitly per category module (no side-effect
//! registration). Adding a rule is one line in its category's `RULES` list.

use std::sync::LazyLock;

use crate::Rule;
use crate::rules::{
    audit, controlplane, dockerfile, image, input, network, pss, rbac, secrets, workload,
};

/// The category lists, in display order.
static CATEGORIES: &[&[&Rule]] = &[
    input::RULES,
    pss::RULES,
    workload::RULES,
    image::RULES,
    dockerfile::RULES,
    secrets::RULES,
    rbac::RULES,
    network::RULES,
    controlplane::RULES,
    audit::RULES,
];

static ALL: LazyLock<Vec<&'static Rule>> =
    LazyLock::new(|| CATEGORIES.iter().flat_map(|c| c.iter().copied()).collect());

/// Every built-in rule, in code order within each category.
#[must_use]
pub fn all() -> &'static [&'static Rule] {
    &ALL
}

/// Finds a rule by code or name (case-insensitive).
#[must_use]
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for rule in all() {
            assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
            assert!(names.insert(rule.name), "duplicate name {}", rule.name);
            let digits = rule
                .code
                .trim_start_matches(|c: char| c.is_ascii_uppercase());
            assert_eq!(digits.len(), 3, "{}: code must end in 3 digits", rule.code);
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}: kebab-case name",
                rule.name
            );
            assert!(
                !rule.summary().is_empty(),
                "{}: docs need a `## What it does` section",
                rule.code
            );
            assert!(
                !rule.section("Why is this bad?").is_empty(),
                "{}: docs need `## Why is this bad?`",
                rule.code
            );
            assert!(
                !rule.section("Fix").is_empty(),
                "{}: docs need `## Fix`",
                rule.code
            );
        }
    }
}

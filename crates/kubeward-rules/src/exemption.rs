//! Configuration exemptions: rules that do not apply to some objects, with a mandatory reason
//! and an optional expiry date.

use std::collections::BTreeMap;

use globset::Glob;
use kubeward_diagnostics::ObjectId;
use serde::{Deserialize, Serialize};

use crate::Rule;
use crate::selection::matches_rule;

/// One exemption from `.kubeward.yaml`. Every given matcher must match; an absent matcher
/// matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Exemption {
    /// Rules (codes, names, prefixes) exempted; empty means every rule.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Namespaces the exemption covers.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Kinds the exemption covers.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Object name globs (`prometheus-*`).
    #[serde(default)]
    pub names: Vec<String>,
    /// Labels the object must carry (all of them).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Why the exemption exists (mandatory).
    pub reason: String,
    /// Last day the exemption applies (`YYYY-MM-DD`); after it the findings come back.
    #[serde(default)]
    pub expires: Option<String>,
}

impl Exemption {
    /// Whether the exemption has expired on `today` (`YYYY-MM-DD`; string order is date order).
    #[must_use]
    pub fn expired(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|e| e < today)
    }

    /// Whether the exemption covers `rule` on the object with `id` and `labels`.
    #[must_use]
    pub fn covers(&self, rule: &Rule, id: &ObjectId, labels: &BTreeMap<String, String>) -> bool {
        (self.rules.is_empty() || self.rules.iter().any(|s| matches_rule(s, rule)))
            && (self.namespaces.is_empty()
                || self
                    .namespaces
                    .iter()
                    .any(|n| Some(n.as_str()) == id.namespace.as_deref()))
            && (self.kinds.is_empty() || self.kinds.iter().any(|k| k == &id.kind))
            && (self.names.is_empty()
                || self.names.iter().any(|g| {
                    Glob::new(g).is_ok_and(|glob| glob.compile_matcher().is_match(&id.name))
                }))
            && self
                .labels
                .iter()
                .all(|(k, v)| labels.get(k).is_some_and(|have| have == v))
    }
}

/// Today's date in UTC as `YYYY-MM-DD`, from the system clock (days-from-civil inverse).
#[must_use]
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_419), (2025, 11, 27));
    }
}

//! The qualitative severity of a finding.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Severity of a finding, ordered `Unknown < Low < Medium < High < Critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// No score and no qualitative rating (or a CVSS score of 0.0).
    #[default]
    Unknown,
    /// CVSS 0.1–3.9, or rated low/negligible.
    Low,
    /// CVSS 4.0–6.9, or rated medium/moderate.
    #[serde(alias = "moderate")]
    Medium,
    /// CVSS 7.0–8.9, or rated high/important.
    High,
    /// CVSS 9.0–10.0, or rated critical.
    Critical,
}

/// A string that is not a severity name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity `{0}` (expected one of: unknown, low, medium, moderate, high, critical)")]
pub struct ParseSeverityError(pub String);

impl FromStr for Severity {
    type Err = ParseSeverityError;

    /// Accepts `unknown`, `low`, `medium`, `moderate` (= medium), `high`,
    /// `critical`, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "unknown" => Ok(Severity::Unknown),
            "low" => Ok(Severity::Low),
            "medium" | "moderate" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(ParseSeverityError(s.to_string())),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Unknown => "unknown",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        })
    }
}

impl Severity {
    /// From a CVSS base score, per the CVSS v3 rating bands (0.0 is `Unknown`).
    #[must_use]
    pub fn from_score(score: f64) -> Severity {
        match crate::cvss::rating(score) {
            crate::cvss::Rating::None => Severity::Unknown,
            crate::cvss::Rating::Low => Severity::Low,
            crate::cvss::Rating::Medium => Severity::Medium,
            crate::cvss::Rating::High => Severity::High,
            crate::cvss::Rating::Critical => Severity::Critical,
        }
    }

    /// From a database's qualitative label: GHSA `LOW/MODERATE/HIGH/CRITICAL`,
    /// Debian urgency (`low`, `medium`, `high`, `unimportant`, with a `**`
    /// suffix tolerated), Ubuntu priority (`negligible`, `low`, `medium`,
    /// `high`, `critical`), RustSec/Red Hat style `important`. Anything else
    /// (e.g. Debian `not yet assigned`) is `None`.
    #[must_use]
    pub fn from_label(label: &str) -> Option<Severity> {
        let l = label
            .trim()
            .trim_end_matches('*')
            .trim()
            .to_ascii_lowercase();
        match l.as_str() {
            "low" | "negligible" | "unimportant" | "minor" => Some(Severity::Low),
            "medium" | "moderate" => Some(Severity::Medium),
            "high" | "important" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_display_order() {
        for s in ["unknown", "low", "medium", "high", "critical"] {
            assert_eq!(s.parse::<Severity>().unwrap().to_string(), s);
        }
        assert_eq!("MODERATE".parse::<Severity>().unwrap(), Severity::Medium);
        assert!("severe".parse::<Severity>().is_err());
        assert!(Severity::Unknown < Severity::Low && Severity::High < Severity::Critical);
        assert_eq!(Severity::from_score(9.8), Severity::Critical);
        assert_eq!(Severity::from_score(0.0), Severity::Unknown);
        assert_eq!(Severity::from_label("low**"), Some(Severity::Low));
        assert_eq!(Severity::from_label("not yet assigned"), None);
        let s: Severity = serde_json::from_str("\"moderate\"").unwrap();
        assert_eq!(s, Severity::Medium);
        assert_eq!(serde_json::to_string(&Severity::High).unwrap(), "\"high\"");
    }
}

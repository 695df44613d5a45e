//! Reporters: the last stage of kubeward's pipeline. Each format is one module rendering the
//! same [`Report`] (diagnostics, input errors, a summary and the documentation of the rules
//! that ran). Reporters never see the model or the engines.
//!
//! ```
//! use kubeward_report::{Report, Summary, json};
//! let report = Report { diagnostics: &[], errors: &[], summary: Summary::default(), rules: &[], objects: &[] };
//! let out = json::render(&report);
//! assert!(out.contains("\"schema\": \"kubeward/scan/v1\""));
//! ```
#![forbid(unsafe_code)]

pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

use kubeward_diagnostics::{Diagnostic, InputError, ObjectId, RuleDoc};

/// The version of kubeward, for tool sections of reports.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Counts for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files scanned.
    pub files: usize,
    /// Objects scanned.
    pub objects: usize,
    /// Findings removed by suppressions, exemptions and the baseline.
    pub suppressed: usize,
    /// Inputs that were skipped, with the reason (never silently dropped).
    pub skipped: Vec<(String, String)>,
}

/// An object that was scanned (JUnit needs one test case per object and rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedObject {
    /// The file.
    pub file: String,
    /// The object.
    pub id: ObjectId,
}

/// Everything a reporter renders.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    /// Findings, sorted.
    pub diagnostics: &'a [Diagnostic],
    /// Input errors, sorted.
    pub errors: &'a [InputError],
    /// Counts.
    pub summary: Summary,
    /// Documentation of the rules that ran.
    pub rules: &'a [RuleDoc],
    /// Objects scanned.
    pub objects: &'a [ScannedObject],
}

impl Report<'_> {
    /// The documentation of a rule by code.
    #[must_use]
    pub fn rule(&self, code: &str) -> Option<&RuleDoc> {
        self.rules.iter().find(|r| r.code == code)
    }
}

//! What a check function sees ([`ObjectContext`], [`BundleContext`]) and how it reports
//! ([`Emitter`]). Checks never do I/O, read configuration files or format output.

use kubeward_diagnostics::Severity;
use kubeward_model::{Object, ObjectIndex};

use crate::options::RuleOptions;

/// The context of a per-object check.
#[derive(Debug, Clone, Copy)]
pub struct ObjectContext<'a> {
    /// The object being checked.
    pub object: &'a Object,
    /// Typed rule options from the configuration.
    pub options: &'a RuleOptions,
}

/// The context of a whole-bundle check.
#[derive(Debug, Clone, Copy)]
pub struct BundleContext<'a> {
    /// Every object the scan retained for cross-object rules.
    pub index: &'a ObjectIndex,
    /// Typed rule options from the configuration.
    pub options: &'a RuleOptions,
}

/// One finding reported by a check, before it is located and turned into a Diagnostic.
#[derive(Debug, Clone)]
pub struct Finding<'a> {
    /// The object concerned.
    pub object: &'a Object,
    /// Field path inside the object; a missing field points at its nearest existing parent.
    pub path: String,
    /// What is wrong (names the part in backticks; never a secret value).
    pub message: String,
    /// Overrides the rule's fix text.
    pub fix: Option<String>,
    /// Overrides the rule's default severity for this finding (e.g. a docker socket mount).
    pub severity: Option<Severity>,
    /// Secondary locations: (object, path, note).
    pub related: Vec<(&'a Object, String, String)>,
    /// Field paths of the object whose values are masked in the source frame, in addition to
    /// the values every frame masks (detected credentials, Secret data, encryption keys).
    pub redact: Vec<String>,
}

/// Refines the finding just reported (returned by [`Emitter::report`]).
#[derive(Debug)]
pub struct FindingBuilder<'e, 'a> {
    findings: &'e mut Vec<Finding<'a>>,
}

impl<'a> FindingBuilder<'_, 'a> {
    /// Sets a finding-specific fix.
    pub fn fix(self, fix: impl Into<String>) -> Self {
        if let Some(f) = self.findings.last_mut() {
            f.fix = Some(fix.into());
        }
        self
    }

    /// Sets a finding-specific severity.
    pub fn severity(self, severity: Severity) -> Self {
        if let Some(f) = self.findings.last_mut() {
            f.severity = Some(severity);
        }
        self
    }

    /// Masks the value at `path` (a field path of the finding's object) in the source frame
    /// shown with the finding: for values that are secret but that the secrets engine does not
    /// recognise on its own.
    ///
    /// ```
    /// use kubeward_rules::Emitter;
    /// let loaded = kubeward_model::load_text("c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {pin: '4711'}\n");
    /// let mut emitter = Emitter::new(&loaded.objects[0]);
    /// emitter.report("data.pin", "`pin` is a PIN").redact("data.pin");
    /// assert_eq!(emitter.findings()[0].redact, ["data.pin"]);
    /// ```
    pub fn redact(self, path: impl Into<String>) -> Self {
        if let Some(f) = self.findings.last_mut() {
            f.redact.push(path.into());
        }
        self
    }

    /// Adds a secondary location.
    pub fn related(
        self,
        object: &'a Object,
        path: impl Into<String>,
        note: impl Into<String>,
    ) -> Self {
        if let Some(f) = self.findings.last_mut() {
            f.related.push((object, path.into(), note.into()));
        }
        self
    }
}

/// Collects the findings of one rule.
///
/// ```
/// use kubeward_rules::{Emitter, RuleOptions};
/// let loaded = kubeward_model::load_text("p.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true}\n");
/// let mut emitter = Emitter::new(&loaded.objects[0]);
/// emitter.report("spec.hostPID", "`hostPID` is true").fix("remove it");
/// assert_eq!(emitter.findings().len(), 1);
/// ```
#[derive(Debug)]
pub struct Emitter<'a> {
    object: &'a Object,
    findings: Vec<Finding<'a>>,
}

impl<'a> Emitter<'a> {
    /// An emitter whose findings default to `object`.
    #[must_use]
    pub fn new(object: &'a Object) -> Self {
        Self {
            object,
            findings: Vec::new(),
        }
    }

    /// Reports a finding on the current object at a field path.
    pub fn report(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> FindingBuilder<'_, 'a> {
        let object = self.object;
        self.report_on(object, path, message)
    }

    /// Reports a finding on another object (bundle rules).
    pub fn report_on(
        &mut self,
        object: &'a Object,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> FindingBuilder<'_, 'a> {
        self.findings.push(Finding {
            object,
            path: path.into(),
            message: message.into(),
            fix: None,
            severity: None,
            related: Vec::new(),
            redact: Vec::new(),
        });
        FindingBuilder {
            findings: &mut self.findings,
        }
    }

    /// Findings so far.
    #[must_use]
    pub fn findings(&self) -> &[Finding<'a>] {
        &self.findings
    }

    /// Takes the findings.
    #[must_use]
    pub fn into_findings(self) -> Vec<Finding<'a>> {
        self.findings
    }
}

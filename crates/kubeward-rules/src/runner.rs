//! The runner: turns objects into [`Diagnostic`]s with the enabled rules, then applies
//! suppressions, exemptions and severity overrides.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use kubeward_diagnostics::{
    Category, Diagnostic, InputError, Location, ObjectId, Related, Severity, Snippet,
};
use kubeward_model::{Loaded, ModelIssueKind, Object, ObjectIndex};
use kubeward_source::Span;
use kubeward_yaml::{IssueKind, IssueSeverity};

use crate::context::{BundleContext, Emitter, Finding, ObjectContext};
use crate::exemption::Exemption;
use crate::options::RuleOptions;
use crate::registry;
use crate::rules::input;
use crate::selection::{Selection, matches_rule};
use crate::suppress::{IGNORE_ANNOTATION, Suppression, parse_suppressions};
use crate::{Check, Rule};

/// Resolved, immutable settings for a run.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Which rules run.
    pub selection: Selection,
    /// Severity overrides by selector (code, name or prefix).
    pub severity: BTreeMap<String, Severity>,
    /// Typed rule options.
    pub options: RuleOptions,
    /// Exemptions.
    pub exemptions: Vec<Exemption>,
    /// Today (`YYYY-MM-DD`) for exemption expiry.
    pub today: String,
}

/// The rules of a run, split by scope.
#[derive(Debug, Clone)]
pub struct Engine {
    settings: Settings,
    object_rules: Vec<&'static Rule>,
    bundle_rules: Vec<&'static Rule>,
    enabled: Vec<&'static Rule>,
}

/// A suppression annotation found on an object.
#[derive(Debug, Clone)]
pub struct SuppressionSite {
    /// The object carrying it.
    pub object: ObjectId,
    /// Its file.
    pub file: Arc<str>,
    /// Where the annotation is.
    pub location: Location,
    /// The parsed groups.
    pub groups: Vec<Suppression>,
}

/// Per-object facts needed after the per-file pass (exemptions match labels).
#[derive(Debug, Clone, Default)]
pub struct ObjectFacts {
    /// `metadata.labels` of every object with findings, keyed by (file, object).
    pub labels: HashMap<(Arc<str>, ObjectId), BTreeMap<String, String>>,
}

/// What the per-file pass produces.
#[derive(Debug, Default)]
pub struct FileOutcome {
    /// Findings and input warnings, before suppression.
    pub diagnostics: Vec<Diagnostic>,
    /// Input errors (syntax, limits).
    pub errors: Vec<InputError>,
    /// Suppression annotations.
    pub suppressions: Vec<SuppressionSite>,
    /// Labels of objects, for exemptions.
    pub facts: ObjectFacts,
    /// Number of objects.
    pub objects: usize,
    /// Findings an adapter already dropped because of an inline suppression (Dockerfile
    /// `# kubeward:ignore` comments), for the summary.
    pub suppressed: usize,
}

/// The final result of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Kept diagnostics, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// How many findings suppressions and exemptions removed.
    pub suppressed: usize,
}

impl Engine {
    /// An engine running the rules `settings` enables.
    #[must_use]
    pub fn new(settings: Settings) -> Self {
        let enabled: Vec<&'static Rule> = registry::all()
            .iter()
            .copied()
            .filter(|r| settings.selection.enabled(r))
            .collect();
        let object_rules = enabled
            .iter()
            .copied()
            .filter(|r| matches!(r.check, Check::Object(_)))
            .collect();
        let bundle_rules = enabled
            .iter()
            .copied()
            .filter(|r| matches!(r.check, Check::Bundle(_)))
            .collect();
        Self {
            settings,
            object_rules,
            bundle_rules,
            enabled,
        }
    }

    /// The settings.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether objects of `kind` must be kept for the bundle pass.
    #[must_use]
    pub fn retains(&self, kind: &str) -> bool {
        self.bundle_rules.iter().any(|r| r.applies_to(kind))
    }

    /// Whether any bundle rule is enabled.
    #[must_use]
    pub fn has_bundle_rules(&self) -> bool {
        !self.bundle_rules.is_empty()
    }

    /// Whether `rule` runs under these settings (selection applied).
    #[must_use]
    pub fn is_enabled(&self, rule: &Rule) -> bool {
        self.enabled.iter().any(|r| r.code == rule.code)
    }

    fn severity_of(&self, rule: &Rule, finding: Option<Severity>) -> Severity {
        self.settings
            .severity
            .iter()
            .filter(|(sel, _)| matches_rule(sel, rule))
            .max_by_key(|(sel, _)| sel.len())
            .map_or_else(|| finding.unwrap_or(rule.severity), |(_, s)| *s)
    }

    /// The per-file pass: input problems, per-object rules, suppression annotations.
    #[must_use]
    pub fn check_file(&self, loaded: &Loaded, file: &Arc<str>) -> FileOutcome {
        let mut out = FileOutcome {
            objects: loaded.objects.len(),
            ..FileOutcome::default()
        };
        self.loader_diagnostics(loaded, file, &mut out);
        for object in &loaded.objects {
            out.diagnostics.extend(self.check_object(object));
            self.collect_object_facts(object, &mut out);
        }
        out
    }

    /// Runs the per-object rules on one object (also used by the admission webhook).
    #[must_use]
    pub fn check_object(&self, object: &Object) -> Vec<Diagnostic> {
        let ctx = ObjectContext {
            object,
            options: &self.settings.options,
        };
        let mut out = Vec::new();
        for rule in &self.object_rules {
            let Check::Object(check) = rule.check else {
                continue;
            };
            if !rule.applies_to(object.kind()) {
                continue;
            }
            let mut emitter = Emitter::new(object);
            check(&ctx, &mut emitter);
            out.extend(
                emitter
                    .into_findings()
                    .into_iter()
                    .map(|f| self.to_diagnostic(rule, f)),
            );
        }
        out
    }

    /// The bundle pass over every retained object.
    #[must_use]
    pub fn check_bundle(&self, index: &ObjectIndex) -> Vec<Diagnostic> {
        let ctx = BundleContext {
            index,
            options: &self.settings.options,
        };
        let mut out = Vec::new();
        let Some(first) = index.all().first() else {
            return out;
        };
        for rule in &self.bundle_rules {
            let Check::Bundle(check) = rule.check else {
                continue;
            };
            let mut emitter = Emitter::new(first);
            check(&ctx, &mut emitter);
            out.extend(
                emitter
                    .into_findings()
                    .into_iter()
                    .map(|f| self.to_diagnostic(rule, f)),
            );
        }
        out
    }

    fn collect_object_facts(&self, object: &Object, out: &mut FileOutcome) {
        let id = object_id(object);
        let file = object.origin.source.path_arc();
        let labels: BTreeMap<String, String> = object
            .metadata()
            .and_then(|m| m.get("labels"))
            .into_iter()
            .flat_map(|l| l.entries())
            .filter_map(|(k, v)| Some((k.into_owned(), v.scalar_string()?.into_owned())))
            .collect();
        if !labels.is_empty() {
            out.facts
                .labels
                .insert((Arc::clone(&file), id.clone()), labels);
        }
        let path = format!("metadata.annotations[\"{IGNORE_ANNOTATION}\"]");
        let Some(value) = object.annotation(IGNORE_ANNOTATION) else {
            return;
        };
        let (location, snippet) = locate(object, &path);
        match parse_suppressions(value) {
            Ok(groups) => out.suppressions.push(SuppressionSite {
                object: id,
                file,
                location,
                groups,
            }),
            Err(message) => {
                if self.is_enabled(&input::INVALID_SUPPRESSION) {
                    out.diagnostics.push(self.plain_diagnostic(
                        &input::INVALID_SUPPRESSION,
                        message,
                        Some(id),
                        location,
                        Some(snippet),
                    ));
                }
            }
        }
    }

    fn loader_diagnostics(&self, loaded: &Loaded, file: &Arc<str>, out: &mut FileOutcome) {
        for issue in &loaded.issues {
            let rule = match issue.kind {
                ModelIssueKind::Yaml(IssueKind::Syntax) => &input::YAML_SYNTAX_ERROR,
                ModelIssueKind::Yaml(IssueKind::DuplicateKey) => &input::DUPLICATE_KEY,
                ModelIssueKind::Yaml(
                    IssueKind::TooDeep
                    | IssueKind::AliasBudget
                    | IssueKind::TooManyNodes
                    | IssueKind::UnknownAlias,
                ) => &input::INPUT_LIMIT_EXCEEDED,
                ModelIssueKind::Yaml(IssueKind::InvalidMerge) => &input::YAML_SYNTAX_ERROR,
                ModelIssueKind::NotAnObject => &input::NOT_AN_OBJECT,
                ModelIssueKind::WrongType => &input::WRONG_FIELD_TYPE,
            };
            if issue.severity == IssueSeverity::Error {
                out.errors.push(InputError {
                    file: file.to_string(),
                    line: issue.span.start.line,
                    column: issue.span.start.col,
                    code: rule.code,
                    message: issue.message.clone(),
                });
                continue;
            }
            if !self.is_enabled(rule) {
                continue;
            }
            let location = Location {
                file: Arc::clone(file),
                start: issue.span.start,
                end: issue.span.end,
                path: issue.path.clone(),
                template: None,
            };
            let snippet = loaded.objects.first().map(|o| {
                let mut snippet = snippet_for(&o.origin.source, issue.span);
                // A duplicate key in a Secret shows its value: mask the object's secrets.
                let within = |x: &&Object| {
                    x.origin.span.start <= issue.span.start && issue.span.start < x.origin.span.end
                };
                if let Some(object) = loaded.objects.iter().find(within) {
                    crate::rules::secrets::redact::mask_object_snippet(object, &mut snippet, &[]);
                }
                snippet
            });
            out.diagnostics.push(self.plain_diagnostic(
                rule,
                issue.message.clone(),
                None,
                location,
                snippet,
            ));
        }
    }

    /// A diagnostic for a rule whose findings come from outside the object runner (Dockerfile,
    /// node, audit and probe adapters). Applies selection and severity overrides; returns
    /// `None` when the rule is not enabled.
    #[must_use]
    pub fn external(&self, rule: &'static Rule, finding: ExternalFinding) -> Option<Diagnostic> {
        if !self.is_enabled(rule) {
            return None;
        }
        let mut d = self.plain_diagnostic(
            rule,
            finding.message,
            finding.object,
            finding.location,
            finding.snippet,
        );
        if let Some(fix) = finding.fix {
            d.fix = Some(fix);
        }
        if let Some(severity) = finding.severity
            && !self
                .settings
                .severity
                .iter()
                .any(|(sel, _)| matches_rule(sel, rule))
        {
            d.severity = severity;
        }
        d.related = finding.related;
        Some(d)
    }

    fn plain_diagnostic(
        &self,
        rule: &'static Rule,
        message: String,
        object: Option<ObjectId>,
        location: Location,
        snippet: Option<Snippet>,
    ) -> Diagnostic {
        Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: self.severity_of(rule, None),
            category: rule.category,
            message,
            object,
            location,
            fix: (!rule.fix.is_empty()).then(|| rule.fix.to_string()),
            compliance: rule.compliance,
            snippet,
            related: Vec::new(),
        }
    }

    fn to_diagnostic(&self, rule: &'static Rule, finding: Finding<'_>) -> Diagnostic {
        let (location, snippet) = locate_redacted(finding.object, &finding.path, &finding.redact);
        let related = finding
            .related
            .iter()
            .map(|(object, path, note)| Related {
                location: location_of(object, path).0,
                message: note.clone(),
            })
            .collect();
        Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: self.severity_of(rule, finding.severity),
            category: rule.category,
            message: finding.message,
            object: Some(object_id(finding.object)),
            location,
            fix: finding
                .fix
                .or_else(|| (!rule.fix.is_empty()).then(|| rule.fix.to_string())),
            compliance: rule.compliance,
            snippet: Some(snippet),
            related,
        }
    }

    /// Applies suppression annotations and exemptions, reports unused suppressions, and sorts.
    #[must_use]
    pub fn finalize(
        &self,
        diagnostics: Vec<Diagnostic>,
        mut sites: Vec<SuppressionSite>,
        facts: &ObjectFacts,
    ) -> Outcome {
        // used[site][group][selector]
        let mut used: Vec<Vec<Vec<bool>>> = sites
            .iter()
            .map(|s| {
                s.groups
                    .iter()
                    .map(|g| vec![false; g.selectors.len()])
                    .collect()
            })
            .collect();
        let mut kept = Vec::with_capacity(diagnostics.len());
        let mut suppressed = 0usize;
        let no_labels = BTreeMap::new();
        for diagnostic in diagnostics {
            let Some(rule) = registry::find(diagnostic.code) else {
                kept.push(diagnostic);
                continue;
            };
            let Some(object) = &diagnostic.object else {
                kept.push(diagnostic);
                continue;
            };
            let mut hit = false;
            for (site, site_used) in sites.iter().zip(used.iter_mut()) {
                if &site.object != object || site.file != diagnostic.location.file {
                    continue;
                }
                for (group, group_used) in site.groups.iter().zip(site_used.iter_mut()) {
                    for (selector, flag) in group.selectors.iter().zip(group_used.iter_mut()) {
                        if matches_rule(selector, rule) {
                            *flag = true;
                            hit = true;
                        }
                    }
                }
            }
            if hit {
                suppressed += 1;
                continue;
            }
            let labels = facts
                .labels
                .get(&(Arc::clone(&diagnostic.location.file), object.clone()))
                .unwrap_or(&no_labels);
            if self
                .settings
                .exemptions
                .iter()
                .any(|e| !e.expired(&self.settings.today) && e.covers(rule, object, labels))
            {
                suppressed += 1;
                continue;
            }
            kept.push(diagnostic);
        }
        if self.is_enabled(&input::UNUSED_SUPPRESSION) {
            for (site, site_used) in sites.drain(..).zip(used) {
                let unused: Vec<String> = site
                    .groups
                    .iter()
                    .zip(site_used)
                    .flat_map(|(g, u)| {
                        g.selectors
                            .iter()
                            .zip(u)
                            .filter(|(_, was_used)| !was_used)
                            .map(|(sel, _)| sel.clone())
                            .collect::<Vec<_>>()
                    })
                    .collect();
                if unused.is_empty() {
                    continue;
                }
                let known = |s: &String| registry::all().iter().any(|r| matches_rule(s, r));
                let message = if unused.iter().all(known) {
                    format!(
                        "`{IGNORE_ANNOTATION}` suppresses `{}` but no such finding exists on this object",
                        unused.join(",")
                    )
                } else {
                    format!(
                        "`{IGNORE_ANNOTATION}` names `{}`, which suppresses nothing (unknown rule or no such finding)",
                        unused.join(",")
                    )
                };
                kept.push(self.plain_diagnostic(
                    &input::UNUSED_SUPPRESSION,
                    message,
                    Some(site.object),
                    site.location,
                    None,
                ));
            }
        }
        kept.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        kept.dedup_by(|a, b| a.sort_key() == b.sort_key() && a.location.path == b.location.path);
        Outcome {
            diagnostics: kept,
            suppressed,
        }
    }
}

/// A finding produced by a domain adapter, for [`Engine::external`].
#[derive(Debug, Clone, Default)]
pub struct ExternalFinding {
    /// What is wrong (never a secret value).
    pub message: String,
    /// The object concerned, if any.
    pub object: Option<ObjectId>,
    /// Where.
    pub location: Location,
    /// Source lines for frames.
    pub snippet: Option<Snippet>,
    /// Finding-specific fix (default: the rule's).
    pub fix: Option<String>,
    /// Finding-specific severity (default: the rule's; configuration overrides win).
    pub severity: Option<Severity>,
    /// Secondary locations.
    pub related: Vec<Related>,
}

/// The [`ObjectId`] of an object.
#[must_use]
pub fn object_id(object: &Object) -> ObjectId {
    ObjectId {
        api_version: object.reference.api_version.clone(),
        kind: object.reference.kind.clone(),
        namespace: object.reference.namespace.clone(),
        name: object.reference.name.clone(),
    }
}

/// Resolves a field path of an object to a location and a source snippet; a missing field
/// points at its nearest existing parent. Secret values in the snippet are masked
/// ([`crate::rules::secrets::redact`]).
#[must_use]
pub fn locate(object: &Object, path: &str) -> (Location, Snippet) {
    locate_redacted(object, path, &[])
}

/// [`locate`], also masking the values at the `redact` field paths of the object in the
/// snippet.
#[must_use]
pub fn locate_redacted(object: &Object, path: &str, redact: &[String]) -> (Location, Snippet) {
    let (location, span) = location_of(object, path);
    let mut snippet = snippet_for(&object.origin.source, span);
    crate::rules::secrets::redact::mask_object_snippet(object, &mut snippet, redact);
    (location, snippet)
}

fn location_of(object: &Object, path: &str) -> (Location, Span) {
    let located = object.root.locate(path);
    let span = if located.span.start.line == 0 {
        object.origin.span
    } else {
        located.span
    };
    let location = Location {
        file: object.origin.source.path_arc(),
        start: span.start,
        end: span.end,
        path: (!path.is_empty()).then(|| path.to_string()),
        template: object.origin.template.clone(),
    };
    (location, span)
}

/// Up to four source lines of a span.
#[must_use]
pub fn snippet_for(source: &kubeward_source::SourceFile, span: Span) -> Snippet {
    let first = span.start.line.max(1);
    let last = span.end.line.clamp(first, first + 3);
    let lines = (first..=last)
        .filter_map(|n| source.line(n))
        .map(|l| l.chars().take(400).collect())
        .collect();
    Snippet {
        first_line: first,
        lines,
    }
}

/// Severity counts for summaries.
#[must_use]
pub fn count_by_severity(diagnostics: &[Diagnostic]) -> BTreeMap<Severity, usize> {
    let mut counts = BTreeMap::new();
    for d in diagnostics
        .iter()
        .filter(|d| d.category != Category::Input || d.severity > Severity::Info)
    {
        *counts.entry(d.severity).or_insert(0) += 1;
    }
    counts
}

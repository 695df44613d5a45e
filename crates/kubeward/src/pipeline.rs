//! The scan pipeline: inputs → source → yaml → model → rules → diagnostics, files processed
//! in parallel and streamed (each file's tree is dropped after its per-object rules ran,
//! unless a cross-object rule needs it).

use std::sync::Arc;

use kubeward_diagnostics::{Diagnostic, InputError, RuleDoc};
use kubeward_model::{Object, ObjectIndex, load_source};
use kubeward_report::{ScannedObject, Summary};
use kubeward_rules::{Engine, FileOutcome, ObjectFacts, Rule, object_id, registry};
use kubeward_source::SourceFile;
use kubeward_yaml::Limits;
use rayon::prelude::*;

use crate::input::{Collected, Input, is_dockerfile, read};

/// Everything a scan found.
#[derive(Debug, Default)]
pub struct ScanResult {
    /// Kept findings, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Input errors, sorted.
    pub errors: Vec<InputError>,
    /// Counts and skipped inputs.
    pub summary: Summary,
    /// Every object scanned.
    pub objects: Vec<ScannedObject>,
}

struct FileWork {
    outcome: FileOutcome,
    retained: Vec<Object>,
    objects: Vec<ScannedObject>,
    error: Option<InputError>,
}

/// Runs the scan; with `parse_only`, files are read and loaded into objects but no rule runs
/// (the loader's throughput, for benchmarks).
#[must_use]
pub fn scan_with(
    engine: &Engine,
    collected: Collected,
    max_file_size: u64,
    parse_only: bool,
) -> ScanResult {
    let files = collected.inputs.len();
    let work: Vec<FileWork> = collected
        .inputs
        .par_iter()
        .map(|input| {
            let name = input.display();
            let text = match read(input, max_file_size) {
                Ok(text) => text,
                Err(error) => {
                    return FileWork {
                        outcome: FileOutcome::default(),
                        retained: Vec::new(),
                        objects: Vec::new(),
                        error: Some(error),
                    };
                }
            };
            let source = SourceFile::new(name.as_str(), text);
            if let Input::File(path) = input
                && is_dockerfile(path)
            {
                return FileWork {
                    outcome: crate::adapters::dockerfile::check(engine, &source),
                    retained: Vec::new(),
                    objects: Vec::new(),
                    error: None,
                };
            }
            let loaded = load_source(&source, Limits::default());
            let path: Arc<str> = source.path_arc();
            if parse_only {
                return FileWork {
                    outcome: FileOutcome {
                        objects: loaded.objects.len(),
                        ..FileOutcome::default()
                    },
                    retained: Vec::new(),
                    objects: Vec::new(),
                    error: None,
                };
            }
            let outcome = engine.check_file(&loaded, &path);
            let objects = loaded
                .objects
                .iter()
                .map(|o| ScannedObject {
                    file: name.clone(),
                    id: object_id(o),
                })
                .collect();
            let retained = loaded
                .objects
                .into_iter()
                .filter(|o| engine.retains(o.kind()))
                .collect();
            FileWork {
                outcome,
                retained,
                objects,
                error: None,
            }
        })
        .collect();

    let mut diagnostics = Vec::new();
    let mut errors = collected.errors;
    let mut sites = Vec::new();
    let mut facts = ObjectFacts::default();
    let mut retained = Vec::new();
    let mut objects = Vec::new();
    let mut parsed_objects = 0usize;
    let mut suppressed_inline = 0usize;
    for w in work {
        suppressed_inline += w.outcome.suppressed;
        diagnostics.extend(w.outcome.diagnostics);
        errors.extend(w.outcome.errors);
        errors.extend(w.error);
        sites.extend(w.outcome.suppressions);
        facts.labels.extend(w.outcome.facts.labels);
        retained.extend(w.retained);
        objects.extend(w.objects);
        parsed_objects += w.outcome.objects;
    }
    if engine.has_bundle_rules() && !retained.is_empty() {
        let index = ObjectIndex::new(retained);
        diagnostics.extend(engine.check_bundle(&index));
    }
    let outcome = engine.finalize(diagnostics, sites, &facts);
    errors.sort();
    ScanResult {
        diagnostics: outcome.diagnostics,
        errors,
        summary: Summary {
            files,
            objects: parsed_objects.max(objects.len()),
            suppressed: outcome.suppressed + suppressed_inline,
            skipped: collected.skipped,
        },
        objects,
    }
}

/// The documentation of every rule enabled in `engine`'s settings, for reporters.
#[must_use]
pub fn rule_docs(engine: &Engine) -> Vec<RuleDoc> {
    registry::all()
        .iter()
        .filter(|r| engine.settings().selection.enabled(r))
        .map(|r| doc_of(r))
        .collect()
}

/// The reporter view of a rule.
#[must_use]
pub fn doc_of(rule: &Rule) -> RuleDoc {
    RuleDoc {
        code: rule.code,
        name: rule.name,
        summary: rule.summary(),
        docs: rule
            .docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n"),
        severity: rule.severity,
        category: rule.category,
        kinds: rule.kinds,
        compliance: rule.compliance,
        fix: rule.fix,
    }
}

//! The scan pipeline: inputs → source → yaml → model → rules → diagnostics, files processed
//! in parallel and streamed (each file's tree is dropped after its per-object rules ran,
//! unless a cross-object rule needs it).

use std::sync::Arc;

use kubeward_diagnostics::{Diagnostic, InputError, RuleDoc};
use kubeward_imagepolicy::{ImageGate, check_all, findings, image_fields};
use kubeward_model::{Object, ObjectIndex, load_source};
use kubeward_report::{ScannedObject, Summary};
use kubeward_rules::{
    Engine, ExternalFinding, FileOutcome, ObjectFacts, Rule, locate, object_id, registry,
};
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
    images: Vec<ImageSite>,
}

/// An image field that the image gate covers, located for findings.
struct ImageSite {
    image: String,
    finding: ExternalFinding,
}

/// Images checked against registries at the same time.
const IMAGE_CONCURRENCY: usize = 8;

/// Runs the scan; with `parse_only`, files are read and loaded into objects but no rule runs
/// (the loader's throughput, for benchmarks). With an image `gate`, every container image it
/// covers is checked once (signatures, vulnerabilities) after the files are read, and the
/// verdicts become IMG200–IMG202 findings at each `image` field.
#[must_use]
pub fn scan_with(
    engine: &Engine,
    collected: Collected,
    max_file_size: u64,
    parse_only: bool,
    gate: Option<&ImageGate>,
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
                        images: Vec::new(),
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
                    images: Vec::new(),
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
                    images: Vec::new(),
                };
            }
            let outcome = engine.check_file(&loaded, &path);
            let images = gate.map_or_else(Vec::new, |gate| image_sites(gate, &loaded.objects));
            let objects = loaded
                .objects
                .iter()
                .map(|o| ScannedObject {
                    file: name.clone(),
                    id: object_id(o),
                })
                .collect();
            // Kept objects hold only their own lines of the file, so the text of everything
            // else in it (CRDs, ConfigMaps, other documents) is freed with the file.
            let retained = loaded
                .objects
                .into_iter()
                .filter(|o| engine.retains(o.kind()))
                .map(|mut o| {
                    o.origin.source = o
                        .origin
                        .source
                        .window(o.origin.span.start.line, o.origin.span.end.line);
                    o
                })
                .collect();
            FileWork {
                outcome,
                retained,
                objects,
                error: None,
                images,
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
    let mut image_sites = Vec::new();
    for w in work {
        image_sites.extend(w.images);
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
    if let Some(gate) = gate
        && !image_sites.is_empty()
    {
        diagnostics.extend(image_findings(engine, gate, image_sites));
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

/// The image fields of `objects` that `gate` has something to check for.
fn image_sites(gate: &ImageGate, objects: &[Object]) -> Vec<ImageSite> {
    let mut out = Vec::new();
    for object in objects {
        for field in image_fields(object) {
            if !gate.covers(&field.image) {
                continue;
            }
            let (location, snippet) = locate(object, &field.path);
            out.push(ImageSite {
                image: field.image,
                finding: ExternalFinding {
                    message: String::new(),
                    object: Some(object_id(object)),
                    location,
                    snippet: Some(snippet),
                    fix: None,
                    severity: None,
                    related: Vec::new(),
                },
            });
        }
    }
    out
}

/// Checks every distinct image once and reports the verdicts at each site.
fn image_findings(engine: &Engine, gate: &ImageGate, sites: Vec<ImageSite>) -> Vec<Diagnostic> {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kubeward: cannot start the registry client runtime: {e}");
            return Vec::new();
        }
    };
    let checks = runtime.block_on(check_all(
        gate,
        sites.iter().map(|s| s.image.as_str()),
        IMAGE_CONCURRENCY,
    ));
    let mut out = Vec::new();
    for site in sites {
        let Some(check) = checks.get(&site.image) else {
            continue;
        };
        for f in findings(check) {
            let mut finding = site.finding.clone();
            finding.message = f.message;
            finding.severity = f.severity;
            out.extend(engine.external(f.rule, finding));
        }
    }
    out
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

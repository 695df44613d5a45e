//! The engine: runs every enabled detector over events, applies allow-lists, de-duplicates
//! per request across stages and builds findings with evidence.

use std::collections::BTreeMap;
use std::io::Read;

use serde::Serialize;

use crate::config::{AllowList, Config, ConfigError};
use crate::dedup::{FiredCache, request_key};
use crate::detectors::{Cx, Detector, REGISTRY, Spec};
use crate::event::{Document, Event, ParseError, parse_document};
use crate::finding::{DetectorMeta, Finding};
use crate::input::{LineError, read_lines};

/// Counters of an engine run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EngineStats {
    /// Events given to the engine.
    pub events: u64,
    /// Events with an outcome (`ResponseStarted`, `ResponseComplete`, `Panic`) that detectors saw.
    pub examined: u64,
    /// Findings produced.
    pub findings: u64,
    /// Hits dropped because the identity or namespace is allow-listed.
    pub allow_listed: u64,
    /// Hits dropped because the detector already fired for the same `auditID`.
    pub duplicates: u64,
    /// Findings per detector name.
    pub by_detector: BTreeMap<&'static str, u64>,
    /// Per detector name: events it would have inspected but whose body the audit level left
    /// out (raise the policy's level to `Request`, or `RequestResponse` for patches).
    pub missing_body: BTreeMap<&'static str, u64>,
}

struct Active {
    index: usize,
    spec: &'static Spec,
    detector: Box<dyn Detector>,
    allow: AllowList,
}

/// Runs the audit detectors. One engine holds the state of one stream of events.
pub struct Engine {
    config: Config,
    active: Vec<Active>,
    fired: FiredCache,
    stats: EngineStats,
}

/// What [`Engine::scan`] found in a whole input.
#[derive(Debug, Default)]
pub struct ScanReport {
    /// Findings in input order.
    pub findings: Vec<Finding>,
    /// Line errors (the first [`ScanReport::MAX_ERRORS`]).
    pub errors: Vec<LineError>,
    /// All line errors, including those not kept.
    pub error_count: u64,
    /// Events read.
    pub events: u64,
}

impl ScanReport {
    /// How many line errors are kept.
    pub const MAX_ERRORS: usize = 1000;
}

fn names_detector(spec: &Spec, key: &str) -> bool {
    spec.meta.name == key || spec.meta.code == key
}

impl Engine {
    /// Builds an engine; detectors in `config.disabled` are not run.
    ///
    /// # Errors
    /// [`ConfigError`] when a detector name is unknown or a threshold is zero.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        for d in &config.disabled {
            let known = REGISTRY.iter().any(|s| {
                names_detector(s, d)
                    || (d.starts_with("AUD") && s.meta.code.starts_with(d.as_str()))
            });
            if !known {
                return Err(ConfigError::UnknownDetector {
                    field: "disabled",
                    name: d.clone(),
                });
            }
        }
        for key in config.allow.keys() {
            if !REGISTRY.iter().any(|s| names_detector(s, key)) {
                return Err(ConfigError::UnknownDetector {
                    field: "allow",
                    name: key.clone(),
                });
            }
        }
        let active = REGISTRY
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                !config.disabled.iter().any(|d| {
                    names_detector(s, d)
                        || (d.starts_with("AUD") && s.meta.code.starts_with(d.as_str()))
                })
            })
            .map(|(index, spec)| {
                let user = config
                    .allow
                    .get(spec.meta.name)
                    .or_else(|| config.allow.get(spec.meta.code));
                Active {
                    index,
                    spec,
                    detector: spec.instantiate(&config),
                    allow: AllowList::merged(spec.default_allow, user),
                }
            })
            .collect();
        Ok(Self {
            fired: FiredCache::new(config.dedup_capacity),
            config,
            active,
            stats: EngineStats::default(),
        })
    }

    /// Every detector's metadata, in code order.
    pub fn catalogue() -> impl Iterator<Item = &'static DetectorMeta> {
        REGISTRY.iter().map(|s| s.meta)
    }

    /// The metadata of the detector with this code or name.
    #[must_use]
    pub fn explain(code_or_name: &str) -> Option<&'static DetectorMeta> {
        REGISTRY
            .iter()
            .find(|s| names_detector(s, code_or_name))
            .map(|s| s.meta)
    }

    /// The metadata of the detectors this engine runs.
    pub fn enabled(&self) -> impl Iterator<Item = &'static DetectorMeta> + '_ {
        self.active.iter().map(|a| a.spec.meta)
    }

    /// The configuration in use.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Counters so far.
    #[must_use]
    pub fn stats(&self) -> &EngineStats {
        &self.stats
    }

    /// Observations the stateful detectors could not track because a state cap was reached.
    #[must_use]
    pub fn state_dropped(&self) -> u64 {
        self.active.iter().map(|a| a.detector.dropped()).sum()
    }

    /// Runs every detector on `ev`, appending findings to `out`; returns how many were added.
    ///
    /// `RequestReceived` events are counted but not examined: they carry neither the
    /// authorization decision nor a response, and the same request is seen again later.
    pub fn process(&mut self, ev: &Event<'_>, out: &mut Vec<Finding>) -> usize {
        self.stats.events += 1;
        if !ev.stage.has_outcome() {
            return 0;
        }
        self.stats.examined += 1;
        let before = out.len();
        let blind = std::cell::Cell::new(false);
        for a in &mut self.active {
            let cx = Cx {
                config: &self.config,
                allow: &a.allow,
                blind: &blind,
            };
            let hit = a.detector.check(ev, &cx);
            if blind.take() {
                *self.stats.missing_body.entry(a.spec.meta.name).or_default() += 1;
            }
            let Some(hit) = hit else {
                continue;
            };
            if a.spec.allows(&a.allow, ev) {
                self.stats.allow_listed += 1;
                continue;
            }
            if a.spec.once_per_request
                && let Some(key) = request_key(ev)
                && !self.fired.first_fire_key(key, a.index)
            {
                self.stats.duplicates += 1;
                continue;
            }
            self.stats.findings += 1;
            *self.stats.by_detector.entry(a.spec.meta.name).or_default() += 1;
            out.push(Finding::new(a.spec.meta, ev, hit));
        }
        out.len() - before
    }

    /// Runs [`Engine::process`] on every event of a document.
    pub fn process_document(&mut self, doc: &Document<'_>, out: &mut Vec<Finding>) -> usize {
        doc.events().map(|ev| self.process(ev, out)).sum()
    }

    /// Parses a webhook request body (an `EventList`, or a single `Event`) and runs every event.
    ///
    /// # Errors
    /// [`ParseError`] when the body is not an audit document; nothing is processed then.
    pub fn process_body(
        &mut self,
        body: &str,
        out: &mut Vec<Finding>,
    ) -> Result<usize, ParseError> {
        let doc = parse_document(body)?;
        Ok(self.process_document(&doc, out))
    }

    /// Reads a whole JSON-lines input (plain or gzip) and returns findings and line errors.
    ///
    /// # Errors
    /// Only an error detecting the compression; read errors later on are line errors.
    pub fn scan<R: Read>(&mut self, reader: R, source_name: &str) -> std::io::Result<ScanReport> {
        let mut lines = read_lines(reader, source_name)?;
        let mut report = ScanReport::default();
        while let Some(item) = lines.next_document() {
            match item {
                Ok(doc) => {
                    report.events += doc.len() as u64;
                    self.process_document(&doc, &mut report.findings);
                }
                Err(e) => {
                    report.error_count += 1;
                    if report.errors.len() < ScanReport::MAX_ERRORS {
                        report.errors.push(e);
                    }
                }
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_moves_between_threads() {
        fn assert_send<T: Send>() {}
        assert_send::<Engine>();
    }

    #[test]
    fn webhook_body() {
        let mut engine = Engine::new(Config::default()).unwrap();
        let mut out = Vec::new();
        assert!(engine.process_body("not json", &mut out).is_err());
        let n = engine
            .process_body(
                r#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[
                {"auditID":"1","stage":"ResponseComplete","verb":"delete","user":{"username":"x"},
                 "objectRef":{"resource":"events","namespace":"a"},"responseStatus":{"code":200}}]}"#,
                &mut out,
            )
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(out[0].name, "event-deleted");
    }
}

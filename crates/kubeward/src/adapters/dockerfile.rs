//! Dockerfile / Containerfile scanning for `kubeward scan` (IMG1xx rules).
//! OWNED BY THE DOCKERFILE INTEGRATION WORK: replace this body with the real adapter.

use kubeward_rules::{Engine, FileOutcome};
use kubeward_source::SourceFile;

/// Scans one Dockerfile.
#[must_use]
pub fn check(_engine: &Engine, _source: &SourceFile) -> FileOutcome {
    FileOutcome::default()
}

//! Shared by the `EncryptionConfiguration` rules (`SEC010`–`SEC017`): runs
//! [`kubeward_secrets::analyze_encryption_config`] and reports the engine's findings of the
//! kinds a rule owns, at the engine's field paths, with key values masked in the frame.

use kubeward_diagnostics::Severity;
use kubeward_secrets::{EncryptionFindingKind, analyze_encryption_config};

use crate::context::{Emitter, ObjectContext};

/// Kinds of encryption configuration files (`EncryptionConfig` is the pre-1.13 name).
pub const KINDS: &[&str] = &["EncryptionConfiguration", "EncryptionConfig"];

fn severity(s: kubeward_secrets::Severity) -> Severity {
    match s {
        kubeward_secrets::Severity::Critical => Severity::Critical,
        kubeward_secrets::Severity::High => Severity::High,
        kubeward_secrets::Severity::Medium => Severity::Medium,
        kubeward_secrets::Severity::Low => Severity::Low,
    }
}

/// Reports the engine's findings whose kind is in `kinds`; the engine's messages never
/// contain key material, and key values are masked in the source frame.
pub fn report(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>, kinds: &[EncryptionFindingKind]) {
    let Some(analysis) = analyze_encryption_config(&ctx.object.root) else {
        return;
    };
    for f in analysis.findings.iter().filter(|f| kinds.contains(&f.kind)) {
        let builder = out
            .report(f.path.clone(), f.message.clone())
            .severity(severity(f.severity));
        if f.path.ends_with(".secret") {
            builder.redact(f.path.clone());
        }
    }
}

//! The audit webhook backend's detector thread: takes batches from the bounded queue that
//! `POST /audit` fills, runs [`kubeward_audit::Engine::process_body`] on them and logs each
//! finding as one structured JSON line (never request or response bodies).

use std::sync::Arc;
use std::thread::JoinHandle;

use kubeward_audit::{Engine, Finding};

use crate::api::AppState;

/// Starts the detector thread. It ends once the queue is closed and drained.
///
/// # Errors
/// When the thread cannot be spawned.
pub fn spawn_worker(state: Arc<AppState>, mut engine: Engine) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("kubeward-audit".to_owned())
        .spawn(move || {
            let queue = Arc::clone(&state.audit_queue);
            let mut findings = Vec::new();
            while let Some(body) = queue.pop() {
                let before = engine.stats().events;
                findings.clear();
                if let Err(e) = engine.process_body(&body, &mut findings) {
                    state.metrics.audit_batch("invalid");
                    tracing::warn!(target: "kubeward::audit", error = %e, "audit batch not processed");
                }
                state
                    .metrics
                    .audit_events(engine.stats().events.saturating_sub(before));
                for f in &findings {
                    state.metrics.audit_finding(f.code);
                    log_finding(f);
                }
                state.metrics.audit_batch("processed");
                state.metrics.audit_queued(queue.len());
            }
        })
}

fn log_finding(f: &Finding) {
    let e = &f.evidence;
    let object = e.object_ref.as_ref();
    let details = serde_json::to_string(&f.details).unwrap_or_default();
    tracing::warn!(
        target: "kubeward::audit",
        code = f.code,
        name = f.name,
        severity = %f.severity,
        mitre = f.mitre,
        audit_id = %e.audit_id,
        stage = %e.stage,
        user = %e.user,
        groups = %e.groups.join(","),
        source_ips = %e.source_ips.join(","),
        verb = %e.verb,
        resource = object.map_or("", |o| o.resource.as_str()),
        subresource = object.map_or("", |o| o.subresource.as_str()),
        namespace = object.map_or("", |o| o.namespace.as_str()),
        object_name = object.map_or("", |o| o.name.as_str()),
        details = %details,
        text = %f.message,
        "audit finding"
    );
}

//! Prometheus metrics (OpenMetrics text on `GET /metrics`), in an explicit registry.
//!
//! ```
//! use kubeward_webhook::metrics::Metrics;
//! let m = Metrics::new();
//! m.decision("POD001", "deny");
//! let text = m.encode();
//! assert!(text.contains("kubeward_webhook_decisions_total{rule=\"POD001\",action=\"deny\"} 1"), "{text}");
//! ```

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    path: &'static str,
    code: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PathLabels {
    path: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReviewLabels {
    operation: &'static str,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    rule: &'static str,
    action: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReloadLabels {
    kind: &'static str,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RuleLabels {
    rule: &'static str,
}

type HistogramFamily = Family<PathLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 50 µs .. ~3.3 s
    Histogram::new(exponential_buckets(0.000_05, 2.0, 17))
}

/// Every metric of the server.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    http: Family<HttpLabels, Counter>,
    latency: HistogramFamily,
    in_flight: Gauge,
    reviews: Family<ReviewLabels, Counter>,
    decisions: Family<DecisionLabels, Counter>,
    rejected: Family<ReasonLabels, Counter>,
    reloads: Family<ReloadLabels, Counter>,
    audit_batches: Family<ResultLabels, Counter>,
    audit_events: Counter,
    audit_findings: Family<RuleLabels, Counter>,
    audit_queued: Gauge,
    image_checks: Family<ResultLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric registered.
    #[must_use]
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let http = Family::<HttpLabels, Counter>::default();
        registry.register(
            "kubeward_webhook_http_requests",
            "HTTP requests by path and status code",
            http.clone(),
        );
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        registry.register(
            "kubeward_webhook_request_duration_seconds",
            "Time from request arrival to response, by path",
            latency.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "kubeward_webhook_in_flight_requests",
            "Requests being handled now",
            in_flight.clone(),
        );
        let reviews = Family::<ReviewLabels, Counter>::default();
        registry.register(
            "kubeward_webhook_admission_reviews",
            "AdmissionReviews by operation and result (allowed, denied, skipped reason)",
            reviews.clone(),
        );
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "kubeward_webhook_decisions",
            "Findings at admission by rule and action (deny, warn, audit)",
            decisions.clone(),
        );
        let rejected = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "kubeward_webhook_rejected_requests",
            "Requests refused before evaluation (saturated, too-large, bad-request, timeout)",
            rejected.clone(),
        );
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "kubeward_webhook_reloads",
            "Configuration and certificate reloads by kind and result",
            reloads.clone(),
        );
        let audit_batches = Family::<ResultLabels, Counter>::default();
        registry.register(
            "kubeward_audit_batches",
            "Audit webhook batches by result (received, processed, rejected, invalid)",
            audit_batches.clone(),
        );
        let audit_events = Counter::default();
        registry.register(
            "kubeward_audit_events",
            "Audit events processed",
            audit_events.clone(),
        );
        let audit_findings = Family::<RuleLabels, Counter>::default();
        registry.register(
            "kubeward_audit_findings",
            "Audit findings by rule",
            audit_findings.clone(),
        );
        let audit_queued = Gauge::default();
        registry.register(
            "kubeward_audit_queued_batches",
            "Audit batches waiting for the detector",
            audit_queued.clone(),
        );
        let image_checks = Family::<ResultLabels, Counter>::default();
        registry.register(
            "kubeward_webhook_image_checks",
            "Admission image signature checks by result (cache-hit: no registry call; registry; unavailable; timeout)",
            image_checks.clone(),
        );
        Self {
            registry,
            http,
            latency,
            in_flight,
            reviews,
            decisions,
            rejected,
            reloads,
            audit_batches,
            audit_events,
            audit_findings,
            audit_queued,
            image_checks,
        }
    }

    /// The OpenMetrics text exposition.
    #[must_use]
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }

    /// A finished HTTP request.
    pub fn http(&self, path: &'static str, code: u16, seconds: f64) {
        self.http.get_or_create(&HttpLabels { path, code }).inc();
        self.latency
            .get_or_create(&PathLabels { path })
            .observe(seconds);
    }

    /// The in-flight gauge.
    #[must_use]
    pub fn in_flight(&self) -> &Gauge {
        &self.in_flight
    }

    /// A judged AdmissionReview.
    pub fn review(&self, operation: &'static str, result: &'static str) {
        self.reviews
            .get_or_create(&ReviewLabels { operation, result })
            .inc();
    }

    /// A finding at admission.
    pub fn decision(&self, rule: &'static str, action: &'static str) {
        self.decisions
            .get_or_create(&DecisionLabels { rule, action })
            .inc();
    }

    /// A request refused before evaluation.
    pub fn rejected(&self, reason: &'static str) {
        self.rejected.get_or_create(&ReasonLabels { reason }).inc();
    }

    /// A reload attempt (`kind`: `config` or `tls`; `result`: `ok` or `error`).
    pub fn reload(&self, kind: &'static str, result: &'static str) {
        self.reloads
            .get_or_create(&ReloadLabels { kind, result })
            .inc();
    }

    /// An audit batch outcome (`received`, `processed`, `rejected`, `invalid`).
    pub fn audit_batch(&self, result: &'static str) {
        self.audit_batches
            .get_or_create(&ResultLabels { result })
            .inc();
    }

    /// Audit events processed.
    pub fn audit_events(&self, n: u64) {
        self.audit_events.inc_by(n);
    }

    /// An audit finding.
    pub fn audit_finding(&self, rule: &'static str) {
        self.audit_findings
            .get_or_create(&RuleLabels { rule })
            .inc();
    }

    /// Counts one admission image check by result (`cache-hit`, `registry`, `unavailable`,
    /// `timeout`).
    pub fn image_check(&self, result: &'static str) {
        self.image_checks
            .get_or_create(&ResultLabels { result })
            .inc();
    }

    /// Sets the audit queue depth.
    pub fn audit_queued(&self, n: usize) {
        self.audit_queued.set(i64::try_from(n).unwrap_or(i64::MAX));
    }
}

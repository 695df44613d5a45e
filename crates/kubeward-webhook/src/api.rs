//! HTTP API: the axum router, its handlers and error responses.
//!
//! | route | what |
//! |---|---|
//! | `POST /validate` | AdmissionReview `admission.k8s.io/v1`, judged with the default mode |
//! | `POST /validate/{deny,warn,audit}` | the same, with the namespace's `kubeward.io/enforce` mode (one webhook per mode, selected by `namespaceSelector`) |
//! | `POST /audit` | audit webhook backend (`EventList` batches) into a bounded queue |
//! | `GET /healthz`, `GET /readyz` | liveness; readiness (rules and configuration loaded, not shutting down) |
//! | `GET /metrics` | Prometheus (OpenMetrics) text |
//!
//! Limits: a request body limit (413), a bound on requests in flight (429 at once when
//! saturated, never an unbounded queue), a fixed number of evaluation workers and a
//! per-request time budget (504 when exceeded, so the API server applies the webhook's
//! `failurePolicy`).
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use std::sync::Arc;
//! use tower::ServiceExt;
//! use kubeward_webhook::{api, config::Policy};
//! let state = Arc::new(api::AppState::new(Policy::defaults(false)));
//! let response = api::router(Arc::clone(&state))
//!     .oneshot(axum::http::Request::get("/healthz").body(axum::body::Body::empty()).unwrap())
//!     .await
//!     .unwrap();
//! assert_eq!(response.status(), 200);
//! # });
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::BodyExt;
use kubeward_audit::BoundedQueue;
use tokio::sync::Semaphore;

use crate::config::{Action, Policy};
use crate::evaluation::evaluate_with_images;
use crate::images::image_findings;
use crate::metrics::Metrics;
use crate::review::{AdmissionReviewResponse, parse_review};

/// Shared state of the server.
pub struct AppState {
    policy: RwLock<Arc<Policy>>,
    /// Metrics.
    pub metrics: Metrics,
    in_flight: Arc<Semaphore>,
    workers: Arc<Semaphore>,
    ready: AtomicBool,
    /// Audit batches waiting for the detector thread.
    pub audit_queue: Arc<BoundedQueue<String>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("in_flight_permits", &self.in_flight.available_permits())
            .field("worker_permits", &self.workers.available_permits())
            .field("ready", &self.ready)
            .field("audit_queued", &self.audit_queue.len())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State for `policy`; queue and concurrency sizes come from its limits (fixed for the
    /// life of the process). Ready from the start, since the policy is loaded.
    #[must_use]
    pub fn new(policy: Policy) -> AppState {
        let limits = policy.webhook.limits;
        let workers = if limits.workers == 0 {
            std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
        } else {
            limits.workers
        };
        AppState {
            metrics: Metrics::new(),
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight)),
            workers: Arc::new(Semaphore::new(workers)),
            ready: AtomicBool::new(true),
            audit_queue: Arc::new(BoundedQueue::new(limits.audit_queue)),
            policy: RwLock::new(Arc::new(policy)),
        }
    }

    /// The policy in force.
    #[must_use]
    pub fn policy(&self) -> Arc<Policy> {
        Arc::clone(&self.policy.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Replaces the policy (configuration reload); requests in progress keep the old one.
    pub fn set_policy(&self, policy: Policy) {
        *self.policy.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(policy);
    }

    /// Marks the server ready or not (`/readyz`).
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }
}

/// An error answered before or instead of an AdmissionReview response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Not an acceptable request (400).
    #[error("{0}")]
    BadRequest(String),
    /// Body above the limit (413).
    #[error("request body exceeds {0} bytes")]
    TooLarge(usize),
    /// Too many requests in flight (429).
    #[error("kubeward is saturated: too many requests in flight, retry")]
    Saturated,
    /// The audit queue is full (429) or closed (503).
    #[error("audit queue is full or closed, retry")]
    QueueFull(u16),
    /// The time budget ran out (504).
    #[error("evaluation did not finish within {0} ms")]
    Timeout(u64),
    /// Shutting down or internal failure (503).
    #[error("{0}")]
    Unavailable(String),
    /// No such route or mode (404).
    #[error("not found: {0}")]
    NotFound(String),
}

impl ApiError {
    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Saturated => StatusCode::TOO_MANY_REQUESTS,
            ApiError::QueueFull(code) => {
                StatusCode::from_u16(*code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
            }
            ApiError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        }
    }

    fn reason(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad-request",
            ApiError::TooLarge(_) => "too-large",
            ApiError::Saturated => "saturated",
            ApiError::QueueFull(_) => "audit-queue-full",
            ApiError::Timeout(_) => "timeout",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::NotFound(_) => "not-found",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.to_string() }).to_string();
        let mut response = (self.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if matches!(self, ApiError::Saturated | ApiError::QueueFull(_)) {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// The router with every route and the metrics middleware.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/validate", post(validate))
        .route("/validate/{mode}", post(validate_mode))
        .route("/audit", post(audit))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), track))
        .with_state(state)
}

fn path_label(path: &str) -> &'static str {
    match path {
        "/validate" => "/validate",
        "/validate/deny" | "/validate/warn" | "/validate/audit" => "/validate/{mode}",
        "/audit" => "/audit",
        "/healthz" => "/healthz",
        "/readyz" => "/readyz",
        "/metrics" => "/metrics",
        _ => "other",
    }
}

struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight().dec();
    }
}

async fn track(State(app): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let path = path_label(request.uri().path());
    let start = Instant::now();
    app.metrics.in_flight().inc();
    let guard = InFlight(&app.metrics);
    let response = next.run(request).await;
    drop(guard);
    app.metrics.http(
        path,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

async fn readyz(State(app): State<Arc<AppState>>) -> Response {
    if app.ready.load(Ordering::SeqCst) {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
    }
}

async fn metrics(State(app): State<Arc<AppState>>) -> Response {
    let mut response = app.metrics.encode().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > limit as u64
    {
        return Err(ApiError::TooLarge(limit));
    }
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(ApiError::TooLarge(limit)),
        Err(e) => Err(ApiError::BadRequest(format!(
            "reading the body failed: {e}"
        ))),
    }
}

async fn validate(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    respond(&app, handle_validate(&app, None, &headers, body).await)
}

async fn validate_mode(
    State(app): State<Arc<AppState>>,
    Path(mode): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = match Action::parse(&mode) {
        Some(m) => handle_validate(&app, Some(m), &headers, body).await,
        None => Err(ApiError::NotFound(format!(
            "mode `{mode}` (deny, warn, audit)"
        ))),
    };
    respond(&app, result)
}

fn respond(app: &AppState, result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(|e| {
        app.metrics.rejected(e.reason());
        if matches!(e, ApiError::Saturated | ApiError::QueueFull(_)) {
            // Shedding is counted, not logged per request: a log line per refusal would turn
            // an overload into a log flood.
            tracing::debug!(status = e.status().as_u16(), error = %e, "request shed");
        } else {
            tracing::warn!(status = e.status().as_u16(), error = %e, "request refused");
        }
        e.into_response()
    })
}

fn operation_label(op: &str) -> &'static str {
    match op {
        "CREATE" => "CREATE",
        "UPDATE" => "UPDATE",
        "DELETE" => "DELETE",
        "CONNECT" => "CONNECT",
        _ => "other",
    }
}

async fn handle_validate(
    app: &Arc<AppState>,
    mode: Option<Action>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let start = Instant::now();
    let Ok(permit) = Arc::clone(&app.in_flight).try_acquire_owned() else {
        return Err(ApiError::Saturated);
    };
    let policy = app.policy();
    let limits = policy.webhook.limits;
    let deadline =
        tokio::time::Instant::from_std(start) + Duration::from_millis(limits.eval_timeout_ms);
    let bytes = read_body(headers, body, limits.max_body_bytes).await?;
    let request = parse_review(&bytes).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    drop(bytes);
    // Registry calls wait here, before a CPU worker is taken.
    let images = match &policy.images {
        Some(gate) => image_findings(gate, &app.metrics, &policy, &request, deadline).await,
        None => Vec::new(),
    };
    let worker =
        match tokio::time::timeout_at(deadline, Arc::clone(&app.workers).acquire_owned()).await {
            Ok(Ok(worker)) => worker,
            Ok(Err(_)) => return Err(ApiError::Unavailable("shutting down".to_owned())),
            Err(_) => return Err(ApiError::Timeout(limits.eval_timeout_ms)),
        };
    let uid = request.uid.clone();
    let operation = operation_label(&request.operation);
    let kind = request.kind.kind.clone();
    let namespace = request.namespace.clone();
    let name = request.name.clone();
    let user = request.user_info.username.clone();
    let dry_run = request.dry_run.unwrap_or(false);
    let task = tokio::task::spawn_blocking(move || {
        // Both permits stay held until the evaluation really ends, even after a timeout.
        let _permits = (permit, worker);
        evaluate_with_images(&policy, &request, mode, images)
    });
    let decision = match tokio::time::timeout_at(deadline, task).await {
        Ok(Ok(decision)) => decision,
        Ok(Err(e)) => {
            tracing::error!(uid = %uid, error = %e, "evaluation failed");
            return Err(ApiError::Unavailable("evaluation failed".to_owned()));
        }
        Err(_) => {
            tracing::warn!(uid = %uid, "evaluation timed out");
            return Err(ApiError::Timeout(limits.eval_timeout_ms));
        }
    };
    let result = match (decision.skipped, decision.response.allowed) {
        (Some(skip), _) => skip.as_str(),
        (None, true) => "allowed",
        (None, false) => "denied",
    };
    app.metrics.review(operation, result);
    for j in &decision.judged {
        app.metrics.decision(j.code, j.action.as_str());
    }
    let codes = |a: Action| {
        decision
            .judged
            .iter()
            .filter(|j| j.action == a)
            .map(|j| j.code)
            .collect::<Vec<_>>()
            .join(",")
    };
    let exempted = decision
        .exempted
        .iter()
        .map(|(code, reason)| format!("{code} ({reason})"))
        .collect::<Vec<_>>()
        .join("; ");
    tracing::info!(
        uid = %uid,
        operation,
        kind = %kind,
        namespace = %namespace,
        name = %name,
        user = %user,
        dry_run,
        mode = decision.mode.as_str(),
        result,
        allowed = decision.response.allowed,
        denied = %codes(Action::Deny),
        warned = %codes(Action::Warn),
        audited = %codes(Action::Audit),
        preexisting = decision.preexisting,
        exempted = %exempted,
        micros = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
        "admission review"
    );
    let body = serde_json::to_vec(&AdmissionReviewResponse::new(decision.response))
        .map_err(|e| ApiError::Unavailable(format!("encoding the response failed: {e}")))?;
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

async fn audit(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    let result = async {
        let limit = app.policy().webhook.limits.audit_max_body_bytes;
        let bytes = read_body(&headers, body, limit).await?;
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| ApiError::BadRequest("audit body is not UTF-8".to_owned()))?;
        if let Err(e) = kubeward_audit::parse_document(&text) {
            return Err(ApiError::BadRequest(format!("not an audit EventList: {e}")));
        }
        match app.audit_queue.try_push(text) {
            Ok(()) => {
                app.metrics.audit_batch("received");
                app.metrics.audit_queued(app.audit_queue.len());
                Ok(StatusCode::OK.into_response())
            }
            Err(e) => {
                app.metrics.audit_batch("rejected");
                Err(ApiError::QueueFull(e.http_status()))
            }
        }
    }
    .await;
    respond(&app, result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    const PRIV: &str = r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","operation":"CREATE","namespace":"shop","name":"web","kind":{"group":"","version":"v1","kind":"Pod"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},"spec":{"containers":[{"name":"app","image":"nginx:1.27","securityContext":{"privileged":true}}]}}}}"#;

    fn state(config: &str) -> Arc<AppState> {
        Arc::new(AppState::new(
            Policy::parse("k.yaml", config, false).unwrap(),
        ))
    }

    async fn call(state: &Arc<AppState>, method: &str, uri: &str, body: &str) -> (u16, String) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        let resp = router(Arc::clone(state)).oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn validate_denies_privileged_pod() {
        let s = state("");
        let (code, body) = call(&s, "POST", "/validate", PRIV).await;
        assert_eq!(code, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["response"]["uid"], "u-1");
        assert_eq!(v["response"]["allowed"], false);
        assert_eq!(v["response"]["status"]["code"], 403);
        let (_, metrics) = call(&s, "GET", "/metrics", "").await;
        assert!(
            metrics.contains("kubeward_webhook_decisions_total{rule=\"POD001\",action=\"deny\"} 1"),
            "{metrics}"
        );
        assert!(
            metrics.contains(
                "kubeward_webhook_admission_reviews_total{operation=\"CREATE\",result=\"denied\"} 1"
            ),
            "{metrics}"
        );
    }

    #[tokio::test]
    async fn mode_endpoints() {
        let s = state("");
        let (code, body) = call(&s, "POST", "/validate/warn", PRIV).await;
        assert_eq!(code, 200);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["response"]["allowed"], true);
        assert!(
            v["response"]["warnings"]
                .as_array()
                .is_some_and(|w| !w.is_empty())
        );
        let (code, _) = call(&s, "POST", "/validate/block", PRIV).await;
        assert_eq!(code, 404);
    }

    #[tokio::test]
    async fn bad_requests_are_400() {
        let s = state("");
        for body in [
            "{not json",
            &PRIV.replace("admission.k8s.io/v1\"", "admission.k8s.io/v1beta1\""),
            r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#,
        ] {
            let (code, text) = call(&s, "POST", "/validate", body).await;
            assert_eq!(code, 400, "{text}");
            assert!(text.contains("error"));
        }
        let (_, text) = call(
            &s,
            "POST",
            "/validate",
            &PRIV.replace("admission.k8s.io/v1\"", "admission.k8s.io/v1beta1\""),
        )
        .await;
        assert!(text.contains("v1beta1"), "{text}");
    }

    #[tokio::test]
    async fn oversized_body_is_413() {
        let s = state("webhook: {limits: {max-body-bytes: 100}}\n");
        let (code, _) = call(&s, "POST", "/validate", PRIV).await;
        assert_eq!(code, 413);
    }

    #[tokio::test]
    async fn saturation_is_429_at_once() {
        let s = state("webhook: {limits: {max-in-flight: 1}}\n");
        let _held = Arc::clone(&s.in_flight).try_acquire_owned().unwrap();
        let (code, _) = call(&s, "POST", "/validate", PRIV).await;
        assert_eq!(code, 429);
        let (_, metrics) = call(&s, "GET", "/metrics", "").await;
        assert!(
            metrics.contains("kubeward_webhook_rejected_requests_total{reason=\"saturated\"} 1"),
            "{metrics}"
        );
    }

    #[tokio::test]
    async fn no_free_worker_within_budget_is_504() {
        let s = state("webhook: {limits: {workers: 1, eval-timeout-ms: 50}}\n");
        let _held = Arc::clone(&s.workers).acquire_owned().await.unwrap();
        let (code, _) = call(&s, "POST", "/validate", PRIV).await;
        assert_eq!(code, 504);
    }

    #[tokio::test]
    async fn audit_queue_full_is_429_and_counted() {
        let s = state("webhook: {limits: {audit-queue: 1}}\n");
        let batch = r#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[]}"#;
        assert_eq!(call(&s, "POST", "/audit", batch).await.0, 200);
        // No worker runs in this test: the second batch finds the queue full.
        assert_eq!(call(&s, "POST", "/audit", batch).await.0, 429);
        assert_eq!(call(&s, "POST", "/audit", "{garbage").await.0, 400);
        let (_, metrics) = call(&s, "GET", "/metrics", "").await;
        assert!(
            metrics.contains("kubeward_audit_batches_total{result=\"received\"} 1"),
            "{metrics}"
        );
        assert!(
            metrics.contains("kubeward_audit_batches_total{result=\"rejected\"} 1"),
            "{metrics}"
        );
        s.audit_queue.close();
        assert_eq!(call(&s, "POST", "/audit", batch).await.0, 503);
    }

    #[tokio::test]
    async fn readyz_follows_flag() {
        let s = state("");
        assert_eq!(call(&s, "GET", "/readyz", "").await.0, 200);
        s.set_ready(false);
        assert_eq!(call(&s, "GET", "/readyz", "").await.0, 503);
        assert_eq!(call(&s, "GET", "/healthz", "").await.0, 200);
    }
}

//! `admission.k8s.io/v1` `AdmissionReview` request and response types (only the fields
//! kubeward reads or writes; unknown fields are ignored, as the API server adds new ones).
//!
//! ```
//! use kubeward_webhook::review::{parse_review, ReviewError};
//! let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","operation":"DELETE","namespace":"shop","name":"web"}}"#;
//! let request = parse_review(body).unwrap();
//! assert_eq!((request.uid.as_str(), request.operation.as_str()), ("u1", "DELETE"));
//! let old = br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u1","operation":"CREATE"}}"#;
//! assert!(matches!(parse_review(old), Err(ReviewError::Version(_))));
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The only AdmissionReview version kubeward speaks.
pub const API_VERSION: &str = "admission.k8s.io/v1";

/// Group, version and kind of the object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct GroupVersionKind {
    /// API group (`""` for core, `apps`).
    pub group: String,
    /// Version (`v1`).
    pub version: String,
    /// Kind (`Pod`).
    pub kind: String,
}

/// Group, version and resource of the request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct GroupVersionResource {
    /// API group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Resource (`pods`).
    pub resource: String,
}

/// The requesting user (`userInfo`). `extra` is not read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct UserInfo {
    /// User name.
    pub username: String,
    /// Groups.
    pub groups: Vec<String>,
}

/// `request` of an AdmissionReview.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionRequest {
    /// Request identifier, echoed in the response.
    pub uid: String,
    /// Kind of the object.
    #[serde(default)]
    pub kind: GroupVersionKind,
    /// Resource being requested.
    #[serde(default)]
    pub resource: GroupVersionResource,
    /// Subresource (`status`, `ephemeralcontainers`), empty for the main resource.
    #[serde(default)]
    pub sub_resource: String,
    /// Object name (may be empty on CREATE with `generateName`).
    #[serde(default)]
    pub name: String,
    /// Namespace (empty for cluster-scoped objects).
    #[serde(default)]
    pub namespace: String,
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    pub operation: String,
    /// Who asked.
    #[serde(default)]
    pub user_info: UserInfo,
    /// The new object (absent on DELETE).
    #[serde(default)]
    pub object: Option<Box<RawValue>>,
    /// The existing object (UPDATE, DELETE).
    #[serde(default)]
    pub old_object: Option<Box<RawValue>>,
    /// Whether this is a dry run (nothing will be persisted).
    #[serde(default)]
    pub dry_run: Option<bool>,
}

#[derive(Deserialize)]
struct ReviewIn {
    #[serde(rename = "apiVersion", default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    request: Option<AdmissionRequest>,
}

/// Why a body is not an acceptable AdmissionReview (answered with 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    /// Not JSON, or fields of the wrong type.
    #[error("malformed AdmissionReview: {0}")]
    Malformed(String),
    /// Another `apiVersion` (e.g. `admission.k8s.io/v1beta1`).
    #[error(
        "unsupported AdmissionReview apiVersion `{0}`: kubeward speaks admission.k8s.io/v1 only (set admissionReviewVersions: [v1])"
    )]
    Version(String),
    /// Not `kind: AdmissionReview`.
    #[error("expected kind AdmissionReview, got `{0}`")]
    Kind(String),
    /// No `request`.
    #[error("AdmissionReview has no `request`")]
    NoRequest,
}

/// Parses and checks an AdmissionReview body.
///
/// # Errors
/// [`ReviewError`] for malformed JSON, another version or kind, or a missing request.
pub fn parse_review(body: &[u8]) -> Result<AdmissionRequest, ReviewError> {
    let review: ReviewIn =
        serde_json::from_slice(body).map_err(|e| ReviewError::Malformed(e.to_string()))?;
    if review.api_version != API_VERSION {
        return Err(ReviewError::Version(review.api_version));
    }
    if review.kind != "AdmissionReview" {
        return Err(ReviewError::Kind(review.kind));
    }
    review.request.ok_or(ReviewError::NoRequest)
}

/// `status` of a denial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// `Failure`.
    pub status: &'static str,
    /// HTTP-like code shown by kubectl (403).
    pub code: u16,
    /// `Forbidden`.
    pub reason: &'static str,
    /// The denial message.
    pub message: String,
}

/// `response` of an AdmissionReview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionResponse {
    /// The request's uid.
    pub uid: String,
    /// The decision.
    pub allowed: bool,
    /// Why it was denied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Warnings kubectl prints.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Annotations added to the API server's audit event (prefixed with the webhook name).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub audit_annotations: BTreeMap<String, String>,
}

/// The response envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionReviewResponse {
    /// `admission.k8s.io/v1`.
    pub api_version: &'static str,
    /// `AdmissionReview`.
    pub kind: &'static str,
    /// The response.
    pub response: AdmissionResponse,
}

impl AdmissionReviewResponse {
    /// Wraps a response.
    #[must_use]
    pub fn new(response: AdmissionResponse) -> Self {
        Self {
            api_version: API_VERSION,
            kind: "AdmissionReview",
            response,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_and_missing() {
        assert!(matches!(parse_review(b"{"), Err(ReviewError::Malformed(_))));
        assert!(matches!(
            parse_review(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#),
            Err(ReviewError::NoRequest)
        ));
        assert!(matches!(
            parse_review(br#"{"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"u","operation":"CREATE"}}"#),
            Err(ReviewError::Kind(_))
        ));
        assert!(matches!(
            parse_review(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":1,"operation":"CREATE"}}"#),
            Err(ReviewError::Malformed(_))
        ));
    }

    #[test]
    fn null_object_is_none() {
        let r = parse_review(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"DELETE","object":null,"oldObject":{"kind":"Pod"},"dryRun":true}}"#).unwrap();
        assert!(r.object.is_none());
        assert!(r.old_object.is_some());
        assert_eq!(r.dry_run, Some(true));
    }

    #[test]
    fn response_shape() {
        let r = AdmissionReviewResponse::new(AdmissionResponse {
            uid: "u".into(),
            allowed: true,
            status: None,
            warnings: vec!["w".into()],
            audit_annotations: BTreeMap::new(),
        });
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true,"warnings":["w"]}}"#
        );
    }
}

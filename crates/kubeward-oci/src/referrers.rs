//! OCI 1.1 referrers: the manifests whose `subject` is a given manifest (signatures, SBOMs,
//! attestations), through the referrers API or the referrers tag schema fallback.
//!
//! Facts (OCI distribution spec 1.1, "Listing Referrers", "Referrers Tag Schema", "Pushing
//! Manifests with Subject", "Unavailable Referrers API"):
//! - `GET /v2/<name>/referrers/<digest>[?artifactType=<type>]` answers `200` with an image index
//!   (`Content-Type: application/vnd.oci.image.index.v1+json`); a registry with the API never
//!   answers `404` to it. A server that filtered says so with `OCI-Filters-Applied: artifactType`.
//!   More results than one index are paged with `Link: <url>; rel="next"` (RFC 5988).
//! - A client receiving `404` MUST fall back to the image index tagged `<alg>-<encoded>` (the
//!   algorithm truncated to 32 characters, the encoded part to 64, characters not allowed in a
//!   tag replaced with `-`). When that tag is not a valid image index, the client SHOULD assume
//!   there are no referrers.
//! - A registry that processed a pushed manifest's `subject` answers the push with
//!   `OCI-Subject: <subject digest>`; without it, the pushing client MUST maintain the fallback
//!   index: pull it (404: start empty; not an image index: report a failure), skip a duplicate,
//!   append a descriptor with `artifactType` (the manifest's, else its config media type) and
//!   every manifest annotation, push it back under the same tag.
//!
//! Choices beyond the spec, following go-containerregistry (`pkg/v1/remote/referrers.go`: falls
//! back on 404, 400 and 406 and on a 200 that is not an OCI index; filters client-side; errors on
//! a pagination loop) and oras-go (`registry/remote/repository.go`: falls back on 404 and on a
//! 200 that is not an OCI index, errors on other statuses):
//! - fallback on `404`, `400`, `405`, `406`, and on a `200` whose `Content-Type` is not the OCI
//!   index type; any other status is an error (a `500` never silently turns into "no referrers");
//! - results are always filtered client-side by `artifactType` as well (the
//!   `OCI-Filters-Applied` header only tells whether the server also did);
//! - pagination stays on the registry's origin and stops with `InvalidResponse` on a loop or after
//!   [`MAX_REFERRERS_PAGES`] pages (a truncated list could hide a signature);
//! - duplicate digests (across pages, or in a fallback index) are listed once, first one wins.

use std::collections::HashSet;

use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::Deserialize;

use crate::auth::query_escape;
use crate::client::{Access, RegistryClient, error_from};
use crate::digest::Digest;
use crate::error::OciError;
use crate::manifest::{Descriptor, ManifestKind, OCI_INDEX, bare_media_type};
use crate::reference::Reference;
use crate::transport::{BodyMode, Response, Url};

/// The `OCI-Subject` response header of a manifest push (lowercase, as `http` stores names).
pub const OCI_SUBJECT_HEADER: &str = "oci-subject";
/// The `OCI-Filters-Applied` response header of the referrers API.
pub const OCI_FILTERS_APPLIED_HEADER: &str = "oci-filters-applied";
/// Most referrers API pages followed (the first included); more is `InvalidResponse`.
pub const MAX_REFERRERS_PAGES: usize = 32;

/// The referrers tag schema tag for `digest`: the algorithm (at most 32 characters), `-`, the
/// encoded part (at most 64 characters), characters outside `[A-Za-z0-9_.-]` replaced with `-`.
///
/// ```
/// use kubeward_oci::{Digest, referrers_tag};
/// let d = Digest::sha256_of(b"");
/// assert_eq!(referrers_tag(&d), format!("sha256-{}", d.hex()));
/// ```
pub fn referrers_tag(digest: &Digest) -> String {
    let clean = |s: &str, n: usize| -> String {
        s.chars()
            .take(n)
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    format!(
        "{}-{}",
        clean(digest.algorithm(), 32),
        clean(digest.hex(), 64)
    )
}

#[derive(Deserialize)]
struct RawIndex {
    manifests: Vec<Descriptor>,
}

/// What the first referrers API answer means.
enum Answer {
    /// The API answered: read the index.
    Api,
    /// No referrers API: use the tag schema.
    Fallback,
    /// An error to report.
    Error,
}

fn classify(resp: &Response) -> Answer {
    match resp.status {
        StatusCode::OK => {
            let ct = resp
                .headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(bare_media_type)
                .unwrap_or_default();
            if ct == OCI_INDEX {
                Answer::Api
            } else {
                Answer::Fallback
            }
        }
        StatusCode::NOT_FOUND
        | StatusCode::BAD_REQUEST
        | StatusCode::METHOD_NOT_ALLOWED
        | StatusCode::NOT_ACCEPTABLE => Answer::Fallback,
        _ => Answer::Error,
    }
}

fn parse_page(body: &[u8]) -> Result<Vec<Descriptor>, OciError> {
    serde_json::from_slice::<RawIndex>(body)
        .map(|i| i.manifests)
        .map_err(|e| OciError::InvalidResponse {
            what: format!("referrers answer is not an image index: {e}"),
        })
}

/// The target of the first `rel="next"` link of the `Link` headers, if any (RFC 5988: `<target>`
/// followed by `;`-separated parameters; several links separated by `,`; `rel` holds a
/// space-separated list of relation types, quoted or not).
pub(crate) fn next_link(headers: &HeaderMap) -> Option<String> {
    for value in headers.get_all(http::header::LINK) {
        let Ok(mut rest) = value.to_str() else {
            continue;
        };
        loop {
            rest = rest.trim_start_matches([' ', '\t', ',']);
            let Some(after_lt) = rest.strip_prefix('<') else {
                break;
            };
            let Some(end) = after_lt.find('>') else {
                break;
            };
            let target = after_lt.get(..end).unwrap_or_default();
            let mut params = after_lt.get(end + 1..).unwrap_or_default();
            // Parameters run to the next ',' outside quotes.
            let mut in_quotes = false;
            let mut cut = params.len();
            for (i, c) in params.char_indices() {
                match c {
                    '"' => in_quotes = !in_quotes,
                    ',' if !in_quotes => {
                        cut = i;
                        break;
                    }
                    _ => {}
                }
            }
            let tail = params.get(cut..).unwrap_or_default();
            params = params.get(..cut).unwrap_or_default();
            let is_next = params.split(';').any(|p| {
                let Some((k, v)) = p.split_once('=') else {
                    return false;
                };
                k.trim().eq_ignore_ascii_case("rel")
                    && v.trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|rel| rel.eq_ignore_ascii_case("next"))
            });
            if is_next && !target.is_empty() {
                return Some(target.to_owned());
            }
            rest = tail;
        }
    }
    None
}

/// Keeps the first descriptor of each digest, then those of `artifact_type` (when given).
fn dedupe_and_filter(all: Vec<Descriptor>, artifact_type: Option<&str>) -> Vec<Descriptor> {
    let mut seen = HashSet::new();
    all.into_iter()
        .filter(|d| seen.insert(d.digest.clone()))
        .filter(|d| artifact_type.is_none_or(|t| d.artifact_type.as_deref() == Some(t)))
        .collect()
}

fn index_accept() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(ACCEPT, HeaderValue::from_static(OCI_INDEX));
    h
}

impl RegistryClient {
    /// Descriptors of the manifests whose `subject` is `digest` in `r`'s repository (`r`'s tag
    /// and digest are ignored), only those of `artifact_type` when given; empty when none.
    ///
    /// Asks `GET /v2/<name>/referrers/<digest>[?artifactType=...]` (OCI distribution spec 1.1),
    /// following `Link: <...>; rel="next"` pages on the same origin (at most
    /// [`MAX_REFERRERS_PAGES`]; a loop or more pages is `InvalidResponse`). A registry without
    /// the API (`404`, `400`, `405`, `406`, or a `200` that is not an OCI image index) is read
    /// through the referrers tag schema: the image index tagged [`referrers_tag`]`(digest)`; a
    /// missing tag, or one that is not an image index, means no referrers. Any other status is an
    /// error (`Http`, `Unauthorized`), never a silent fallback; an API answer that is not an image
    /// index is `InvalidResponse`. Results are filtered client-side too, whatever
    /// `OCI-Filters-Applied` says, and listed once per digest in the registry's order.
    pub async fn referrers(
        &self,
        r: &Reference,
        digest: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>, OciError> {
        let mut path = format!("/v2/{}/referrers/{digest}", r.repository());
        if let Some(t) = artifact_type {
            path.push_str("?artifactType=");
            path.push_str(&query_escape(t));
        }
        let mut url = self.api_url(r, &path)?;
        let origin = url.origin();
        let limit = self.options().max_manifest_bytes;
        let mut visited: HashSet<String> = HashSet::new();
        visited.insert(url.to_string());
        let mut all = Vec::new();
        let mut first = true;
        loop {
            let resp = self
                .request(
                    r,
                    Method::GET,
                    url.clone(),
                    index_accept(),
                    None,
                    BodyMode::Read { limit },
                    Access::Pull,
                )
                .await?;
            if first {
                match classify(&resp) {
                    Answer::Api => {}
                    Answer::Fallback => {
                        return self.referrers_by_tag(r, digest, artifact_type).await;
                    }
                    Answer::Error => return Err(error_from(&resp, r)),
                }
                first = false;
            } else if resp.status != StatusCode::OK {
                return Err(error_from(&resp, r));
            }
            all.extend(parse_page(&resp.body)?);
            let Some(next) = next_link(&resp.headers) else {
                break;
            };
            let next: Url = url.join(&next)?;
            if next.origin() != origin {
                return Err(OciError::InvalidResponse {
                    what: format!(
                        "referrers page link leaves the registry: {}",
                        next.redacted()
                    ),
                });
            }
            if !visited.insert(next.to_string()) {
                return Err(OciError::InvalidResponse {
                    what: format!("referrers pagination loop at {}", next.redacted()),
                });
            }
            if visited.len() > MAX_REFERRERS_PAGES {
                return Err(OciError::InvalidResponse {
                    what: format!("referrers list has more than {MAX_REFERRERS_PAGES} pages"),
                });
            }
            url = next;
        }
        Ok(dedupe_and_filter(all, artifact_type))
    }

    /// The referrers tag schema fallback: the index tagged `referrers_tag(digest)`.
    async fn referrers_by_tag(
        &self,
        r: &Reference,
        digest: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>, OciError> {
        let tag = r.try_with_tag(&referrers_tag(digest))?;
        let Some(m) = self.fetch_manifest(&tag).await? else {
            return Ok(Vec::new());
        };
        match m.parse() {
            Ok(ManifestKind::Index { manifests }) => {
                Ok(dedupe_and_filter(manifests, artifact_type))
            }
            // Not a valid image index: the spec says to assume no referrers.
            _ => Ok(Vec::new()),
        }
    }

    /// Adds `descriptor` (of a manifest whose `subject` is `subject`) to the referrers tag schema
    /// index of `r`'s repository, as a client pushing such a manifest to a registry without the
    /// referrers API must: fetch the index tagged [`referrers_tag`]`(subject)` (missing: start
    /// empty), do nothing when it already lists `descriptor.digest`, else append `descriptor`
    /// and push the index back under the tag, keeping the other fields of an existing index.
    /// A tag holding something other than an OCI image index is `InvalidResponse` (left as is).
    /// Not atomic: two clients updating the same tag at once can lose an entry (the spec leaves
    /// this to clients; no conditional request is made).
    pub async fn add_to_referrers_tag(
        &self,
        r: &Reference,
        subject: &Digest,
        descriptor: &Descriptor,
    ) -> Result<(), OciError> {
        let tag = r.try_with_tag(&referrers_tag(subject))?;
        let mut index = match self.fetch_manifest(&tag).await? {
            None => serde_json::json!({
                "schemaVersion": 2,
                "mediaType": OCI_INDEX,
                "manifests": [],
            }),
            Some(m) => {
                let not_index = || OciError::InvalidResponse {
                    what: format!("referrers tag {tag} does not hold an OCI image index"),
                };
                let is_oci_index = m.media_type == OCI_INDEX
                    && matches!(m.parse(), Ok(ManifestKind::Index { .. }));
                if !is_oci_index {
                    return Err(not_index());
                }
                serde_json::from_slice::<serde_json::Value>(&m.bytes).map_err(|_| not_index())?
            }
        };
        let entry = serde_json::to_value(descriptor).map_err(|e| OciError::InvalidConfig {
            what: format!("descriptor: {e}"),
        })?;
        let wanted = descriptor.digest.to_string();
        let Some(obj) = index.as_object_mut() else {
            return Err(OciError::InvalidResponse {
                what: format!("referrers tag {tag} does not hold an OCI image index"),
            });
        };
        obj.entry("mediaType")
            .or_insert_with(|| serde_json::Value::from(OCI_INDEX));
        let manifests = obj
            .entry("manifests")
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
        let Some(list) = manifests.as_array_mut() else {
            return Err(OciError::InvalidResponse {
                what: format!("referrers tag {tag}: `manifests` is not an array"),
            });
        };
        let present = list
            .iter()
            .any(|d| d.get("digest").and_then(|v| v.as_str()) == Some(wanted.as_str()));
        if present {
            return Ok(());
        }
        list.push(entry);
        let bytes = serde_json::to_vec(&index).map_err(|e| OciError::InvalidConfig {
            what: format!("referrers index: {e}"),
        })?;
        self.push_manifest(&tag, OCI_INDEX, &bytes).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(links: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for l in links {
            h.append(http::header::LINK, HeaderValue::from_str(l).unwrap());
        }
        h
    }

    #[test]
    fn tag_schema_truncates_and_replaces() {
        let d = Digest::sha256_of(b"x");
        assert_eq!(referrers_tag(&d), format!("sha256-{}", d.hex()));
        let d512 = Digest::compute(crate::digest::Algorithm::Sha512, b"x");
        let t = referrers_tag(&d512);
        assert_eq!(t.len(), "sha512-".len() + 64);
        assert_eq!(t, format!("sha512-{}", &d512.hex()[..64]));
        assert!(crate::reference::is_valid_tag(&t));
    }

    #[test]
    fn link_header_parsing() {
        assert_eq!(
            next_link(&headers(&[r#"</v2/a/referrers/x?n=1&last=b>; rel="next""#])).as_deref(),
            Some("/v2/a/referrers/x?n=1&last=b")
        );
        assert_eq!(
            next_link(&headers(&[
                r#"<https://h/p1>; rel="prev", <https://h/p3>; rel=next"#
            ]))
            .as_deref(),
            Some("https://h/p3")
        );
        assert_eq!(
            next_link(&headers(&[
                r#"<https://h/a,b>; title="x, y"; rel="last next""#
            ]))
            .as_deref(),
            Some("https://h/a,b")
        );
        assert_eq!(next_link(&headers(&[r#"</p>; rel="prev""#])), None);
        assert_eq!(next_link(&headers(&["garbage", "<unterminated"])), None);
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn filter_keeps_first_of_each_digest() {
        let d = |at: Option<&str>, n: u8| Descriptor {
            media_type: crate::manifest::OCI_MANIFEST.to_owned(),
            digest: Digest::sha256_of(&[n]),
            size: 1,
            artifact_type: at.map(str::to_owned),
            annotations: Default::default(),
            platform: None,
        };
        let all = vec![
            d(Some("a"), 1),
            d(Some("b"), 2),
            d(Some("b"), 1),
            d(None, 3),
        ];
        assert_eq!(dedupe_and_filter(all.clone(), None).len(), 3);
        let a = dedupe_and_filter(all.clone(), Some("a"));
        assert_eq!(a, vec![d(Some("a"), 1)]);
        let b = dedupe_and_filter(all, Some("b"));
        assert_eq!(b, vec![d(Some("b"), 2)]);
    }
}

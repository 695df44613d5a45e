//! The simple-signing payload: cosign's exact bytes when signing, Go's decoding rules when
//! verifying.

use std::collections::BTreeMap;

use crate::CosignError;
use crate::gojson::{self, GoValue};

/// `critical.type` of a cosign container image signature.
pub const COSIGN_SIGNATURE_TYPE: &str = "cosign container image signature";

/// A decoded simple-signing payload.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SimpleSigningPayload {
    /// `critical.image.docker-manifest-digest`: the signed image manifest digest.
    pub docker_manifest_digest: String,
    /// `critical.identity.docker-reference`: the repository the signer named
    /// (informational; cosign does not match it).
    pub docker_reference: String,
    /// `critical.type`; [`COSIGN_SIGNATURE_TYPE`] for cosign signatures.
    pub payload_type: String,
    /// `optional`: signer annotations (`cosign sign -a k=v`); empty when `null`.
    pub optional: serde_json::Map<String, serde_json::Value>,
}

/// Decodes a payload with Go `encoding/json` semantics into sigstore's
/// `SimpleContainerImage`, as cosign does: unknown members are ignored, member names match
/// case-insensitively (exact match preferred), repeated members are applied in order (so
/// the last wins), `null` leaves a field empty, and a value of the wrong JSON kind is an
/// error. The type is not checked here (see [`crate::verify_layer`]).
pub fn parse_payload(bytes: &[u8]) -> Result<SimpleSigningPayload, CosignError> {
    let value: GoValue =
        serde_json::from_slice(bytes).map_err(|e| CosignError::PayloadJson(e.to_string()))?;
    let mut out = SimpleSigningPayload::default();
    match value {
        GoValue::Null => {}
        GoValue::Object(members) => {
            for (key, value) in members {
                match gojson::match_field(&key, &["critical", "optional"]) {
                    Some("critical") => decode_critical(value, &mut out)?,
                    Some(_) => decode_optional(value, &mut out.optional)?,
                    None => {}
                }
            }
        }
        other => return Err(type_error("payload", &other)),
    }
    Ok(out)
}

fn type_error(field: &str, value: &GoValue) -> CosignError {
    CosignError::PayloadJson(format!(
        "`{field}` must be a JSON {}, found {}",
        expected_kind(field),
        value.kind()
    ))
}

fn expected_kind(field: &str) -> &'static str {
    match field {
        "critical.type"
        | "critical.identity.docker-reference"
        | "critical.image.docker-manifest-digest" => "string",
        _ => "object",
    }
}

fn decode_critical(value: GoValue, out: &mut SimpleSigningPayload) -> Result<(), CosignError> {
    let members = match value {
        GoValue::Null => return Ok(()),
        GoValue::Object(members) => members,
        other => return Err(type_error("critical", &other)),
    };
    for (key, value) in members {
        match gojson::match_field(&key, &["identity", "image", "type"]) {
            Some("identity") => {
                decode_struct_string(
                    value,
                    "critical.identity",
                    "docker-reference",
                    &mut out.docker_reference,
                )?;
            }
            Some("image") => {
                decode_struct_string(
                    value,
                    "critical.image",
                    "docker-manifest-digest",
                    &mut out.docker_manifest_digest,
                )?;
            }
            Some(_) => decode_string(value, "critical.type", &mut out.payload_type)?,
            None => {}
        }
    }
    Ok(())
}

/// An object with one string field of interest (Go decodes into the existing struct).
fn decode_struct_string(
    value: GoValue,
    path: &str,
    field: &str,
    slot: &mut String,
) -> Result<(), CosignError> {
    let members = match value {
        GoValue::Null => return Ok(()),
        GoValue::Object(members) => members,
        other => return Err(type_error(path, &other)),
    };
    for (key, value) in members {
        if gojson::match_field(&key, &[field]).is_some() {
            decode_string(value, &format!("{path}.{field}"), slot)?;
        }
    }
    Ok(())
}

fn decode_string(value: GoValue, path: &str, slot: &mut String) -> Result<(), CosignError> {
    match value {
        GoValue::Null => Ok(()),
        GoValue::String(s) => {
            *slot = s;
            Ok(())
        }
        other => Err(type_error(path, &other)),
    }
}

/// `map[string]interface{}`: `null` resets it, an object merges into it (Go reuses a
/// non-nil map), anything else is a type error.
fn decode_optional(
    value: GoValue,
    slot: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<(), CosignError> {
    match value {
        GoValue::Null => {
            slot.clear();
            Ok(())
        }
        GoValue::Object(members) => {
            for (k, v) in members {
                slot.insert(k, v.into_json());
            }
            Ok(())
        }
        other => Err(type_error("optional", &other)),
    }
}

/// The payload `cosign sign` signs for `docker_reference` (the repository, e.g.
/// `index.docker.io/library/nginx`: cosign writes go-containerregistry's
/// `Repository.Name()`, so Docker Hub names are fully qualified) and `manifest_digest`,
/// byte for byte: `{"critical":{"identity":{"docker-reference":…},"image":{"docker-manifest-digest":…},"type":"cosign container image signature"},"optional":null}`.
pub fn payload_for(docker_reference: &str, manifest_digest: &str) -> Vec<u8> {
    payload_with_annotations(docker_reference, manifest_digest, &BTreeMap::new())
}

/// Like [`payload_for`] with `cosign sign -a key=value` annotations in `optional` (keys in
/// Go's sorted order; `null` when there are none).
pub fn payload_with_annotations(
    docker_reference: &str,
    manifest_digest: &str,
    annotations: &BTreeMap<String, String>,
) -> Vec<u8> {
    let mut out = String::with_capacity(256);
    out.push_str(r#"{"critical":{"identity":{"docker-reference":"#);
    gojson::push_string(&mut out, docker_reference);
    out.push_str(r#"},"image":{"docker-manifest-digest":"#);
    gojson::push_string(&mut out, manifest_digest);
    out.push_str(r#"},"type":"#);
    gojson::push_string(&mut out, COSIGN_SIGNATURE_TYPE);
    out.push_str(r#"},"optional":"#);
    if annotations.is_empty() {
        out.push_str("null");
    } else {
        out.push('{');
        for (i, (k, v)) in annotations.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            gojson::push_string(&mut out, k);
            out.push(':');
            gojson::push_string(&mut out, v);
        }
        out.push('}');
    }
    out.push('}');
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:bfec161fecb0a887df7cb85e4da327c65986ccda7060cf3cd92171c6c90d7533";

    #[test]
    fn payload_bytes_match_cosign() {
        let want = r#"{"critical":{"identity":{"docker-reference":"index.docker.io/securesystemsengineering/testimage"},"image":{"docker-manifest-digest":"sha256:bfec161fecb0a887df7cb85e4da327c65986ccda7060cf3cd92171c6c90d7533"},"type":"cosign container image signature"},"optional":null}"#;
        assert_eq!(
            String::from_utf8(payload_for(
                "index.docker.io/securesystemsengineering/testimage",
                DIGEST
            ))
            .unwrap(),
            want
        );
    }

    #[test]
    fn annotations_sorted_and_escaped() {
        let mut a = BTreeMap::new();
        a.insert("z".to_string(), "<1>".to_string());
        a.insert("a".to_string(), "x".to_string());
        let p = String::from_utf8(payload_with_annotations("r", DIGEST, &a)).unwrap();
        assert!(
            p.ends_with(r#""optional":{"a":"x","z":"\u003c1\u003e"}}"#),
            "{p}"
        );
        let parsed = parse_payload(p.as_bytes()).unwrap();
        assert_eq!(
            parsed.optional.get("z").and_then(|v| v.as_str()),
            Some("<1>")
        );
    }

    #[test]
    fn parse_round_trip() {
        let p = parse_payload(&payload_for("reg/app", DIGEST)).unwrap();
        assert_eq!(p.docker_reference, "reg/app");
        assert_eq!(p.docker_manifest_digest, DIGEST);
        assert_eq!(p.payload_type, COSIGN_SIGNATURE_TYPE);
        assert!(p.optional.is_empty());
    }

    #[test]
    fn go_case_insensitive_names_as_in_the_spec_example() {
        // SIGNATURE_SPEC.md writes `Docker-manifest-digest`; Go matches it.
        let p = parse_payload(
            br#"{"Critical":{"Identity":{"docker-reference":"x"},"Image":{"Docker-manifest-digest":"sha256:aa"},"Type":"t"},"Optional":{"k":1}}"#,
        )
        .unwrap();
        assert_eq!(
            (
                p.docker_reference.as_str(),
                p.docker_manifest_digest.as_str(),
                p.payload_type.as_str()
            ),
            ("x", "sha256:aa", "t")
        );
        assert_eq!(p.optional.get("k"), Some(&serde_json::json!(1)));
    }

    #[test]
    fn duplicates_apply_in_order_and_merge() {
        let p = parse_payload(
            br#"{"critical":{"image":{"docker-manifest-digest":"sha256:first"},"type":"a"},"CRITICAL":{"image":{"docker-manifest-digest":"sha256:last"}}}"#,
        )
        .unwrap();
        assert_eq!(p.docker_manifest_digest, "sha256:last");
        assert_eq!(
            p.payload_type, "a",
            "the second object merges into the first"
        );
        let p = parse_payload(br#"{"optional":{"a":1},"optional":{"b":2}}"#).unwrap();
        assert_eq!(p.optional.len(), 2);
        let p = parse_payload(br#"{"optional":{"a":1},"optional":null}"#).unwrap();
        assert!(p.optional.is_empty());
    }

    #[test]
    fn nulls_and_unknown_fields() {
        let p = parse_payload(br#"{"critical":null,"extra":[1,2],"optional":null}"#).unwrap();
        assert_eq!(p, SimpleSigningPayload::default());
        assert_eq!(
            parse_payload(b"null").unwrap(),
            SimpleSigningPayload::default()
        );
    }

    #[test]
    fn type_errors() {
        for bad in [
            &br#"[]"#[..],
            br#"{"critical":"x"}"#,
            br#"{"critical":{"type":5}}"#,
            br#"{"critical":{"image":{"docker-manifest-digest":true}}}"#,
            br#"{"critical":{"identity":[]}}"#,
            br#"{"optional":"x"}"#,
            br#"{"optional":[1]}"#,
            b"{",
            b"",
            b"\xff",
        ] {
            assert!(
                matches!(parse_payload(bad), Err(CosignError::PayloadJson(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}

//! Cosign signature verification of one resolved digest, in both storage formats cosign
//! uses: the simple-signing manifest at the tag `sha256-<hex>.sig` of the same repository
//! (each layer's payload fetched by its digest and checked by `kubeward-cosign`: payload
//! digest, signature by a configured key, payload type, signed manifest digest equal to the
//! resolved one), and cosign v3's Sigstore bundles attached as OCI 1.1 referrers (DSSE
//! in-toto statement whose subject is the resolved digest). Signing writes either format.

use kubeward_cosign::{
    PublicKey, is_bundle_media_type, parse_signature_manifest, signature_tag,
    verify_bundle_details, verify_layer,
};
use kubeward_oci::{Digest, ManifestKind, OciError, Reference, RegistryClient};

/// Largest simple-signing payload fetched (cosign payloads are a few hundred bytes).
const MAX_PAYLOAD_BYTES: usize = 1 << 20;

/// The outcome of checking one digest's signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A layer verified: the key that signed and the reference recorded in the payload.
    Verified {
        /// Fingerprint of the key (`sha256:…` of its SubjectPublicKeyInfo).
        key_id: String,
        /// `critical.identity.docker-reference` of the payload.
        docker_reference: String,
    },
    /// No layer verified; one reason per layer, or why there are none.
    Rejected(Vec<String>),
}

/// Checks the cosign signatures of `digest` in `reference`'s repository against `keys`: the
/// legacy simple-signing manifest at `sha256-<hex>.sig` (cosign 1.x/2.x, and v3 with the old
/// format) first, then Sigstore bundles attached as OCI 1.1 referrers (cosign v3's default),
/// through the referrers API or its tag-schema fallback.
///
/// # Errors
/// Registry failures (unreachable, timeouts, garbage answers): the caller decides whether to
/// fail open or closed. Content problems (no signature, tampered payload, wrong key, a
/// signature for another digest) are an [`Outcome::Rejected`], not an error.
pub async fn verify_digest(
    client: &RegistryClient,
    reference: &Reference,
    digest: &Digest,
    keys: &[PublicKey],
) -> Result<Outcome, OciError> {
    let mut reasons = match verify_legacy(client, reference, digest, keys).await? {
        Outcome::Verified {
            key_id,
            docker_reference,
        } => {
            return Ok(Outcome::Verified {
                key_id,
                docker_reference,
            });
        }
        Outcome::Rejected(reasons) => reasons,
    };
    match verify_bundles(client, reference, digest, keys).await? {
        Some(Outcome::Verified {
            key_id,
            docker_reference,
        }) => Ok(Outcome::Verified {
            key_id,
            docker_reference,
        }),
        Some(Outcome::Rejected(more)) => {
            // A rejected bundle says more than a missing `.sig` tag.
            reasons.retain(|r| !r.starts_with(NO_SIG_TAG));
            reasons.extend(more);
            Ok(Outcome::Rejected(reasons))
        }
        None => {
            for r in &mut reasons {
                if r.starts_with(NO_SIG_TAG) {
                    r.push_str(" and no Sigstore bundle referrer");
                }
            }
            Ok(Outcome::Rejected(reasons))
        }
    }
}

/// Start of the reason given when nothing is stored at the `.sig` tag.
const NO_SIG_TAG: &str = "no cosign signature";

/// `reference`'s repository at `tag`.
fn at_tag(reference: &Reference, tag: &str) -> Result<Reference, String> {
    Reference::parse(&format!(
        "{}/{}:{tag}",
        reference.registry(),
        reference.repository()
    ))
    .map_err(|e| e.to_string())
}

/// `reference`'s repository at `digest`.
fn at_digest(reference: &Reference, digest: &Digest) -> Result<Reference, String> {
    Reference::parse(&format!(
        "{}/{}@{digest}",
        reference.registry(),
        reference.repository()
    ))
    .map_err(|e| e.to_string())
}

/// The simple-signing signatures at `sha256-<hex>.sig`.
async fn verify_legacy(
    client: &RegistryClient,
    reference: &Reference,
    digest: &Digest,
    keys: &[PublicKey],
) -> Result<Outcome, OciError> {
    let digest_text = digest.to_string();
    let tag = match signature_tag(&digest_text) {
        Ok(tag) => tag,
        Err(e) => return Ok(Outcome::Rejected(vec![e.to_string()])),
    };
    let signatures = match at_tag(reference, &tag) {
        Ok(r) => r,
        Err(e) => return Ok(Outcome::Rejected(vec![e])),
    };
    let Some(manifest) = client.fetch_manifest(&signatures).await? else {
        return Ok(Outcome::Rejected(vec![format!(
            "{NO_SIG_TAG}: nothing at tag `{tag}`"
        )]));
    };
    let layers = match parse_signature_manifest(&manifest.bytes) {
        Ok(layers) => layers,
        Err(e) => {
            return Ok(Outcome::Rejected(vec![format!(
                "the signature manifest at `{tag}` is unusable: {e}"
            )]));
        }
    };
    if layers.is_empty() {
        return Ok(Outcome::Rejected(vec![format!(
            "the signature manifest at `{tag}` has no simple-signing layer"
        )]));
    }
    let mut reasons = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        let payload_digest = match Digest::parse(&layer.payload_digest) {
            Ok(d) => d,
            Err(e) => {
                reasons.push(format!("signature {}: bad payload digest: {e}", i + 1));
                continue;
            }
        };
        let payload = match client
            .fetch_blob(&signatures, &payload_digest, MAX_PAYLOAD_BYTES)
            .await
        {
            Ok(p) => p,
            Err(e) if !e.is_registry_unavailable() => {
                reasons.push(format!("signature {}: payload: {e}", i + 1));
                continue;
            }
            Err(e) => return Err(e),
        };
        match verify_layer(layer, &payload, keys, &digest_text) {
            Ok(v) => {
                return Ok(Outcome::Verified {
                    key_id: v.key_id,
                    docker_reference: v.docker_reference,
                });
            }
            Err(rejection) => reasons.push(format!("signature {}: {rejection}", i + 1)),
        }
    }
    Ok(Outcome::Rejected(reasons))
}

/// Sigstore bundles among the referrers of `digest`; `None` when there are none.
async fn verify_bundles(
    client: &RegistryClient,
    reference: &Reference,
    digest: &Digest,
    keys: &[PublicKey],
) -> Result<Option<Outcome>, OciError> {
    let referrers = client.referrers(reference, digest, None).await?;
    let bundles: Vec<_> = referrers
        .into_iter()
        .filter(|d| d.artifact_type.as_deref().is_some_and(is_bundle_media_type))
        .collect();
    if bundles.is_empty() {
        return Ok(None);
    }
    let digest_text = digest.to_string();
    let mut reasons = Vec::new();
    for descriptor in bundles {
        let short: String = descriptor.digest.hex().chars().take(12).collect();
        let at = match at_digest(reference, &descriptor.digest) {
            Ok(r) => r,
            Err(e) => {
                reasons.push(format!("bundle {short}: {e}"));
                continue;
            }
        };
        let manifest = match client.fetch_manifest(&at).await {
            Ok(Some(m)) => m,
            Ok(None) => {
                reasons.push(format!("bundle {short}: listed but not stored"));
                continue;
            }
            Err(e) if !e.is_registry_unavailable() => {
                reasons.push(format!("bundle {short}: {e}"));
                continue;
            }
            Err(e) => return Err(e),
        };
        let layers = match manifest.parse() {
            Ok(ManifestKind::ImageManifest { layers, .. }) => layers,
            Ok(ManifestKind::Index { .. }) => {
                reasons.push(format!(
                    "bundle {short}: an index, not an artifact manifest"
                ));
                continue;
            }
            Err(e) => {
                reasons.push(format!("bundle {short}: {e}"));
                continue;
            }
        };
        for layer in layers
            .iter()
            .filter(|l| is_bundle_media_type(&l.media_type))
        {
            let blob = match client
                .fetch_blob(&at, &layer.digest, MAX_PAYLOAD_BYTES)
                .await
            {
                Ok(b) => b,
                Err(e) if !e.is_registry_unavailable() => {
                    reasons.push(format!("bundle {short}: {e}"));
                    continue;
                }
                Err(e) => return Err(e),
            };
            match verify_bundle_details(&blob, keys, &digest_text) {
                // An attestation (provenance, SBOM, ...) signed by the same key is not a
                // signature of the image: only cosign's signature predicate counts
                // (cosign advisory GHSA-w6c6-c85g-mmv6).
                Ok(v) if !v.is_cosign_signature() => reasons.push(format!(
                    "bundle {short}: an attestation (predicate type `{}`), not a cosign signature",
                    v.predicate_type.as_deref().unwrap_or("none")
                )),
                Ok(v) => {
                    return Ok(Some(Outcome::Verified {
                        key_id: v.signature.key_id,
                        docker_reference: v.signature.docker_reference,
                    }));
                }
                Err(rejection) => reasons.push(format!("bundle {short}: {rejection}")),
            }
        }
    }
    Ok(Some(Outcome::Rejected(reasons)))
}

/// What [`sign_and_push`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The manifest digest that was signed.
    pub digest: Digest,
    /// The tag the signature manifest was pushed to (`sha256-<hex>.sig`).
    pub signature_tag: String,
    /// Signatures now stored at that tag (existing ones are kept, as cosign does).
    pub signatures: usize,
}

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// A registry call failed.
    #[error(transparent)]
    Registry(#[from] OciError),
    /// Building or signing the payload failed.
    #[error("{0}")]
    Cosign(String),
}

/// Signs the manifest `reference` resolves to with `key`, the way `cosign sign --key` does:
/// a simple-signing payload naming the repository and the digest, appended to the signature
/// manifest at `sha256-<hex>.sig` (existing signatures are kept) and pushed.
///
/// # Errors
/// Registry failures; an existing signature manifest that cannot be read.
pub async fn sign_and_push(
    client: &RegistryClient,
    reference: &Reference,
    key: &kubeward_cosign::SigningKey,
) -> Result<Signed, SignError> {
    use kubeward_cosign::{SIGNATURE_ANNOTATION, build_signature_manifest_with_annotations};
    let digest = client.resolve(reference).await?;
    let digest_text = digest.to_string();
    let tag = signature_tag(&digest_text).map_err(|e| SignError::Cosign(e.to_string()))?;
    let repository = format!("{}/{}", reference.registry(), reference.repository());
    let at_tag = Reference::parse(&format!("{repository}:{tag}"))
        .map_err(|e| SignError::Cosign(e.to_string()))?;
    let mut layers = Vec::new();
    if let Some(existing) = client.fetch_manifest(&at_tag).await? {
        let parsed = parse_signature_manifest(&existing.bytes)
            .map_err(|e| SignError::Cosign(format!("existing signature manifest: {e}")))?;
        for layer in parsed {
            let d = Digest::parse(&layer.payload_digest)
                .map_err(|e| SignError::Cosign(e.to_string()))?;
            let payload = client.fetch_blob(&at_tag, &d, MAX_PAYLOAD_BYTES).await?;
            layers.push((payload, layer.annotations));
        }
    }
    let payload = kubeward_cosign::payload_for(&repository, &digest_text);
    let signature = key
        .sign(&payload)
        .map_err(|e| SignError::Cosign(e.to_string()))?;
    let mut annotations = std::collections::BTreeMap::new();
    {
        use base64::Engine as _;
        annotations.insert(
            SIGNATURE_ANNOTATION.to_owned(),
            base64::engine::general_purpose::STANDARD.encode(&signature),
        );
    }
    layers.push((payload, annotations));
    let artifacts = build_signature_manifest_with_annotations(&layers)
        .map_err(|e| SignError::Cosign(e.to_string()))?;
    client.push_blob(&at_tag, &artifacts.config).await?;
    for blob in &artifacts.payloads {
        client.push_blob(&at_tag, &blob.data).await?;
    }
    client
        .push_manifest(&at_tag, &artifacts.manifest_media_type, &artifacts.manifest)
        .await?;
    let signatures = parse_signature_manifest(&artifacts.manifest).map_or(0, |l| l.len());
    Ok(Signed {
        digest,
        signature_tag: tag,
        signatures,
    })
}

/// Signs the manifest `reference` resolves to as cosign v3 does by default: a Sigstore bundle
/// (DSSE envelope over an in-toto statement naming the digest) pushed as an OCI 1.1 referrer
/// of the image, with the referrers tag-schema index updated for registries without the
/// referrers API.
///
/// # Errors
/// Registry failures; signing failures.
pub async fn sign_bundle_and_push(
    client: &RegistryClient,
    reference: &Reference,
    key: &kubeward_cosign::SigningKey,
) -> Result<Signed, SignError> {
    use kubeward_cosign::{COSIGN_SIGN_PREDICATE_TYPE, SIGSTORE_BUNDLE_V03_MEDIA_TYPE};
    use kubeward_oci::Descriptor;
    use kubeward_oci::oci_layout::Artifact;
    let digest = client.resolve(reference).await?;
    let at = at_digest(reference, &digest).map_err(SignError::Cosign)?;
    let Some(manifest) = client.fetch_manifest(&at).await? else {
        return Err(SignError::Cosign(format!(
            "{digest} is not in the registry"
        )));
    };
    let repository = format!("{}/{}", reference.registry(), reference.repository());
    let bundle = key
        .sign_bundle(&repository, &digest.to_string())
        .map_err(|e| SignError::Cosign(e.to_string()))?;
    let subject = Descriptor {
        media_type: manifest.media_type.clone(),
        digest: digest.clone(),
        size: manifest.bytes.len() as u64,
        annotations: std::collections::BTreeMap::new(),
        platform: None,
        artifact_type: None,
    };
    let annotations = [
        ("dev.sigstore.bundle.content", "dsse-envelope"),
        (
            "dev.sigstore.bundle.predicateType",
            COSIGN_SIGN_PREDICATE_TYPE,
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let artifact = Artifact::new(
        SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
        vec![(SIGSTORE_BUNDLE_V03_MEDIA_TYPE.to_owned(), bundle)],
        subject,
        annotations,
    );
    artifact.push(client, &at).await?;
    let signatures = client
        .referrers(reference, &digest, Some(SIGSTORE_BUNDLE_V03_MEDIA_TYPE))
        .await?
        .len();
    Ok(Signed {
        signature_tag: kubeward_oci::referrers_tag(&digest),
        digest,
        signatures,
    })
}

//! Cosign signature verification of one resolved digest: the signature manifest at the tag
//! `sha256-<hex>.sig` of the same repository, each simple-signing layer's payload fetched by
//! its digest and checked by `kubeward-cosign` (payload digest, signature by a configured key,
//! payload type, signed manifest digest equal to the resolved one).

use kubeward_cosign::{PublicKey, parse_signature_manifest, signature_tag, verify_layer};
use kubeward_oci::{Digest, OciError, Reference, RegistryClient};

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

/// Checks the cosign signatures of `digest` in `reference`'s repository against `keys`.
///
/// # Errors
/// Registry failures (unreachable, timeouts, garbage answers): the caller decides whether to
/// fail open or closed. Content problems (no signature, tampered payload, wrong key) are an
/// [`Outcome::Rejected`], not an error.
pub async fn verify_digest(
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
    let signatures = match Reference::parse(&format!(
        "{}/{}:{tag}",
        reference.registry(),
        reference.repository()
    )) {
        Ok(r) => r,
        Err(e) => return Ok(Outcome::Rejected(vec![e.to_string()])),
    };
    let Some(manifest) = client.fetch_manifest(&signatures).await? else {
        return Ok(Outcome::Rejected(vec![format!(
            "no cosign signature: nothing at tag `{tag}`"
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

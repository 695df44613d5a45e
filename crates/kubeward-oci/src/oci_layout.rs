//! Tiny, valid OCI images built in memory, and OCI image layout directories on disk.
//!
//! Meant for tests (this crate's and its users'): build an [`Image`] (a tar layer in a gzip
//! wrapper with stored deflate blocks, a config, a manifest), push it with [`Image::push`], or write it with [`Layout`] to a
//! directory that `skopeo copy oci:DIR:TAG docker://...` understands. Output is deterministic:
//! the same files give the same digests. Layers are already gzip, so `skopeo copy` to a registry
//! keeps every blob and the manifest byte for byte (it would compress an uncompressed layer and
//! rewrite the manifest).
//!
//! ```
//! use kubeward_oci::oci_layout::{Image, Layout};
//! let image = Image::hello("hi");
//! let dir = std::env::temp_dir().join(format!("kubeward-oci-doc-{}", std::process::id()));
//! let mut layout = Layout::new();
//! layout.add_image("v1", &image);
//! layout.write(&dir).unwrap();
//! assert!(dir.join("index.json").is_file());
//! assert!(dir.join("blobs/sha256").join(image.manifest.digest.hex()).is_file());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use serde_json::json;

use crate::client::RegistryClient;
use crate::digest::Digest;
use crate::error::OciError;
use crate::manifest::{
    Descriptor, Manifest, ManifestKind, OCI_CONFIG, OCI_EMPTY, OCI_INDEX, OCI_LAYER_TAR_GZIP,
    OCI_MANIFEST, Platform,
};
use crate::reference::Reference;
use crate::referrers::OCI_SUBJECT_HEADER;

/// The annotation naming a manifest in an OCI layout's `index.json`.
pub const REF_NAME_ANNOTATION: &str = "org.opencontainers.image.ref.name";

/// A piece of content with its media type and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// Media type.
    pub media_type: String,
    /// sha256 of `bytes`.
    pub digest: Digest,
    /// The content.
    pub bytes: Vec<u8>,
}

impl Blob {
    /// Wraps bytes, computing their sha256.
    pub fn new(media_type: &str, bytes: Vec<u8>) -> Blob {
        Blob {
            media_type: media_type.to_owned(),
            digest: Digest::sha256_of(&bytes),
            bytes,
        }
    }

    /// The blob's descriptor (no annotations, no platform).
    pub fn descriptor(&self) -> Descriptor {
        Descriptor {
            media_type: self.media_type.clone(),
            digest: self.digest.clone(),
            size: self.bytes.len() as u64,
            artifact_type: None,
            annotations: BTreeMap::new(),
            platform: None,
        }
    }
}

/// A single-platform image: config, layers and the OCI manifest tying them together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The config blob (`application/vnd.oci.image.config.v1+json`).
    pub config: Blob,
    /// The layers (`application/vnd.oci.image.layer.v1.tar+gzip`).
    pub layers: Vec<Blob>,
    /// The manifest (`application/vnd.oci.image.manifest.v1+json`).
    pub manifest: Blob,
    /// The platform written in the config.
    pub platform: Platform,
}

impl Image {
    /// An image whose single layer holds `hello.txt` with `text`, for linux/amd64.
    pub fn hello(text: &str) -> Image {
        let layer = tar(&[("hello.txt", text.as_bytes())]).unwrap_or_default();
        Image::from_layers(vec![layer], linux("amd64"), BTreeMap::new())
    }

    /// An image with one layer holding the given regular files (names up to 99 bytes).
    pub fn from_files(files: &[(&str, &[u8])], platform: Platform) -> io::Result<Image> {
        Ok(Image::from_layers(
            vec![tar(files)?],
            platform,
            BTreeMap::new(),
        ))
    }

    /// An image from uncompressed tar layers (each wrapped with [`gzip_stored`]), with manifest
    /// annotations. The config's `rootfs.diff_ids` are the digests of the tars.
    pub fn from_layers(
        layers: Vec<Vec<u8>>,
        platform: Platform,
        annotations: BTreeMap<String, String>,
    ) -> Image {
        let diff_ids: Vec<String> = layers
            .iter()
            .map(|l| Digest::sha256_of(l).to_string())
            .collect();
        let layers: Vec<Blob> = layers
            .iter()
            .map(|l| Blob::new(OCI_LAYER_TAR_GZIP, gzip_stored(l)))
            .collect();
        let mut config = json!({
            "architecture": platform.architecture,
            "os": platform.os,
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "config": {},
        });
        if let (Some(v), Some(obj)) = (&platform.variant, config.as_object_mut()) {
            obj.insert("variant".to_owned(), json!(v));
        }
        let config = Blob::new(OCI_CONFIG, serde_json::to_vec(&config).unwrap_or_default());
        let mut manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": config.descriptor(),
            "layers": layers.iter().map(Blob::descriptor).collect::<Vec<_>>(),
        });
        if let (false, Some(obj)) = (annotations.is_empty(), manifest.as_object_mut()) {
            obj.insert("annotations".to_owned(), json!(annotations));
        }
        let manifest = Blob::new(
            OCI_MANIFEST,
            serde_json::to_vec(&manifest).unwrap_or_default(),
        );
        Image {
            config,
            layers,
            manifest,
            platform,
        }
    }

    /// The manifest's descriptor with the image's platform (as an index entry).
    pub fn platform_descriptor(&self) -> Descriptor {
        Descriptor {
            platform: Some(self.platform.clone()),
            ..self.manifest.descriptor()
        }
    }

    /// Pushes config, layers and manifest to `r`'s repository; the manifest goes under `r`'s
    /// tag (or digest). Returns the manifest digest.
    pub async fn push(&self, client: &RegistryClient, r: &Reference) -> Result<Digest, OciError> {
        client.push_blob(r, &self.config.bytes).await?;
        for layer in &self.layers {
            client.push_blob(r, &layer.bytes).await?;
        }
        client
            .push_manifest(r, &self.manifest.media_type, &self.manifest.bytes)
            .await
    }
}

/// linux/`arch`.
pub fn linux(arch: &str) -> Platform {
    Platform {
        architecture: arch.to_owned(),
        os: "linux".to_owned(),
        variant: None,
        os_version: None,
    }
}

/// A multi-platform image: an OCI index over images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageIndex {
    /// The index manifest (`application/vnd.oci.image.index.v1+json`).
    pub manifest: Blob,
    /// The images, in index order.
    pub images: Vec<Image>,
}

impl ImageIndex {
    /// An index listing the images with their platforms.
    pub fn new(images: Vec<Image>) -> ImageIndex {
        let index = json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": images.iter().map(Image::platform_descriptor).collect::<Vec<_>>(),
        });
        ImageIndex {
            manifest: Blob::new(OCI_INDEX, serde_json::to_vec(&index).unwrap_or_default()),
            images,
        }
    }

    /// Pushes every image (manifests by digest) and then the index under `r`.
    pub async fn push(&self, client: &RegistryClient, r: &Reference) -> Result<Digest, OciError> {
        for image in &self.images {
            image
                .push(client, &r.with_digest(image.manifest.digest.clone()))
                .await?;
        }
        client
            .push_manifest(r, &self.manifest.media_type, &self.manifest.bytes)
            .await
    }
}

/// An OCI 1.1 artifact manifest (`application/vnd.oci.image.manifest.v1+json`): `artifactType`,
/// the empty config (`application/vnd.oci.empty.v1+json`, content `{}`), one or more layers and
/// a `subject`, e.g. a Sigstore bundle attached to an image.
///
/// ```
/// use std::collections::BTreeMap;
/// use kubeward_oci::oci_layout::{Artifact, Image};
/// use kubeward_oci::{Manifest, ManifestKind, OCI_EMPTY};
/// let image = Image::hello("hi");
/// let bundle = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// let a = Artifact::new(bundle, vec![(bundle.to_owned(), b"{}".to_vec())],
///     image.manifest.descriptor(), BTreeMap::new());
/// assert_eq!(a.config.media_type, OCI_EMPTY);
/// assert_eq!(a.descriptor().artifact_type.as_deref(), Some(bundle));
/// let m = Manifest { digest: a.manifest.digest.clone(), media_type: a.manifest.media_type.clone(),
///     bytes: a.manifest.bytes.clone() };
/// let ManifestKind::ImageManifest { subject, .. } = m.parse().unwrap() else { panic!() };
/// assert_eq!(subject.unwrap().digest, image.manifest.digest);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// The manifest (`application/vnd.oci.image.manifest.v1+json`).
    pub manifest: Blob,
    /// The empty config (`application/vnd.oci.empty.v1+json`, `{}`).
    pub config: Blob,
    /// The layers, in manifest order.
    pub layers: Vec<Blob>,
}

impl Artifact {
    /// An artifact of `artifact_type` with the given layers (media type, content) referring to
    /// `subject`, with manifest annotations. Without layers, the empty descriptor is the single
    /// layer (OCI image spec 1.1 guidance). The manifest JSON is deterministic.
    pub fn new(
        artifact_type: &str,
        layers: Vec<(String, Vec<u8>)>,
        subject: Descriptor,
        annotations: BTreeMap<String, String>,
    ) -> Artifact {
        let config = Blob::new(OCI_EMPTY, b"{}".to_vec());
        let mut layers: Vec<Blob> = layers
            .into_iter()
            .map(|(media_type, bytes)| Blob::new(&media_type, bytes))
            .collect();
        if layers.is_empty() {
            layers.push(config.clone());
        }
        let mut manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": artifact_type,
            "config": config.descriptor(),
            "layers": layers.iter().map(Blob::descriptor).collect::<Vec<_>>(),
            "subject": subject,
        });
        if let (false, Some(obj)) = (annotations.is_empty(), manifest.as_object_mut()) {
            obj.insert("annotations".to_owned(), json!(annotations));
        }
        let manifest = Blob::new(
            OCI_MANIFEST,
            serde_json::to_vec(&manifest).unwrap_or_default(),
        );
        Artifact {
            manifest,
            config,
            layers,
        }
    }

    /// `artifactType` (else the config media type), `subject` and annotations, read back from
    /// the manifest bytes (so they always match what is pushed).
    fn fields(&self) -> Result<ArtifactFields, OciError> {
        let m = Manifest {
            digest: self.manifest.digest.clone(),
            media_type: self.manifest.media_type.clone(),
            bytes: self.manifest.bytes.clone(),
        };
        match m.parse()? {
            ManifestKind::ImageManifest {
                config,
                annotations,
                artifact_type,
                subject,
                ..
            } => Ok(ArtifactFields {
                artifact_type: artifact_type.unwrap_or(config.media_type),
                subject,
                annotations,
            }),
            ManifestKind::Index { .. } => Err(OciError::InvalidConfig {
                what: "artifact manifest is an index".to_owned(),
            }),
        }
    }

    /// The manifest's descriptor as a referrers list lists it: `artifactType` set (the
    /// manifest's, else its config media type) and the manifest annotations copied.
    pub fn descriptor(&self) -> Descriptor {
        let mut d = self.manifest.descriptor();
        if let Ok(f) = self.fields() {
            d.artifact_type = Some(f.artifact_type);
            d.annotations = f.annotations;
        }
        d
    }

    /// Pushes config, layers and the manifest (by digest: `r`'s tag is not moved) to `r`'s
    /// repository; returns the manifest digest. When the registry does not acknowledge the
    /// `subject` with an `OCI-Subject` header naming it (no referrers API, e.g.
    /// `docker-registry` 2.x), also adds [`Artifact::descriptor`] to the referrers tag schema
    /// index (see [`RegistryClient::add_to_referrers_tag`]), as the distribution spec requires
    /// of clients.
    pub async fn push(&self, client: &RegistryClient, r: &Reference) -> Result<Digest, OciError> {
        let subject = self.fields()?.subject;
        client.push_blob(r, &self.config.bytes).await?;
        for layer in &self.layers {
            client.push_blob(r, &layer.bytes).await?;
        }
        let target = r.with_digest(self.manifest.digest.clone());
        let (digest, headers) = client
            .push_manifest_headers(&target, &self.manifest.media_type, &self.manifest.bytes)
            .await?;
        let Some(subject) = subject else {
            return Ok(digest);
        };
        let acknowledged = headers
            .get(OCI_SUBJECT_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Digest::parse(v.trim()).ok())
            .is_some_and(|d| d == subject.digest);
        if !acknowledged {
            client
                .add_to_referrers_tag(r, &subject.digest, &self.descriptor())
                .await?;
        }
        Ok(digest)
    }
}

/// What a referrers list says about an artifact manifest.
struct ArtifactFields {
    artifact_type: String,
    subject: Option<Descriptor>,
    annotations: BTreeMap<String, String>,
}

/// An OCI image layout (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`) being assembled.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    blobs: BTreeMap<String, (Digest, Vec<u8>)>,
    refs: Vec<Descriptor>,
}

impl Layout {
    /// An empty layout.
    pub fn new() -> Layout {
        Layout::default()
    }

    fn add_blob(&mut self, blob: &Blob) {
        self.blobs.insert(
            blob.digest.to_string(),
            (blob.digest.clone(), blob.bytes.clone()),
        );
    }

    fn add_image_blobs(&mut self, image: &Image) {
        self.add_blob(&image.config);
        for l in &image.layers {
            self.add_blob(l);
        }
        self.add_blob(&image.manifest);
    }

    /// Adds an image, named `tag` in `index.json`.
    pub fn add_image(&mut self, tag: &str, image: &Image) {
        self.add_image_blobs(image);
        let mut d = image.manifest.descriptor();
        d.annotations
            .insert(REF_NAME_ANNOTATION.to_owned(), tag.to_owned());
        self.refs.push(d);
    }

    /// Adds an index and its images, the index named `tag` in `index.json`.
    pub fn add_index(&mut self, tag: &str, index: &ImageIndex) {
        for image in &index.images {
            self.add_image_blobs(image);
        }
        self.add_blob(&index.manifest);
        let mut d = index.manifest.descriptor();
        d.annotations
            .insert(REF_NAME_ANNOTATION.to_owned(), tag.to_owned());
        self.refs.push(d);
    }

    /// Writes the layout into `dir` (created if missing).
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        for (digest, bytes) in self.blobs.values() {
            let alg_dir = dir.join("blobs").join(digest.algorithm());
            std::fs::create_dir_all(&alg_dir)?;
            std::fs::write(alg_dir.join(digest.hex()), bytes)?;
        }
        let index = json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": self.refs,
        });
        let bytes = serde_json::to_vec(&index).map_err(io::Error::other)?;
        std::fs::write(dir.join("index.json"), bytes)
    }
}

/// A deterministic uncompressed ustar archive of regular files (mode 0644, uid/gid 0,
/// mtime 0). Names must be 1..=99 bytes.
pub fn tar(files: &[(&str, &[u8])]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for (name, data) in files {
        let name = name.as_bytes();
        if name.is_empty() || name.len() > 99 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "tar entry names must be 1..=99 bytes",
            ));
        }
        let mut header = [0u8; 512];
        put(&mut header, 0, name);
        put(&mut header, 100, b"0000644\0");
        put(&mut header, 108, b"0000000\0");
        put(&mut header, 116, b"0000000\0");
        put(
            &mut header,
            124,
            format!("{:011o}\0", data.len()).as_bytes(),
        );
        put(&mut header, 136, b"00000000000\0");
        put(&mut header, 148, b"        ");
        put(&mut header, 156, b"0");
        put(&mut header, 257, b"ustar\0");
        put(&mut header, 263, b"00");
        let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
        put(&mut header, 148, format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        out.resize(out.len() + pad, 0);
    }
    out.resize(out.len() + 1024, 0);
    Ok(out)
}

/// A gzip member holding `data` in stored (uncompressed) deflate blocks: a valid gzip stream
/// without a compression library. Header fields are fixed (mtime 0, OS unknown) so the output is
/// deterministic.
pub fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 65535 * 5 + 32);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    let mut chunks = data.chunks(65535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        out.push(u8::from(last));
        let len = u16::try_from(chunk.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// CRC-32 (IEEE 802.3, reflected), as gzip requires.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn put(header: &mut [u8; 512], at: usize, bytes: &[u8]) {
    for (slot, b) in header.iter_mut().skip(at).zip(bytes) {
        *slot = *b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{Manifest, ManifestKind};

    #[test]
    fn tar_layout_is_valid() {
        let t = tar(&[("a.txt", b"hello")]).unwrap();
        assert_eq!(t.len(), 512 + 512 + 1024);
        assert_eq!(&t[0..5], b"a.txt");
        assert_eq!(&t[257..263], b"ustar\0");
        // Checksum: the sum with the checksum field as spaces.
        let mut h = [0u8; 512];
        h.copy_from_slice(&t[..512]);
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
        let field = std::str::from_utf8(&t[148..154]).unwrap();
        assert_eq!(u32::from_str_radix(field, 8).unwrap(), sum);
        assert_eq!(&t[512..517], b"hello");
        assert!(tar(&[("", b"")]).is_err());
    }

    #[test]
    fn crc32_known_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn gzip_stored_decompresses_with_gzip() {
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        for data in [&b""[..], b"hello", &big] {
            let gz = gzip_stored(data);
            let Ok(mut child) = std::process::Command::new("gzip")
                .arg("-dc")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
            else {
                eprintln!("SKIP: gzip not installed");
                return;
            };
            let mut stdin = child.stdin.take().unwrap();
            let writer = std::thread::spawn(move || {
                use std::io::Write;
                stdin.write_all(&gz).unwrap();
            });
            let out = child.wait_with_output().unwrap();
            writer.join().unwrap();
            assert!(out.status.success());
            assert_eq!(out.stdout, data);
        }
    }

    #[test]
    fn image_is_deterministic_and_parses() {
        let a = Image::hello("x");
        let b = Image::hello("x");
        assert_eq!(a.manifest.digest, b.manifest.digest);
        assert_ne!(a.manifest.digest, Image::hello("y").manifest.digest);
        let m = Manifest {
            digest: a.manifest.digest.clone(),
            media_type: OCI_MANIFEST.to_owned(),
            bytes: a.manifest.bytes.clone(),
        };
        match m.parse().unwrap() {
            ManifestKind::ImageManifest { config, layers, .. } => {
                assert_eq!(config.digest, a.config.digest);
                assert_eq!(layers[0].digest, a.layers[0].digest);
                assert_eq!(layers[0].media_type, OCI_LAYER_TAR_GZIP);
                assert_eq!(layers[0].size, a.layers[0].bytes.len() as u64);
            }
            other => panic!("{other:?}"),
        }
        let idx = ImageIndex::new(vec![
            a.clone(),
            Image::from_files(&[("f", b"1")], linux("arm64")).unwrap(),
        ]);
        let m = Manifest {
            digest: idx.manifest.digest.clone(),
            media_type: OCI_INDEX.to_owned(),
            bytes: idx.manifest.bytes.clone(),
        };
        match m.parse().unwrap() {
            ManifestKind::Index { manifests } => {
                assert_eq!(manifests.len(), 2);
                assert_eq!(
                    manifests[1].platform.as_ref().unwrap().architecture,
                    "arm64"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}

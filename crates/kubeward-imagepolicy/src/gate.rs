//! [`ImageGate`]: the loaded `images:` policy (keys read, OSV database loaded, SBOMs matched
//! once) and the per-replica caches that keep admission off the network for digests it has
//! already judged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kubeward_cosign::PublicKey;
use kubeward_oci::{ClientOptions, Credentials, Digest, Reference, RegistryClient};
use kubeward_rules::images::{ImagesConfig, SbomMapping};
use kubeward_vuln::{Database, MatchReport, Severity as VulnSeverity};
use serde::Serialize;
use tokio::sync::OnceCell;

use crate::cache::TtlCache;
use crate::pattern::{glob, repository_matches};
use crate::signature::{Outcome, verify_digest};

/// Why the policy could not be loaded (a configuration problem: exit 2 / refuse to start).
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// A key file could not be read or parsed.
    #[error("{path}: {message}")]
    Key {
        /// The key file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A CA or Docker config file could not be read.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The OSV database directory could not be read.
    #[error("vulnerability database {path}: {message}")]
    Database {
        /// The directory.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The registry client could not be built.
    #[error("registry client: {0}")]
    Client(String),
}

/// A signature policy with its keys loaded.
#[derive(Debug)]
struct LoadedPolicy {
    name: String,
    patterns: Vec<String>,
    keys: Vec<PublicKey>,
}

/// One image-to-SBOM mapping, with its image pattern normalised and its SBOM matched at load.
#[derive(Debug)]
struct LoadedMapping {
    mapping: SbomMapping,
    /// The pattern compared with normalised references (an exact reference is normalised:
    /// `nginx:1.27` is `docker.io/library/nginx:1.27`).
    pattern: String,
    report: Result<MatchReport, String>,
}

/// The vulnerability gate with every mapped SBOM matched once at load.
#[derive(Debug)]
struct LoadedVulns {
    threshold: VulnSeverity,
    mappings: Vec<LoadedMapping>,
    advisories: usize,
    db_issues: Vec<String>,
}

/// The signature verdict for one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum SignatureStatus {
    /// Signed by a configured key for exactly this digest.
    Verified {
        /// The policy that required it.
        policy: String,
        /// The key that verified.
        key_id: String,
    },
    /// No valid signature (missing, wrong key, tampered, other digest).
    Rejected {
        /// The policy that required it.
        policy: String,
        /// One reason per signature found, or why there is none.
        reasons: Vec<String>,
    },
    /// The registry could not be asked (down, slow, garbage): not a verdict.
    Unavailable {
        /// The policy that required it.
        policy: String,
        /// The registry error (never credentials).
        error: String,
    },
}

/// The vulnerability verdict for one image.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum VulnStatus {
    /// The SBOM was matched; `findings` holds advisories at or above the threshold.
    Matched {
        /// The SBOM file as configured.
        sbom: String,
        /// The threshold (`fail-on`).
        threshold: String,
        /// Matching advisories at or above the threshold, worst first.
        findings: Vec<kubeward_vuln::Finding>,
    },
    /// The mapped SBOM could not be read or parsed.
    SbomError {
        /// The SBOM file as configured.
        sbom: String,
        /// What is wrong.
        error: String,
    },
}

/// Everything kubeward knows about one image reference.
#[derive(Debug, Clone, Serialize)]
pub struct ImageCheck {
    /// The image as written in the manifest.
    pub image: String,
    /// The normalised reference (`docker.io/library/nginx:1.27`), if it parses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Why the reference does not parse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid: Option<String>,
    /// The manifest digest (given in the reference, or resolved from the tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The signature verdict when a policy covers the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureStatus>,
    /// The vulnerability verdict when an SBOM is mapped to the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vulnerabilities: Option<VulnStatus>,
    /// Whether the signature verdict came from the cache (no registry call).
    #[serde(skip)]
    pub cached: bool,
}

/// Cache and registry counters (for `/metrics`).
#[derive(Debug, Default)]
pub struct GateStats {
    /// Verdicts served from the cache.
    pub cache_hits: AtomicU64,
    /// Verdicts that needed the registry.
    pub cache_misses: AtomicU64,
    /// Tags resolved through the registry.
    pub tag_resolutions: AtomicU64,
    /// Registry failures.
    pub registry_errors: AtomicU64,
}

/// A verdict is per manifest digest and signature policy (index in the configuration).
type VerdictKey = (String, usize);

/// The loaded image policy. Cheap to share (`Arc`); caches are internal and bounded.
pub struct ImageGate {
    client: Option<RegistryClient>,
    policies: Vec<LoadedPolicy>,
    vulns: Option<LoadedVulns>,
    tags: TtlCache<String, Digest>,
    verdicts: TtlCache<VerdictKey, SignatureStatus>,
    /// Verifications in progress, shared by concurrent requests for the same digest.
    inflight: Mutex<HashMap<VerdictKey, Arc<OnceCell<SignatureStatus>>>>,
    positive_ttl: Duration,
    negative_ttl: Duration,
    tag_ttl: Duration,
    /// Counters.
    pub stats: GateStats,
}

impl std::fmt::Debug for ImageGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageGate")
            .field("registry_client", &self.client.is_some())
            .field("policies", &self.policies)
            .field("vulnerabilities", &self.vulns.is_some())
            .field("cached_tags", &self.tags.len())
            .field("cached_verdicts", &self.verdicts.len())
            .finish_non_exhaustive()
    }
}

fn resolve_path(base: &Path, file: &str) -> PathBuf {
    let p = Path::new(file);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

impl ImageGate {
    /// Loads `config` with file paths relative to `base_dir`: reads every key, builds the
    /// registry client, loads the OSV database and matches every mapped SBOM.
    ///
    /// # Errors
    /// Unreadable or invalid keys, CA files, Docker config, or database directory. A broken
    /// SBOM is not an error here: the images mapped to it get an IMG202 finding.
    pub fn load(config: &ImagesConfig, base_dir: &Path) -> Result<ImageGate, GateError> {
        let mut policies = Vec::new();
        for p in &config.signatures {
            let mut keys = Vec::new();
            for k in &p.keys {
                let path = resolve_path(base_dir, k);
                let pem = std::fs::read(&path).map_err(|e| GateError::Key {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
                keys.push(PublicKey::from_pem(&pem).map_err(|e| GateError::Key {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?);
            }
            policies.push(LoadedPolicy {
                name: p
                    .name
                    .clone()
                    .or_else(|| p.images.first().cloned())
                    .unwrap_or_default(),
                patterns: p.images.clone(),
                keys,
            });
        }
        let client = if policies.is_empty() {
            None
        } else {
            Some(build_client(config, base_dir)?)
        };
        let vulns = match &config.vulnerabilities {
            None => None,
            Some(v) => {
                let dir = resolve_path(base_dir, &v.db);
                let (db, issues) = Database::load_dir(&dir).map_err(|e| GateError::Database {
                    path: dir.display().to_string(),
                    message: e.to_string(),
                })?;
                let threshold = v
                    .fail_on
                    .as_deref()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(VulnSeverity::High);
                let mappings = v
                    .sboms
                    .iter()
                    .map(|m| {
                        let path = resolve_path(base_dir, &m.sbom);
                        let report = kubeward_vuln::load_sbom(&path)
                            .map(|sbom| kubeward_vuln::match_sbom(&db, &sbom))
                            .map_err(|e| e.to_string());
                        let pattern = if m.image.contains('*') {
                            m.image.clone()
                        } else {
                            Reference::parse(&m.image)
                                .map_or_else(|_| m.image.clone(), |p| p.to_string())
                        };
                        LoadedMapping {
                            mapping: m.clone(),
                            pattern,
                            report,
                        }
                    })
                    .collect();
                Some(LoadedVulns {
                    threshold,
                    mappings,
                    advisories: db.advisory_count(),
                    db_issues: issues
                        .iter()
                        .map(|i| match (i.line, i.column) {
                            (Some(l), Some(c)) => {
                                format!("{}:{l}:{c}: {}", i.path.display(), i.message)
                            }
                            _ => format!("{}: {}", i.path.display(), i.message),
                        })
                        .collect(),
                })
            }
        };
        let a = &config.admission;
        Ok(ImageGate {
            client,
            policies,
            vulns,
            tags: TtlCache::new(a.cache_entries),
            verdicts: TtlCache::new(a.cache_entries),
            inflight: Mutex::new(HashMap::new()),
            positive_ttl: Duration::from_secs(a.cache_ttl_seconds),
            negative_ttl: Duration::from_secs(a.negative_ttl_seconds),
            tag_ttl: Duration::from_secs(a.tag_ttl_seconds),
            stats: GateStats::default(),
        })
    }

    /// Located problems of the OSV database files that were skipped while loading.
    #[must_use]
    pub fn database_issues(&self) -> &[String] {
        self.vulns.as_ref().map_or(&[], |v| &v.db_issues)
    }

    /// Advisories loaded (0 without a vulnerability gate).
    #[must_use]
    pub fn advisory_count(&self) -> usize {
        self.vulns.as_ref().map_or(0, |v| v.advisories)
    }

    /// Whether `image` is subject to any check (a signature policy or an SBOM mapping); cheap,
    /// no network. A reference that does not parse is covered by nothing: the kubelet refuses
    /// it too (`InvalidImageName`), so it can never run unverified.
    #[must_use]
    pub fn covers(&self, image: &str) -> bool {
        let Ok(r) = Reference::parse(image) else {
            return false;
        };
        self.policy_for(&r).is_some() || self.mapping_for(&r, None).is_some()
    }

    fn policy_for(&self, r: &Reference) -> Option<(usize, &LoadedPolicy)> {
        let repository = format!("{}/{}", r.registry(), r.repository());
        self.policies.iter().enumerate().find(|(_, p)| {
            p.patterns
                .iter()
                .any(|pat| repository_matches(pat, &repository))
        })
    }

    fn mapping_for(&self, r: &Reference, digest: Option<&Digest>) -> Option<&LoadedMapping> {
        let vulns = self.vulns.as_ref()?;
        let written = r.to_string();
        let repo = format!("{}/{}", r.registry(), r.repository());
        let by_digest = digest.or(r.digest()).map(|d| format!("{repo}@{d}"));
        let by_tag = r.tag().map(|t| format!("{repo}:{t}"));
        vulns.mappings.iter().find(|m| {
            [Some(&written), by_digest.as_ref(), by_tag.as_ref()]
                .into_iter()
                .flatten()
                .any(|candidate| glob(&m.pattern, candidate))
        })
    }

    /// Checks one image: signature (resolving the tag, through the caches) and
    /// vulnerabilities (from the SBOM matched at load).
    pub async fn check(&self, image: &str) -> ImageCheck {
        let mut out = ImageCheck {
            image: image.to_owned(),
            reference: None,
            invalid: None,
            digest: None,
            signature: None,
            vulnerabilities: None,
            cached: false,
        };
        let reference = match Reference::parse(image) {
            Ok(r) => r,
            Err(e) => {
                out.invalid = Some(e.to_string());
                return out;
            }
        };
        out.reference = Some(reference.to_string());
        let mut digest = reference.digest().cloned();
        if let Some((index, policy)) = self.policy_for(&reference) {
            let (status, resolved, cached) = self.check_signature(&reference, index, policy).await;
            out.signature = Some(status);
            out.cached = cached;
            if digest.is_none() {
                digest = resolved;
            }
        }
        out.digest = digest.as_ref().map(ToString::to_string);
        if let (
            Some(vulns),
            Some(LoadedMapping {
                mapping, report, ..
            }),
        ) = (&self.vulns, self.mapping_for(&reference, digest.as_ref()))
        {
            out.vulnerabilities = Some(match report {
                Ok(report) => VulnStatus::Matched {
                    sbom: mapping.sbom.clone(),
                    threshold: vulns.threshold.to_string(),
                    findings: report
                        .findings
                        .iter()
                        .filter(|f| at_or_above(f.severity, vulns.threshold))
                        .cloned()
                        .collect(),
                },
                Err(error) => VulnStatus::SbomError {
                    sbom: mapping.sbom.clone(),
                    error: error.clone(),
                },
            });
        }
        out
    }

    async fn check_signature(
        &self,
        reference: &Reference,
        index: usize,
        policy: &LoadedPolicy,
    ) -> (SignatureStatus, Option<Digest>, bool) {
        let unavailable = |error: String| SignatureStatus::Unavailable {
            policy: policy.name.clone(),
            error,
        };
        let Some(client) = &self.client else {
            return (unavailable("no registry client".into()), None, false);
        };
        let digest = match reference.digest() {
            Some(d) => d.clone(),
            None => {
                let key = reference.to_string();
                if let Some(d) = self.tags.get(&key) {
                    d
                } else {
                    self.stats.tag_resolutions.fetch_add(1, Ordering::Relaxed);
                    match client.resolve(reference).await {
                        Ok(d) => {
                            self.tags.insert(key, d.clone(), self.tag_ttl);
                            d
                        }
                        Err(e) => {
                            self.stats.registry_errors.fetch_add(1, Ordering::Relaxed);
                            return (unavailable(e.to_string()), None, false);
                        }
                    }
                }
            }
        };
        let cache_key = (digest.to_string(), index);
        if let Some(status) = self.verdicts.get(&cache_key) {
            self.stats.cache_hits.fetch_add(1, Ordering::Relaxed);
            return (status, Some(digest), true);
        }
        // Single flight: concurrent requests for the same unjudged digest share one
        // verification (a rollout of 50 pods makes one set of registry calls, not 50).
        let cell = self
            .inflight
            .lock()
            .ok()
            .map(|mut map| Arc::clone(map.entry(cache_key.clone()).or_default()));
        let Some(cell) = cell else {
            let status = self
                .verify_and_cache(client, reference, &digest, policy, cache_key)
                .await;
            return (status, Some(digest), false);
        };
        let mut led = false;
        let status = cell
            .get_or_init(|| {
                led = true;
                self.verify_and_cache(client, reference, &digest, policy, cache_key.clone())
            })
            .await
            .clone();
        if let Ok(mut map) = self.inflight.lock()
            && map.get(&cache_key).is_some_and(|c| Arc::ptr_eq(c, &cell))
        {
            map.remove(&cache_key);
        }
        (status, Some(digest), !led)
    }

    async fn verify_and_cache(
        &self,
        client: &RegistryClient,
        reference: &Reference,
        digest: &Digest,
        policy: &LoadedPolicy,
        cache_key: VerdictKey,
    ) -> SignatureStatus {
        self.stats.cache_misses.fetch_add(1, Ordering::Relaxed);
        match verify_digest(client, reference, digest, &policy.keys).await {
            Ok(Outcome::Verified { key_id, .. }) => {
                let s = SignatureStatus::Verified {
                    policy: policy.name.clone(),
                    key_id,
                };
                self.verdicts
                    .insert(cache_key, s.clone(), self.positive_ttl);
                s
            }
            Ok(Outcome::Rejected(reasons)) => {
                let s = SignatureStatus::Rejected {
                    policy: policy.name.clone(),
                    reasons,
                };
                self.verdicts
                    .insert(cache_key, s.clone(), self.negative_ttl);
                s
            }
            Err(e) => {
                // Registry failures are not cached: the next request asks again.
                self.stats.registry_errors.fetch_add(1, Ordering::Relaxed);
                SignatureStatus::Unavailable {
                    policy: policy.name.clone(),
                    error: e.to_string(),
                }
            }
        }
    }
}

fn at_or_above(severity: VulnSeverity, threshold: VulnSeverity) -> bool {
    // Advisories without a severity only count when everything is asked for (`low`).
    if severity == VulnSeverity::Unknown {
        return threshold <= VulnSeverity::Low;
    }
    severity >= threshold
}

fn build_client(config: &ImagesConfig, base_dir: &Path) -> Result<RegistryClient, GateError> {
    let r = &config.registry;
    let mut options = ClientOptions {
        insecure_registries: r.insecure.clone(),
        request_timeout: Duration::from_millis(r.timeout_ms),
        ..ClientOptions::default()
    };
    for ca in &r.ca {
        let path = resolve_path(base_dir, ca);
        let pem = std::fs::read(&path).map_err(|e| GateError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        options.ca_pem.push(pem);
    }
    if let Some(docker) = &r.docker_config {
        let path = resolve_path(base_dir, docker);
        if !path.is_file() {
            return Err(GateError::File {
                path: path.display().to_string(),
                message: "not a readable file".into(),
            });
        }
        options.credentials = Credentials::DockerConfig(path);
    }
    RegistryClient::new(options).map_err(|e| GateError::Client(e.to_string()))
}

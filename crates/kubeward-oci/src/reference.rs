//! Image references (`registry/repository[:tag][@digest]`), parsed with the grammar and the
//! normalisation rules of `github.com/distribution/reference` (`ParseNormalizedNamed`).

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;

use crate::digest::Digest;

/// The Docker Hub registry name used in normalised references.
pub const DOCKER_HUB: &str = "docker.io";
/// The host that actually serves the Docker Hub registry API.
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
/// The legacy Docker Hub name, normalised to [`DOCKER_HUB`].
const LEGACY_DOCKER_HUB: &str = "index.docker.io";
/// The tag used when a reference has neither tag nor digest.
pub const DEFAULT_TAG: &str = "latest";
/// Maximum length of the repository path (the name without the registry), as in
/// distribution/reference.
pub const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// Why a reference or a digest does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// The input is empty.
    #[error("repository name must have at least one component")]
    NameEmpty,
    /// The input does not match the reference grammar.
    #[error("invalid reference format: {0:?}")]
    InvalidFormat(String),
    /// The repository part contains uppercase letters.
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    NameContainsUppercase(String),
    /// The repository path is longer than 255 characters.
    #[error("repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters")]
    NameTooLong,
    /// A bare 64-character hex string is an image id, not a repository name.
    #[error("invalid repository name ({0}), cannot specify 64-byte hexadecimal strings")]
    IdentifierNotAllowed(String),
    /// A tag does not match `[\w][\w.-]{0,127}`.
    #[error("invalid tag format: {0:?}")]
    InvalidTag(String),
    /// A digest is malformed.
    #[error("invalid digest format: {0:?}")]
    InvalidDigest(String),
    /// A digest's encoded part has the wrong length for its algorithm.
    #[error("invalid checksum digest length: {0:?}")]
    InvalidDigestLength(String),
    /// A digest uses an algorithm other than sha256, sha384 or sha512.
    #[error("unsupported digest algorithm: {0:?}")]
    UnsupportedDigest(String),
}

const PATH_COMPONENT: &str = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN_COMPONENT: &str = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const TAG: &str = r"[0-9A-Za-z_][0-9A-Za-z_.-]{0,127}";
const DIGEST: &str = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

fn domain_and_port() -> String {
    format!(r"(?:{DOMAIN_COMPONENT}(?:\.{DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?")
}

fn remote_name() -> String {
    format!("{PATH_COMPONENT}(?:/{PATH_COMPONENT})*")
}

/// Compiles a pattern built from the constant grammar above. The grammar is fixed and tested, so
/// `None` cannot happen in practice; callers treat it as "does not match".
fn compile(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

static REFERENCE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        "^((?:{}/)?{})(?::({TAG}))?(?:@({DIGEST}))?$",
        domain_and_port(),
        remote_name()
    ))
});
static NAME_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        "^(?:({})/)?({})$",
        domain_and_port(),
        remote_name()
    ))
});
static TAG_RE: LazyLock<Option<Regex>> = LazyLock::new(|| compile(&format!("^{TAG}$")));
static IDENTIFIER_RE: LazyLock<Option<Regex>> = LazyLock::new(|| compile("^[a-f0-9]{64}$"));

/// Whether `tag` is a valid tag (`[\w][\w.-]{0,127}`, ASCII word characters).
pub fn is_valid_tag(tag: &str) -> bool {
    TAG_RE.as_ref().is_some_and(|re| re.is_match(tag))
}

/// A fully qualified image reference: registry, repository, and a tag and/or a digest.
///
/// ```
/// use kubeward_oci::Reference;
/// let r = Reference::parse("nginx").unwrap();
/// assert_eq!(r.registry(), "docker.io");
/// assert_eq!(r.repository(), "library/nginx");
/// assert_eq!(r.tag(), Some("latest"));
/// assert_eq!(r.to_string(), "docker.io/library/nginx:latest");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl Reference {
    /// Parses a (possibly familiar) reference the way `docker pull` / containerd do:
    /// `nginx` is `docker.io/library/nginx:latest`; the first path component is a registry
    /// when it contains `.` or `:`, is `localhost`, or has uppercase letters; `index.docker.io`
    /// is `docker.io`; the tag `latest` is added when neither a tag nor a digest is given.
    pub fn parse(s: &str) -> Result<Reference, ReferenceError> {
        if s.is_empty() {
            return Err(ReferenceError::NameEmpty);
        }
        if IDENTIFIER_RE.as_ref().is_some_and(|re| re.is_match(s)) {
            return Err(ReferenceError::IdentifierNotAllowed(s.to_owned()));
        }
        let (domain, remainder) = split_docker_domain(s);
        let remote = remainder.split(':').next().unwrap_or_default();
        if remote.to_lowercase() != remote {
            return Err(ReferenceError::NameContainsUppercase(remote.to_owned()));
        }
        let full = format!("{domain}/{remainder}");
        let reference_re = REFERENCE_RE
            .as_ref()
            .ok_or_else(|| ReferenceError::InvalidFormat(s.to_owned()))?;
        let Some(caps) = reference_re.captures(&full) else {
            let lower = full.to_lowercase();
            if lower != full && reference_re.is_match(&lower) {
                return Err(ReferenceError::NameContainsUppercase(s.to_owned()));
            }
            return Err(ReferenceError::InvalidFormat(s.to_owned()));
        };
        let name = caps.get(1).map(|m| m.as_str()).unwrap_or_default();
        let (registry, repository) = match NAME_RE.as_ref().and_then(|re| re.captures(name)) {
            Some(n) => (
                n.get(1).map(|m| m.as_str()).unwrap_or_default(),
                n.get(2).map(|m| m.as_str()).unwrap_or_default(),
            ),
            None => return Err(ReferenceError::InvalidFormat(s.to_owned())),
        };
        if registry.is_empty() || repository.is_empty() {
            return Err(ReferenceError::InvalidFormat(s.to_owned()));
        }
        if repository.len() > NAME_TOTAL_LENGTH_MAX {
            return Err(ReferenceError::NameTooLong);
        }
        let digest = match caps.get(3) {
            Some(m) => Some(Digest::parse(m.as_str())?),
            None => None,
        };
        let mut tag = caps.get(2).map(|m| m.as_str().to_owned());
        if tag.is_none() && digest.is_none() {
            tag = Some(DEFAULT_TAG.to_owned());
        }
        Ok(Reference {
            registry: registry.to_owned(),
            repository: repository.to_owned(),
            tag,
            digest,
        })
    }

    /// The registry (`docker.io`, `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000`, ...).
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The `host[:port]` that serves the registry API: `registry-1.docker.io` for Docker Hub,
    /// the registry itself otherwise.
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API_HOST
        } else {
            &self.registry
        }
    }

    /// The repository path (`library/nginx`).
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, if any (`latest` when the input had neither tag nor digest).
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, if any.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// The same reference pinned to `d` (the tag is kept).
    pub fn with_digest(&self, d: Digest) -> Reference {
        Reference {
            digest: Some(d),
            ..self.clone()
        }
    }

    /// The same repository with tag `tag` and no digest.
    ///
    /// The tag is not validated here (the signature has no error); the client refuses an
    /// invalid tag with [`ReferenceError::InvalidTag`] before any request. Use
    /// [`Reference::try_with_tag`] to validate up front.
    pub fn with_tag(&self, tag: &str) -> Reference {
        Reference {
            tag: Some(tag.to_owned()),
            digest: None,
            ..self.clone()
        }
    }

    /// Like [`Reference::with_tag`], but rejects an invalid tag.
    pub fn try_with_tag(&self, tag: &str) -> Result<Reference, ReferenceError> {
        if !is_valid_tag(tag) {
            return Err(ReferenceError::InvalidTag(tag.to_owned()));
        }
        Ok(self.with_tag(tag))
    }

    /// The `registry/repository` name without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The manifest reference used in API paths: the digest when present, else the tag.
    pub(crate) fn manifest_ref(&self) -> Result<String, ReferenceError> {
        if let Some(d) = &self.digest {
            return Ok(d.to_string());
        }
        let tag = self.tag.as_deref().unwrap_or(DEFAULT_TAG);
        if !is_valid_tag(tag) {
            return Err(ReferenceError::InvalidTag(tag.to_owned()));
        }
        Ok(tag.to_owned())
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse(s)
    }
}

/// distribution/reference `splitDockerDomain`.
fn split_docker_domain(name: &str) -> (&str, String) {
    let Some((maybe_domain, maybe_remote)) = name.split_once('/') else {
        return (DOCKER_HUB, format!("library/{name}"));
    };
    let (domain, remote) = if maybe_domain == "localhost" {
        (maybe_domain, maybe_remote)
    } else if maybe_domain == LEGACY_DOCKER_HUB {
        (DOCKER_HUB, maybe_remote)
    } else if maybe_domain.contains(['.', ':']) || maybe_domain.to_lowercase() != maybe_domain {
        (maybe_domain, maybe_remote)
    } else {
        (DOCKER_HUB, name)
    };
    if domain == DOCKER_HUB && !remote.contains('/') {
        return (domain, format!("library/{remote}"));
    }
    (domain, remote.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_compiles() {
        assert!(REFERENCE_RE.is_some());
        assert!(NAME_RE.is_some());
        assert!(TAG_RE.is_some());
        assert!(IDENTIFIER_RE.is_some());
    }

    #[test]
    fn basic_forms() {
        let r = Reference::parse("localhost:5000/a/b:v1").unwrap();
        assert_eq!(
            (r.registry(), r.repository(), r.tag()),
            ("localhost:5000", "a/b", Some("v1"))
        );
        assert_eq!(r.api_host(), "localhost:5000");
        let hub = Reference::parse("ubuntu").unwrap();
        assert_eq!(hub.api_host(), DOCKER_HUB_API_HOST);
    }

    #[test]
    fn with_tag_and_digest() {
        let r = Reference::parse("ghcr.io/x/y:1").unwrap();
        let d = Digest::sha256_of(b"a");
        let p = r.with_digest(d.clone());
        assert_eq!(p.to_string(), format!("ghcr.io/x/y:1@{d}"));
        assert_eq!(p.manifest_ref().unwrap(), d.to_string());
        let t = p.with_tag("2");
        assert_eq!(t.to_string(), "ghcr.io/x/y:2");
        assert!(r.try_with_tag("../x").is_err());
        assert!(matches!(
            r.with_tag("../x").manifest_ref(),
            Err(ReferenceError::InvalidTag(_))
        ));
    }
}

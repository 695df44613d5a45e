//! Registry authentication: credentials (explicit or from a Docker `config.json`),
//! `WWW-Authenticate` challenge parsing, and the bearer token cache.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde::Deserialize;

use crate::error::OciError;
use crate::reference::{DOCKER_HUB, DOCKER_HUB_API_HOST};

/// How the client authenticates to registries.
#[derive(Clone, Default)]
pub enum Credentials {
    /// No credentials (anonymous bearer tokens are still obtained when a registry asks).
    #[default]
    Anonymous,
    /// The same username and password for every registry.
    Basic {
        /// User name.
        username: String,
        /// Password or access token.
        password: String,
    },
    /// A Docker `config.json` whose `auths` map holds base64 `user:password` per registry
    /// (`https://index.docker.io/v1/` is Docker Hub). A missing file means anonymous.
    DockerConfig(PathBuf),
}

impl Credentials {
    /// The Docker CLI's default config file: `$DOCKER_CONFIG/config.json`, else
    /// `$HOME/.docker/config.json`; anonymous when neither variable is set.
    pub fn docker_default() -> Credentials {
        let dir = std::env::var_os("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")));
        match dir {
            Some(d) => Credentials::DockerConfig(d.join("config.json")),
            None => Credentials::Anonymous,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credentials::DockerConfig(p) => f.debug_tuple("DockerConfig").field(p).finish(),
        }
    }
}

/// A username/password pair.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct UserPass {
    pub username: String,
    pub password: String,
}

impl UserPass {
    pub fn header_value(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

impl fmt::Debug for UserPass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserPass({}, <redacted>)", self.username)
    }
}

/// Credentials resolved at client construction.
#[derive(Debug, Default)]
pub(crate) struct CredentialStore {
    all: Option<UserPass>,
    per_registry: BTreeMap<String, UserPass>,
}

impl CredentialStore {
    pub fn load(credentials: &Credentials) -> Result<CredentialStore, OciError> {
        match credentials {
            Credentials::Anonymous => Ok(CredentialStore::default()),
            Credentials::Basic { username, password } => Ok(CredentialStore {
                all: Some(UserPass {
                    username: username.clone(),
                    password: password.clone(),
                }),
                per_registry: BTreeMap::new(),
            }),
            Credentials::DockerConfig(path) => {
                let bytes = match std::fs::read(path) {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Ok(CredentialStore::default());
                    }
                    Err(e) => {
                        return Err(OciError::InvalidConfig {
                            what: format!("cannot read {}: {e}", path.display()),
                        });
                    }
                };
                Self::from_docker_config(&bytes).map_err(|what| OciError::InvalidConfig {
                    what: format!("{}: {what}", path.display()),
                })
            }
        }
    }

    fn from_docker_config(bytes: &[u8]) -> Result<CredentialStore, String> {
        #[derive(Deserialize)]
        struct Config {
            #[serde(default)]
            auths: BTreeMap<String, Entry>,
        }
        #[derive(Deserialize)]
        struct Entry {
            #[serde(default)]
            auth: Option<String>,
            #[serde(default)]
            username: Option<String>,
            #[serde(default)]
            password: Option<String>,
        }
        // serde_json's messages can quote input; keep only the position.
        let config: Config = serde_json::from_slice(bytes)
            .map_err(|e| format!("not a valid Docker config (line {})", e.line()))?;
        let mut per_registry = BTreeMap::new();
        for (key, entry) in config.auths {
            let pair = match (&entry.auth, &entry.username, &entry.password) {
                (Some(auth), _, _) if !auth.is_empty() => {
                    let decoded = base64::engine::general_purpose::STANDARD
                        .decode(auth.trim())
                        .map_err(|_| format!("auths[{key:?}].auth is not base64"))?;
                    let text = String::from_utf8(decoded)
                        .map_err(|_| format!("auths[{key:?}].auth is not UTF-8"))?;
                    let (u, p) = text
                        .split_once(':')
                        .ok_or_else(|| format!("auths[{key:?}].auth is not user:password"))?;
                    UserPass {
                        username: u.to_owned(),
                        password: p.to_owned(),
                    }
                }
                (_, Some(u), Some(p)) => UserPass {
                    username: u.clone(),
                    password: p.clone(),
                },
                _ => continue,
            };
            per_registry.insert(normalize_registry_key(&key), pair);
        }
        Ok(CredentialStore {
            all: None,
            per_registry,
        })
    }

    /// Credentials for a registry (`docker.io`, `ghcr.io`, `127.0.0.1:5000`).
    pub fn for_registry(&self, registry: &str) -> Option<&UserPass> {
        self.all
            .as_ref()
            .or_else(|| self.per_registry.get(&normalize_registry_key(registry)))
    }
}

/// `https://index.docker.io/v1/` -> `docker.io`; `HTTPS://Ghcr.io/` -> `ghcr.io`.
fn normalize_registry_key(key: &str) -> String {
    let k = key.trim();
    let lower = k.to_ascii_lowercase();
    let k = if lower.starts_with("https://") || lower.starts_with("http://") {
        k.split_once("://").map(|(_, rest)| rest).unwrap_or(k)
    } else {
        k
    };
    let host = k.split('/').next().unwrap_or(k).to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | DOCKER_HUB_API_HOST => DOCKER_HUB.to_owned(),
        _ => host,
    }
}

/// One parsed `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    /// Lowercased scheme (`bearer`, `basic`).
    pub scheme: String,
    /// Lowercased parameter names.
    pub params: BTreeMap<String, String>,
}

/// Parses the challenges of one `WWW-Authenticate` header value (RFC 7235 syntax).
pub(crate) fn parse_challenges(value: &str) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = Vec::new();
    let mut rest = value.trim();
    while !rest.is_empty() {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        let token_end = rest.find([' ', ',', '=', '\t']).unwrap_or(rest.len());
        let (token, after) = rest.split_at(token_end);
        if token.is_empty() {
            break;
        }
        let after_trim = after.trim_start_matches([' ', '\t']);
        if let Some(v) = after_trim.strip_prefix('=') {
            // A parameter of the current challenge.
            let v = v.trim_start_matches([' ', '\t']);
            let (value, remaining) = if let Some(q) = v.strip_prefix('"') {
                parse_quoted(q)
            } else {
                let end = v.find(',').unwrap_or(v.len());
                let (a, b) = v.split_at(end);
                (a.trim().to_owned(), b)
            };
            if let Some(ch) = out.last_mut() {
                ch.params.insert(token.to_ascii_lowercase(), value);
            }
            rest = remaining;
        } else {
            out.push(Challenge {
                scheme: token.to_ascii_lowercase(),
                params: BTreeMap::new(),
            });
            rest = after;
        }
    }
    out
}

/// Parses the rest of a quoted string (after the opening quote); returns the value and the
/// remaining input after the closing quote.
fn parse_quoted(s: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, n)) = chars.next() {
                    value.push(n);
                }
            }
            '"' => return (value, s.get(i + 1..).unwrap_or_default()),
            _ => value.push(c),
        }
    }
    (value, "")
}

/// Bound on the number of cached tokens.
const MAX_CACHED_TOKENS: usize = 1024;

/// A cached bearer token.
#[derive(Clone)]
struct CachedToken {
    token: String,
    expires: Instant,
}

/// Bearer tokens per (registry, scope), and the registries that asked for Basic auth.
#[derive(Default)]
pub(crate) struct TokenCache {
    tokens: Mutex<HashMap<(String, String), CachedToken>>,
    basic: Mutex<std::collections::HashSet<String>>,
}

impl TokenCache {
    pub fn get(&self, registry: &str, scope: &str) -> Option<String> {
        let map = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let t = map.get(&(registry.to_owned(), scope.to_owned()))?;
        (t.expires > Instant::now()).then(|| t.token.clone())
    }

    pub fn put(&self, registry: &str, scope: &str, token: &str, lifetime: Duration) {
        let mut map = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        // A long-lived client (the admission webhook) sees many repositories: drop expired
        // tokens, and everything if that is not enough, so the cache stays bounded.
        if map.len() >= MAX_CACHED_TOKENS {
            let now = Instant::now();
            map.retain(|_, t| t.expires > now);
            if map.len() >= MAX_CACHED_TOKENS {
                map.clear();
            }
        }
        map.insert(
            (registry.to_owned(), scope.to_owned()),
            CachedToken {
                token: token.to_owned(),
                expires: Instant::now() + lifetime,
            },
        );
    }

    pub fn uses_basic(&self, registry: &str) -> bool {
        let set = self.basic.lock().unwrap_or_else(|p| p.into_inner());
        set.contains(registry)
    }

    pub fn set_basic(&self, registry: &str) {
        let mut set = self.basic.lock().unwrap_or_else(|p| p.into_inner());
        set.insert(registry.to_owned());
    }
}

/// A token endpoint's answer.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

impl TokenResponse {
    /// The token (`access_token` wins when both are present, as in distribution's client) and
    /// its lifetime (`expires_in`, at least 60 s per the token spec; minus a small margin).
    pub fn token_and_lifetime(&self) -> Option<(String, Duration)> {
        let token = self
            .access_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .or(self.token.as_deref().filter(|t| !t.is_empty()))?;
        let secs = self.expires_in.unwrap_or(60).max(60);
        Some((
            token.to_owned(),
            Duration::from_secs(secs.saturating_sub(5)),
        ))
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters are kept).
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bearer_challenge() {
        let v = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push""#;
        let c = parse_challenges(v);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "bearer");
        assert_eq!(c[0].params["realm"], "https://auth.docker.io/token");
        assert_eq!(c[0].params["service"], "registry.docker.io");
        assert_eq!(c[0].params["scope"], "repository:samalba/my-app:pull,push");
    }

    #[test]
    fn parses_multiple_and_escaped() {
        let c = parse_challenges(r#"Basic realm="a \"q\" b", Bearer realm=x,error=invalid_token"#);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].scheme, "basic");
        assert_eq!(c[0].params["realm"], "a \"q\" b");
        assert_eq!(c[1].params["realm"], "x");
        assert_eq!(c[1].params["error"], "invalid_token");
        assert!(parse_challenges("").is_empty());
    }

    #[test]
    fn docker_config_keys() {
        let json = br#"{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYTpzcw=="},"Ghcr.io":{"username":"u","password":"p"},"empty.io":{}}}"#;
        let s = CredentialStore::from_docker_config(json).unwrap();
        let hub = s.for_registry("docker.io").unwrap();
        assert_eq!(
            (hub.username.as_str(), hub.password.as_str()),
            ("user", "pa:ss")
        );
        assert!(s.for_registry("ghcr.io").is_some());
        assert!(s.for_registry("empty.io").is_none());
        assert!(s.for_registry("quay.io").is_none());
        assert!(CredentialStore::from_docker_config(b"{").is_err());
        let bad = br#"{"auths":{"x":{"auth":"!!"}}}"#;
        assert!(CredentialStore::from_docker_config(bad).is_err());
    }

    #[test]
    fn debug_redacts() {
        let c = Credentials::Basic {
            username: "u".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn token_cache_expires_and_stays_bounded() {
        let c = TokenCache::default();
        c.put("r", "s", "t", Duration::from_secs(60));
        assert_eq!(c.get("r", "s").as_deref(), Some("t"));
        assert_eq!(c.get("r", "other"), None);
        c.put("r", "gone", "t", Duration::ZERO);
        assert_eq!(c.get("r", "gone"), None);
        for i in 0..3000 {
            c.put("r", &format!("scope{i}"), "t", Duration::from_secs(60));
        }
        let len = c.tokens.lock().unwrap().len();
        assert!(len <= MAX_CACHED_TOKENS, "{len}");
        assert_eq!(c.get("r", "scope2999").as_deref(), Some("t"));
    }

    #[test]
    fn token_response() {
        let t: TokenResponse = serde_json::from_str(r#"{"token":"a","expires_in":10}"#).unwrap();
        let (tok, life) = t.token_and_lifetime().unwrap();
        assert_eq!(tok, "a");
        assert_eq!(life, Duration::from_secs(55));
        let t: TokenResponse = serde_json::from_str(r#"{"access_token":"b","token":"a"}"#).unwrap();
        assert_eq!(t.token_and_lifetime().unwrap().0, "b");
        let t: TokenResponse = serde_json::from_str(r#"{}"#).unwrap();
        assert!(t.token_and_lifetime().is_none());
        assert_eq!(
            query_escape("repository:a/b:pull,push"),
            "repository%3Aa%2Fb%3Apull%2Cpush"
        );
    }
}

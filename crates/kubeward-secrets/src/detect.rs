//! `scan_value`: every detector over one string, with an Aho-Corasick keyword prefilter.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use base64::Engine as _;
use regex::{Captures, Regex, RegexBuilder};
use serde::Serialize;

use crate::catalog::{
    self, AUTHORIZATION_HEADER, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AZURE_STORAGE_KEY,
    Confidence, DATABASE_CONNECTION_STRING, DOCKER_REGISTRY_AUTH, DetectorInfo, GCP_API_KEY,
    GCP_SERVICE_ACCOUNT, GITHUB_FINE_GRAINED_TOKEN, GITHUB_TOKEN, GITLAB_TOKEN, IMAGE_CREDENTIALS,
    JWT, KUBECONFIG_CREDENTIAL, NPM_TOKEN, PRIVATE_KEY, PYPI_TOKEN, SENDGRID_KEY,
    SENSITIVE_KEY_VALUE, SLACK_TOKEN, SLACK_WEBHOOK, STRIPE_KEY, TWILIO_CREDENTIAL,
    URL_CREDENTIALS,
};
use crate::heuristics::{
    KeySense, credential_value_strength, is_placeholder, key_sense, looks_like_hash_or_uuid,
    shannon_entropy,
};
use crate::redact::Redacted;

/// Values longer than this are scanned only up to this many bytes.
pub const MAX_SCAN_BYTES: usize = 2 * 1024 * 1024;

/// Where a value came from, to sharpen detection.
///
/// `Image`, `Kubeconfig`, `DockerConfig` and `GcpServiceAccount` enable extra key-aware
/// detectors; the other hints are recorded for callers and currently change nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KindHint {
    /// Nothing known.
    #[default]
    Generic,
    /// A decoded `data`/`stringData` value of a Secret.
    SecretData,
    /// A ConfigMap `data`/`binaryData` value.
    ConfigData,
    /// A container env var value (the key is the env var name).
    EnvValue,
    /// A container `command`/`args` item.
    CommandLine,
    /// A metadata annotation value (the key is the annotation key).
    Annotation,
    /// An HTTP header value (the key is the header name).
    HttpHeader,
    /// A container image reference.
    Image,
    /// A value inside a kubeconfig (`kind: Config`) `users` entry.
    Kubeconfig,
    /// A value inside a Docker config JSON (`auths`).
    DockerConfig,
    /// A value inside a Google service-account JSON key.
    GcpServiceAccount,
}

/// The context of one value: its key (map key, env var name, header name, flag) and origin.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValueContext<'a> {
    /// The map key, env var name, header name or flag the value belongs to.
    pub key: Option<&'a str>,
    /// Where the value came from.
    pub kind_hint: KindHint,
}

impl<'a> ValueContext<'a> {
    /// A context with a key and no hint.
    #[must_use]
    pub const fn keyed(key: &'a str) -> Self {
        Self {
            key: Some(key),
            kind_hint: KindHint::Generic,
        }
    }

    /// The same context with a hint.
    #[must_use]
    pub const fn with_hint(mut self, kind_hint: KindHint) -> Self {
        self.kind_hint = kind_hint;
        self
    }
}

/// One detected credential inside a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretMatch {
    /// The detector that matched.
    pub detector: &'static DetectorInfo,
    /// How sure the detector is.
    pub confidence: Confidence,
    /// The matched secret, masked in all output (`AKIA****`).
    pub redacted: Redacted<String>,
    /// Byte range of the secret inside the scanned value.
    pub byte_range: Range<usize>,
}

/// What a pattern check decided.
struct Hit {
    range: Range<usize>,
    confidence: Confidence,
    info: &'static DetectorInfo,
    hint: Option<&'static str>,
}

type Check = fn(&str, &Captures<'_>) -> Option<Hit>;

/// A regex detector guarded by keywords.
struct Pattern {
    /// Keywords; the regex runs only if one occurs (ASCII case-insensitively). The flag
    /// records whether the format itself is case-sensitive (the regex enforces it).
    keywords: &'static [(&'static str, bool)],
    regex: &'static str,
    check: Check,
    /// The secret must not be followed by `[A-Za-z0-9_-]` (token formats built by `tok!`).
    bounded: bool,
}

const AWS_HINTS: &[&str] = &["AKIA", "ASIA", "ABIA", "ACCA"];
const GH_HINTS: &[&str] = &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"];
const GITLAB_HINTS: &[&str] = &[
    "glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glimt-", "glagent-", "gloas-", "glsoat-",
];
const SLACK_HINTS: &[&str] = &[
    "xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "xoxe.", "xoxe-", "xapp-",
];
const STRIPE_HINTS: &[&str] = &["sk_live_", "rk_live_"];
const PEM_HINTS: &[(&str, &str)] = &[
    ("", "-----BEGIN PRIVATE KEY-----"),
    ("RSA ", "-----BEGIN RSA PRIVATE KEY-----"),
    ("EC ", "-----BEGIN EC PRIVATE KEY-----"),
    ("DSA ", "-----BEGIN DSA PRIVATE KEY-----"),
    ("OPENSSH ", "-----BEGIN OPENSSH PRIVATE KEY-----"),
    ("ENCRYPTED ", "-----BEGIN ENCRYPTED PRIVATE KEY-----"),
    ("PGP ", "-----BEGIN PGP PRIVATE KEY BLOCK-----"),
];

fn pick_hint(s: &str, hints: &[&'static str]) -> Option<&'static str> {
    hints.iter().copied().find(|h| s.starts_with(h))
}

fn simple(
    info: &'static DetectorInfo,
    c: &Captures<'_>,
    confidence: Confidence,
    hints: &[&'static str],
) -> Option<Hit> {
    let m = c.name("s")?;
    if is_placeholder(m.as_str()) {
        return None;
    }
    Some(Hit {
        range: m.range(),
        confidence,
        info,
        hint: pick_hint(m.as_str(), hints),
    })
}

fn body_entropy_ok(s: &str, skip: usize, min: f64) -> bool {
    s.get(skip..).is_some_and(|b| shannon_entropy(b) >= min)
}

fn check_aws_id(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    if !body_entropy_ok(s, 4, 2.5) {
        return None;
    }
    // Real key ids use the base32 alphabet after the prefix.
    let base32 = s
        .bytes()
        .skip(4)
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
    let conf = if base32 {
        Confidence::High
    } else {
        Confidence::Medium
    };
    simple(&AWS_ACCESS_KEY_ID, c, conf, AWS_HINTS)
}

fn check_aws_secret(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    if shannon_entropy(s) < 3.5 || crate::heuristics::char_classes(s) < 3 {
        return None;
    }
    simple(&AWS_SECRET_ACCESS_KEY, c, Confidence::High, &[])
}

fn check_gcp_api(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    body_entropy_ok(s, 4, 3.0).then_some(())?;
    simple(&GCP_API_KEY, c, Confidence::High, &["AIza"])
}

fn check_gcp_sa(text: &str, c: &Captures<'_>) -> Option<Hit> {
    let m = c.get(0)?;
    let pk = private_key_in(text)?;
    let trimmed_start = text.len() - text.trim_start().len();
    let range = if text.trim_start().starts_with('{') {
        trimmed_start..text.trim_end().len()
    } else {
        m.start().min(pk.start)..m.end().max(pk.end)
    };
    Some(Hit {
        range,
        confidence: Confidence::High,
        info: &GCP_SERVICE_ACCOUNT,
        hint: None,
    })
}

fn check_azure(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    (shannon_entropy(s) >= 4.0).then_some(())?;
    simple(&AZURE_STORAGE_KEY, c, Confidence::High, &[])
}

fn check_github(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    body_entropy_ok(s, 4, 3.0).then_some(())?;
    simple(&GITHUB_TOKEN, c, Confidence::High, GH_HINTS)
}

fn check_github_fg(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    body_entropy_ok(s, 11, 3.0).then_some(())?;
    simple(
        &GITHUB_FINE_GRAINED_TOKEN,
        c,
        Confidence::High,
        &["github_pat_"],
    )
}

fn check_gitlab(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    let body = s.split_once('-').map_or("", |(_, b)| b);
    (shannon_entropy(body) >= 3.0).then_some(())?;
    simple(&GITLAB_TOKEN, c, Confidence::High, GITLAB_HINTS)
}

fn check_slack(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    body_entropy_ok(s, 5, 3.0).then_some(())?;
    simple(&SLACK_TOKEN, c, Confidence::High, SLACK_HINTS)
}

fn check_slack_webhook(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    let last = s.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    (last.len() >= 16 && shannon_entropy(last) >= 3.0).then_some(())?;
    simple(
        &SLACK_WEBHOOK,
        c,
        Confidence::High,
        &["https://hooks.slack.com/"],
    )
}

fn check_stripe(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    body_entropy_ok(s, 8, 3.0).then_some(())?;
    simple(&STRIPE_KEY, c, Confidence::High, STRIPE_HINTS)
}

fn check_twilio(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    (shannon_entropy(s) >= 3.0).then_some(())?;
    simple(&TWILIO_CREDENTIAL, c, Confidence::High, &[])
}

fn check_sendgrid(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    body_entropy_ok(s, 3, 3.5).then_some(())?;
    simple(&SENDGRID_KEY, c, Confidence::High, &["SG."])
}

fn check_npm(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    body_entropy_ok(s, 4, 3.0).then_some(())?;
    simple(&NPM_TOKEN, c, Confidence::High, &["npm_"])
}

fn check_npmrc(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    (s.len() >= 16 && shannon_entropy(s) >= 3.0 && !s.starts_with('$')).then_some(())?;
    simple(&NPM_TOKEN, c, Confidence::High, &["npm_"])
}

fn check_pypi(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    body_entropy_ok(s, 5, 3.5).then_some(())?;
    simple(&PYPI_TOKEN, c, Confidence::High, &["pypi-"])
}

/// Decodes base64url (padding optional).
fn b64url(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .ok()
}

/// Decodes standard base64, tolerating whitespace and missing padding.
pub(crate) fn b64std(s: &str) -> Option<Vec<u8>> {
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .ok()
        .or_else(|| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(compact.trim_end_matches('='))
                .ok()
        })
}

fn json_object(bytes: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_slice::<serde_json::Value>(bytes).ok()? {
        serde_json::Value::Object(m) => Some(m),
        _ => None,
    }
}

/// A JWT: header decodes to a JSON object with a string `alg`; unsigned (`none`) tokens and
/// tokens without a signature are not credentials.
fn jwt_confidence(token: &str) -> Option<Confidence> {
    let mut parts = token.split('.');
    let (h, p, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header = json_object(&b64url(h)?)?;
    let alg = header.get("alg")?.as_str()?;
    if alg.eq_ignore_ascii_case("none") || sig.len() < 16 {
        return None;
    }
    let payload_ok = b64url(p).and_then(|b| json_object(&b)).is_some();
    Some(if payload_ok {
        Confidence::High
    } else {
        Confidence::Medium
    })
}

fn check_jwt(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    let confidence = jwt_confidence(s)?;
    simple(&JWT, c, confidence, &["eyJ"])
}

/// Finds a real (non-placeholder) PEM private key in `text`; returns its byte range.
pub(crate) fn private_key_in(text: &str) -> Option<Range<usize>> {
    let re = compiled().pem.as_ref()?;
    re.captures_iter(text)
        .find(|c| c.name("body").is_some_and(|b| pem_body_ok(b.as_str())))
        .and_then(|c| c.get(0).map(|m| m.range()))
}

/// The base64 body of a PEM block: enough key material, not `...` or `<key>`.
fn pem_body_ok(body: &str) -> bool {
    let mut material = String::new();
    for line in body.replace("\\n", "\n").replace("\\r", "").lines() {
        let line = line.trim();
        if line.contains(':') {
            continue; // Proc-Type / DEK-Info / Comment headers.
        }
        material.push_str(line);
    }
    let b64 = material
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        .count();
    b64 >= 64
        && b64 * 10 >= material.len() * 9
        && !is_placeholder(&material)
        && shannon_entropy(&material) >= 4.5
}

fn check_pem(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let body = c.name("body")?.as_str();
    if !pem_body_ok(body) {
        return None;
    }
    let label = c.name("label").map_or("", |m| m.as_str());
    let hint = PEM_HINTS.iter().find(|(l, _)| *l == label).map(|(_, h)| *h);
    let confidence = if label == "ENCRYPTED " {
        Confidence::Medium
    } else {
        Confidence::High
    };
    Some(Hit {
        range: c.get(0)?.range(),
        confidence,
        info: &PRIVATE_KEY,
        hint,
    })
}

fn check_pem_b64(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let m = c.name("s")?;
    let decoded = b64std(m.as_str())?;
    let text = String::from_utf8(decoded).ok()?;
    private_key_in(&text)?;
    Some(Hit {
        range: m.range(),
        confidence: Confidence::High,
        info: &PRIVATE_KEY,
        hint: Some("LS0tLS1CRUdJTi"),
    })
}

const DB_SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "mssql",
    "sqlserver",
    "oracle",
    "clickhouse",
    "cassandra",
    "couchbase",
    "couchbases",
    "nats",
    "kafka",
    "memcached",
    "neo4j",
    "neo4j+s",
    "bolt",
    "influxdb",
    "elasticsearch",
    "cockroachdb",
    "jdbc:postgresql",
    "jdbc:mysql",
];

fn check_url_credentials(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let scheme = c.name("scheme")?.as_str().to_ascii_lowercase();
    let pass = c.name("s")?;
    let p = pass.as_str();
    if p.len() < 3 || is_placeholder(p) || p.starts_with('$') || p.starts_with('%') {
        return None;
    }
    // `${USER}:${PASS}@` and friends: a template, not a credential.
    if c.name("user").is_some_and(|m| m.as_str().starts_with('$')) {
        return None;
    }
    let info = if DB_SCHEMES.contains(&scheme.as_str()) {
        &DATABASE_CONNECTION_STRING
    } else {
        &URL_CREDENTIALS
    };
    let confidence = if shannon_entropy(p) >= 2.5 && p.len() >= 6 {
        Confidence::High
    } else {
        Confidence::Medium
    };
    Some(Hit {
        range: pass.range(),
        confidence,
        info,
        hint: None,
    })
}

fn check_ado(text: &str, c: &Captures<'_>) -> Option<Hit> {
    let lower = text.to_ascii_lowercase();
    let looks_like_conn = [
        "server=",
        "data source=",
        "host=",
        "user id=",
        "uid=",
        "initial catalog=",
        "database=",
        "username=",
    ]
    .iter()
    .any(|k| lower.contains(k));
    if !looks_like_conn {
        return None;
    }
    let s = c.name("s")?.as_str().trim();
    if s.len() < 4 || s.starts_with('$') {
        return None;
    }
    let mut hit = simple(&DATABASE_CONNECTION_STRING, c, Confidence::High, &[])?;
    hit.range = hit.range.start..hit.range.start + c.name("s")?.as_str().trim_end().len();
    Some(hit)
}

/// A base64 `user:password` with a real password.
fn basic_pair_ok(b64: &str) -> bool {
    let Some(decoded) = b64std(b64) else {
        return false;
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return false;
    };
    let Some((user, pass)) = text.split_once(':') else {
        return false;
    };
    !user.is_empty() && pass.len() >= 3 && !is_placeholder(pass) && !pass.starts_with('$')
}

fn check_docker_auth(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    basic_pair_ok(s).then_some(())?;
    simple(&DOCKER_REGISTRY_AUTH, c, Confidence::High, &[])
}

fn decodes_to_private_key(b64: &str) -> bool {
    b64std(b64)
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|t| private_key_in(&t).is_some())
}

fn check_client_key_data(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let s = c.name("s")?.as_str();
    decodes_to_private_key(s).then_some(())?;
    simple(&KUBECONFIG_CREDENTIAL, c, Confidence::High, &[])
}

fn check_assignment(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let key = c.name("k")?.as_str();
    if key_sense(key) != KeySense::Sensitive {
        return None;
    }
    let m = c.name("s")?;
    let entropy = credential_value_strength(m.as_str())?;
    let confidence = if entropy >= 4.0 && m.as_str().len() >= 20 {
        Confidence::High
    } else {
        Confidence::Medium
    };
    Some(Hit {
        range: m.range(),
        confidence,
        info: &SENSITIVE_KEY_VALUE,
        hint: None,
    })
}

/// A password given on a client command line (`mysql -pXYZ`, `redis-cli -a XYZ`).
fn check_cli_password(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let m = c.name("s")?;
    let v = m.as_str();
    if v.starts_with('$') || v.starts_with('%') || is_placeholder(v) {
        return None;
    }
    Some(Hit {
        range: m.range(),
        confidence: Confidence::Medium,
        info: &SENSITIVE_KEY_VALUE,
        hint: None,
    })
}

fn check_authorization(_: &str, c: &Captures<'_>) -> Option<Hit> {
    let scheme = c.name("scheme")?.as_str();
    let m = c.name("s")?;
    let v = m.as_str();
    if is_placeholder(v) {
        return None;
    }
    let ok = if scheme.eq_ignore_ascii_case("basic") {
        basic_pair_ok(v)
    } else {
        v.len() >= 16 && shannon_entropy(v) >= 3.0
    };
    ok.then_some(Hit {
        range: m.range(),
        confidence: Confidence::High,
        info: &AUTHORIZATION_HEADER,
        hint: None,
    })
}

/// A token format with a leading boundary (`[^A-Za-z0-9_-]` or the start of the text). The
/// trailing boundary is checked after the match (`Pattern::bounded`), so that two tokens
/// separated by one character are both found.
macro_rules! tok {
    ($body:literal) => {
        concat!(r"(?:^|[^A-Za-z0-9_\-])(?P<s>", $body, r")")
    };
}

static PATTERNS: &[Pattern] = &[
    Pattern {
        keywords: &[("service_account", true)],
        regex: r#""type"\s*:\s*"service_account""#,
        check: check_gcp_sa,
        bounded: false,
    },
    Pattern {
        keywords: &[("\"auth\"", true)],
        regex: r#""auth"\s*:\s*"(?P<s>[A-Za-z0-9+/]{6,}={0,2})""#,
        check: check_docker_auth,
        bounded: false,
    },
    Pattern {
        keywords: &[("client-key-data", true)],
        regex: r#"client-key-data["']?\s*:\s*["']?(?P<s>[A-Za-z0-9+/]{40,}={0,2})"#,
        check: check_client_key_data,
        bounded: false,
    },
    Pattern {
        keywords: &[
            ("AKIA", true),
            ("ASIA", true),
            ("ABIA", true),
            ("ACCA", true),
        ],
        regex: tok!(r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}"),
        check: check_aws_id,
        bounded: true,
    },
    Pattern {
        keywords: &[
            ("secret_access_key", false),
            ("secretaccesskey", false),
            ("secret-access-key", false),
            ("aws_secret", false),
            ("awssecret", false),
            ("aws-secret", false),
        ],
        regex: r#"(?i:(?:aws)?[_\-.]?secret[_\-.]?(?:access[_\-.]?)?key)["']?\s*(?:[:=]|=>)\s*["']?(?P<s>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        check: check_aws_secret,
        bounded: false,
    },
    Pattern {
        keywords: &[("AccountKey", false), ("SharedAccessKey", false)],
        regex: r"(?i:AccountKey|SharedAccessKey)\s*=\s*(?P<s>[A-Za-z0-9+/]{40,}={0,2})",
        check: check_azure,
        bounded: false,
    },
    Pattern {
        keywords: &[("twilio", false)],
        regex: r#"(?i:twilio[A-Za-z0-9_.\-]*(?:token|secret|key))["']?\s*(?:[:=])\s*["']?(?P<s>[A-Za-z0-9]{32})(?:[^A-Za-z0-9]|$)"#,
        check: check_twilio,
        bounded: false,
    },
    Pattern {
        keywords: &[("AIza", true)],
        regex: tok!(r"AIza[0-9A-Za-z_\-]{35}"),
        check: check_gcp_api,
        bounded: true,
    },
    Pattern {
        keywords: &[
            ("ghp_", true),
            ("gho_", true),
            ("ghu_", true),
            ("ghs_", true),
            ("ghr_", true),
        ],
        regex: tok!(r"gh[pousr]_[A-Za-z0-9]{36,251}"),
        check: check_github,
        bounded: true,
    },
    Pattern {
        keywords: &[("github_pat_", true)],
        regex: tok!(r"github_pat_[A-Za-z0-9_]{60,244}"),
        check: check_github_fg,
        bounded: true,
    },
    Pattern {
        keywords: &[
            ("glpat-", true),
            ("gldt-", true),
            ("glrt-", true),
            ("glptt-", true),
            ("glft-", true),
            ("glimt-", true),
            ("glagent-", true),
            ("gloas-", true),
            ("glsoat-", true),
        ],
        regex: r"(?:^|[^A-Za-z0-9_\-])(?P<s>(?:glpat|gldt|glrt|glptt|glft|glimt|glagent|gloas|glsoat)-[A-Za-z0-9_\-]{20,}(?:\.[A-Za-z0-9_\-]{2,})*)",
        check: check_gitlab,
        bounded: false,
    },
    Pattern {
        keywords: &[
            ("xoxa-", true),
            ("xoxb-", true),
            ("xoxp-", true),
            ("xoxr-", true),
            ("xoxs-", true),
            ("xoxe", true),
            ("xapp-", true),
        ],
        regex: tok!(
            r"xox[abprs]-[0-9A-Za-z]{6,}(?:-[0-9A-Za-z]{3,}){1,4}|xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9\-]{20,}|xapp-\d-[A-Za-z0-9\-]{20,}"
        ),
        check: check_slack,
        bounded: true,
    },
    Pattern {
        keywords: &[("hooks.slack.com", false)],
        regex: r"(?P<s>https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+\-]{20,})",
        check: check_slack_webhook,
        bounded: false,
    },
    Pattern {
        keywords: &[("sk_live_", true), ("rk_live_", true)],
        regex: tok!(r"[sr]k_live_[A-Za-z0-9]{20,247}"),
        check: check_stripe,
        bounded: true,
    },
    Pattern {
        keywords: &[("SG.", true)],
        regex: tok!(r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}"),
        check: check_sendgrid,
        bounded: true,
    },
    Pattern {
        keywords: &[("npm_", true)],
        regex: tok!(r"npm_[A-Za-z0-9]{36}"),
        check: check_npm,
        bounded: true,
    },
    Pattern {
        keywords: &[("_authToken", false)],
        regex: r#"_authToken\s*=\s*["']?(?P<s>[^\s"']+)"#,
        check: check_npmrc,
        bounded: false,
    },
    Pattern {
        keywords: &[("pypi-AgE", true)],
        regex: tok!(r"pypi-AgE[A-Za-z0-9_\-]{50,}"),
        check: check_pypi,
        bounded: true,
    },
    Pattern {
        keywords: &[("PRIVATE KEY", true)],
        regex: PEM_REGEX,
        check: check_pem,
        bounded: false,
    },
    Pattern {
        keywords: &[("LS0tLS1CRUdJTi", true)],
        regex: r"(?P<s>LS0tLS1CRUdJTi[A-Za-z0-9+/=\r\n]{60,})",
        check: check_pem_b64,
        bounded: false,
    },
    Pattern {
        keywords: &[("://", true)],
        regex: r#"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-:]{1,30})://(?P<user>[^\s:@/?#'"]{0,128}):(?P<s>[^\s@/?#'"]{1,256})@(?P<host>[A-Za-z0-9.\-_\[\]%]+)"#,
        check: check_url_credentials,
        bounded: false,
    },
    Pattern {
        keywords: &[("password", false), ("pwd", false)],
        regex: r#"(?i:(?:^|;)\s*(?:password|pwd)\s*=\s*)(?P<s>[^;'"\r\n]{4,128})"#,
        check: check_ado,
        bounded: false,
    },
    Pattern {
        keywords: &[("mysql", false), ("mariadb", false)],
        regex: r#"(?:mysql(?:admin|dump|sh|import|check)?|mariadb(?:-admin|-dump)?)\b[^\n;|&]*?\s-p(?P<s>[^\s'"]{4,128})"#,
        check: check_cli_password,
        bounded: false,
    },
    Pattern {
        keywords: &[("redis-cli", false), ("sshpass", false)],
        regex: r#"(?:redis-cli\b[^\n;|&]*?\s-a|sshpass\s+-p)\s+["']?(?P<s>[^\s'"]{4,128})"#,
        check: check_cli_password,
        bounded: false,
    },
    Pattern {
        keywords: &[("eyJ", true)],
        regex: tok!(r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{2,}\.[A-Za-z0-9_\-]*"),
        check: check_jwt,
        bounded: true,
    },
    Pattern {
        keywords: &[("authorization", false)],
        regex: r#"(?i:authorization)["']?\s*[:=]\s*["']?(?P<scheme>(?i:bearer|basic|token))\s+(?P<s>[A-Za-z0-9._~+/\-]{8,}=*)"#,
        check: check_authorization,
        bounded: false,
    },
    Pattern {
        keywords: &[
            ("password", false),
            ("passwd", false),
            ("passphrase", false),
            ("pwd", false),
            ("secret", false),
            ("token", false),
            ("apikey", false),
            ("api_key", false),
            ("api-key", false),
            ("access_key", false),
            ("accesskey", false),
            ("access-key", false),
            ("private_key", false),
            ("privatekey", false),
            ("credential", false),
        ],
        regex: r#"(?P<k>[A-Za-z0-9_.\-]{0,40}(?i:password|passwd|passphrase|pwd|secret|token|api[_\-.]?key|access[_\-.]?key|private[_\-.]?key|credentials?)[A-Za-z0-9_.\-]{0,40})["']?[ \t]*(?::=|=>|:|=)[ \t]*["']?(?P<s>[^\s"',;}\])]{6,512})"#,
        check: check_assignment,
        bounded: false,
    },
];

const PEM_REGEX: &str = r"-----BEGIN (?P<label>(?:[A-Z0-9]+ )?)PRIVATE KEY(?: BLOCK)?-----(?P<body>(?s:.*?))(?:-----END (?:[A-Z0-9]+ )?PRIVATE KEY(?: BLOCK)?-----|\z)";

struct Compiled {
    /// One ASCII case-insensitive automaton over every pattern's keywords.
    keywords: Option<AhoCorasick>,
    /// Keyword index -> pattern index.
    owner: Vec<usize>,
    regexes: Vec<Option<Regex>>,
    pem: Option<Regex>,
}

fn build_regex(src: &str) -> Option<Regex> {
    RegexBuilder::new(src)
        .size_limit(32 * 1024 * 1024)
        .dfa_size_limit(16 * 1024 * 1024)
        .build()
        .ok()
}

fn compiled() -> &'static Compiled {
    static C: LazyLock<Compiled> = LazyLock::new(|| {
        let mut words = Vec::new();
        let mut owner = Vec::new();
        for (i, p) in PATTERNS.iter().enumerate() {
            for &(w, _) in p.keywords {
                words.push(w);
                owner.push(i);
            }
        }
        Compiled {
            keywords: AhoCorasickBuilder::new()
                .kind(Some(AhoCorasickKind::DFA))
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&words)
                .ok(),
            owner,
            regexes: PATTERNS.iter().map(|p| build_regex(p.regex)).collect(),
            pem: build_regex(PEM_REGEX),
        }
    });
    &C
}

/// True when every built-in regex and automaton compiled (checked by tests).
#[doc(hidden)]
#[must_use]
pub fn engine_ready() -> bool {
    let c = compiled();
    c.keywords.is_some() && c.pem.is_some() && c.regexes.iter().all(Option::is_some)
}

/// Which patterns have a keyword in `text`, as a bit set (one overlapping Aho-Corasick
/// pass; case is folded here and enforced by the regexes).
fn triggered(text: &str) -> u64 {
    let c = compiled();
    let mut on = 0u64;
    let Some(ac) = &c.keywords else {
        return on;
    };
    for m in ac.find_overlapping_iter(text) {
        if let Some(&p) = c.owner.get(m.pattern().as_usize()) {
            on |= 1u64 << (p % 64);
        }
    }
    on
}

/// Scans one string value for credentials.
///
/// `ctx.key` (the map key, env var name, header name) enables key-aware detectors (AWS
/// secret keys, Twilio tokens, Docker `auth`, kubeconfig `client-key-data`, and the generic
/// `password`/`token`/`api_key` heuristic). Format detectors run only when one of their
/// keywords occurs in the value (Aho-Corasick prefilter). Overlapping matches are resolved
/// in favour of the more specific detector. Results are sorted by byte offset.
///
/// ```
/// use kubeward_secrets::{scan_value, ValueContext};
/// let token = format!("ghp_{}", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A");
/// let hits = scan_value(&ValueContext::keyed("GITHUB_TOKEN"), &token);
/// assert_eq!(hits.len(), 1);
/// assert_eq!(hits[0].detector.id, "github-token");
/// assert_eq!(hits[0].redacted.to_string(), "ghp_****");
/// assert!(scan_value(&ValueContext::keyed("password"), "${DB_PASSWORD}").is_empty());
/// ```
#[must_use]
pub fn scan_value(ctx: &ValueContext<'_>, value: &str) -> Vec<SecretMatch> {
    let text = truncate(value, MAX_SCAN_BYTES);
    let mut hits: Vec<Hit> = Vec::new();
    if let Some(key) = ctx.key {
        hits.extend(key_detectors(ctx.kind_hint, key, text));
    }
    if ctx.kind_hint == KindHint::Image || ctx.key == Some("image") {
        hits.extend(image_credentials(text));
    }
    let c = compiled();
    let on = triggered(text);
    for i in 0..PATTERNS.len() {
        if on & (1u64 << (i % 64)) == 0 {
            continue;
        }
        let (Some(Some(re)), Some(p)) = (c.regexes.get(i), PATTERNS.get(i)) else {
            continue;
        };
        for caps in re.captures_iter(text) {
            if p.bounded
                && let Some(m) = caps.name("s")
                && text
                    .as_bytes()
                    .get(m.end())
                    .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                continue;
            }
            if let Some(hit) = (p.check)(text, &caps) {
                hits.push(hit);
            }
        }
    }
    resolve(text, hits)
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// Keeps the highest-priority match among overlapping ones; sorts by offset.
fn resolve(text: &str, mut hits: Vec<Hit>) -> Vec<SecretMatch> {
    hits.sort_by_key(|h| (catalog::priority(h.info), h.range.start));
    let mut kept: Vec<Hit> = Vec::new();
    for h in hits {
        if h.range.is_empty() {
            continue;
        }
        let overlaps = kept
            .iter()
            .any(|k| h.range.start < k.range.end && k.range.start < h.range.end);
        if !overlaps {
            kept.push(h);
        }
    }
    kept.sort_by_key(|h| (h.range.start, h.range.end));
    kept.into_iter()
        .filter_map(|h| {
            let secret = text.get(h.range.clone())?.to_string();
            Some(SecretMatch {
                detector: h.info,
                confidence: h.confidence,
                redacted: Redacted::with_hint(secret, h.hint),
                byte_range: h.range,
            })
        })
        .collect()
}

fn norm(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn whole(text: &str) -> Range<usize> {
    let start = text.len() - text.trim_start().len();
    start..text.trim_end().len()
}

fn all_bytes(s: &str, f: impl Fn(u8) -> bool) -> bool {
    !s.is_empty() && s.bytes().all(f)
}

/// Detectors that need the key name; the whole (trimmed) value is the candidate.
fn key_detectors(hint: KindHint, key: &str, text: &str) -> Vec<Hit> {
    let k = norm(key);
    let sensitive = key_sense(key) == KeySense::Sensitive;
    let candidate = sensitive
        || matches!(
            k.as_str(),
            "clientkeydata" | "auth" | "authorization" | "proxyauthorization"
        )
        || matches!(
            hint,
            KindHint::Kubeconfig | KindHint::GcpServiceAccount | KindHint::DockerConfig
        )
        || ["aws", "azure", "storage", "accountkey", "twilio"]
            .iter()
            .any(|w| k.contains(w));
    if !candidate {
        return Vec::new();
    }
    let v = text.trim();
    let range = whole(text);
    let mut out = Vec::new();
    let hit = |info: &'static DetectorInfo, confidence: Confidence| Hit {
        range: range.clone(),
        confidence,
        info,
        hint: None,
    };
    if v.is_empty() || is_placeholder(v) {
        return out;
    }
    let b64ish = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    // Kubeconfig.
    if k == "clientkeydata" && decodes_to_private_key(v) {
        out.push(hit(&KUBECONFIG_CREDENTIAL, Confidence::High));
    }
    if hint == KindHint::Kubeconfig
        && matches!(
            k.as_str(),
            "token" | "password" | "idtoken" | "refreshtoken"
        )
        && (credential_value_strength(v).is_some() || jwt_confidence(v).is_some())
    {
        out.push(hit(&KUBECONFIG_CREDENTIAL, Confidence::High));
    }
    // Google service-account JSON.
    if hint == KindHint::GcpServiceAccount && k == "privatekey" && private_key_in(v).is_some() {
        out.push(hit(&GCP_SERVICE_ACCOUNT, Confidence::High));
    }
    // Docker config.
    if k == "auth" && (hint == KindHint::DockerConfig || basic_pair_ok(v)) && basic_pair_ok(v) {
        out.push(hit(&DOCKER_REGISTRY_AUTH, Confidence::High));
    }
    if hint == KindHint::DockerConfig
        && matches!(k.as_str(), "password" | "identitytoken" | "registrytoken")
        && credential_value_strength(v).is_some()
    {
        out.push(hit(&DOCKER_REGISTRY_AUTH, Confidence::High));
    }
    // AWS secret access key: 40 base64 characters under an AWS-secret key name.
    if (k.contains("secretaccesskey") || (k.contains("aws") && k.contains("secret")))
        && v.len() == 40
        && all_bytes(v, b64ish)
        && shannon_entropy(v) >= 3.5
    {
        out.push(hit(&AWS_SECRET_ACCESS_KEY, Confidence::High));
    }
    // Azure storage account key: 64 bytes, 88 base64 characters.
    if (k.contains("azure") || k.contains("storage") || k.contains("accountkey"))
        && k.contains("key")
        && v.len() == 88
        && v.ends_with("==")
        && all_bytes(v.trim_end_matches('='), b64ish)
        && shannon_entropy(v) >= 4.0
    {
        out.push(hit(&AZURE_STORAGE_KEY, Confidence::High));
    }
    // Twilio auth token / API key secret: 32 characters.
    if k.contains("twilio")
        && (k.contains("token") || k.contains("secret") || k.contains("key"))
        && v.len() == 32
        && all_bytes(v, |b| b.is_ascii_alphanumeric())
        && shannon_entropy(v) >= 3.0
    {
        out.push(hit(&TWILIO_CREDENTIAL, Confidence::High));
    }
    // Authorization header values.
    if k == "authorization" || k == "proxyauthorization" {
        if let Some((scheme, cred)) = v.split_once(' ') {
            let cred = cred.trim();
            let ok = if scheme.eq_ignore_ascii_case("basic") {
                basic_pair_ok(cred)
            } else {
                (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
                    && !is_placeholder(cred)
                    && cred.len() >= 16
                    && shannon_entropy(cred) >= 3.0
            };
            if ok {
                let start = range.end - cred.len();
                out.push(Hit {
                    range: start..range.end,
                    confidence: Confidence::High,
                    info: &AUTHORIZATION_HEADER,
                    hint: None,
                });
            }
        }
        return out;
    }
    // Generic key-name heuristic on a single-line value.
    if sensitive
        && !v.contains('\n')
        && let Some(entropy) = credential_value_strength(v)
    {
        let confidence = if looks_like_hash_or_uuid(v) {
            Confidence::Low
        } else if entropy >= 4.0 && v.len() >= 20 {
            Confidence::High
        } else {
            Confidence::Medium
        };
        out.push(hit(&SENSITIVE_KEY_VALUE, confidence));
    }
    out
}

/// `user:password@registry/...` in an image reference.
fn image_credentials(text: &str) -> Vec<Hit> {
    let v = text.trim();
    let offset = text.len() - text.trim_start().len();
    let body = v.split_once("://").map_or(v, |(_, b)| b);
    let body_offset = offset + (v.len() - body.len());
    let Some((userinfo, rest)) = body.split_once('@') else {
        return Vec::new();
    };
    let Some((user, pass)) = userinfo.split_once(':') else {
        return Vec::new();
    };
    let host = rest.split('/').next().unwrap_or("");
    let valid_host = rest.contains('/')
        && !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
    if user.is_empty()
        || user.contains('/')
        || pass.is_empty()
        || pass.contains('/')
        || !valid_host
        || is_placeholder(pass)
        || pass.starts_with('$')
    {
        return Vec::new();
    }
    let start = body_offset + user.len() + 1;
    vec![Hit {
        range: start..start + pass.len(),
        confidence: Confidence::High,
        info: &IMAGE_CREDENTIALS,
        hint: None,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(ctx: &ValueContext<'_>, v: &str) -> Vec<&'static str> {
        scan_value(ctx, v).iter().map(|m| m.detector.id).collect()
    }

    #[test]
    fn engine_compiles() {
        assert!(engine_ready());
        // `triggered` keeps one bit per pattern.
        assert!(PATTERNS.len() <= 64);
        for p in PATTERNS {
            assert!(build_regex(p.regex).is_some(), "{}", p.regex);
        }
    }

    #[test]
    fn aws() {
        let g = ValueContext::default();
        assert_eq!(
            ids(&g, "key=AKIAZ3MQ7XWV4KP2LRTN end"),
            ["aws-access-key-id"]
        );
        assert!(ids(&g, "AKIAIOSFODNN7EXAMPLE").is_empty());
        let secret = "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";
        assert_eq!(secret.len(), 40);
        assert_eq!(
            ids(&ValueContext::keyed("AWS_SECRET_ACCESS_KEY"), secret),
            ["aws-secret-access-key"]
        );
        assert_eq!(
            ids(&g, &format!("aws_secret_access_key = {secret}\n")),
            ["aws-secret-access-key"]
        );
    }

    #[test]
    fn adjacent_tokens_and_boundaries() {
        let g = ValueContext::default();
        let two = "AKIAZ3MQ7XWV4KP2LRTN,AKIAQ7WV4KP2LRTNZ3MX";
        assert_eq!(ids(&g, two), ["aws-access-key-id", "aws-access-key-id"]);
        // Too long for the format: not an access key id.
        assert!(ids(&g, "AKIAZ3MQ7XWV4KP2LRTNQ").is_empty());
        assert!(ids(&g, "xAKIAZ3MQ7XWV4KP2LRTN").is_empty());
    }

    #[test]
    fn cli_passwords() {
        let g = ValueContext::default();
        assert_eq!(
            ids(&g, "mysqldump -h db -uroot -pVx9kq2Lm4Rt7 app"),
            ["sensitive-key-value"]
        );
        assert!(ids(&g, "mysql -uroot -p$MYSQL_ROOT_PASSWORD").is_empty());
        assert_eq!(
            ids(&g, "redis-cli -h r -a Qz8Wx3Ec5Rv7Tb ping"),
            ["sensitive-key-value"]
        );
    }

    #[test]
    fn byte_range_points_at_secret() {
        let v = "x AKIAZ3MQ7XWV4KP2LRTN y";
        let m = scan_value(&ValueContext::default(), v);
        assert_eq!(m[0].byte_range, 2..22);
        assert_eq!(m[0].redacted.to_string(), "AKIA****");
    }

    #[test]
    fn pem() {
        let body: String = (0..12)
            .map(|i| format!("{}\n", &"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7q3Zk9Lm2Pw8Xv4Rt6Yh1Jd5Fs0Ga"[i % 3..60 + i % 3]))
            .collect();
        let pem = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n");
        let m = scan_value(&ValueContext::default(), &pem);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].detector.id, "private-key");
        assert_eq!(
            m[0].redacted.to_string(),
            "-----BEGIN RSA PRIVATE KEY-----****"
        );
        let placeholder = "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----";
        assert!(scan_value(&ValueContext::default(), placeholder).is_empty());
        let cert = pem.replace("RSA PRIVATE KEY", "CERTIFICATE");
        assert!(scan_value(&ValueContext::default(), &cert).is_empty());
    }

    #[test]
    fn urls() {
        let g = ValueContext::default();
        assert_eq!(
            ids(&g, "postgres://app:Xk9pQ2vL7m@db:5432/app"),
            ["database-connection-string"]
        );
        assert_eq!(
            ids(&g, "https://deploy:Rt5Yh8Jk2Lm@git.corp.internal/repo.git"),
            ["basic-auth-url"]
        );
        assert!(ids(&g, "postgres://app:${DB_PASSWORD}@db/app").is_empty());
        assert!(ids(&g, "redis://:password@redis:6379").is_empty());
        assert!(ids(&g, "https://example.org/path?a=b").is_empty());
    }

    #[test]
    fn key_heuristic() {
        assert_eq!(
            ids(&ValueContext::keyed("DB_PASSWORD"), "Vx9#kq2!Lm4@Rt7"),
            ["sensitive-key-value"]
        );
        assert!(ids(&ValueContext::keyed("DB_PASSWORD"), "changeme").is_empty());
        assert!(ids(&ValueContext::keyed("secretName"), "Vx9kq2Lm4Rt7Zp").is_empty());
        assert!(ids(&ValueContext::keyed("image"), "nginx:1.25").is_empty());
    }

    #[test]
    fn specific_beats_generic() {
        let tok = "glpat-Ab3De5Fg7Hj9Kl1Mn3Pq";
        assert_eq!(
            ids(&ValueContext::keyed("GITLAB_TOKEN"), tok),
            ["gitlab-token"]
        );
    }

    #[test]
    fn image_creds() {
        let ctx = ValueContext::keyed("image");
        assert_eq!(
            ids(&ctx, "robot:Qw3rTy7Ui9Op@registry.corp.io/team/app:1.0"),
            ["image-inline-credentials"]
        );
        assert!(
            ids(
                &ctx,
                "nginx:1.25@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            )
            .is_empty()
        );
        assert!(ids(&ctx, "registry.io:5000/team/app:1.0").is_empty());
    }

    #[test]
    fn jwt_needs_alg() {
        // {"alg":"HS256","typ":"JWT"} . {"sub":"1234567890"} . signature
        let ok = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.Zk8Pq2Lm4Xv7Rt9Yh1Jd5Fs0Ga3Bn6Ct";
        assert_eq!(ids(&ValueContext::default(), ok), ["jwt"]);
        // header {"typ":"JWT"} without alg
        let no_alg =
            "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxMjM0NTY3ODkwIn0.Zk8Pq2Lm4Xv7Rt9Yh1Jd5Fs0Ga3Bn6Ct";
        assert!(ids(&ValueContext::default(), no_alg).is_empty());
    }

    #[test]
    fn truncation_is_char_safe() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("abc", 10), "abc");
    }
}

//! Value and key-name heuristics: Shannon entropy, placeholders, sensitive key names.

/// Shannon entropy of `s` in bits per character (0 for the empty string).
///
/// ```
/// use kubeward_secrets::shannon_entropy;
/// assert_eq!(shannon_entropy("aaaa"), 0.0);
/// assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
/// ```
#[must_use]
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut total = 0u32;
    for b in s.bytes() {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let n = f64::from(total);
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Words that, found anywhere in a value (case-insensitive), mark it as a placeholder.
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "change_this",
    "changethis",
    "changeit",
    "replaceme",
    "replace_me",
    "replace-me",
    "replace_with",
    "redacted",
    "placeholder",
    "example",
    "dummy",
    "sample",
    "fake",
    "notreal",
    "not_real",
    "not-a-real",
    "not_a_real",
    "yourpassword",
    "your_password",
    "your-password",
    "yoursecret",
    "your_secret",
    "your-secret",
    "your_token",
    "your-token",
    "yourtoken",
    "your_api",
    "your-api",
    "your_key",
    "your-key",
    "insert_",
    "insert-",
    "todo",
    "fixme",
    "xxxx",
    "****",
    "...",
    "\u{2026}",
    "foobar",
    "lorem",
    "ipsum",
    "undefined",
    "secretvalue",
    "secret_value",
    "secret-value",
    "mysecret",
    "my-secret",
    "my_secret",
    "mypassword",
    "my-password",
    "my_password",
    "supersecret",
    "super-secret",
    "super_secret",
    "s3cr3t",
    "p@ssw0rd",
    "passw0rd",
    "password1",
    "password123",
];

/// One automaton over [`PLACEHOLDER_WORDS`] (the input is lowercased first).
fn placeholder_words() -> Option<&'static aho_corasick::AhoCorasick> {
    static AC: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::LazyLock::new(|| aho_corasick::AhoCorasick::new(PLACEHOLDER_WORDS).ok());
    AC.as_ref()
}

/// Whole values (case-insensitive) that are placeholders or obviously not secrets.
const PLACEHOLDER_VALUES: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "secret",
    "secrets",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "key",
    "none",
    "null",
    "nil",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "default",
    "required",
    "optional",
    "string",
    "value",
    "admin",
    "root",
    "user",
    "username",
    "guest",
    "letmein",
    "qwerty",
    "abc123",
    "test",
    "testing",
    "tbd",
    "n/a",
    "na",
    "empty",
    "blank",
    "unset",
    "unknown",
    "auto",
    "generated",
    "random",
    "disabled",
    "enabled",
    "credentials",
    "private",
];

/// True when `value` is an obvious placeholder rather than a real secret: empty, a single
/// repeated character, a template or variable reference (`${VAR}`, `$(VAR)`, `$VAR`,
/// `{{ .Values.x }}`, `%VAR%`, `<redacted>`), a masked value (`****`, `xxxx`), or a value
/// containing words like `changeme`, `example`, `dummy`, `REPLACE_ME`, `test`.
///
/// ```
/// use kubeward_secrets::is_placeholder;
/// for p in ["", "changeme", "${DB_PASSWORD}", "$(TOKEN)", "{{ .Values.password }}",
///           "<redacted>", "xxxxxxxx", "REPLACE_ME", "dummy-token", "test", "00000000"] {
///     assert!(is_placeholder(p), "{p}");
/// }
/// assert!(!is_placeholder("Zq8#vLm2!pR4tW9x"));
/// ```
#[must_use]
pub fn is_placeholder(value: &str) -> bool {
    let v = value
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .trim();
    if v.is_empty() {
        return true;
    }
    let mut chars = v.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return true;
    }
    if is_template_reference(v) {
        return true;
    }
    // SOPS-encrypted values: ciphertext, safe to commit.
    if v.starts_with("ENC[") && v.ends_with(']') {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_VALUES.contains(&lower.as_str()) {
        return true;
    }
    if placeholder_words().is_some_and(|ac| ac.is_match(&lower)) {
        return true;
    }
    if contains_bounded_word(&lower, "test") {
        return true;
    }
    is_sequential(&lower)
}

/// `${VAR}`, `$(VAR)`, `$VAR`, `{{ ... }}`, `%VAR%`, `<...>`, `#{...}`, `@VAR@`, `__VAR__`.
fn is_template_reference(v: &str) -> bool {
    // `}}` alone closes nested JSON objects; a template needs its `{{`.
    if v.contains("${") || v.contains("$(") || v.contains("{{") {
        return true;
    }
    if v.contains("#{") || v.contains("%{") {
        return true;
    }
    let bytes = v.as_bytes();
    if let [b'$', second, ..] = bytes
        && (second.is_ascii_alphabetic() || *second == b'_')
        && v.bytes()
            .skip(1)
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return true;
    }
    let wrapped = |open: u8, close: u8| {
        bytes.len() >= 3 && bytes.first() == Some(&open) && bytes.last() == Some(&close)
    };
    if wrapped(b'<', b'>') || wrapped(b'%', b'%') || wrapped(b'@', b'@') || wrapped(b'[', b']') {
        return true;
    }
    v.len() > 4 && v.starts_with("__") && v.ends_with("__")
}

/// `word` occurs with no ASCII letter directly before or after it.
fn contains_bounded_word(haystack: &str, word: &str) -> bool {
    haystack.match_indices(word).any(|(i, _)| {
        let before = haystack.as_bytes().get(i.wrapping_sub(1)).copied();
        let after = haystack.as_bytes().get(i + word.len()).copied();
        let letter = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphabetic());
        (i == 0 || !letter(before)) && !letter(after)
    })
}

/// `123456789`, `abcdefgh`: mostly an ascending run.
fn is_sequential(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() < 6 {
        return false;
    }
    let steps = b
        .windows(2)
        .filter(|w| matches!(w, [x, y] if y.wrapping_sub(*x) == 1))
        .count();
    steps * 10 >= (b.len() - 1) * 8
}

/// Normalizes a key name: lowercase ASCII letters and digits only.
fn normalize_key(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Fragments that make a (normalized) key name sensitive.
const SENSITIVE_FRAGMENTS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "privatekey",
    "credential",
    "authkey",
    "encryptionkey",
    "signingkey",
    "masterkey",
    "clientkey",
    "sessionkey",
    "accountkey",
    "connectionstring",
    "authorization",
];

fn sensitive_fragments() -> Option<&'static aho_corasick::AhoCorasick> {
    static AC: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::LazyLock::new(|| aho_corasick::AhoCorasick::new(SENSITIVE_FRAGMENTS).ok());
    AC.as_ref()
}

/// Suffixes of a normalized key name whose value is a reference or a setting, not a secret
/// (`secretName`, `tokenFile`, `passwordSecretRef`, `tokenTTL`, ...).
const REFERENCE_SUFFIXES: &[&str] = &[
    "name",
    "names",
    "ref",
    "refs",
    "reference",
    "file",
    "files",
    "filename",
    "path",
    "paths",
    "dir",
    "directory",
    "mount",
    "mountpath",
    "url",
    "uri",
    "endpoint",
    "ttl",
    "timeout",
    "expiry",
    "expiration",
    "expires",
    "duration",
    "lifetime",
    "length",
    "len",
    "size",
    "enabled",
    "enable",
    "disabled",
    "mode",
    "type",
    "types",
    "policy",
    "namespace",
    "provider",
    "providerclass",
    "store",
    "version",
    "field",
    "selector",
    "template",
    "annotation",
    "label",
    "hash",
    "checksum",
    "id",
    "ids",
    "kind",
    "format",
    "header",
    "env",
    "var",
    "variable",
    "source",
    "generator",
    "rotation",
    "count",
    "required",
    "create",
    "existing",
    "mounted",
    "volume",
    "key",
    "keys",
];

/// Prefixes of a normalized key name whose value is a reference (`existingSecret`).
const REFERENCE_PREFIXES: &[&str] = &["existing", "use", "create", "mount", "automount", "enable"];

/// How strongly a key name suggests that its value is a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum KeySense {
    /// Not a credential name.
    None,
    /// A credential name (`password`, `apiKey`, `DB_TOKEN`).
    Sensitive,
}

/// Classifies a key name (a map key, env var name, flag or annotation key).
pub(crate) fn key_sense(key: &str) -> KeySense {
    // Annotation keys and dotted keys: look at the last segment (`x.io/token` -> `token`,
    // `spring.datasource.password` -> `password`).
    // `checksum/secret`, `secret-hash`, `tokenDigest`: about a secret, not one.
    let full = normalize_key(key);
    // Fast reject: most keys (`name`, `image`, `port`) contain no credential word at all.
    let has_fragment = sensitive_fragments().is_some_and(|ac| ac.is_match(&full));
    let maybe_short = full.contains("pass")
        || full.contains("pw")
        || full.ends_with("auth")
        || full.ends_with("psk");
    if !has_fragment && !maybe_short {
        return KeySense::None;
    }
    if [
        "checksum",
        "hash",
        "digest",
        "fingerprint",
        "sha256",
        "sha1",
        "md5",
    ]
    .iter()
    .any(|w| full.contains(w))
    {
        return KeySense::None;
    }
    let last = key.rsplit(['/', '.']).next().unwrap_or(key);
    let norm = normalize_key(last);
    if norm.is_empty() {
        return KeySense::None;
    }
    let exact_short = matches!(norm.as_str(), "pwd" | "pass" | "pw" | "auth" | "psk");
    // `DB_PASS`, `dbPass`, `mysql-pwd`, but not `bypass` or `compass`.
    let suffix_short = ["pass", "pwd", "pw"].iter().any(|s| {
        let lower = last.to_ascii_lowercase();
        let Some(head) = lower.strip_suffix(s) else {
            return false;
        };
        let camel = last
            .get(head.len()..)
            .is_some_and(|t| t.starts_with(|c: char| c.is_ascii_uppercase()));
        head.ends_with(['_', '-']) || (camel && !head.is_empty())
    });
    let fragment = sensitive_fragments().is_some_and(|ac| ac.is_match(&norm));
    if !(exact_short || fragment || (suffix_short && norm.len() <= 16)) {
        return KeySense::None;
    }
    // `secretKey`, `accessKey`, `apiKey` end in `key` but are secrets themselves.
    let key_suffix_is_secret = ["secretkey", "accesskey", "apikey", "privatekey", "authkey"]
        .iter()
        .chain(&[
            "encryptionkey",
            "signingkey",
            "masterkey",
            "clientkey",
            "sessionkey",
        ])
        .chain(&["accountkey"])
        .any(|s| norm.ends_with(s));
    let reference_suffix = REFERENCE_SUFFIXES.iter().any(|s| {
        norm.ends_with(s) && norm.len() > s.len() && !(key_suffix_is_secret && *s == "key")
    });
    let reference_prefix = REFERENCE_PREFIXES
        .iter()
        .any(|p| norm.starts_with(p) && norm.len() > p.len());
    // `passwordSecretKey`, `tokenSecretKey`: the key *inside a Secret* to read.
    let secret_key_reference = norm.strip_suffix("secretkey").is_some_and(|head| {
        [
            "password",
            "passwd",
            "token",
            "user",
            "credential",
            "cert",
            "tls",
            "key",
        ]
        .iter()
        .any(|w| head.contains(w))
    });
    if reference_suffix || reference_prefix || secret_key_reference {
        return KeySense::None;
    }
    // `secrets` (a list of names), `tokens` as containers, `passwordless`.
    if matches!(
        norm.as_str(),
        "secrets" | "tokens" | "passwordless" | "secretsencryption"
    ) {
        return KeySense::None;
    }
    KeySense::Sensitive
}

/// True for values that look like a Kubernetes object name or other identifier
/// (`my-app-secret`, `redis.auth.v2`), which key-name heuristics must not report.
pub(crate) fn looks_like_identifier(v: &str) -> bool {
    let segments: Vec<&str> = v.split(['-', '.', '_', '/', ':']).collect();
    if segments.len() < 2 {
        return false;
    }
    let all_lower_words = segments.iter().all(|s| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    let wordy = segments
        .iter()
        .filter(|s| s.len() >= 3 && s.bytes().all(|b| b.is_ascii_lowercase()))
        .count();
    all_lower_words && wordy * 2 >= segments.len()
}

/// Counts the character classes (lower, upper, digit, other) present in `v`.
pub(crate) fn char_classes(v: &str) -> usize {
    let mut classes = [false; 4];
    for b in v.bytes() {
        let i = if b.is_ascii_lowercase() {
            0
        } else if b.is_ascii_uppercase() {
            1
        } else if b.is_ascii_digit() {
            2
        } else {
            3
        };
        if let Some(c) = classes.get_mut(i) {
            *c = true;
        }
    }
    classes.iter().filter(|&&c| c).count()
}

/// True for hexadecimal digests and UUIDs, which are identifiers rather than secrets when
/// found under neutral keys.
pub(crate) fn looks_like_hash_or_uuid(v: &str) -> bool {
    let hexish = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    let body = v
        .strip_prefix("sha256:")
        .or_else(|| v.strip_prefix("sha512:"))
        .or_else(|| v.strip_prefix("sha1:"))
        .unwrap_or(v);
    if hexish(body) && matches!(body.len(), 32 | 40 | 56 | 64 | 96 | 128) {
        return true;
    }
    let parts: Vec<&str> = v.split('-').collect();
    parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8usize, 4, 4, 4, 12])
        && parts.iter().all(|p| hexish(p))
}

/// Whether a value under a sensitive key is plausibly a real secret, and how strongly.
/// Returns `None` when it is a placeholder, reference, path, identifier or too weak.
pub(crate) fn credential_value_strength(v: &str) -> Option<f64> {
    let v = v.trim();
    if v.len() < 6 || v.len() > 4096 || v.contains(char::is_whitespace) {
        return None;
    }
    if is_placeholder(v) || looks_like_identifier(v) {
        return None;
    }
    let lower = v.to_ascii_lowercase();
    if v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || lower.starts_with("file:")
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("vault:")
        || lower.starts_with("ref+")
        || lower.starts_with("arn:")
        || lower.starts_with("projects/")
        || lower.starts_with("secretsmanager:")
        || lower.starts_with("sm://")
        || lower.starts_with("akv://")
    {
        return None;
    }
    // Password hashes are not the password.
    if v.starts_with("$2a$") || v.starts_with("$2b$") || v.starts_with("$2y$") {
        return None;
    }
    if v.bytes().all(|b| b.is_ascii_digit()) && v.len() < 12 {
        return None;
    }
    let entropy = shannon_entropy(v);
    let classes = char_classes(v);
    let long_random = v.len() >= 16 && entropy >= 3.5;
    let mixed_password = v.len() >= 8 && classes >= 3 && entropy >= 2.8;
    let medium = v.len() >= 10 && classes >= 2 && entropy >= 3.0;
    (long_random || mixed_password || medium).then_some(entropy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for k in [
            "password",
            "DB_PASSWORD",
            "mysql-root-password",
            "apiKey",
            "api_key",
            "secretKey",
            "AWS_SECRET_ACCESS_KEY",
            "client_secret",
            "GITHUB_TOKEN",
            "spring.datasource.password",
            "pwd",
            "db_pass",
            "privateKey",
            "credentials",
            "Authorization",
        ] {
            assert_eq!(key_sense(k), KeySense::Sensitive, "{k}");
        }
        for k in [
            "secretName",
            "existingSecret",
            "passwordFile",
            "tokenTTL",
            "secretKeyRef",
            "name",
            "image",
            "token-path",
            "secretRef",
            "automountServiceAccountToken",
            "passwordSecretKey",
            "tokenUrl",
            "secrets",
            "bypass",
            "compass",
        ] {
            assert_eq!(key_sense(k), KeySense::None, "{k}");
        }
    }

    #[test]
    fn placeholders() {
        for p in [
            "<your-token>",
            "%PASSWORD%",
            "$DB_PASS",
            "__SECRET__",
            "@TOKEN@",
            "AKIAIOSFODNN7EXAMPLE",
            "123456789",
            "abcdefgh",
            "********",
            "test-password-1",
            "my-test-key",
            "[REDACTED]",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for p in ["kR7#pL2$wQ9x", "attestation", "latest", "Gh7kLq2Vz9"] {
            assert!(!is_placeholder(p), "{p}");
        }
    }

    #[test]
    fn identifiers_and_hashes() {
        assert!(looks_like_identifier("my-app-secret"));
        assert!(looks_like_identifier("redis.auth.v2"));
        assert!(!looks_like_identifier("x7k-p9q-r2t"));
        assert!(!looks_like_identifier("password"));
        assert!(looks_like_hash_or_uuid(
            "3f786850e387550fdab836ed7e6dc881de23001b"
        ));
        assert!(looks_like_hash_or_uuid(
            "123e4567-e89b-12d3-a456-426614174000"
        ));
        assert!(!looks_like_hash_or_uuid("Zq8vLm2pR4tW9x"));
    }

    #[test]
    fn strength() {
        assert!(credential_value_strength("Zq8#vLm2!pR4tW9x").is_some());
        assert!(credential_value_strength("s7Gk2mQpL9").is_some());
        assert!(credential_value_strength("my-app-secret").is_none());
        assert!(credential_value_strength("/run/secrets/db").is_none());
        assert!(credential_value_strength("12345").is_none());
        assert!(credential_value_strength("has some spaces here").is_none());
    }
}

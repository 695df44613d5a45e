//! The credential scan of an object, shared by the detection rules (`SEC002`, `SEC003`,
//! `SEC004`, `SEC008`, `SEC009`) and snippet masking: one [`kubeward_secrets::scan_object`]
//! per object, routed to exactly one rule per finding by where it sits.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use kubeward_diagnostics::Severity;
use kubeward_model::{Object, PodTemplate};
use kubeward_secrets::{Confidence, ObjectSecretFinding, SecretMatch, ValueEncoding, scan_object};
use kubeward_source::{SourceFile, Span};

use crate::context::{Emitter, ObjectContext};

/// Identity of the last scanned object. Holding a clone of its [`SourceFile`] keeps the text
/// allocation alive, so a text pointer can never be reused by another file while cached.
struct Key {
    source: SourceFile,
    span: Span,
    document: usize,
    item: Option<usize>,
}

impl Key {
    fn of(object: &Object) -> Self {
        Self {
            source: object.origin.source.clone(),
            span: object.origin.span,
            document: object.origin.document,
            item: object.origin.item,
        }
    }

    fn is(&self, object: &Object) -> bool {
        std::ptr::eq(self.source.text(), object.origin.source.text())
            && self.span == object.origin.span
            && self.document == object.origin.document
            && self.item == object.origin.item
    }
}

type Cached = Option<(Key, Rc<[ObjectSecretFinding]>)>;

thread_local! {
    /// The rules of one object run one after the other on one thread: a one-entry cache
    /// makes the five detection rules and the snippet masking share one scan.
    static LAST: RefCell<Cached> = const { RefCell::new(None) };
}

/// The credentials the secrets engine finds in `object` (cached for the object last asked).
#[must_use]
pub fn findings(object: &Object) -> Rc<[ObjectSecretFinding]> {
    let hit = LAST.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(k, _)| k.is(object))
            .map(|(_, f)| Rc::clone(f))
    });
    if let Some(found) = hit {
        return found;
    }
    let found: Rc<[ObjectSecretFinding]> = scan_object(&object.root).into();
    LAST.with(|c| *c.borrow_mut() = Some((Key::of(object), Rc::clone(&found))));
    found
}

/// Which rule reports a detected credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// A container `env[].value` (`SEC002`).
    Env,
    /// ConfigMap `data`/`binaryData` (`SEC003`).
    ConfigMap,
    /// A private key anywhere but a Secret (`SEC004`).
    PrivateKey,
    /// A container `command`/`args` item (`SEC008`).
    CommandLine,
    /// Anywhere else: annotations, image references, probe headers, custom resources (`SEC009`).
    Other,
    /// Judged by a dedicated rule: a Secret's data (`SEC005 committed-secret-object`) and an
    /// `EncryptionConfiguration`'s keys (`SEC010`–`SEC017`).
    Secret,
}

fn under(path: &str, field: &str) -> bool {
    path.strip_prefix(field)
        .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// Where a finding belongs, with the container it sits in (for messages).
#[must_use]
pub fn route(object: &Object, finding: &ObjectSecretFinding) -> (Route, Option<String>) {
    let path = finding.path.as_str();
    if matches!(
        object.kind(),
        "EncryptionConfiguration" | "EncryptionConfig"
    ) {
        // Its keys are judged by SEC010-SEC017; they are masked in every frame.
        return (Route::Secret, None);
    }
    if object.kind() == "Secret" {
        let route = if under(path, "metadata") {
            Route::Other
        } else {
            Route::Secret
        };
        return (route, None);
    }
    if finding.matched.detector.id == "private-key" {
        return (Route::PrivateKey, None);
    }
    if object.kind() == "ConfigMap" && (under(path, "data") || under(path, "binaryData")) {
        return (Route::ConfigMap, None);
    }
    if let Some(pod) = PodTemplate::of(object) {
        for container in pod.containers() {
            let Some(rest) = path
                .strip_prefix(container.path.as_str())
                .and_then(|r| r.strip_prefix('.'))
            else {
                continue;
            };
            if rest.starts_with("env[") && rest.ends_with("].value") {
                return (Route::Env, Some(container.describe()));
            }
            if rest.starts_with("args[") || rest.starts_with("command[") {
                return (Route::CommandLine, Some(container.describe()));
            }
            return (Route::Other, Some(container.describe()));
        }
    }
    (Route::Other, None)
}

/// A noun phrase for a detector in messages (`an AWS access key id`).
#[must_use]
pub fn phrase(m: &SecretMatch) -> String {
    let p = match m.detector.id {
        "kubeconfig-credential" => "a kubeconfig credential",
        "gcp-service-account-key" => "a Google Cloud service-account key",
        "docker-registry-auth" => "container registry credentials",
        "aws-access-key-id" => "an AWS access key id",
        "aws-secret-access-key" => "an AWS secret access key",
        "azure-storage-key" => "an Azure storage or shared access key",
        "twilio-credential" => "a Twilio auth token",
        "gcp-api-key" => "a Google API key",
        "github-token" => "a GitHub token",
        "github-fine-grained-token" => "a GitHub fine-grained token",
        "gitlab-token" => "a GitLab token",
        "slack-token" => "a Slack token",
        "slack-webhook-url" => "a Slack webhook URL",
        "stripe-live-key" => "a Stripe live secret key",
        "sendgrid-api-key" => "a SendGrid API key",
        "npm-token" => "an npm token",
        "pypi-token" => "a PyPI token",
        "jwt" => "a JSON Web Token",
        "private-key" => "a private key",
        "basic-auth-url" => "a URL with an embedded password",
        "database-connection-string" => "a connection string with a password",
        "image-inline-credentials" => "registry credentials in the image reference",
        "authorization-header" => "a literal Authorization credential",
        "sensitive-key-value" => "a literal password, secret or token",
        _ => m.detector.title,
    };
    let confidence = if m.confidence == Confidence::Low {
        ", low confidence"
    } else {
        ""
    };
    // The redacted form shows at most a documented public prefix: `AKIA****`, `****`.
    format!("{p} (`{}`{confidence})", m.redacted)
}

/// The diagnostic severity of a match: the detector's, one step lower at low confidence.
#[must_use]
pub fn severity(m: &SecretMatch) -> Severity {
    let base = match m.detector.severity {
        kubeward_secrets::Severity::Critical => Severity::Critical,
        kubeward_secrets::Severity::High => Severity::High,
        kubeward_secrets::Severity::Medium => Severity::Medium,
        kubeward_secrets::Severity::Low => Severity::Low,
    };
    if m.confidence > Confidence::Low {
        return base;
    }
    match base {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        Severity::Low | Severity::Info => Severity::Info,
    }
}

/// Reports the credentials of `route` in the object, one finding per field: the message
/// names the field and what was found there (`an AWS access key id (`AKIA****`)`), never the
/// value.
pub fn report(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>, want: Route) {
    let object = ctx.object;
    let all = findings(object);
    let mut by_path: BTreeMap<&str, (Option<String>, Vec<&ObjectSecretFinding>)> = BTreeMap::new();
    for f in all.iter() {
        let (route, container) = route(object, f);
        if route == want {
            let entry = by_path.entry(f.path.as_str()).or_default();
            entry.0 = container;
            entry.1.push(f);
        }
    }
    for (path, (container, group)) in by_path {
        let Some(first) = group.first() else { continue };
        let mut phrases: Vec<String> = Vec::new();
        for f in &group {
            let p = phrase(&f.matched);
            if !phrases.contains(&p) {
                phrases.push(p);
            }
        }
        let what = match phrases.len() {
            0 | 1 => phrases.concat(),
            n if n <= 3 => phrases.join(" and "),
            n => format!(
                "{} and {} more",
                phrases.get(..2).unwrap_or_default().join(", "),
                n - 2
            ),
        };
        let embedded = group
            .iter()
            .find_map(|f| f.embedded_path.as_deref())
            .map(|inner| format!(" (at `{inner}` of the document it embeds)"))
            .unwrap_or_default();
        let encoded = if first.encoding == ValueEncoding::Base64 {
            ", base64-encoded"
        } else {
            ""
        };
        let subject = match (want, &container, first.key.as_deref()) {
            (Route::Env, Some(c), Some(var)) => {
                format!("environment variable `{var}` of {c}")
            }
            (Route::CommandLine, Some(c), _) => {
                let short = path.rsplit('.').next().unwrap_or(path);
                format!("`{short}` of {c}")
            }
            _ => format!("`{path}`"),
        };
        let severity = group
            .iter()
            .map(|f| severity(&f.matched))
            .max()
            .unwrap_or(Severity::Medium);
        let mut message = format!("{subject}{embedded} holds {what}{encoded}");
        if let Some(c) = message.get(..1) {
            let upper = c.to_uppercase();
            message.replace_range(..1, &upper);
        }
        out.report(path, message).severity(severity);
    }
}

/// Whether a name (env var, data key) names a credential: a word such as `password`,
/// `secret`, `token`, `api key`, `private key`, `credentials`, and not a reference to one
/// (`SECRET_NAME`, `PASSWORD_FILE`, `TOKEN_TTL`, `TOKEN_URL`).
///
/// ```
/// use kubeward_rules::rules::secrets::credential_name;
/// assert!(credential_name("DB_PASSWORD"));
/// assert!(credential_name("stripeApiKey"));
/// assert!(!credential_name("SECRET_NAME"));
/// assert!(!credential_name("PASSWORD_FILE"));
/// assert!(!credential_name("STRIPE_KEY"));
/// ```
#[must_use]
pub fn credential_name(name: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    const SENSITIVE: &[&str] = &[
        "password",
        "passwd",
        "pwd",
        "pass",
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
        "passphrase",
    ];
    const PAIRED: &[(&str, &str)] = &[
        ("api", "key"),
        ("access", "key"),
        ("private", "key"),
        ("secret", "key"),
        ("auth", "key"),
    ];
    const REFERENCE: &[&str] = &[
        "file",
        "path",
        "name",
        "ref",
        "url",
        "uri",
        "endpoint",
        "ttl",
        "timeout",
        "expiry",
        "expires",
        "expiration",
        "length",
        "len",
        "type",
        "id",
        "header",
        "enabled",
        "enable",
        "mode",
        "dir",
        "location",
        "version",
        "arn",
        "namespace",
        "policy",
        "min",
        "max",
        "size",
        "count",
        "length",
        "format",
        "algorithm",
        "field",
        "env",
        "var",
        "provider",
        "store",
    ];
    let sensitive = words.iter().any(|w| SENSITIVE.contains(&w.as_str()))
        || words
            .windows(2)
            .any(|p| matches!(p, [a, b] if PAIRED.contains(&(a.as_str(), b.as_str()))));
    let reference = words
        .last()
        .is_some_and(|w| REFERENCE.contains(&w.as_str()));
    sensitive && !reference
}

/// A literal under a credential-like name that the engine set aside as a sample because it
/// contains a dictionary word (`Passw0rd-Pr0d-2024!`), but that is long and mixed enough to
/// be what a person really deploys: at least 12 characters of 3 character classes, no
/// whitespace, not a template or variable reference.
#[must_use]
pub fn strong_literal(value: &str) -> bool {
    let v = value.trim();
    let templated = ["${", "$(", "{{", "#{", "%{", "<", "ENC["]
        .iter()
        .any(|t| v.contains(t));
    let classes = [
        v.bytes().any(|b| b.is_ascii_lowercase()),
        v.bytes().any(|b| b.is_ascii_uppercase()),
        v.bytes().any(|b| b.is_ascii_digit()),
        v.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|c| **c)
    .count();
    v.chars().count() >= 12
        && classes >= 3
        && !v.contains(char::is_whitespace)
        && !templated
        && !v.starts_with('/')
        // `$2a$10$...` (bcrypt), `$6$...` (crypt): a hash is not the password.
        && !v.starts_with('$')
        && !v.contains("://")
        && !is_template_word(v)
}

/// Words that mark a value as a stand-in even when it looks strong (`REPLACE-ME-2024-Token`).
fn is_template_word(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    [
        "change",
        "replace",
        "example",
        "dummy",
        "sample",
        "fake",
        "placeholder",
        "redacted",
        "todo",
        "fixme",
        "your",
        "insert",
        "xxx",
        "***",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(yaml: &str) -> kubeward_model::Loaded {
        kubeward_model::load_text("t.yaml", yaml)
    }

    #[test]
    fn routes_by_place() {
        let l = load(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {token: ghp_Zr8kQ2vLmN4pX7tW9yB3cD5fH6jK1sA0eR2u}\nspec:\n  containers:\n  - name: a\n    image: x\n    env:\n    - {name: DB_PASSWORD, value: Zq8-vLp2Rx7kWm4T}\n    args: [--db-password, Zq8-vLp2Rx7kWm4T-2]\n",
        );
        let o = &l.objects[0];
        let routes: Vec<Route> = findings(o).iter().map(|f| route(o, f).0).collect();
        assert!(routes.contains(&Route::Env), "{routes:?}");
        assert!(routes.contains(&Route::CommandLine), "{routes:?}");
        assert!(routes.contains(&Route::Other), "{routes:?}");
    }

    #[test]
    fn cache_distinguishes_objects() {
        let a = load(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {password: Zq8-vLp2Rx7kWm4T}\n",
        );
        let b = load(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {password: changeme}\n",
        );
        assert_eq!(findings(&a.objects[0]).len(), 1);
        assert_eq!(findings(&b.objects[0]).len(), 0);
        assert_eq!(findings(&a.objects[0]).len(), 1);
    }

    #[test]
    fn low_confidence_lowers_severity() {
        let l = load(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {AWS_ACCESS_KEY_ID: AKIAZ3MQ7VWXK2LPR4TN}\n",
        );
        let f = findings(&l.objects[0]);
        assert_eq!(severity(&f[0].matched), Severity::High);
        assert!(phrase(&f[0].matched).contains("`AKIA****`"));
    }

    #[test]
    fn strong_literals() {
        assert!(strong_literal("Passw0rd-Pr0d-2024!"));
        for v in [
            "changeme",
            "Example-Passw0rd-2024!",
            "${DB_PASSWORD}",
            "/etc/secret/pw",
            "short1A!",
            "no upper case 1!",
            "$2a$10$sDw5i/JvOdYPOr5CtqBOI18f/ujGXOijY7ya0TMNFeB9i41T0qFAR",
        ] {
            assert!(!strong_literal(v), "{v}");
        }
    }
}

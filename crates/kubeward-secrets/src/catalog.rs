//! The detector catalogue: identity and metadata of every detector.

use serde::Serialize;

/// How bad a leaked credential of this kind is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Limited blast radius.
    Low,
    /// A credential with scoped access.
    Medium,
    /// A credential that grants access to an account, service or data store.
    High,
    /// Keys to the kingdom: cloud root credentials, private keys.
    Critical,
}

/// How sure a detector is that a match is a real credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// A weak signal (key name only, short or low-entropy value).
    Low,
    /// A key-name match with a plausible value, or a format match without a checksum.
    Medium,
    /// A distinctive documented format (fixed prefix and length, parsed structure).
    High,
}

/// Identity and documentation of one detector.
#[derive(Debug, PartialEq, Eq, Hash, Serialize)]
pub struct DetectorInfo {
    /// Stable kebab-case id (`aws-access-key-id`).
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Severity of a true positive.
    pub severity: Severity,
    /// What the detector looks for and why it matters.
    pub description: &'static str,
}

macro_rules! detector {
    ($name:ident, $id:literal, $sev:ident, $title:literal, $desc:literal) => {
        #[doc = $title]
        pub static $name: DetectorInfo = DetectorInfo {
            id: $id,
            title: $title,
            severity: Severity::$sev,
            description: $desc,
        };
    };
}

detector!(
    AWS_ACCESS_KEY_ID,
    "aws-access-key-id",
    High,
    "AWS access key id",
    "A 20-character AWS access key id (AKIA long-term, ASIA temporary). Paired with its secret key it grants the permissions of an IAM principal."
);
detector!(
    AWS_SECRET_ACCESS_KEY,
    "aws-secret-access-key",
    Critical,
    "AWS secret access key",
    "A 40-character AWS secret access key, recognised by its key name (aws_secret_access_key and similar)."
);
detector!(
    GCP_SERVICE_ACCOUNT,
    "gcp-service-account-key",
    Critical,
    "Google Cloud service-account key",
    "A service-account JSON key file (\"type\": \"service_account\" with a private_key) that authenticates as the service account."
);
detector!(
    GCP_API_KEY,
    "gcp-api-key",
    High,
    "Google API key",
    "A Google API key (AIza followed by 35 characters)."
);
detector!(
    AZURE_STORAGE_KEY,
    "azure-storage-key",
    Critical,
    "Azure storage account key or shared access key",
    "An Azure storage account key (AccountKey=...) or Service Bus / Event Hubs SharedAccessKey, usually inside a connection string; grants full access to the account or namespace."
);
detector!(
    GITHUB_TOKEN,
    "github-token",
    High,
    "GitHub token",
    "A GitHub personal access, OAuth, user-to-server, server-to-server or refresh token (ghp_, gho_, ghu_, ghs_, ghr_)."
);
detector!(
    GITHUB_FINE_GRAINED_TOKEN,
    "github-fine-grained-token",
    High,
    "GitHub fine-grained personal access token",
    "A GitHub fine-grained personal access token (github_pat_...)."
);
detector!(
    GITLAB_TOKEN,
    "gitlab-token",
    High,
    "GitLab token",
    "A GitLab personal, deploy, runner, trigger or other prefixed token (glpat-, gldt-, glrt-, glptt-, ...)."
);
detector!(
    SLACK_TOKEN,
    "slack-token",
    High,
    "Slack token",
    "A Slack bot, user, app or configuration token (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xapp-)."
);
detector!(
    SLACK_WEBHOOK,
    "slack-webhook-url",
    Medium,
    "Slack incoming webhook URL",
    "A Slack incoming-webhook or workflow URL; anyone holding it can post into the channel."
);
detector!(
    STRIPE_KEY,
    "stripe-live-key",
    Critical,
    "Stripe live secret key",
    "A Stripe live-mode secret or restricted key (sk_live_, rk_live_) that can move money."
);
detector!(
    TWILIO_CREDENTIAL,
    "twilio-credential",
    High,
    "Twilio auth token or API key secret",
    "A 32-character Twilio auth token or API key secret, recognised by a Twilio key name."
);
detector!(
    SENDGRID_KEY,
    "sendgrid-api-key",
    High,
    "SendGrid API key",
    "A SendGrid API key (SG.<22>.<43>)."
);
detector!(
    NPM_TOKEN,
    "npm-token",
    High,
    "npm access token",
    "An npm access token (npm_...) or an .npmrc _authToken value; can publish packages."
);
detector!(
    PYPI_TOKEN,
    "pypi-token",
    High,
    "PyPI API token",
    "A PyPI or TestPyPI API token (pypi-AgE... macaroon); can upload packages."
);
detector!(
    JWT,
    "jwt",
    Medium,
    "JSON Web Token",
    "A signed JSON Web Token (three base64url parts whose header decodes to JSON with an alg). Often a bearer credential such as a service-account token."
);
detector!(
    PRIVATE_KEY,
    "private-key",
    Critical,
    "Private key",
    "A PEM or OpenSSH private key (-----BEGIN ... PRIVATE KEY-----), in clear or base64-encoded."
);
detector!(
    URL_CREDENTIALS,
    "basic-auth-url",
    High,
    "Credentials in a URL",
    "A URL with an embedded user:password (https://user:pass@host, git, ftp, ldap, smtp, ...)."
);
detector!(
    DATABASE_CONNECTION_STRING,
    "database-connection-string",
    High,
    "Database or broker connection string with a password",
    "A postgres/mysql/mongodb/redis/amqp/... URL with a password, or an ADO-style connection string with Password=."
);
detector!(
    DOCKER_REGISTRY_AUTH,
    "docker-registry-auth",
    High,
    "Container registry credentials",
    "A registry credential from a Docker config (.dockerconfigjson auths.*.auth = base64 user:password, password, identitytoken)."
);
detector!(
    KUBECONFIG_CREDENTIAL,
    "kubeconfig-credential",
    Critical,
    "Kubeconfig embedded credential",
    "A kubeconfig user credential: client-key-data, a bearer token or a password."
);
detector!(
    IMAGE_CREDENTIALS,
    "image-inline-credentials",
    High,
    "Credentials in an image reference",
    "An image string with user:password@ before the registry host."
);
detector!(
    AUTHORIZATION_HEADER,
    "authorization-header",
    High,
    "HTTP Authorization credential",
    "A literal Bearer/Basic/Token credential in an Authorization header (probe httpHeaders, scripts)."
);
detector!(
    SENSITIVE_KEY_VALUE,
    "sensitive-key-value",
    Medium,
    "Literal value under a credential-like key",
    "A non-placeholder, high-entropy literal under a key named like password, secret, token, api_key, access_key, private_key or credentials."
);

/// Every detector, in priority order (when two matches overlap, the earlier detector wins).
pub static ALL_DETECTORS: &[&DetectorInfo] = &[
    &KUBECONFIG_CREDENTIAL,
    &GCP_SERVICE_ACCOUNT,
    &DOCKER_REGISTRY_AUTH,
    &AWS_ACCESS_KEY_ID,
    &AWS_SECRET_ACCESS_KEY,
    &AZURE_STORAGE_KEY,
    &TWILIO_CREDENTIAL,
    &GCP_API_KEY,
    &GITHUB_TOKEN,
    &GITHUB_FINE_GRAINED_TOKEN,
    &GITLAB_TOKEN,
    &SLACK_TOKEN,
    &SLACK_WEBHOOK,
    &STRIPE_KEY,
    &SENDGRID_KEY,
    &NPM_TOKEN,
    &PYPI_TOKEN,
    &PRIVATE_KEY,
    &IMAGE_CREDENTIALS,
    &DATABASE_CONNECTION_STRING,
    &URL_CREDENTIALS,
    &JWT,
    &AUTHORIZATION_HEADER,
    &SENSITIVE_KEY_VALUE,
];

/// The priority rank of a detector (lower wins).
pub(crate) fn priority(info: &DetectorInfo) -> usize {
    ALL_DETECTORS
        .iter()
        .position(|d| d.id == info.id)
        .unwrap_or(usize::MAX)
}

/// Looks a detector up by id.
///
/// ```
/// let d = kubeward_secrets::detector_by_id("aws-access-key-id").unwrap();
/// assert_eq!(d.title, "AWS access key id");
/// ```
#[must_use]
pub fn detector_by_id(id: &str) -> Option<&'static DetectorInfo> {
    ALL_DETECTORS.iter().copied().find(|d| d.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_unique_and_kebab() {
        let mut ids: Vec<_> = ALL_DETECTORS.iter().map(|d| d.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        for id in ids {
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{id}"
            );
        }
    }
}

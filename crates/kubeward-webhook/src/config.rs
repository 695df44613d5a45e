//! Typed configuration: the rules come from the same `.kubeward.yaml` as `kubeward scan`
//! ([`kubeward_rules::Config`]); the admission-specific part lives under its `webhook:` key
//! and is validated here with `file:line:column` errors.
//!
//! ```
//! use kubeward_webhook::config::{Action, Policy, Updates};
//! let text = "ignore: [IMG002]\nwebhook:\n  mode: warn\n  updates: all\n  actions: {POD001: deny}\n";
//! let policy = Policy::parse("k.yaml", text, false).unwrap();
//! assert_eq!(policy.webhook.mode, Action::Warn);
//! assert_eq!(policy.webhook.updates, Updates::All);
//! let err = Policy::parse("k.yaml", "webhook:\n  exemptions:\n  - {users: [ci]}\n", false).unwrap_err();
//! assert!(err.to_string().starts_with("k.yaml:3:"), "{err}");
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use kubeward_diagnostics::Severity;
use std::sync::Arc;

use kubeward_imagepolicy::ImageGate;
use kubeward_rules::images::{ImagesConfig, RegistryFailure};
use kubeward_rules::rules::image::{
    IMAGE_KNOWN_VULNERABILITIES, IMAGE_SIGNATURE_MISSING, IMAGE_UNVERIFIABLE,
};
use kubeward_rules::{Engine, matches_rule, registry, selector_is_known};
use serde::{Deserialize, Serialize};

/// What happens to a finding at admission. Ordered by strength: `audit < warn < deny`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Log, count and add an audit annotation; the request is allowed silently.
    Audit,
    /// Allowed, with an AdmissionResponse warning (kubectl prints it).
    Warn,
    /// Rejected with a message listing codes, field paths and fixes.
    #[default]
    Deny,
}

impl Action {
    /// `audit`, `warn` or `deny`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Audit => "audit",
            Action::Warn => "warn",
            Action::Deny => "deny",
        }
    }

    /// Parses `audit`, `warn` or `deny`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Action> {
        match s {
            "audit" => Some(Action::Audit),
            "warn" => Some(Action::Warn),
            "deny" => Some(Action::Deny),
            _ => None,
        }
    }
}

/// How UPDATE requests are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Updates {
    /// Only findings the change introduces (absent from `oldObject`, compared by code and
    /// field path) are enforced, so existing workloads can still be scaled during an incident.
    #[default]
    Introduced,
    /// Every finding of the new object is enforced.
    All,
}

/// The action for findings of each severity when no per-rule action applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeverityActions {
    /// `critical` findings.
    pub critical: Action,
    /// `high` findings.
    pub high: Action,
    /// `medium` findings.
    pub medium: Action,
    /// `low` findings.
    pub low: Action,
    /// `info` findings.
    pub info: Action,
}

impl Default for SeverityActions {
    fn default() -> Self {
        Self {
            critical: Action::Deny,
            high: Action::Deny,
            medium: Action::Warn,
            low: Action::Audit,
            info: Action::Audit,
        }
    }
}

impl SeverityActions {
    /// The action for `severity`.
    #[must_use]
    pub fn of(&self, severity: Severity) -> Action {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }
}

/// A request-level exemption. Every given matcher must match; an absent matcher matches
/// everything. `reason` is mandatory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequestExemption {
    /// Rules (codes, names, prefixes) exempted; empty means every rule.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Namespaces of the request.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// `userInfo.username` of the request (exact).
    #[serde(default)]
    pub users: Vec<String>,
    /// `userInfo.groups` of the request (any of them).
    #[serde(default)]
    pub groups: Vec<String>,
    /// Label selector on the object (`matchLabels`: all must be present with these values).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Why the exemption exists (mandatory).
    pub reason: String,
}

/// Resource limits of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Limits {
    /// Largest `/validate` request body, in bytes (answered with 413 above it). The API
    /// server sends the object and the old object: twice etcd's 1.5 MiB object limit fits.
    pub max_body_bytes: usize,
    /// Requests admitted at once (queued for a worker or being evaluated); more get 429.
    pub max_in_flight: usize,
    /// Evaluations running in parallel; 0 means one per CPU.
    pub workers: usize,
    /// Time budget of one request from arrival to answer, in milliseconds (the API server
    /// gives up after the webhook's `timeoutSeconds`).
    pub eval_timeout_ms: u64,
    /// Largest `/audit` batch, in bytes.
    pub audit_max_body_bytes: usize,
    /// Audit batches waiting for the detector; more get 429 and the API server retries.
    pub audit_queue: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 4 << 20,
            max_in_flight: 256,
            workers: 0,
            eval_timeout_ms: 2_000,
            audit_max_body_bytes: 16 << 20,
            audit_queue: 64,
        }
    }
}

fn default_exempt_namespaces() -> Vec<String> {
    ["kube-system", "kube-public", "kube-node-lease"]
        .map(str::to_owned)
        .to_vec()
}

fn default_own_namespace() -> String {
    "kubeward".to_owned()
}

fn default_subresources() -> Vec<String> {
    vec!["ephemeralcontainers".to_owned()]
}

/// The `webhook:` section of `.kubeward.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct WebhookConfig {
    /// The default mode: the strongest action any finding can get (`deny` enforces, `warn`
    /// turns denials into warnings, `audit` only records). A namespace's
    /// `kubeward.io/enforce` label (through the `/validate/{mode}` endpoints) or
    /// `namespace-modes` replaces it for that namespace.
    pub mode: Action,
    /// Action per severity when no per-rule action applies.
    pub severity_actions: SeverityActions,
    /// Action per rule code, name or prefix (`POD: deny`, `IMG002: warn`); the longest
    /// matching selector wins over `severity-actions`.
    pub actions: BTreeMap<String, Action>,
    /// How UPDATE requests are judged.
    pub updates: Updates,
    /// Subresources evaluated (the object is the parent, e.g. `ephemeralcontainers` of a
    /// Pod); requests for other subresources are allowed without evaluation.
    pub subresources: Vec<String>,
    /// kubeward's own namespace, always exempt so a broken webhook cannot block its repair.
    pub namespace: String,
    /// Namespaces never evaluated.
    pub exempt_namespaces: Vec<String>,
    /// Mode per namespace (a stateless alternative to the namespace label).
    pub namespace_modes: BTreeMap<String, Action>,
    /// Request-level exemptions (namespace, user, group, object labels) with reasons.
    pub exemptions: Vec<RequestExemption>,
    /// Break glass: every `deny` becomes `warn` (for incidents; log and metrics continue).
    pub break_glass: bool,
    /// Limits.
    pub limits: Limits,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            mode: Action::Deny,
            severity_actions: SeverityActions::default(),
            actions: BTreeMap::new(),
            updates: Updates::Introduced,
            subresources: default_subresources(),
            namespace: default_own_namespace(),
            exempt_namespaces: default_exempt_namespaces(),
            namespace_modes: BTreeMap::new(),
            exemptions: Vec::new(),
            break_glass: false,
            limits: Limits::default(),
        }
    }
}

/// A configuration error with its position in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: {message}")]
    Io {
        /// The file.
        file: String,
        /// What failed.
        message: String,
    },
    /// The file is invalid (syntax, unknown key, wrong type, missing reason).
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// Line (1-based).
        line: u32,
        /// Column (1-based).
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// The `images:` section cannot be loaded (keys, CA files, vulnerability database).
    #[error("{file}: `images`: {message}")]
    Images {
        /// The configuration file.
        file: String,
        /// What failed.
        message: String,
    },
    /// The audit-detector settings are invalid.
    #[error("{file}: `webhook.audit`: {message}")]
    Audit {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
}

/// Everything a request is judged with: the rule engine (same rules, options, selection and
/// exemptions as `kubeward scan`) and the webhook settings. Immutable; reloads build a new one.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The rule engine.
    pub engine: Engine,
    /// The webhook settings.
    pub webhook: WebhookConfig,
    /// Settings of the audit detectors behind `POST /audit`.
    pub audit: kubeward_audit::Config,
    /// The image supply-chain gate of the `images:` section (signatures, vulnerabilities),
    /// when it configures a check and the IMG200–IMG202 rules are enabled. Its caches live as
    /// long as this policy (a configuration reload starts them cold).
    pub images: Option<Arc<ImageGate>>,
}

impl Policy {
    /// The built-in defaults (every rule, default webhook settings).
    #[must_use]
    pub fn defaults(break_glass: bool) -> Policy {
        let mut webhook = WebhookConfig::default();
        webhook.break_glass |= break_glass;
        Policy {
            engine: Engine::new(kubeward_rules::Config::default().into_settings(today())),
            webhook,
            audit: kubeward_audit::Config::default(),
            images: None,
        }
    }

    /// Loads the configuration file, or the defaults without one.
    ///
    /// # Errors
    /// [`ConfigError`] when the file cannot be read or is invalid.
    pub fn load(path: Option<&Path>, break_glass: bool) -> Result<Policy, ConfigError> {
        let Some(path) = path else {
            return Ok(Policy::defaults(break_glass));
        };
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        Policy::parse(&file, &text, break_glass)
    }

    /// Parses a configuration text (`file` names it in errors). `break_glass` forces the
    /// break-glass switch on (the command-line flag).
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] located at the offending key.
    pub fn parse(file: &str, text: &str, break_glass: bool) -> Result<Policy, ConfigError> {
        let mut rules =
            kubeward_rules::Config::parse(file, text).map_err(|e| ConfigError::Invalid {
                file: e.file,
                line: e.line,
                column: e.column,
                message: e.message,
            })?;
        let raw = rules.webhook.take().unwrap_or(serde_json::Value::Null);
        let root = || {
            kubeward_yaml::parse_str(text)
                .documents
                .into_iter()
                .find(|d| !d.root.is_null())
                .map(|d| d.root)
        };
        let at = |path: &str, message: String| {
            let (line, column) = root().map_or((1, 1), |r| position(&r, path));
            ConfigError::Invalid {
                file: file.to_owned(),
                line,
                column,
                message,
            }
        };
        // The audit detectors read the same top-level `audit:` section as `kubeward audit`;
        // `webhook.audit` overrides it for the server only.
        let shared_audit = rules.audit_config().map_err(|e| ConfigError::Audit {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        let (mut webhook, mut audit) = if raw.is_null() {
            (WebhookConfig::default(), shared_audit)
        } else {
            let mut raw = raw;
            let audit_raw = raw
                .as_object_mut()
                .and_then(|m| m.remove("audit"))
                .unwrap_or(serde_json::Value::Null);
            let section: WebhookConfig = serde_path_to_error::deserialize(raw).map_err(|e| {
                let path = e.path().to_string();
                at(
                    &format!("webhook.{path}"),
                    format!("`webhook.{path}`: {}", e.inner()),
                )
            })?;
            let audit = if audit_raw.is_null() {
                shared_audit
            } else {
                serde_path_to_error::deserialize(audit_raw).map_err(|e| {
                    let path = e.path().to_string();
                    at(
                        &format!("webhook.audit.{path}"),
                        format!("`webhook.audit.{path}`: {}", e.inner()),
                    )
                })?
            };
            (section, audit)
        };
        validate(&webhook, &at)?;
        // Rule selection (`select`/`ignore`) applies to the audit detectors as in
        // `kubeward audit`: a detector whose AUD rule is not selected does not run.
        let selection = kubeward_rules::Selection::new(rules.select.clone(), rules.ignore.clone());
        for rule in kubeward_rules::rules::audit::RULES {
            if !selection.enabled(rule) && !audit.disabled.iter().any(|d| d == rule.code) {
                audit.disabled.push(rule.code.to_owned());
            }
        }
        kubeward_audit::Engine::new(audit.clone()).map_err(|e| ConfigError::Audit {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        webhook.break_glass |= break_glass;
        let images_config = std::mem::take(&mut rules.images);
        let engine = Engine::new(rules.into_settings(today()));
        let images = load_images(&images_config, file, &engine)?;
        if images.is_some() {
            // A registry failure denies (fail-closed) or warns (fail-open) unless the
            // configuration names an action for IMG202 itself.
            let explicit = registry::find(IMAGE_UNVERIFIABLE.code)
                .is_some_and(|rule| webhook.actions.keys().any(|sel| matches_rule(sel, rule)));
            if !explicit {
                let action = match images_config.admission.on_registry_error {
                    RegistryFailure::FailClosed => Action::Deny,
                    RegistryFailure::FailOpen => Action::Warn,
                };
                webhook
                    .actions
                    .insert(IMAGE_UNVERIFIABLE.code.to_owned(), action);
            }
        }
        Ok(Policy {
            engine,
            webhook,
            audit,
            images,
        })
    }
}

/// The image gate of an `images:` section, with key and CA paths relative to the
/// configuration file.
fn load_images(
    images: &ImagesConfig,
    file: &str,
    engine: &Engine,
) -> Result<Option<Arc<ImageGate>>, ConfigError> {
    let enabled = [
        &IMAGE_SIGNATURE_MISSING,
        &IMAGE_KNOWN_VULNERABILITIES,
        &IMAGE_UNVERIFIABLE,
    ]
    .into_iter()
    .any(|rule| engine.is_enabled(rule));
    if !images.is_active() || !enabled {
        return Ok(None);
    }
    let base = Path::new(file)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    ImageGate::load(images, base)
        .map(|gate| Some(Arc::new(gate)))
        .map_err(|e| ConfigError::Images {
            file: file.to_owned(),
            message: e.to_string(),
        })
}

fn today() -> String {
    kubeward_rules::today_utc()
}

fn validate(
    webhook: &WebhookConfig,
    at: &dyn Fn(&str, String) -> ConfigError,
) -> Result<(), ConfigError> {
    let rules = registry::all();
    for key in webhook.actions.keys() {
        if !selector_is_known(key, rules) {
            return Err(at(
                &format!("webhook.actions.{key}"),
                format!("`{key}` matches no rule"),
            ));
        }
    }
    for (i, e) in webhook.exemptions.iter().enumerate() {
        if e.reason.trim().is_empty() {
            return Err(at(
                &format!("webhook.exemptions[{i}]"),
                "an exemption needs a non-empty `reason`".to_owned(),
            ));
        }
        for (j, s) in e.rules.iter().enumerate() {
            if !selector_is_known(s, rules) {
                return Err(at(
                    &format!("webhook.exemptions[{i}].rules[{j}]"),
                    format!("`{s}` matches no rule"),
                ));
            }
        }
    }
    let l = &webhook.limits;
    for (name, value) in [
        ("max-body-bytes", l.max_body_bytes as u64),
        ("max-in-flight", l.max_in_flight as u64),
        ("eval-timeout-ms", l.eval_timeout_ms),
        ("audit-max-body-bytes", l.audit_max_body_bytes as u64),
        ("audit-queue", l.audit_queue as u64),
    ] {
        if value == 0 {
            return Err(at(
                &format!("webhook.limits.{name}"),
                format!("`{name}` must be greater than zero"),
            ));
        }
    }
    Ok(())
}

/// Position of a serde path in the YAML tree, falling back to the nearest existing parent.
fn position(root: &kubeward_yaml::Node, path: &str) -> (u32, u32) {
    let located = root.locate(path);
    let span = if located.span.start.line == 0 {
        root.span
    } else {
        located.span
    };
    (span.start.line.max(1), span.start.col.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_exempt_system_namespaces() {
        let p = Policy::parse("k.yaml", "", false).unwrap();
        assert_eq!(p.webhook.exempt_namespaces.len(), 3);
        assert_eq!(p.webhook.namespace, "kubeward");
        assert_eq!(p.webhook.updates, Updates::Introduced);
        assert_eq!(p.webhook.mode, Action::Deny);
    }

    #[test]
    fn unknown_key_is_located() {
        let err = Policy::parse(
            "k.yaml",
            "webhook:\n  limits:\n    max-bodybytes: 3\n",
            false,
        )
        .unwrap_err();
        let ConfigError::Invalid { line, message, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(line, 3, "{message}");
        assert!(message.contains("max-bodybytes"), "{message}");
    }

    #[test]
    fn unknown_rule_selector_is_rejected() {
        let err = Policy::parse("k.yaml", "webhook:\n  actions:\n    NOPE999: warn\n", false)
            .unwrap_err();
        assert!(err.to_string().contains("NOPE999"), "{err}");
    }

    #[test]
    fn bad_action_is_rejected() {
        let err = Policy::parse("k.yaml", "webhook:\n  mode: block\n", false).unwrap_err();
        assert!(err.to_string().starts_with("k.yaml:2:"), "{err}");
    }

    #[test]
    fn zero_limit_is_rejected() {
        let err =
            Policy::parse("k.yaml", "webhook:\n  limits: {audit-queue: 0}\n", false).unwrap_err();
        assert!(err.to_string().contains("audit-queue"), "{err}");
    }

    #[test]
    fn audit_settings_are_read() {
        let p = Policy::parse(
            "k.yaml",
            "webhook:\n  audit:\n    disabled: [AUD003]\n",
            false,
        )
        .unwrap();
        assert_eq!(p.audit.disabled, vec!["AUD003"]);
        let err = Policy::parse(
            "k.yaml",
            "webhook:\n  audit:\n    disabled: [nope]\n",
            false,
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::Audit { .. }), "{err:?}");
    }

    #[test]
    fn break_glass_flag_forces_switch() {
        let p = Policy::parse("k.yaml", "webhook: {break-glass: false}\n", true).unwrap();
        assert!(p.webhook.break_glass);
    }

    #[test]
    fn rules_section_still_validated() {
        let err = Policy::parse("k.yaml", "ignore: [NOPE]\n", false).unwrap_err();
        assert!(err.to_string().contains("NOPE"), "{err}");
    }
}

#[cfg(test)]
mod shared_audit_tests {
    use super::*;

    #[test]
    fn top_level_audit_section_and_rule_selection_reach_the_detectors() {
        let policy = Policy::parse(
            "k.yaml",
            "ignore: [AUD003]\naudit:\n  disabled: [AUD004]\n",
            false,
        )
        .unwrap();
        assert!(policy.audit.disabled.iter().any(|d| d == "AUD004"));
        assert!(policy.audit.disabled.iter().any(|d| d == "AUD003"));
        assert!(!policy.audit.disabled.iter().any(|d| d == "AUD001"));
        let overridden = Policy::parse(
            "k.yaml",
            "audit:\n  disabled: [AUD004]\nwebhook:\n  audit:\n    disabled: [AUD005]\n",
            false,
        )
        .unwrap();
        assert_eq!(overridden.audit.disabled, vec!["AUD005".to_string()]);
    }
}

//! The configuration file `.kubeward.yaml`: typed, validated at load time with file:line
//! errors, and turned into immutable [`Settings`]. Its JSON Schema is generated from these
//! types (`kubeward config schema`).

use std::collections::BTreeMap;

use kubeward_diagnostics::Severity;
use kubeward_yaml::{Node, Value};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::exemption::Exemption;
use crate::images::ImagesConfig;
use crate::options::RuleOptions;
use crate::registry;
use crate::runner::Settings;
use crate::selection::{Selection, selector_is_known};

/// The on-disk configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Rules to run (codes, names or prefixes); empty runs every rule.
    pub select: Vec<String>,
    /// Rules not to run.
    pub ignore: Vec<String>,
    /// Severity overrides: `{POD005: high, missing-cpu-limit: info}`.
    pub severity: BTreeMap<String, Severity>,
    /// Lowest severity that makes `kubeward scan` exit 1 (`never` to always exit 0).
    pub fail_on: Option<String>,
    /// Typed per-rule options.
    pub options: RuleOptions,
    /// Exemptions with mandatory reasons.
    pub exemptions: Vec<Exemption>,
    /// Admission-webhook settings for `kubeward serve` (enforcement actions, updates mode,
    /// request exemptions, limits). Kept as JSON here and validated by `kubeward-webhook`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub webhook: Option<serde_json::Value>,
    /// Audit-log detector settings for `kubeward audit` (allow-lists, thresholds, disabled
    /// detectors): the camelCase fields of `kubeward_audit::Config`, validated at load with
    /// located errors; read them with [`Config::audit_config`].
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub audit: Option<serde_json::Value>,
    /// Image supply-chain policy: required cosign signatures, the SBOM vulnerability gate,
    /// registry access and admission caching (rules IMG200–IMG202, `kubeward image`).
    #[serde(skip_serializing_if = "crate::images::is_default")]
    pub images: ImagesConfig,
}

/// A configuration error with its position in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    /// The configuration file.
    pub file: String,
    /// Line (1-based).
    pub line: u32,
    /// Column (1-based).
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

impl Config {
    /// Parses and validates a configuration text.
    ///
    /// ```
    /// use kubeward_rules::Config;
    /// let c = Config::parse("k.yaml", "ignore: [POD016]\noptions:\n  allowed-registries: [ghcr.io/acme]\n").unwrap();
    /// assert_eq!(c.options.allowed_registries, vec!["ghcr.io/acme"]);
    /// let err = Config::parse("k.yaml", "options:\n  allowed-registrys: [x]\n").unwrap_err();
    /// assert_eq!((err.line, err.column), (2, 3));
    /// ```
    ///
    /// # Errors
    /// Syntax errors, unknown keys, wrong types, unknown rule selectors and exemptions without a
    /// reason, each located.
    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        let parsed = kubeward_yaml::parse_str(text);
        let err_at = |line: u32, column: u32, message: String| ConfigError {
            file: file.to_string(),
            line,
            column,
            message,
        };
        if let Some(issue) = parsed.issues.first() {
            return Err(err_at(
                issue.span.start.line,
                issue.span.start.col,
                issue.message.clone(),
            ));
        }
        let Some(doc) = parsed.documents.into_iter().find(|d| !d.root.is_null()) else {
            return Ok(Config::default());
        };
        let json = to_json(&doc.root);
        let config: Config = serde_path_to_error::deserialize(json).map_err(|e| {
            let path = e.path().to_string();
            let located = locate_serde_path(&doc.root, &path);
            err_at(located.0, located.1, format!("`{path}`: {}", e.inner()))
        })?;
        config.validate(&doc.root, file)?;
        Ok(config)
    }

    fn validate(&self, root: &Node, file: &str) -> Result<(), ConfigError> {
        let rules = registry::all();
        let at = |path: &str, message: String| {
            let (line, column) = locate_serde_path(root, path);
            ConfigError {
                file: file.to_string(),
                line,
                column,
                message,
            }
        };
        for (list, name) in [(&self.select, "select"), (&self.ignore, "ignore")] {
            for (i, s) in list.iter().enumerate() {
                if !selector_is_known(s, rules) {
                    return Err(at(
                        &format!("{name}[{i}]"),
                        format!("`{s}` matches no rule"),
                    ));
                }
            }
        }
        for key in self.severity.keys() {
            if !selector_is_known(key, rules) {
                return Err(at(
                    &format!("severity.{key}"),
                    format!("`{key}` matches no rule"),
                ));
            }
        }
        if let Some(fail_on) = &self.fail_on
            && fail_on != "never"
            && fail_on.parse::<Severity>().is_err()
        {
            return Err(at(
                "fail-on",
                format!(
                    "`{fail_on}` is not a severity (critical, high, medium, low, info) or `never`"
                ),
            ));
        }
        for (i, e) in self.exemptions.iter().enumerate() {
            if e.reason.trim().is_empty() {
                return Err(at(
                    &format!("exemptions[{i}]"),
                    "an exemption needs a non-empty `reason`".to_string(),
                ));
            }
            if let Some(date) = &e.expires
                && !is_iso_date(date)
            {
                return Err(at(
                    &format!("exemptions[{i}].expires"),
                    format!("`{date}` is not a date (YYYY-MM-DD)"),
                ));
            }
            for (j, s) in e.rules.iter().enumerate() {
                if !selector_is_known(s, rules) {
                    return Err(at(
                        &format!("exemptions[{i}].rules[{j}]"),
                        format!("`{s}` matches no rule"),
                    ));
                }
            }
        }
        if let Some((path, message)) = crate::images::validate(&self.images) {
            return Err(at(&path, format!("`{path}`: {message}")));
        }
        self.validate_audit(&at)
    }

    /// The `audit` section must be a valid `kubeward_audit::Config` that the engine accepts.
    fn validate_audit(&self, at: &dyn Fn(&str, String) -> ConfigError) -> Result<(), ConfigError> {
        let Some(raw) = &self.audit else {
            return Ok(());
        };
        let audit: kubeward_audit::Config =
            serde_path_to_error::deserialize(raw.clone()).map_err(|e| {
                let path = e.path().to_string();
                let path = if path == "." {
                    "audit".to_string()
                } else {
                    format!("audit.{path}")
                };
                at(&path, format!("`{path}`: {}", e.inner()))
            })?;
        let err = match kubeward_audit::Engine::new(audit.clone()) {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let path = match &err {
            kubeward_audit::ConfigError::UnknownDetector { field, name }
                if *field == "disabled" =>
            {
                match audit.disabled.iter().position(|d| d == name) {
                    Some(i) => format!("audit.disabled[{i}]"),
                    None => "audit.disabled".to_string(),
                }
            }
            kubeward_audit::ConfigError::UnknownDetector { field, name } => {
                format!("audit.{field}.{name}")
            }
            kubeward_audit::ConfigError::NotPositive(field) => format!("audit.{field}"),
            kubeward_audit::ConfigError::Sensitive(_) => "audit.firstSeen.sensitive".to_string(),
        };
        Err(at(&path, format!("`audit`: {err}")))
    }

    /// The audit-detector settings of the `audit` section (the defaults without one).
    ///
    /// ```
    /// use kubeward_rules::Config;
    /// let c = Config::parse("k.yaml", "audit:\n  forbiddenBurst: {threshold: 5}\n").unwrap();
    /// assert_eq!(c.audit_config().unwrap().forbidden_burst.threshold, 5);
    /// let err = Config::parse("k.yaml", "audit:\n  disabled: [AUD003, nope]\n").unwrap_err();
    /// assert_eq!((err.line, err.column), (2, 22));
    /// let err = Config::parse("k.yaml", "audit:\n  forbiddenBurst:\n    threshol: 5\n").unwrap_err();
    /// assert_eq!(err.line, 3);
    /// ```
    ///
    /// # Errors
    /// When the section is not a valid audit configuration ([`Config::parse`] has already
    /// rejected such files).
    pub fn audit_config(&self) -> Result<kubeward_audit::Config, serde_json::Error> {
        match &self.audit {
            Some(raw) => serde_json::from_value(raw.clone()),
            None => Ok(kubeward_audit::Config::default()),
        }
    }

    /// Settings for a run: this configuration plus command-line selections.
    #[must_use]
    pub fn into_settings(self, today: String) -> Settings {
        Settings {
            selection: Selection::new(self.select, self.ignore),
            severity: self.severity,
            options: self.options,
            exemptions: self.exemptions,
            today,
        }
    }

    /// The JSON Schema of the configuration file.
    #[must_use]
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Config);
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    }
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// Position of a serde path (`options.allowed-registries[0]`) in the YAML tree, falling back
/// to the nearest existing parent.
fn locate_serde_path(root: &Node, path: &str) -> (u32, u32) {
    let located = root.locate(path);
    let span = if located.span.start.line == 0 {
        root.span
    } else {
        located.span
    };
    (span.start.line.max(1), span.start.col.max(1))
}

/// Converts a YAML tree to JSON for serde (keys as their string form).
#[must_use]
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(_) => J::Object(
            node.entries()
                .map(|(k, v)| (k.into_owned(), to_json(v)))
                .collect(),
        ),
    }
}

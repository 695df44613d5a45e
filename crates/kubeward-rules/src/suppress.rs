//! In-manifest suppressions: `kubeward.io/ignore: "POD001,POD004: reason"`.

/// The annotation that suppresses findings on an object.
pub const IGNORE_ANNOTATION: &str = "kubeward.io/ignore";

/// A parsed suppression annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Codes, names or prefixes.
    pub selectors: Vec<String>,
    /// The mandatory reason.
    pub reason: String,
}

/// Parses the annotation value. Several groups may be separated by `;`:
/// `"POD001,POD004: needs raw sockets; IMG001: pinned by the CD tool"`.
///
/// ```
/// use kubeward_rules::parse_suppressions;
/// let s = parse_suppressions("POD001, host-pid: legacy agent").unwrap();
/// assert_eq!(s[0].selectors, vec!["POD001", "host-pid"]);
/// assert_eq!(s[0].reason, "legacy agent");
/// assert!(parse_suppressions("POD001").is_err());
/// ```
///
/// # Errors
/// A message when a group has no codes or no reason.
pub fn parse_suppressions(value: &str) -> Result<Vec<Suppression>, String> {
    let mut out = Vec::new();
    for group in value.split(';').map(str::trim).filter(|g| !g.is_empty()) {
        let Some((codes, reason)) = group.split_once(':') else {
            return Err(format!(
                "`{IGNORE_ANNOTATION}` needs `CODE[,CODE]: reason`; `{group}` has no reason"
            ));
        };
        let selectors: Vec<String> = codes
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        let reason = reason.trim();
        if selectors.is_empty() {
            return Err(format!(
                "`{IGNORE_ANNOTATION}` group `{group}` names no rule"
            ));
        }
        if reason.is_empty() {
            return Err(format!(
                "`{IGNORE_ANNOTATION}` group `{group}` has an empty reason; a reason is mandatory"
            ));
        }
        out.push(Suppression {
            selectors,
            reason: reason.to_string(),
        });
    }
    if out.is_empty() {
        return Err(format!("`{IGNORE_ANNOTATION}` is empty"));
    }
    Ok(out)
}

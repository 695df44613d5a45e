//! [`Redacted`]: a value that never shows itself in output.

use std::fmt;

use serde::{Serialize, Serializer};

/// The mask shown in place of a secret.
pub const MASK: &str = "****";

/// A secret value that masks itself in `Display`, `Debug` and `Serialize`.
///
/// The only text a `Redacted` ever prints is an optional *public hint* followed by `****`.
/// The hint is a `&'static str` chosen by a detector from its list of documented, fixed
/// token prefixes (`AKIA`, `ghp_`, `-----BEGIN RSA PRIVATE KEY-----`, ...), so it is never
/// derived from the secret bytes at formatting time. Code that truly needs the value calls
/// [`Redacted::expose_secret`], which is easy to grep for in review.
///
/// ```
/// use kubeward_secrets::Redacted;
/// let r = Redacted::with_hint(String::from("AKIAZZZZQQQQ22223333"), Some("AKIA"));
/// assert_eq!(r.to_string(), "AKIA****");
/// assert_eq!(format!("{r:?}"), "Redacted(\"AKIA****\")");
/// assert_eq!(serde_json::to_string(&r).unwrap(), "\"AKIA****\"");
/// let plain = Redacted::new(String::from("hunter2-but-longer"));
/// assert_eq!(plain.to_string(), "****");
/// // Compare without printing: assert_eq! would show the secret if it failed.
/// assert!(plain.expose_secret() == "hunter2-but-longer");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Redacted<T> {
    inner: T,
    hint: Option<&'static str>,
}

impl<T> Redacted<T> {
    /// Wraps a value; it is shown as `****`.
    #[must_use]
    pub const fn new(inner: T) -> Self {
        Self { inner, hint: None }
    }

    /// Wraps a value that starts with a documented public prefix; it is shown as
    /// `<hint>****`. The hint must be a fixed string from a detector's table, never a slice
    /// of the secret.
    #[must_use]
    pub const fn with_hint(inner: T, hint: Option<&'static str>) -> Self {
        Self { inner, hint }
    }

    /// The public hint, if any (`AKIA`, `ghp_`, ...).
    #[must_use]
    pub const fn hint(&self) -> Option<&'static str> {
        self.hint
    }

    /// The secret itself. Never format or log the result.
    #[must_use]
    pub const fn expose_secret(&self) -> &T {
        &self.inner
    }

    /// The masked text that Display, Debug and Serialize show.
    #[must_use]
    pub fn masked(&self) -> String {
        format!("{}{MASK}", self.hint.unwrap_or(""))
    }
}

impl<T> fmt::Display for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hint.unwrap_or(""))?;
        f.write_str(MASK)
    }
}

impl<T> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Redacted").field(&self.masked()).finish()
    }
}

impl<T> Serialize for Redacted<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_everywhere() {
        let canary = "CANARY-0123456789abcdef";
        let r = Redacted::new(canary.to_string());
        assert!(!format!("{r}").contains("CANARY"));
        assert!(!format!("{r:?}").contains("CANARY"));
        assert!(!format!("{r:#?}").contains("CANARY"));
        assert!(!serde_json::to_string(&r).unwrap().contains("CANARY"));
        assert!(r.expose_secret() == canary);
        assert_eq!(r.hint(), None);
    }

    #[test]
    fn hint_is_shown() {
        let r = Redacted::with_hint(vec![1u8, 2, 3], Some("ghp_"));
        assert_eq!(r.to_string(), "ghp_****");
        assert_eq!(r.masked(), "ghp_****");
    }
}

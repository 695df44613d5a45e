//! The spanned value tree every later stage reads.

use std::borrow::Cow;

use kubeward_source::Span;

/// A YAML/JSON value with the source span it came from.
///
/// ```
/// let doc = kubeward_yaml::parse_str("spec:\n  replicas: 3\n  paused: yes\n");
/// let root = &doc.documents[0].root;
/// let spec = root.get("spec").unwrap();
/// assert_eq!(spec.get("replicas").and_then(|n| n.as_i64()), Some(3));
/// // YAML 1.1 booleans, as the Kubernetes API server reads them:
/// assert_eq!(spec.get("paused").and_then(|n| n.as_bool()), Some(true));
/// assert_eq!(spec.span.start.line, 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value is in its source file.
    pub span: Span,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~`, empty.
    Null,
    /// A boolean (YAML 1.1: `true`, `yes`, `on`, `y`, ...).
    Bool(bool),
    /// An integer (decimal, `0x` hex, `0o`/leading-zero octal, `0b` binary).
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string (quoted scalars are always strings).
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping as ordered key/value pairs; duplicate keys are kept (the last one wins in
    /// lookups, as in kubectl) so that they can be reported.
    Map(Vec<(Node, Node)>),
}

/// A node with a `Null` value and a default span; returned by lookups that need a placeholder.
pub static NULL: Node = Node {
    value: Value::Null,
    span: Span {
        start: kubeward_source::Pos { line: 0, col: 0 },
        end: kubeward_source::Pos { line: 0, col: 0 },
    },
};

impl Node {
    /// A node from a value and a span.
    #[must_use]
    pub const fn new(value: Value, span: Span) -> Self {
        Self { value, span }
    }

    /// Looks up `key` in a mapping (the last entry wins when a key is duplicated).
    /// Non-string keys match by their string form (`1: x` matches `"1"`).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|(_, v)| v)
    }

    /// Like [`Node::get`] but returns the key node too (useful for spans: the key is where a
    /// user looks).
    #[must_use]
    pub fn get_entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.key_matches(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    fn key_matches(&self, key: &str) -> bool {
        match &self.value {
            Value::Str(s) => s == key,
            _ => self.scalar_string().is_some_and(|s| s == key),
        }
    }

    /// The string, if this is a string scalar.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is a boolean scalar.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The integer, if this is an integer scalar (or a float with no fractional part).
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            #[allow(clippy::cast_possible_truncation)]
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    /// The number as a float, if this is a numeric scalar.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            #[allow(clippy::cast_precision_loss)]
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The items, if this is a sequence.
    #[must_use]
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, if this is a mapping.
    #[must_use]
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Iterates over the items of a sequence (nothing for other values).
    pub fn items(&self) -> impl Iterator<Item = &Node> {
        self.as_seq().unwrap_or_default().iter()
    }

    /// Iterates over the entries of a mapping as `(key string, value)`; later duplicates are
    /// skipped so each key appears once with its effective value.
    pub fn entries(&self) -> impl Iterator<Item = (Cow<'_, str>, &Node)> {
        let entries = self.as_map().unwrap_or_default();
        entries.iter().enumerate().filter_map(move |(i, (k, v))| {
            let key = k.scalar_string()?;
            let shadowed = entries
                .get(i + 1..)
                .unwrap_or_default()
                .iter()
                .any(|(later, _)| later.key_matches(&key));
            (!shadowed).then_some((key, v))
        })
    }

    /// True for `null`, `~` and empty values.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// True for mappings.
    #[must_use]
    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// True for sequences.
    #[must_use]
    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }

    /// A scalar's string form as the API server would store it in a string field
    /// (`yes` becomes `"true"`, `0644` becomes `"420"`); `None` for collections and null.
    #[must_use]
    pub fn scalar_string(&self) -> Option<Cow<'_, str>> {
        match &self.value {
            Value::Str(s) => Some(Cow::Borrowed(s)),
            Value::Bool(b) => Some(Cow::Owned(b.to_string())),
            Value::Int(i) => Some(Cow::Owned(i.to_string())),
            Value::Float(f) => Some(Cow::Owned(f.to_string())),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// A short name of the value's type, for messages (`string`, `mapping`, ...).
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "sequence",
            Value::Map(_) => "mapping",
        }
    }

    /// Follows a dotted field path with `[i]` indexes (`spec.containers[0].image`).
    ///
    /// ```
    /// let doc = kubeward_yaml::parse_str("spec:\n  containers:\n  - image: nginx\n");
    /// let root = &doc.documents[0].root;
    /// assert_eq!(root.at_path("spec.containers[0].image").and_then(|n| n.as_str()), Some("nginx"));
    /// assert!(root.at_path("spec.volumes").is_none());
    /// ```
    #[must_use]
    pub fn at_path(&self, path: &str) -> Option<&Node> {
        let located = self.locate(path);
        located.complete.then_some(located.node)
    }

    /// Follows a field path as far as it exists. Returns the deepest node reached, the span to
    /// show a user (the key of the deepest existing field, or the whole entry when the path is
    /// complete) and whether the whole path exists.
    #[must_use]
    pub fn locate(&self, path: &str) -> Located<'_> {
        let mut node = self;
        let mut span = self.span;
        for segment in PathSegments::new(path) {
            let next = match segment {
                Segment::Key(key) => node.get_entry(key).map(|(k, v)| {
                    let entry_span = if v.span.end.line == k.span.start.line && !v.is_map() {
                        k.span.cover(v.span)
                    } else {
                        k.span
                    };
                    (v, entry_span)
                }),
                Segment::Index(i) => node.as_seq().and_then(|s| s.get(i)).map(|v| (v, v.span)),
            };
            match next {
                Some((n, s)) => {
                    node = n;
                    span = s;
                }
                None => {
                    return Located {
                        node,
                        span,
                        complete: false,
                    };
                }
            }
        }
        Located {
            node,
            span,
            complete: true,
        }
    }
}

/// The result of [`Node::locate`].
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    /// The deepest node the path reached.
    pub node: &'a Node,
    /// The span to show: the entry (key and one-line value) or the key of the deepest field.
    pub span: Span,
    /// Whether the whole path exists.
    pub complete: bool,
}

/// One step of a field path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'p> {
    /// A mapping key.
    Key(&'p str),
    /// A sequence index.
    Index(usize),
}

/// Splits `a.b[0].c` into segments. Keys containing dots can be written in brackets with
/// quotes: `metadata.annotations["kubeward.io/ignore"]`.
#[derive(Debug, Clone)]
pub struct PathSegments<'p> {
    rest: &'p str,
}

impl<'p> PathSegments<'p> {
    /// Segments of `path`.
    #[must_use]
    pub fn new(path: &'p str) -> Self {
        Self { rest: path }
    }
}

impl<'p> Iterator for PathSegments<'p> {
    type Item = Segment<'p>;

    fn next(&mut self) -> Option<Segment<'p>> {
        let rest = self.rest.strip_prefix('.').unwrap_or(self.rest);
        if rest.is_empty() {
            return None;
        }
        if let Some(inner) = rest.strip_prefix("[\"") {
            let end = inner.find("\"]")?;
            let key = inner.get(..end)?;
            self.rest = inner.get(end + 2..).unwrap_or("");
            return Some(Segment::Key(key));
        }
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']')?;
            let idx = inner.get(..end)?.parse().ok()?;
            self.rest = inner.get(end + 1..).unwrap_or("");
            return Some(Segment::Index(idx));
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let key = rest.get(..end)?;
        self.rest = rest.get(end..).unwrap_or("");
        Some(Segment::Key(key))
    }
}

/// Appends a key to a field path, quoting it when it contains `.` or brackets.
///
/// ```
/// assert_eq!(kubeward_yaml::path_join("metadata.annotations", "a.io/x"), r#"metadata.annotations["a.io/x"]"#);
/// assert_eq!(kubeward_yaml::path_join("", "spec"), "spec");
/// ```
#[must_use]
pub fn path_join(base: &str, key: &str) -> String {
    if key.contains(['.', '[', ']']) {
        format!("{base}[\"{key}\"]")
    } else if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

/// Appends a sequence index to a field path.
#[must_use]
pub fn path_index(base: &str, index: usize) -> String {
    format!("{base}[{index}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments() {
        let segs: Vec<_> = PathSegments::new(r#"a.b[2].c["x.y/z"].d"#).collect();
        assert_eq!(
            segs,
            vec![
                Segment::Key("a"),
                Segment::Key("b"),
                Segment::Index(2),
                Segment::Key("c"),
                Segment::Key("x.y/z"),
                Segment::Key("d")
            ]
        );
    }
}

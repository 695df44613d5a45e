//! Builds spanned [`Node`] trees from saphyr-parser events, one document at a time.
//!
//! The builder is iterative (an explicit stack), so input nesting can never overflow the call
//! stack; depth, alias expansion and node counts are budgeted by [`Limits`]. A syntax error
//! ends the current document; parsing restarts at the next `---` line so that the rest of a
//! multi-document stream is still loaded.

use std::collections::HashMap;

use kubeward_source::{Pos, Span};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use crate::node::{Node, Value};
use crate::resolve::resolve_plain;

/// Resource limits applied while loading; exceeding one is a located [`LoadIssue`], never a
/// crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of collections accepted.
    pub max_depth: usize,
    /// Most nodes a single document may produce, aliases expanded.
    pub max_nodes_per_document: usize,
    /// Most nodes that alias expansion may add to a single document ("billion laughs" guard).
    pub max_alias_nodes_per_document: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 128,
            max_nodes_per_document: 4_000_000,
            max_alias_nodes_per_document: 100_000,
        }
    }
}

/// How serious a [`LoadIssue`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IssueSeverity {
    /// The document was loaded; something in it deserves attention (e.g. a duplicate key).
    Warning,
    /// The document (or the rest of the stream up to the next `---`) could not be loaded.
    Error,
}

/// What went wrong while loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueKind {
    /// The YAML (or JSON) is malformed.
    Syntax,
    /// A mapping has the same key twice; the last value is used.
    DuplicateKey,
    /// Collections are nested deeper than [`Limits::max_depth`].
    TooDeep,
    /// Aliases expand to more nodes than the budget allows.
    AliasBudget,
    /// A document has more nodes than [`Limits::max_nodes_per_document`].
    TooManyNodes,
    /// An alias names an anchor that does not exist.
    UnknownAlias,
    /// A merge key `<<` whose value is not a mapping or a sequence of mappings.
    InvalidMerge,
}

/// A located problem found while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadIssue {
    /// What went wrong.
    pub kind: IssueKind,
    /// Whether the document was still loaded.
    pub severity: IssueSeverity,
    /// Where.
    pub span: Span,
    /// A human-readable explanation.
    pub message: String,
}

/// One YAML document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Zero-based index of the document in its stream.
    pub index: usize,
    /// The root value (`Null` for an empty document).
    pub root: Node,
    /// From the document start (or its first token) to its end.
    pub span: Span,
}

/// Everything loaded from one text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// The documents that loaded, in order.
    pub documents: Vec<Document>,
    /// Problems, in order of position.
    pub issues: Vec<LoadIssue>,
}

/// Parses a YAML or JSON text with the default [`Limits`].
#[must_use]
pub fn parse_str(text: &str) -> Parsed {
    parse_str_with(text, Limits::default())
}

/// Parses a YAML or JSON text with the given limits, collecting every document.
#[must_use]
pub fn parse_str_with(text: &str, limits: Limits) -> Parsed {
    let mut documents = Vec::new();
    let issues = parse_each(text, limits, |doc| documents.push(doc));
    Parsed { documents, issues }
}

/// Parses a text and hands each document to `sink` as soon as it is complete, so that a
/// caller can process and drop documents one by one. Returns the issues found.
pub fn parse_each(text: &str, limits: Limits, mut sink: impl FnMut(Document)) -> Vec<LoadIssue> {
    let mut issues = Vec::new();
    let mut line_offset: u32 = 0;
    let mut rest = text;
    let mut next_index = 0usize;
    loop {
        let mut builder = Builder::new(limits, line_offset, next_index);
        let outcome = builder.run(rest, &mut sink);
        next_index = builder.next_index;
        issues.append(&mut builder.issues);
        let Err(err) = outcome else { break };
        let marker = err.marker();
        let line = u32::try_from(marker.line()).unwrap_or(u32::MAX);
        let col = u32::try_from(marker.col())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        issues.push(LoadIssue {
            kind: IssueKind::Syntax,
            severity: IssueSeverity::Error,
            span: Span::point(Pos::new(line.saturating_add(line_offset), col)),
            message: format!("invalid YAML: {}", err.info()),
        });
        // Restart after the next document marker below the error line.
        match next_document_start(rest, marker.line()) {
            Some((byte, lines_skipped)) => {
                rest = rest.get(byte..).unwrap_or("");
                line_offset = line_offset.saturating_add(lines_skipped);
            }
            None => break,
        }
    }
    issues.sort_by_key(|i| i.span.start);
    issues
}

/// Finds the first line after `error_line` (1-based) that starts a new document (`---`).
/// Returns its byte offset and how many lines precede it.
fn next_document_start(text: &str, error_line: usize) -> Option<(usize, u32)> {
    let mut offset = 0usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let number = i + 1;
        // The error may sit on the marker itself (an unclosed flow collection runs into the
        // next `---`); restart there, but always move forward.
        if number >= error_line && offset > 0 && is_document_marker(line) {
            return Some((offset, u32::try_from(i).ok()?));
        }
        offset += line.len();
    }
    None
}

fn is_document_marker(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r']))
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: Pos,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        key_is_merge: bool,
        merges: Vec<Node>,
        start: Pos,
        anchor: usize,
    },
}

struct Builder {
    limits: Limits,
    line_offset: u32,
    next_index: usize,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    doc_start: Pos,
    doc_nodes: usize,
    alias_nodes: usize,
    poisoned: bool,
    issues: Vec<LoadIssue>,
}

impl Builder {
    fn new(limits: Limits, line_offset: u32, next_index: usize) -> Self {
        Self {
            limits,
            line_offset,
            next_index,
            stack: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            doc_start: Pos::default(),
            doc_nodes: 0,
            alias_nodes: 0,
            poisoned: false,
            issues: Vec::new(),
        }
    }

    fn pos(&self, marker: saphyr_parser::Marker) -> Pos {
        let line = u32::try_from(marker.line()).unwrap_or(u32::MAX);
        let col = u32::try_from(marker.col()).unwrap_or(u32::MAX);
        Pos::new(line.saturating_add(self.line_offset), col.saturating_add(1))
    }

    fn span(&self, span: saphyr_parser::Span) -> Span {
        Span::new(self.pos(span.start), self.pos(span.end))
    }

    fn run(&mut self, text: &str, sink: &mut impl FnMut(Document)) -> Result<(), ScanError> {
        let mut parser = Parser::new_from_str(text);
        while let Some(next) = parser.next_event() {
            let (event, span) = next?;
            let span = self.span(span);
            match event {
                Event::StreamEnd => break,
                Event::StreamStart | Event::Nothing => {}
                Event::DocumentStart(_) => self.start_document(span.start),
                Event::DocumentEnd => self.end_document(span.end, sink),
                Event::Alias(id) => self.alias(id, span),
                Event::Scalar(text, style, anchor, tag) => {
                    let value = scalar_value(&text, style, tag.as_deref());
                    let is_merge_key = style == ScalarStyle::Plain && text == "<<";
                    self.scalar(Node::new(value, span), anchor, is_merge_key);
                }
                Event::SequenceStart(anchor, _) => self.open(Frame::Seq {
                    items: Vec::new(),
                    start: span.start,
                    anchor,
                }),
                Event::MappingStart(anchor, _) => self.open(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    key_is_merge: false,
                    merges: Vec::new(),
                    start: span.start,
                    anchor,
                }),
                Event::SequenceEnd | Event::MappingEnd => self.close(span.end),
            }
        }
        Ok(())
    }

    fn start_document(&mut self, start: Pos) {
        self.stack.clear();
        self.anchors.clear();
        self.root = None;
        self.doc_start = start;
        self.doc_nodes = 0;
        self.alias_nodes = 0;
        self.poisoned = false;
    }

    fn end_document(&mut self, end: Pos, sink: &mut impl FnMut(Document)) {
        let index = self.next_index;
        self.next_index += 1;
        let poisoned = std::mem::take(&mut self.poisoned);
        self.stack.clear();
        self.anchors.clear();
        let root = self.root.take();
        if poisoned {
            return;
        }
        let start = self.doc_start;
        let root = root.unwrap_or_else(|| Node::new(Value::Null, Span::point(start)));
        sink(Document {
            index,
            root,
            span: Span::new(start, end.max(start)),
        });
    }

    fn poison(&mut self, kind: IssueKind, span: Span, message: String) {
        if !self.poisoned {
            self.issues.push(LoadIssue {
                kind,
                severity: IssueSeverity::Error,
                span,
                message,
            });
        }
        self.poisoned = true;
        self.stack.clear();
        self.anchors.clear();
        self.root = None;
    }

    fn count_node(&mut self, span: Span) -> bool {
        self.doc_nodes += 1;
        if self.doc_nodes > self.limits.max_nodes_per_document {
            self.poison(
                IssueKind::TooManyNodes,
                span,
                format!(
                    "document has more than {} nodes; it was skipped",
                    self.limits.max_nodes_per_document
                ),
            );
            return false;
        }
        true
    }

    fn open(&mut self, frame: Frame) {
        if self.poisoned {
            return;
        }
        let start = match &frame {
            Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
        };
        if self.stack.len() >= self.limits.max_depth {
            self.poison(
                IssueKind::TooDeep,
                Span::point(start),
                format!(
                    "nesting deeper than {} levels; the document was skipped",
                    self.limits.max_depth
                ),
            );
            return;
        }
        if self.count_node(Span::point(start)) {
            self.stack.push(frame);
        }
    }

    fn scalar(&mut self, node: Node, anchor: usize, is_merge_key: bool) {
        if self.poisoned || !self.count_node(node.span) {
            return;
        }
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), 1));
        }
        if is_merge_key
            && let Some(Frame::Map {
                key: key @ None,
                key_is_merge,
                ..
            }) = self.stack.last_mut()
        {
            *key = Some(node);
            *key_is_merge = true;
            return;
        }
        self.push(node);
    }

    fn alias(&mut self, id: usize, span: Span) {
        if self.poisoned {
            return;
        }
        let Some((node, count)) = self.anchors.get(&id) else {
            self.poison(
                IssueKind::UnknownAlias,
                span,
                "alias refers to an anchor that is not defined before it".to_string(),
            );
            return;
        };
        let count = *count;
        self.alias_nodes = self.alias_nodes.saturating_add(count);
        self.doc_nodes = self.doc_nodes.saturating_add(count);
        if self.alias_nodes > self.limits.max_alias_nodes_per_document {
            self.poison(
                IssueKind::AliasBudget,
                span,
                format!(
                    "aliases expand to more than {} nodes (possible \"billion laughs\" attack); the document was skipped",
                    self.limits.max_alias_nodes_per_document
                ),
            );
            return;
        }
        if self.doc_nodes > self.limits.max_nodes_per_document {
            self.poison(
                IssueKind::TooManyNodes,
                span,
                format!(
                    "document has more than {} nodes; it was skipped",
                    self.limits.max_nodes_per_document
                ),
            );
            return;
        }
        let node = node.clone();
        self.push(node);
    }

    fn close(&mut self, end: Pos) {
        if self.poisoned {
            return;
        }
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let (node, anchor) = match frame {
            Frame::Seq {
                items,
                start,
                anchor,
            } => (Node::new(Value::Seq(items), Span::new(start, end)), anchor),
            Frame::Map {
                entries,
                merges,
                start,
                anchor,
                ..
            } => {
                let entries = self.finish_map(entries, merges);
                (
                    Node::new(Value::Map(entries), Span::new(start, end)),
                    anchor,
                )
            }
        };
        if anchor != 0 {
            let count = count_nodes(&node);
            self.anchors.insert(anchor, (node.clone(), count));
        }
        self.push(node);
    }

    /// Reports duplicate keys and applies `<<` merge keys with go-yaml v2 precedence: explicit
    /// keys win over merged ones, and earlier merge sources win over later ones.
    fn finish_map(
        &mut self,
        mut entries: Vec<(Node, Node)>,
        merges: Vec<Node>,
    ) -> Vec<(Node, Node)> {
        let mut seen: HashMap<String, Span> = HashMap::with_capacity(entries.len());
        for (key, _) in &entries {
            let Some(name) = key.scalar_string() else {
                continue;
            };
            if let Some(first) = seen.get(name.as_ref()) {
                self.issues.push(LoadIssue {
                    kind: IssueKind::DuplicateKey,
                    severity: IssueSeverity::Warning,
                    span: key.span,
                    message: format!(
                        "duplicate key `{name}` (first at line {}); the last value is used, as kubectl does",
                        first.start.line
                    ),
                });
            } else {
                seen.insert(name.into_owned(), key.span);
            }
        }
        for merge in merges {
            let sources: Vec<Node> = match merge.value {
                Value::Map(_) => vec![merge],
                Value::Seq(items) if items.iter().all(Node::is_map) => items,
                _ => {
                    self.issues.push(LoadIssue {
                        kind: IssueKind::InvalidMerge,
                        severity: IssueSeverity::Warning,
                        span: merge.span,
                        message: "merge key `<<` needs a mapping or a sequence of mappings; it was ignored"
                            .to_string(),
                    });
                    continue;
                }
            };
            for source in sources {
                if let Value::Map(source_entries) = source.value {
                    for (k, v) in source_entries {
                        let Some(name) = k.scalar_string().map(|n| n.into_owned()) else {
                            continue;
                        };
                        if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(name) {
                            slot.insert(k.span);
                            entries.push((k, v));
                        }
                    }
                }
            }
        }
        entries
    }

    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                key_is_merge,
                merges,
                ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if std::mem::take(key_is_merge) {
                        merges.push(node);
                    } else {
                        entries.push((k, node));
                    }
                }
            },
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count_nodes(k) + count_nodes(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&saphyr_parser::Tag>) -> Value {
    if let Some(tag) = tag
        && tag.is_yaml_core_schema()
    {
        return match tag.suffix.as_str() {
            "str" | "binary" | "timestamp" => Value::Str(text.to_string()),
            _ => resolve_plain(text),
        };
    }
    match style {
        ScalarStyle::Plain => resolve_plain(text),
        _ => Value::Str(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let mut parsed = parse_str(text);
        assert!(
            parsed
                .issues
                .iter()
                .all(|i| i.severity != IssueSeverity::Error),
            "{:?}",
            parsed.issues
        );
        parsed.documents.remove(0).root
    }

    #[test]
    fn spans_are_one_based() {
        let root = one("a: 1\nb:\n  c: x\n");
        let (k, v) = root.get("b").and_then(|b| b.get_entry("c")).unwrap();
        assert_eq!(k.span.start, Pos::new(3, 3));
        assert_eq!(v.span.start, Pos::new(3, 6));
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let root = one("a: \"yes\"\nb: yes\nc: '0644'\nd: 0644\ne: !!str 12\n");
        assert_eq!(root.get("a").unwrap().as_str(), Some("yes"));
        assert_eq!(root.get("b").unwrap().as_bool(), Some(true));
        assert_eq!(root.get("c").unwrap().as_str(), Some("0644"));
        assert_eq!(root.get("d").unwrap().as_i64(), Some(420));
        assert_eq!(root.get("e").unwrap().as_str(), Some("12"));
    }

    #[test]
    fn merge_keys_follow_go_yaml() {
        let root =
            one("base: &b {x: 1, w: 2}\nother: &o {w: 3, z: 4}\nm:\n  <<: [*b, *o]\n  x: 9\n");
        let m = root.get("m").unwrap();
        assert_eq!(m.get("x").unwrap().as_i64(), Some(9));
        assert_eq!(m.get("w").unwrap().as_i64(), Some(2));
        // go-yaml v2 reads the key `y` as the boolean true, which becomes the JSON key "true".
        let yes = one("y: 1\n");
        assert_eq!(yes.get("true").unwrap().as_i64(), Some(1));
        assert_eq!(m.get("z").unwrap().as_i64(), Some(4));
        assert!(m.get("<<").is_none());
        let quoted = one("m:\n  '<<': 1\n");
        assert_eq!(
            quoted.get("m").unwrap().get("<<").unwrap().as_i64(),
            Some(1)
        );
    }

    #[test]
    fn duplicate_keys_warn_and_last_wins() {
        let parsed = parse_str("a: 1\nb: 2\na: 3\n");
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].kind, IssueKind::DuplicateKey);
        assert_eq!(parsed.issues[0].span.start.line, 3);
        let root = &parsed.documents[0].root;
        assert_eq!(root.get("a").unwrap().as_i64(), Some(3));
        assert_eq!(root.entries().count(), 2);
    }

    #[test]
    fn syntax_error_recovers_at_next_document() {
        let text = "a: 1\n---\nb: [1, 2\nc: : :\n---\nd: 4\n";
        let parsed = parse_str(text);
        assert_eq!(parsed.documents.len(), 2, "{parsed:?}");
        assert_eq!(parsed.documents[1].root.get("d").unwrap().as_i64(), Some(4));
        assert_eq!(parsed.documents[1].root.span.start.line, 6);
        let err = parsed
            .issues
            .iter()
            .find(|i| i.kind == IssueKind::Syntax)
            .unwrap();
        assert!(err.span.start.line >= 3);
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        text.push_str("---\nok: 1\n");
        let parsed = parse_str(&text);
        assert!(
            parsed
                .issues
                .iter()
                .any(|i| i.kind == IssueKind::AliasBudget)
        );
        assert_eq!(parsed.documents.len(), 1);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "- ".repeat(10_000) + "x\n";
        let parsed = parse_str(&text);
        assert!(parsed.issues.iter().any(|i| i.kind == IssueKind::TooDeep));
        let flow = "[".repeat(10_000);
        let parsed = parse_str(&flow);
        assert!(
            parsed
                .issues
                .iter()
                .any(|i| i.severity == IssueSeverity::Error)
        );
    }

    #[test]
    fn flow_sequence_closed_at_parent_indentation() {
        let root = one("spec:\n  args: [\n      \"-a\", \"b\",\n  ]\n  env: []\n");
        assert_eq!(
            root.at_path("spec.args[1]").and_then(Node::as_str),
            Some("b")
        );
    }

    #[test]
    fn json_is_accepted() {
        let root = one("{\"kind\": \"Pod\", \"spec\": {\"hostPID\": true}}");
        assert_eq!(
            root.at_path("spec.hostPID").and_then(Node::as_bool),
            Some(true)
        );
    }

    #[test]
    fn empty_documents_are_null() {
        let parsed = parse_str("---\n---\na: 1\n...\n");
        assert_eq!(parsed.documents.len(), 2);
        assert!(parsed.documents[0].root.is_null());
    }

    #[test]
    fn tabs_are_located_errors() {
        let parsed = parse_str("a:\n\tb: 1\n");
        let err = parsed
            .issues
            .iter()
            .find(|i| i.severity == IssueSeverity::Error)
            .unwrap();
        assert_eq!(err.span.start.line, 2);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = parse_str(&s);
        }

        #[test]
        fn never_panics_on_yamlish(s in "[-:\\[\\]{}&*!|>'\" \n#a-c0-9]{0,120}") {
            let _ = parse_str(&s);
        }
    }
}

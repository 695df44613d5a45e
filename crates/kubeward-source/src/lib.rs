//! Source files, positions and spans: the first stage of kubeward's pipeline.
//!
//! Every later stage (YAML loader, model, rules, reporters) locates things with a [`Span`]
//! made of two [`Pos`]itions. Positions are 1-based lines and 1-based columns counted in
//! characters, which is what editors, SARIF consumers and humans expect.
//!
//! ```
//! use kubeward_source::{SourceFile, Pos};
//! let file = SourceFile::new("app.yaml", "kind: Pod\nmetadata:\n  name: web\n");
//! assert_eq!(file.line(3), Some("  name: web"));
//! assert_eq!(file.line_count(), 3);
//! assert!(Pos::new(1, 1) < Pos::new(2, 1));
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

use std::sync::Arc;

/// A position in a source file: 1-based line, 1-based column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column number in characters, starting at 1.
    pub col: u32,
}

impl Pos {
    /// A position from a 1-based line and a 1-based column.
    #[must_use]
    pub const fn new(line: u32, col: u32) -> Self {
        Self { line, col }
    }
}

/// A half-open range of source positions (`start` inclusive, `end` exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// First character of the range.
    pub start: Pos,
    /// Position just after the last character of the range.
    pub end: Pos,
}

impl Span {
    /// A span from two positions.
    #[must_use]
    pub const fn new(start: Pos, end: Pos) -> Self {
        Self { start, end }
    }

    /// A span covering a single position.
    #[must_use]
    pub const fn point(pos: Pos) -> Self {
        Self {
            start: pos,
            end: pos,
        }
    }

    /// The smallest span covering both `self` and `other`.
    #[must_use]
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The same span with every line moved down by `lines` (used when a file is parsed in pieces).
    #[must_use]
    pub const fn shifted(self, lines: u32) -> Span {
        Span {
            start: Pos::new(self.start.line + lines, self.start.col),
            end: Pos::new(self.end.line + lines, self.end.col),
        }
    }
}

/// One input file (or standard input) with its text and a line index built on creation; or
/// a window of such a file (some of its lines, still numbered as in the file), which is what
/// objects kept for the cross-object pass hold so that the rest of the file's text is freed.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: Arc<str>,
    text: Arc<str>,
    line_starts: Arc<[usize]>,
    /// Lines of the file before `text` starts (0 for a whole file).
    first_line_offset: u32,
}

impl SourceFile {
    /// Creates a source file from its display path and its text.
    #[must_use]
    pub fn new(path: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        if starts.last() == Some(&text.len()) && !text.is_empty() {
            starts.pop();
        }
        Self {
            path: path.into(),
            text,
            line_starts: starts.into(),
            first_line_offset: 0,
        }
    }

    /// Lines `first..=last` (1-based, clamped to the file) as their own source, numbered as in
    /// this file: `line(n)` gives the same text for those lines and `None` outside them. The
    /// path is shared; the text is copied, so this file's text can be dropped.
    ///
    /// ```
    /// use kubeward_source::SourceFile;
    /// let f = SourceFile::new("a.yaml", "one\ntwo\nthree\nfour\n");
    /// let w = f.window(2, 3);
    /// assert_eq!((w.line(1), w.line(2), w.line(3), w.line(4)), (None, Some("two"), Some("three"), None));
    /// assert_eq!(w.path(), "a.yaml");
    /// ```
    #[must_use]
    pub fn window(&self, first: u32, last: u32) -> SourceFile {
        let first = first.max(1);
        let start = self.line_start(first).unwrap_or(self.text.len());
        let end = last
            .checked_add(1)
            .and_then(|next| self.line_start(next))
            .unwrap_or(self.text.len())
            .max(start);
        let text = self.text.get(start..end).unwrap_or("");
        let mut window = SourceFile::new(Arc::clone(&self.path), text);
        // `first` is numbered as in the file, whatever window `self` is.
        window.first_line_offset = first.saturating_sub(1);
        window
    }

    /// The path as given on the command line (`-` or `<stdin>` for standard input).
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The shared path, cheap to clone into diagnostics.
    #[must_use]
    pub fn path_arc(&self) -> Arc<str> {
        Arc::clone(&self.path)
    }

    /// The whole text of the file.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of lines in the file (a trailing newline does not start a new line).
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.line_starts.len() + self.first_line_offset as usize
    }

    /// The text of line `n` (1-based) without its line terminator, if the line exists.
    #[must_use]
    pub fn line(&self, n: u32) -> Option<&str> {
        let n = n.checked_sub(self.first_line_offset)?;
        let idx = usize::try_from(n).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(idx)?;
        let end = self
            .line_starts
            .get(idx + 1)
            .copied()
            .unwrap_or(self.text.len());
        let line = self.text.get(start..end)?;
        Some(line.trim_end_matches(['\n', '\r']))
    }

    /// The byte offset at which line `n` (1-based) starts.
    #[must_use]
    pub fn line_start(&self, n: u32) -> Option<usize> {
        let n = n.checked_sub(self.first_line_offset)?;
        let idx = usize::try_from(n).ok()?.checked_sub(1)?;
        self.line_starts.get(idx).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based_and_trimmed() {
        let f = SourceFile::new("x", "a\r\nb\n\nc");
        assert_eq!(f.line(0), None);
        assert_eq!(f.line(1), Some("a"));
        assert_eq!(f.line(2), Some("b"));
        assert_eq!(f.line(3), Some(""));
        assert_eq!(f.line(4), Some("c"));
        assert_eq!(f.line(5), None);
        assert_eq!(f.line_count(), 4);
    }

    #[test]
    fn empty_file_has_one_empty_line() {
        let f = SourceFile::new("x", "");
        assert_eq!(f.line_count(), 1);
        assert_eq!(f.line(1), Some(""));
    }

    #[test]
    fn windows_keep_file_numbering_and_nest() {
        let f = SourceFile::new("x", "a\nb\nc\nd\ne");
        let w = f.window(2, 4);
        assert_eq!(w.text(), "b\nc\nd\n");
        assert_eq!(
            (w.line(1), w.line(2), w.line(4), w.line(5)),
            (None, Some("b"), Some("d"), None)
        );
        assert_eq!(w.line_count(), 4);
        let inner = w.window(3, 3);
        assert_eq!(
            (inner.line(2), inner.line(3), inner.line(4)),
            (None, Some("c"), None)
        );
        // Past the end and reversed ranges give empty windows, never a panic.
        assert_eq!(f.window(9, 12).text(), "");
        assert_eq!(f.window(9, 12).line(5), None);
        assert_eq!(f.window(4, 2).text(), "");
        assert_eq!(f.window(5, 5).line(5), Some("e"));
    }

    #[test]
    fn span_cover_and_shift() {
        let a = Span::new(Pos::new(1, 3), Pos::new(1, 5));
        let b = Span::new(Pos::new(2, 1), Pos::new(2, 9));
        assert_eq!(a.cover(b), Span::new(Pos::new(1, 3), Pos::new(2, 9)));
        assert_eq!(a.shifted(10).start.line, 11);
    }
}

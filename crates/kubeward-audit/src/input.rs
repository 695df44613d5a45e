//! Reading audit logs: JSON lines (plain or gzip), and following a live, rotating log file.
//!
//! Errors on one line (bad JSON, wrong `apiVersion`, invalid UTF-8, an over-long line) are
//! reported with `source:line` and reading goes on with the next line. Only an I/O error of
//! the underlying reader (or a corrupt gzip stream) ends the reading.
//!
//! ```
//! use kubeward_audit::input::read_lines;
//! let log = "{\"auditID\":\"1\",\"stage\":\"ResponseComplete\",\"verb\":\"get\"}\nnot json\n";
//! let mut reader = read_lines(log.as_bytes(), "audit.log").unwrap();
//! let mut events = 0;
//! let mut errors = Vec::new();
//! while let Some(item) = reader.next_document() {
//!     match item {
//!         Ok(doc) => events += doc.len(),
//!         Err(e) => errors.push(e.to_string()),
//!     }
//! }
//! assert_eq!(events, 1);
//! assert!(errors[0].starts_with("audit.log:2: "));
//! ```

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

use crate::event::{Document, ParseError, parse_document};

/// Default longest line accepted (16 MiB); longer lines are an error and skipped.
pub const DEFAULT_MAX_LINE_BYTES: usize = 16 << 20;

/// What went wrong on one line.
#[derive(Debug, thiserror::Error)]
pub enum LineErrorKind {
    /// The line is not valid UTF-8.
    #[error("line is not valid UTF-8")]
    NotUtf8,
    /// The line is longer than the limit.
    #[error("line longer than {limit} bytes")]
    TooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// The line is not an audit `Event` / `EventList`.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Reading failed; reading stops after this error.
    #[error("read error: {0}")]
    Io(#[from] io::Error),
}

/// An error located at `source:line`.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}:{line}: {kind}")]
pub struct LineError {
    /// The input's name (file path, `<stdin>`).
    pub source_name: String,
    /// 1-based line number.
    pub line: u64,
    /// What went wrong.
    pub kind: LineErrorKind,
}

/// The decoded byte stream: plain, or gzip (detected by the magic bytes `1f 8b`).
pub enum AuditRead<R: Read> {
    /// Uncompressed input.
    Plain(BufReader<R>),
    /// Gzip input (multi-member streams supported).
    Gzip(BufReader<MultiGzDecoder<BufReader<R>>>),
}

impl<R: Read> Read for AuditRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(r) => r.read(buf),
            Self::Gzip(r) => r.read(buf),
        }
    }
}

impl<R: Read> BufRead for AuditRead<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Self::Plain(r) => r.fill_buf(),
            Self::Gzip(r) => r.fill_buf(),
        }
    }
    fn consume(&mut self, amt: usize) {
        match self {
            Self::Plain(r) => r.consume(amt),
            Self::Gzip(r) => r.consume(amt),
        }
    }
}

/// Wraps `reader`, decompressing it when it starts with the gzip magic bytes.
///
/// # Errors
/// An I/O error while peeking at the first bytes.
pub fn decode<R: Read>(reader: R) -> io::Result<AuditRead<R>> {
    let mut buf = BufReader::with_capacity(64 * 1024, reader);
    // Peek until we have two bytes or the stream ends.
    let head = loop {
        match buf.fill_buf() {
            Ok(b) => break b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    };
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(AuditRead::Gzip(BufReader::with_capacity(
            64 * 1024,
            MultiGzDecoder::new(buf),
        )))
    } else {
        Ok(AuditRead::Plain(buf))
    }
}

/// Reads audit documents line by line (see [`read_lines`]).
pub struct LineReader<B> {
    inner: B,
    source_name: String,
    line: u64,
    buf: Vec<u8>,
    max_line_bytes: usize,
    failed: bool,
}

/// Starts reading JSON lines from `reader` (gzip detected), naming it `source_name` in errors.
///
/// # Errors
/// An I/O error while detecting compression.
pub fn read_lines<R: Read>(
    reader: R,
    source_name: impl Into<String>,
) -> io::Result<LineReader<AuditRead<R>>> {
    Ok(LineReader::new(decode(reader)?, source_name))
}

impl<B: BufRead> LineReader<B> {
    /// Reads lines from an already decoded reader.
    pub fn new(inner: B, source_name: impl Into<String>) -> Self {
        Self {
            inner,
            source_name: source_name.into(),
            line: 0,
            buf: Vec::with_capacity(4096),
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            failed: false,
        }
    }

    /// Sets the longest line accepted.
    #[must_use]
    pub fn with_max_line_bytes(mut self, limit: usize) -> Self {
        self.max_line_bytes = limit.max(1);
        self
    }

    /// The number of the last line read (1-based; 0 before the first).
    #[must_use]
    pub fn line(&self) -> u64 {
        self.line
    }

    fn error(&self, kind: LineErrorKind) -> LineError {
        LineError {
            source_name: self.source_name.clone(),
            line: self.line,
            kind,
        }
    }

    /// Reads one raw line into `self.buf` (without the newline). `Ok(false)` at the end.
    fn fill_line(&mut self) -> Result<bool, LineErrorKind> {
        self.buf.clear();
        let limit = self.max_line_bytes;
        // At most `limit` bytes plus the newline; std's `read_until` searches with memchr.
        let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
        let n = match (&mut self.inner).take(cap).read_until(b'\n', &mut self.buf) {
            Ok(n) => n,
            Err(e) => {
                self.line += 1;
                return Err(LineErrorKind::Io(e));
            }
        };
        if n == 0 {
            return Ok(false);
        }
        self.line += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        } else if self.buf.len() > limit {
            self.buf.clear();
            self.inner.skip_until(b'\n').map_err(LineErrorKind::Io)?;
            return Err(LineErrorKind::TooLong { limit });
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(true)
    }

    /// The next non-blank line's document, or a located error; `None` at the end (and after
    /// an I/O error).
    pub fn next_document(&mut self) -> Option<Result<Document<'_>, LineError>> {
        if self.failed {
            return None;
        }
        loop {
            match self.fill_line() {
                Ok(false) => return None,
                Ok(true) => {}
                Err(kind) => {
                    if matches!(kind, LineErrorKind::Io(_)) {
                        self.failed = true;
                    }
                    return Some(Err(self.error(kind)));
                }
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            break;
        }
        let text = match std::str::from_utf8(&self.buf) {
            Ok(t) => t,
            Err(_) => return Some(Err(self.error(LineErrorKind::NotUtf8))),
        };
        match parse_document(text) {
            Ok(doc) => Some(Ok(doc)),
            Err(e) => Some(Err(LineError {
                source_name: self.source_name.clone(),
                line: self.line,
                kind: LineErrorKind::Parse(e),
            })),
        }
    }
}

/// Where a [`Follower`] starts in the file it opens first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAt {
    /// Read the existing content.
    Beginning,
    /// Skip the existing content; only new lines are read.
    End,
}

/// A complete line read by a [`Follower`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowedLine {
    /// 1-based line number within the file it came from.
    pub line: u64,
    /// How many rotations happened before this line's file was opened (0 for the first).
    pub generation: u64,
    /// The line, without the newline.
    pub text: String,
}

impl FollowedLine {
    /// Parses the line as an audit document.
    ///
    /// # Errors
    /// [`ParseError`] when the line is not an audit `Event` / `EventList`.
    pub fn parse(&self) -> Result<Document<'_>, ParseError> {
        parse_document(&self.text)
    }
}

/// What [`Follower::poll`] noticed besides lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollReport {
    /// The file was replaced (renamed away and recreated): the old one was drained first.
    pub rotated: bool,
    /// The file shrank under the read position (copy-truncate rotation): read from the start.
    pub truncated: bool,
    /// Lines longer than the limit that were dropped.
    pub dropped_long_lines: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
}

fn file_id(meta: &std::fs::Metadata) -> FileId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        FileId {}
    }
}

/// Tails a growing audit log such as the API server's `--audit-log-path`, surviving rotation.
///
/// The API server rotates by renaming the file and creating a new one at the same path;
/// `logrotate copytruncate` truncates in place. On each [`Follower::poll`] the follower reads
/// whatever complete lines were appended, then compares the path's inode with the open
/// file's: a different inode means rotation (the old file is drained to its end, then the new
/// one is read from its start); a size below the read position means truncation (read again
/// from the start). A trailing line without a newline is kept until it is completed. On
/// non-Unix systems only truncation is detected.
pub struct Follower {
    path: PathBuf,
    file: File,
    id: FileId,
    pos: u64,
    line: u64,
    generation: u64,
    partial: Vec<u8>,
    discarding: bool,
    max_line_bytes: usize,
}

impl Follower {
    /// Opens `path` and positions at its beginning or end.
    ///
    /// With [`StartAt::End`] the existing content is read once to count its lines, so that
    /// the line numbers of new lines are their numbers in the file; an incomplete last line
    /// is kept and reported whole once the writer completes it.
    ///
    /// # Errors
    /// The file cannot be opened or read, or its metadata read.
    pub fn open(path: impl AsRef<Path>, start: StartAt) -> io::Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = File::open(&path)?;
        let meta = file.metadata()?;
        let mut follower = Self {
            path,
            file,
            id: file_id(&meta),
            pos: 0,
            line: 0,
            generation: 0,
            partial: Vec::new(),
            discarding: false,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        };
        if start == StartAt::End {
            follower.skip_existing()?;
        }
        Ok(follower)
    }

    /// Reads to the end of the file, counting lines and keeping an incomplete last line.
    fn skip_existing(&mut self) -> io::Result<()> {
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = match self.file.read(&mut chunk) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.pos += n as u64;
            let data = chunk.get(..n).unwrap_or_default();
            match data.iter().rposition(|&b| b == b'\n') {
                Some(last) => {
                    self.line += data.iter().filter(|&&b| b == b'\n').count() as u64;
                    self.partial.clear();
                    self.discarding = false;
                    self.keep_partial(data.get(last + 1..).unwrap_or_default());
                }
                None => self.keep_partial(data),
            }
        }
    }

    fn keep_partial(&mut self, bytes: &[u8]) {
        if self.discarding {
            return;
        }
        if self.partial.len() + bytes.len() > self.max_line_bytes {
            self.partial.clear();
            self.discarding = true;
        } else {
            self.partial.extend_from_slice(bytes);
        }
    }

    /// Sets the longest line accepted; longer lines are dropped and counted.
    #[must_use]
    pub fn with_max_line_bytes(mut self, limit: usize) -> Self {
        self.max_line_bytes = limit.max(1);
        self
    }

    /// The followed path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the complete lines appended since the last poll, handling rotation and truncation.
    ///
    /// # Errors
    /// An I/O error reading the open file or reopening the path (a path that does not exist
    /// for the moment, between rename and re-creation, is not an error).
    pub fn poll(&mut self) -> io::Result<(Vec<FollowedLine>, PollReport)> {
        let mut out = Vec::new();
        let mut report = PollReport::default();
        self.drain(&mut out, &mut report)?;
        match std::fs::metadata(&self.path) {
            Ok(meta) => {
                if file_id(&meta) != self.id {
                    // Rotated: the old file was drained above; lines written to it between the
                    // drain and the rename check are read now, then the new file from 0.
                    self.drain(&mut out, &mut report)?;
                    self.flush_partial(&mut out);
                    let file = File::open(&self.path)?;
                    let meta = file.metadata()?;
                    self.file = file;
                    self.id = file_id(&meta);
                    self.pos = 0;
                    self.line = 0;
                    self.generation += 1;
                    self.discarding = false;
                    report.rotated = true;
                    self.drain(&mut out, &mut report)?;
                } else if meta.len() < self.pos {
                    self.file.seek(SeekFrom::Start(0))?;
                    self.pos = 0;
                    self.line = 0;
                    self.partial.clear();
                    self.discarding = false;
                    self.generation += 1;
                    report.truncated = true;
                    self.drain(&mut out, &mut report)?;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok((out, report))
    }

    /// A last line without a newline in a rotated-away file is complete: emit it.
    fn flush_partial(&mut self, out: &mut Vec<FollowedLine>) {
        if !self.partial.is_empty() && !self.discarding {
            self.line += 1;
            let text = String::from_utf8_lossy(&self.partial).into_owned();
            out.push(FollowedLine {
                line: self.line,
                generation: self.generation,
                text,
            });
        }
        self.partial.clear();
    }

    fn drain(&mut self, out: &mut Vec<FollowedLine>, report: &mut PollReport) -> io::Result<()> {
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = match self.file.read(&mut chunk) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.pos += n as u64;
            let mut rest = chunk.get(..n).unwrap_or_default();
            while !rest.is_empty() {
                match rest.iter().position(|&b| b == b'\n') {
                    Some(i) => {
                        let (head, tail) = rest.split_at(i);
                        rest = tail.get(1..).unwrap_or_default();
                        self.line += 1;
                        if self.discarding || self.partial.len() + head.len() > self.max_line_bytes
                        {
                            report.dropped_long_lines += 1;
                            self.discarding = false;
                            self.partial.clear();
                            continue;
                        }
                        self.partial.extend_from_slice(head);
                        if self.partial.last() == Some(&b'\r') {
                            self.partial.pop();
                        }
                        let bytes = std::mem::take(&mut self.partial);
                        let text = String::from_utf8(bytes)
                            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                        if !text.trim().is_empty() {
                            out.push(FollowedLine {
                                line: self.line,
                                generation: self.generation,
                                text,
                            });
                        }
                    }
                    None => {
                        if !self.discarding {
                            if self.partial.len() + rest.len() > self.max_line_bytes {
                                self.discarding = true;
                                self.partial.clear();
                            } else {
                                self.partial.extend_from_slice(rest);
                            }
                        }
                        rest = &[];
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_crlf_and_too_long() {
        let log = "\n{\"auditID\":\"1\"}\r\n\n{\"auditID\":\"".to_owned()
            + &"x".repeat(100)
            + "\"}\n{}\n";
        let mut r = read_lines(log.as_bytes(), "t")
            .unwrap()
            .with_max_line_bytes(50);
        let first = r.next_document().unwrap().unwrap();
        assert_eq!(first.len(), 1);
        let err = r.next_document().unwrap().unwrap_err();
        assert_eq!(err.line, 4);
        assert!(matches!(err.kind, LineErrorKind::TooLong { limit: 50 }));
        assert!(r.next_document().unwrap().is_ok());
        assert!(r.next_document().is_none());
    }

    #[test]
    fn line_limit_boundaries() {
        // Exactly the limit passes; one byte more is an error, with or without a newline.
        let at = format!("{{\"a\":\"{}\"}}", "x".repeat(2));
        assert_eq!(at.len(), 10);
        let over = format!("{{\"a\":\"{}\"}}", "x".repeat(3));
        let text = format!("{at}\n{over}\n{at}\r\n{over}");
        let mut r = read_lines(text.as_bytes(), "t")
            .unwrap()
            .with_max_line_bytes(10);
        assert!(r.next_document().unwrap().is_ok());
        assert_eq!(r.next_document().unwrap().unwrap_err().line, 2);
        // `\r\n`: the `\r` counts against the limit, as read.
        assert!(matches!(
            r.next_document().unwrap().unwrap_err().kind,
            LineErrorKind::TooLong { .. }
        ));
        assert_eq!(r.next_document().unwrap().unwrap_err().line, 4);
        assert!(r.next_document().is_none());
    }

    #[test]
    fn invalid_utf8_is_a_line_error() {
        let log: &[u8] = b"{\"auditID\":\"\xff\"}\n{}\n";
        let mut r = read_lines(log, "t").unwrap();
        let err = r.next_document().unwrap().unwrap_err();
        assert!(matches!(err.kind, LineErrorKind::NotUtf8));
        assert_eq!(err.to_string(), "t:1: line is not valid UTF-8");
        assert!(r.next_document().unwrap().is_ok());
    }

    #[test]
    fn last_line_without_newline() {
        let mut r = read_lines("{}\n{}".as_bytes(), "t").unwrap();
        assert!(r.next_document().unwrap().is_ok());
        assert!(r.next_document().unwrap().is_ok());
        assert_eq!(r.line(), 2);
        assert!(r.next_document().is_none());
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            /// Every non-blank line yields exactly one document or one error.
            #[test]
            fn one_result_per_non_blank_line(
                lines in prop::collection::vec(
                    prop::sample::select(vec!["{}", "", "  ", "x", "{\"kind\":\"Event\"}", "{\"items\":[{}]}", "[1]", "\u{e9}"]),
                    0..20),
            ) {
                let text = lines.join("\n");
                let mut r = read_lines(text.as_bytes(), "p").unwrap();
                let mut results = 0;
                while let Some(item) = r.next_document() {
                    if let Err(e) = &item {
                        prop_assert!(e.line >= 1 && e.line <= lines.len() as u64);
                    }
                    results += 1;
                }
                let expected = lines.iter().filter(|l| !l.trim().is_empty()).count();
                prop_assert_eq!(results, expected);
            }

            #[test]
            fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
                let mut r = read_lines(bytes.as_slice(), "p").unwrap().with_max_line_bytes(64);
                while r.next_document().is_some() {}
            }
        }
    }
}

//! Lexical helpers that follow BuildKit's line parsers: logical lines with a position map,
//! flag extraction, word splitting, JSON arrays and quote removal.

use kubeward_source::{Pos, Span};

/// A logical line (physical lines joined at continuations) that remembers where each piece
/// came from, so byte offsets in the joined text map back to file positions.
#[derive(Debug, Default, Clone)]
pub(crate) struct Logical {
    pub text: String,
    /// (byte offset in `text`, file position of that byte); sorted by offset.
    segs: Vec<(usize, Pos)>,
}

impl Logical {
    pub fn push(&mut self, piece: &str, pos: Pos) {
        self.segs.push((self.text.len(), pos));
        self.text.push_str(piece);
    }

    /// The file position of the character starting at byte `off`.
    pub fn pos(&self, off: usize) -> Pos {
        let idx = self.segs.partition_point(|&(at, _)| at <= off);
        let Some(&(at, start)) = idx.checked_sub(1).and_then(|i| self.segs.get(i)) else {
            return Pos::new(1, 1);
        };
        let chars = self
            .text
            .get(at..off.min(self.text.len()))
            .map_or(0, |s| s.chars().count());
        Pos::new(
            start.line,
            start
                .col
                .saturating_add(u32::try_from(chars).unwrap_or(u32::MAX)),
        )
    }

    /// The file position just after the character that ends at byte `off`.
    pub fn pos_end(&self, off: usize) -> Pos {
        let mut prev = off.min(self.text.len());
        if prev == 0 {
            return self.pos(0);
        }
        prev -= 1;
        while prev > 0 && !self.text.is_char_boundary(prev) {
            prev -= 1;
        }
        let p = self.pos(prev);
        Pos::new(p.line, p.col.saturating_add(1))
    }

    /// The span of bytes `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        if end <= start {
            Span::point(self.pos(start))
        } else {
            Span::new(self.pos(start), self.pos_end(end))
        }
    }
}

/// BuildKit's `reWhitespace` class: `[\t\v\f\r ]`.
pub(crate) const fn is_ws(c: char) -> bool {
    matches!(c, '\t' | '\u{0b}' | '\u{0c}' | '\r' | ' ')
}

/// Splits on runs of [`is_ws`]; returns byte ranges relative to `s`.
pub(crate) fn split_ws(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if is_ws(c) {
            if let Some(st) = start.take() {
                out.push((st, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// A flag found by [`extract_flags`]: the word without quotes and its byte range.
pub(crate) struct RawFlag {
    pub word: String,
    pub start: usize,
    pub end: usize,
}

/// BuildKit's `extractBuilderFlags`: leading `--words` (quotes removed, `\` escapes), and the
/// byte offset where the remaining arguments start.
pub(crate) fn extract_flags(line: &str) -> (Vec<RawFlag>, usize) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote(char),
    }
    let bytes: Vec<(usize, char)> = line.char_indices().collect();
    let mut flags = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut word_start = 0;
    let mut blank_ok = false;
    let mut i = 0;
    loop {
        let Some(&(off, ch)) = bytes.get(i) else {
            if phase != Phase::Spaces && word != "--" && (blank_ok || !word.is_empty()) {
                flags.push(RawFlag {
                    word,
                    start: word_start,
                    end: line.len(),
                });
            }
            return (flags, line.len());
        };
        match phase {
            Phase::Spaces => {
                if ch.is_whitespace() {
                    i += 1;
                    continue;
                }
                let next_dash = bytes.get(i + 1).is_some_and(|&(_, c)| c == '-');
                if ch != '-' || !next_dash {
                    return (flags, off);
                }
                phase = Phase::Word;
                word_start = off;
            }
            Phase::Word => {
                if ch.is_whitespace() {
                    phase = Phase::Spaces;
                    if word == "--" {
                        return (flags, off);
                    }
                    if blank_ok || !word.is_empty() {
                        flags.push(RawFlag {
                            word: std::mem::take(&mut word),
                            start: word_start,
                            end: off,
                        });
                    }
                    word.clear();
                    blank_ok = false;
                    i += 1;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    phase = Phase::Quote(ch);
                    blank_ok = true;
                    i += 1;
                    continue;
                }
                let mut c = ch;
                if ch == '\\' {
                    match bytes.get(i + 1) {
                        None => {
                            i += 1;
                            continue;
                        }
                        Some(&(_, n)) => {
                            i += 1;
                            c = n;
                        }
                    }
                }
                word.push(c);
                i += 1;
            }
            Phase::Quote(q) => {
                if ch == q {
                    phase = Phase::Word;
                    i += 1;
                    continue;
                }
                let mut c = ch;
                if ch == '\\' {
                    match bytes.get(i + 1) {
                        None => {
                            phase = Phase::Word;
                            i += 1;
                            continue;
                        }
                        Some(&(_, n)) => {
                            i += 1;
                            c = n;
                        }
                    }
                }
                word.push(c);
                i += 1;
            }
        }
    }
}

/// BuildKit's `parseWords`: whitespace-separated words keeping quotes and escapes.
/// Returns byte ranges relative to `s`.
pub(crate) fn parse_words(s: &str, escape: char) -> Vec<(usize, usize)> {
    #[derive(PartialEq, Clone, Copy)]
    enum Phase {
        Spaces,
        Word,
        Quote(char),
    }
    let mut out = Vec::new();
    let mut phase = Phase::Spaces;
    let mut start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((off, ch)) = it.next() {
        match phase {
            Phase::Spaces => {
                if ch.is_whitespace() {
                    continue;
                }
                start = off;
                phase = Phase::Word;
                if ch == '\'' || ch == '"' {
                    phase = Phase::Quote(ch);
                } else if ch == escape {
                    it.next();
                }
            }
            Phase::Word => {
                if ch.is_whitespace() {
                    out.push((start, off));
                    phase = Phase::Spaces;
                } else if ch == '\'' || ch == '"' {
                    phase = Phase::Quote(ch);
                } else if ch == escape {
                    it.next();
                }
            }
            Phase::Quote(q) => {
                if ch == q {
                    phase = Phase::Word;
                } else if ch == escape && q != '\'' {
                    it.next();
                }
            }
        }
    }
    if phase != Phase::Spaces {
        out.push((start, s.len()));
    }
    out
}

/// Parses `["a", "b"]` (whole input, surrounding whitespace allowed). Returns each string's
/// decoded value and byte range (quotes included), `Err(true)` when the input is a JSON
/// array with a non-string element, and `Err(false)` when it is not a JSON array.
pub(crate) fn parse_json_array(s: &str) -> Result<Vec<(String, usize, usize)>, bool> {
    let b = s.as_bytes();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while b
            .get(*i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if b.get(i) != Some(&b'[') {
        return Err(false);
    }
    i += 1;
    let mut out = Vec::new();
    skip_ws(&mut i);
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            skip_ws(&mut i);
            match b.get(i) {
                Some(b'"') => {
                    let start = i;
                    let (v, end) = json_string(s, i).ok_or(false)?;
                    out.push((v, start, end));
                    i = end;
                }
                Some(_) => {
                    // Not a string: if the whole input is valid JSON this is a
                    // "not a string array" error; otherwise it is not JSON at all.
                    let start = s.len() - s.trim_start().len();
                    let valid = other_json_value(s, start)
                        .is_some_and(|end| s.get(end..).is_some_and(|t| t.trim().is_empty()));
                    return Err(valid);
                }
                None => return Err(false),
            }
            skip_ws(&mut i);
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b']') => {
                    i += 1;
                    break;
                }
                _ => return Err(false),
            }
        }
    }
    skip_ws(&mut i);
    if i == b.len() { Ok(out) } else { Err(false) }
}

/// A JSON string starting at `start` (which holds `"`): decoded value and end offset.
fn json_string(s: &str, start: usize) -> Option<(String, usize)> {
    let mut out = String::new();
    let rest = s.get(start + 1..)?;
    let mut it = rest.char_indices();
    while let Some((i, c)) = it.next() {
        match c {
            '"' => return Some((out, start + 1 + i + 1)),
            '\\' => {
                let (_, e) = it.next()?;
                match e {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    '/' => out.push('/'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let mut code = hex4(&mut it)?;
                        if (0xD800..0xDC00).contains(&code) {
                            let save = it.clone();
                            let pair = (|| {
                                let mut t = save.clone();
                                if t.next()?.1 != '\\' || t.next()?.1 != 'u' {
                                    return None;
                                }
                                let low = hex4(&mut t)?;
                                (0xDC00..0xE000).contains(&low).then_some((low, t))
                            })();
                            if let Some((low, t)) = pair {
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                                it = t;
                            }
                        }
                        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                    }
                    _ => return None,
                }
            }
            c if u32::from(c) < 0x20 => return None,
            c => out.push(c),
        }
    }
    None
}

fn hex4(it: &mut std::str::CharIndices<'_>) -> Option<u32> {
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + it.next()?.1.to_digit(16)?;
    }
    Some(v)
}

/// Validates one JSON value starting at `i` (after whitespace) and returns its end offset.
fn other_json_value(s: &str, i: usize) -> Option<usize> {
    json_value(s.as_bytes(), s, i, 0)
}

fn json_value(b: &[u8], s: &str, mut i: usize, depth: usize) -> Option<usize> {
    if depth > 64 {
        return None;
    }
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    let rest = s.get(i..)?;
    for lit in ["true", "false", "null"] {
        if rest.starts_with(lit) {
            return Some(i + lit.len());
        }
    }
    match b.get(i)? {
        b'"' => json_string(s, i).map(|(_, e)| e),
        b'-' | b'0'..=b'9' => {
            let mut j = i;
            if b.get(j) == Some(&b'-') {
                j += 1;
            }
            let digits = |j: &mut usize| {
                let st = *j;
                while b.get(*j).is_some_and(u8::is_ascii_digit) {
                    *j += 1;
                }
                *j > st
            };
            if !digits(&mut j) {
                return None;
            }
            if b.get(j) == Some(&b'.') {
                j += 1;
                if !digits(&mut j) {
                    return None;
                }
            }
            if matches!(b.get(j), Some(b'e' | b'E')) {
                j += 1;
                if matches!(b.get(j), Some(b'+' | b'-')) {
                    j += 1;
                }
                if !digits(&mut j) {
                    return None;
                }
            }
            Some(j)
        }
        open @ (b'[' | b'{') => {
            let close = if *open == b'[' { b']' } else { b'}' };
            let mut j = i + 1;
            let skip = |j: &mut usize| {
                while b
                    .get(*j)
                    .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
                {
                    *j += 1;
                }
            };
            skip(&mut j);
            if b.get(j) == Some(&close) {
                return Some(j + 1);
            }
            loop {
                if close == b'}' {
                    skip(&mut j);
                    j = json_string(s, j).map(|(_, e)| e)?;
                    skip(&mut j);
                    if b.get(j) != Some(&b':') {
                        return None;
                    }
                    j += 1;
                }
                j = json_value(b, s, j, depth + 1)?;
                skip(&mut j);
                match b.get(j) {
                    Some(b',') => j += 1,
                    Some(c) if *c == close => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        _ => None,
    }
}

/// Quote removal and escape processing as BuildKit's shell lexer does it, without variable
/// expansion (`$` is kept literally).
pub(crate) fn unquote(raw: &str, escape: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut it = raw.chars().peekable();
    while let Some(c) = it.next() {
        if c == escape {
            if let Some(n) = it.next() {
                out.push(n);
            }
        } else if c == '\'' {
            for n in it.by_ref() {
                if n == '\'' {
                    break;
                }
                out.push(n);
            }
        } else if c == '"' {
            while let Some(n) = it.next() {
                if n == '"' {
                    break;
                }
                if n == escape {
                    match it.peek() {
                        Some(&p) if p == '"' || p == '$' || p == escape => {
                            out.push(p);
                            it.next();
                        }
                        Some(_) => out.push(n),
                        None => {}
                    }
                } else {
                    out.push(n);
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Removes the line-continuation escape (BuildKit's `([^E])E[ \t]*$|^E[ \t]*$`).
/// Returns the remaining text and whether the line continues.
pub(crate) fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    if let Some(before) = t.strip_suffix(escape)
        && (before.is_empty() || !before.ends_with(escape))
    {
        return (before, true);
    }
    (line, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_extracted() {
        let (f, rest) = extract_flags("--from=build --chown=\"a b\" src dst");
        let words: Vec<_> = f.iter().map(|f| f.word.as_str()).collect();
        assert_eq!(words, ["--from=build", "--chown=a b"]);
        assert_eq!(rest, 27);
        let (f, rest) = extract_flags("-- --x");
        assert!(f.is_empty());
        assert_eq!(rest, 2);
        let (f, rest) = extract_flags("--link");
        assert_eq!(f.len(), 1);
        assert_eq!(rest, 6);
    }

    #[test]
    fn words_keep_quotes() {
        let s = r#"a="b c" d\ e 'f g'"#;
        let w: Vec<_> = parse_words(s, '\\')
            .into_iter()
            .map(|(a, b)| &s[a..b])
            .collect();
        assert_eq!(w, [r#"a="b c""#, r"d\ e", "'f g'"]);
    }

    #[test]
    fn json_arrays() {
        let v = parse_json_array(r#" ["a", "b\"c", "\u00e9\ud83d\ude00"] "#).unwrap();
        let vals: Vec<_> = v.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(vals, ["a", "b\"c", "é😀"]);
        assert_eq!(parse_json_array("[]"), Ok(vec![]));
        assert_eq!(parse_json_array("[1]"), Err(true));
        assert_eq!(parse_json_array("[ -f x ]"), Err(false));
        assert_eq!(
            parse_json_array("[\"a\", 1.5e3, {\"k\": [null]}]"),
            Err(true)
        );
        assert_eq!(parse_json_array("[1, 2"), Err(false));
        assert_eq!(parse_json_array("[\"a\" b]"), Err(false));
        assert_eq!(parse_json_array("echo"), Err(false));
    }

    #[test]
    fn unquoting() {
        assert_eq!(unquote(r#""a\"b" 'c\d' e\ f"#, '\\'), r#"a"b c\d e f"#);
        assert_eq!(unquote(r#""a\nb""#, '\\'), r"a\nb");
    }

    #[test]
    fn continuation() {
        assert_eq!(trim_continuation("a \\  ", '\\'), ("a ", true));
        assert_eq!(trim_continuation("\\", '\\'), ("", true));
        assert_eq!(trim_continuation("a \\\\", '\\'), ("a \\\\", false));
        assert_eq!(trim_continuation("a `", '`'), ("a ", true));
        assert_eq!(trim_continuation("C:\\", '`'), ("C:\\", false));
    }

    #[test]
    fn logical_positions() {
        let mut l = Logical::default();
        l.push("RUN a ", Pos::new(1, 1));
        l.push("  b", Pos::new(2, 1));
        assert_eq!(l.pos(4), Pos::new(1, 5));
        assert_eq!(l.pos(8), Pos::new(2, 3));
        assert_eq!(l.pos_end(6), Pos::new(1, 7));
        assert_eq!(l.span(8, 9), Span::new(Pos::new(2, 3), Pos::new(2, 4)));
    }
}

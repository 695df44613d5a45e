//! The line-level parser: directives, comments, continuations, here-documents and the
//! per-instruction argument shapes, following BuildKit's `parser` package.

use kubeward_source::{Pos, Span};

use crate::ast::{
    Args, Directive, Flag, Heredoc, Instruction, KeyValue, Keyword, ParsedDockerfile, Word,
};
use crate::error::{ParseError, ParseErrorKind};
use crate::lex::{
    Logical, extract_flags, is_ws, parse_json_array, parse_words, split_ws, trim_continuation,
    unquote,
};

/// Largest input accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

fn count_chars(s: &str) -> u32 {
    u32::try_from(s.chars().count()).unwrap_or(u32::MAX)
}

fn line_no(idx: usize) -> u32 {
    u32::try_from(idx + 1).unwrap_or(u32::MAX)
}

/// Whether the text looks like binary data: a NUL, or many C0 control characters.
fn binary_offset(text: &str) -> Option<usize> {
    if let Some(i) = text.find('\0') {
        return Some(i);
    }
    let mut controls = 0usize;
    let mut total = 0usize;
    let mut first = None;
    for (i, c) in text.char_indices().take(8192) {
        total += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{1b}') {
            controls += 1;
            first.get_or_insert(i);
        }
    }
    (controls * 20 > total && controls > 0).then(|| first.unwrap_or(0))
}

fn pos_of_offset(text: &str, off: usize) -> Pos {
    let before = text.get(..off).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

/// Parser-directive recognition: `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`.
fn match_directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let name_len = rest
        .char_indices()
        .find(|&(_, c)| !c.is_ascii_alphanumeric())
        .map_or(rest.len(), |(i, _)| i);
    let name = rest.get(..name_len)?;
    if !name.chars().next()?.is_ascii_alphabetic() {
        return None;
    }
    let value = rest.get(name_len..)?.trim_start().strip_prefix('=')?.trim();
    if value.is_empty() {
        return None;
    }
    Some((name, value))
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

struct Parser<'a> {
    lines: Vec<&'a str>,
    escape: char,
    out: ParsedDockerfile,
}

/// Parses Dockerfile text. See [`crate::parse`].
pub(crate) fn parse(text: &str) -> ParsedDockerfile {
    let mut out = ParsedDockerfile {
        escape: '\\',
        ..ParsedDockerfile::default()
    };
    if text.len() > MAX_INPUT_BYTES {
        out.errors.push(ParseError::new(
            ParseErrorKind::TooLarge {
                limit: MAX_INPUT_BYTES,
            },
            Span::point(Pos::new(1, 1)),
        ));
        return out;
    }
    if let Some(off) = binary_offset(text) {
        out.errors.push(ParseError::new(
            ParseErrorKind::Binary,
            Span::point(pos_of_offset(text, off)),
        ));
        return out;
    }
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<&str> = body.split('\n').collect();
    if body.ends_with('\n') {
        lines.pop();
    }
    let lines = lines
        .into_iter()
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    let mut p = Parser {
        lines,
        escape: '\\',
        out,
    };
    p.run();
    let mut out = p.out;
    crate::stages::build(&mut out);
    if out.instructions.is_empty() && out.errors.is_empty() {
        let last = u32::try_from(text.lines().count().max(1)).unwrap_or(u32::MAX);
        out.errors.push(ParseError::new(
            ParseErrorKind::Empty,
            Span::point(Pos::new(last, 1)),
        ));
    }
    out.errors.sort_by_key(|e| e.span);
    out
}

impl Parser<'_> {
    fn error(&mut self, kind: ParseErrorKind, span: Span) {
        self.out.errors.push(ParseError::new(kind, span));
    }

    fn line_span(&self, idx: usize) -> Span {
        let l = self.lines.get(idx).copied().unwrap_or("");
        Span::new(
            Pos::new(line_no(idx), 1),
            Pos::new(line_no(idx), count_chars(l) + 1),
        )
    }

    fn run(&mut self) {
        let mut directives_done = false;
        let mut seen_directives: Vec<String> = Vec::new();
        let mut i = 0;
        while let Some(&raw) = self.lines.get(i) {
            let trimmed = raw.trim_start();
            if !directives_done {
                match match_directive(trimmed) {
                    Some((name, value))
                        if matches!(
                            name.to_ascii_lowercase().as_str(),
                            "syntax" | "escape" | "check"
                        ) =>
                    {
                        let name = name.to_ascii_lowercase();
                        let span = self.line_span(i);
                        if seen_directives.contains(&name) {
                            self.error(ParseErrorKind::DuplicateDirective { name }, span);
                        } else {
                            if name == "escape" {
                                match value {
                                    "\\" => self.escape = '\\',
                                    "`" => self.escape = '`',
                                    _ => self.error(
                                        ParseErrorKind::InvalidEscape {
                                            value: value.to_owned(),
                                        },
                                        span,
                                    ),
                                }
                                self.out.escape = self.escape;
                            }
                            seen_directives.push(name.clone());
                            self.out.directives.push(Directive {
                                name,
                                value: value.to_owned(),
                                span,
                            });
                        }
                    }
                    _ => directives_done = true,
                }
            }
            if trimmed.starts_with('#') {
                i += 1;
                continue;
            }
            let (content, mut cont) = trim_continuation(trimmed, self.escape);
            if !cont && content.is_empty() {
                i += 1;
                continue;
            }
            directives_done = true;
            let lead = count_chars(raw) - count_chars(trimmed);
            let mut logical = Logical::default();
            logical.push(content, Pos::new(line_no(i), lead + 1));
            let mut end = Pos::new(line_no(i), count_chars(raw) + 1);
            i += 1;
            while cont {
                let Some(&raw) = self.lines.get(i) else { break };
                i += 1;
                if is_comment(raw) || raw.trim_start().is_empty() {
                    continue;
                }
                let (content, c) = trim_continuation(raw, self.escape);
                cont = c;
                logical.push(content, Pos::new(line_no(i - 1), 1));
                end = Pos::new(line_no(i - 1), count_chars(raw) + 1);
            }
            let mut instr = self.instruction(&logical, 0, false);
            if instr.heredoc_capable() && logical.text.contains("<<") {
                for (mut doc, marker) in heredoc_markers(&logical, self.escape) {
                    let body_start = i;
                    let mut terminated = false;
                    while let Some(&line) = self.lines.get(i) {
                        i += 1;
                        let candidate = if doc.chomp {
                            line.trim_start_matches('\t')
                        } else {
                            line
                        };
                        if candidate == doc.name {
                            terminated = true;
                            break;
                        }
                        doc.content.push_str(line);
                        doc.content.push('\n');
                    }
                    let last = i.saturating_sub(1).max(body_start);
                    doc.span =
                        Span::new(Pos::new(line_no(body_start), 1), self.line_span(last).end);
                    if terminated || i > body_start {
                        end = self.line_span(last).end;
                    }
                    if !terminated {
                        self.error(
                            ParseErrorKind::UnterminatedHeredoc {
                                name: doc.name.clone(),
                            },
                            marker,
                        );
                    }
                    instr.attach_heredoc(doc);
                }
            }
            instr.span = Span::new(instr.keyword_span.start, end);
            self.out.instructions.push(instr);
        }
    }

    /// Builds the instruction whose text starts at byte `base` of `logical`.
    fn instruction(&mut self, logical: &Logical, base: usize, in_onbuild: bool) -> Instruction {
        let text = logical.text.get(base..).unwrap_or("");
        let lead = text.len() - text.trim_start_matches(is_ws).len();
        let body = text.trim_start_matches(is_ws);
        let kw_len = body.find(is_ws).unwrap_or(body.len());
        let kw_start = base + lead;
        let kw_end = kw_start + kw_len;
        let keyword_text = body.get(..kw_len).unwrap_or("").to_owned();
        let keyword = Keyword::from_word(&keyword_text);
        let keyword_span = logical.span(kw_start, kw_end);
        let after = logical.text.get(kw_end..).unwrap_or("");
        let rest_start = kw_end + (after.len() - after.trim_start_matches(is_ws).len());
        let line_rest = logical.text.get(rest_start..).unwrap_or("");
        let (raw_flags, args_off) = extract_flags(line_rest);
        let args_start = rest_start + args_off;
        let rest = logical
            .text
            .get(args_start..)
            .unwrap_or("")
            .trim_end_matches(|c: char| c.is_whitespace());
        let args_end = args_start + rest.len();
        let name = keyword.as_str();

        let mut flags = Vec::with_capacity(raw_flags.len());
        for f in raw_flags {
            let word = f.word.strip_prefix("--").unwrap_or(&f.word);
            let (fname, value) = match word.split_once('=') {
                Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                None => (word.to_owned(), None),
            };
            let span = logical.span(rest_start + f.start, rest_start + f.end);
            if keyword != Keyword::Unknown
                && keyword != Keyword::Onbuild
                && !keyword
                    .allowed_flags()
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(&fname))
            {
                self.error(
                    ParseErrorKind::UnknownFlag {
                        instruction: name,
                        flag: fname.clone(),
                    },
                    span,
                );
            }
            flags.push(Flag {
                name: fname,
                value,
                span,
            });
        }

        let mut instr = Instruction {
            keyword,
            keyword_text,
            span: logical.span(kw_start, args_end.max(kw_end)),
            keyword_span,
            flags,
            args: Args::Empty,
            rest: rest.to_owned(),
            heredocs: Vec::new(),
            stage: None,
        };
        let whole = logical.span(kw_start, args_end.max(kw_end));
        let invalid = |message: &str| ParseErrorKind::InvalidArguments {
            instruction: name,
            message: message.to_owned(),
        };
        let escape = self.escape;
        let word_at = |s: usize, e: usize| {
            let raw = logical.text.get(s..e).unwrap_or("").to_owned();
            Word {
                value: unquote(&raw, escape),
                raw,
                span: logical.span(s, e),
            }
        };
        let ws_words = |s: &str, base: usize| -> Vec<Word> {
            split_ws(s)
                .into_iter()
                .map(|(a, b)| word_at(base + a, base + b))
                .collect()
        };
        let json_or = |this: &mut Self, fallback_words: bool| -> Args {
            if rest.is_empty() {
                return Args::Empty;
            }
            if rest.starts_with('[') {
                match parse_json_array(rest) {
                    Ok(items) => {
                        return Args::Exec(
                            items
                                .into_iter()
                                .map(|(value, s, e)| Word {
                                    value,
                                    raw: rest.get(s..e).unwrap_or("").to_owned(),
                                    span: logical.span(args_start + s, args_start + e),
                                })
                                .collect(),
                        );
                    }
                    Err(true) => this.error(
                        ParseErrorKind::InvalidArguments {
                            instruction: name,
                            message: "JSON array must contain only strings".to_owned(),
                        },
                        whole,
                    ),
                    Err(false) => {}
                }
            }
            if fallback_words {
                Args::Words(ws_words(rest, args_start))
            } else {
                Args::Shell(word_at(args_start, args_end))
            }
        };

        match keyword {
            Keyword::Unknown => {
                self.error(
                    ParseErrorKind::UnknownInstruction {
                        name: instr.keyword_text.clone(),
                    },
                    keyword_span,
                );
                if !rest.is_empty() {
                    instr.args = Args::Shell(word_at(args_start, args_end));
                }
            }
            Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Shell => {
                instr.args = json_or(self, false);
                if keyword == Keyword::Shell && !instr.is_exec_form() {
                    self.error(
                        invalid("SHELL requires the arguments to be in JSON form"),
                        whole,
                    );
                }
            }
            Keyword::Add | Keyword::Copy => {
                instr.args = json_or(self, true);
                if instr.words().len() < 2 {
                    self.error(invalid("requires at least two arguments"), whole);
                }
            }
            Keyword::Volume => {
                instr.args = json_or(self, true);
                if instr.words().is_empty() {
                    self.error(invalid("requires at least one argument"), whole);
                }
            }
            Keyword::From | Keyword::Expose => {
                instr.args = Args::Words(ws_words(rest, args_start));
                let n = instr.words().len();
                if keyword == Keyword::From {
                    if n != 1 && n != 3 {
                        self.error(invalid("requires either one or three arguments"), whole);
                    } else if n == 3
                        && !instr
                            .words()
                            .get(1)
                            .is_some_and(|w| w.raw.eq_ignore_ascii_case("as"))
                    {
                        self.error(invalid("Third argument must be AS"), whole);
                    }
                } else if n == 0 {
                    self.error(invalid("requires at least one argument"), whole);
                }
            }
            Keyword::Env | Keyword::Label => {
                instr.args = Args::Pairs(self.name_vals(logical, args_start, rest, name, whole));
                if rest.is_empty() {
                    self.error(invalid("requires at least one argument"), whole);
                }
            }
            Keyword::Arg => {
                let pairs: Vec<KeyValue> = parse_words(rest, escape)
                    .into_iter()
                    .map(|(a, b)| {
                        let w = rest.get(a..b).unwrap_or("");
                        let (key, raw_value) = match w.split_once('=') {
                            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                            None => (w.to_owned(), None),
                        };
                        KeyValue {
                            key,
                            value: raw_value.as_deref().map(|v| unquote(v, escape)),
                            raw_value,
                            span: logical.span(args_start + a, args_start + b),
                        }
                    })
                    .collect();
                if pairs.is_empty() {
                    self.error(invalid("requires at least one argument"), whole);
                }
                for p in &pairs {
                    if p.key.is_empty() {
                        self.error(invalid("argument names can not be blank"), p.span);
                    }
                }
                instr.args = Args::Pairs(pairs);
            }
            Keyword::Healthcheck => {
                let sep = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let typ = rest.get(..sep).unwrap_or("");
                let after = rest.get(sep..).unwrap_or("");
                let next = args_start + sep + (after.len() - after.trim_start().len());
                let cmd_text = after.trim_start();
                if typ.eq_ignore_ascii_case("NONE") {
                    if !cmd_text.is_empty() {
                        self.error(invalid("HEALTHCHECK NONE takes no arguments"), whole);
                    }
                    instr.args = Args::Healthcheck(None);
                } else if typ.eq_ignore_ascii_case("CMD") {
                    let sub = if cmd_text.is_empty() {
                        self.error(invalid("Missing command after HEALTHCHECK CMD"), whole);
                        Args::Empty
                    } else if let Ok(items) = parse_json_array(cmd_text) {
                        Args::Exec(
                            items
                                .into_iter()
                                .map(|(value, s, e)| Word {
                                    value,
                                    raw: cmd_text.get(s..e).unwrap_or("").to_owned(),
                                    span: logical.span(next + s, next + e),
                                })
                                .collect(),
                        )
                    } else {
                        Args::Shell(word_at(next, args_end))
                    };
                    instr.args = Args::Healthcheck(Some(Box::new(sub)));
                } else if typ.is_empty() {
                    self.error(invalid("requires an argument"), whole);
                } else {
                    self.error(
                        invalid(&format!("Unknown type \"{typ}\" in HEALTHCHECK (try CMD)")),
                        whole,
                    );
                }
            }
            Keyword::Maintainer | Keyword::Stopsignal | Keyword::User | Keyword::Workdir => {
                if rest.is_empty() {
                    self.error(invalid("requires exactly one argument"), whole);
                } else {
                    instr.args = Args::Shell(word_at(args_start, args_end));
                }
            }
            Keyword::Onbuild => {
                if rest.is_empty() {
                    self.error(invalid("requires at least one argument"), whole);
                } else if in_onbuild {
                    self.error(
                        ParseErrorKind::InvalidOnbuildTrigger {
                            trigger: "ONBUILD".to_owned(),
                        },
                        keyword_span,
                    );
                    instr.args = Args::Shell(word_at(args_start, args_end));
                } else {
                    let trigger = self.instruction(logical, args_start, true);
                    if matches!(trigger.keyword, Keyword::From | Keyword::Maintainer) {
                        self.error(
                            ParseErrorKind::InvalidOnbuildTrigger {
                                trigger: trigger.keyword_text.to_ascii_uppercase(),
                            },
                            trigger.keyword_span,
                        );
                    }
                    instr.args = Args::Onbuild(Box::new(trigger));
                }
            }
        }
        instr
    }

    /// BuildKit's `parseNameVal` for ENV and LABEL (old `KEY value` and new `k=v ...` forms).
    fn name_vals(
        &mut self,
        logical: &Logical,
        base: usize,
        rest: &str,
        name: &'static str,
        whole: Span,
    ) -> Vec<KeyValue> {
        let escape = self.escape;
        let words = parse_words(rest, escape);
        let Some(&(fa, fb)) = words.first() else {
            return Vec::new();
        };
        let first = rest.get(fa..fb).unwrap_or("");
        if !first.contains('=') {
            // Old form: the key, then the rest of the line as the value.
            let ranges = split_ws(rest);
            let Some(&(ka, kb)) = ranges.first() else {
                return Vec::new();
            };
            let Some(&(va, _)) = ranges.get(1) else {
                self.error(
                    ParseErrorKind::InvalidArguments {
                        instruction: name,
                        message: "must have two arguments".to_owned(),
                    },
                    whole,
                );
                return Vec::new();
            };
            let raw_value = rest.get(va..).unwrap_or("").to_owned();
            return vec![KeyValue {
                key: rest.get(ka..kb).unwrap_or("").to_owned(),
                value: Some(unquote(&raw_value, escape)),
                raw_value: Some(raw_value),
                span: logical.span(base + ka, base + rest.len()),
            }];
        }
        let mut out = Vec::with_capacity(words.len());
        for (a, b) in words {
            let w = rest.get(a..b).unwrap_or("");
            let span = logical.span(base + a, base + b);
            let Some((k, v)) = w.split_once('=') else {
                self.error(
                    ParseErrorKind::InvalidArguments {
                        instruction: name,
                        message: format!(
                            "Syntax error - can't find = in \"{w}\". Must be of the form: name=value"
                        ),
                    },
                    span,
                );
                continue;
            };
            let key = unquote(k, escape);
            if key.is_empty() {
                self.error(
                    ParseErrorKind::InvalidArguments {
                        instruction: name,
                        message: "names can not be blank".to_owned(),
                    },
                    span,
                );
            }
            out.push(KeyValue {
                key,
                value: Some(unquote(v, escape)),
                raw_value: Some(v.to_owned()),
                span,
            });
        }
        out
    }
}

impl Instruction {
    /// RUN, COPY and ADD in shell form (also as ONBUILD triggers) can carry here-documents.
    fn heredoc_capable(&self) -> bool {
        let target = self.onbuild_trigger().unwrap_or(self);
        matches!(target.keyword, Keyword::Run | Keyword::Copy | Keyword::Add)
            && !target.is_exec_form()
    }

    fn attach_heredoc(&mut self, doc: Heredoc) {
        if let Args::Onbuild(t) = &mut self.args {
            t.heredocs.push(doc.clone());
        }
        self.heredocs.push(doc);
    }
}

/// Finds `<<EOF`-style words in an instruction line (BuildKit's `heredocsFromLine`):
/// each word matching `^(\d*)<<(-?)([^<]*)$` whose rest is one shell word.
fn heredoc_markers(logical: &Logical, escape: char) -> Vec<(Heredoc, Span)> {
    let text = &logical.text;
    let mut out = Vec::new();
    for (a, b) in parse_words(text, escape) {
        let Some(word) = text.get(a..b) else { continue };
        let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let Some(after) = word.get(digits..).and_then(|w| w.strip_prefix("<<")) else {
            continue;
        };
        let (chomp, name_raw) = match after.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, after),
        };
        if name_raw.is_empty() || name_raw.contains('<') {
            continue;
        }
        if parse_words(name_raw, '\\').len() != 1 {
            continue;
        }
        let name = unquote(name_raw, '\\');
        if name.is_empty() {
            continue;
        }
        let expand = !name_raw.contains(['\'', '"']);
        let fd = word.get(..digits).and_then(|d| d.parse().ok()).unwrap_or(0);
        out.push((
            Heredoc {
                name,
                chomp,
                expand,
                fd,
                content: String::new(),
                span: Span::default(),
            },
            logical.span(a, b),
        ));
    }
    out
}

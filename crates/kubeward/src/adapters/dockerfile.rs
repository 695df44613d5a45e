//! Dockerfile / Containerfile scanning for `kubeward scan` (`IMG100`+ rules).
//!
//! The `kubeward-dockerfile` engine parses the file (BuildKit semantics) and runs its checks;
//! this adapter turns every engine finding into a diagnostic of the matching rule
//! ([`dockerfile::for_check`]) through [`Engine::external`], so selection and severity
//! overrides apply as for every rule. Parse errors become located input errors (`KW001`;
//! `KW003` for an oversized file, `KW004` for a binary one) and the rest of the file is still
//! checked.
//!
//! Inline suppression: a comment in the block of comment lines directly above an instruction,
//! `# kubeward:ignore IMG101,IMG102: <reason>`, drops that instruction's findings of the
//! named rules (codes, names or code prefixes). The reason is mandatory (`KW008` otherwise) and
//! a comment that suppresses nothing is reported (`KW007`).
//!
//! Each diagnostic's `location.path` names the instruction structurally
//! (`stage[build].RUN[2]`: the third `RUN` of stage `build`; `global.ARG[0]` before the first
//! `FROM`), which keeps fingerprints (baselines, SARIF) distinct per instruction and stable
//! when lines move.

use std::collections::HashMap;
use std::sync::Arc;

use kubeward_diagnostics::{InputError, Location};
use kubeward_dockerfile::{Keyword, ParseErrorKind, ParsedDockerfile};
use kubeward_rules::rules::{dockerfile, input};
use kubeward_rules::snippet_for;
use kubeward_rules::{Engine, ExternalFinding, FileOutcome, Rule, matches_rule, registry};
use kubeward_source::{Pos, SourceFile, Span};

/// The marker of an inline suppression comment.
pub const IGNORE_MARKER: &str = "kubeward:ignore";

/// Scans one Dockerfile.
#[must_use]
pub fn check(engine: &Engine, source: &SourceFile) -> FileOutcome {
    let df = kubeward_dockerfile::parse(source.text());
    let file = source.path_arc();
    let mut out = FileOutcome::default();
    for error in &df.errors {
        out.errors.push(InputError {
            file: file.to_string(),
            line: error.span.start.line,
            column: if error.span.start.line == 0 {
                0
            } else {
                error.span.start.col
            },
            code: error_code(&error.kind),
            message: error.kind.to_string(),
        });
    }

    let findings = kubeward_dockerfile::check(&df);
    let masks = SecretMasks::new(source, &df, &findings);
    let mut comments = Comments::scan(source, &df);
    let paths = InstructionPaths::new(&df);
    let mut seen: HashMap<(&'static str, String), usize> = HashMap::new();
    for finding in findings {
        let Some(rule) = dockerfile::for_check(finding.check.id) else {
            continue;
        };
        if comments.suppresses(finding.span.start.line, rule) {
            if engine.settings().selection.enabled(rule) {
                out.suppressed += 1;
            }
            continue;
        }
        let path = paths.of(finding.span).map(|base| {
            let n = seen.entry((rule.code, base.clone())).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}#{n}") }
        });
        let location = Location {
            file: Arc::clone(&file),
            start: finding.span.start,
            end: finding.span.end,
            path,
            template: None,
        };
        let external = ExternalFinding {
            message: finding.message,
            location,
            snippet: Some(masks.snippet(source, finding.span)),
            ..ExternalFinding::default()
        };
        out.diagnostics.extend(engine.external(rule, external));
    }
    comments.report(engine, source, &mut out);
    out
}

/// The input-problem code of a parse error.
fn error_code(kind: &ParseErrorKind) -> &'static str {
    match kind {
        ParseErrorKind::TooLarge { .. } => input::INPUT_LIMIT_EXCEEDED.code,
        ParseErrorKind::Binary => input::UNREADABLE_INPUT.code,
        _ => input::YAML_SYNTAX_ERROR.code,
    }
}

/// Where the values of secret-looking `ENV`/`ARG` pairs are, so that source frames never
/// show them: the value is replaced by `****` in every snippet.
struct SecretMasks {
    /// line -> masked column ranges (1-based, end exclusive; `u32::MAX`: to the end of line).
    by_line: HashMap<u32, Vec<(u32, u32)>>,
}

impl SecretMasks {
    fn new(
        source: &SourceFile,
        df: &ParsedDockerfile,
        findings: &[kubeward_dockerfile::Finding],
    ) -> Self {
        let mut by_line: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
        let secret_checks = [
            dockerfile::SECRET_IN_ENV.name,
            dockerfile::SECRET_IN_ARG.name,
        ];
        for finding in findings
            .iter()
            .filter(|f| secret_checks.contains(&f.check.id))
        {
            let Some(outer) = df.instructions.iter().find(|i| i.span == finding.span) else {
                continue;
            };
            let instr = outer.onbuild_trigger().unwrap_or(outer);
            for pair in instr.pairs() {
                if pair.value.as_deref().is_none_or(str::is_empty) {
                    continue;
                }
                let Some(first) = source.line(pair.span.start.line) else {
                    continue;
                };
                // The value starts after the key and its separator (`=` or blanks).
                let key_end = usize::try_from(pair.span.start.col.saturating_sub(1)).unwrap_or(0)
                    + pair.key.chars().count();
                let skip = first
                    .chars()
                    .skip(key_end)
                    .take_while(|c| *c == '=' || c.is_whitespace())
                    .count();
                let value_start = u32::try_from(key_end + skip + 1).unwrap_or(u32::MAX);
                let (start, end) = (pair.span.start.line, pair.span.end.line);
                for line in start..=end {
                    let from = if line == start { value_start } else { 1 };
                    let to = if line == end {
                        pair.span.end.col
                    } else {
                        u32::MAX
                    };
                    if from < to {
                        by_line.entry(line).or_default().push((from, to));
                    }
                }
            }
        }
        Self { by_line }
    }

    /// The source frame of `span` with secret values masked.
    fn snippet(&self, source: &SourceFile, span: Span) -> kubeward_diagnostics::Snippet {
        let mut snippet = snippet_for(source, span);
        for (line, text) in (snippet.first_line..).zip(snippet.lines.iter_mut()) {
            let Some(ranges) = self.by_line.get(&line) else {
                continue;
            };
            let mut masked = String::with_capacity(text.len());
            let mut in_mask = false;
            for (col, c) in (1u32..).zip(text.chars()) {
                if ranges.iter().any(|&(from, to)| from <= col && col < to) {
                    if !in_mask {
                        masked.push_str("****");
                    }
                    in_mask = true;
                } else {
                    in_mask = false;
                    masked.push(c);
                }
            }
            *text = masked;
        }
        snippet
    }
}

/// Structural, line-independent names of instructions: `stage[<name or index>].<KEYWORD>[n]`.
struct InstructionPaths {
    by_span: HashMap<Span, String>,
}

impl InstructionPaths {
    fn new(df: &ParsedDockerfile) -> Self {
        let mut counts: HashMap<(Option<usize>, String), usize> = HashMap::new();
        let mut by_span = HashMap::with_capacity(df.instructions.len());
        for instr in &df.instructions {
            let keyword = if instr.keyword == Keyword::Unknown {
                instr.keyword_text.to_ascii_uppercase()
            } else {
                instr.keyword.as_str().to_string()
            };
            let n = counts.entry((instr.stage, keyword.clone())).or_insert(0);
            let stage = match instr.stage {
                None => "global".to_string(),
                Some(i) => match df.stages.get(i).and_then(|s| s.name.as_deref()) {
                    Some(name) => format!("stage[{name}]"),
                    None => format!("stage[{i}]"),
                },
            };
            by_span.insert(instr.span, format!("{stage}.{keyword}[{n}]"));
            *n += 1;
        }
        Self { by_span }
    }

    fn of(&self, span: Span) -> Option<String> {
        self.by_span.get(&span).cloned()
    }
}

/// One `# kubeward:ignore` comment.
struct Ignore {
    /// The comment line.
    line: u32,
    /// First line of the instruction it applies to (`None`: not directly above one).
    target: Option<u32>,
    /// Parsed `CODES: reason`, or why it cannot be parsed.
    parsed: Result<Vec<String>, String>,
    /// Per selector: whether it suppressed a finding.
    used: Vec<bool>,
}

/// The suppression comments of a file.
struct Comments {
    ignores: Vec<Ignore>,
}

impl Comments {
    fn scan(source: &SourceFile, df: &ParsedDockerfile) -> Self {
        // Lines that belong to an instruction (continuations, heredoc bodies): a comment there
        // is part of the instruction, not a suppression.
        let mut covered: Vec<(u32, u32)> = df
            .instructions
            .iter()
            .map(|i| (i.span.start.line, i.span.end.line))
            .collect();
        covered.sort_unstable();
        let inside = |line: u32| {
            let after = covered.partition_point(|&(start, _)| start <= line);
            after
                .checked_sub(1)
                .and_then(|i| covered.get(i))
                .is_some_and(|&(_, end)| line <= end)
        };
        let starts: Vec<u32> = covered.iter().map(|&(start, _)| start).collect();
        let mut ignores = Vec::new();
        let count = u32::try_from(source.line_count()).unwrap_or(u32::MAX);
        for line in 1..=count {
            let Some(text) = source.line(line) else {
                continue;
            };
            let Some(rest) = ignore_comment(text) else {
                continue;
            };
            if inside(line) {
                continue;
            }
            // The instruction after the block of comment lines this comment belongs to.
            let mut next = line + 1;
            while next <= count
                && source
                    .line(next)
                    .is_some_and(|l| l.trim_start().starts_with('#'))
                && !inside(next)
            {
                next += 1;
            }
            let target = starts.binary_search(&next).is_ok().then_some(next);
            let parsed = parse_ignore(rest);
            let used = parsed.as_ref().map_or(0, Vec::len);
            ignores.push(Ignore {
                line,
                target,
                parsed,
                used: vec![false; used],
            });
        }
        Self { ignores }
    }

    /// Whether a finding of `rule` on the instruction starting at `line` is suppressed; marks
    /// the selectors that match.
    fn suppresses(&mut self, line: u32, rule: &Rule) -> bool {
        let mut hit = false;
        for ignore in self.ignores.iter_mut().filter(|i| i.target == Some(line)) {
            let Ok(selectors) = &ignore.parsed else {
                continue;
            };
            for (selector, used) in selectors.iter().zip(ignore.used.iter_mut()) {
                if matches_rule(selector, rule) {
                    *used = true;
                    hit = true;
                }
            }
        }
        hit
    }

    /// Reports invalid comments (`KW008`) and comments that suppressed nothing (`KW007`).
    fn report(self, engine: &Engine, source: &SourceFile, out: &mut FileOutcome) {
        for ignore in self.ignores {
            let text = source.line(ignore.line).unwrap_or("");
            let start = text.chars().take_while(|c| c.is_whitespace()).count();
            let span = Span {
                start: Pos {
                    line: ignore.line,
                    col: u32::try_from(start + 1).unwrap_or(1),
                },
                end: Pos {
                    line: ignore.line,
                    col: u32::try_from(text.chars().count() + 1).unwrap_or(1),
                },
            };
            let (rule, message) = match (&ignore.parsed, ignore.target) {
                (Err(message), _) => (&input::INVALID_SUPPRESSION, message.clone()),
                (Ok(_), None) => (
                    &input::UNUSED_SUPPRESSION,
                    format!(
                        "`# {IGNORE_MARKER}` is not directly above an instruction, so it suppresses nothing"
                    ),
                ),
                (Ok(selectors), Some(_)) => {
                    let unused: Vec<&str> = selectors
                        .iter()
                        .zip(&ignore.used)
                        .filter(|(_, used)| !**used)
                        .map(|(s, _)| s.as_str())
                        .collect();
                    if unused.is_empty() {
                        continue;
                    }
                    let known = unused
                        .iter()
                        .all(|s| registry::all().iter().any(|r| matches_rule(s, r)));
                    let message = if known {
                        format!(
                            "`# {IGNORE_MARKER}` names `{}` but the next instruction has no such finding",
                            unused.join(",")
                        )
                    } else {
                        format!(
                            "`# {IGNORE_MARKER}` names `{}`, which suppresses nothing (unknown rule or no such finding)",
                            unused.join(",")
                        )
                    };
                    (&input::UNUSED_SUPPRESSION, message)
                }
            };
            let fix = if rule.code == input::INVALID_SUPPRESSION.code {
                "Write the comment as `# kubeward:ignore CODE[,CODE]: reason`."
            } else {
                "Remove the unused codes from the `# kubeward:ignore` comment, or move it directly above the instruction it is meant for."
            };
            let location = Location {
                file: source.path_arc(),
                start: span.start,
                end: span.end,
                path: None,
                template: None,
            };
            out.diagnostics.extend(engine.external(
                rule,
                ExternalFinding {
                    message,
                    location,
                    snippet: Some(snippet_for(source, span)),
                    fix: Some(fix.to_string()),
                    ..ExternalFinding::default()
                },
            ));
        }
    }
}

/// The text after the marker if `line` is a `# kubeward:ignore ...` comment.
fn ignore_comment(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix(IGNORE_MARKER)?;
    // `# kubeward:ignored` or `# kubeward:ignore-file` are not this marker.
    if rest.chars().next().is_some_and(|c| !c.is_whitespace()) {
        return None;
    }
    Some(rest.trim())
}

/// Parses `CODE[,CODE]: reason` into its selectors.
fn parse_ignore(text: &str) -> Result<Vec<String>, String> {
    let Some((codes, reason)) = text.split_once(':') else {
        return Err(format!(
            "`# {IGNORE_MARKER}` needs `CODE[,CODE]: reason`; `{text}` has no reason"
        ));
    };
    let selectors: Vec<String> = codes
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if selectors.is_empty() {
        return Err(format!("`# {IGNORE_MARKER}` names no rule"));
    }
    if reason.trim().is_empty() {
        return Err(format!(
            "`# {IGNORE_MARKER} {}` has an empty reason; a reason is mandatory",
            selectors.join(",")
        ));
    }
    Ok(selectors)
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]

    use kubeward_rules::{Selection, Settings};

    use super::*;

    fn scan(text: &str) -> FileOutcome {
        scan_with(Settings::default(), text)
    }

    fn scan_with(settings: Settings, text: &str) -> FileOutcome {
        check(&Engine::new(settings), &SourceFile::new("Dockerfile", text))
    }

    fn codes(outcome: &FileOutcome) -> Vec<(&'static str, u32)> {
        outcome
            .diagnostics
            .iter()
            .map(|d| (d.code, d.location.start.line))
            .collect()
    }

    #[test]
    fn every_engine_check_has_its_rule() {
        for info in kubeward_dockerfile::checks() {
            let rule = dockerfile::for_check(info.id)
                .unwrap_or_else(|| panic!("no rule for check `{}`", info.id));
            assert_eq!(
                rule.severity.as_str(),
                info.severity.as_str(),
                "{}: severity differs from the engine's",
                rule.code
            );
        }
        assert_eq!(kubeward_dockerfile::checks().len(), dockerfile::RULES.len());
    }

    /// The `dockerfile` blocks of a section: the bad example fires, the good one does not.
    #[test]
    fn doc_examples_behave() {
        let mut failures = Vec::new();
        for rule in dockerfile::RULES {
            let example = rule.section("Example");
            let (bad, good) = example.split_once("Use instead:").unwrap();
            let block = |s: &str| {
                let start = s.find("```dockerfile").unwrap() + "```dockerfile".len();
                let body = &s[start..];
                body[..body.find("```").unwrap()]
                    .trim_start_matches('\n')
                    .to_string()
            };
            let fires = |text: &str| {
                let outcome = scan(text);
                assert!(
                    outcome.errors.is_empty(),
                    "{}: {:?}",
                    rule.code,
                    outcome.errors
                );
                outcome.diagnostics.iter().any(|d| d.code == rule.code)
            };
            if !fires(&block(bad)) {
                failures.push(format!("{}: bad example does not fire", rule.code));
            }
            if fires(&block(good)) {
                failures.push(format!("{}: good example fires", rule.code));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn findings_are_located_with_structural_paths() {
        let out = scan("FROM alpine AS build\nRUN true\n\nFROM build\nEXPOSE 22\n");
        let d = out.diagnostics.iter().find(|d| d.code == "IMG112").unwrap();
        assert_eq!(d.location.start, Pos { line: 5, col: 1 });
        assert_eq!(d.location.path.as_deref(), Some("stage[1].EXPOSE[0]"));
        assert_eq!(d.snippet.as_ref().unwrap().lines, vec!["EXPOSE 22"]);
        let d = out.diagnostics.iter().find(|d| d.code == "IMG101").unwrap();
        assert_eq!(d.location.path.as_deref(), Some("stage[build].FROM[0]"));
        assert!(d.object.is_none());
    }

    #[test]
    fn same_rule_twice_on_one_instruction_gets_distinct_paths() {
        let out =
            scan("FROM alpine:3.20\nENV DB_PASSWORD=hunter2-x API_TOKEN=abc123-y\nUSER 1000\n");
        let paths: Vec<_> = out
            .diagnostics
            .iter()
            .filter(|d| d.code == "IMG105")
            .map(|d| d.location.path.clone().unwrap())
            .collect();
        assert_eq!(paths, ["stage[0].ENV[0]", "stage[0].ENV[0]#2"]);
        assert!(!format!("{:?}", out.diagnostics).contains("hunter2"));
    }

    #[test]
    fn secret_values_never_reach_snippets() {
        let text = "FROM alpine:3.20\nENV DB_PASSWORD=\"canary-Pa55 word\" \\\n    API_TOKEN=canary-tok\nENV SECRET_KEY canary-old style\nARG NPM_TOKEN=canary-npm\nONBUILD ENV AUTH_KEY=canary-onbuild\nUSER 1000\n";
        let out = scan(text);
        let secrets: Vec<_> = out
            .diagnostics
            .iter()
            .filter(|d| d.code == "IMG105" || d.code == "IMG106")
            .collect();
        assert_eq!(secrets.len(), 5, "{secrets:#?}");
        let rendered = format!("{:?}", out.diagnostics);
        assert!(!rendered.contains("canary"), "{rendered}");
        let frame = &secrets[0].snippet.as_ref().unwrap().lines;
        assert_eq!(frame, &["ENV DB_PASSWORD=**** \\", "    API_TOKEN=****"]);
    }

    #[test]
    fn parse_errors_are_located_and_the_rest_is_checked() {
        let out = scan("FROM alpine\nFORM x\nEXPOSE 22\n");
        assert_eq!(out.errors.len(), 1);
        let e = &out.errors[0];
        assert_eq!((e.line, e.column, e.code), (2, 1, "KW001"));
        assert!(e.message.contains("FORM"), "{}", e.message);
        assert!(codes(&out).contains(&("IMG112", 3)));
    }

    #[test]
    fn binary_and_empty_files_are_errors() {
        let out = scan("\0\0\0");
        assert_eq!(out.errors[0].code, "KW004");
        let out = scan("# only a comment\n");
        assert_eq!(out.errors[0].code, "KW001");
        assert!(out.diagnostics.is_empty());
    }

    #[test]
    fn ignore_comment_suppresses_the_next_instruction_only() {
        let text = "FROM alpine:3.20\n# kubeward:ignore IMG112: bastion image\nEXPOSE 22\nEXPOSE 22/tcp\nUSER 10001\nHEALTHCHECK NONE\n";
        let out = scan(text);
        let ssh: Vec<_> = codes(&out)
            .into_iter()
            .filter(|(c, _)| c.starts_with("IMG112") || c.starts_with("KW"))
            .collect();
        assert_eq!(ssh, [("IMG112", 4)]);
        assert_eq!(out.suppressed, 1);
    }

    #[test]
    fn ignore_comment_in_a_comment_block_by_name_and_prefix() {
        let text = "# kubeward:ignore base-image-unpinned, IMG11: dev image\n# another comment\nFROM alpine\nEXPOSE 22\n";
        let out = scan(text);
        let got = codes(&out);
        assert!(!got.iter().any(|(c, _)| *c == "IMG101"), "{got:?}");
        // IMG114 (missing HEALTHCHECK) points at the FROM too and matches `IMG11`.
        assert!(!got.iter().any(|(c, _)| *c == "IMG114"), "{got:?}");
        assert!(got.contains(&("IMG112", 4)), "{got:?}");
        assert!(!got.iter().any(|(c, _)| c.starts_with("KW")), "{got:?}");
    }

    #[test]
    fn unused_and_invalid_ignore_comments_are_reported() {
        let text = "FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000\n# kubeward:ignore IMG112: nothing here\nUSER 10001\n# kubeward:ignore IMG999,IMG114: typo\nHEALTHCHECK NONE\n  # kubeward:ignore IMG100\nCMD [\"x\"]\n# kubeward:ignore IMG100: dangling\n\nCMD [\"y\"]\n";
        let out = scan(text);
        let kw: Vec<_> = out
            .diagnostics
            .iter()
            .filter(|d| d.code.starts_with("KW"))
            .map(|d| (d.code, d.location.start.line, d.message.as_str()))
            .collect();
        assert_eq!(kw.len(), 4, "{kw:?}");
        assert_eq!((kw[0].0, kw[0].1), ("KW007", 2));
        assert!(kw[0].2.contains("`IMG112` but the next instruction"));
        assert_eq!((kw[1].0, kw[1].1), ("KW007", 4));
        assert!(kw[1].2.contains("`IMG999,IMG114`"), "{}", kw[1].2);
        assert!(kw[1].2.contains("unknown rule"));
        assert_eq!((kw[2].0, kw[2].1), ("KW008", 6));
        assert_eq!(
            out.diagnostics
                .iter()
                .find(|d| d.code == "KW008")
                .unwrap()
                .location
                .start
                .col,
            3
        );
        assert_eq!((kw[3].0, kw[3].1), ("KW007", 8));
        assert!(kw[3].2.contains("not directly above an instruction"));
    }

    #[test]
    fn suppression_of_a_deselected_rule_is_not_unused() {
        let settings = Settings {
            selection: Selection::new(Vec::new(), vec!["IMG112".into()]),
            ..Settings::default()
        };
        let out = scan_with(
            settings,
            "FROM alpine:3.20\n# kubeward:ignore IMG112: bastion\nEXPOSE 22\n",
        );
        assert!(
            !codes(&out)
                .iter()
                .any(|(c, _)| c.starts_with("KW") || *c == "IMG112")
        );
    }

    #[test]
    fn comments_inside_heredocs_and_continuations_are_not_suppressions() {
        let text = "FROM alpine:3.20\nRUN <<EOF\n# kubeward:ignore IMG112: part of the script\nEOF\nEXPOSE 22\n";
        let out = scan(text);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        let got = codes(&out);
        assert!(got.contains(&("IMG112", 5)), "{got:?}");
        assert!(!got.iter().any(|(c, _)| c.starts_with("KW")), "{got:?}");
    }

    #[test]
    fn severity_overrides_and_selection_apply() {
        let mut settings = Settings {
            selection: Selection::new(vec!["IMG112".into()], Vec::new()),
            ..Settings::default()
        };
        settings.severity.insert(
            "expose-ssh".into(),
            kubeward_diagnostics::Severity::Critical,
        );
        let out = scan_with(settings, "FROM alpine\nEXPOSE 22\n");
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(
            out.diagnostics[0].severity,
            kubeward_diagnostics::Severity::Critical
        );
    }

    #[test]
    fn marker_parsing() {
        assert_eq!(ignore_comment("# kubeward:ignore IMG1: x"), Some("IMG1: x"));
        assert_eq!(ignore_comment("#kubeward:ignore"), Some(""));
        assert_eq!(ignore_comment("# kubeward:ignored IMG1: x"), None);
        assert_eq!(ignore_comment("RUN x # kubeward:ignore IMG1: x"), None);
        assert_eq!(
            parse_ignore("IMG100 IMG101: r").unwrap(),
            ["IMG100", "IMG101"]
        );
        assert!(parse_ignore("IMG100").is_err());
        assert!(parse_ignore(": r").is_err());
        assert!(parse_ignore("IMG100:  ").is_err());
    }
}

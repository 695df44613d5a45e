//! Parser behaviour for every syntax feature, following BuildKit.

use kubeward_dockerfile::{Args, BaseKind, Keyword, ParseErrorKind, ParsedDockerfile, parse};
use kubeward_source::{Pos, Span};

fn ok(text: &str) -> ParsedDockerfile {
    let df = parse(text);
    assert!(df.errors.is_empty(), "unexpected errors: {:?}", df.errors);
    df
}

fn span(l1: u32, c1: u32, l2: u32, c2: u32) -> Span {
    Span::new(Pos::new(l1, c1), Pos::new(l2, c2))
}

fn kinds(df: &ParsedDockerfile) -> Vec<&ParseErrorKind> {
    df.errors.iter().map(|e| &e.kind).collect()
}

#[test]
fn directives_syntax_and_escape() {
    let df = ok(
        "# syntax=docker/dockerfile:1.7\n# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\ `\n    && echo done\n",
    );
    assert_eq!(df.directive("syntax"), Some("docker/dockerfile:1.7"));
    assert_eq!(df.escape, '`');
    let run = &df.instructions[1];
    assert_eq!(run.words()[0].raw, "dir C:\\     && echo done");
    assert_eq!(run.span, span(4, 1, 5, 17));
}

#[test]
fn directives_only_at_the_top() {
    // A comment ends directive parsing: the later `# escape=` is an ordinary comment.
    let df = ok("# a comment\n# escape=`\nFROM alpine\nRUN echo \\\n  hi\n");
    assert!(df.directives.is_empty());
    assert_eq!(df.escape, '\\');
    assert_eq!(df.instructions[1].words()[0].raw, "echo   hi");
    // Unknown directive names are comments too, and also end directive parsing.
    let df = ok("# foo=bar\n# escape=`\nFROM alpine\n");
    assert!(df.directives.is_empty());
    // Case-insensitive names, spaces around `=`.
    let df = ok("#  ESCAPE = `\nFROM alpine\n");
    assert_eq!(df.escape, '`');
}

#[test]
fn directive_errors_are_located() {
    let df = parse("# escape=x\nFROM alpine\n");
    assert!(matches!(
        kinds(&df)[..],
        [ParseErrorKind::InvalidEscape { .. }]
    ));
    assert_eq!(df.errors[0].span.start, Pos::new(1, 1));
    let df = parse("# syntax=a\n# syntax=b\nFROM alpine\n");
    assert!(matches!(
        kinds(&df)[..],
        [ParseErrorKind::DuplicateDirective { .. }]
    ));
    assert_eq!(df.errors[0].span.start.line, 2);
}

#[test]
fn comments_and_blank_lines() {
    let df = ok("\n# c1\n   # indented\nFROM alpine\n\n\t\nRUN true # not a comment\n");
    assert_eq!(df.instructions.len(), 2);
    assert_eq!(df.instructions[1].words()[0].raw, "true # not a comment");
    assert_eq!(df.instructions[1].keyword_span, span(7, 1, 7, 4));
}

#[test]
fn continuations_skip_comments_and_empty_lines() {
    let text = "FROM alpine\nRUN apk add \\\n# a comment inside\n    curl \\\n\n   # indented comment\n    jq\nUSER 1000\n";
    let df = ok(text);
    let run = &df.instructions[1];
    assert_eq!(run.words()[0].raw, "apk add     curl     jq");
    assert_eq!(run.span, span(2, 1, 7, 7));
    // The word `jq` maps back to line 7.
    assert_eq!(df.instructions[2].span.start.line, 8);
    // An escaped escape at the end of a line is not a continuation.
    let df = ok("FROM alpine\nRUN echo \\\\\nUSER 1\n");
    assert_eq!(df.instructions.len(), 3);
    // Whitespace after the escape still continues.
    let df = ok("FROM alpine\nRUN a \\   \n  b\n");
    assert_eq!(df.instructions[1].words()[0].raw, "a   b");
    // A continuation at the end of the file just ends the instruction.
    let df = ok("FROM alpine\nRUN a \\\n");
    assert_eq!(df.instructions[1].words()[0].raw, "a");
}

#[test]
fn keywords_are_case_insensitive() {
    let df = ok("from alpine AS Build\nrun echo\nCoPy --FROM=build a b\n");
    assert_eq!(df.instructions[0].keyword, Keyword::From);
    assert_eq!(df.instructions[1].keyword, Keyword::Run);
    assert_eq!(df.instructions[2].keyword_text, "CoPy");
    assert_eq!(df.stages[0].name.as_deref(), Some("build"));
    assert_eq!(df.instructions[2].flag_value("from"), Some("build"));
}

#[test]
fn exec_and_shell_forms() {
    let df = ok(
        "FROM alpine\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\nENTRYPOINT /bin/sh -c 'x'\nRUN [ -f /etc/os-release ]\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n",
    );
    let cmd = &df.instructions[1];
    assert!(cmd.is_exec_form());
    let values: Vec<&str> = cmd.words().iter().map(|w| w.value.as_str()).collect();
    assert_eq!(values, ["nginx", "-g", "daemon off;"]);
    assert_eq!(cmd.words()[2].span, span(2, 21, 2, 34));
    assert!(!df.instructions[2].is_exec_form());
    // Not valid JSON: shell form.
    assert!(matches!(df.instructions[3].args, Args::Shell(_)));
    assert!(df.instructions[4].is_exec_form());
    // JSON escapes are decoded.
    let df = ok("FROM a\nCMD [\"a\\\"b\", \"\\u00e9\"]\n");
    assert_eq!(df.instructions[1].words()[0].value, "a\"b");
    assert_eq!(df.instructions[1].words()[1].value, "é");
    // A JSON array with a non-string is an error.
    let df = parse("FROM a\nCMD [1, 2]\n");
    assert!(matches!(
        kinds(&df)[..],
        [ParseErrorKind::InvalidArguments { .. }]
    ));
}

#[test]
fn flags_with_spans() {
    let df = ok(
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=npm --network=none go build\nCOPY --from=build --chown=app:app --chmod=0755 --link /out /app\nADD --checksum=sha256:abc https://x/y.tgz /\n",
    );
    assert_eq!(df.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
    let run = &df.instructions[1];
    let mounts: Vec<&str> = run.flag_values("mount").collect();
    assert_eq!(
        mounts,
        ["type=cache,target=/root/.cache", "type=secret,id=npm"]
    );
    assert_eq!(run.flag_value("network"), Some("none"));
    assert_eq!(run.flags[0].span, span(2, 5, 2, 43));
    assert_eq!(run.words()[0].raw, "go build");
    let copy = &df.instructions[2];
    assert_eq!(copy.flag_value("chown"), Some("app:app"));
    assert_eq!(copy.flag_value("chmod"), Some("0755"));
    assert!(copy.flag("link").is_some_and(|f| f.value.is_none()));
    let w: Vec<&str> = copy.words().iter().map(|w| w.value.as_str()).collect();
    assert_eq!(w, ["/out", "/app"]);
    assert_eq!(
        df.instructions[3].flag_value("checksum"),
        Some("sha256:abc")
    );
}

#[test]
fn unknown_flags_are_errors() {
    let df = parse("FROM alpine\nCOPY --frm=build a b\n");
    assert!(matches!(kinds(&df)[..], [ParseErrorKind::UnknownFlag { flag, .. }] if flag == "frm"));
    assert_eq!(df.errors[0].span, span(2, 6, 2, 17));
}

#[test]
fn heredocs() {
    let text = "# syntax=docker/dockerfile:1\nFROM alpine\nRUN <<EOF\napk add curl\necho \"$HOME\"\nEOF\nCOPY <<-'CONF' /etc/app.conf\n\tkey=value\n\tCONF\nRUN <<A cat > /a && <<\"B\" cat > /b\nfirst\nA\nsecond\nB\nUSER 1\n";
    let df = ok(text);
    let run = &df.instructions[1];
    assert_eq!(run.heredocs.len(), 1);
    let h = &run.heredocs[0];
    assert_eq!(h.name, "EOF");
    assert!(h.expand && !h.chomp);
    assert_eq!(h.content, "apk add curl\necho \"$HOME\"\n");
    assert_eq!(h.span, span(4, 1, 6, 4));
    assert_eq!(run.span, span(3, 1, 6, 4));
    let copy = &df.instructions[2];
    assert_eq!(copy.heredocs[0].name, "CONF");
    assert!(copy.heredocs[0].chomp && !copy.heredocs[0].expand);
    assert_eq!(copy.heredocs[0].content, "\tkey=value\n");
    let w: Vec<&str> = copy.words().iter().map(|w| w.raw.as_str()).collect();
    assert_eq!(w, ["<<-'CONF'", "/etc/app.conf"]);
    let multi = &df.instructions[3];
    let names: Vec<&str> = multi.heredocs.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["A", "B"]);
    assert_eq!(multi.heredocs[1].content, "second\n");
    assert!(!multi.heredocs[1].expand);
    assert_eq!(df.instructions[4].span.start.line, 15);
}

#[test]
fn heredoc_edge_cases() {
    // Exec form never has heredocs; `<<<` is a here-string; a fd prefix is allowed.
    let df = ok(
        "FROM a\nRUN [\"sh\", \"<<EOF\"]\nRUN cat <<< hello\nRUN 3<<EOF cat /dev/fd/3\nx\nEOF\n",
    );
    assert!(df.instructions[1].heredocs.is_empty());
    assert!(df.instructions[2].heredocs.is_empty());
    assert_eq!(df.instructions[3].heredocs[0].fd, 3);
    // ONBUILD triggers can carry heredocs.
    let df = ok("FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\nUSER 1\n");
    let trigger = df.instructions[1].onbuild_trigger().unwrap();
    assert_eq!(trigger.heredocs[0].content, "echo hi\n");
    assert_eq!(df.instructions.len(), 3);
}

#[test]
fn unterminated_heredoc_is_located() {
    let df = parse("FROM alpine\nRUN cat <<EOF\nline\n");
    assert!(
        matches!(kinds(&df)[..], [ParseErrorKind::UnterminatedHeredoc { name }] if name == "EOF")
    );
    assert_eq!(df.errors[0].span, span(2, 9, 2, 14));
}

#[test]
fn from_with_build_args() {
    let df = ok(
        "ARG REGISTRY=docker.io\nARG BASE=${REGISTRY}/library/alpine\nARG TAG\nARG VARIANT=slim\nFROM ${BASE}:${TAG:-3.20} AS one\nFROM $BASE:${VARIANT:+latest}\nFROM ${UNSET_BASE}\nFROM one\nFROM scratch\n",
    );
    assert_eq!(df.meta_args, [0, 1, 2, 3]);
    let s = &df.stages;
    assert_eq!(
        s[0].base.resolved.as_deref(),
        Some("docker.io/library/alpine:3.20")
    );
    assert!(
        matches!(&s[0].base.kind, BaseKind::Image(r) if r.tag.as_deref() == Some("3.20") && r.repository == "docker.io/library/alpine")
    );
    assert_eq!(
        s[1].base.resolved.as_deref(),
        Some("docker.io/library/alpine:latest")
    );
    assert_eq!(s[2].base.kind, BaseKind::Unresolved);
    assert_eq!(s[3].base.kind, BaseKind::Stage(0));
    assert_eq!(s[4].base.kind, BaseKind::Scratch);
    assert_eq!(s[0].base.span, span(5, 6, 5, 26));
    // ARGs inside a stage do not affect FROM.
    let df = ok("FROM alpine\nARG X=1\nFROM img:${X}\n");
    assert_eq!(df.stages[1].base.kind, BaseKind::Unresolved);
}

#[test]
fn multi_stage_names_and_copy_from() {
    let df = ok(
        "FROM golang:1.22 AS Build\nRUN go build\nFROM build AS test\nFROM alpine:3.20\nCOPY --from=build /app /app\nCOPY --from=0 /x /x\n",
    );
    assert_eq!(df.stages.len(), 3);
    assert_eq!(df.stages[1].base.kind, BaseKind::Stage(0));
    assert_eq!(df.stage_by_name("BUILD", 2).map(|s| s.index), Some(0));
    assert_eq!(df.stages[2].instructions, [4, 5]);
    assert_eq!(df.instructions[4].stage, Some(2));
    assert_eq!(df.final_stage().map(|s| s.index), Some(2));
    let df = parse("FROM a AS x\nFROM b AS x\nFROM c AS 1bad\n");
    assert!(matches!(
        kinds(&df)[..],
        [
            ParseErrorKind::DuplicateStageName { .. },
            ParseErrorKind::InvalidStageName { .. }
        ]
    ));
}

#[test]
fn env_label_arg_forms() {
    let df = ok(
        "FROM a\nENV PATH /usr/local/bin:$PATH\nENV A=1 B=\"two words\" C='x y' D=e\\ f\nLABEL org.opencontainers.image.title=\"web app\" version=1\nARG X Y=2 Z=\"q\"\n",
    );
    let old = &df.instructions[1].pairs()[0];
    assert_eq!(
        (old.key.as_str(), old.value.as_deref()),
        ("PATH", Some("/usr/local/bin:$PATH"))
    );
    let env: Vec<(&str, &str)> = df.instructions[2]
        .pairs()
        .iter()
        .map(|p| (p.key.as_str(), p.value.as_deref().unwrap()))
        .collect();
    assert_eq!(
        env,
        [("A", "1"), ("B", "two words"), ("C", "x y"), ("D", "e f")]
    );
    assert_eq!(df.instructions[2].pairs()[1].span, span(3, 9, 3, 22));
    assert_eq!(
        df.instructions[3].pairs()[0].value.as_deref(),
        Some("web app")
    );
    let arg: Vec<(&str, Option<&str>)> = df.instructions[4]
        .pairs()
        .iter()
        .map(|p| (p.key.as_str(), p.value.as_deref()))
        .collect();
    assert_eq!(arg, [("X", None), ("Y", Some("2")), ("Z", Some("q"))]);
    let df = parse("FROM a\nENV ONLYKEY\nENV A=1 B\n");
    assert_eq!(df.errors.len(), 2);
}

#[test]
fn onbuild_and_healthcheck() {
    let df = ok(
        "FROM a\nONBUILD COPY --chown=1 . /src\nONBUILD run make\nHEALTHCHECK --interval=5s --retries=3 CMD [\"curl\", \"-f\", \"http://x/\"]\nHEALTHCHECK cmd curl -f http://x/\nHEALTHCHECK NONE\n",
    );
    let t = df.instructions[1].onbuild_trigger().unwrap();
    assert_eq!(t.keyword, Keyword::Copy);
    assert_eq!(t.flag_value("chown"), Some("1"));
    assert_eq!(t.keyword_span, span(2, 9, 2, 13));
    assert_eq!(
        df.instructions[2].onbuild_trigger().unwrap().keyword,
        Keyword::Run
    );
    let hc = &df.instructions[3];
    assert_eq!(hc.flag_value("interval"), Some("5s"));
    assert!(
        matches!(&hc.args, Args::Healthcheck(Some(a)) if matches!(**a, Args::Exec(ref w) if w.len() == 3))
    );
    assert!(
        matches!(&df.instructions[4].args, Args::Healthcheck(Some(a)) if matches!(**a, Args::Shell(_)))
    );
    assert_eq!(df.instructions[5].args, Args::Healthcheck(None));
    let df = parse("FROM a\nONBUILD FROM b\nONBUILD ONBUILD RUN x\nHEALTHCHECK PING x\n");
    assert_eq!(df.errors.len(), 3, "{:?}", df.errors);
}

#[test]
fn bad_input_errors() {
    let df = parse("");
    assert!(matches!(kinds(&df)[..], [ParseErrorKind::Empty]));
    let df = parse("# only a comment\n\n");
    assert!(matches!(kinds(&df)[..], [ParseErrorKind::Empty]));
    let df = parse("FROM a\nRUN x\0\u{1}\u{2}");
    assert!(matches!(kinds(&df)[..], [ParseErrorKind::Binary]));
    assert_eq!(df.errors[0].span.start, Pos::new(2, 6));
    assert!(df.instructions.is_empty());
    let df = parse("FROM a\nFOO bar\nRUN ok\n");
    assert!(
        matches!(kinds(&df)[..], [ParseErrorKind::UnknownInstruction { name }] if name == "FOO")
    );
    assert_eq!(df.errors[0].span, span(2, 1, 2, 4));
    assert_eq!(df.instructions.len(), 3, "parsing continues after an error");
    let df = parse("RUN x\nFROM a\n");
    assert!(matches!(
        kinds(&df)[..],
        [ParseErrorKind::InstructionBeforeFrom { .. }]
    ));
    let df = parse("FROM a b\nFROM a TO b\nCOPY x\nUSER\n");
    assert_eq!(df.errors.len(), 4, "{:?}", df.errors);
    let df = parse("FROM ${A\n");
    assert!(matches!(
        kinds(&df)[..],
        [ParseErrorKind::BadSubstitution { .. }]
    ));
}

#[test]
fn bom_crlf_and_unicode_columns() {
    let df = ok("\u{feff}FROM alpine\r\nLABEL desc=\"héllo wörld\" x=1\r\nRUN echo ok\r\n");
    assert_eq!(df.instructions[0].keyword, Keyword::From);
    assert_eq!(df.instructions[1].pairs()[1].span, span(2, 26, 2, 29));
    assert_eq!(df.instructions[2].words()[0].raw, "echo ok");
}

#[test]
fn error_display_has_location() {
    let df = parse("FROM a\nBOGUS\n");
    assert_eq!(df.errors[0].to_string(), "2:1: unknown instruction: BOGUS");
}

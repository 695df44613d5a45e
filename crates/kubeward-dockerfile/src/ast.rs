//! The parsed form of a Dockerfile: instructions, their arguments and build stages.

use kubeward_source::Span;

use crate::error::ParseError;

/// A Dockerfile instruction keyword. Keywords are case-insensitive in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Keyword {
    /// `ADD`
    Add,
    /// `ARG`
    Arg,
    /// `CMD`
    Cmd,
    /// `COPY`
    Copy,
    /// `ENTRYPOINT`
    Entrypoint,
    /// `ENV`
    Env,
    /// `EXPOSE`
    Expose,
    /// `FROM`
    From,
    /// `HEALTHCHECK`
    Healthcheck,
    /// `LABEL`
    Label,
    /// `MAINTAINER` (deprecated)
    Maintainer,
    /// `ONBUILD`
    Onbuild,
    /// `RUN`
    Run,
    /// `SHELL`
    Shell,
    /// `STOPSIGNAL`
    Stopsignal,
    /// `USER`
    User,
    /// `VOLUME`
    Volume,
    /// `WORKDIR`
    Workdir,
    /// Anything else (reported as an error; the original text is in [`Instruction::keyword_text`]).
    Unknown,
}

impl Keyword {
    /// Recognises a keyword, ignoring ASCII case.
    #[must_use]
    pub fn from_word(word: &str) -> Keyword {
        match word.to_ascii_uppercase().as_str() {
            "ADD" => Keyword::Add,
            "ARG" => Keyword::Arg,
            "CMD" => Keyword::Cmd,
            "COPY" => Keyword::Copy,
            "ENTRYPOINT" => Keyword::Entrypoint,
            "ENV" => Keyword::Env,
            "EXPOSE" => Keyword::Expose,
            "FROM" => Keyword::From,
            "HEALTHCHECK" => Keyword::Healthcheck,
            "LABEL" => Keyword::Label,
            "MAINTAINER" => Keyword::Maintainer,
            "ONBUILD" => Keyword::Onbuild,
            "RUN" => Keyword::Run,
            "SHELL" => Keyword::Shell,
            "STOPSIGNAL" => Keyword::Stopsignal,
            "USER" => Keyword::User,
            "VOLUME" => Keyword::Volume,
            "WORKDIR" => Keyword::Workdir,
            _ => Keyword::Unknown,
        }
    }

    /// The canonical upper-case spelling (`"UNKNOWN"` for [`Keyword::Unknown`]).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
            Keyword::Unknown => "UNKNOWN",
        }
    }

    /// Flags (`--name=value`) that BuildKit accepts for this instruction.
    #[must_use]
    pub const fn allowed_flags(self) -> &'static [&'static str] {
        match self {
            Keyword::From => &["platform"],
            Keyword::Run => &["mount", "network", "security", "device"],
            Keyword::Copy => &["from", "chown", "chmod", "link", "parents", "exclude"],
            Keyword::Add => &[
                "chown",
                "chmod",
                "link",
                "checksum",
                "keep-git-dir",
                "exclude",
                "unpack",
            ],
            Keyword::Healthcheck => &[
                "interval",
                "timeout",
                "start-period",
                "start-interval",
                "retries",
            ],
            _ => &[],
        }
    }
}

/// One word of an instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The text as written (quotes and escapes kept, continuations removed).
    pub raw: String,
    /// The text with quotes removed and escapes resolved (no variable expansion).
    pub value: String,
    /// Where the word is in the file.
    pub span: Span,
}

/// A `--name[=value]` flag before an instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Flag name without the leading `--`, as written.
    pub name: String,
    /// The value after `=` with quotes removed, if there was an `=`.
    pub value: Option<String>,
    /// Where the flag is in the file.
    pub span: Span,
}

/// A `key=value` (or old-style `key value`) pair of `ENV`, `LABEL` or `ARG`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    /// The key as written.
    pub key: String,
    /// The value with quotes removed and escapes resolved; `None` for `ARG name` without default.
    pub value: Option<String>,
    /// The value as written (quotes kept).
    pub raw_value: Option<String>,
    /// Where the whole pair is in the file.
    pub span: Span,
}

/// A here-document attached to `RUN`, `COPY` or `ADD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word (quotes removed).
    pub name: String,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// `false` when the delimiter was quoted (`<<'EOF'`, `<<"EOF"`): no variable expansion in the body.
    pub expand: bool,
    /// File descriptor written before `<<` (`3<<EOF`), 0 when absent.
    pub fd: u32,
    /// The body, each line terminated by `\n` (terminator line excluded).
    pub content: String,
    /// The body and terminator lines.
    pub span: Span,
}

/// The arguments of an instruction, in the shape BuildKit's parser gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// No arguments.
    Empty,
    /// Exec (JSON array) form: `["executable", "arg"]`.
    Exec(Vec<Word>),
    /// Shell form: the rest of the line as one string (for RUN, CMD, ENTRYPOINT, SHELL and
    /// single-string instructions such as USER, WORKDIR, MAINTAINER, STOPSIGNAL).
    Shell(Word),
    /// Whitespace-separated words (FROM, EXPOSE, COPY/ADD/VOLUME shell form).
    Words(Vec<Word>),
    /// `ENV`, `LABEL` and `ARG` pairs.
    Pairs(Vec<KeyValue>),
    /// `HEALTHCHECK`: `None` for `HEALTHCHECK NONE`, else the arguments after `CMD`.
    Healthcheck(Option<Box<Args>>),
    /// `ONBUILD`: the trigger instruction.
    Onbuild(Box<Instruction>),
}

/// One instruction (one logical line, plus its here-documents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The recognised keyword.
    pub keyword: Keyword,
    /// The keyword as written.
    pub keyword_text: String,
    /// From the keyword to the end of the last line (continuations and here-documents included).
    pub span: Span,
    /// The keyword alone.
    pub keyword_span: Span,
    /// `--name=value` flags before the arguments.
    pub flags: Vec<Flag>,
    /// The arguments.
    pub args: Args,
    /// The text after the flags as written (continuations joined).
    pub rest: String,
    /// Here-documents, in order.
    pub heredocs: Vec<Heredoc>,
    /// Index of the build stage this instruction belongs to (`None` before the first `FROM`).
    pub stage: Option<usize>,
}

impl Instruction {
    /// The first flag named `name` (case-insensitive).
    #[must_use]
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The value of flag `name`, if present with a value.
    #[must_use]
    pub fn flag_value(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
            .find_map(|f| f.value.as_deref())
    }

    /// All values of a repeatable flag such as `--mount`.
    pub fn flag_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags
            .iter()
            .filter(move |f| f.name.eq_ignore_ascii_case(name))
            .filter_map(|f| f.value.as_deref())
    }

    /// The words of the arguments (exec form, word list or the single shell-form word).
    #[must_use]
    pub fn words(&self) -> &[Word] {
        match &self.args {
            Args::Exec(w) | Args::Words(w) => w,
            Args::Shell(w) => std::slice::from_ref(w),
            _ => &[],
        }
    }

    /// `ENV`/`LABEL`/`ARG` pairs (empty for other instructions).
    #[must_use]
    pub fn pairs(&self) -> &[KeyValue] {
        match &self.args {
            Args::Pairs(p) => p,
            _ => &[],
        }
    }

    /// Whether the arguments are in exec (JSON array) form.
    #[must_use]
    pub fn is_exec_form(&self) -> bool {
        matches!(self.args, Args::Exec(_))
    }

    /// The `ONBUILD` trigger, if this is an `ONBUILD` instruction.
    #[must_use]
    pub fn onbuild_trigger(&self) -> Option<&Instruction> {
        match &self.args {
            Args::Onbuild(i) => Some(i),
            _ => None,
        }
    }
}

/// A parser directive at the top of the file (`# syntax=...`, `# escape=...`, `# check=...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Directive name, lower-cased.
    pub name: String,
    /// Directive value, trimmed.
    pub value: String,
    /// The directive's line.
    pub span: Span,
}

/// What a stage is built on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseKind {
    /// `FROM scratch`: an empty image.
    Scratch,
    /// An earlier stage of this Dockerfile, by index.
    Stage(usize),
    /// An image from a registry.
    Image(ImageRef),
    /// The reference uses a build argument without a default: only known at build time.
    Unresolved,
}

/// A parsed image reference `[registry/]repository[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Everything before the tag and digest (registry and repository path).
    pub repository: String,
    /// The tag, if any.
    pub tag: Option<String>,
    /// The digest (`sha256:...`), if any.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Splits a reference into repository, tag and digest (no validation).
    #[must_use]
    pub fn parse(reference: &str) -> ImageRef {
        let (name, digest) = match reference.split_once('@') {
            Some((n, d)) => (n, Some(d.to_owned())),
            None => (reference, None),
        };
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match name.get(last_slash..).and_then(|s| s.rfind(':')) {
            Some(i) => {
                let at = last_slash + i;
                (
                    name.get(..at).unwrap_or(name).to_owned(),
                    name.get(at + 1..).map(str::to_owned),
                )
            }
            None => (name.to_owned(), None),
        };
        ImageRef {
            repository,
            tag,
            digest,
        }
    }
}

/// The image (or stage) a stage starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseImage {
    /// The reference as written in `FROM`.
    pub raw: String,
    /// The reference after build-argument substitution (`None` if an argument had no value).
    pub resolved: Option<String>,
    /// What the reference designates.
    pub kind: BaseKind,
    /// The reference's word in `FROM`.
    pub span: Span,
}

/// A build stage: a `FROM` and the instructions up to the next `FROM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Index of the stage (0-based, in file order).
    pub index: usize,
    /// The `AS name` (lower-cased as BuildKit does), if any.
    pub name: Option<String>,
    /// The base.
    pub base: BaseImage,
    /// The `--platform` flag value, if any.
    pub platform: Option<String>,
    /// Index of the `FROM` instruction in [`ParsedDockerfile::instructions`].
    pub from: usize,
    /// Indices of the stage's instructions after `FROM`.
    pub instructions: Vec<usize>,
}

/// The result of [`crate::parse`]: everything that could be read, plus located errors.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedDockerfile {
    /// Parser directives at the top of the file.
    pub directives: Vec<Directive>,
    /// The escape character (`\` unless `# escape=` set a backtick).
    pub escape: char,
    /// All instructions in file order.
    pub instructions: Vec<Instruction>,
    /// Build stages in file order.
    pub stages: Vec<Stage>,
    /// Indices of `ARG` instructions before the first `FROM` (global build arguments).
    pub meta_args: Vec<usize>,
    /// Errors, in file order. Parsing recovers and continues after most errors.
    pub errors: Vec<ParseError>,
}

impl ParsedDockerfile {
    /// The instructions of a stage (after its `FROM`).
    pub fn stage_instructions(&self, stage: &Stage) -> impl Iterator<Item = &Instruction> {
        stage
            .instructions
            .iter()
            .filter_map(|&i| self.instructions.get(i))
    }

    /// The final stage (the one a plain `docker build` produces), if any.
    #[must_use]
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The stage named `name` (case-insensitive) defined before stage `before`.
    #[must_use]
    pub fn stage_by_name(&self, name: &str, before: usize) -> Option<&Stage> {
        self.stages.iter().take(before).rev().find(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// The value of a directive (`syntax`, `escape`, `check`).
    #[must_use]
    pub fn directive(&self, name: &str) -> Option<&str> {
        self.directives
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.value.as_str())
    }
}

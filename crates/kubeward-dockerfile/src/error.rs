//! Located parse errors.

use kubeward_source::Span;

/// What went wrong while parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The input contains NUL bytes or other binary data.
    #[error("file looks binary (contains NUL or control bytes), not a Dockerfile")]
    Binary,
    /// No instruction at all (empty file, or only comments).
    #[error("file with no instructions")]
    Empty,
    /// The input is larger than the parser accepts.
    #[error("file is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A here-document was not closed by its delimiter line.
    #[error("unterminated heredoc `{name}`")]
    UnterminatedHeredoc {
        /// The delimiter that was expected.
        name: String,
    },
    /// An instruction keyword that Dockerfiles do not have.
    #[error("unknown instruction: {name}")]
    UnknownInstruction {
        /// The keyword as written.
        name: String,
    },
    /// A parser directive used twice.
    #[error("only one {name} parser directive can be used")]
    DuplicateDirective {
        /// Directive name.
        name: String,
    },
    /// `# escape=` with something other than a backslash or a backtick.
    #[error("invalid escape token '{value}' does not match ` or \\")]
    InvalidEscape {
        /// The value given.
        value: String,
    },
    /// A flag the instruction does not accept.
    #[error("unknown flag for {instruction}: --{flag}")]
    UnknownFlag {
        /// Instruction keyword.
        instruction: &'static str,
        /// Flag name.
        flag: String,
    },
    /// The instruction's arguments do not have the required shape.
    #[error("{instruction}: {message}")]
    InvalidArguments {
        /// Instruction keyword.
        instruction: &'static str,
        /// What is wrong.
        message: String,
    },
    /// An instruction other than `ARG` before the first `FROM`.
    #[error("{instruction} before the first FROM: only ARG may precede FROM")]
    InstructionBeforeFrom {
        /// Instruction keyword.
        instruction: &'static str,
    },
    /// `ONBUILD ONBUILD`, `ONBUILD FROM`, `ONBUILD MAINTAINER`.
    #[error("{trigger} isn't allowed as an ONBUILD trigger")]
    InvalidOnbuildTrigger {
        /// The trigger keyword.
        trigger: String,
    },
    /// Two stages with the same name.
    #[error("duplicate stage name `{name}`")]
    DuplicateStageName {
        /// The name.
        name: String,
    },
    /// A stage name that does not match `^[a-z][a-z0-9-_.]*$`.
    #[error("invalid stage name `{name}`")]
    InvalidStageName {
        /// The name.
        name: String,
    },
    /// A `${...}` expression that cannot be parsed.
    #[error("bad variable substitution: {message}")]
    BadSubstitution {
        /// Details.
        message: String,
    },
}

/// A parse error and where it happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{}: {kind}", span.start.line, span.start.col)]
pub struct ParseError {
    /// What went wrong.
    pub kind: ParseErrorKind,
    /// Where.
    pub span: Span,
}

impl ParseError {
    /// An error of `kind` at `span`.
    #[must_use]
    pub const fn new(kind: ParseErrorKind, span: Span) -> Self {
        Self { kind, span }
    }
}

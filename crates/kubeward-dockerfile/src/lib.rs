//! Dockerfile/Containerfile parsing with BuildKit semantics, and hardening checks.
//!
//! [`parse`] never fails: it returns every instruction it could read, the build stages, and
//! located [`ParseError`]s. [`check`] runs the hardening checks listed by [`checks`] and
//! returns [`Finding`]s with spans; turning them into kubeward diagnostics is the rules
//! layer's job.
//!
//! ```
//! use kubeward_dockerfile::{check, parse};
//!
//! let df = parse("ARG TAG=latest\nFROM alpine:${TAG}\nRUN apk add curl\n");
//! assert!(df.errors.is_empty());
//! assert_eq!(df.stages[0].base.resolved.as_deref(), Some("alpine:latest"));
//!
//! let ids: Vec<&str> = check(&df).iter().map(|f| f.check.id).collect();
//! assert!(ids.contains(&"base-image-unpinned"));
//! assert!(ids.contains(&"final-stage-root"));
//! assert!(ids.contains(&"package-cache-not-cleaned"));
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

pub mod ast;
pub mod checks;
pub mod error;
pub mod expand;
mod lex;
mod parser;
pub mod shell;
mod stages;

pub use ast::{
    Args, BaseImage, BaseKind, Directive, Flag, Heredoc, ImageRef, Instruction, KeyValue, Keyword,
    ParsedDockerfile, Stage, Word,
};
pub use checks::{CheckInfo, Finding, Severity};
pub use error::{ParseError, ParseErrorKind};
pub use parser::MAX_INPUT_BYTES;
pub use stages::AUTOMATIC_PLATFORM_ARGS;

/// Parses Dockerfile text. Never panics; problems are reported in
/// [`ParsedDockerfile::errors`] with their location, and parsing goes on after them.
///
/// ```
/// let df = kubeward_dockerfile::parse("FROM golang:1.22 AS build\nRUN go build\n\nFROM scratch\nCOPY --from=build /app /app\n");
/// assert_eq!(df.stages.len(), 2);
/// assert_eq!(df.stages[0].name.as_deref(), Some("build"));
/// assert_eq!(df.instructions[3].flag_value("from"), Some("build"));
/// ```
#[must_use]
pub fn parse(text: &str) -> ParsedDockerfile {
    parser::parse(text)
}

/// Runs all hardening checks. Findings are sorted by position, then check id.
#[must_use]
pub fn check(dockerfile: &ParsedDockerfile) -> Vec<Finding> {
    checks::run(dockerfile)
}

/// The catalogue of checks, in a stable order.
#[must_use]
pub fn checks() -> &'static [CheckInfo] {
    &checks::CHECKS
}

/// Whether a file name (not a path) names a Dockerfile: `Dockerfile`, `Containerfile`,
/// `Dockerfile.*`, `Containerfile.*`, `*.Dockerfile`, `*.dockerfile`, `*.Containerfile`.
/// Directory components are ignored if present.
///
/// ```
/// use kubeward_dockerfile::is_dockerfile_name;
/// assert!(is_dockerfile_name("Dockerfile"));
/// assert!(is_dockerfile_name("api.Dockerfile"));
/// assert!(is_dockerfile_name("Containerfile.prod"));
/// assert!(!is_dockerfile_name("Dockerfile.md"));
/// assert!(!is_dockerfile_name("dockerfile-lint.yaml"));
/// ```
#[must_use]
pub fn is_dockerfile_name(file_name: &str) -> bool {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let is_base = |s: &str| s == "Dockerfile" || s == "Containerfile" || s == "dockerfile";
    if is_base(name) {
        return true;
    }
    for base in ["Dockerfile.", "Containerfile."] {
        if let Some(suffix) = name.strip_prefix(base) {
            // Documentation and ignore files are not Dockerfiles.
            let lower = suffix.to_ascii_lowercase();
            return !suffix.is_empty()
                && !matches!(
                    lower.as_str(),
                    "md" | "txt"
                        | "rst"
                        | "adoc"
                        | "html"
                        | "json"
                        | "yaml"
                        | "yml"
                        | "orig"
                        | "rej"
                        | "swp"
                        | "bak"
                )
                && suffix != "dockerignore";
        }
    }
    for ext in [
        ".Dockerfile",
        ".dockerfile",
        ".Containerfile",
        ".containerfile",
    ] {
        if let Some(stem) = name.strip_suffix(ext) {
            return !stem.is_empty();
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "Containerfile",
            "Dockerfile.dev",
            "Containerfile.arm64",
            "web.Dockerfile",
            "web.dockerfile",
            "x.Containerfile",
            "dir/sub/Dockerfile",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.md",
            "Dockerfile.dockerignore",
            ".Dockerfile",
            "Dockerfile.",
            "Makefile",
            "dockerfile.go",
            "Dockerfiles",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}

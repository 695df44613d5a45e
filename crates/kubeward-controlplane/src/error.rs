//! Typed, located errors.

use std::path::PathBuf;

use serde::Serialize;

/// A problem with one file of a node; the rest of the node is still read and checked.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, thiserror::Error)]
pub enum LayoutError {
    /// The file could not be read (permissions, size, encoding, missing target of a flag).
    #[error("{}: cannot read: {message}", path.display())]
    Unreadable {
        /// The file as the node sees it.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The file is not valid YAML/JSON.
    #[error("{}:{line}:{col}: cannot parse: {message}", path.display())]
    Unparseable {
        /// The file as the node sees it.
        path: PathBuf,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        col: u32,
        /// What the parser said.
        message: String,
    },
    /// The file parsed but its content is not what the component accepts (wrong type, unknown
    /// field, missing section).
    #[error("{}: {}{message}", path.display(), if field_path.is_empty() { String::new() } else { format!("`{field_path}`: ") })]
    Invalid {
        /// The file as the node sees it.
        path: PathBuf,
        /// The field, relative to the document root (empty for the whole document).
        field_path: String,
        /// What is wrong.
        message: String,
    },
}

/// Errors of the live probes that are not findings (bad arguments, TLS set-up).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    /// The target could not be understood.
    #[error("invalid probe target {target:?}: {message}")]
    InvalidTarget {
        /// The target as given.
        target: String,
        /// Why.
        message: String,
    },
    /// The TLS client could not be configured.
    #[error("TLS set-up failed: {0}")]
    Tls(String),
    /// A CA bundle, client certificate or key could not be loaded (never shows key material).
    #[error("{what}: {message}")]
    Credentials {
        /// The flag or file (`--cert /path/client.crt`).
        what: String,
        /// Why.
        message: String,
    },
}

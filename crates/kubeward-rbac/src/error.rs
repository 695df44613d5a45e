//! Errors of the RBAC engine.

/// An object the engine could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RbacError {
    /// A Role, ClusterRole, binding or ServiceAccount with a malformed field.
    #[error("invalid {kind}: `{path}`: {message}")]
    InvalidObject {
        /// The object's kind.
        kind: &'static str,
        /// The field path of the problem, relative to the object.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl RbacError {
    /// The field path the error points at.
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::InvalidObject { path, .. } => Some(path),
        }
    }
}

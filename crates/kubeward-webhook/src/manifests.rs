//! Manifests (todo).

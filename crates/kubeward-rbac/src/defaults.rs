//! The default RBAC policy of a Kubernetes API server, embedded from `data/`.

use crate::policy::Policy;

/// The embedded files, in the order the API server's bootstrap creates them.
pub(crate) const FILES: [(&str, &str); 6] = [
    (
        "cluster-roles.yaml",
        include_str!("../data/cluster-roles.yaml"),
    ),
    (
        "cluster-role-bindings.yaml",
        include_str!("../data/cluster-role-bindings.yaml"),
    ),
    (
        "controller-roles.yaml",
        include_str!("../data/controller-roles.yaml"),
    ),
    (
        "controller-role-bindings.yaml",
        include_str!("../data/controller-role-bindings.yaml"),
    ),
    (
        "namespace-roles.yaml",
        include_str!("../data/namespace-roles.yaml"),
    ),
    (
        "namespace-role-bindings.yaml",
        include_str!("../data/namespace-role-bindings.yaml"),
    ),
];

/// Loads the default objects (source `None`). The embedded files are tested to load
/// without error; a malformed object would be skipped, never a panic.
pub(crate) fn load_into(policy: &mut Policy) {
    for (_, text) in FILES {
        // Errors cannot happen with the embedded data (tested); ignore rather than panic.
        let _ = policy.add_text(None, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_object_loads() {
        let mut total = 0;
        for (name, text) in FILES {
            let mut p = Policy::new();
            let n = p
                .add_text(None, text)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(n > 0, "{name}");
            total += n;
        }
        assert_eq!(total, 133);
        let p = Policy::with_defaults();
        assert!(p.findings().is_empty(), "{:#?}", p.findings());
    }
}

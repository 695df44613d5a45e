//! Dockerfile and Containerfile hardening (`IMG` codes from IMG100).
//!
//! These rules are [`Check::External`](crate::Check::External): the `kubeward-dockerfile`
//! engine parses the file and runs its checks, and the binary's Dockerfile adapter turns each
//! engine finding into a diagnostic of the rule returned by [`for_check`]. A rule's `name` is
//! the engine's check id, so the mapping is total and one-to-one (the adapter's tests hold it
//! to that).
//!
//! Findings point at the offending instruction. One finding is accepted with a comment on the
//! line directly above the instruction, naming the rules and a mandatory reason:
//! `# kubeward:ignore IMG101,IMG102: pinned by the release pipeline`.
//!
//! ```
//! use kubeward_rules::rules::dockerfile;
//! let rule = dockerfile::for_check("final-stage-root").unwrap();
//! assert_eq!(rule.code, "IMG100");
//! assert!(rule.docs.contains("```dockerfile"));
//! assert!(dockerfile::for_check("no-such-check").is_none());
//! ```

mod add_instead_of_copy;
mod add_remote_url;
mod apt_no_install_recommends;
mod apt_upgrade;
mod base_image_no_digest;
mod base_image_unpinned;
mod build_tools_in_final_stage;
mod chmod_world_writable;
mod curl_pipe_shell;
mod expose_ssh;
mod final_stage_root;
mod missing_healthcheck;
mod package_cache_not_cleaned;
mod run_security_insecure;
mod secret_in_arg;
mod secret_in_env;
mod sudo_usage;

pub use add_instead_of_copy::ADD_INSTEAD_OF_COPY;
pub use add_remote_url::ADD_REMOTE_URL;
pub use apt_no_install_recommends::APT_NO_INSTALL_RECOMMENDS;
pub use apt_upgrade::APT_UPGRADE;
pub use base_image_no_digest::BASE_IMAGE_NO_DIGEST;
pub use base_image_unpinned::BASE_IMAGE_UNPINNED;
pub use build_tools_in_final_stage::BUILD_TOOLS_IN_FINAL_STAGE;
pub use chmod_world_writable::CHMOD_WORLD_WRITABLE;
pub use curl_pipe_shell::CURL_PIPE_SHELL;
pub use expose_ssh::EXPOSE_SSH;
pub use final_stage_root::FINAL_STAGE_ROOT;
pub use missing_healthcheck::MISSING_HEALTHCHECK;
pub use package_cache_not_cleaned::PACKAGE_CACHE_NOT_CLEANED;
pub use run_security_insecure::RUN_SECURITY_INSECURE;
pub use secret_in_arg::SECRET_IN_ARG;
pub use secret_in_env::SECRET_IN_ENV;
pub use sudo_usage::SUDO_USAGE;

/// Every rule of this category, in code order.
pub static RULES: &[&crate::Rule] = &[
    &FINAL_STAGE_ROOT,
    &BASE_IMAGE_UNPINNED,
    &BASE_IMAGE_NO_DIGEST,
    &ADD_REMOTE_URL,
    &ADD_INSTEAD_OF_COPY,
    &SECRET_IN_ENV,
    &SECRET_IN_ARG,
    &CURL_PIPE_SHELL,
    &PACKAGE_CACHE_NOT_CLEANED,
    &APT_NO_INSTALL_RECOMMENDS,
    &SUDO_USAGE,
    &CHMOD_WORLD_WRITABLE,
    &EXPOSE_SSH,
    &BUILD_TOOLS_IN_FINAL_STAGE,
    &MISSING_HEALTHCHECK,
    &APT_UPGRADE,
    &RUN_SECURITY_INSECURE,
];

/// The rule reporting the findings of the Dockerfile engine's check `check_id`
/// (`kubeward_dockerfile::CheckInfo::id`), if there is one.
#[must_use]
pub fn for_check(check_id: &str) -> Option<&'static crate::Rule> {
    RULES.iter().copied().find(|r| r.name == check_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_in_range_and_in_order() {
        for (i, rule) in RULES.iter().enumerate() {
            assert_eq!(rule.code, format!("IMG{}", 100 + i), "{}", rule.name);
            assert!(matches!(rule.check, crate::Check::External));
            assert_eq!(rule.kinds, &["Dockerfile"]);
        }
    }

    #[test]
    fn docs_have_the_fixed_sections_and_dockerfile_examples() {
        for rule in RULES {
            for heading in [
                "What it does",
                "Why is this bad?",
                "Example",
                "Fix",
                "Exceptions",
                "References",
            ] {
                assert!(
                    !rule.section(heading).is_empty(),
                    "{}: missing `## {heading}`",
                    rule.code
                );
            }
            let example = rule.section("Example");
            let (bad, good) = example.split_once("Use instead:").unwrap();
            assert!(bad.contains("```dockerfile"), "{}: bad example", rule.code);
            assert!(
                good.contains("```dockerfile"),
                "{}: good example",
                rule.code
            );
            let suppression = format!("# kubeward:ignore {}: <reason>", rule.code);
            assert!(
                rule.section("Exceptions").contains(&suppression),
                "{}: Exceptions must show `{suppression}`",
                rule.code
            );
            assert!(!rule.fix.is_empty() && !rule.compliance.is_empty());
        }
    }
}

//! The registry: every built-in rule, listed explicitly per category (no side-effect
//! registration). Adding a rule is one line here.

use crate::Rule;
use crate::rules::{image, input, secrets, workload};

static ALL: &[&Rule] = &[
    // KW: input
    &input::YAML_SYNTAX_ERROR,
    &input::DUPLICATE_KEY,
    &input::INPUT_LIMIT_EXCEEDED,
    &input::UNREADABLE_INPUT,
    &input::NOT_AN_OBJECT,
    &input::WRONG_FIELD_TYPE,
    &input::UNUSED_SUPPRESSION,
    &input::INVALID_SUPPRESSION,
    // POD: workloads
    &workload::PRIVILEGED_CONTAINER,
    &workload::PRIVILEGE_ESCALATION_ALLOWED,
    &workload::RUNS_AS_ROOT_USER,
    &workload::RUN_AS_NON_ROOT_MISSING,
    &workload::WRITABLE_ROOT_FILESYSTEM,
    &workload::CAPABILITIES_ADDED,
    &workload::CAPABILITIES_NOT_DROPPED,
    &workload::CAP_SYS_ADMIN,
    &workload::CAP_NET_RAW,
    &workload::HOST_NETWORK,
    &workload::HOST_PID,
    &workload::HOST_IPC,
    &workload::HOST_PATH_VOLUME,
    &workload::HOST_PORT,
    &workload::MISSING_MEMORY_LIMIT,
    &workload::MISSING_CPU_LIMIT,
    &workload::MISSING_RESOURCE_REQUESTS,
    &workload::MISSING_LIVENESS_PROBE,
    &workload::MISSING_READINESS_PROBE,
    &workload::AUTOMOUNT_SERVICE_ACCOUNT_TOKEN,
    &workload::DEFAULT_SERVICE_ACCOUNT,
    &workload::DEFAULT_NAMESPACE,
    &workload::SECCOMP_UNCONFINED,
    &workload::SECCOMP_PROFILE_MISSING,
    &workload::PROC_MOUNT_UNMASKED,
    &workload::UNSAFE_SYSCTL,
    &workload::APPARMOR_UNCONFINED,
    // IMG: images
    &image::IMAGE_TAG_LATEST,
    &image::IMAGE_NOT_PINNED_BY_DIGEST,
    &image::IMAGE_REGISTRY_NOT_ALLOWED,
    // SEC: secrets
    &secrets::SECRET_IN_ENV_VAR,
];

/// Every built-in rule, in code order within each category.
#[must_use]
pub fn all() -> &'static [&'static Rule] {
    ALL
}

/// Finds a rule by code or name (case-insensitive).
#[must_use]
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

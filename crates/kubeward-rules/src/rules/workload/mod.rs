//! `POD` rules: workload hardening beyond the Pod Security Standards.

pub mod util;

mod apparmor_unconfined;
mod automount_service_account_token;
mod cap_net_raw;
mod cap_sys_admin;
mod capabilities_added;
mod capabilities_not_dropped;
mod default_namespace;
mod default_service_account;
mod host_ipc;
mod host_network;
mod host_path_volume;
mod host_pid;
mod host_port;
mod missing_cpu_limit;
mod missing_liveness_probe;
mod missing_memory_limit;
mod missing_readiness_probe;
mod missing_resource_requests;
mod privilege_escalation_allowed;
mod privileged_container;
mod proc_mount_unmasked;
mod run_as_non_root_missing;
mod runs_as_root_user;
mod seccomp_profile_missing;
mod seccomp_unconfined;
mod unsafe_sysctl;
mod writable_root_filesystem;

pub use apparmor_unconfined::APPARMOR_UNCONFINED;
pub use automount_service_account_token::AUTOMOUNT_SERVICE_ACCOUNT_TOKEN;
pub use cap_net_raw::CAP_NET_RAW;
pub use cap_sys_admin::CAP_SYS_ADMIN;
pub use capabilities_added::CAPABILITIES_ADDED;
pub use capabilities_not_dropped::CAPABILITIES_NOT_DROPPED;
pub use default_namespace::DEFAULT_NAMESPACE;
pub use default_service_account::DEFAULT_SERVICE_ACCOUNT;
pub use host_ipc::HOST_IPC;
pub use host_network::HOST_NETWORK;
pub use host_path_volume::HOST_PATH_VOLUME;
pub use host_pid::HOST_PID;
pub use host_port::HOST_PORT;
pub use missing_cpu_limit::MISSING_CPU_LIMIT;
pub use missing_liveness_probe::MISSING_LIVENESS_PROBE;
pub use missing_memory_limit::MISSING_MEMORY_LIMIT;
pub use missing_readiness_probe::MISSING_READINESS_PROBE;
pub use missing_resource_requests::MISSING_RESOURCE_REQUESTS;
pub use privilege_escalation_allowed::PRIVILEGE_ESCALATION_ALLOWED;
pub use privileged_container::PRIVILEGED_CONTAINER;
pub use proc_mount_unmasked::PROC_MOUNT_UNMASKED;
pub use run_as_non_root_missing::RUN_AS_NON_ROOT_MISSING;
pub use runs_as_root_user::RUNS_AS_ROOT_USER;
pub use seccomp_profile_missing::SECCOMP_PROFILE_MISSING;
pub use seccomp_unconfined::SECCOMP_UNCONFINED;
pub use unsafe_sysctl::UNSAFE_SYSCTL;
pub use writable_root_filesystem::WRITABLE_ROOT_FILESYSTEM;

/// Every `POD` rule of this module.
pub static RULES: &[&crate::Rule] = &[
    &PRIVILEGED_CONTAINER,
    &PRIVILEGE_ESCALATION_ALLOWED,
    &RUNS_AS_ROOT_USER,
    &RUN_AS_NON_ROOT_MISSING,
    &WRITABLE_ROOT_FILESYSTEM,
    &CAPABILITIES_ADDED,
    &CAPABILITIES_NOT_DROPPED,
    &CAP_SYS_ADMIN,
    &CAP_NET_RAW,
    &HOST_NETWORK,
    &HOST_PID,
    &HOST_IPC,
    &HOST_PATH_VOLUME,
    &HOST_PORT,
    &MISSING_MEMORY_LIMIT,
    &MISSING_CPU_LIMIT,
    &MISSING_RESOURCE_REQUESTS,
    &MISSING_LIVENESS_PROBE,
    &MISSING_READINESS_PROBE,
    &AUTOMOUNT_SERVICE_ACCOUNT_TOKEN,
    &DEFAULT_SERVICE_ACCOUNT,
    &DEFAULT_NAMESPACE,
    &SECCOMP_UNCONFINED,
    &SECCOMP_PROFILE_MISSING,
    &PROC_MOUNT_UNMASKED,
    &UNSAFE_SYSCTL,
    &APPARMOR_UNCONFINED,
];

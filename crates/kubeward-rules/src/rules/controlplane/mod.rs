//! Control plane, etcd and kubelet configuration (`CP` codes): the CIS Kubernetes Benchmark
//! v1.12.0 checks of `kubeward node` and the live findings of `kubeward probe`.
//!
//! Every check of the `kubeward-controlplane` engine's catalogue is one rule, mapped one-to-one
//! by [`CHECKS`]; codes follow the benchmark's sections so that a new recommendation slots into
//! its section's range:
//!
//! | codes | CIS section |
//! |---|---|
//! | CP001–CP029 | 1.1 control-plane configuration files (1.1.n = CP000 + n) |
//! | CP030–CP069 | 1.2 API server (1.2.n = CP029 + n) |
//! | CP070–CP079 | 1.3 controller manager (1.3.n = CP069 + n) |
//! | CP080–CP089 | 1.4 scheduler (1.4.n = CP079 + n) |
//! | CP090–CP099 | 2 etcd (2.n = CP089 + n) |
//! | CP100–CP109 | 3.1 authentication (3.1.n = CP099 + n), 3.2 logging (3.2.n = CP104 + n) |
//! | CP110–CP119 | 4.1 worker node configuration files (4.1.n = CP109 + n) |
//! | CP120–CP149 | 4.2 kubelet (4.2.n = CP119 + n) |
//! | CP180–CP199 | kubeward's own node checks (`kw.*`) |
//! | CP200–CP299 | live probes ([`PROBES`]) |
//!
//! The rules are `Check::External`: the `kubeward node` and `kubeward probe` adapters turn the
//! engine's results into diagnostics through `Engine::external`. Their text is declared
//! compactly with a local macro; each rule still carries the fixed doc sections.

mod cis_apiserver;
mod cis_controllers;
mod cis_etcd;
mod cis_files;
mod cis_kubelet;
mod cis_policies;
mod probes;

pub use probes::*;

/// Declares one `CP` rule from its doc sections (the text must be literals: it is
/// concatenated at compile time into [`crate::Rule::docs`]).
macro_rules! cp_rule {
    (
        pub static $ident:ident = $code:literal $name:literal $severity:ident;
        compliance: [$($comp:expr),* $(,)?],
        summary: $summary:literal,
        what: $what:literal,
        why: $why:literal,
        fix: $fix:literal,
        exceptions: $exceptions:literal,
        references: [$($reference:literal),* $(,)?] $(,)?
    ) => {
        #[doc = concat!("`", $code, " ", $name, "`: ", $summary)]
        pub static $ident: $crate::Rule = $crate::Rule {
            code: $code,
            name: $name,
            docs: concat!(
                "## What it does\n", $summary, "\n\n", $what,
                "\n\n## Why is this bad?\n", $why,
                "\n\n## Fix\n", $fix,
                "\n\n## Exceptions\n", $exceptions,
                "\n\n## References\n", $("- ", $reference, "\n",)*
            ),
            severity: Severity::$severity,
            category: kubeward_diagnostics::Category::ControlPlane,
            kinds: &[],
            compliance: &[$($comp),*],
            fix: $fix,
            since: "0.1.0",
            check: $crate::Check::External,
        };
    };
}
pub(crate) use cp_rule;

/// The benchmark whose recommendation ids the node rules carry.
pub const BENCHMARK: &str = "CIS Kubernetes Benchmark v1.12.0";

/// Every rule of this category, in code order.
pub static RULES: &[&crate::Rule] = &[
    &cis_files::APISERVER_MANIFEST_PERMISSIVE_MODE,
    &cis_files::APISERVER_MANIFEST_NOT_ROOT_OWNED,
    &cis_files::CONTROLLER_MANAGER_MANIFEST_PERMISSIVE_MODE,
    &cis_files::CONTROLLER_MANAGER_MANIFEST_NOT_ROOT_OWNED,
    &cis_files::SCHEDULER_MANIFEST_PERMISSIVE_MODE,
    &cis_files::SCHEDULER_MANIFEST_NOT_ROOT_OWNED,
    &cis_files::ETCD_MANIFEST_PERMISSIVE_MODE,
    &cis_files::ETCD_MANIFEST_NOT_ROOT_OWNED,
    &cis_files::CNI_CONFIG_PERMISSIVE_MODE,
    &cis_files::CNI_CONFIG_NOT_ROOT_OWNED,
    &cis_files::ETCD_DATA_DIR_PERMISSIVE_MODE,
    &cis_files::ETCD_DATA_DIR_NOT_ETCD_OWNED,
    &cis_files::ADMIN_KUBECONFIG_PERMISSIVE_MODE,
    &cis_files::ADMIN_KUBECONFIG_NOT_ROOT_OWNED,
    &cis_files::SCHEDULER_KUBECONFIG_PERMISSIVE_MODE,
    &cis_files::SCHEDULER_KUBECONFIG_NOT_ROOT_OWNED,
    &cis_files::CONTROLLER_MANAGER_KUBECONFIG_PERMISSIVE_MODE,
    &cis_files::CONTROLLER_MANAGER_KUBECONFIG_NOT_ROOT_OWNED,
    &cis_files::PKI_NOT_ROOT_OWNED,
    &cis_files::PKI_CERTIFICATE_PERMISSIVE_MODE,
    &cis_files::PKI_KEY_PERMISSIVE_MODE,
    &cis_apiserver::APISERVER_ANONYMOUS_AUTH_ENABLED,
    &cis_apiserver::APISERVER_STATIC_TOKEN_FILE,
    &cis_apiserver::APISERVER_EXTERNAL_IPS_ALLOWED,
    &cis_apiserver::APISERVER_KUBELET_CLIENT_CERT_MISSING,
    &cis_apiserver::APISERVER_KUBELET_CA_MISSING,
    &cis_apiserver::APISERVER_AUTHORIZATION_ALWAYS_ALLOW,
    &cis_apiserver::APISERVER_NODE_AUTHORIZER_MISSING,
    &cis_apiserver::APISERVER_RBAC_AUTHORIZER_MISSING,
    &cis_apiserver::APISERVER_EVENT_RATE_LIMIT_MISSING,
    &cis_apiserver::APISERVER_ALWAYS_ADMIT_ENABLED,
    &cis_apiserver::APISERVER_ALWAYS_PULL_IMAGES_MISSING,
    &cis_apiserver::APISERVER_SERVICE_ACCOUNT_PLUGIN_DISABLED,
    &cis_apiserver::APISERVER_NAMESPACE_LIFECYCLE_DISABLED,
    &cis_apiserver::APISERVER_NODE_RESTRICTION_MISSING,
    &cis_apiserver::APISERVER_PROFILING_ENABLED,
    &cis_apiserver::APISERVER_AUDIT_LOG_DISABLED,
    &cis_apiserver::APISERVER_AUDIT_LOG_MAXAGE_LOW,
    &cis_apiserver::APISERVER_AUDIT_LOG_MAXBACKUP_LOW,
    &cis_apiserver::APISERVER_AUDIT_LOG_MAXSIZE_LOW,
    &cis_apiserver::APISERVER_REQUEST_TIMEOUT_UNBOUNDED,
    &cis_apiserver::APISERVER_SERVICE_ACCOUNT_LOOKUP_DISABLED,
    &cis_apiserver::APISERVER_SERVICE_ACCOUNT_KEY_MISSING,
    &cis_apiserver::APISERVER_ETCD_CLIENT_CERT_MISSING,
    &cis_apiserver::APISERVER_TLS_CERT_MISSING,
    &cis_apiserver::APISERVER_CLIENT_CA_MISSING,
    &cis_apiserver::APISERVER_ETCD_CA_MISSING,
    &cis_apiserver::APISERVER_ENCRYPTION_CONFIG_MISSING,
    &cis_apiserver::SECRETS_ENCRYPTION_WEAK,
    &cis_apiserver::APISERVER_WEAK_TLS_CIPHERS,
    &cis_apiserver::APISERVER_EXTENDED_TOKEN_EXPIRATION,
    &cis_controllers::CONTROLLER_MANAGER_POD_GC_THRESHOLD_UNSET,
    &cis_controllers::CONTROLLER_MANAGER_PROFILING_ENABLED,
    &cis_controllers::CONTROLLER_MANAGER_SHARED_CREDENTIALS,
    &cis_controllers::CONTROLLER_MANAGER_SA_KEY_MISSING,
    &cis_controllers::CONTROLLER_MANAGER_ROOT_CA_MISSING,
    &cis_controllers::CONTROLLER_MANAGER_SERVER_CERT_ROTATION_DISABLED,
    &cis_controllers::CONTROLLER_MANAGER_EXPOSED_BIND_ADDRESS,
    &cis_controllers::SCHEDULER_PROFILING_ENABLED,
    &cis_controllers::SCHEDULER_EXPOSED_BIND_ADDRESS,
    &cis_etcd::ETCD_TLS_DISABLED,
    &cis_etcd::ETCD_CLIENT_CERT_AUTH_DISABLED,
    &cis_etcd::ETCD_AUTO_TLS_ENABLED,
    &cis_etcd::ETCD_PEER_TLS_DISABLED,
    &cis_etcd::ETCD_PEER_CLIENT_CERT_AUTH_DISABLED,
    &cis_etcd::ETCD_PEER_AUTO_TLS_ENABLED,
    &cis_etcd::ETCD_CA_SHARED_WITH_CLUSTER,
    &cis_policies::USER_CLIENT_CERTIFICATE_AUTH,
    &cis_policies::USER_SERVICE_ACCOUNT_TOKEN_AUTH,
    &cis_policies::USER_BOOTSTRAP_TOKEN_AUTH,
    &cis_policies::AUDIT_POLICY_MISSING,
    &cis_policies::AUDIT_POLICY_GAPS,
    &cis_files::KUBELET_UNIT_PERMISSIVE_MODE,
    &cis_files::KUBELET_UNIT_NOT_ROOT_OWNED,
    &cis_files::PROXY_KUBECONFIG_PERMISSIVE_MODE,
    &cis_files::PROXY_KUBECONFIG_NOT_ROOT_OWNED,
    &cis_files::KUBELET_KUBECONFIG_PERMISSIVE_MODE,
    &cis_files::KUBELET_KUBECONFIG_NOT_ROOT_OWNED,
    &cis_files::CLIENT_CA_FILE_PERMISSIVE_MODE,
    &cis_files::CLIENT_CA_FILE_NOT_ROOT_OWNED,
    &cis_files::KUBELET_CONFIG_PERMISSIVE_MODE,
    &cis_files::KUBELET_CONFIG_NOT_ROOT_OWNED,
    &cis_kubelet::KUBELET_ANONYMOUS_AUTH_ENABLED,
    &cis_kubelet::KUBELET_AUTHORIZATION_ALWAYS_ALLOW,
    &cis_kubelet::KUBELET_CLIENT_CA_MISSING,
    &cis_kubelet::KUBELET_READ_ONLY_PORT_ENABLED,
    &cis_kubelet::KUBELET_STREAMING_IDLE_TIMEOUT_DISABLED,
    &cis_kubelet::KUBELET_IPTABLES_UTIL_CHAINS_DISABLED,
    &cis_kubelet::KUBELET_HOSTNAME_OVERRIDE,
    &cis_kubelet::KUBELET_EVENT_QPS_UNSUITABLE,
    &cis_kubelet::KUBELET_TLS_CERT_MISSING,
    &cis_kubelet::KUBELET_CERT_ROTATION_DISABLED,
    &cis_kubelet::KUBELET_SERVER_CERT_ROTATION_DISABLED,
    &cis_kubelet::KUBELET_WEAK_TLS_CIPHERS,
    &cis_kubelet::KUBELET_POD_PIDS_UNLIMITED,
    &cis_kubelet::KUBELET_SECCOMP_DEFAULT_DISABLED,
    &cis_kubelet::KUBELET_PROTECT_KERNEL_DEFAULTS_DISABLED,
    &cis_policies::COMPONENT_COMMAND_LINE_MALFORMED,
    &probes::ETCD_PLAIN_HTTP,
    &probes::ETCD_NO_CLIENT_CERT_AUTH,
    &probes::ETCD_KEYS_READABLE,
    &probes::APISERVER_INSECURE_PORT,
    &probes::APISERVER_ANONYMOUS_LIST,
    &probes::APISERVER_ANONYMOUS_DISCOVERY,
    &probes::APISERVER_VERSION_DISCLOSED,
    &probes::APISERVER_ANONYMOUS_AUTH,
    &probes::KUBELET_ANONYMOUS_ACCESS,
    &probes::KUBELET_ANONYMOUS_AUTH,
    &probes::KUBELET_READ_ONLY_PORT,
    &probes::TLS_SELF_SIGNED,
    &probes::TLS_EXPIRED,
    &probes::TLS_NOT_YET_VALID,
    &probes::TLS_NAME_MISMATCH,
    &probes::TLS_UNTRUSTED_ISSUER,
    &probes::PROBE_UNREACHABLE,
    &probes::PROBE_UNEXPECTED_PROTOCOL,
];

/// Node check id (`1.2.1`, `kw.command-line`) of the engine's catalogue -> its rule.
pub static CHECKS: &[(&str, &crate::Rule)] = &[
    ("1.1.1", &cis_files::APISERVER_MANIFEST_PERMISSIVE_MODE),
    ("1.1.2", &cis_files::APISERVER_MANIFEST_NOT_ROOT_OWNED),
    (
        "1.1.3",
        &cis_files::CONTROLLER_MANAGER_MANIFEST_PERMISSIVE_MODE,
    ),
    (
        "1.1.4",
        &cis_files::CONTROLLER_MANAGER_MANIFEST_NOT_ROOT_OWNED,
    ),
    ("1.1.5", &cis_files::SCHEDULER_MANIFEST_PERMISSIVE_MODE),
    ("1.1.6", &cis_files::SCHEDULER_MANIFEST_NOT_ROOT_OWNED),
    ("1.1.7", &cis_files::ETCD_MANIFEST_PERMISSIVE_MODE),
    ("1.1.8", &cis_files::ETCD_MANIFEST_NOT_ROOT_OWNED),
    ("1.1.9", &cis_files::CNI_CONFIG_PERMISSIVE_MODE),
    ("1.1.10", &cis_files::CNI_CONFIG_NOT_ROOT_OWNED),
    ("1.1.11", &cis_files::ETCD_DATA_DIR_PERMISSIVE_MODE),
    ("1.1.12", &cis_files::ETCD_DATA_DIR_NOT_ETCD_OWNED),
    ("1.1.13", &cis_files::ADMIN_KUBECONFIG_PERMISSIVE_MODE),
    ("1.1.14", &cis_files::ADMIN_KUBECONFIG_NOT_ROOT_OWNED),
    ("1.1.15", &cis_files::SCHEDULER_KUBECONFIG_PERMISSIVE_MODE),
    ("1.1.16", &cis_files::SCHEDULER_KUBECONFIG_NOT_ROOT_OWNED),
    (
        "1.1.17",
        &cis_files::CONTROLLER_MANAGER_KUBECONFIG_PERMISSIVE_MODE,
    ),
    (
        "1.1.18",
        &cis_files::CONTROLLER_MANAGER_KUBECONFIG_NOT_ROOT_OWNED,
    ),
    ("1.1.19", &cis_files::PKI_NOT_ROOT_OWNED),
    ("1.1.20", &cis_files::PKI_CERTIFICATE_PERMISSIVE_MODE),
    ("1.1.21", &cis_files::PKI_KEY_PERMISSIVE_MODE),
    ("4.1.1", &cis_files::KUBELET_UNIT_PERMISSIVE_MODE),
    ("4.1.2", &cis_files::KUBELET_UNIT_NOT_ROOT_OWNED),
    ("4.1.3", &cis_files::PROXY_KUBECONFIG_PERMISSIVE_MODE),
    ("4.1.4", &cis_files::PROXY_KUBECONFIG_NOT_ROOT_OWNED),
    ("4.1.5", &cis_files::KUBELET_KUBECONFIG_PERMISSIVE_MODE),
    ("4.1.6", &cis_files::KUBELET_KUBECONFIG_NOT_ROOT_OWNED),
    ("4.1.7", &cis_files::CLIENT_CA_FILE_PERMISSIVE_MODE),
    ("4.1.8", &cis_files::CLIENT_CA_FILE_NOT_ROOT_OWNED),
    ("4.1.9", &cis_files::KUBELET_CONFIG_PERMISSIVE_MODE),
    ("4.1.10", &cis_files::KUBELET_CONFIG_NOT_ROOT_OWNED),
    ("1.2.1", &cis_apiserver::APISERVER_ANONYMOUS_AUTH_ENABLED),
    ("1.2.2", &cis_apiserver::APISERVER_STATIC_TOKEN_FILE),
    ("1.2.3", &cis_apiserver::APISERVER_EXTERNAL_IPS_ALLOWED),
    (
        "1.2.4",
        &cis_apiserver::APISERVER_KUBELET_CLIENT_CERT_MISSING,
    ),
    ("1.2.5", &cis_apiserver::APISERVER_KUBELET_CA_MISSING),
    (
        "1.2.6",
        &cis_apiserver::APISERVER_AUTHORIZATION_ALWAYS_ALLOW,
    ),
    ("1.2.7", &cis_apiserver::APISERVER_NODE_AUTHORIZER_MISSING),
    ("1.2.8", &cis_apiserver::APISERVER_RBAC_AUTHORIZER_MISSING),
    ("1.2.9", &cis_apiserver::APISERVER_EVENT_RATE_LIMIT_MISSING),
    ("1.2.10", &cis_apiserver::APISERVER_ALWAYS_ADMIT_ENABLED),
    (
        "1.2.11",
        &cis_apiserver::APISERVER_ALWAYS_PULL_IMAGES_MISSING,
    ),
    (
        "1.2.12",
        &cis_apiserver::APISERVER_SERVICE_ACCOUNT_PLUGIN_DISABLED,
    ),
    (
        "1.2.13",
        &cis_apiserver::APISERVER_NAMESPACE_LIFECYCLE_DISABLED,
    ),
    ("1.2.14", &cis_apiserver::APISERVER_NODE_RESTRICTION_MISSING),
    ("1.2.15", &cis_apiserver::APISERVER_PROFILING_ENABLED),
    ("1.2.16", &cis_apiserver::APISERVER_AUDIT_LOG_DISABLED),
    ("1.2.17", &cis_apiserver::APISERVER_AUDIT_LOG_MAXAGE_LOW),
    ("1.2.18", &cis_apiserver::APISERVER_AUDIT_LOG_MAXBACKUP_LOW),
    ("1.2.19", &cis_apiserver::APISERVER_AUDIT_LOG_MAXSIZE_LOW),
    (
        "1.2.20",
        &cis_apiserver::APISERVER_REQUEST_TIMEOUT_UNBOUNDED,
    ),
    (
        "1.2.21",
        &cis_apiserver::APISERVER_SERVICE_ACCOUNT_LOOKUP_DISABLED,
    ),
    (
        "1.2.22",
        &cis_apiserver::APISERVER_SERVICE_ACCOUNT_KEY_MISSING,
    ),
    ("1.2.23", &cis_apiserver::APISERVER_ETCD_CLIENT_CERT_MISSING),
    ("1.2.24", &cis_apiserver::APISERVER_TLS_CERT_MISSING),
    ("1.2.25", &cis_apiserver::APISERVER_CLIENT_CA_MISSING),
    ("1.2.26", &cis_apiserver::APISERVER_ETCD_CA_MISSING),
    (
        "1.2.27",
        &cis_apiserver::APISERVER_ENCRYPTION_CONFIG_MISSING,
    ),
    ("1.2.28", &cis_apiserver::SECRETS_ENCRYPTION_WEAK),
    ("1.2.29", &cis_apiserver::APISERVER_WEAK_TLS_CIPHERS),
    (
        "1.2.30",
        &cis_apiserver::APISERVER_EXTENDED_TOKEN_EXPIRATION,
    ),
    (
        "1.3.1",
        &cis_controllers::CONTROLLER_MANAGER_POD_GC_THRESHOLD_UNSET,
    ),
    (
        "1.3.2",
        &cis_controllers::CONTROLLER_MANAGER_PROFILING_ENABLED,
    ),
    (
        "1.3.3",
        &cis_controllers::CONTROLLER_MANAGER_SHARED_CREDENTIALS,
    ),
    ("1.3.4", &cis_controllers::CONTROLLER_MANAGER_SA_KEY_MISSING),
    (
        "1.3.5",
        &cis_controllers::CONTROLLER_MANAGER_ROOT_CA_MISSING,
    ),
    (
        "1.3.6",
        &cis_controllers::CONTROLLER_MANAGER_SERVER_CERT_ROTATION_DISABLED,
    ),
    (
        "1.3.7",
        &cis_controllers::CONTROLLER_MANAGER_EXPOSED_BIND_ADDRESS,
    ),
    ("1.4.1", &cis_controllers::SCHEDULER_PROFILING_ENABLED),
    ("1.4.2", &cis_controllers::SCHEDULER_EXPOSED_BIND_ADDRESS),
    ("2.1", &cis_etcd::ETCD_TLS_DISABLED),
    ("2.2", &cis_etcd::ETCD_CLIENT_CERT_AUTH_DISABLED),
    ("2.3", &cis_etcd::ETCD_AUTO_TLS_ENABLED),
    ("2.4", &cis_etcd::ETCD_PEER_TLS_DISABLED),
    ("2.5", &cis_etcd::ETCD_PEER_CLIENT_CERT_AUTH_DISABLED),
    ("2.6", &cis_etcd::ETCD_PEER_AUTO_TLS_ENABLED),
    ("2.7", &cis_etcd::ETCD_CA_SHARED_WITH_CLUSTER),
    ("3.1.1", &cis_policies::USER_CLIENT_CERTIFICATE_AUTH),
    ("3.1.2", &cis_policies::USER_SERVICE_ACCOUNT_TOKEN_AUTH),
    ("3.1.3", &cis_policies::USER_BOOTSTRAP_TOKEN_AUTH),
    ("3.2.1", &cis_policies::AUDIT_POLICY_MISSING),
    ("3.2.2", &cis_policies::AUDIT_POLICY_GAPS),
    (
        "kw.command-line",
        &cis_policies::COMPONENT_COMMAND_LINE_MALFORMED,
    ),
    ("4.2.1", &cis_kubelet::KUBELET_ANONYMOUS_AUTH_ENABLED),
    ("4.2.2", &cis_kubelet::KUBELET_AUTHORIZATION_ALWAYS_ALLOW),
    ("4.2.3", &cis_kubelet::KUBELET_CLIENT_CA_MISSING),
    ("4.2.4", &cis_kubelet::KUBELET_READ_ONLY_PORT_ENABLED),
    (
        "4.2.5",
        &cis_kubelet::KUBELET_STREAMING_IDLE_TIMEOUT_DISABLED,
    ),
    ("4.2.6", &cis_kubelet::KUBELET_IPTABLES_UTIL_CHAINS_DISABLED),
    ("4.2.7", &cis_kubelet::KUBELET_HOSTNAME_OVERRIDE),
    ("4.2.8", &cis_kubelet::KUBELET_EVENT_QPS_UNSUITABLE),
    ("4.2.9", &cis_kubelet::KUBELET_TLS_CERT_MISSING),
    ("4.2.10", &cis_kubelet::KUBELET_CERT_ROTATION_DISABLED),
    (
        "4.2.11",
        &cis_kubelet::KUBELET_SERVER_CERT_ROTATION_DISABLED,
    ),
    ("4.2.12", &cis_kubelet::KUBELET_WEAK_TLS_CIPHERS),
    ("4.2.13", &cis_kubelet::KUBELET_POD_PIDS_UNLIMITED),
    ("4.2.14", &cis_kubelet::KUBELET_SECCOMP_DEFAULT_DISABLED),
    (
        "kw.protect-kernel-defaults",
        &cis_kubelet::KUBELET_PROTECT_KERNEL_DEFAULTS_DISABLED,
    ),
];

/// The rule of a node check id of the engine's catalogue.
#[must_use]
pub fn rule_for_check(check_id: &str) -> Option<&'static crate::Rule> {
    CHECKS
        .iter()
        .find(|(id, _)| *id == check_id)
        .map(|(_, rule)| *rule)
}

/// The rule of a probe finding id (`probe.etcd.plain-http`); `None` for findings that are
/// facts or good signs rather than weaknesses (`probe.tls.negotiated`,
/// `probe.etcd.client-cert-required`, ...).
#[must_use]
pub fn rule_for_probe(finding_id: &str) -> Option<&'static crate::Rule> {
    PROBES
        .iter()
        .find(|(id, _)| *id == finding_id)
        .map(|(_, rule)| *rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_ascend_and_every_rule_is_mapped() {
        let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted);
        for rule in RULES {
            let mapped = CHECKS.iter().any(|(_, r)| r.code == rule.code)
                || PROBES.iter().any(|(_, r)| r.code == rule.code);
            assert!(
                mapped,
                "{} is not reachable from a check or probe id",
                rule.code
            );
            assert!(rule.code.starts_with("CP"));
        }
        for (id, rule) in CHECKS {
            if !id.starts_with("kw.") {
                assert!(
                    rule.compliance
                        .iter()
                        .any(|c| c.to_string() == format!("CIS {id}")),
                    "{}: cis({id}) missing",
                    rule.code
                );
                assert!(
                    rule.docs
                        .contains(&format!("{BENCHMARK}, recommendation {id} ("))
                );
            }
        }
    }
}

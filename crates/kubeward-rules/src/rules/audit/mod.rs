//! API-server audit-log detections (`AUD` codes): documented rules whose findings come from the
//! kubeward-audit engine through [`Engine::external`](crate::Engine::external).
//!
//! Every rule is [`Check::External`]: `kubeward audit` (and the webhook backend of
//! `kubeward serve`) runs the engine over audit events and turns each engine finding into a
//! diagnostic of the rule returned by [`for_code`]. The table below is compact on purpose:
//! code, name, documentation (`What it does` / `Why is this bad?` / `Example event` / `Fix` /
//! `False positives`), default severity and MITRE ATT&CK technique are read from the engine's
//! [`DetectorMeta`](kubeward_audit::DetectorMeta), the one source of that text; only the
//! one-line fix is written here. A test holds the table and the engine's catalogue to the same
//! codes in the same order.
//!
//! ```
//! use kubeward_rules::rules::audit;
//! let rule = audit::for_code("AUD003").unwrap();
//! assert_eq!(rule.name, "exec-into-pod");
//! assert!(rule.docs.contains("## Example event"));
//! assert_eq!(rule.compliance[0].to_string(), "MITRE-ATTACK T1609");
//! assert!(audit::for_code("AUD999").is_none());
//! ```
//!
//! [`adapter`] turns engine findings into diagnostics of these rules (evidence in the message
//! and, in full, in a related note) and into JSON-lines alerts.

pub mod adapter;

use kubeward_audit::{DetectorMeta, meta};
use kubeward_diagnostics::{Category, Severity};

use crate::meta::mitre;
use crate::{Check, Rule};

/// The kubeward severity of an engine severity (the scales are the same).
const fn severity(s: kubeward_audit::Severity) -> Severity {
    match s {
        kubeward_audit::Severity::Info => Severity::Info,
        kubeward_audit::Severity::Low => Severity::Low,
        kubeward_audit::Severity::Medium => Severity::Medium,
        kubeward_audit::Severity::High => Severity::High,
        kubeward_audit::Severity::Critical => Severity::Critical,
    }
}

/// The rule of one engine detector: everything but the one-line fix comes from `meta`.
const fn rule(meta: &'static DetectorMeta, fix: &'static str) -> Rule {
    Rule {
        code: meta.code,
        name: meta.name,
        docs: meta.doc,
        severity: severity(meta.severity),
        category: Category::Audit,
        kinds: &[],
        compliance: &[],
        fix,
        since: "0.1.0",
        check: Check::External,
    }
}

macro_rules! audit_rules {
    ($($(#[$attr:meta])* $ident:ident = $meta:ident, $fix:literal;)*) => {
        $(
            $(#[$attr])*
            pub static $ident: Rule = Rule {
                compliance: &[mitre(meta::$meta.mitre_id)],
                ..rule(&meta::$meta, $fix)
            };
        )*
        /// Every rule of this category, in code order.
        pub static RULES: &[&crate::Rule] = &[$(&$ident),*];
    };
}

audit_rules! {
    /// `AUD001 secret-read-by-unusual-identity`.
    SECRET_READ_BY_UNUSUAL_IDENTITY = AUD001,
        "Remove `get`/`list`/`watch` on `secrets` from the role named in the audit reason; rotate the secret if the read was unexpected.";
    /// `AUD002 secret-list-cluster-wide`.
    SECRET_LIST_CLUSTER_WIDE = AUD002,
        "Replace the ClusterRoleBinding with namespaced RoleBindings and grant `get` on named secrets instead of `list`.";
    /// `AUD003 exec-into-pod`.
    EXEC_INTO_POD = AUD003,
        "Remove `pods/exec` from everyday roles; grant it just in time.";
    /// `AUD004 attach-to-pod`.
    ATTACH_TO_POD = AUD004,
        "Remove `pods/attach` from roles that do not need interactive access.";
    /// `AUD005 port-forward`.
    PORT_FORWARD = AUD005,
        "Remove `pods/portforward` from roles; expose what is needed through reviewed Services.";
    /// `AUD006 node-proxy-access`.
    NODE_PROXY_ACCESS = AUD006,
        "Remove `nodes/proxy` from roles (monitoring needs `nodes/metrics` at most).";
    /// `AUD007 cluster-admin-binding-created`.
    CLUSTER_ADMIN_BINDING_CREATED = AUD007,
        "Delete the binding unless it was approved and bind a narrower role; find how its creator could bind `cluster-admin`.";
    /// `AUD008 rbac-wildcard-role-created`.
    RBAC_WILDCARD_ROLE_CREATED = AUD008,
        "List the verbs, resources and API groups the role needs explicitly.";
    /// `AUD009 serviceaccount-token-created`.
    SERVICEACCOUNT_TOKEN_CREATED = AUD009,
        "Remove `create` on `serviceaccounts/token` from roles; recreate the service account to revoke minted tokens.";
    /// `AUD010 impersonation`.
    IMPERSONATION = AUD010,
        "Remove the `impersonate` verb from roles, or restrict it with `resourceNames`.";
    /// `AUD011 anonymous-request-allowed`.
    ANONYMOUS_REQUEST_ALLOWED = AUD011,
        "Delete bindings to `system:anonymous` or `system:unauthenticated`; limit anonymous access to health endpoints.";
    /// `AUD012 forbidden-burst`.
    FORBIDDEN_BURST = AUD012,
        "Find where the identity's credentials are used from (source IPs, user agent) and rotate them if the client is unexpected.";
    /// `AUD013 privileged-pod-created`.
    PRIVILEGED_POD_CREATED = AUD013,
        "Enforce Pod Security Admission `baseline` on the namespace; grant single capabilities instead of `privileged`.";
    /// `AUD014 hostpath-pod-created`.
    HOSTPATH_POD_CREATED = AUD014,
        "Use `emptyDir`, `configMap`, `secret` or persistent volumes; enforce Pod Security Admission `baseline`.";
    /// `AUD015 pod-created-in-kube-system`.
    POD_CREATED_IN_KUBE_SYSTEM = AUD015,
        "Deploy applications to their own namespaces; restrict writes to `kube-system` to the platform pipeline.";
    /// `AUD016 webhook-configuration-changed`.
    WEBHOOK_CONFIGURATION_CHANGED = AUD016,
        "Restore the admission configuration from source control; restrict writes to `admissionregistration.k8s.io`.";
    /// `AUD017 audit-policy-or-logging-tampering`.
    AUDIT_POLICY_OR_LOGGING_TAMPERING = AUD017,
        "Restore the logging component and restrict write access to logging namespaces.";
    /// `AUD018 crd-or-apiservice-registered`.
    CRD_OR_APISERVICE_REGISTERED = AUD018,
        "Remove unexpected registrations; restrict writes to `apiregistration.k8s.io` and `apiextensions.k8s.io`.";
    /// `AUD019 csr-approved`.
    CSR_APPROVED = AUD019,
        "Check the approved request's subject; remove `approve` on `signers` from roles that do not need it.";
    /// `AUD020 event-deleted`.
    EVENT_DELETED = AUD020,
        "Remove `delete` on `events` from roles; ship events to external storage.";
    /// `AUD021 rate-spike`.
    RATE_SPIKE = AUD021,
        "Review what the identity created or deleted in the spike; revoke its credentials if the burst was not planned.";
    /// `AUD022 first-seen-identity`.
    FIRST_SEEN_IDENTITY = AUD022,
        "Confirm the identity is expected to make this request; if not, revoke its credentials and bindings.";
    /// `AUD023 first-seen-source-ip`.
    FIRST_SEEN_SOURCE_IP = AUD023,
        "Check where the address belongs; rotate the credential if it is not the workload's own.";
    /// `AUD024 first-seen-user-agent`.
    FIRST_SEEN_USER_AGENT = AUD024,
        "Find who ran the new client; rotate the credential if it was not an expected tool.";
}

/// The rule reporting the findings of the engine detector with this code (`AUD003`), the code
/// of [`kubeward_audit::Finding::code`].
#[must_use]
pub fn for_code(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_engine_catalogue() {
        let engine: Vec<&DetectorMeta> = kubeward_audit::Engine::catalogue().collect();
        assert_eq!(RULES.len(), engine.len());
        for (rule, meta) in RULES.iter().zip(engine) {
            assert_eq!((rule.code, rule.name), (meta.code, meta.name));
            assert_eq!(rule.docs, meta.doc);
            assert_eq!(rule.compliance, &[mitre(meta.mitre_id)]);
            assert_eq!(rule.severity.as_str(), meta.severity.to_string());
            assert!(!rule.fix.is_empty() && !rule.fix.contains('\n'));
            assert!(matches!(rule.check, Check::External));
            for section in ["What it does", "Why is this bad?", "Fix", "False positives"] {
                assert!(
                    !rule.section(section).is_empty(),
                    "{}: {section}",
                    rule.code
                );
            }
            assert!(rule.section("Example event").contains("```json"));
        }
    }

    #[test]
    fn lookup_by_code() {
        for rule in RULES {
            assert!(std::ptr::eq(for_code(rule.code).unwrap(), *rule));
        }
    }
}

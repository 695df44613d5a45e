//! CIS Kubernetes Benchmark v1.12.0, section 3 Control plane configuration (authentication, audit logging) and kubeward's command-line check: one rule per check of
//! `kubeward_controlplane::catalogue()` (the check's what/why/fix text is repeated here
//! verbatim; a test of the `kubeward` binary keeps both in step).

use kubeward_diagnostics::Severity;

use super::cp_rule;
use crate::meta::{cis, cwe};

cp_rule! {
    pub static USER_CLIENT_CERTIFICATE_AUTH = "CP100" "user-client-certificate-auth" Info;
    compliance: [cis("3.1.1")],
    summary: "Fails when CIS 3.1.1 is not met: Client certificate authentication should not be used for users.",
    what: "Manual: list how human users authenticate. Assessment in the benchmark: Manual.",
    why: "Client certificates cannot be revoked; a leaked one is valid until it expires.",
    fix: "Use OIDC (or another revocable mechanism) for users.",
    exceptions: "Manual in the benchmark: it cannot be decided from a node's files, so the result is always WARN (manual review) in the results table of `kubeward node`, never a finding.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 3.1.1 (Manual); kube-bench `cfg/cis-1.12`", "Kubernetes auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/", "Kubernetes authentication: https://kubernetes.io/docs/reference/access-authn-authz/authentication/"],
}

cp_rule! {
    pub static USER_SERVICE_ACCOUNT_TOKEN_AUTH = "CP101" "user-service-account-token-auth" Info;
    compliance: [cis("3.1.2")],
    summary: "Fails when CIS 3.1.2 is not met: Service account token authentication should not be used for users.",
    what: "Manual: ensure people do not use service account tokens. Assessment in the benchmark: Manual.",
    why: "Service account tokens are workload credentials without user attribution or MFA.",
    fix: "Use OIDC for users.",
    exceptions: "Manual in the benchmark: it cannot be decided from a node's files, so the result is always WARN (manual review) in the results table of `kubeward node`, never a finding.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 3.1.2 (Manual); kube-bench `cfg/cis-1.12`", "Kubernetes auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/", "Kubernetes authentication: https://kubernetes.io/docs/reference/access-authn-authz/authentication/"],
}

cp_rule! {
    pub static USER_BOOTSTRAP_TOKEN_AUTH = "CP102" "user-bootstrap-token-auth" Info;
    compliance: [cis("3.1.3")],
    summary: "Fails when CIS 3.1.3 is not met: Bootstrap token authentication should not be used for users.",
    what: "Manual: ensure people do not use bootstrap tokens. Assessment in the benchmark: Manual.",
    why: "Bootstrap tokens are meant for joining nodes and carry node-bootstrap permissions.",
    fix: "Use OIDC for users; delete unused bootstrap tokens.",
    exceptions: "Manual in the benchmark: it cannot be decided from a node's files, so the result is always WARN (manual review) in the results table of `kubeward node`, never a finding.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 3.1.3 (Manual); kube-bench `cfg/cis-1.12`", "Kubernetes auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/", "Kubernetes authentication: https://kubernetes.io/docs/reference/access-authn-authz/authentication/"],
}

cp_rule! {
    pub static AUDIT_POLICY_MISSING = "CP105" "audit-policy-missing" Medium;
    compliance: [cis("3.2.1"), cwe("CWE-778")],
    summary: "Fails when CIS 3.2.1 is not met: A minimal audit policy is created.",
    what: "Checks kube-apiserver --audit-policy-file and that the file exists and parses. Assessment in the benchmark: Manual.",
    why: "Without a policy the API server records no audit events at all.",
    fix: "Write an audit Policy file and set --audit-policy-file to it.",
    exceptions: "Not applicable without a kube-apiserver static pod manifest (managed control planes), unless the file is given with `--audit-policy`. To accept the current state, run with `--ignore CP105` or list `CP105` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 3.2.1 (Manual); kube-bench `cfg/cis-1.12`", "Kubernetes auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/", "Kubernetes authentication: https://kubernetes.io/docs/reference/access-authn-authz/authentication/"],
}

cp_rule! {
    pub static AUDIT_POLICY_GAPS = "CP106" "audit-policy-gaps" Medium;
    compliance: [cis("3.2.2"), cwe("CWE-532")],
    summary: "Fails when CIS 3.2.2 is not met: The audit policy covers key security concerns.",
    what: "Lints the audit Policy: Secrets/ConfigMaps/TokenReviews must not be logged at Request or RequestResponse; RBAC changes and pods/exec, pods/attach, pods/portforward must be logged; a catch-all rule must exist; omitStages must be valid and keep ResponseComplete and Panic. Assessment in the benchmark: Manual.",
    why: "Logging bodies of Secrets puts the secrets into the log; not logging exec or RBAC changes hides the usual first steps of an attack.",
    fix: "Log secrets, configmaps and tokenreviews at Metadata; log rbac.authorization.k8s.io and pods/exec|attach|portforward at Metadata or more; end the rules with `- level: Metadata`.",
    exceptions: "Not applicable without a kube-apiserver static pod manifest (managed control planes), unless the file is given with `--audit-policy`. To accept the current state, run with `--ignore CP106` or list `CP106` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 3.2.2 (Manual); kube-bench `cfg/cis-1.12`", "Kubernetes auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/", "Kubernetes authentication: https://kubernetes.io/docs/reference/access-authn-authz/authentication/"],
}

cp_rule! {
    pub static COMPONENT_COMMAND_LINE_MALFORMED = "CP181" "component-command-line-malformed" Medium;
    compliance: [],
    summary: "Fails when kubeward's additional check `kw.command-line` is not met: Component command lines parse cleanly.",
    what: "Parses every component's arguments the way the component does and reports stray arguments, malformed flags and scalar flags given twice with different values.",
    why: "`--anonymous-auth false` sets anonymous-auth to true; a flag given twice silently keeps its last value. Both make a reviewed manifest mean something else than it appears to.",
    fix: "Write flags as --flag=value, once each.",
    exceptions: "Not applicable without a kube-apiserver static pod manifest (managed control planes), unless the file is given with `--audit-policy`. To accept the current state, run with `--ignore CP181` or list `CP181` under `ignore:` in `.kubeward.yaml`.",
    references: ["kubeward additional check `kw.command-line` (not a CIS Kubernetes Benchmark v1.12.0 recommendation)", "Kubernetes auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/", "Kubernetes authentication: https://kubernetes.io/docs/reference/access-authn-authz/authentication/"],
}

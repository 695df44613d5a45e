//! CIS Kubernetes Benchmark v1.12.0, section 1.2 API server: one rule per check of
//! `kubeward_controlplane::catalogue()` (the check's what/why/fix text is repeated here
//! verbatim; a test of the `kubeward` binary keeps both in step).

use kubeward_diagnostics::Severity;

use super::cp_rule;
use crate::meta::{cis, cwe};

cp_rule! {
    pub static APISERVER_ANONYMOUS_AUTH_ENABLED = "CP030" "apiserver-anonymous-auth-enabled" High;
    compliance: [cis("1.2.1"), cwe("CWE-306")],
    summary: "Fails when CIS 1.2.1 is not met: API server --anonymous-auth is false.",
    what: "Checks kube-apiserver --anonymous-auth (default true). Assessment in the benchmark: Manual.",
    why: "Anonymous requests reach every authorizer as system:anonymous; one permissive binding exposes the API to the whole network.",
    fix: "Set --anonymous-auth=false (or restrict anonymous to health endpoints with a structured AuthenticationConfiguration).",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP030` or list `CP030` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.1 (Manual); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_STATIC_TOKEN_FILE = "CP031" "apiserver-static-token-file" Medium;
    compliance: [cis("1.2.2"), cwe("CWE-798")],
    summary: "Fails when CIS 1.2.2 is not met: API server --token-auth-file is not set.",
    what: "Checks that kube-apiserver --token-auth-file is absent. Assessment in the benchmark: Automated.",
    why: "Static tokens live in clear text on disk, never expire and cannot be revoked without a restart.",
    fix: "Remove --token-auth-file and use client certificates, OIDC or service accounts.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP031` or list `CP031` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.2 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_EXTERNAL_IPS_ALLOWED = "CP032" "apiserver-external-ips-allowed" Medium;
    compliance: [cis("1.2.3")],
    summary: "Fails when CIS 1.2.3 is not met: API server admission plugin DenyServiceExternalIPs is enabled.",
    what: "Checks that --enable-admission-plugins includes DenyServiceExternalIPs. Assessment in the benchmark: Manual.",
    why: "Service externalIPs let any user who can create Services intercept traffic to arbitrary IPs (CVE-2020-8554).",
    fix: "Add DenyServiceExternalIPs to --enable-admission-plugins.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP032` or list `CP032` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.3 (Manual); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_KUBELET_CLIENT_CERT_MISSING = "CP033" "apiserver-kubelet-client-cert-missing" High;
    compliance: [cis("1.2.4"), cwe("CWE-306")],
    summary: "Fails when CIS 1.2.4 is not met: API server --kubelet-client-certificate and --kubelet-client-key are set.",
    what: "Checks kube-apiserver --kubelet-client-certificate and --kubelet-client-key. Assessment in the benchmark: Automated.",
    why: "Without a client certificate the API server cannot authenticate to kubelets, which then must allow unauthenticated access.",
    fix: "Set --kubelet-client-certificate and --kubelet-client-key to the apiserver-kubelet-client pair.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP033` or list `CP033` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.4 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_KUBELET_CA_MISSING = "CP034" "apiserver-kubelet-ca-missing" Medium;
    compliance: [cis("1.2.5"), cwe("CWE-295")],
    summary: "Fails when CIS 1.2.5 is not met: API server --kubelet-certificate-authority is set.",
    what: "Checks kube-apiserver --kubelet-certificate-authority. Assessment in the benchmark: Automated.",
    why: "Without it the API server does not verify kubelet serving certificates, so exec/logs traffic can be intercepted.",
    fix: "Set --kubelet-certificate-authority to the CA that signs kubelet serving certificates.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP034` or list `CP034` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.5 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_AUTHORIZATION_ALWAYS_ALLOW = "CP035" "apiserver-authorization-always-allow" Critical;
    compliance: [cis("1.2.6"), cwe("CWE-862")],
    summary: "Fails when CIS 1.2.6 is not met: API server --authorization-mode is not AlwaysAllow.",
    what: "Checks the authorizers from --authorization-mode (default AlwaysAllow) or --authorization-config. Assessment in the benchmark: Automated.",
    why: "AlwaysAllow lets every authenticated (or anonymous) request do anything.",
    fix: "Set --authorization-mode=Node,RBAC.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP035` or list `CP035` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.6 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_NODE_AUTHORIZER_MISSING = "CP036" "apiserver-node-authorizer-missing" High;
    compliance: [cis("1.2.7"), cwe("CWE-862")],
    summary: "Fails when CIS 1.2.7 is not met: API server --authorization-mode includes Node.",
    what: "Checks that the authorizers include Node. Assessment in the benchmark: Automated.",
    why: "The Node authorizer limits each kubelet to the objects of its own pods; without it a compromised node can read every Secret.",
    fix: "Set --authorization-mode=Node,RBAC.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP036` or list `CP036` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.7 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_RBAC_AUTHORIZER_MISSING = "CP037" "apiserver-rbac-authorizer-missing" High;
    compliance: [cis("1.2.8"), cwe("CWE-862")],
    summary: "Fails when CIS 1.2.8 is not met: API server --authorization-mode includes RBAC.",
    what: "Checks that the authorizers include RBAC. Assessment in the benchmark: Automated.",
    why: "RBAC is the fine-grained, auditable way to grant access; without it permissions are all-or-nothing or external.",
    fix: "Set --authorization-mode=Node,RBAC.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP037` or list `CP037` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.8 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_EVENT_RATE_LIMIT_MISSING = "CP038" "apiserver-event-rate-limit-missing" Low;
    compliance: [cis("1.2.9"), cwe("CWE-770")],
    summary: "Fails when CIS 1.2.9 is not met: API server admission plugin EventRateLimit is enabled.",
    what: "Checks that --enable-admission-plugins includes EventRateLimit. Assessment in the benchmark: Manual.",
    why: "Unlimited event creation can flood etcd and the API server (denial of service).",
    fix: "Add EventRateLimit to --enable-admission-plugins and configure it in --admission-control-config-file.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP038` or list `CP038` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.9 (Manual); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_ALWAYS_ADMIT_ENABLED = "CP039" "apiserver-always-admit-enabled" High;
    compliance: [cis("1.2.10")],
    summary: "Fails when CIS 1.2.10 is not met: API server admission plugin AlwaysAdmit is not enabled.",
    what: "Checks that --enable-admission-plugins does not include AlwaysAdmit. Assessment in the benchmark: Automated.",
    why: "AlwaysAdmit is a no-op that signals admission control was deliberately weakened.",
    fix: "Remove AlwaysAdmit from --enable-admission-plugins.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP039` or list `CP039` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.10 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_ALWAYS_PULL_IMAGES_MISSING = "CP040" "apiserver-always-pull-images-missing" Low;
    compliance: [cis("1.2.11")],
    summary: "Fails when CIS 1.2.11 is not met: API server admission plugin AlwaysPullImages is enabled.",
    what: "Checks that --enable-admission-plugins includes AlwaysPullImages. Assessment in the benchmark: Manual.",
    why: "Without it a pod can run a private image already cached on a node without having the pull credentials.",
    fix: "Add AlwaysPullImages to --enable-admission-plugins.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP040` or list `CP040` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.11 (Manual); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_SERVICE_ACCOUNT_PLUGIN_DISABLED = "CP041" "apiserver-service-account-plugin-disabled" Medium;
    compliance: [cis("1.2.12")],
    summary: "Fails when CIS 1.2.12 is not met: API server admission plugin ServiceAccount is enabled.",
    what: "Checks that ServiceAccount is not in --disable-admission-plugins (it is on by default). Assessment in the benchmark: Automated.",
    why: "The ServiceAccount plugin enforces that pods use existing service accounts and mounts bound tokens.",
    fix: "Remove ServiceAccount from --disable-admission-plugins.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP041` or list `CP041` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.12 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_NAMESPACE_LIFECYCLE_DISABLED = "CP042" "apiserver-namespace-lifecycle-disabled" Low;
    compliance: [cis("1.2.13")],
    summary: "Fails when CIS 1.2.13 is not met: API server admission plugin NamespaceLifecycle is enabled.",
    what: "Checks that NamespaceLifecycle is not in --disable-admission-plugins (it is on by default). Assessment in the benchmark: Automated.",
    why: "It stops objects from being created in namespaces that are being deleted or do not exist.",
    fix: "Remove NamespaceLifecycle from --disable-admission-plugins.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP042` or list `CP042` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.13 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_NODE_RESTRICTION_MISSING = "CP043" "apiserver-node-restriction-missing" High;
    compliance: [cis("1.2.14")],
    summary: "Fails when CIS 1.2.14 is not met: API server admission plugin NodeRestriction is enabled.",
    what: "Checks that --enable-admission-plugins includes NodeRestriction. Assessment in the benchmark: Automated.",
    why: "Without it a kubelet can modify other nodes and pods not bound to it, and label itself into sensitive workloads.",
    fix: "Add NodeRestriction to --enable-admission-plugins.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP043` or list `CP043` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.14 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_PROFILING_ENABLED = "CP044" "apiserver-profiling-enabled" Low;
    compliance: [cis("1.2.15")],
    summary: "Fails when CIS 1.2.15 is not met: API server --profiling is false.",
    what: "Checks kube-apiserver --profiling (default true). Assessment in the benchmark: Automated.",
    why: "The pprof endpoints reveal internals and can be used to load the server.",
    fix: "Set --profiling=false.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP044` or list `CP044` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.15 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_AUDIT_LOG_DISABLED = "CP045" "apiserver-audit-log-disabled" Medium;
    compliance: [cis("1.2.16"), cwe("CWE-778")],
    summary: "Fails when CIS 1.2.16 is not met: API server --audit-log-path is set.",
    what: "Checks kube-apiserver --audit-log-path. Assessment in the benchmark: Automated.",
    why: "Without an audit log there is no record of who did what in the cluster.",
    fix: "Set --audit-log-path=/var/log/kubernetes/audit/audit.log and --audit-policy-file.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP045` or list `CP045` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.16 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_AUDIT_LOG_MAXAGE_LOW = "CP046" "apiserver-audit-log-maxage-low" Low;
    compliance: [cis("1.2.17")],
    summary: "Fails when CIS 1.2.17 is not met: API server --audit-log-maxage is 30 or more.",
    what: "Checks kube-apiserver --audit-log-maxage (days of audit logs kept). Assessment in the benchmark: Automated.",
    why: "Short retention erases the trail before an intrusion is noticed.",
    fix: "Set --audit-log-maxage=30.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP046` or list `CP046` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.17 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_AUDIT_LOG_MAXBACKUP_LOW = "CP047" "apiserver-audit-log-maxbackup-low" Low;
    compliance: [cis("1.2.18")],
    summary: "Fails when CIS 1.2.18 is not met: API server --audit-log-maxbackup is 10 or more.",
    what: "Checks kube-apiserver --audit-log-maxbackup (rotated files kept). Assessment in the benchmark: Automated.",
    why: "Too few backups erase the trail before an intrusion is noticed.",
    fix: "Set --audit-log-maxbackup=10.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP047` or list `CP047` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.18 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_AUDIT_LOG_MAXSIZE_LOW = "CP048" "apiserver-audit-log-maxsize-low" Low;
    compliance: [cis("1.2.19")],
    summary: "Fails when CIS 1.2.19 is not met: API server --audit-log-maxsize is 100 or more.",
    what: "Checks kube-apiserver --audit-log-maxsize (MB before rotation). Assessment in the benchmark: Automated.",
    why: "Small files rotate away evidence quickly under load.",
    fix: "Set --audit-log-maxsize=100.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP048` or list `CP048` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.19 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_REQUEST_TIMEOUT_UNBOUNDED = "CP049" "apiserver-request-timeout-unbounded" Low;
    compliance: [cis("1.2.20")],
    summary: "Fails when CIS 1.2.20 is not met: API server --request-timeout is appropriate.",
    what: "Shows kube-apiserver --request-timeout (default 1m0s) for review; 0 is flagged. Assessment in the benchmark: Manual.",
    why: "Long or disabled timeouts let slow clients hold server resources.",
    fix: "Set --request-timeout to a suitable value such as 300s, only if needed.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP049` or list `CP049` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.20 (Manual); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_SERVICE_ACCOUNT_LOOKUP_DISABLED = "CP050" "apiserver-service-account-lookup-disabled" Medium;
    compliance: [cis("1.2.21")],
    summary: "Fails when CIS 1.2.21 is not met: API server --service-account-lookup is true.",
    what: "Checks kube-apiserver --service-account-lookup (default true). Assessment in the benchmark: Automated.",
    why: "Without lookup, tokens of deleted service accounts keep working until they expire.",
    fix: "Remove --service-account-lookup=false or set it to true.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP050` or list `CP050` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.21 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_SERVICE_ACCOUNT_KEY_MISSING = "CP051" "apiserver-service-account-key-missing" Medium;
    compliance: [cis("1.2.22")],
    summary: "Fails when CIS 1.2.22 is not met: API server --service-account-key-file is set.",
    what: "Checks kube-apiserver --service-account-key-file. Assessment in the benchmark: Automated.",
    why: "The public keys that verify service account tokens must be explicit so keys can be rotated.",
    fix: "Set --service-account-key-file to the service accounts' public key file.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP051` or list `CP051` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.22 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_ETCD_CLIENT_CERT_MISSING = "CP052" "apiserver-etcd-client-cert-missing" High;
    compliance: [cis("1.2.23"), cwe("CWE-306")],
    summary: "Fails when CIS 1.2.23 is not met: API server --etcd-certfile and --etcd-keyfile are set.",
    what: "Checks kube-apiserver --etcd-certfile and --etcd-keyfile. Assessment in the benchmark: Automated.",
    why: "Without a client certificate, etcd must accept unauthenticated clients, and its data is everything.",
    fix: "Set --etcd-certfile and --etcd-keyfile to the apiserver-etcd-client pair.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP052` or list `CP052` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.23 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_TLS_CERT_MISSING = "CP053" "apiserver-tls-cert-missing" High;
    compliance: [cis("1.2.24"), cwe("CWE-319")],
    summary: "Fails when CIS 1.2.24 is not met: API server --tls-cert-file and --tls-private-key-file are set.",
    what: "Checks kube-apiserver --tls-cert-file and --tls-private-key-file. Assessment in the benchmark: Automated.",
    why: "Without them the API server serves a self-signed certificate clients cannot verify.",
    fix: "Set --tls-cert-file and --tls-private-key-file.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP053` or list `CP053` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.24 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_CLIENT_CA_MISSING = "CP054" "apiserver-client-ca-missing" High;
    compliance: [cis("1.2.25")],
    summary: "Fails when CIS 1.2.25 is not met: API server --client-ca-file is set.",
    what: "Checks kube-apiserver --client-ca-file. Assessment in the benchmark: Automated.",
    why: "Without a client CA, client certificate authentication is off and kubelets and controllers need weaker credentials.",
    fix: "Set --client-ca-file=/etc/kubernetes/pki/ca.crt.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP054` or list `CP054` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.25 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_ETCD_CA_MISSING = "CP055" "apiserver-etcd-ca-missing" High;
    compliance: [cis("1.2.26"), cwe("CWE-295")],
    summary: "Fails when CIS 1.2.26 is not met: API server --etcd-cafile is set.",
    what: "Checks kube-apiserver --etcd-cafile. Assessment in the benchmark: Automated.",
    why: "Without it the API server does not verify etcd's certificate and can be pointed at an impostor.",
    fix: "Set --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP055` or list `CP055` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.26 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_ENCRYPTION_CONFIG_MISSING = "CP056" "apiserver-encryption-config-missing" High;
    compliance: [cis("1.2.27"), cwe("CWE-311")],
    summary: "Fails when CIS 1.2.27 is not met: API server --encryption-provider-config is set.",
    what: "Checks kube-apiserver --encryption-provider-config. Assessment in the benchmark: Manual.",
    why: "Without encryption at rest, Secrets sit in etcd and its backups in plain text.",
    fix: "Create an EncryptionConfiguration and set --encryption-provider-config to it.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP056` or list `CP056` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.27 (Manual); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/", "Encrypting confidential data at rest: https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/"],
}

cp_rule! {
    pub static SECRETS_ENCRYPTION_WEAK = "CP057" "secrets-encryption-weak" High;
    compliance: [cis("1.2.28"), cwe("CWE-311")],
    summary: "Fails when CIS 1.2.28 is not met: Encryption providers are appropriately configured.",
    what: "Reads the EncryptionConfiguration: Secrets must be covered and the first provider must not be identity; aescbc and aesgcm are reported as weak. Assessment in the benchmark: Manual.",
    why: "The first provider encrypts new writes: identity first means plain text, whatever follows.",
    fix: "Put kms (v2) or secretbox first for `secrets` in the EncryptionConfiguration, then rewrite all Secrets.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP057` or list `CP057` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.28 (Manual); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/", "Encrypting confidential data at rest: https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/"],
}

cp_rule! {
    pub static APISERVER_WEAK_TLS_CIPHERS = "CP058" "apiserver-weak-tls-ciphers" Medium;
    compliance: [cis("1.2.29"), cwe("CWE-327")],
    summary: "Fails when CIS 1.2.29 is not met: API server uses only strong cryptographic ciphers.",
    what: "Checks that every suite in kube-apiserver --tls-cipher-suites is an AEAD suite with forward secrecy. Assessment in the benchmark: Manual.",
    why: "Weak suites allow downgrade and decryption of API traffic.",
    fix: "Set --tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP058` or list `CP058` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.29 (Manual); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

cp_rule! {
    pub static APISERVER_EXTENDED_TOKEN_EXPIRATION = "CP059" "apiserver-extended-token-expiration" Low;
    compliance: [cis("1.2.30")],
    summary: "Fails when CIS 1.2.30 is not met: API server --service-account-extend-token-expiration is false.",
    what: "Checks kube-apiserver --service-account-extend-token-expiration (default true). Assessment in the benchmark: Automated.",
    why: "Extended tokens stay valid for a year instead of an hour, so a stolen token keeps working.",
    fix: "Set --service-account-extend-token-expiration=false.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-apiserver static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP059` or list `CP059` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.2.30 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"],
}

//! CIS Kubernetes Benchmark v1.12.0, section 4.2 Kubelet: one rule per check of
//! `kubeward_controlplane::catalogue()` (the check's what/why/fix text is repeated here
//! verbatim; a test of the `kubeward` binary keeps both in step).

use kubeward_diagnostics::Severity;

use super::cp_rule;
use crate::meta::{cis, cwe};

cp_rule! {
    pub static KUBELET_ANONYMOUS_AUTH_ENABLED = "CP120" "kubelet-anonymous-auth-enabled" High;
    compliance: [cis("4.2.1"), cwe("CWE-306")],
    summary: "Fails when CIS 4.2.1 is not met: Kubelet anonymous authentication is disabled.",
    what: "Checks authentication.anonymous.enabled / --anonymous-auth (flags override the file; default false with a config file, true without). Assessment in the benchmark: Automated.",
    why: "Anonymous requests to port 10250 can list pods and, with a permissive authorizer, exec into them.",
    fix: "Set `authentication: {anonymous: {enabled: false}}` in the kubelet config (or --anonymous-auth=false), then restart the kubelet.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP120` or list `CP120` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.1 (Automated); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_AUTHORIZATION_ALWAYS_ALLOW = "CP121" "kubelet-authorization-always-allow" Critical;
    compliance: [cis("4.2.2"), cwe("CWE-862")],
    summary: "Fails when CIS 4.2.2 is not met: Kubelet --authorization-mode is not AlwaysAllow.",
    what: "Checks authorization.mode / --authorization-mode (default Webhook with a config file, AlwaysAllow without). Assessment in the benchmark: Automated.",
    why: "AlwaysAllow lets any client that authenticates run commands in every pod on the node.",
    fix: "Set `authorization: {mode: Webhook}` in the kubelet config.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP121` or list `CP121` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.2 (Automated); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_CLIENT_CA_MISSING = "CP122" "kubelet-client-ca-missing" High;
    compliance: [cis("4.2.3")],
    summary: "Fails when CIS 4.2.3 is not met: Kubelet client CA file is set.",
    what: "Checks authentication.x509.clientCAFile / --client-ca-file. Assessment in the benchmark: Automated.",
    why: "Without a client CA the kubelet cannot authenticate the API server's client certificate.",
    fix: "Set authentication.x509.clientCAFile=/etc/kubernetes/pki/ca.crt.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP122` or list `CP122` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.3 (Automated); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_READ_ONLY_PORT_ENABLED = "CP123" "kubelet-read-only-port-enabled" Medium;
    compliance: [cis("4.2.4"), cwe("CWE-306")],
    summary: "Fails when CIS 4.2.4 is not met: Kubelet read-only port is 0.",
    what: "Checks readOnlyPort / --read-only-port (default 0 with a config file, 10255 without). Assessment in the benchmark: Manual.",
    why: "The read-only port serves pod specs (with environment variables) without any authentication.",
    fix: "Set readOnlyPort: 0.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP123` or list `CP123` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.4 (Manual); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_STREAMING_IDLE_TIMEOUT_DISABLED = "CP124" "kubelet-streaming-idle-timeout-disabled" Low;
    compliance: [cis("4.2.5")],
    summary: "Fails when CIS 4.2.5 is not met: Kubelet streaming connection idle timeout is not 0.",
    what: "Checks streamingConnectionIdleTimeout / --streaming-connection-idle-timeout (default 4h). Assessment in the benchmark: Manual.",
    why: "With 0, idle exec/attach/port-forward streams stay open forever.",
    fix: "Set streamingConnectionIdleTimeout: 5m.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP124` or list `CP124` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.5 (Manual); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_IPTABLES_UTIL_CHAINS_DISABLED = "CP125" "kubelet-iptables-util-chains-disabled" Low;
    compliance: [cis("4.2.6")],
    summary: "Fails when CIS 4.2.6 is not met: Kubelet --make-iptables-util-chains is true.",
    what: "Checks makeIPTablesUtilChains / --make-iptables-util-chains (default true). Assessment in the benchmark: Automated.",
    why: "The kubelet's iptables utility chains keep pod network rules consistent with the node's firewall.",
    fix: "Set makeIPTablesUtilChains: true (or remove the false setting).",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP125` or list `CP125` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.6 (Automated); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_HOSTNAME_OVERRIDE = "CP126" "kubelet-hostname-override" Low;
    compliance: [cis("4.2.7")],
    summary: "Fails when CIS 4.2.7 is not met: Kubelet --hostname-override is not set.",
    what: "Checks that the kubelet command line has no --hostname-override (it has no config-file field). Assessment in the benchmark: Manual.",
    why: "An overridden hostname breaks the match between node name and its TLS identity.",
    fix: "Remove --hostname-override from the kubelet's arguments.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP126` or list `CP126` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.7 (Manual); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_EVENT_QPS_UNSUITABLE = "CP127" "kubelet-event-qps-unsuitable" Info;
    compliance: [cis("4.2.8")],
    summary: "Fails when CIS 4.2.8 is not met: Kubelet eventRecordQPS ensures appropriate event capture.",
    what: "Shows eventRecordQPS / --event-qps (default 50; 0 = unlimited). Assessment in the benchmark: Manual.",
    why: "Too low a limit drops events an investigation needs.",
    fix: "Set eventRecordQPS to a level suited to the node (0 for no limit).",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP127` or list `CP127` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.8 (Manual); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_TLS_CERT_MISSING = "CP128" "kubelet-tls-cert-missing" Medium;
    compliance: [cis("4.2.9"), cwe("CWE-295")],
    summary: "Fails when CIS 4.2.9 is not met: Kubelet TLS certificate and key are set.",
    what: "Checks tlsCertFile and tlsPrivateKeyFile (or --tls-cert-file / --tls-private-key-file), or serverTLSBootstrap. Assessment in the benchmark: Manual.",
    why: "Without them the kubelet serves a self-signed certificate the API server cannot verify.",
    fix: "Set tlsCertFile and tlsPrivateKeyFile, or serverTLSBootstrap: true with CSR approval.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP128` or list `CP128` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.9 (Manual); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_CERT_ROTATION_DISABLED = "CP129" "kubelet-cert-rotation-disabled" Medium;
    compliance: [cis("4.2.10")],
    summary: "Fails when CIS 4.2.10 is not met: Kubelet --rotate-certificates is not false.",
    what: "Checks rotateCertificates / --rotate-certificates (default false; kubeadm sets true). Assessment in the benchmark: Automated.",
    why: "Client certificates that are never rotated expire or stay valid long after a leak.",
    fix: "Set rotateCertificates: true.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP129` or list `CP129` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.10 (Automated); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_SERVER_CERT_ROTATION_DISABLED = "CP130" "kubelet-server-cert-rotation-disabled" Low;
    compliance: [cis("4.2.11")],
    summary: "Fails when CIS 4.2.11 is not met: Kubelet RotateKubeletServerCertificate is true.",
    what: "Checks that featureGates / --feature-gates does not set RotateKubeletServerCertificate=false (flags and file merge; flags win per gate). Assessment in the benchmark: Manual.",
    why: "Serving certificates must be rotated before they expire or leak.",
    fix: "Remove RotateKubeletServerCertificate=false from the feature gates.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP130` or list `CP130` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.11 (Manual); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_WEAK_TLS_CIPHERS = "CP131" "kubelet-weak-tls-ciphers" Medium;
    compliance: [cis("4.2.12"), cwe("CWE-327")],
    summary: "Fails when CIS 4.2.12 is not met: Kubelet uses only strong cryptographic ciphers.",
    what: "Checks that every suite in tlsCipherSuites / --tls-cipher-suites is an ECDHE AEAD suite. Assessment in the benchmark: Manual.",
    why: "Weak suites allow downgrade and decryption of kubelet traffic (exec sessions, logs).",
    fix: "Set tlsCipherSuites to TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 or a subset.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP131` or list `CP131` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.12 (Manual); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_POD_PIDS_UNLIMITED = "CP132" "kubelet-pod-pids-unlimited" Low;
    compliance: [cis("4.2.13"), cwe("CWE-770")],
    summary: "Fails when CIS 4.2.13 is not met: A limit is set on pod PIDs.",
    what: "Checks podPidsLimit / --pod-max-pids (default -1: no limit). Assessment in the benchmark: Manual.",
    why: "Without a limit one pod can exhaust the node's process table (fork bomb).",
    fix: "Set podPidsLimit to a positive value such as 4096.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP132` or list `CP132` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.13 (Manual); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_SECCOMP_DEFAULT_DISABLED = "CP133" "kubelet-seccomp-default-disabled" Low;
    compliance: [cis("4.2.14")],
    summary: "Fails when CIS 4.2.14 is not met: Kubelet --seccomp-default is true.",
    what: "Checks seccompDefault / --seccomp-default (default false). Assessment in the benchmark: Manual.",
    why: "Without it containers run Unconfined unless they ask for a profile, exposing every syscall.",
    fix: "Set seccompDefault: true.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP133` or list `CP133` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.2.14 (Manual); kube-bench `cfg/cis-1.12`", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

cp_rule! {
    pub static KUBELET_PROTECT_KERNEL_DEFAULTS_DISABLED = "CP180" "kubelet-protect-kernel-defaults-disabled" Low;
    compliance: [],
    summary: "Fails when kubeward's additional check `kw.protect-kernel-defaults` is not met: Kubelet --protect-kernel-defaults is true (CIS v1.9 4.2.6).",
    what: "Checks protectKernelDefaults / --protect-kernel-defaults (default false). This was CIS 4.2.6 up to v1.9 and is kept as an additional hardening check.",
    why: "With it the kubelet refuses to run when kernel tunables differ from its expectations instead of silently changing them.",
    fix: "Set protectKernelDefaults: true in the kubelet config after setting the kernel parameters it expects (vm.overcommit_memory=1, vm.panic_on_oom=0, kernel.panic=10, kernel.panic_on_oops=1), then restart the kubelet.",
    exceptions: "Not applicable when no kubelet unit, drop-in, flags or configuration file is found. Flags override the configuration file exactly as the kubelet does, so the evidence names whichever one decided. To accept the current state, run with `--ignore CP180` or list `CP180` under `ignore:` in `.kubeward.yaml`.",
    references: ["kubeward additional check `kw.protect-kernel-defaults` (not a CIS Kubernetes Benchmark v1.12.0 recommendation)", "KubeletConfiguration (kubelet.config.k8s.io/v1beta1): https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/", "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"],
}

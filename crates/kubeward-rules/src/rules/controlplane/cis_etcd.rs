//! CIS Kubernetes Benchmark v1.12.0, section 2 etcd: one rule per check of
//! `kubeward_controlplane::catalogue()` (the check's what/why/fix text is repeated here
//! verbatim; a test of the `kubeward` binary keeps both in step).

use kubeward_diagnostics::Severity;

use super::cp_rule;
use crate::meta::{cis, cwe};

cp_rule! {
    pub static ETCD_TLS_DISABLED = "CP090" "etcd-tls-disabled" High;
    compliance: [cis("2.1"), cwe("CWE-319")],
    summary: "Fails when CIS 2.1 is not met: etcd --cert-file and --key-file are set.",
    what: "Checks etcd --cert-file and --key-file (or ETCD_CERT_FILE / ETCD_KEY_FILE). Assessment in the benchmark: Automated.",
    why: "Without them etcd serves clients over plain HTTP: Secrets cross the network in clear text.",
    fix: "Set --cert-file and --key-file in /etc/kubernetes/manifests/etcd.yaml.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no etcd static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP090` or list `CP090` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 2.1 (Automated); kube-bench `cfg/cis-1.12`", "etcd transport security: https://etcd.io/docs/v3.5/op-guide/security/"],
}

cp_rule! {
    pub static ETCD_CLIENT_CERT_AUTH_DISABLED = "CP091" "etcd-client-cert-auth-disabled" Critical;
    compliance: [cis("2.2"), cwe("CWE-306")],
    summary: "Fails when CIS 2.2 is not met: etcd --client-cert-auth is true.",
    what: "Checks etcd --client-cert-auth (or ETCD_CLIENT_CERT_AUTH), default false. Assessment in the benchmark: Automated.",
    why: "etcd holds every object including Secrets; whoever can talk to it owns the cluster.",
    fix: "Set --client-cert-auth=true (with --trusted-ca-file).",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no etcd static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP091` or list `CP091` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 2.2 (Automated); kube-bench `cfg/cis-1.12`", "etcd transport security: https://etcd.io/docs/v3.5/op-guide/security/"],
}

cp_rule! {
    pub static ETCD_AUTO_TLS_ENABLED = "CP092" "etcd-auto-tls-enabled" High;
    compliance: [cis("2.3"), cwe("CWE-295")],
    summary: "Fails when CIS 2.3 is not met: etcd --auto-tls is not true.",
    what: "Checks etcd --auto-tls (or ETCD_AUTO_TLS), default false. Assessment in the benchmark: Automated.",
    why: "Auto TLS uses self-signed certificates that clients cannot verify, and disables client authentication.",
    fix: "Remove --auto-tls or set it to false.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no etcd static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP092` or list `CP092` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 2.3 (Automated); kube-bench `cfg/cis-1.12`", "etcd transport security: https://etcd.io/docs/v3.5/op-guide/security/"],
}

cp_rule! {
    pub static ETCD_PEER_TLS_DISABLED = "CP093" "etcd-peer-tls-disabled" High;
    compliance: [cis("2.4"), cwe("CWE-319")],
    summary: "Fails when CIS 2.4 is not met: etcd --peer-cert-file and --peer-key-file are set.",
    what: "Checks etcd --peer-cert-file and --peer-key-file. Assessment in the benchmark: Automated.",
    why: "Without peer TLS, replication traffic (all data) is in clear text between members.",
    fix: "Set --peer-cert-file and --peer-key-file.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no etcd static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP093` or list `CP093` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 2.4 (Automated); kube-bench `cfg/cis-1.12`", "etcd transport security: https://etcd.io/docs/v3.5/op-guide/security/"],
}

cp_rule! {
    pub static ETCD_PEER_CLIENT_CERT_AUTH_DISABLED = "CP094" "etcd-peer-client-cert-auth-disabled" High;
    compliance: [cis("2.5"), cwe("CWE-306")],
    summary: "Fails when CIS 2.5 is not met: etcd --peer-client-cert-auth is true.",
    what: "Checks etcd --peer-client-cert-auth, default false. Assessment in the benchmark: Automated.",
    why: "Without it anyone reaching the peer port can join or talk to the cluster as a member.",
    fix: "Set --peer-client-cert-auth=true.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no etcd static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP094` or list `CP094` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 2.5 (Automated); kube-bench `cfg/cis-1.12`", "etcd transport security: https://etcd.io/docs/v3.5/op-guide/security/"],
}

cp_rule! {
    pub static ETCD_PEER_AUTO_TLS_ENABLED = "CP095" "etcd-peer-auto-tls-enabled" High;
    compliance: [cis("2.6"), cwe("CWE-295")],
    summary: "Fails when CIS 2.6 is not met: etcd --peer-auto-tls is not true.",
    what: "Checks etcd --peer-auto-tls, default false. Assessment in the benchmark: Automated.",
    why: "Self-signed peer certificates cannot be verified.",
    fix: "Remove --peer-auto-tls or set it to false.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no etcd static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP095` or list `CP095` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 2.6 (Automated); kube-bench `cfg/cis-1.12`", "etcd transport security: https://etcd.io/docs/v3.5/op-guide/security/"],
}

cp_rule! {
    pub static ETCD_CA_SHARED_WITH_CLUSTER = "CP096" "etcd-ca-shared-with-cluster" Medium;
    compliance: [cis("2.7")],
    summary: "Fails when CIS 2.7 is not met: A unique Certificate Authority is used for etcd.",
    what: "Compares etcd --trusted-ca-file with the API server's --client-ca-file (paths through hostPath mounts, then contents). Assessment in the benchmark: Manual.",
    why: "If etcd trusts the cluster CA, every client certificate the cluster issues (kubelets, users) can read etcd directly.",
    fix: "Create a dedicated etcd CA (kubeadm uses /etc/kubernetes/pki/etcd/ca.crt) and set --trusted-ca-file to it.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no etcd static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP096` or list `CP096` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 2.7 (Manual); kube-bench `cfg/cis-1.12`", "etcd transport security: https://etcd.io/docs/v3.5/op-guide/security/"],
}

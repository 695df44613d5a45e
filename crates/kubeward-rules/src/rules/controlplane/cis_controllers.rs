//! CIS Kubernetes Benchmark v1.12.0, section 1.3 Controller manager and 1.4 scheduler: one rule per check of
//! `kubeward_controlplane::catalogue()` (the check's what/why/fix text is repeated here
//! verbatim; a test of the `kubeward` binary keeps both in step).

use kubeward_diagnostics::Severity;

use super::cp_rule;
use crate::meta::cis;

cp_rule! {
    pub static CONTROLLER_MANAGER_POD_GC_THRESHOLD_UNSET = "CP070" "controller-manager-pod-gc-threshold-unset" Low;
    compliance: [cis("1.3.1")],
    summary: "Fails when CIS 1.3.1 is not met: Controller manager --terminated-pod-gc-threshold is set.",
    what: "Checks kube-controller-manager --terminated-pod-gc-threshold (default 12500). Assessment in the benchmark: Manual.",
    why: "Thousands of terminated pods degrade the controller manager and etcd.",
    fix: "Set --terminated-pod-gc-threshold=10 (or a value suited to the cluster).",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-controller-manager static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP070` or list `CP070` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.3.1 (Manual); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/"],
}

cp_rule! {
    pub static CONTROLLER_MANAGER_PROFILING_ENABLED = "CP071" "controller-manager-profiling-enabled" Low;
    compliance: [cis("1.3.2")],
    summary: "Fails when CIS 1.3.2 is not met: Controller manager --profiling is false.",
    what: "Checks kube-controller-manager --profiling (default true). Assessment in the benchmark: Automated.",
    why: "The pprof endpoints reveal internals and can be used to load the server.",
    fix: "Set --profiling=false in /etc/kubernetes/manifests/kube-controller-manager.yaml.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-controller-manager static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP071` or list `CP071` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.3.2 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/"],
}

cp_rule! {
    pub static CONTROLLER_MANAGER_SHARED_CREDENTIALS = "CP072" "controller-manager-shared-credentials" Medium;
    compliance: [cis("1.3.3")],
    summary: "Fails when CIS 1.3.3 is not met: Controller manager --use-service-account-credentials is true.",
    what: "Checks kube-controller-manager --use-service-account-credentials (default false). Assessment in the benchmark: Automated.",
    why: "Each controller then runs with its own least-privilege service account instead of the manager's broad identity.",
    fix: "Set --use-service-account-credentials=true.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-controller-manager static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP072` or list `CP072` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.3.3 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/"],
}

cp_rule! {
    pub static CONTROLLER_MANAGER_SA_KEY_MISSING = "CP073" "controller-manager-sa-key-missing" Medium;
    compliance: [cis("1.3.4")],
    summary: "Fails when CIS 1.3.4 is not met: Controller manager --service-account-private-key-file is set.",
    what: "Checks kube-controller-manager --service-account-private-key-file. Assessment in the benchmark: Automated.",
    why: "The key that signs service account tokens must be explicit so it can be rotated.",
    fix: "Set --service-account-private-key-file=/etc/kubernetes/pki/sa.key.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-controller-manager static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP073` or list `CP073` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.3.4 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/"],
}

cp_rule! {
    pub static CONTROLLER_MANAGER_ROOT_CA_MISSING = "CP074" "controller-manager-root-ca-missing" Medium;
    compliance: [cis("1.3.5")],
    summary: "Fails when CIS 1.3.5 is not met: Controller manager --root-ca-file is set.",
    what: "Checks kube-controller-manager --root-ca-file. Assessment in the benchmark: Automated.",
    why: "Pods need the root CA in their service account volume to verify the API server (no man-in-the-middle).",
    fix: "Set --root-ca-file=/etc/kubernetes/pki/ca.crt.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-controller-manager static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP074` or list `CP074` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.3.5 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/"],
}

cp_rule! {
    pub static CONTROLLER_MANAGER_SERVER_CERT_ROTATION_DISABLED = "CP075" "controller-manager-server-cert-rotation-disabled" Low;
    compliance: [cis("1.3.6")],
    summary: "Fails when CIS 1.3.6 is not met: Controller manager RotateKubeletServerCertificate is true.",
    what: "Checks that kube-controller-manager --feature-gates does not set RotateKubeletServerCertificate=false. Assessment in the benchmark: Automated.",
    why: "Kubelet serving certificates must be rotated before they expire or leak.",
    fix: "Remove RotateKubeletServerCertificate=false from --feature-gates.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-controller-manager static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP075` or list `CP075` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.3.6 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/"],
}

cp_rule! {
    pub static CONTROLLER_MANAGER_EXPOSED_BIND_ADDRESS = "CP076" "controller-manager-exposed-bind-address" Medium;
    compliance: [cis("1.3.7")],
    summary: "Fails when CIS 1.3.7 is not met: Controller manager --bind-address is 127.0.0.1.",
    what: "Checks kube-controller-manager --bind-address (default 0.0.0.0). Assessment in the benchmark: Automated.",
    why: "The controller manager's port (metrics, health, profiling) should not be reachable from the network.",
    fix: "Set --bind-address=127.0.0.1.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-controller-manager static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP076` or list `CP076` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.3.7 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/"],
}

cp_rule! {
    pub static SCHEDULER_PROFILING_ENABLED = "CP080" "scheduler-profiling-enabled" Low;
    compliance: [cis("1.4.1")],
    summary: "Fails when CIS 1.4.1 is not met: Scheduler --profiling is false.",
    what: "Checks kube-scheduler --profiling (default true). Assessment in the benchmark: Automated.",
    why: "The pprof endpoints reveal internals and can be used to load the server.",
    fix: "Set --profiling=false in /etc/kubernetes/manifests/kube-scheduler.yaml.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-scheduler static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP080` or list `CP080` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.4.1 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-scheduler/"],
}

cp_rule! {
    pub static SCHEDULER_EXPOSED_BIND_ADDRESS = "CP081" "scheduler-exposed-bind-address" Medium;
    compliance: [cis("1.4.2")],
    summary: "Fails when CIS 1.4.2 is not met: Scheduler --bind-address is 127.0.0.1.",
    what: "Checks kube-scheduler --bind-address (default 0.0.0.0). Assessment in the benchmark: Automated.",
    why: "The scheduler's port (metrics, health, profiling) should not be reachable from the network.",
    fix: "Set --bind-address=127.0.0.1.",
    exceptions: "Not applicable (N/A with a reason, never a failure) when the node has no kube-scheduler static pod manifest: managed control planes (EKS, GKE, AKS) and worker nodes. A manifest that does not parse makes the result WARN and is reported as an input error. To accept the current state, run with `--ignore CP081` or list `CP081` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.4.2 (Automated); kube-bench `cfg/cis-1.12`", "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-scheduler/"],
}

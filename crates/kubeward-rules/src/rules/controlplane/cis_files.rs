//! CIS Kubernetes Benchmark v1.12.0, section 1.1 Control plane configuration files and 4.1 worker node configuration files: one rule per check of
//! `kubeward_controlplane::catalogue()` (the check's what/why/fix text is repeated here
//! verbatim; a test of the `kubeward` binary keeps both in step).

use kubeward_diagnostics::Severity;

use super::cp_rule;
use crate::meta::{cis, cwe, mitre};

cp_rule! {
    pub static APISERVER_MANIFEST_PERMISSIVE_MODE = "CP001" "apiserver-manifest-permissive-mode" Medium;
    compliance: [cis("1.1.1"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.1 is not met: API server pod specification file permissions are 600 or more restrictive.",
    what: "Checks the mode of /etc/kubernetes/manifests/kube-apiserver.yaml. Assessment in the benchmark: Automated.",
    why: "The static pod manifest defines the component's flags; whoever can write it can disable authentication or run arbitrary containers as root on the node.",
    fix: "chmod 600 /etc/kubernetes/manifests/kube-apiserver.yaml",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP001` or list `CP001` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.1 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static APISERVER_MANIFEST_NOT_ROOT_OWNED = "CP002" "apiserver-manifest-not-root-owned" Medium;
    compliance: [cis("1.1.2"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.2 is not met: API server pod specification file ownership is root:root.",
    what: "Checks the owner of /etc/kubernetes/manifests/kube-apiserver.yaml. Assessment in the benchmark: Automated.",
    why: "A file owned by another account can be rewritten by that account, bypassing the permission bits.",
    fix: "chown root:root /etc/kubernetes/manifests/kube-apiserver.yaml",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP002` or list `CP002` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.2 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static CONTROLLER_MANAGER_MANIFEST_PERMISSIVE_MODE = "CP003" "controller-manager-manifest-permissive-mode" Medium;
    compliance: [cis("1.1.3"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.3 is not met: Controller manager pod specification file permissions are 600 or more restrictive.",
    what: "Checks the mode of /etc/kubernetes/manifests/kube-controller-manager.yaml. Assessment in the benchmark: Automated.",
    why: "The static pod manifest defines the component's flags; whoever can write it can disable authentication or run arbitrary containers as root on the node.",
    fix: "chmod 600 /etc/kubernetes/manifests/kube-controller-manager.yaml",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP003` or list `CP003` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.3 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static CONTROLLER_MANAGER_MANIFEST_NOT_ROOT_OWNED = "CP004" "controller-manager-manifest-not-root-owned" Medium;
    compliance: [cis("1.1.4"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.4 is not met: Controller manager pod specification file ownership is root:root.",
    what: "Checks the owner of /etc/kubernetes/manifests/kube-controller-manager.yaml. Assessment in the benchmark: Automated.",
    why: "A file owned by another account can be rewritten by that account, bypassing the permission bits.",
    fix: "chown root:root /etc/kubernetes/manifests/kube-controller-manager.yaml",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP004` or list `CP004` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.4 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static SCHEDULER_MANIFEST_PERMISSIVE_MODE = "CP005" "scheduler-manifest-permissive-mode" Medium;
    compliance: [cis("1.1.5"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.5 is not met: Scheduler pod specification file permissions are 600 or more restrictive.",
    what: "Checks the mode of /etc/kubernetes/manifests/kube-scheduler.yaml. Assessment in the benchmark: Automated.",
    why: "The static pod manifest defines the component's flags; whoever can write it can disable authentication or run arbitrary containers as root on the node.",
    fix: "chmod 600 /etc/kubernetes/manifests/kube-scheduler.yaml",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP005` or list `CP005` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.5 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static SCHEDULER_MANIFEST_NOT_ROOT_OWNED = "CP006" "scheduler-manifest-not-root-owned" Medium;
    compliance: [cis("1.1.6"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.6 is not met: Scheduler pod specification file ownership is root:root.",
    what: "Checks the owner of /etc/kubernetes/manifests/kube-scheduler.yaml. Assessment in the benchmark: Automated.",
    why: "A file owned by another account can be rewritten by that account, bypassing the permission bits.",
    fix: "chown root:root /etc/kubernetes/manifests/kube-scheduler.yaml",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP006` or list `CP006` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.6 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static ETCD_MANIFEST_PERMISSIVE_MODE = "CP007" "etcd-manifest-permissive-mode" Medium;
    compliance: [cis("1.1.7"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.7 is not met: etcd pod specification file permissions are 600 or more restrictive.",
    what: "Checks the mode of /etc/kubernetes/manifests/etcd.yaml. Assessment in the benchmark: Automated.",
    why: "The static pod manifest defines the component's flags; whoever can write it can disable authentication or run arbitrary containers as root on the node.",
    fix: "chmod 600 /etc/kubernetes/manifests/etcd.yaml",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP007` or list `CP007` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.7 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static ETCD_MANIFEST_NOT_ROOT_OWNED = "CP008" "etcd-manifest-not-root-owned" Medium;
    compliance: [cis("1.1.8"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.8 is not met: etcd pod specification file ownership is root:root.",
    what: "Checks the owner of /etc/kubernetes/manifests/etcd.yaml. Assessment in the benchmark: Automated.",
    why: "A file owned by another account can be rewritten by that account, bypassing the permission bits.",
    fix: "chown root:root /etc/kubernetes/manifests/etcd.yaml",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP008` or list `CP008` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.8 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static CNI_CONFIG_PERMISSIVE_MODE = "CP009" "cni-config-permissive-mode" Low;
    compliance: [cis("1.1.9"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.9 is not met: Container Network Interface file permissions are 600 or more restrictive.",
    what: "Checks the mode of files under /etc/cni/net.d and /var/lib/cni/networks. Assessment in the benchmark: Manual.",
    why: "CNI configuration decides pod networking; a writable one can route or expose pod traffic.",
    fix: "chmod 600 <path/to/cni/files>",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP009` or list `CP009` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.9 (Manual); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static CNI_CONFIG_NOT_ROOT_OWNED = "CP010" "cni-config-not-root-owned" Low;
    compliance: [cis("1.1.10"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.10 is not met: Container Network Interface file ownership is root:root.",
    what: "Checks the owner of files under /etc/cni/net.d and /var/lib/cni/networks. Assessment in the benchmark: Manual.",
    why: "A file owned by another account can be rewritten by that account, bypassing the permission bits.",
    fix: "chown root:root <path/to/cni/files>",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP010` or list `CP010` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.10 (Manual); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static ETCD_DATA_DIR_PERMISSIVE_MODE = "CP011" "etcd-data-dir-permissive-mode" High;
    compliance: [cis("1.1.11"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.11 is not met: etcd data directory permissions are 700 or more restrictive.",
    what: "Checks the mode of etcd's --data-dir (default /var/lib/etcd). Assessment in the benchmark: Automated.",
    why: "The data directory holds every object of the cluster, Secrets included; reading it bypasses the API server entirely.",
    fix: "chmod 700 /var/lib/etcd",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP011` or list `CP011` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.11 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static ETCD_DATA_DIR_NOT_ETCD_OWNED = "CP012" "etcd-data-dir-not-etcd-owned" Medium;
    compliance: [cis("1.1.12"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.12 is not met: etcd data directory ownership is etcd:etcd.",
    what: "Checks the owner of etcd's --data-dir against the node's etcd user and group. Assessment in the benchmark: Automated.",
    why: "A file owned by another account can be rewritten by that account, bypassing the permission bits.",
    fix: "chown etcd:etcd /var/lib/etcd (run etcd as a dedicated etcd user)",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP012` or list `CP012` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.12 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static ADMIN_KUBECONFIG_PERMISSIVE_MODE = "CP013" "admin-kubeconfig-permissive-mode" High;
    compliance: [cis("1.1.13"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.13 is not met: Default administrative credential file permissions are 600.",
    what: "Checks the mode of /etc/kubernetes/admin.conf and super-admin.conf. Assessment in the benchmark: Automated.",
    why: "These kubeconfigs hold client certificates and keys with high privileges (cluster-admin for admin.conf); reading them is taking over the cluster.",
    fix: "chmod 600 /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP013` or list `CP013` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.13 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static ADMIN_KUBECONFIG_NOT_ROOT_OWNED = "CP014" "admin-kubeconfig-not-root-owned" High;
    compliance: [cis("1.1.14"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.14 is not met: Default administrative credential file ownership is root:root.",
    what: "Checks the owner of /etc/kubernetes/admin.conf and super-admin.conf. Assessment in the benchmark: Automated.",
    why: "A file owned by another account can be rewritten by that account, bypassing the permission bits.",
    fix: "chown root:root /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP014` or list `CP014` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.14 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static SCHEDULER_KUBECONFIG_PERMISSIVE_MODE = "CP015" "scheduler-kubeconfig-permissive-mode" Medium;
    compliance: [cis("1.1.15"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.15 is not met: scheduler.conf file permissions are 600 or more restrictive.",
    what: "Checks the mode of /etc/kubernetes/scheduler.conf. Assessment in the benchmark: Automated.",
    why: "These kubeconfigs hold client certificates and keys with high privileges (cluster-admin for admin.conf); reading them is taking over the cluster.",
    fix: "chmod 600 <file> on the control-plane node.",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP015` or list `CP015` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.15 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static SCHEDULER_KUBECONFIG_NOT_ROOT_OWNED = "CP016" "scheduler-kubeconfig-not-root-owned" Medium;
    compliance: [cis("1.1.16"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.16 is not met: scheduler.conf file ownership is root:root.",
    what: "Checks the owner of /etc/kubernetes/scheduler.conf. Assessment in the benchmark: Automated.",
    why: "A file owned by another account can be rewritten by that account, bypassing the permission bits.",
    fix: "chown root:root <file> on the control-plane node.",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP016` or list `CP016` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.16 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static CONTROLLER_MANAGER_KUBECONFIG_PERMISSIVE_MODE = "CP017" "controller-manager-kubeconfig-permissive-mode" Medium;
    compliance: [cis("1.1.17"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.17 is not met: controller-manager.conf file permissions are 600 or more restrictive.",
    what: "Checks the mode of /etc/kubernetes/controller-manager.conf. Assessment in the benchmark: Automated.",
    why: "These kubeconfigs hold client certificates and keys with high privileges (cluster-admin for admin.conf); reading them is taking over the cluster.",
    fix: "chmod 600 <file> on the control-plane node.",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP017` or list `CP017` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.17 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static CONTROLLER_MANAGER_KUBECONFIG_NOT_ROOT_OWNED = "CP018" "controller-manager-kubeconfig-not-root-owned" Medium;
    compliance: [cis("1.1.18"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.18 is not met: controller-manager.conf file ownership is root:root.",
    what: "Checks the owner of /etc/kubernetes/controller-manager.conf. Assessment in the benchmark: Automated.",
    why: "A file owned by another account can be rewritten by that account, bypassing the permission bits.",
    fix: "chown root:root <file> on the control-plane node.",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP018` or list `CP018` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.18 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static PKI_NOT_ROOT_OWNED = "CP019" "pki-not-root-owned" High;
    compliance: [cis("1.1.19"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.19 is not met: Kubernetes PKI directory and file ownership is root:root.",
    what: "Checks the owner of /etc/kubernetes/pki and everything in it. Assessment in the benchmark: Automated.",
    why: "The PKI directory holds the cluster CA keys; whoever controls it can mint any identity.",
    fix: "chown -R root:root /etc/kubernetes/pki/",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP019` or list `CP019` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.19 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static PKI_CERTIFICATE_PERMISSIVE_MODE = "CP020" "pki-certificate-permissive-mode" Low;
    compliance: [cis("1.1.20"), cwe("CWE-732")],
    summary: "Fails when CIS 1.1.20 is not met: Kubernetes PKI certificate file permissions are 644 or more restrictive.",
    what: "Checks the mode of /etc/kubernetes/pki/**/*.crt. Assessment in the benchmark: Manual.",
    why: "Writable certificates let an attacker swap a trusted CA.",
    fix: "chmod -R 644 /etc/kubernetes/pki/*.crt",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP020` or list `CP020` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.20 (Manual); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static PKI_KEY_PERMISSIVE_MODE = "CP021" "pki-key-permissive-mode" High;
    compliance: [cis("1.1.21"), cwe("CWE-732"), mitre("T1552.004")],
    summary: "Fails when CIS 1.1.21 is not met: Kubernetes PKI key file permissions are 600.",
    what: "Checks the mode of /etc/kubernetes/pki/**/*.key. Assessment in the benchmark: Manual.",
    why: "Private keys readable by others give away the identities they belong to (CA, API server, etcd).",
    fix: "chmod -R 600 /etc/kubernetes/pki/*.key",
    exceptions: "Not applicable when the file is not on the node (managed control planes and worker nodes have no control-plane manifests, kubeconfigs or PKI). Distributions that keep these files elsewhere (k3s, RKE2) need a copy under `--root`. Ownership is compared with uid/gid 0 (`root`) unless `--root-owner` (and `--etcd-owner`) name the ids standing for them, for copies of a node's files. To accept the current state, run with `--ignore CP021` or list `CP021` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 1.1.21 (Manual); kube-bench `cfg/cis-1.12`", "kubeadm implementation details (file layout): https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/", "PKI certificates and requirements: https://kubernetes.io/docs/setup/best-practices/certificates/"],
}

cp_rule! {
    pub static KUBELET_UNIT_PERMISSIVE_MODE = "CP110" "kubelet-unit-permissive-mode" Medium;
    compliance: [cis("4.1.1"), cwe("CWE-732")],
    summary: "Fails when CIS 4.1.1 is not met: Kubelet service file permissions are 600 or more restrictive.",
    what: "Checks the mode of kubelet.service, its drop-ins (10-kubeadm.conf) and the environment files they read (kubeadm-flags.env, /etc/default/kubelet). Assessment in the benchmark: Automated.",
    why: "These files hold the kubelet's flags; writing them turns off its authentication at the next restart.",
    fix: "chmod 600 /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf (and the other files listed)",
    exceptions: "Not applicable when the file does not exist (no kube-proxy kubeconfig on disk, no kubelet on this host). Ownership is compared with uid/gid 0 unless `--root-owner` says otherwise. To accept the current state, run with `--ignore CP110` or list `CP110` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.1.1 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm kubelet integration: https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/kubelet-integration/"],
}

cp_rule! {
    pub static KUBELET_UNIT_NOT_ROOT_OWNED = "CP111" "kubelet-unit-not-root-owned" Medium;
    compliance: [cis("4.1.2"), cwe("CWE-732")],
    summary: "Fails when CIS 4.1.2 is not met: Kubelet service file ownership is root:root.",
    what: "Checks the owner of the kubelet unit, drop-ins and environment files. Assessment in the benchmark: Automated.",
    why: "A file owned by another account can be rewritten by it.",
    fix: "chown root:root <file>",
    exceptions: "Not applicable when the file does not exist (no kube-proxy kubeconfig on disk, no kubelet on this host). Ownership is compared with uid/gid 0 unless `--root-owner` says otherwise. To accept the current state, run with `--ignore CP111` or list `CP111` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.1.2 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm kubelet integration: https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/kubelet-integration/"],
}

cp_rule! {
    pub static PROXY_KUBECONFIG_PERMISSIVE_MODE = "CP112" "proxy-kubeconfig-permissive-mode" Medium;
    compliance: [cis("4.1.3"), cwe("CWE-732")],
    summary: "Fails when CIS 4.1.3 is not met: Proxy kubeconfig file permissions are 600 or more restrictive, if it exists.",
    what: "Checks the mode of a kube-proxy kubeconfig on the node. Assessment in the benchmark: Manual.",
    why: "It holds kube-proxy's credentials.",
    fix: "chmod 600 <proxy kubeconfig>",
    exceptions: "Not applicable when the file does not exist (no kube-proxy kubeconfig on disk, no kubelet on this host). Ownership is compared with uid/gid 0 unless `--root-owner` says otherwise. To accept the current state, run with `--ignore CP112` or list `CP112` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.1.3 (Manual); kube-bench `cfg/cis-1.12`", "kubeadm kubelet integration: https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/kubelet-integration/"],
}

cp_rule! {
    pub static PROXY_KUBECONFIG_NOT_ROOT_OWNED = "CP113" "proxy-kubeconfig-not-root-owned" Medium;
    compliance: [cis("4.1.4"), cwe("CWE-732")],
    summary: "Fails when CIS 4.1.4 is not met: Proxy kubeconfig file ownership is root:root, if it exists.",
    what: "Checks the owner of a kube-proxy kubeconfig on the node. Assessment in the benchmark: Manual.",
    why: "A file owned by another account can be rewritten by it.",
    fix: "chown root:root <proxy kubeconfig>",
    exceptions: "Not applicable when the file does not exist (no kube-proxy kubeconfig on disk, no kubelet on this host). Ownership is compared with uid/gid 0 unless `--root-owner` says otherwise. To accept the current state, run with `--ignore CP113` or list `CP113` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.1.4 (Manual); kube-bench `cfg/cis-1.12`", "kubeadm kubelet integration: https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/kubelet-integration/"],
}

cp_rule! {
    pub static KUBELET_KUBECONFIG_PERMISSIVE_MODE = "CP114" "kubelet-kubeconfig-permissive-mode" Medium;
    compliance: [cis("4.1.5"), cwe("CWE-732")],
    summary: "Fails when CIS 4.1.5 is not met: Kubelet --kubeconfig file permissions are 600 or more restrictive.",
    what: "Checks the mode of the kubelet's --kubeconfig (default /etc/kubernetes/kubelet.conf). Assessment in the benchmark: Automated.",
    why: "It holds the node's client credentials.",
    fix: "chmod 600 /etc/kubernetes/kubelet.conf",
    exceptions: "Not applicable when the file does not exist (no kube-proxy kubeconfig on disk, no kubelet on this host). Ownership is compared with uid/gid 0 unless `--root-owner` says otherwise. To accept the current state, run with `--ignore CP114` or list `CP114` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.1.5 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm kubelet integration: https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/kubelet-integration/"],
}

cp_rule! {
    pub static KUBELET_KUBECONFIG_NOT_ROOT_OWNED = "CP115" "kubelet-kubeconfig-not-root-owned" Medium;
    compliance: [cis("4.1.6"), cwe("CWE-732")],
    summary: "Fails when CIS 4.1.6 is not met: Kubelet --kubeconfig file ownership is root:root.",
    what: "Checks the owner of the kubelet's kubeconfig. Assessment in the benchmark: Automated.",
    why: "A file owned by another account can be rewritten by it.",
    fix: "chown root:root /etc/kubernetes/kubelet.conf",
    exceptions: "Not applicable when the file does not exist (no kube-proxy kubeconfig on disk, no kubelet on this host). Ownership is compared with uid/gid 0 unless `--root-owner` says otherwise. To accept the current state, run with `--ignore CP115` or list `CP115` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.1.6 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm kubelet integration: https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/kubelet-integration/"],
}

cp_rule! {
    pub static CLIENT_CA_FILE_PERMISSIVE_MODE = "CP116" "client-ca-file-permissive-mode" Low;
    compliance: [cis("4.1.7"), cwe("CWE-732")],
    summary: "Fails when CIS 4.1.7 is not met: Client certificate authorities file permissions are 644 or more restrictive.",
    what: "Checks the mode of the file named by authentication.x509.clientCAFile / --client-ca-file. Assessment in the benchmark: Manual.",
    why: "Whoever can replace the CA file decides which client certificates the kubelet trusts.",
    fix: "chmod 644 <client CA file>",
    exceptions: "Not applicable when the file does not exist (no kube-proxy kubeconfig on disk, no kubelet on this host). Ownership is compared with uid/gid 0 unless `--root-owner` says otherwise. To accept the current state, run with `--ignore CP116` or list `CP116` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.1.7 (Manual); kube-bench `cfg/cis-1.12`", "kubeadm kubelet integration: https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/kubelet-integration/"],
}

cp_rule! {
    pub static CLIENT_CA_FILE_NOT_ROOT_OWNED = "CP117" "client-ca-file-not-root-owned" Low;
    compliance: [cis("4.1.8"), cwe("CWE-732")],
    summary: "Fails when CIS 4.1.8 is not met: Client certificate authorities file ownership is root:root.",
    what: "Checks the owner of the kubelet's client CA file. Assessment in the benchmark: Manual.",
    why: "A file owned by another account can be rewritten by it.",
    fix: "chown root:root <client CA file>",
    exceptions: "Not applicable when the file does not exist (no kube-proxy kubeconfig on disk, no kubelet on this host). Ownership is compared with uid/gid 0 unless `--root-owner` says otherwise. To accept the current state, run with `--ignore CP117` or list `CP117` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.1.8 (Manual); kube-bench `cfg/cis-1.12`", "kubeadm kubelet integration: https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/kubelet-integration/"],
}

cp_rule! {
    pub static KUBELET_CONFIG_PERMISSIVE_MODE = "CP118" "kubelet-config-permissive-mode" Medium;
    compliance: [cis("4.1.9"), cwe("CWE-732")],
    summary: "Fails when CIS 4.1.9 is not met: Kubelet config.yaml permissions are 600 or more restrictive.",
    what: "Checks the mode of the kubelet's --config file (kubeadm: /var/lib/kubelet/config.yaml). Assessment in the benchmark: Automated.",
    why: "It sets the kubelet's authentication and authorization.",
    fix: "chmod 600 /var/lib/kubelet/config.yaml",
    exceptions: "Not applicable when the file does not exist (no kube-proxy kubeconfig on disk, no kubelet on this host). Ownership is compared with uid/gid 0 unless `--root-owner` says otherwise. To accept the current state, run with `--ignore CP118` or list `CP118` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.1.9 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm kubelet integration: https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/kubelet-integration/"],
}

cp_rule! {
    pub static KUBELET_CONFIG_NOT_ROOT_OWNED = "CP119" "kubelet-config-not-root-owned" Medium;
    compliance: [cis("4.1.10"), cwe("CWE-732")],
    summary: "Fails when CIS 4.1.10 is not met: Kubelet config.yaml ownership is root:root.",
    what: "Checks the owner of the kubelet's --config file. Assessment in the benchmark: Automated.",
    why: "A file owned by another account can be rewritten by it.",
    fix: "chown root:root /var/lib/kubelet/config.yaml",
    exceptions: "Not applicable when the file does not exist (no kube-proxy kubeconfig on disk, no kubelet on this host). Ownership is compared with uid/gid 0 unless `--root-owner` says otherwise. To accept the current state, run with `--ignore CP119` or list `CP119` under `ignore:` in `.kubeward.yaml`.",
    references: ["CIS Kubernetes Benchmark v1.12.0, recommendation 4.1.10 (Automated); kube-bench `cfg/cis-1.12`", "kubeadm kubelet integration: https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/kubelet-integration/"],
}

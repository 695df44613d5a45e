use kubeward_diagnostics::{Category, Severity};
use kubeward_model::{Container, PodTemplate};
use kubeward_yaml::Node;

use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, cwe, mitre, nsa};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a kube-apiserver static pod manifest without `--encryption-provider-config`.
    ///
    /// The manifest is a `Pod` whose container runs `kube-apiserver` (as kubeadm writes to
    /// `/etc/kubernetes/manifests/kube-apiserver.yaml`); the flag is looked for in `command`
    /// and `args`, as `--flag=value` or `--flag value`.
    ///
    /// This is the manifest-scan side of CIS 1.2.27; `kubeward node` checks the same flag on
    /// a control-plane node (`CP056`).
    ///
    /// ## Why is this bad?
    /// Without the flag the API server stores every Secret in etcd unencrypted: an etcd
    /// snapshot, a backup or a stolen disk hands over every credential in the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: kube-apiserver, namespace: kube-system}
    /// spec:
    ///   hostNetwork: true
    ///   containers:
    ///   - name: kube-apiserver
    ///     image: registry.k8s.io/kube-apiserver:v1.33.1
    ///     command:
    ///     - kube-apiserver
    ///     - --etcd-servers=https://127.0.0.1:2379
    ///     - --authorization-mode=Node,RBAC
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: kube-apiserver, namespace: kube-system}
    /// spec:
    ///   hostNetwork: true
    ///   containers:
    ///   - name: kube-apiserver
    ///     image: registry.k8s.io/kube-apiserver:v1.33.1
    ///     command:
    ///     - kube-apiserver
    ///     - --etcd-servers=https://127.0.0.1:2379
    ///     - --authorization-mode=Node,RBAC
    ///     - --encryption-provider-config=/etc/kubernetes/enc/encryption-config.yaml
    /// ```
    ///
    /// ## Fix
    /// Write an `EncryptionConfiguration` (KMS v2 or `secretbox` first for `secrets`), mount
    /// it into the static pod read-only, add `--encryption-provider-config=<path>`, and
    /// rewrite all Secrets once the API servers restarted.
    ///
    /// ## Exceptions
    /// Managed control planes configure this outside the manifest; suppress with
    /// `kubeward.io/ignore: "SEC018: <why>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.27
    /// - Kubernetes documentation, "Encrypting Confidential Data at Rest"
    /// - CWE-311 Missing Encryption of Sensitive Data
    pub static APISERVER_ENCRYPTION_CONFIG_MISSING: Rule = Rule {
        code: "SEC018",
        name: "apiserver-manifest-encryption-config-missing",
        severity: Severity::High,
        category: Category::Secrets,
        kinds: &["Pod"],
        compliance: &[cis("1.2.27"), nsa("encryption"), mitre("T1552"), cwe("CWE-311")],
        fix: "Add `--encryption-provider-config=<path>` pointing at an EncryptionConfiguration that encrypts `secrets`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

const FLAG: &str = "--encryption-provider-config";

/// The whitespace-separated words of `command` then `args` (a `sh -c` script is split too).
fn words<'a>(container: &Container<'a>) -> Vec<&'a str> {
    ["command", "args"]
        .iter()
        .filter_map(|k| container.node.get(k))
        .flat_map(Node::items)
        .filter_map(Node::as_str)
        .flat_map(str::split_whitespace)
        .collect()
}

fn runs_apiserver(container: &Container<'_>, words: &[&str]) -> bool {
    let is_binary = |w: &str| w.rsplit('/').next() == Some("kube-apiserver");
    if words.iter().take(3).any(|w| is_binary(w)) {
        return true;
    }
    // No command: the image's entrypoint runs the binary.
    container.node.get("command").is_none()
        && container.image().is_some_and(|image| {
            let repo = image.split('@').next().unwrap_or(image);
            let name = repo.rsplit('/').next().unwrap_or(repo);
            let name = name.split(':').next().unwrap_or(name);
            name == "kube-apiserver" || name.starts_with("kube-apiserver-")
        })
}

fn has_flag(words: &[&str]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        w.strip_prefix(FLAG)
            .is_some_and(|rest| match rest.strip_prefix('=') {
                Some(value) => !value.trim_matches(['"', '\'']).is_empty(),
                None => rest.is_empty() && words.get(i + 1).is_some_and(|v| !v.starts_with('-')),
            })
    })
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(pod) = PodTemplate::of(ctx.object) else {
        return;
    };
    for container in pod.containers() {
        let words = words(&container);
        if !runs_apiserver(&container, &words) || has_flag(&words) {
            continue;
        }
        let path = if container.node.get("command").is_some() {
            container.path_of("command")
        } else {
            container.path.clone()
        };
        out.report(
            path,
            format!(
                "{} runs kube-apiserver without `{FLAG}`: Secrets are stored unencrypted in etcd",
                container.describe()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::has_flag;

    #[test]
    fn flag_forms() {
        assert!(has_flag(&[
            "kube-apiserver",
            "--encryption-provider-config=/e.yaml"
        ]));
        assert!(has_flag(&[
            "kube-apiserver",
            "--encryption-provider-config",
            "/e.yaml"
        ]));
        assert!(!has_flag(&[
            "kube-apiserver",
            "--encryption-provider-config="
        ]));
        assert!(!has_flag(&[
            "kube-apiserver",
            "--encryption-provider-config",
            "--v=2"
        ]));
        assert!(!has_flag(&[
            "kube-apiserver",
            "--encryption-provider-config-automatic-reload=true"
        ]));
    }
}

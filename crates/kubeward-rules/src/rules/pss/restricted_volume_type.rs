use kubeward_diagnostics::{Category, Severity};

use super::verdict::violation_beyond;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, mitre, pss};
use crate::rules::workload::util::KINDS;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags volumes of a type the restricted profile does not allow (`nfs`, `iscsi`,
    /// `gitRepo`, `rbd`, ...). `hostPath` volumes are reported by `POD013 host-path-volume`.
    ///
    /// Pod Security Standards control **Volume Types** (Restricted; upstream check
    /// `restrictedVolumes`). The restricted level limits inline volume sources to configMap,
    /// csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and
    /// secret. Replaces hostPathVolumes at the restricted level. A volume with no source at all
    /// is defaulted to emptyDir by the API server.
    ///
    /// Restricted fields:
    /// - `spec.volumes[*]`
    ///
    /// Allowed values: configMap, csi, downwardAPI, emptyDir, ephemeral, image,
    /// persistentVolumeClaim, projected, secret
    ///
    /// Policy versions:
    /// - v1.0: Single revision; image volumes were allowed in Kubernetes 1.33 at every policy
    ///   version.
    ///
    /// The verdict comes from the kubeward-pss engine, which evaluates the pod template exactly
    /// as the API server's Pod Security Admission does (`kubeward pss` gives the full verdict).
    ///
    /// ## Why is this bad?
    /// Volume types other than the core ephemeral and claim-based ones reach past the pod's
    /// storage abstraction: network file systems and block devices are mounted by the node with
    /// the node's credentials, and `gitRepo` runs `git` on the node (CVE-2018-11235 and
    /// CVE-2024-10220 turned it into code execution on the node).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   volumes:
    ///   - name: site
    ///     gitRepo: {repository: "https://example.com/site.git"}
    ///   containers:
    ///   - name: web
    ///     image: registry.example.com/web:1.0
    ///     volumeMounts: [{name: site, mountPath: /srv}]
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   volumes:
    ///   - name: site
    ///     persistentVolumeClaim: {claimName: site}
    ///   containers:
    ///   - name: web
    ///     image: registry.example.com/web:1.0
    ///     volumeMounts: [{name: site, mountPath: /srv}]
    /// ```
    ///
    /// ## Fix
    /// Use a PersistentVolumeClaim (the cluster administrator defines the PersistentVolume),
    /// a CSI volume, or an init container that fetches content into an `emptyDir`.
    ///
    /// ## Exceptions
    /// Workloads in namespaces enforcing only `baseline` may use these types. Suppress with
    /// `kubeward.io/ignore: "POD103: <why>"`.
    ///
    /// ## Options
    /// - `pss-version` (default `latest`): the Pod Security Standards policy version the verdict
    ///   is evaluated at (`v1.0` ... `v1.N`), as in the namespace label
    ///   `pod-security.kubernetes.io/enforce-version`; set it to the version your namespaces
    ///   enforce.
    ///
    /// ## References
    /// - Pod Security Standards, Restricted, "Volume Types"
    /// - CIS Kubernetes Benchmark 5.7.2
    pub static RESTRICTED_VOLUME_TYPE: Rule = Rule {
        code: "POD103",
        name: "restricted-volume-type",
        severity: Severity::Medium,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("restrictedVolumes"), cis("5.7.2"), mitre("T1611")],
        fix: "Use a PersistentVolumeClaim, CSI, projected, configMap, secret or emptyDir volume.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(v) = violation_beyond(ctx, "restrictedVolumes", Some("hostPathVolumes")) else {
        return;
    };
    for site in &v.sites {
        // `volumes[2].nfs`
        let (volume, kind) = site
            .engine_path
            .split_once('.')
            .unwrap_or((site.engine_path.as_str(), ""));
        let name = v
            .pod
            .spec
            .at_path(volume)
            .and_then(|n| n.get("name"))
            .and_then(kubeward_yaml::Node::as_str)
            .unwrap_or("");
        out.report(
            site.path.clone(),
            format!("volume `{name}` uses restricted volume type `{kind}`"),
        );
    }
}

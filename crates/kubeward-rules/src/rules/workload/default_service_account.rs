use kubeward_diagnostics::{Category, Severity};
use kubeward_model::PodTemplate;
use kubeward_yaml::Node;

use super::util::KINDS;
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cis, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags workloads that run as the namespace's `default` service account (no
    /// `serviceAccountName`, or `serviceAccountName: default`).
    ///
    /// ## Why is this bad?
    /// Every pod without a service account shares `default`. Any permission granted to it
    /// for one workload is silently granted to all of them, and a compromise of one pod
    /// yields the identity of all.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   serviceAccountName: web
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    /// ```
    ///
    /// ## Fix
    /// Create a dedicated ServiceAccount per workload and set `serviceAccountName`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.5
    pub static DEFAULT_SERVICE_ACCOUNT: Rule = Rule {
        code: "POD021",
        name: "default-service-account",
        severity: Severity::Low,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[cis("5.1.5"), mitre("T1078.001")],
        fix: "Set `serviceAccountName` to a dedicated ServiceAccount.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    let Some(pod) = PodTemplate::of(ctx.object) else {
        return;
    };
    let (named, path) = pod.field("serviceAccountName");
    let (legacy, legacy_path) = pod.field("serviceAccount");
    let (name, path) = match (named.and_then(Node::as_str), legacy.and_then(Node::as_str)) {
        (Some(n), _) => (n, path),
        (None, Some(n)) => (n, legacy_path),
        (None, None) => {
            out.report(
                pod.spec_path,
                "pod runs as the `default` service account (no `serviceAccountName`)",
            );
            return;
        }
    };
    if name == "default" {
        out.report(path, "pod runs as the `default` service account");
    }
}

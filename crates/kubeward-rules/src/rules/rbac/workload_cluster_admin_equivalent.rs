use kubeward_diagnostics::{Category, Severity};
use kubeward_model::PodTemplate;
use kubeward_rbac::{EdgeReason, GraphNode};

use super::analysis::{Analysis, RBAC_AND_WORKLOAD_KINDS, service_account_of};
use crate::context::{BundleContext, Emitter};
use crate::meta::{cis, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags workloads whose service account holds cluster-admin-equivalent power, directly
    /// (bound to `*` on everything cluster-wide) or through an escalation path the RBAC
    /// engine finds (it can create pods as a more powerful service account, read its token,
    /// bind or escalate roles, impersonate, ...). The RBAC objects of the input are analysed
    /// on top of the default cluster policy.
    ///
    /// ## Why is this bad?
    /// A container of the workload is one remote-code-execution bug away from an attacker,
    /// and the token mounted in it then owns the whole cluster. This rule shows the blast
    /// radius of a compromised container.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata: {name: report, namespace: shop}
    /// spec:
    ///   schedule: "0 3 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           serviceAccountName: reporter
    ///           restartPolicy: OnFailure
    ///           containers:
    ///           - name: report
    ///             image: registry.example.com/report:1.0
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: reporter-admin}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: reporter
    ///   namespace: shop
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata: {name: report, namespace: shop}
    /// spec:
    ///   schedule: "0 3 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           serviceAccountName: reporter
    ///           restartPolicy: OnFailure
    ///           containers:
    ///           - name: report
    ///             image: registry.example.com/report:1.0
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata: {name: reporter-view, namespace: shop}
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: reporter
    ///   namespace: shop
    /// ```
    ///
    /// ## Fix
    /// Give the workload its own service account with only the permissions it needs, and
    /// remove the grants along the reported path.
    ///
    /// ## Exceptions
    /// Cluster operators (GitOps controllers, cluster-autoscaler) that are cluster-admin by
    /// design. Suppress on the workload with `kubeward.io/ignore: "RBAC014: <operator>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.1, 5.1.5
    /// - MITRE ATT&CK T1528 Steal Application Access Token, T1611 Escape to Host
    pub static WORKLOAD_CLUSTER_ADMIN_EQUIVALENT: Rule = Rule {
        code: "RBAC014",
        name: "workload-cluster-admin-equivalent",
        severity: Severity::Critical,
        category: Category::Rbac,
        kinds: RBAC_AND_WORKLOAD_KINDS,
        compliance: &[cis("5.1.1"), cis("5.1.5"), mitre("T1528")],
        fix: "Run the workload as a least-privilege service account.",
        since: "0.1.0",
        check: Check::Bundle(check),
    };
}

fn check<'a>(ctx: &BundleContext<'a>, out: &mut Emitter<'a>) {
    let analysis = Analysis::new(ctx.index);
    let workloads = analysis.workloads();
    if workloads.is_empty() {
        return;
    }
    let graph = analysis.policy().escalation_paths(&workloads);
    for w in &workloads {
        let start = GraphNode::Workload {
            kind: w.kind.clone(),
            namespace: w.namespace.clone(),
            name: w.name.clone(),
        };
        let Some(path) = graph.path_from(&start) else {
            continue;
        };
        let Some(object) = w.source.and_then(|s| analysis.objects.get(s.0)) else {
            continue;
        };
        let Some(pod) = PodTemplate::of(object) else {
            continue;
        };
        let (_, at) = service_account_of(&pod);
        let hops: Vec<&_> = path
            .steps
            .iter()
            .filter(|s| s.reason != EdgeReason::RunsAs)
            .collect();
        let direct = hops.len() == 1
            && hops.first().is_some_and(|s| {
                matches!(s.reason, EdgeReason::WildcardAll | EdgeReason::Superuser)
            });
        let route = hops
            .iter()
            .map(|s| format!("{} ({})", s.to.label(), s.permission))
            .collect::<Vec<_>>()
            .join(" → ");
        let message = if direct {
            format!(
                "pods of {} `{}/{}` run as ServiceAccount `{}/{}`, which is cluster-admin-equivalent: {route}",
                w.kind, w.namespace, w.name, w.namespace, w.service_account
            )
        } else {
            format!(
                "pods of {} `{}/{}` run as ServiceAccount `{}/{}`, which can escalate to cluster-admin in {} steps: {route}",
                w.kind,
                w.namespace,
                w.name,
                w.namespace,
                w.service_account,
                hops.len()
            )
        };
        let mut builder = out.report_on(object, at, message);
        if !direct {
            builder = builder.severity(Severity::High);
        }
        for step in &hops {
            let Some(via) = &step.via else { continue };
            if let Some(binding) = analysis.object(&via.binding) {
                builder = builder.related(
                    binding,
                    via.subject_path.clone(),
                    format!("grants {}", step.permission),
                );
            }
            if let Some(role) = analysis.object(&via.rule.role) {
                builder = builder.related(role, via.rule.path.clone(), "the granting rule");
            }
        }
    }
}

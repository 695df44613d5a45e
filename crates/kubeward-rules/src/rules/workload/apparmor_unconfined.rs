use kubeward_diagnostics::{Category, Severity};
use kubeward_yaml::Node;

use super::util::{KINDS, each_container, effective};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{mitre, pss};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags containers whose AppArmor profile is `Unconfined`, through the
    /// `appArmorProfile` field (container or pod) or the legacy
    /// `container.apparmor.security.beta.kubernetes.io/<container>` annotation.
    ///
    /// ## Why is this bad?
    /// AppArmor's runtime default profile blocks writes to `/proc` and `/sys` and mounts;
    /// turning it off removes a layer that stops several container escapes.
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
    ///     securityContext:
    ///       appArmorProfile: {type: Unconfined}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     securityContext:
    ///       appArmorProfile: {type: RuntimeDefault}
    /// ```
    ///
    /// ## Fix
    /// Use `RuntimeDefault` or a `Localhost` profile.
    ///
    /// ## References
    /// - Pod Security Standards, Baseline, "AppArmor"
    pub static APPARMOR_UNCONFINED: Rule = Rule {
        code: "POD027",
        name: "apparmor-unconfined",
        severity: Severity::High,
        category: Category::Workload,
        kinds: KINDS,
        compliance: &[pss("appArmorProfile"), mitre("T1611")],
        fix: "Set `appArmorProfile.type: RuntimeDefault`.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |pod, container| {
        if let Some(e) = effective(pod, container, "appArmorProfile")
            && e.node.get("type").and_then(Node::as_str) == Some("Unconfined")
        {
            out.report(
                format!("{}.type", e.path),
                format!(
                    "{} runs without AppArmor (`Unconfined`)",
                    container.describe()
                ),
            );
            return;
        }
        let key = format!(
            "container.apparmor.security.beta.kubernetes.io/{}",
            container.name
        );
        if pod.annotation(&key) == Some("unconfined") {
            out.report(
                format!("{}.annotations[\"{key}\"]", pod.metadata_path),
                format!(
                    "{} runs without AppArmor (`unconfined` annotation)",
                    container.describe()
                ),
            );
        }
    });
}

use kubeward_diagnostics::{Category, Severity};
use kubeward_yaml::Node;

use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre};
use crate::rules::workload::util::{KINDS, each_container};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports secrets injected as environment variables (`env[].valueFrom.secretKeyRef` and
    /// `envFrom[].secretRef`) rather than mounted as files. Informational.
    ///
    /// ## Why is this bad?
    /// Environment variables leak: they are inherited by every child process, printed by
    /// crash handlers and debug endpoints, visible in `/proc/<pid>/environ` to anyone sharing
    /// the PID namespace, and never updated when the Secret rotates. Mounted files do not
    /// have these problems.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: api}
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: registry.example.com/api:2.0
    ///     env:
    ///     - name: DB_PASSWORD
    ///       valueFrom:
    ///         secretKeyRef: {name: db, key: password}
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: api}
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: registry.example.com/api:2.0
    ///     volumeMounts:
    ///     - {name: db, mountPath: /etc/secrets/db, readOnly: true}
    ///   volumes:
    ///   - name: db
    ///     secret: {secretName: db, defaultMode: 0400}
    /// ```
    ///
    /// ## Fix
    /// Mount the Secret as a read-only volume and read the file.
    ///
    /// ## References
    /// - Kubernetes documentation, "Good practices for Kubernetes Secrets"
    /// - CWE-214 Invocation of Process Using Visible Sensitive Information
    pub static SECRET_IN_ENV_VAR: Rule = Rule {
        code: "SEC001",
        name: "secret-in-env-var",
        severity: Severity::Info,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[cwe("CWE-214"), mitre("T1552.007")],
        fix: "Mount the Secret as a read-only volume instead of an environment variable.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    each_container(ctx, |_, container| {
        for (i, env) in container
            .node
            .get("env")
            .into_iter()
            .flat_map(Node::items)
            .enumerate()
        {
            if let Some(secret_ref) = env.get("valueFrom").and_then(|v| v.get("secretKeyRef")) {
                let var = env.get("name").and_then(Node::as_str).unwrap_or("");
                let secret = secret_ref.get("name").and_then(Node::as_str).unwrap_or("");
                out.report(
                    container.path_of(&format!("env[{i}].valueFrom.secretKeyRef")),
                    format!(
                        "{} reads Secret `{secret}` into environment variable `{var}`",
                        container.describe()
                    ),
                );
            }
        }
        for (i, from) in container
            .node
            .get("envFrom")
            .into_iter()
            .flat_map(Node::items)
            .enumerate()
        {
            if let Some(secret_ref) = from.get("secretRef") {
                let secret = secret_ref.get("name").and_then(Node::as_str).unwrap_or("");
                out.report(
                    container.path_of(&format!("envFrom[{i}].secretRef")),
                    format!(
                        "{} loads every key of Secret `{secret}` into its environment",
                        container.describe()
                    ),
                );
            }
        }
    });
}

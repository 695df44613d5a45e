use kubeward_diagnostics::{Category, Severity};

use super::scan::{Route, report};
use crate::context::{Emitter, ObjectContext};
use crate::meta::{cwe, mitre, nsa};
use crate::rules::workload::util::KINDS;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports credentials written into a container's `command` or `args`.
    ///
    /// Detected: a flag such as `--db-password <value>` or `--token=<value>`, a connection
    /// string or URL with a password, or a token of a known format inside a shell script.
    ///
    /// ## Why is this bad?
    /// Besides living in git like any manifest value, command lines are the least private
    /// place on a node: every process that shares the PID namespace (and every node agent)
    /// can read `/proc/<pid>/cmdline`, and crash reports, audit logs and `ps` output record it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata: {name: migrate}
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: Never
    ///       containers:
    ///       - name: migrate
    ///         image: registry.example.com/migrate:1.4
    ///         args: ["--db-password", "Vx9-kq2Lm4Rt7Zp"]
    /// ```
    /// Use instead:
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata: {name: migrate}
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: Never
    ///       containers:
    ///       - name: migrate
    ///         image: registry.example.com/migrate:1.4
    ///         args: ["--db-password-file", "/etc/secrets/db/password"]
    ///         volumeMounts:
    ///         - {name: db, mountPath: /etc/secrets/db, readOnly: true}
    ///       volumes:
    ///       - name: db
    ///         secret: {secretName: migrate-db, defaultMode: 0400}
    /// ```
    ///
    /// ## Fix
    /// Rotate the credential; pass a file path (from a mounted Secret) instead of the value,
    /// or read it from an environment variable set with `valueFrom.secretKeyRef`.
    ///
    /// ## Exceptions
    /// Variable references such as `$(DB_PASSWORD)` (expanded by the kubelet from the env)
    /// and placeholders are not reported. Suppress a public test value with
    /// `kubeward.io/ignore: "SEC008: <why>"`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - CWE-214 Invocation of Process Using Visible Sensitive Information
    /// - CWE-798 Use of Hard-coded Credentials
    pub static CREDENTIAL_IN_COMMAND_LINE: Rule = Rule {
        code: "SEC008",
        name: "credential-in-command-line",
        severity: Severity::High,
        category: Category::Secrets,
        kinds: KINDS,
        compliance: &[nsa("secrets"), mitre("T1552.001"), cwe("CWE-214"), cwe("CWE-798")],
        fix: "Pass a file path from a mounted Secret (or a `$(VAR)` reference to a secretKeyRef env var) instead of the value; rotate it.",
        since: "0.1.0",
        check: Check::Object(check),
    };
}

fn check(ctx: &ObjectContext<'_>, out: &mut Emitter<'_>) {
    report(ctx, out, Route::CommandLine);
}

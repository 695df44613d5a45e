//! 3 Control-plane configuration (authentication, logging) and kubeward's command-line
//! sanity check.

use super::{Check, Ctx, Evidence, Outcome, Target, ev_flag, meta, pod};
use crate::audit_policy::{AuditIssueKind, lint_audit_policy};
use crate::layout::{Component, StaticPod};

fn manual(what: &str) -> Outcome {
    Outcome::warn(format!("manual review: {what}"), vec![])
}

fn policy_file(ctx: &Ctx<'_>) -> Outcome {
    let p = match pod(ctx, Component::ApiServer) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ev = ev_flag(p, "audit-policy-file", "");
    if !p.flags.is_set("audit-policy-file") {
        return Outcome::fail(
            "--audit-policy-file is not set: no audit events are recorded",
            ev,
        );
    }
    match &ctx.layout.audit_policy {
        Some(f) if f.root.is_some() => Outcome::pass("an audit policy is configured", ev),
        Some(_) => Outcome::fail(
            "the audit policy file does not parse; kube-apiserver refuses to start",
            ev,
        ),
        None if ctx.layout.root.is_some() => {
            Outcome::fail("the audit policy file does not exist on this node", ev)
        }
        None => Outcome::pass(
            "--audit-policy-file is set (file not available to review)",
            ev,
        ),
    }
}

fn policy_lint(ctx: &Ctx<'_>) -> Outcome {
    let p = match pod(ctx, Component::ApiServer) {
        Ok(p) => Some(p),
        Err(o) if ctx.layout.audit_policy.is_none() => return o,
        Err(_) => None,
    };
    let Some(file) = &ctx.layout.audit_policy else {
        return match p {
            Some(p) if !p.flags.is_set("audit-policy-file") => Outcome::fail(
                "no audit policy (--audit-policy-file is not set)",
                ev_flag(p, "audit-policy-file", ""),
            ),
            _ => Outcome::warn("the audit policy file is not available to review", vec![]),
        };
    };
    let Some(root) = &file.root else {
        return Outcome::warn("the audit policy does not parse", vec![]);
    };
    let issues = lint_audit_policy(root);
    let ev: Vec<Evidence> = issues
        .iter()
        .map(|i| Evidence {
            file: Some(file.file.path.clone()),
            field_path: Some(i.field_path.clone()),
            detail: i.message.clone(),
        })
        .collect();
    if issues.is_empty() {
        return Outcome::warn(
            "no problem found in the audit policy; still review that it covers Pod and Deployment changes and pods/proxy, services/proxy",
            vec![Evidence {
                file: Some(file.file.path.clone()),
                field_path: None,
                detail: "audit policy reviewed".into(),
            }],
        );
    }
    let mut kinds: Vec<&str> = issues
        .iter()
        .map(|i| match i.kind {
            AuditIssueKind::Invalid => "invalid policy",
            AuditIssueKind::LeaksSensitiveData => "sensitive data logged",
            AuditIssueKind::NotLogged => "security-relevant requests not logged",
            AuditIssueKind::NoCatchAll => "no catch-all",
            AuditIssueKind::OmitStages => "omitStages",
        })
        .collect();
    kinds.dedup();
    Outcome::fail(
        format!("{} issue(s): {}", issues.len(), kinds.join(", ")),
        ev,
    )
}

fn command_lines(ctx: &Ctx<'_>) -> Outcome {
    let mut ev = Vec::new();
    let mut hard = false;
    let mut soft = false;
    let mut any = false;
    for p in ctx.layout.static_pods.values() {
        any = true;
        check_one(p, &mut ev, &mut hard, &mut soft);
    }
    if let Some(k) = &ctx.layout.kubelet {
        any = true;
        for (i, s) in &k.flags.positionals {
            hard = true;
            let origin = k.argv.get(*i).map_or("", |a| a.origin.as_str());
            ev.push(Evidence::note(format!(
                "kubelet: stray argument {s:?} from {origin}"
            )));
        }
        for pr in &k.flags.problems {
            hard = true;
            ev.push(Evidence::note(format!("kubelet: {}", pr.message)));
        }
        for (name, vals) in k.flags.conflicts() {
            soft = true;
            ev.push(Evidence::note(format!(
                "kubelet: --{name} given {} times with different values; the last one is used",
                vals.len()
            )));
        }
    }
    if !any {
        return Outcome::na("no component command lines on this node");
    }
    if hard {
        Outcome::fail(
            "a command line has stray or malformed arguments (the component misreads or rejects them)",
            ev,
        )
    } else if soft {
        Outcome::warn(
            "a flag is given several times with different values; only the last one counts",
            ev,
        )
    } else {
        Outcome::pass("command lines parse cleanly", ev)
    }
}

fn check_one(p: &StaticPod, ev: &mut Vec<Evidence>, hard: &mut bool, soft: &mut bool) {
    let bin = p.component.binary();
    for (i, s) in &p.flags.positionals {
        *hard = true;
        ev.push(Evidence {
            file: Some(p.file.path.clone()),
            field_path: p.argv.get(p.flags_start + i).map(|a| a.field_path.clone()),
            detail: format!("{bin}: stray argument {s:?} (a boolean flag does not take a separate value; use --flag=value)"),
        });
    }
    for pr in &p.flags.problems {
        *hard = true;
        ev.push(Evidence {
            file: Some(p.file.path.clone()),
            field_path: p
                .argv
                .get(p.flags_start + pr.index)
                .map(|a| a.field_path.clone()),
            detail: format!("{bin}: {}", pr.message),
        });
    }
    for (name, vals) in p.flags.conflicts() {
        *soft = true;
        ev.push(Evidence {
            file: Some(p.file.path.clone()),
            field_path: p.flags.last(&name).and_then(|o| p.field_path_of(o)),
            detail: format!(
                "{bin}: --{name} given {} times with different values; the last one is used",
                vals.len()
            ),
        });
    }
}

const T: Target = Target::Policies;

pub(crate) static CHECKS: &[Check] = &[
    Check {
        meta: meta(
            "3.1.1",
            "Client certificate authentication should not be used for users",
            false,
            T,
            "Manual: list how human users authenticate.",
            "Client certificates cannot be revoked; a leaked one is valid until it expires.",
            "Use OIDC (or another revocable mechanism) for users.",
        ),
        run: |_| manual("client certificates cannot be audited from node files"),
    },
    Check {
        meta: meta(
            "3.1.2",
            "Service account token authentication should not be used for users",
            false,
            T,
            "Manual: ensure people do not use service account tokens.",
            "Service account tokens are workload credentials without user attribution or MFA.",
            "Use OIDC for users.",
        ),
        run: |_| manual("token use by people cannot be audited from node files"),
    },
    Check {
        meta: meta(
            "3.1.3",
            "Bootstrap token authentication should not be used for users",
            false,
            T,
            "Manual: ensure people do not use bootstrap tokens.",
            "Bootstrap tokens are meant for joining nodes and carry node-bootstrap permissions.",
            "Use OIDC for users; delete unused bootstrap tokens.",
        ),
        run: |_| manual("bootstrap token use cannot be audited from node files"),
    },
    Check {
        meta: meta(
            "3.2.1",
            "A minimal audit policy is created",
            false,
            T,
            "Checks kube-apiserver --audit-policy-file and that the file exists and parses.",
            "Without a policy the API server records no audit events at all.",
            "Write an audit Policy file and set --audit-policy-file to it.",
        ),
        run: policy_file,
    },
    Check {
        meta: meta(
            "3.2.2",
            "The audit policy covers key security concerns",
            false,
            T,
            "Lints the audit Policy: Secrets/ConfigMaps/TokenReviews must not be logged at Request or RequestResponse; RBAC changes and pods/exec, pods/attach, pods/portforward must be logged; a catch-all rule must exist; omitStages must be valid and keep ResponseComplete and Panic.",
            "Logging bodies of Secrets puts the secrets into the log; not logging exec or RBAC changes hides the usual first steps of an attack.",
            "Log secrets, configmaps and tokenreviews at Metadata; log rbac.authorization.k8s.io and pods/exec|attach|portforward at Metadata or more; end the rules with `- level: Metadata`.",
        ),
        run: policy_lint,
    },
    Check {
        meta: meta(
            "kw.command-line",
            "Component command lines parse cleanly",
            false,
            T,
            "Parses every component's arguments the way the component does and reports stray arguments, malformed flags and scalar flags given twice with different values.",
            "`--anonymous-auth false` sets anonymous-auth to true; a flag given twice silently keeps its last value. Both make a reviewed manifest mean something else than it appears to.",
            "Write flags as --flag=value, once each.",
        ),
        run: command_lines,
    },
];

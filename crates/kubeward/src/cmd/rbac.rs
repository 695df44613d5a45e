//! `kubeward rbac`: the RBAC authorizer's answers from manifests (and, with
//! `--with-defaults`, the default policy every API server bootstraps), through the
//! `kubeward-rbac` engine.
//!
//! - `who-can VERB RESOURCE[/SUBRESOURCE]` / `who-can VERB --non-resource-url /path`
//! - `can-i VERB RESOURCE --as NAME [--as-group G]...` (exit 0 allowed, 1 denied)
//! - `access --as NAME [--matrix]`
//! - `paths [SUBJECT | --from-workloads]` (exit 1 when a path to cluster-admin exists)
//!
//! Resource arguments resolve like kubectl's (`deploy` → `deployments.apps`; see
//! [`resources`]); namespaced requests default to namespace `default`, `-A` asks about every
//! namespace, cluster-scoped resources and non-resource URLs are asked at cluster scope.

mod resources;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::bail;
use clap::{Args, Subcommand, ValueEnum};
use kubeward_model::{Object, PodTemplate, load_source};
use kubeward_rbac::{
    EscalationPath, GraphNode, MATRIX_VERBS, ObjectRef, Policy, Request, Scope, SourceId, UserInfo,
    Via, WorkloadRef, split_service_account_username,
};
use kubeward_source::SourceFile;
use kubeward_yaml::{IssueSeverity, Limits, Node};
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::input::{DEFAULT_MAX_FILE_SIZE, Input, collect, is_dockerfile, read};
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, output};

/// `kubeward rbac` subcommands.
#[derive(Debug, Subcommand)]
pub enum RbacCommand {
    /// Every subject that may make a request, with the binding and role that grant it.
    WhoCan(WhoCanArgs),
    /// Whether a user may make a request, with kubectl's impersonation conventions (exit 0
    /// allowed, 1 denied).
    CanI(CanIArgs),
    /// The effective rules of a subject, merged like `kubectl auth can-i --list`, or a
    /// resource × verb matrix (`--matrix`).
    Access(AccessArgs),
    /// Privilege-escalation paths to cluster-admin-equivalent power (exit 1 when one
    /// exists).
    Paths(PathsArgs),
}

/// Output formats of the queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For programs.
    Json,
}

/// Output formats of `paths`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PathsFormat {
    /// For people.
    Text,
    /// For programs.
    Json,
    /// Graphviz DOT (`| dot -Tsvg`).
    Dot,
}

/// Inputs and scope, shared by every `rbac` subcommand.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Manifests to analyse: files, directories (recursive), `-` for stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Analyse the manifests on top of the default RBAC policy of a Kubernetes API server
    /// (ClusterRoles such as `cluster-admin`, `admin`, `edit`, `view` and their bindings).
    #[arg(long)]
    pub with_defaults: bool,
    /// The namespace of the request (default: `default`).
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
    /// Ask about every namespace (`who-can`: RoleBindings of all namespaces too; `can-i`,
    /// `access`: cluster-wide).
    #[arg(long, short = 'A', conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// Ask about the request without a namespace (`kubectl get secrets -A`): only grants
    /// that hold in every namespace (ClusterRoleBindings) count.
    #[arg(long, conflicts_with_all = ["namespace", "all_namespaces"])]
    pub cluster_wide: bool,
    /// Largest file read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_FILE_SIZE / (1024 * 1024))]
    pub max_file_size: u64,
    /// Write the output to a file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print how long reading, indexing and answering took (stderr; for benchmarks).
    #[arg(long, hide = true)]
    pub timings: bool,
}

/// What a request is about.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// The verb: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `bind`,
    /// `escalate`, `impersonate`, `*`, ...
    pub verb: String,
    /// `RESOURCE[.GROUP][/SUBRESOURCE]` (`pods/exec`, `deploy`, `widgets.acme.io`), or a
    /// non-resource URL starting with `/`.
    pub resource: Option<String>,
    /// The object name (`resourceNames`).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The API group (overrides `.GROUP` and the built-in resource table).
    #[arg(long, value_name = "GROUP")]
    pub api_group: Option<String>,
    /// A non-resource URL (`/healthz`, `/metrics`, `/logs/*`).
    #[arg(long, value_name = "URL")]
    pub non_resource_url: Option<String>,
}

/// Arguments of `kubeward rbac who-can`.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Who is asking (`--as`, `--as-group`), with kubectl's impersonation conventions.
#[derive(Debug, Clone, Args)]
pub struct AsArgs {
    /// The user: a name, `system:serviceaccount:NS:NAME` for a service account,
    /// `system:anonymous` for an unauthenticated request.
    #[arg(long = "as", value_name = "NAME", required = true)]
    pub user: String,
    /// A group of the user (repeatable); the implicit groups are added as the authenticator
    /// would.
    #[arg(long = "as-group", value_name = "GROUP")]
    pub groups: Vec<String>,
}

/// Arguments of `kubeward rbac can-i`.
#[derive(Debug, Args)]
pub struct CanIArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    who: AsArgs,
    #[command(flatten)]
    input: InputArgs,
    /// Print nothing; the exit code answers (0 yes, 1 no).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Arguments of `kubeward rbac access`.
#[derive(Debug, Args)]
pub struct AccessArgs {
    #[command(flatten)]
    who: AsArgs,
    #[command(flatten)]
    input: InputArgs,
    /// A resource × verb matrix (like rakkess) instead of the merged rules.
    #[arg(long)]
    matrix: bool,
    /// The matrix columns.
    #[arg(long, value_delimiter = ',', value_name = "VERB", requires = "matrix")]
    verbs: Vec<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Arguments of `kubeward rbac paths`.
#[derive(Debug, Args)]
#[command(override_usage = "kubeward rbac paths [OPTIONS] [SUBJECT | --from-workloads] [PATH]...")]
pub struct PathsArgs {
    /// Start from one subject: `user:NAME`, `group:NAME`, `serviceaccount:NS/NAME` (or
    /// `sa:NS/NAME`, `system:serviceaccount:NS:NAME`). The first PATH is taken as the
    /// SUBJECT when it is written this way and is not a file.
    #[arg(long, value_name = "SUBJECT", conflicts_with = "from_workloads")]
    subject: Option<String>,
    /// Start from the workloads of the input (each runs as its pods' service account).
    #[arg(long)]
    from_workloads: bool,
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PathsFormat::Text)]
    format: PathsFormat,
}

/// Runs `kubeward rbac`.
///
/// # Errors
/// Usage errors and unreadable output files (exit code 2).
pub fn run(command: &RbacCommand) -> anyhow::Result<u8> {
    match command {
        RbacCommand::WhoCan(args) => who_can(args),
        RbacCommand::CanI(args) => can_i(args),
        RbacCommand::Access(args) => access(args),
        RbacCommand::Paths(args) => paths(args),
    }
}

// ---------------------------------------------------------------------------------------
// Loading

/// The policy built from the inputs, with the objects it came from.
struct Loaded {
    policy: Policy,
    objects: Vec<Object>,
    /// Whether some input could not be read or parsed (exit code 2 after answering).
    failed: bool,
    /// When loading started and how long each phase took.
    timings: Timings,
}

/// Phase timings for `--timings`.
struct Timings {
    enabled: bool,
    last: Instant,
    phases: Vec<(&'static str, Duration)>,
}

impl Timings {
    fn new(enabled: bool) -> Self {
        Self {
            enabled,
            last: Instant::now(),
            phases: Vec::new(),
        }
    }

    /// Ends a phase.
    fn lap(&mut self, phase: &'static str) {
        let now = Instant::now();
        self.phases.push((phase, now.duration_since(self.last)));
        self.last = now;
    }

    fn report(&self) {
        if self.enabled {
            let parts: Vec<String> = self
                .phases
                .iter()
                .map(|(p, d)| format!("{p} {:.1} ms", d.as_secs_f64() * 1000.0))
                .collect();
            eprintln!("kubeward: timings: {}", parts.join(", "));
        }
    }
}

impl Loaded {
    /// `file:line` of an object of the input.
    fn location(&self, source: Option<SourceId>) -> Option<String> {
        let object = self.objects.get(source?.0)?;
        Some(format!(
            "{}:{}",
            object.origin.source.path(),
            object.origin.span.start.line
        ))
    }

    /// The workloads of the input (pod-spec kinds except `PodTemplate`).
    fn workloads(&self) -> Vec<WorkloadRef> {
        self.objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.kind() != "PodTemplate")
            .filter_map(|(i, o)| {
                let pod = PodTemplate::of(o)?;
                let service_account = ["serviceAccountName", "serviceAccount"]
                    .iter()
                    .find_map(|k| pod.spec.get(k).and_then(Node::as_str))
                    .filter(|s| !s.is_empty())
                    .unwrap_or("default");
                Some(WorkloadRef {
                    kind: o.kind().to_string(),
                    namespace: o.namespace().unwrap_or("default").to_string(),
                    name: o.name().to_string(),
                    service_account: service_account.to_string(),
                    source: Some(SourceId(i)),
                })
            })
            .collect()
    }
}

const RBAC_KINDS: [&str; 5] = [
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ServiceAccount",
];

fn load(args: &InputArgs, keep_workloads: bool) -> anyhow::Result<Loaded> {
    if args.paths.is_empty() && !args.with_defaults {
        bail!("no input: give manifests (PATH..., `-` for stdin) and/or --with-defaults");
    }
    let mut timings = Timings::new(args.timings);
    let collected = collect(&args.paths);
    let mut failed = false;
    for e in &collected.errors {
        eprintln!("kubeward: {}: {}", e.file, e.message);
        failed = true;
    }
    let max = args.max_file_size.saturating_mul(1024 * 1024);
    let per_file: Vec<(Vec<Object>, Vec<String>)> = collected
        .inputs
        .par_iter()
        .filter(|input| !matches!(input, Input::File(p) if is_dockerfile(p)))
        .map(|input| {
            let text = match read(input, max) {
                Ok(text) => text,
                Err(e) => return (Vec::new(), vec![format!("{}: {}", e.file, e.message)]),
            };
            let source = SourceFile::new(input.display(), text);
            let loaded = load_source(&source, Limits::default());
            let errors = loaded
                .issues
                .iter()
                .filter(|i| i.severity == IssueSeverity::Error)
                .map(|i| {
                    format!(
                        "{}:{}:{}: {}",
                        source.path(),
                        i.span.start.line,
                        i.span.start.col,
                        i.message
                    )
                })
                .collect();
            let objects = loaded
                .objects
                .into_iter()
                .filter(|o| {
                    RBAC_KINDS.contains(&o.kind())
                        || (keep_workloads && PodTemplate::of(o).is_some())
                })
                .collect();
            (objects, errors)
        })
        .collect();
    let mut objects = Vec::new();
    for (mut objs, errors) in per_file {
        for e in errors {
            eprintln!("kubeward: {e}");
            failed = true;
        }
        objects.append(&mut objs);
    }
    timings.lap("read+parse");
    let mut policy = if args.with_defaults {
        Policy::with_defaults()
    } else {
        Policy::new()
    };
    for (i, object) in objects.iter().enumerate() {
        if !RBAC_KINDS.contains(&object.kind()) {
            continue;
        }
        if let Err(e) = policy.add_object(SourceId(i), &object.root) {
            let (location, _) = kubeward_rules::locate(object, e.path().unwrap_or(""));
            eprintln!(
                "kubeward: warning: {}:{}:{}: {} {}: {e}; left out",
                location.file,
                location.start.line,
                location.start.col,
                object.kind(),
                object.name()
            );
        }
    }
    timings.lap("policy");
    policy.prepare();
    timings.lap("index");
    Ok(Loaded {
        policy,
        objects,
        failed,
        timings,
    })
}

/// Writes the answer; the exit code is `code`, or 2 when some input failed.
fn finish(text: &str, input: &InputArgs, loaded: &mut Loaded, code: u8) -> anyhow::Result<u8> {
    loaded.timings.lap("render");
    loaded.timings.report();
    if !output::write(text, input.output.as_deref())? {
        return Ok(code);
    }
    Ok(if loaded.failed { EXIT_ERROR } else { code })
}

// ---------------------------------------------------------------------------------------
// Requests

/// The request of `who-can`/`can-i`, without its scope, and whether it is namespaced.
fn request_of(target: &TargetArgs) -> anyhow::Result<(Request, bool, Vec<PathBuf>)> {
    let mut extra_paths = Vec::new();
    let url = match (&target.non_resource_url, &target.resource) {
        (Some(url), Some(resource)) => {
            // `who-can get --non-resource-url /x manifests/`: the positional is an input.
            extra_paths.push(PathBuf::from(resource));
            Some(url.clone())
        }
        (Some(url), None) => Some(url.clone()),
        (None, Some(resource)) if resource.starts_with('/') => Some(resource.clone()),
        (None, Some(_)) => None,
        (None, None) => bail!("give a RESOURCE or --non-resource-url"),
    };
    if let Some(url) = url {
        if target.name.is_some() || target.api_group.is_some() {
            bail!("--name and --api-group do not apply to non-resource URLs");
        }
        return Ok((
            Request::non_resource(&target.verb, &url),
            false,
            extra_paths,
        ));
    }
    let resource = target.resource.as_deref().unwrap_or_default();
    let (resource, subresource) = resource.split_once('/').unwrap_or((resource, ""));
    let resolved = resources::resolve(resource, target.api_group.as_deref());
    let mut request = Request::resource(&target.verb, &resolved.group, &resolved.resource)
        .subresource(subresource);
    if let Some(name) = &target.name {
        request = request.name(name);
    }
    Ok((request, resolved.namespaced, extra_paths))
}

/// The scope of a namespaced request: `-n`, `-A`, or `default`.
fn scope_of(input: &InputArgs, namespaced: bool) -> Scope {
    if !namespaced || input.cluster_wide {
        Scope::Cluster
    } else if input.all_namespaces {
        Scope::AllNamespaces
    } else {
        Scope::Namespace(
            input
                .namespace
                .clone()
                .unwrap_or_else(|| "default".to_string()),
        )
    }
}

fn with_extra_paths(input: &InputArgs, extra: Vec<PathBuf>) -> InputArgs {
    let mut input = input.clone();
    input.paths.extend(extra);
    input
}

// ---------------------------------------------------------------------------------------
// JSON shapes

fn object_json(r: &ObjectRef) -> Value {
    json!({"kind": r.kind.as_str(), "namespace": r.namespace, "name": r.name})
}

fn role_json(r: &ObjectRef) -> Value {
    json!({"kind": r.kind.as_str(), "name": r.name})
}

/// The `via` entries of the JSON outputs: binding and role, one per binding → role.
fn vias_json(vias: &[Via]) -> Vec<Value> {
    let mut seen = BTreeSet::new();
    vias.iter()
        .filter(|v| seen.insert((v.binding.clone(), v.role.clone())))
        .map(|v| json!({"binding": object_json(&v.binding), "role": role_json(&v.role)}))
        .collect()
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

// ---------------------------------------------------------------------------------------
// Text shapes

fn describe_ref(r: &ObjectRef) -> String {
    match &r.namespace {
        Some(ns) => format!("{} {ns}/{}", r.kind, r.name),
        None => format!("{} {}", r.kind, r.name),
    }
}

/// `RoleBinding ci/ci-edit (rbac.yaml:3) → ClusterRole edit, rules[2] of ClusterRole system:aggregate-to-edit`
fn describe_via(v: &Via, loaded: &Loaded) -> String {
    let at = |r: &ObjectRef| {
        loaded
            .location(r.source)
            .map_or_else(|| " (default policy)".to_string(), |l| format!(" ({l})"))
    };
    let mut text = format!(
        "{}{} → {}",
        describe_ref(&v.binding),
        at(&v.binding),
        describe_ref(&v.role)
    );
    if v.rule.role == v.role {
        let _ = write!(text, ", {}", v.rule.path);
    } else if !v.rule.path.is_empty() {
        let _ = write!(text, ", {} of {}", v.rule.path, describe_ref(&v.rule.role));
    }
    text
}

fn describe_scope(request: &Request) -> String {
    request.to_string()
}

// ---------------------------------------------------------------------------------------
// who-can

fn who_can(args: &WhoCanArgs) -> anyhow::Result<u8> {
    let (request, namespaced, extra) = request_of(&args.target)?;
    let input = with_extra_paths(&args.input, extra);
    let request = request.scope(scope_of(&input, namespaced));
    let mut loaded = load(&input, false)?;
    let grants = loaded.policy.who_can(&request);
    loaded.timings.lap("query");
    let text = match args.format {
        Format::Json => {
            let subjects: Vec<Value> = grants
                .iter()
                .map(|g| {
                    json!({
                        "kind": g.kind.as_str(),
                        "name": g.name,
                        "namespace": g.namespace,
                        "via": vias_json(&g.via),
                    })
                })
                .collect();
            pretty(&json!({ "subjects": subjects }))
        }
        Format::Text => {
            let mut out = format!(
                "Who can {}: {} subject{}\n",
                describe_scope(&request),
                grants.len(),
                if grants.len() == 1 { "" } else { "s" }
            );
            for g in &grants {
                let _ = writeln!(out, "\n{}", g.subject());
                if g.superuser {
                    let _ = writeln!(
                        out,
                        "  superuser: the API server allows this group everything before RBAC"
                    );
                }
                let mut seen = BTreeSet::new();
                for v in &g.via {
                    let line = describe_via(v, &loaded);
                    if seen.insert(line.clone()) {
                        let _ = writeln!(out, "  {line}");
                    }
                }
            }
            out
        }
    };
    finish(&text, &input, &mut loaded, EXIT_OK)
}

// ---------------------------------------------------------------------------------------
// can-i

fn user_of(who: &AsArgs) -> UserInfo {
    let groups: Vec<&str> = who.groups.iter().map(String::as_str).collect();
    UserInfo::impersonate(&who.user, &groups)
}

fn can_i(args: &CanIArgs) -> anyhow::Result<u8> {
    let (request, namespaced, extra) = request_of(&args.target)?;
    let input = with_extra_paths(&args.input, extra);
    let request = request.scope(scope_of(&input, namespaced));
    let mut loaded = load(&input, false)?;
    let user = user_of(&args.who);
    let decision = loaded.policy.can_i(&user, &request);
    loaded.timings.lap("query");
    let code = if decision.allowed {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    };
    for u in &decision.unresolved {
        eprintln!("kubeward: warning: {}", u.message);
    }
    if args.quiet {
        return Ok(if loaded.failed { EXIT_ERROR } else { code });
    }
    let text = match args.format {
        Format::Json => pretty(&json!({
            "allowed": decision.allowed,
            "via": vias_json(&decision.via),
        })),
        Format::Text => {
            let mut out = String::from(if decision.allowed { "yes\n" } else { "no\n" });
            if decision.superuser {
                out.push_str("  superuser: the user is in system:masters\n");
            }
            let mut seen = BTreeSet::new();
            for v in &decision.via {
                let line = describe_via(v, &loaded);
                if seen.insert(line.clone()) {
                    let _ = writeln!(out, "  {line}");
                }
            }
            out
        }
    };
    finish(&text, &input, &mut loaded, code)
}

// ---------------------------------------------------------------------------------------
// access

fn access(args: &AccessArgs) -> anyhow::Result<u8> {
    let mut loaded = load(&args.input, false)?;
    let user = user_of(&args.who);
    let namespace = if args.input.all_namespaces || args.input.cluster_wide {
        None
    } else {
        Some(
            args.input
                .namespace
                .clone()
                .unwrap_or_else(|| "default".to_string()),
        )
    };
    let text = if args.matrix {
        matrix(args, &loaded, &user, namespace.as_deref())
    } else {
        rules_list(args, &loaded, &user, namespace.as_deref())
    };
    finish(&text, &args.input, &mut loaded, EXIT_OK)
}

fn resource_label(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_string()
    } else {
        match resource.split_once('/') {
            Some((r, sub)) => format!("{r}.{group}/{sub}"),
            None => format!("{resource}.{group}"),
        }
    }
}

fn rules_list(args: &AccessArgs, loaded: &Loaded, user: &UserInfo, ns: Option<&str>) -> String {
    let report = loaded.policy.effective_rules(user, ns);
    for u in &report.unresolved {
        eprintln!("kubeward: warning: {}", u.message);
    }
    match args.format {
        Format::Json => {
            let rules: Vec<Value> = report
                .rules
                .iter()
                .map(|r| {
                    let mut row = serde_json::Map::new();
                    if let Some(g) = &r.api_group {
                        row.insert("apiGroup".into(), json!(g));
                    }
                    if let Some(res) = &r.resource {
                        row.insert("resource".into(), json!(res));
                    }
                    if let Some(n) = &r.resource_name {
                        row.insert("resourceName".into(), json!(n));
                    }
                    if let Some(u) = &r.non_resource_url {
                        row.insert("nonResourceURL".into(), json!(u));
                    }
                    row.insert("verbs".into(), json!(r.verbs));
                    row.insert("via".into(), json!(vias_json(&r.via)));
                    Value::Object(row)
                })
                .collect();
            pretty(&json!({
                "user": user.name,
                "groups": user.groups,
                "namespace": ns,
                "incomplete": report.incomplete,
                "rules": rules,
            }))
        }
        Format::Text => {
            // kubectl auth can-i --list: Resources, Non-Resource URLs, Resource Names, Verbs.
            let mut rows: Vec<[String; 4]> = vec![[
                "Resources".into(),
                "Non-Resource URLs".into(),
                "Resource Names".into(),
                "Verbs".into(),
            ]];
            for r in &report.rules {
                let resource = match (&r.api_group, &r.resource) {
                    (Some(g), Some(res)) => resource_label(g, res),
                    _ => String::new(),
                };
                rows.push([
                    resource,
                    format!("[{}]", r.non_resource_url.clone().unwrap_or_default()),
                    format!("[{}]", r.resource_name.clone().unwrap_or_default()),
                    format!("[{}]", r.verbs.join(" ")),
                ]);
            }
            table(&rows)
        }
    }
}

/// Left-aligned columns separated by three spaces, trailing spaces trimmed.
fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, (w, cell)) in widths.iter().zip(row).enumerate() {
            if i + 1 == N {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}   ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn matrix(args: &AccessArgs, loaded: &Loaded, user: &UserInfo, ns: Option<&str>) -> String {
    let verbs: Vec<&str> = if args.verbs.is_empty() {
        MATRIX_VERBS.to_vec()
    } else {
        args.verbs.iter().map(String::as_str).collect()
    };
    // Built-in resources (namespaced ones only for a namespace, like rakkess), plus the
    // resources the user's rules name that the table does not know (custom resources).
    let mut list: BTreeSet<(String, String, bool)> = resources::RESOURCES
        .iter()
        .filter(|r| ns.is_none() || r.namespaced)
        .map(|r| (r.group.to_string(), r.name.to_string(), r.namespaced))
        .collect();
    for r in loaded.policy.effective_rules(user, ns).rules {
        if let (Some(g), Some(res)) = (r.api_group, r.resource)
            && g != "*"
            && !res.contains('*')
            && !resources::RESOURCES
                .iter()
                .any(|k| k.group == g && k.name == res.split('/').next().unwrap_or(""))
        {
            list.insert((g, res, true));
        }
    }
    let mut rows_by_scope: BTreeMap<(String, String), Vec<bool>> = BTreeMap::new();
    for (group, resource, namespaced) in &list {
        let scope = match ns {
            Some(ns) if *namespaced => Scope::Namespace(ns.to_string()),
            _ => Scope::Cluster,
        };
        let m = loaded
            .policy
            .access_matrix(user, &scope, &[(group, resource)], &verbs);
        if let Some(row) = m.rows.into_iter().next() {
            rows_by_scope.insert((resource.clone(), group.clone()), row.allowed);
        }
    }
    match args.format {
        Format::Json => {
            let rows: Vec<Value> = rows_by_scope
                .iter()
                .map(|((resource, group), allowed)| {
                    let allowed: serde_json::Map<String, Value> = verbs
                        .iter()
                        .zip(allowed)
                        .map(|(v, a)| ((*v).to_string(), json!(a)))
                        .collect();
                    json!({"apiGroup": group, "resource": resource, "allowed": allowed})
                })
                .collect();
            pretty(&json!({
                "user": user.name,
                "groups": user.groups,
                "namespace": ns,
                "verbs": verbs,
                "rows": rows,
            }))
        }
        Format::Text => {
            let mut out = String::new();
            let name_width = rows_by_scope
                .keys()
                .map(|(r, g)| resource_label(g, r).chars().count())
                .max()
                .unwrap_or(4)
                .max(4);
            let _ = write!(out, "{:<name_width$}", "NAME");
            for v in &verbs {
                let _ = write!(out, "  {}", v.to_ascii_uppercase());
            }
            out.push('\n');
            for ((resource, group), allowed) in &rows_by_scope {
                let mut line = format!("{:<name_width$}", resource_label(group, resource));
                for (v, a) in verbs.iter().zip(allowed) {
                    let w = v.chars().count();
                    let mark = if *a { "✔" } else { "✖" };
                    let _ = write!(line, "  {mark:<w$}");
                }
                out.push_str(line.trim_end());
                out.push('\n');
            }
            out
        }
    }
}

// ---------------------------------------------------------------------------------------
// paths

/// Parses a SUBJECT of `paths`.
fn subject_node(text: &str) -> anyhow::Result<GraphNode> {
    if let Some((ns, name)) = split_service_account_username(text) {
        return Ok(GraphNode::ServiceAccount {
            namespace: ns.to_string(),
            name: name.to_string(),
        });
    }
    let Some((kind, rest)) = text.split_once(':') else {
        return Ok(GraphNode::User {
            name: text.to_string(),
        });
    };
    match kind.to_ascii_lowercase().as_str() {
        "user" => Ok(GraphNode::User {
            name: rest.to_string(),
        }),
        "group" => Ok(GraphNode::Group {
            name: rest.to_string(),
        }),
        "serviceaccount" | "sa" => {
            let Some((ns, name)) = rest.split_once(['/', ':']) else {
                bail!("a service account subject is `serviceaccount:NAMESPACE/NAME`");
            };
            Ok(GraphNode::ServiceAccount {
                namespace: ns.to_string(),
                name: name.to_string(),
            })
        }
        _ => Ok(GraphNode::User {
            name: text.to_string(),
        }),
    }
}

/// Whether a positional argument of `paths` is a SUBJECT rather than an input path.
fn looks_like_subject(arg: &std::path::Path) -> bool {
    let Some(text) = arg.to_str() else {
        return false;
    };
    let lower = text.to_ascii_lowercase();
    !arg.exists()
        && [
            "user:",
            "group:",
            "sa:",
            "serviceaccount:",
            "system:serviceaccount:",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
}

fn paths(args: &PathsArgs) -> anyhow::Result<u8> {
    let mut input = args.input.clone();
    let mut subject = args.subject.clone();
    if subject.is_none()
        && let Some(first) = input.paths.first()
        && looks_like_subject(first)
    {
        if args.from_workloads {
            bail!("give either a SUBJECT or --from-workloads");
        }
        subject = Some(first.to_string_lossy().into_owned());
        input.paths.remove(0);
    }
    let start = subject.as_deref().map(subject_node).transpose()?;
    let mut loaded = load(&input, true)?;
    let workloads = loaded.workloads();
    let graph = loaded.policy.escalation_paths(&workloads);
    loaded.timings.lap("escalation graph");
    let selected: Vec<&EscalationPath> = match &start {
        Some(node) => graph.path_from(node).into_iter().collect(),
        None if args.from_workloads => graph
            .paths
            .iter()
            .filter(|p| matches!(p.start, GraphNode::Workload { .. }))
            .collect(),
        None => graph.paths.iter().collect(),
    };
    let text = match args.format {
        PathsFormat::Json => {
            let paths: Vec<Value> = selected
                .iter()
                .map(|p| {
                    let steps: Vec<Value> = p
                        .steps
                        .iter()
                        .map(|s| {
                            json!({
                                "to": s.to,
                                "reason": s.reason.as_str(),
                                "permission": s.permission,
                                "via": s.via.as_ref().map(|v| json!({
                                    "binding": object_json(&v.binding),
                                    "role": role_json(&v.role),
                                })),
                            })
                        })
                        .collect();
                    json!({"start": p.start, "steps": steps})
                })
                .collect();
            pretty(&json!({ "paths": paths }))
        }
        PathsFormat::Dot => {
            if start.is_none() && !args.from_workloads {
                graph.to_dot()
            } else {
                paths_dot(&selected)
            }
        }
        PathsFormat::Text => paths_text(&loaded, start.as_ref(), &selected),
    };
    let code = if selected.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    };
    finish(&text, &input, &mut loaded, code)
}

fn paths_text(loaded: &Loaded, start: Option<&GraphNode>, selected: &[&EscalationPath]) -> String {
    let mut out = String::new();
    if selected.is_empty() {
        match start {
            Some(node) => {
                let _ = writeln!(out, "No path from {} to cluster-admin.", node.label());
            }
            None => out.push_str("No path to cluster-admin.\n"),
        }
        return out;
    }
    let _ = writeln!(
        out,
        "{} principal{} can reach cluster-admin:",
        selected.len(),
        if selected.len() == 1 { "" } else { "s" }
    );
    for p in selected {
        let _ = writeln!(out, "\n{} → cluster-admin", p.start.label());
        for (i, s) in p.steps.iter().enumerate() {
            let _ = write!(
                out,
                "  {}. {} [{}]: {}",
                i + 1,
                s.to.label(),
                s.reason.as_str(),
                s.permission
            );
            if let Some(v) = &s.via {
                let _ = write!(out, "\n     via {}", describe_via(v, loaded));
            }
            out.push('\n');
        }
    }
    out
}

/// A DOT picture of the selected paths only, styled like `EscalationGraph::to_dot`.
fn paths_dot(selected: &[&EscalationPath]) -> String {
    let mut nodes: Vec<GraphNode> = Vec::new();
    let mut edges: BTreeSet<(usize, usize, &str, &str)> = BTreeSet::new();
    let id = |n: &GraphNode, nodes: &mut Vec<GraphNode>| -> usize {
        nodes.iter().position(|m| m == n).unwrap_or_else(|| {
            nodes.push(n.clone());
            nodes.len() - 1
        })
    };
    for p in selected {
        let mut from = id(&p.start, &mut nodes);
        for s in &p.steps {
            let to = id(&s.to, &mut nodes);
            edges.insert((from, to, s.reason.as_str(), s.permission.as_str()));
            from = to;
        }
    }
    let starts: BTreeSet<&GraphNode> = selected.iter().map(|p| &p.start).collect();
    let escape = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = String::from(
        "digraph escalation {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\"];\n",
    );
    for (i, n) in nodes.iter().enumerate() {
        let style = match n {
            GraphNode::ClusterAdmin => ", shape=doubleoctagon, style=filled, fillcolor=\"#e06666\"",
            _ if starts.contains(n) => ", style=filled, fillcolor=\"#f9cb9c\"",
            GraphNode::AnyServiceAccount { .. }
            | GraphNode::AnyWorkload { .. }
            | GraphNode::AnyUser => ", shape=ellipse, style=dashed",
            _ => "",
        };
        let _ = writeln!(out, "  n{i} [label=\"{}\"{style}];", escape(&n.label()));
    }
    for (from, to, reason, permission) in &edges {
        let _ = writeln!(
            out,
            "  n{from} -> n{to} [label=\"{}\", tooltip=\"{}\"];",
            escape(reason),
            escape(permission)
        );
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_parse() {
        assert_eq!(
            subject_node("system:serviceaccount:ci:bot").ok(),
            Some(GraphNode::ServiceAccount {
                namespace: "ci".into(),
                name: "bot".into()
            })
        );
        assert_eq!(
            subject_node("sa:ci/bot").ok(),
            subject_node("serviceaccount:ci:bot").ok()
        );
        assert_eq!(
            subject_node("group:system:masters").ok(),
            Some(GraphNode::Group {
                name: "system:masters".into()
            })
        );
        assert_eq!(
            subject_node("system:anonymous").ok(),
            Some(GraphNode::User {
                name: "system:anonymous".into()
            })
        );
        assert!(subject_node("sa:bot").is_err());
    }

    #[test]
    fn tables_align() {
        let t = table(&[
            ["a".to_string(), "bb".to_string()],
            ["ccc".to_string(), "d".to_string()],
        ]);
        assert_eq!(t, "a     bb\nccc   d\n");
    }
}

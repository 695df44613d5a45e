//! `kubeward netpol`: what the NetworkPolicies of a set of manifests actually allow, computed
//! exactly by the NetworkPolicy engine (`kubeward-netpol`).
//!
//! - `connections`: every allowed connection between workloads and external address ranges;
//! - `explain`: why one flow is allowed (which policy and rule, with `file:line:col`) or
//!   denied (which isolation); exit 0 allowed, 1 denied;
//! - `graph`: the connectivity as Graphviz DOT or Mermaid (namespaces as clusters);
//! - `synth`: default-deny plus minimal allow policies preserving the current (or declared)
//!   flows, verified by recomputing connectivity;
//! - `isolate`: a quarantine policy for one workload or pod;
//! - `diff`: connections gained and lost between two versions of the manifests.
//!
//! Every object of the input gets its index in the loaded object list as engine
//! [`SourceId`], so policy references and rule paths map back to `file:line:col`. Invalid
//! NetworkPolicies (the engine's located issues) are printed as errors on stderr; they are
//! left out of the computation (the API server would reject them) and make the exit code 2
//! where they prevent a faithful answer.

mod flows;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use kubeward_diagnostics::InputError;
use kubeward_model::{Object, load_source};
use kubeward_netpol::{
    Cluster, Connection, ConnectionDiff, DirectionVerdict, Endpoint, Explanation, IssueSeverity,
    PolicyIssue, PolicyRef, PortSet, Protocol, RuleMatch, SourceId, WORKLOAD_KINDS, WorkloadRef,
};
use kubeward_rules::locate;
use kubeward_source::SourceFile;
use kubeward_yaml::Limits;
use rayon::prelude::*;
use serde::Serialize;

use crate::cmd::scan::Color;
use crate::input::{DEFAULT_MAX_FILE_SIZE, Input, collect, is_dockerfile, read};
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, output};

/// Output formats of `kubeward netpol` (each subcommand accepts those that make sense).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NetpolFormat {
    /// Plain text (YAML for `synth` and `isolate`).
    Text,
    /// JSON.
    Json,
    /// Graphviz DOT (namespaces as clusters).
    Dot,
    /// Markdown (tables; Mermaid in a fenced block for graphs).
    Md,
}

impl NetpolFormat {
    fn name(self) -> &'static str {
        match self {
            NetpolFormat::Text => "text",
            NetpolFormat::Json => "json",
            NetpolFormat::Dot => "dot",
            NetpolFormat::Md => "md",
        }
    }
}

/// Where manifests are read from.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Files or directories of manifests (`-` reads standard input). Default: the current
    /// directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Largest file to read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_FILE_SIZE / (1024 * 1024))]
    pub max_file_size: u64,
}

/// Output options.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format (default: text; dot for `graph`).
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<NetpolFormat>,
    /// Write the result to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Arguments of `kubeward netpol connections`.
#[derive(Debug, Args)]
pub struct ConnectionsArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    out: OutputArgs,
}

/// Arguments of `kubeward netpol explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Source: `NS/WORKLOAD`, `KIND/NS/NAME`, `NS/POD`, or an IP address (a range or CIDR is
    /// evaluated at its first address).
    #[arg(long, value_name = "NS/WORKLOAD|IP")]
    from: String,
    /// Destination: `NS/WORKLOAD`, `KIND/NS/NAME`, `NS/POD`, or an IP address (a range or CIDR
    /// is evaluated at its first address).
    #[arg(long, value_name = "NS/WORKLOAD|IP")]
    to: String,
    /// Only this port: `5432`, `5432/TCP`, `53/UDP` (default: any port).
    #[arg(long, value_name = "PORT[/PROTOCOL]", value_parser = parse_port)]
    port: Option<(u16, Protocol)>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    out: OutputArgs,
}

/// Arguments of `kubeward netpol graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    out: OutputArgs,
}

/// Arguments of `kubeward netpol synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// The flows to preserve, declared in a YAML file (`flows: [{from, to, ports}]`, or the
    /// JSON of `netpol connections`). Default: the connections the current policies allow.
    #[arg(long, value_name = "FILE")]
    flows: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    out: OutputArgs,
}

/// Arguments of `kubeward netpol isolate`.
#[derive(Debug, Args)]
pub struct IsolateArgs {
    /// The workload or pod to quarantine: `NS/NAME` or `KIND/NS/NAME`.
    #[arg(value_name = "NS/POD-OR-WORKLOAD")]
    target: String,
    /// Keep DNS to kube-dns (`kube-system`, `k8s-app: kube-dns`, port 53 UDP and TCP).
    #[arg(long)]
    keep_dns: bool,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    out: OutputArgs,
}

/// Arguments of `kubeward netpol diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old manifests (file or directory).
    #[arg(value_name = "OLD")]
    old: PathBuf,
    /// The new manifests (file or directory).
    #[arg(value_name = "NEW")]
    new: PathBuf,
    /// Largest file to read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_FILE_SIZE / (1024 * 1024))]
    max_file_size: u64,
    #[command(flatten)]
    out: OutputArgs,
}

/// `kubeward netpol` subcommands.
#[derive(Debug, Subcommand)]
pub enum NetpolCommand {
    /// Every allowed connection between workloads and external address ranges (a pair that
    /// is not listed is denied).
    Connections(ConnectionsArgs),
    /// Why traffic from one workload (or address) to another is allowed or denied: the
    /// policies and rules with file:line:col. Exit 0 allowed, 1 denied, 2 when an input error or
    /// an invalid policy in the namespace of either end prevents the answer.
    Explain(ExplainArgs),
    /// The connectivity as a picture: Graphviz DOT (default) or Mermaid (`--format md`).
    Graph(GraphArgs),
    /// Default-deny plus minimal allow policies preserving the current (or declared) flows,
    /// verified by recomputing connectivity. YAML on stdout.
    Synth(SynthArgs),
    /// A quarantine NetworkPolicy for one workload or pod (deny all ingress and egress).
    Isolate(IsolateArgs),
    /// Connections gained and lost between two versions of the manifests. Exit 0 when
    /// connectivity is the same, 1 when it differs.
    Diff(DiffArgs),
}

/// Runs `kubeward netpol`.
///
/// # Errors
/// Usage and output errors (exit code 2).
pub fn run(command: &NetpolCommand) -> anyhow::Result<u8> {
    match command {
        NetpolCommand::Connections(a) => connections(a),
        NetpolCommand::Explain(a) => explain(a),
        NetpolCommand::Graph(a) => graph(a),
        NetpolCommand::Synth(a) => synth(a),
        NetpolCommand::Isolate(a) => isolate(a),
        NetpolCommand::Diff(a) => diff(a),
    }
}

fn parse_port(s: &str) -> Result<(u16, Protocol), String> {
    let (port, protocol) = match s.split_once('/') {
        Some((p, proto)) => (
            p,
            Protocol::parse(&proto.to_ascii_uppercase())
                .ok_or_else(|| format!("unknown protocol `{proto}` (TCP, UDP or SCTP)"))?,
        ),
        None => (s, Protocol::Tcp),
    };
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p >= 1)
        .ok_or_else(|| format!("`{port}` is not a port number (1-65535)"))?;
    Ok((port, protocol))
}

// ---------------------------------------------------------------------------------------
// Loading

/// The manifests of one side: the objects the engine reads and the cluster built from them.
struct Loaded {
    /// NetworkPolicies, Namespaces and workloads; the index is the engine's [`SourceId`].
    objects: Vec<Object>,
    /// Unreadable inputs and YAML errors.
    errors: Vec<InputError>,
    cluster: Cluster,
}

fn relevant(object: &Object) -> bool {
    let kind = object.kind();
    kind == "NetworkPolicy" || kind == "Namespace" || WORKLOAD_KINDS.contains(&kind)
}

fn load_file(input: &Input, max_size: u64) -> (Vec<Object>, Vec<InputError>) {
    if let Input::File(path) = input
        && is_dockerfile(path)
    {
        return (Vec::new(), Vec::new());
    }
    let text = match read(input, max_size) {
        Ok(text) => text,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let source = SourceFile::new(input.display(), text);
    let loaded = load_source(&source, Limits::default());
    let errors = loaded
        .issues
        .iter()
        .filter(|i| i.severity == kubeward_yaml::IssueSeverity::Error)
        .map(|i| InputError {
            file: input.display(),
            line: i.span.start.line,
            column: i.span.start.col,
            code: "KW001",
            message: i.message.clone(),
        })
        .collect();
    let objects = loaded.objects.into_iter().filter(relevant).collect();
    (objects, errors)
}

fn load(paths: &[PathBuf], max_mib: u64) -> Loaded {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let collected = collect(&paths);
    let max = max_mib.saturating_mul(1024 * 1024);
    let files: Vec<(Vec<Object>, Vec<InputError>)> = collected
        .inputs
        .par_iter()
        .map(|input| load_file(input, max))
        .collect();
    let mut errors = collected.errors;
    let mut objects = Vec::new();
    for (o, e) in files {
        objects.extend(o);
        errors.extend(e);
    }
    errors.sort();
    let mut cluster = Cluster::new();
    for (i, object) in objects.iter().enumerate() {
        cluster.add_object(SourceId(u32::try_from(i).unwrap_or(u32::MAX)), &object.root);
    }
    Loaded {
        objects,
        errors,
        cluster,
    }
}

impl Loaded {
    fn object(&self, id: SourceId) -> Option<&Object> {
        self.objects.get(usize::try_from(id.0).ok()?)
    }

    /// `file:line:col` of a field of an object (the object itself for an empty path).
    fn site(&self, id: SourceId, path: &str) -> String {
        match self.object(id) {
            Some(object) if path.is_empty() => {
                let p = object.origin.span.start;
                format!("{}:{}:{}", object.origin.source.path(), p.line, p.col)
            }
            Some(object) => {
                let (loc, _) = locate(object, path);
                format!("{}:{}:{}", loc.file, loc.start.line, loc.start.col)
            }
            None => "<unknown>".to_string(),
        }
    }

    fn policy_site(&self, policy: &PolicyRef, path: &str) -> String {
        self.site(policy.source, &join(&policy.path, path))
    }

    /// Invalid policies (errors) and surprising ones (warnings).
    fn issues(&self) -> impl Iterator<Item = &PolicyIssue> {
        self.cluster.issues().iter()
    }

    fn has_policy_errors(&self) -> bool {
        self.issues().any(|i| i.severity == IssueSeverity::Error)
    }

    /// Prints input errors and policy issues to stderr; true when there was an error.
    fn report_problems(&self, style: Style, only_namespaces: Option<&[&str]>) -> bool {
        let mut lines = String::new();
        for e in &self.errors {
            let _ = writeln!(
                lines,
                "{}:{}:{}: {}: {} [{}]",
                e.file,
                e.line,
                e.column,
                style.error(),
                e.message,
                e.code
            );
        }
        let mut errors = !self.errors.is_empty();
        for issue in self.issues() {
            let level = match issue.severity {
                IssueSeverity::Error => {
                    let counts = only_namespaces
                        .is_none_or(|ns| ns.contains(&issue.policy.namespace.as_str()));
                    errors |= counts;
                    style.error()
                }
                IssueSeverity::Warning => style.warning(),
            };
            let _ = writeln!(
                lines,
                "{}: {level}: NetworkPolicy {}/{}: `{}`: {}{}",
                self.policy_site(&issue.policy, &issue.path),
                issue.policy.namespace,
                issue.policy.name,
                issue.path,
                issue.message,
                if issue.severity == IssueSeverity::Error {
                    " (the API server rejects this policy; it is left out)"
                } else {
                    ""
                }
            );
        }
        if !lines.is_empty() {
            eprint!("{lines}");
        }
        errors
    }

    /// Resolves `NS/NAME`, `KIND/NS/NAME`, a bare `NAME` (namespace `default`), a pod or
    /// ReplicaSet/Job name (to its workload), or an address, range or CIDR.
    fn resolve(&self, text: &str) -> Result<Endpoint, String> {
        let text = text.trim();
        if let Ok(e @ Endpoint::IpRange(_)) = Endpoint::parse(text) {
            return Ok(e);
        }
        let wanted = WorkloadRef::parse(text)
            .or_else(|| {
                (!text.is_empty() && !text.contains('/'))
                    .then(|| WorkloadRef::new("", "default", text))
            })
            .ok_or_else(|| format!("`{text}` is not NS/NAME, KIND/NS/NAME or an IP address"))?;
        let workloads = self.cluster.workloads();
        let kind_ok = |k: &str| wanted.kind.is_empty() || k.eq_ignore_ascii_case(&wanted.kind);
        let found: Vec<&WorkloadRef> = workloads
            .iter()
            .filter(|w| {
                w.namespace == wanted.namespace && w.name == wanted.name && kind_ok(&w.kind)
            })
            .collect();
        match found.as_slice() {
            [one] => return Ok(Endpoint::Workload(std::sync::Arc::new((*one).clone()))),
            [] => {}
            many => {
                let names: Vec<String> = many.iter().map(ToString::to_string).collect();
                return Err(format!(
                    "`{text}` is ambiguous: {}; give KIND/NS/NAME",
                    names.join(", ")
                ));
            }
        }
        // A pod, ReplicaSet or Job that belongs to a workload.
        for w in &workloads {
            let owned = self.cluster.workload_objects(w).into_iter().any(|(id, _)| {
                self.object(id).is_some_and(|o| {
                    o.name() == wanted.name
                        && o.namespace().unwrap_or("default") == wanted.namespace
                        && kind_ok(o.kind())
                })
            });
            if owned {
                return Ok(Endpoint::Workload(std::sync::Arc::new(w.clone())));
            }
        }
        let mut known: Vec<String> = workloads
            .iter()
            .filter(|w| w.namespace == wanted.namespace)
            .map(ToString::to_string)
            .collect();
        known.truncate(20);
        Err(if known.is_empty() {
            format!(
                "no workload `{text}` in the input (namespace `{}` has none)",
                wanted.namespace
            )
        } else {
            format!(
                "no workload `{text}` in the input; namespace `{}` has: {}",
                wanted.namespace,
                known.join(", ")
            )
        })
    }
}

fn join(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) => kubeward_yaml::path_join(prefix, path),
    }
}

// ---------------------------------------------------------------------------------------
// Output helpers

#[derive(Debug, Clone, Copy)]
struct Style {
    color: bool,
}

impl Style {
    fn stderr(color: Color) -> Self {
        Style {
            color: color.for_stderr(),
        }
    }

    fn stdout(color: Color, output: Option<&Path>) -> Self {
        Style {
            color: color.for_stdout(output),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }
    fn error(self) -> String {
        self.paint("1;31", "error")
    }
    fn warning(self) -> String {
        self.paint("1;33", "warning")
    }
}

fn unsupported(command: &str, format: NetpolFormat, supported: &str) -> anyhow::Result<u8> {
    eprintln!(
        "kubeward: error: `netpol {command}` does not support --format {}; use {supported}",
        format.name()
    );
    Ok(EXIT_ERROR)
}

/// A buffered writer to stdout or a file that goes quiet on a closed pipe.
struct Sink {
    out: Box<dyn Write>,
    closed: bool,
    error: Option<std::io::Error>,
}

impl Sink {
    fn open(path: Option<&Path>) -> anyhow::Result<Self> {
        let out: Box<dyn Write> = match path {
            Some(p) => Box::new(std::io::BufWriter::with_capacity(
                1 << 16,
                std::fs::File::create(p)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?,
            )),
            None => Box::new(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout(),
            )),
        };
        Ok(Sink {
            out,
            closed: false,
            error: None,
        })
    }

    fn put(&mut self, bytes: &[u8]) {
        if self.closed {
            return;
        }
        if let Err(e) = self.out.write_all(bytes) {
            self.closed = true;
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                self.error = Some(e);
            }
        }
    }

    fn finish(mut self) -> anyhow::Result<()> {
        if !self.closed
            && let Err(e) = self.out.flush()
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            self.error = Some(e);
        }
        match self.error {
            Some(e) => Err(anyhow::anyhow!("cannot write the output: {e}")),
            None => Ok(()),
        }
    }
}

fn json_string<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

fn ports_json(ports: &PortSet) -> String {
    if ports.is_all() {
        "\"all\"".to_string()
    } else {
        json_string(ports)
    }
}

/// Streams the connections as text lines or as the `{"connections": [...]}` document, one
/// connection per line, rendering each endpoint once.
fn stream_connections(cluster: &Cluster, format: NetpolFormat, sink: &mut Sink) -> usize {
    let mut rendered: HashMap<usize, String> = HashMap::new();
    let mut count = 0usize;
    let mut line = String::with_capacity(256);
    let json = format == NetpolFormat::Json;
    if json {
        sink.put(b"{\"connections\": [");
    }
    cluster.for_each_connection(|src, dst, ports| {
        line.clear();
        if json {
            line.push_str(if count == 0 { "\n  " } else { ",\n  " });
        }
        for (i, e) in [src, dst].into_iter().enumerate() {
            let text = rendered
                .entry(std::ptr::from_ref(e).addr())
                .or_insert_with(|| if json { json_string(e) } else { e.to_string() });
            if json {
                line.push_str(if i == 0 { "{\"src\": " } else { ", \"dst\": " });
                line.push_str(text);
            } else {
                line.push_str(text);
                line.push_str(if i == 0 { " -> " } else { "  " });
            }
        }
        if json {
            line.push_str(", \"ports\": ");
            line.push_str(&ports_json(ports));
            line.push('}');
        } else {
            let _ = write!(line, "{ports}");
            line.push('\n');
        }
        sink.put(line.as_bytes());
        count += 1;
    });
    if json {
        sink.put(if count == 0 { b"]}\n" } else { b"\n]}\n" });
    }
    count
}

fn markdown_connections(title: &str, conns: &[Connection]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{title}\n\n| From | To | Ports |\n|---|---|---|");
    for c in conns {
        let _ = writeln!(s, "| `{}` | `{}` | {} |", c.src, c.dst, c.ports);
    }
    s
}

// ---------------------------------------------------------------------------------------
// connections

fn connections(args: &ConnectionsArgs) -> anyhow::Result<u8> {
    let loaded = load(&args.input.paths, args.input.max_file_size);
    let errors = loaded.report_problems(Style::stderr(args.out.color), None);
    let format = args.out.format.unwrap_or(NetpolFormat::Text);
    let code = if errors { EXIT_ERROR } else { EXIT_OK };
    match format {
        NetpolFormat::Text | NetpolFormat::Json => {
            let mut sink = Sink::open(args.out.output.as_deref())?;
            let count = stream_connections(&loaded.cluster, format, &mut sink);
            if format == NetpolFormat::Text {
                let summary = format!(
                    "# {count} connection{}; a pair not listed is denied\n",
                    if count == 1 { "" } else { "s" }
                );
                sink.put(summary.as_bytes());
            }
            sink.finish()?;
        }
        NetpolFormat::Dot => {
            output::write(&loaded.cluster.graph_dot(), args.out.output.as_deref())?;
        }
        NetpolFormat::Md => {
            let text = markdown_connections(
                "Allowed connections (a pair not listed is denied):",
                &loaded.cluster.connections(),
            );
            output::write(&text, args.out.output.as_deref())?;
        }
    }
    Ok(code)
}

// ---------------------------------------------------------------------------------------
// graph

fn graph(args: &GraphArgs) -> anyhow::Result<u8> {
    let format = args.out.format.unwrap_or(NetpolFormat::Dot);
    let loaded = load(&args.input.paths, args.input.max_file_size);
    let text = match format {
        NetpolFormat::Dot => loaded.cluster.graph_dot(),
        NetpolFormat::Md => format!("```mermaid\n{}```\n", loaded.cluster.graph_mermaid()),
        other => return unsupported("graph", other, "dot or md"),
    };
    let errors = loaded.report_problems(Style::stderr(args.out.color), None);
    output::write(&text, args.out.output.as_deref())?;
    Ok(if errors { EXIT_ERROR } else { EXIT_OK })
}

// ---------------------------------------------------------------------------------------
// explain

#[derive(Serialize)]
struct PolicyJson {
    namespace: String,
    name: String,
    location: String,
}

#[derive(Serialize)]
struct RuleJson {
    policy: PolicyJson,
    rule: String,
    peer: Option<String>,
    ports: PortSet,
    location: String,
}

#[derive(Serialize)]
struct DirectionJson {
    allowed: bool,
    isolated: bool,
    policies: Vec<PolicyJson>,
    allowed_by: Vec<RuleJson>,
    ports: PortSet,
}

#[derive(Serialize)]
struct ExplainJson<'a> {
    from: &'a Endpoint,
    to: &'a Endpoint,
    port: Option<String>,
    allowed: bool,
    ports: &'a PortSet,
    egress: DirectionJson,
    ingress: DirectionJson,
}

fn policy_json(loaded: &Loaded, p: &PolicyRef) -> PolicyJson {
    PolicyJson {
        namespace: p.namespace.clone(),
        name: p.name.clone(),
        location: loaded.policy_site(p, ""),
    }
}

fn rule_location(loaded: &Loaded, m: &RuleMatch) -> String {
    loaded.policy_site(&m.policy, m.peer.as_deref().unwrap_or(&m.rule))
}

fn direction_json(loaded: &Loaded, v: &DirectionVerdict) -> DirectionJson {
    DirectionJson {
        allowed: v.allowed,
        isolated: v.isolated,
        policies: v
            .selecting_policies
            .iter()
            .map(|p| policy_json(loaded, p))
            .collect(),
        allowed_by: v
            .allowed_by
            .iter()
            .map(|m| RuleJson {
                policy: policy_json(loaded, &m.policy),
                rule: m.rule.clone(),
                peer: m.peer.clone(),
                ports: m.ports.clone(),
                location: rule_location(loaded, m),
            })
            .collect(),
        ports: v.ports.clone(),
    }
}

fn endpoint_text(e: &Endpoint) -> String {
    match e {
        Endpoint::IpRange(r) if r.start == r.end => r.start.to_string(),
        other => other.to_string(),
    }
}

fn port_text(port: Option<(u16, Protocol)>) -> String {
    port.map_or_else(
        || "any port".to_string(),
        |(p, proto)| format!("{p}/{proto}"),
    )
}

fn render_direction(
    s: &mut String,
    loaded: &Loaded,
    ingress: bool,
    (end, other): (&Endpoint, &Endpoint),
    v: &DirectionVerdict,
    port: Option<(u16, Protocol)>,
    style: Style,
) {
    let (dir, types) = if ingress {
        ("ingress to", "Ingress")
    } else {
        ("egress from", "Egress")
    };
    let ok = |allowed: bool| {
        if allowed {
            style.paint("32", "allowed")
        } else {
            style.paint("31", "denied")
        }
    };
    if let Endpoint::IpRange(_) = end {
        let _ = writeln!(
            s,
            "  {dir} {}: {}: an external address is not subject to NetworkPolicy",
            endpoint_text(end),
            ok(true)
        );
        return;
    }
    if !v.isolated {
        let _ = writeln!(
            s,
            "  {dir} {}: {}: not isolated for {} (no NetworkPolicy selecting its pods has `policyTypes: [{types}]`)",
            endpoint_text(end),
            ok(true),
            types.to_ascii_lowercase()
        );
        return;
    }
    if v.allowed {
        let _ = writeln!(s, "  {dir} {}: {} by", endpoint_text(end), ok(true));
        for m in &v.allowed_by {
            let peer = m.peer.as_ref().map_or_else(
                || "every peer (no `from`/`to`)".to_string(),
                |p| format!("peer `{p}`"),
            );
            let _ = writeln!(
                s,
                "    - NetworkPolicy {}/{} rule `{}`, {peer}, ports {}\n      at {}",
                m.policy.namespace,
                m.policy.name,
                m.rule,
                m.ports,
                rule_location(loaded, m)
            );
        }
        return;
    }
    let _ = writeln!(
        s,
        "  {dir} {}: {}: isolated for {} by",
        endpoint_text(end),
        ok(false),
        types.to_ascii_lowercase()
    );
    for p in &v.selecting_policies {
        let _ = writeln!(
            s,
            "    - NetworkPolicy {}/{} at {}",
            p.namespace,
            p.name,
            loaded.policy_site(p, "")
        );
    }
    let _ = writeln!(
        s,
        "    and no {} rule of {} allows {} on {}",
        types.to_ascii_lowercase(),
        if v.selecting_policies.len() == 1 {
            "it"
        } else {
            "them"
        },
        endpoint_text(other),
        port_text(port)
    );
    if other.as_workload().is_some()
        && v.selecting_policies
            .iter()
            .any(|p| has_ip_block(loaded, p, ingress))
    {
        let _ = writeln!(
            s,
            "    note: `ipBlock` peers match only addresses outside the cluster; pods are selected with `podSelector`/`namespaceSelector`"
        );
    }
}

/// Whether a policy has an `ipBlock` peer in the rules of a direction.
fn has_ip_block(loaded: &Loaded, policy: &PolicyRef, ingress: bool) -> bool {
    let (rules, peers) = if ingress {
        ("spec.ingress", "from")
    } else {
        ("spec.egress", "to")
    };
    loaded
        .object(policy.source)
        .and_then(|o| o.root.at_path(&join(&policy.path, rules)))
        .into_iter()
        .flat_map(kubeward_yaml::Node::items)
        .flat_map(|r| {
            r.get(peers)
                .into_iter()
                .flat_map(kubeward_yaml::Node::items)
        })
        .any(|p| p.get("ipBlock").is_some())
}

fn render_explanation(
    loaded: &Loaded,
    from: &Endpoint,
    to: &Endpoint,
    port: Option<(u16, Protocol)>,
    why: &Explanation,
    style: Style,
) -> String {
    let mut s = String::new();
    let verdict = if why.allowed {
        style.paint("1;32", "allowed")
    } else {
        style.paint("1;31", "denied")
    };
    let on = match port {
        Some(_) => port_text(port),
        None if why.allowed => format!("ports {}", why.ports),
        None => "any port".to_string(),
    };
    let _ = writeln!(
        s,
        "{verdict}: {} -> {} on {on}",
        endpoint_text(from),
        endpoint_text(to)
    );
    render_direction(&mut s, loaded, false, (from, to), &why.egress, port, style);
    render_direction(&mut s, loaded, true, (to, from), &why.ingress, port, style);
    if port.is_none() && !why.allowed && why.egress.allowed && why.ingress.allowed {
        let _ = writeln!(
            s,
            "  the ports egress allows ({}) and the ports ingress allows ({}) do not overlap",
            why.egress.ports, why.ingress.ports
        );
    }
    s
}

fn explain(args: &ExplainArgs) -> anyhow::Result<u8> {
    let format = args.out.format.unwrap_or(NetpolFormat::Text);
    if !matches!(format, NetpolFormat::Text | NetpolFormat::Json) {
        return unsupported("explain", format, "text or json");
    }
    let loaded = load(&args.input.paths, args.input.max_file_size);
    let style = Style::stderr(args.out.color);
    let (from, to) = match (loaded.resolve(&args.from), loaded.resolve(&args.to)) {
        (Ok(f), Ok(t)) => (f, t),
        (f, t) => {
            loaded.report_problems(style, None);
            for e in [f.err(), t.err()].into_iter().flatten() {
                eprintln!("kubeward: error: {e}");
            }
            return Ok(EXIT_ERROR);
        }
    };
    // An invalid policy in the namespace of either end could have applied to the flow.
    let namespaces: Vec<&str> = [&from, &to]
        .into_iter()
        .filter_map(|e| e.as_workload().map(|w| w.namespace.as_str()))
        .collect();
    let errors = loaded.report_problems(style, Some(&namespaces));
    let why = match loaded.cluster.explain(&from, &to, args.port) {
        Ok(why) => why,
        Err(e) => {
            eprintln!("kubeward: error: {e}");
            return Ok(EXIT_ERROR);
        }
    };
    let text = if format == NetpolFormat::Json {
        let doc = ExplainJson {
            from: &from,
            to: &to,
            port: args.port.map(|(p, proto)| format!("{p}/{proto}")),
            allowed: why.allowed,
            ports: &why.ports,
            egress: direction_json(&loaded, &why.egress),
            ingress: direction_json(&loaded, &why.ingress),
        };
        format!("{}\n", serde_json::to_string_pretty(&doc)?)
    } else {
        let mut text = render_explanation(
            &loaded,
            &from,
            &to,
            args.port,
            &why,
            Style::stdout(args.out.color, args.out.output.as_deref()),
        );
        if errors && loaded.has_policy_errors() {
            text.push_str("  note: invalid NetworkPolicies were left out (see the errors above)\n");
        }
        text
    };
    output::write(&text, args.out.output.as_deref())?;
    Ok(if errors {
        EXIT_ERROR
    } else if why.allowed {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

// ---------------------------------------------------------------------------------------
// synth

#[derive(Serialize)]
struct SynthJson<'a> {
    policies: usize,
    verified: bool,
    flows: usize,
    warnings: &'a [String],
    mismatch: &'a ConnectionDiff,
    yaml: &'a str,
}

fn read_flows(loaded: &Loaded, path: &Path) -> Result<Vec<Connection>, Vec<String>> {
    let file = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| vec![format!("{file}: cannot read: {e}")])?;
    let raw = flows::parse(&file, &text)?;
    let mut errors = Vec::new();
    let mut resolved = Vec::new();
    for f in raw {
        let mut end = |e: &flows::RawEndpoint| match &e.text {
            Ok(text) => loaded
                .resolve(text)
                .map_err(|m| errors.push(format!("{}: {m}", e.at)))
                .ok(),
            Err(endpoint) => {
                let shown = endpoint.to_string();
                loaded
                    .resolve(&shown)
                    .map_err(|m| errors.push(format!("{}: {m}", e.at)))
                    .ok()
            }
        };
        let (src, dst) = (end(&f.from), end(&f.to));
        if let (Some(src), Some(dst)) = (src, dst) {
            if matches!((&src, &dst), (Endpoint::IpRange(_), Endpoint::IpRange(_))) {
                errors.push(format!(
                    "{}: a flow between two external addresses is not subject to NetworkPolicy",
                    f.from.at
                ));
                continue;
            }
            resolved.push((src, dst, f.ports));
        }
    }
    if errors.is_empty() {
        Ok(flows::merge(resolved))
    } else {
        Err(errors)
    }
}

fn synth(args: &SynthArgs) -> anyhow::Result<u8> {
    let format = args.out.format.unwrap_or(NetpolFormat::Text);
    if !matches!(format, NetpolFormat::Text | NetpolFormat::Json) {
        return unsupported("synth", format, "text (YAML) or json");
    }
    let loaded = load(&args.input.paths, args.input.max_file_size);
    let style = Style::stderr(args.out.color);
    // With declared flows the current policies are replaced: their errors do not matter.
    let errors = if args.flows.is_some() {
        loaded.report_problems(style, Some(&[]))
    } else {
        loaded.report_problems(style, None)
    };
    let declared = match &args.flows {
        Some(path) => match read_flows(&loaded, path) {
            Ok(flows) => Some(flows),
            Err(problems) => {
                for p in problems {
                    eprintln!("{}: {p}", style.error());
                }
                return Ok(EXIT_ERROR);
            }
        },
        None => None,
    };
    let result = loaded.cluster.synth(declared.as_deref());
    let flows = declared
        .as_ref()
        .map_or_else(|| loaded.cluster.connections().len(), Vec::len);
    let verified = result.verified();
    let origin = if args.flows.is_some() {
        "the declared flows"
    } else {
        "the connections the current policies allow"
    };
    for w in &result.warnings {
        eprintln!("{}: {w}", style.warning());
    }
    let verdict = if verified {
        format!(
            "verified: recomputing connectivity with only these {} policies gives exactly {origin} ({flows} flows)",
            result.policies
        )
    } else {
        format!(
            "NOT verified: with only these {} policies, {} connections would be gained and {} lost compared with {origin}",
            result.policies,
            result.mismatch.gained.len(),
            result.mismatch.lost.len()
        )
    };
    eprintln!("kubeward netpol synth: {verdict}");
    let text = if format == NetpolFormat::Json {
        let doc = SynthJson {
            policies: result.policies,
            verified,
            flows,
            warnings: &result.warnings,
            mismatch: &result.mismatch,
            yaml: &result.yaml,
        };
        format!("{}\n", serde_json::to_string_pretty(&doc)?)
    } else {
        let mut header = format!(
            "# Generated by `kubeward netpol synth` from {origin}: a default deny per namespace\n# plus minimal allow policies.\n# {verdict}.\n"
        );
        for w in &result.warnings {
            let _ = writeln!(header, "# warning: {w}");
        }
        for (sign, list) in [("+", &result.mismatch.gained), ("-", &result.mismatch.lost)] {
            for c in list {
                let _ = writeln!(header, "# {sign} {} -> {}  {}", c.src, c.dst, c.ports);
            }
        }
        format!("{header}{}", result.yaml)
    };
    output::write(&text, args.out.output.as_deref())?;
    Ok(if errors {
        EXIT_ERROR
    } else if verified {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

// ---------------------------------------------------------------------------------------
// isolate

#[derive(Serialize)]
struct IsolateJson<'a> {
    target: &'a WorkloadRef,
    yaml: &'a str,
    also_selects: &'a [WorkloadRef],
    still_allowed_by: Vec<PolicyJson>,
    remaining: &'a [Connection],
}

fn isolate(args: &IsolateArgs) -> anyhow::Result<u8> {
    let format = args.out.format.unwrap_or(NetpolFormat::Text);
    if !matches!(format, NetpolFormat::Text | NetpolFormat::Json) {
        return unsupported("isolate", format, "text (YAML) or json");
    }
    let loaded = load(&args.input.paths, args.input.max_file_size);
    let style = Style::stderr(args.out.color);
    let target = match loaded.resolve(&args.target) {
        Ok(Endpoint::Workload(w)) => (*w).clone(),
        Ok(Endpoint::IpRange(_)) => {
            eprintln!(
                "kubeward: error: `{}` is an address; isolate takes NS/POD or NS/WORKLOAD",
                args.target
            );
            return Ok(EXIT_ERROR);
        }
        Err(e) => {
            loaded.report_problems(style, None);
            eprintln!("kubeward: error: {e}");
            return Ok(EXIT_ERROR);
        }
    };
    let errors = loaded.report_problems(style, Some(&[target.namespace.as_str()]));
    let result = match loaded.cluster.isolate(&target, args.keep_dns) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kubeward: error: {e}");
            return Ok(EXIT_ERROR);
        }
    };
    let mut notes = Vec::new();
    if !result.also_selects.is_empty() {
        let names: Vec<String> = result
            .also_selects
            .iter()
            .map(ToString::to_string)
            .collect();
        notes.push(format!(
            "the pod selector also selects {}: their pods would be quarantined too",
            names.join(", ")
        ));
    }
    for p in &result.still_allowed_by {
        notes.push(format!(
            "NetworkPolicy {}/{} ({}) still allows traffic to or from the target: policies are additive, so remove or narrow it too",
            p.namespace,
            p.name,
            loaded.policy_site(p, "")
        ));
    }
    for c in &result.remaining {
        notes.push(format!(
            "still allowed: {} -> {}  {}",
            c.src, c.dst, c.ports
        ));
    }
    for n in &notes {
        eprintln!("{}: {n}", style.warning());
    }
    let text = if format == NetpolFormat::Json {
        let doc = IsolateJson {
            target: &target,
            yaml: &result.yaml,
            also_selects: &result.also_selects,
            still_allowed_by: result
                .still_allowed_by
                .iter()
                .map(|p| policy_json(&loaded, p))
                .collect(),
            remaining: &result.remaining,
        };
        format!("{}\n", serde_json::to_string_pretty(&doc)?)
    } else {
        let mut header = format!(
            "# Quarantine for {target} generated by `kubeward netpol isolate`{}.\n# Review, then `kubectl apply -f` this file.\n",
            if args.keep_dns { " (DNS kept)" } else { "" }
        );
        for n in &notes {
            let _ = writeln!(header, "# warning: {n}");
        }
        format!("{header}{}", result.yaml)
    };
    output::write(&text, args.out.output.as_deref())?;
    Ok(if errors { EXIT_ERROR } else { EXIT_OK })
}

// ---------------------------------------------------------------------------------------
// diff

fn diff(args: &DiffArgs) -> anyhow::Result<u8> {
    let format = args.out.format.unwrap_or(NetpolFormat::Text);
    if format == NetpolFormat::Dot {
        return unsupported("diff", format, "text, json or md");
    }
    let style = Style::stderr(args.out.color);
    let old = load(std::slice::from_ref(&args.old), args.max_file_size);
    let new = load(std::slice::from_ref(&args.new), args.max_file_size);
    let errors_old = old.report_problems(style, None);
    let errors_new = new.report_problems(style, None);
    let d = kubeward_netpol::diff(&old.cluster.connections(), &new.cluster.connections());
    let text = match format {
        NetpolFormat::Json => format!("{}\n", serde_json::to_string_pretty(&d)?),
        NetpolFormat::Md => format!(
            "{}\n{}",
            markdown_connections("Connections gained:", &d.gained),
            markdown_connections("Connections lost:", &d.lost)
        ),
        _ => {
            let out_style = Style::stdout(args.out.color, args.out.output.as_deref());
            let mut s = String::new();
            for c in &d.gained {
                let _ = writeln!(
                    s,
                    "{} {} -> {}  {}",
                    out_style.paint("32", "+"),
                    c.src,
                    c.dst,
                    c.ports
                );
            }
            for c in &d.lost {
                let _ = writeln!(
                    s,
                    "{} {} -> {}  {}",
                    out_style.paint("31", "-"),
                    c.src,
                    c.dst,
                    c.ports
                );
            }
            let _ = writeln!(s, "# {} gained, {} lost", d.gained.len(), d.lost.len());
            s
        }
    };
    output::write(&text, args.out.output.as_deref())?;
    Ok(if errors_old || errors_new {
        EXIT_ERROR
    } else if d.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

//! Hardening checks over a [`ParsedDockerfile`].
//!
//! Each check has a stable id, a title, a default severity and a Markdown documentation
//! text (What it does / Why is this bad? / Example / Use instead / Fix / Exceptions /
//! References) kept in `src/checks/docs/<id>.md`. The first `dockerfile` code block of a
//! document must trigger its check and the second must not; a test enforces it.
//!
//! ```
//! let info = kubeward_dockerfile::checks().iter().find(|c| c.id == "final-stage-root").unwrap();
//! assert_eq!(info.severity.as_str(), "high");
//! assert!(info.doc.contains("CIS Docker Benchmark"));
//! ```

use kubeward_source::Span;

use crate::ast::{Args, Instruction, Keyword, ParsedDockerfile};
use crate::shell::{self, Command};

mod files;
mod image;
mod run;
mod secrets;

/// How serious a finding is by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Direct path to compromise.
    Critical,
    /// Serious weakness.
    High,
    /// Weakness that needs another flaw to matter.
    Medium,
    /// Hygiene with a security angle.
    Low,
    /// Informational.
    Info,
}

impl Severity {
    /// Lower-case name (`critical`, `high`, `medium`, `low`, `info`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Metadata and documentation of one check.
#[derive(Debug, PartialEq, Eq)]
pub struct CheckInfo {
    /// Stable kebab-case id, e.g. `final-stage-root`.
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Compliance and literature references (CIS Docker Benchmark, NIST SP 800-190, CWE).
    pub references: &'static [&'static str],
    /// Markdown documentation with fixed sections.
    pub doc: &'static str,
}

/// One problem found by a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The check that found it.
    pub check: &'static CheckInfo,
    /// The offending instruction (for multi-line instructions, all of it).
    pub span: Span,
    /// What is wrong, naming the part in backticks. Never contains secret values.
    pub message: String,
    /// The build stage (index into [`ParsedDockerfile::stages`]), if any.
    pub stage: Option<usize>,
}

macro_rules! check_info {
    ($id:literal, $title:literal, $sev:ident, [$($r:literal),* $(,)?]) => {
        CheckInfo {
            id: $id,
            title: $title,
            severity: Severity::$sev,
            references: &[$($r),*],
            doc: include_str!(concat!("docs/", $id, ".md")),
        }
    };
}

/// Number of checks.
const N: usize = 17;

/// The catalogue, in a stable order. [`RUNNERS`] has the check functions in the same order.
pub(crate) static CHECKS: [CheckInfo; N] = [
    check_info!(
        "final-stage-root",
        "Final stage runs as root",
        High,
        [
            "CIS Docker Benchmark 4.1",
            "NIST SP 800-190 4.1.2",
            "CWE-250"
        ]
    ),
    check_info!(
        "base-image-unpinned",
        "Base image uses `latest` or no tag",
        Medium,
        [
            "CIS Docker Benchmark 4.2",
            "NIST SP 800-190 4.1.5",
            "CWE-1357"
        ]
    ),
    check_info!(
        "base-image-no-digest",
        "Base image is not pinned by digest",
        Info,
        ["CIS Docker Benchmark 4.2", "NIST SP 800-190 4.1.5"]
    ),
    check_info!(
        "add-remote-url",
        "ADD downloads a remote URL without checksum",
        Medium,
        [
            "CIS Docker Benchmark 4.9",
            "CIS Docker Benchmark 4.11",
            "NIST SP 800-190 4.1.3",
            "CWE-494"
        ]
    ),
    check_info!(
        "add-instead-of-copy",
        "ADD used where COPY suffices",
        Low,
        ["CIS Docker Benchmark 4.9"]
    ),
    check_info!(
        "secret-in-env",
        "Secret in ENV",
        High,
        [
            "CIS Docker Benchmark 4.10",
            "NIST SP 800-190 4.1.4",
            "CWE-798"
        ]
    ),
    check_info!(
        "secret-in-arg",
        "Secret in ARG default",
        High,
        [
            "CIS Docker Benchmark 4.10",
            "NIST SP 800-190 4.1.4",
            "CWE-798"
        ]
    ),
    check_info!(
        "curl-pipe-shell",
        "Remote script piped into a shell",
        High,
        [
            "CIS Docker Benchmark 4.11",
            "NIST SP 800-190 4.1.3",
            "CWE-494"
        ]
    ),
    check_info!(
        "package-cache-not-cleaned",
        "Package manager cache left in the image",
        Low,
        ["CIS Docker Benchmark 4.3"]
    ),
    check_info!(
        "apt-no-install-recommends",
        "apt-get install without --no-install-recommends",
        Low,
        ["CIS Docker Benchmark 4.3", "NIST SP 800-190 4.1.1"]
    ),
    check_info!(
        "sudo-usage",
        "sudo used in RUN",
        Medium,
        ["CIS Docker Benchmark 4.1", "CWE-250"]
    ),
    check_info!(
        "chmod-world-writable",
        "World-writable file mode",
        Medium,
        ["NIST SP 800-190 4.1.2", "CWE-732"]
    ),
    check_info!(
        "expose-ssh",
        "SSH port exposed",
        Medium,
        ["CIS Docker Benchmark 5.6", "NIST SP 800-190 4.4.2"]
    ),
    check_info!(
        "build-tools-in-final-stage",
        "Build tools installed in a single-stage image",
        Low,
        ["CIS Docker Benchmark 4.3", "NIST SP 800-190 4.1.1"]
    ),
    check_info!(
        "missing-healthcheck",
        "No HEALTHCHECK in the final stage",
        Info,
        ["CIS Docker Benchmark 4.6"]
    ),
    check_info!(
        "apt-upgrade",
        "apt-get upgrade / dist-upgrade in RUN",
        Low,
        ["CIS Docker Benchmark 4.7"]
    ),
    check_info!(
        "run-security-insecure",
        "RUN --security=insecure",
        High,
        ["NIST SP 800-190 4.4.3", "CWE-250"]
    ),
];

type CheckFn = fn(&Ctx<'_>, &'static CheckInfo, &mut Vec<Finding>);

static RUNNERS: [CheckFn; N] = [
    image::final_stage_root,
    image::base_image_unpinned,
    image::base_image_no_digest,
    files::add_remote_url,
    files::add_instead_of_copy,
    secrets::secret_in_env,
    secrets::secret_in_arg,
    run::curl_pipe_shell,
    run::package_cache_not_cleaned,
    run::apt_no_install_recommends,
    run::sudo_usage,
    files::chmod_world_writable,
    image::expose_ssh,
    run::build_tools_in_final_stage,
    image::missing_healthcheck,
    run::apt_upgrade,
    run::run_security_insecure,
];

/// A `RUN` (possibly an `ONBUILD RUN` trigger) with its script split into commands.
pub(crate) struct RunScript<'a> {
    /// The instruction as it appears in the file (the `ONBUILD` for triggers).
    pub outer: &'a Instruction,
    /// The `RUN` itself.
    pub run: &'a Instruction,
    /// Simple commands of the script (heredoc bodies included).
    pub commands: Vec<Command>,
}

impl RunScript<'_> {
    /// Whether any command is `name` followed (after options) by a word in `subcommands`.
    pub fn has_mount_target(&self, needle: &str) -> bool {
        self.run.flag_values("mount").any(|m| {
            m.split(',').any(|kv| {
                kv.split_once('=').is_some_and(|(k, v)| {
                    matches!(k, "target" | "dst" | "destination") && v.contains(needle)
                })
            }) && m.split(',').any(|kv| kv == "type=cache")
        })
    }
}

/// Shared, precomputed facts for the checks.
pub(crate) struct Ctx<'a> {
    pub df: &'a ParsedDockerfile,
    /// Per stage: whether its filesystem ends up in the final image (final stage and the
    /// stages it is built `FROM`).
    pub in_final_image: Vec<bool>,
    pub runs: Vec<RunScript<'a>>,
}

impl<'a> Ctx<'a> {
    fn new(df: &'a ParsedDockerfile) -> Self {
        let mut in_final_image = vec![false; df.stages.len()];
        let mut next = df.stages.len().checked_sub(1);
        let mut guard = 0;
        while let Some(i) = next {
            guard += 1;
            if guard > df.stages.len() {
                break;
            }
            if let Some(slot) = in_final_image.get_mut(i) {
                *slot = true;
            }
            next = match df.stages.get(i).map(|s| &s.base.kind) {
                Some(crate::ast::BaseKind::Stage(j)) if *j < i => Some(*j),
                _ => None,
            };
        }
        let mut runs = Vec::new();
        for outer in &df.instructions {
            let run = outer.onbuild_trigger().unwrap_or(outer);
            if run.keyword != Keyword::Run {
                continue;
            }
            runs.push(RunScript {
                outer,
                run,
                commands: shell::commands(&run_script(run)),
            });
        }
        Ctx {
            df,
            in_final_image,
            runs,
        }
    }

    /// Whether an instruction of stage `stage` ends up in the final image.
    pub fn final_image(&self, stage: Option<usize>) -> bool {
        stage.is_some_and(|s| self.in_final_image.get(s).copied().unwrap_or(false))
    }

    /// Instructions that belong to a stage, with `ONBUILD` triggers unwrapped:
    /// (instruction as written, effective instruction).
    pub fn effective(&self) -> impl Iterator<Item = (&'a Instruction, &'a Instruction)> {
        self.df
            .instructions
            .iter()
            .filter(|i| i.stage.is_some())
            .map(|i| (i, i.onbuild_trigger().unwrap_or(i)))
    }
}

/// The shell script a `RUN` executes: shell form text plus heredoc bodies, or the
/// `sh -c` argument / joined words of the exec form.
pub(crate) fn run_script(run: &Instruction) -> String {
    match &run.args {
        Args::Exec(words) => {
            let values: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
            match values.as_slice() {
                [sh, flag, script, ..]
                    if matches!(
                        shell::basename(sh),
                        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh"
                    ) && flag.starts_with('-')
                        && flag.contains('c') =>
                {
                    (*script).to_owned()
                }
                _ => values.join(" "),
            }
        }
        Args::Shell(w) => {
            let mut s = w.raw.clone();
            for doc in &run.heredocs {
                s.push('\n');
                s.push_str(&doc.content);
            }
            s
        }
        _ => String::new(),
    }
}

pub(crate) fn finding(info: &'static CheckInfo, instr: &Instruction, message: String) -> Finding {
    Finding {
        check: info,
        span: instr.span,
        message,
        stage: instr.stage,
    }
}

/// Runs every check; findings sorted by span then id.
pub(crate) fn run(df: &ParsedDockerfile) -> Vec<Finding> {
    let ctx = Ctx::new(df);
    let mut out = Vec::new();
    for (info, f) in CHECKS.iter().zip(RUNNERS.iter()) {
        f(&ctx, info, &mut out);
    }
    out.sort_by(|a, b| (a.span, a.check.id, &a.message).cmp(&(b.span, b.check.id, &b.message)));
    out.dedup_by(|a, b| a.span == b.span && a.check.id == b.check.id && a.message == b.message);
    out
}

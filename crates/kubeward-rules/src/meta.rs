//! Rule metadata: what a rule is, independent of what it checks.

use kubeward_diagnostics::{Category, Compliance, Framework, Severity};

use crate::context::{BundleContext, Emitter, ObjectContext};

/// The check function of a rule.
#[derive(Clone, Copy)]
pub enum Check {
    /// Runs on one object at a time (streamed per file; also used by the admission webhook).
    Object(fn(&ObjectContext<'_>, &mut Emitter<'_>)),
    /// Runs once over every object of the scan (cross-object rules).
    Bundle(for<'a> fn(&BundleContext<'a>, &mut Emitter<'a>)),
    /// Produced outside the object runner: by the loader (input problems) or by a domain
    /// adapter over non-manifest input (Dockerfiles, node configuration, audit events, live
    /// probes), through [`crate::Engine::external`]. Documented like every rule.
    External,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Check::Object(_) => "Object",
            Check::Bundle(_) => "Bundle",
            Check::External => "External",
        })
    }
}

/// A rule: identity, documentation, default severity, scope and compliance references, and
/// the check function. Declared with [`crate::declare_rule!`] so the doc comment becomes
/// [`Rule::docs`].
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Code: category prefix + 3 digits (`POD001`). Never reused.
    pub code: &'static str,
    /// Kebab-case name naming the bad pattern (`privileged-container`).
    pub name: &'static str,
    /// The doc comment (Markdown, fixed sections).
    pub docs: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Category.
    pub category: Category,
    /// Kinds the rule looks at (empty = every kind).
    pub kinds: &'static [&'static str],
    /// Compliance references.
    pub compliance: &'static [Compliance],
    /// One-line fix.
    pub fix: &'static str,
    /// Kubeward version that introduced the rule.
    pub since: &'static str,
    /// The check.
    pub check: Check,
}

impl Rule {
    /// The first sentence of the "What it does" section.
    #[must_use]
    pub fn summary(&self) -> String {
        section(self.docs, "What it does")
            .lines()
            .map(str::trim)
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A section of the docs by heading (`Why is this bad?`), without the heading.
    #[must_use]
    pub fn section(&self, heading: &str) -> String {
        section(self.docs, heading)
    }

    /// The YAML examples in the docs: the bad example (first block) and the good one (the block
    /// after "Use instead:").
    #[must_use]
    pub fn examples(&self) -> (Option<String>, Option<String>) {
        let example = self.section("Example");
        let (bad_part, good_part) = match example.split_once("Use instead:") {
            Some((bad, good)) => (bad, Some(good)),
            None => (example.as_str(), None),
        };
        (
            first_yaml_block(bad_part),
            good_part.and_then(first_yaml_block),
        )
    }

    /// Whether the rule applies to objects of `kind`.
    #[must_use]
    pub fn applies_to(&self, kind: &str) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }
}

fn section(docs: &str, heading: &str) -> String {
    let mut out = Vec::new();
    let mut inside = false;
    let mut in_code = false;
    for line in docs.lines() {
        let trimmed = line.strip_prefix(' ').unwrap_or(line);
        if trimmed.starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && let Some(h) = trimmed.strip_prefix("## ") {
            inside = h.trim() == heading;
            continue;
        }
        if inside {
            out.push(trimmed);
        }
    }
    out.join("\n").trim().to_string()
}

fn first_yaml_block(text: &str) -> Option<String> {
    let start = text.find("```yaml")?;
    let body = text.get(start + "```yaml".len()..)?;
    let end = body.find("```")?;
    Some(body.get(..end)?.trim_start_matches('\n').to_string())
}

/// A Pod Security Standards reference.
#[must_use]
pub const fn pss(id: &'static str) -> Compliance {
    Compliance {
        framework: Framework::Pss,
        id,
    }
}

/// A CIS Kubernetes Benchmark reference.
#[must_use]
pub const fn cis(id: &'static str) -> Compliance {
    Compliance {
        framework: Framework::Cis,
        id,
    }
}

/// An NSA/CISA Kubernetes Hardening Guidance reference.
#[must_use]
pub const fn nsa(id: &'static str) -> Compliance {
    Compliance {
        framework: Framework::NsaCisa,
        id,
    }
}

/// A MITRE ATT&CK technique reference.
#[must_use]
pub const fn mitre(id: &'static str) -> Compliance {
    Compliance {
        framework: Framework::Mitre,
        id,
    }
}

/// A CWE reference.
#[must_use]
pub const fn cwe(id: &'static str) -> Compliance {
    Compliance {
        framework: Framework::Cwe,
        id,
    }
}

/// Declares a rule whose doc comment becomes its documentation.
///
/// The doc comment uses fixed sections: `## What it does`, `## Why is this bad?`,
/// `## Example` (bad YAML, then "Use instead:" and good YAML), `## Fix`, `## Exceptions`,
/// `## Options`, `## References`. `kubeward explain`, `kubeward rules`, SARIF rule help and the
/// docs pages are all generated from it, and its examples are executed by the test suite.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $ident:ident: Rule = Rule { $($field:ident : $value:expr),* $(,)? };
    ) => {
        $(#[doc = $doc])*
        $vis static $ident: $crate::Rule = $crate::Rule {
            docs: concat!($($doc, "\n"),*),
            $($field: $value),*
        };
    };
}

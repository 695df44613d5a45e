//! `KW` rules: problems with the input itself, reported by the loader and the runner.

use kubeward_diagnostics::{Category, Severity};

use crate::meta::cwe;
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports input that cannot be parsed: malformed YAML or JSON manifests, and Dockerfiles
    /// with syntax errors (unknown instructions, unterminated heredocs, bad flags).
    ///
    /// ## Why is this bad?
    /// A document that does not parse is not applied by `kubectl` (or built by `docker build`)
    /// and is not scanned: its mistakes stay hidden. kubeward reports the position and, in a
    /// YAML stream, skips to the next `---` document, so the rest of the file is still scanned.
    ///
    /// ## Fix
    /// Correct the syntax at the reported line and column (tabs for indentation, unclosed
    /// brackets and quotes, and bad indentation are the usual causes in YAML).
    ///
    /// ## References
    /// - YAML 1.2 specification: https://yaml.org/spec/1.2.2/
    pub static YAML_SYNTAX_ERROR: Rule = Rule {
        code: "KW001",
        name: "syntax-error",
        severity: Severity::High,
        category: Category::Input,
        kinds: &[],
        compliance: &[],
        fix: "Correct the YAML syntax at the reported position.",
        since: "0.1.0",
        check: Check::External,
    };
}

declare_rule! {
    /// ## What it does
    /// Reports a mapping that has the same key twice.
    ///
    /// ## Why is this bad?
    /// `kubectl` keeps the last value silently, so a reviewer reading the first one is misled;
    /// a security setting can be overridden a few lines further down.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    ///   runAsNonRoot: false
    /// ```
    ///
    /// ## Fix
    /// Keep one entry per key.
    pub static DUPLICATE_KEY: Rule = Rule {
        code: "KW002",
        name: "duplicate-key",
        severity: Severity::Low,
        category: Category::Input,
        kinds: &[],
        compliance: &[],
        fix: "Remove the duplicate key; the last value is the one applied.",
        since: "0.1.0",
        check: Check::External,
    };
}

declare_rule! {
    /// ## What it does
    /// Reports input that exceeds a safety limit: nesting deeper than 128 levels, aliases
    /// expanding to more than 100,000 nodes ("billion laughs"), more than 4 million nodes in a
    /// document, or a file above the size limit.
    ///
    /// ## Why is this bad?
    /// Such input is either an attack on the tools that read it or a generated file nobody can
    /// review. kubeward refuses to expand it so scanning stays fast and bounded.
    ///
    /// ## Fix
    /// Split or simplify the document; remove recursive aliases.
    pub static INPUT_LIMIT_EXCEEDED: Rule = Rule {
        code: "KW003",
        name: "input-limit-exceeded",
        severity: Severity::High,
        category: Category::Input,
        kinds: &[],
        compliance: &[cwe("CWE-776")],
        fix: "Reduce nesting, aliases or size of the document.",
        since: "0.1.0",
        check: Check::External,
    };
}

declare_rule! {
    /// ## What it does
    /// Reports an input that cannot be read: missing or unreadable files, invalid UTF-8,
    /// binary files, symlink loops.
    ///
    /// ## Why is this bad?
    /// The file is not scanned, so its findings are unknown.
    ///
    /// ## Fix
    /// Fix the permissions or the encoding (manifests are UTF-8), or exclude the file.
    pub static UNREADABLE_INPUT: Rule = Rule {
        code: "KW004",
        name: "unreadable-input",
        severity: Severity::High,
        category: Category::Input,
        kinds: &[],
        compliance: &[],
        fix: "Make the file readable UTF-8 text, or exclude it from the scan.",
        since: "0.1.0",
        check: Check::External,
    };
}

declare_rule! {
    /// ## What it does
    /// Reports a YAML document that is not a Kubernetes object (no `kind` or `apiVersion`, or
    /// not a mapping), and list items without a `kind`. A `.json` file with neither key
    /// (`package.json`, SBOMs, OSV advisories, tool configuration) is not a manifest at all and
    /// is passed over silently.
    ///
    /// ## Why is this bad?
    /// It is not scanned. In a manifests directory this is usually a Helm values file or a
    /// broken document.
    ///
    /// ## Fix
    /// Add `apiVersion` and `kind`, or keep non-manifest YAML out of the scanned paths.
    pub static NOT_AN_OBJECT: Rule = Rule {
        code: "KW005",
        name: "not-an-object",
        severity: Severity::Info,
        category: Category::Input,
        kinds: &[],
        compliance: &[],
        fix: "Add `apiVersion` and `kind`, or exclude the file.",
        since: "0.1.0",
        check: Check::External,
    };
}

declare_rule! {
    /// ## What it does
    /// Reports a field whose value has the wrong type, such as `containers: "x"` or
    /// `privileged: "yes please"`.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object, and rules cannot judge the field: a security
    /// setting that looks set is in fact invalid.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   privileged: "no"
    /// ```
    ///
    /// ## Fix
    /// Use the type the Kubernetes API expects (booleans unquoted, lists as YAML sequences).
    pub static WRONG_FIELD_TYPE: Rule = Rule {
        code: "KW006",
        name: "wrong-field-type",
        severity: Severity::Medium,
        category: Category::Input,
        kinds: &[],
        compliance: &[],
        fix: "Use the type the Kubernetes API expects for this field.",
        since: "0.1.0",
        check: Check::External,
    };
}

declare_rule! {
    /// ## What it does
    /// Reports a suppression that suppresses nothing: a `kubeward.io/ignore` annotation on a
    /// manifest, or a `# kubeward:ignore CODE: reason` comment in a Dockerfile (which must sit
    /// directly above the instruction it covers).
    ///
    /// ## Why is this bad?
    /// Stale suppressions hide future findings of the same rule without anyone deciding so.
    ///
    /// ## Fix
    /// Remove the code from the annotation or comment, or the suppression itself.
    pub static UNUSED_SUPPRESSION: Rule = Rule {
        code: "KW007",
        name: "unused-suppression",
        severity: Severity::Low,
        category: Category::Input,
        kinds: &[],
        compliance: &[],
        fix: "Remove the unused code from the suppression.",
        since: "0.1.0",
        check: Check::External,
    };
}

declare_rule! {
    /// ## What it does
    /// Reports a suppression (`kubeward.io/ignore` annotation, or `# kubeward:ignore` comment in a
    /// Dockerfile) that cannot be parsed or has no reason.
    ///
    /// ## Why is this bad?
    /// Every suppression must say why, so that reviewers can judge it later.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     kubeward.io/ignore: "POD001"
    /// ```
    /// Use instead:
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     kubeward.io/ignore: "POD001: the CNI agent needs privileged mode"
    /// ```
    ///
    /// ## Fix
    /// Write `CODE[,CODE]: reason`.
    pub static INVALID_SUPPRESSION: Rule = Rule {
        code: "KW008",
        name: "invalid-suppression",
        severity: Severity::Medium,
        category: Category::Input,
        kinds: &[],
        compliance: &[],
        fix: "Write the suppression as `CODE[,CODE]: reason`.",
        since: "0.1.0",
        check: Check::External,
    };
}

/// Every `KW` rule.
pub static RULES: &[&crate::Rule] = &[
    &YAML_SYNTAX_ERROR,
    &DUPLICATE_KEY,
    &INPUT_LIMIT_EXCEEDED,
    &UNREADABLE_INPUT,
    &NOT_AN_OBJECT,
    &WRONG_FIELD_TYPE,
    &UNUSED_SUPPRESSION,
    &INVALID_SUPPRESSION,
];

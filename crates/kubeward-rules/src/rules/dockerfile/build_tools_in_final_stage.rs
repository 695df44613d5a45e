use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cis, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// In a Dockerfile with a single stage, reports `RUN` steps that install compilers, build
    /// systems or VCS tools (`gcc`, `g++`, `make`, `cmake`, `build-essential`, `build-base`, `git`,
    /// `golang`, `clang`, `cargo`, ...) through `apt-get`, `apk`, `dnf`/`yum` or `zypper` and do not
    /// remove them in the same `RUN` (`apk del <virtual>`, `apt-get purge`, or `apt-mark auto` +
    /// `apt-get purge --auto-remove`).
    ///
    /// ## Why is this bad?
    /// Compilers and `git` in a runtime image give an attacker who gets code execution the tools
    /// to build exploits and fetch more code, and they add many packages with their own
    /// vulnerabilities. A multi-stage build compiles in a builder stage and copies only the result.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22
    /// RUN apt-get update && apt-get install -y --no-install-recommends git make && rm -rf /var/lib/apt/lists/*
    /// COPY . /src
    /// RUN make -C /src build
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// RUN apt-get update && apt-get install -y --no-install-recommends git make && rm -rf /var/lib/apt/lists/*
    /// COPY . /src
    /// RUN make -C /src build
    ///
    /// FROM gcr.io/distroless/static-debian12:nonroot
    /// COPY --from=build /src/bin/app /app
    /// ```
    ///
    /// ## Fix
    /// Split the Dockerfile into a builder stage and a minimal runtime stage, or remove the tools in
    /// the same `RUN` that uses them.
    ///
    /// ## Exceptions
    /// Development and CI images whose purpose is building software.
    ///
    /// To accept one finding, put a comment on the line directly above the `RUN`, naming the rule
    /// and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG113: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG113` or `ignore: [IMG113]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3 (Ensure that unnecessary packages are not installed in the container)
    /// - NIST SP 800-190 4.1.1 (Image vulnerabilities)
    /// - MITRE ATT&CK T1059 (Command and Scripting Interpreter)
    pub static BUILD_TOOLS_IN_FINAL_STAGE: Rule = Rule {
        code: "IMG113",
        name: "build-tools-in-final-stage",
        severity: Severity::Low,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.3"), mitre("T1059")],
        fix: "Build in a separate stage and copy only the artefacts into a minimal final stage.",
        since: "0.1.0",
        check: Check::External,
    };
}

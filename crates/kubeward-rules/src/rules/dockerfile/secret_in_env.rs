use kubeward_diagnostics::{Category, Severity};

use crate::meta::{cis, cwe, mitre};
use crate::{Check, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `ENV` variables whose name looks like a secret (contains `PASSWORD`, `PASSWD`,
    /// `PASSPHRASE`, `SECRET`, `TOKEN`, `API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`, `AUTH_KEY`,
    /// `CREDENTIAL`, or ends in `_PASS`) and whose value is a literal. Not reported: names ending in
    /// `_FILE`, `_PATH`, `_DIR`, `_URL`, `_NAME`, `_ID` and similar metadata suffixes; empty values;
    /// values containing `$` (references to other variables); absolute paths; placeholders such as
    /// `<token>`, `{{ token }}`, `changeme`, `xxxx`, `true`/`false`. The message never repeats the
    /// value.
    ///
    /// ## Why is this bad?
    /// `ENV` values are stored in the image configuration: anyone who can pull the image reads them
    /// with `docker inspect`, and they are inherited by every container and child image. The secret
    /// is also committed to the repository with the Dockerfile.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV DB_PASSWORD=s3cr3t-Pa55
    /// ```
    ///
    /// Use instead:
    ///
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV DB_PASSWORD_FILE=/run/secrets/db_password
    /// ```
    ///
    /// ## Fix
    /// Pass secrets at run time (Kubernetes Secrets mounted as files or `secretKeyRef`
    /// environment variables). For secrets needed during the build use
    /// `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci` with
    /// `docker build --secret id=npmrc,src=$HOME/.npmrc`: the secret never enters a layer.
    ///
    /// ## Exceptions
    /// Well-known public test credentials in test images.
    ///
    /// To accept one finding, put a comment on the line directly above the `ENV`, naming the rule
    /// and a mandatory reason:
    ///
    /// ```dockerfile
    /// # kubeward:ignore IMG105: <reason>
    /// ```
    ///
    /// Several rules can share one comment (`# kubeward:ignore IMG100,IMG114: <reason>`). A comment
    /// that suppresses nothing is reported as `KW007`, one without a reason as `KW008`. `--ignore
    /// IMG105` or `ignore: [IMG105]` in `.kubeward.yaml` turns the rule off.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.10 (Ensure secrets are not stored in Dockerfiles)
    /// - NIST SP 800-190 4.1.4 (Embedded clear text secrets)
    /// - CWE-798
    /// - MITRE ATT&CK T1552.001 (Unsecured Credentials: Credentials In Files)
    pub static SECRET_IN_ENV: Rule = Rule {
        code: "IMG105",
        name: "secret-in-env",
        severity: Severity::High,
        category: Category::Image,
        kinds: &["Dockerfile"],
        compliance: &[cis("Docker 4.10"), cwe("CWE-798"), mitre("T1552.001")],
        fix: "Remove the literal; pass the secret at run time, or use a BuildKit secret mount during the build.",
        since: "0.1.0",
        check: Check::External,
    };
}

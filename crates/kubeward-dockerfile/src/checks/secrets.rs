//! Secrets written into `ENV` and `ARG`.

use super::{CheckInfo, Ctx, Finding};
use crate::ast::{Instruction, KeyValue, Keyword};

/// Name fragments that mark a variable as holding a secret (upper-case, `-` and `.` read as `_`).
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "AUTH_KEY",
    "CREDENTIAL",
];

/// Name suffixes that designate metadata about a secret rather than the secret itself.
const NON_SECRET_SUFFIXES: &[&str] = &[
    "_FILE",
    "_PATH",
    "_DIR",
    "_URL",
    "_URI",
    "_ENDPOINT",
    "_NAME",
    "_TYPE",
    "_TTL",
    "_TIMEOUT",
    "_EXPIRY",
    "_EXPIRES",
    "_LENGTH",
    "_SIZE",
    "_ENABLED",
    "_ID",
    "_REF",
    "_VERSION",
    "_HEADER",
    "_MOUNT",
    "_KEY_ID",
];

/// Values that stand for "no real secret here".
const PLACEHOLDERS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "replaceme",
    "replace_me",
    "replace-me",
    "placeholder",
    "todo",
    "tbd",
    "none",
    "null",
    "nil",
    "undefined",
    "unset",
    "dummy",
    "example",
    "redacted",
    "secret",
    "password",
    "token",
    "true",
    "false",
    "yes",
    "no",
    "0",
    "1",
];

/// Whether a variable name designates a secret.
pub(crate) fn is_secret_name(key: &str) -> bool {
    let k: String = key
        .chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    if NON_SECRET_SUFFIXES.iter().any(|s| k.ends_with(s)) {
        return false;
    }
    SECRET_WORDS.iter().any(|w| k.contains(w)) || k.ends_with("_PASS") || k == "PASS"
}

/// Whether a value is a real literal (not empty, a reference, a path or a placeholder).
pub(crate) fn is_literal_secret(raw: &str, value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || raw.contains('$') || v.starts_with('/') {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDERS.contains(&lower.as_str()) {
        return false;
    }
    let wrapped = |a: &str, b: &str| v.starts_with(a) && v.ends_with(b);
    if wrapped("<", ">") || wrapped("{{", "}}") || wrapped("__", "__") || wrapped("%", "%") {
        return false;
    }
    // `xxx`, `***`, `...`: one repeated character.
    let mut chars = v.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return false;
    }
    true
}

fn secret_pairs<'a>(
    ctx: &Ctx<'a>,
    keyword: Keyword,
) -> Vec<(&'a Instruction, &'a Instruction, &'a KeyValue)> {
    let mut out = Vec::new();
    for outer in &ctx.df.instructions {
        let instr = outer.onbuild_trigger().unwrap_or(outer);
        if instr.keyword != keyword {
            continue;
        }
        for pair in instr.pairs() {
            if let (Some(raw), Some(value)) = (&pair.raw_value, &pair.value)
                && is_secret_name(&pair.key)
                && is_literal_secret(raw, value)
            {
                out.push((outer, instr, pair));
            }
        }
    }
    out
}

pub(crate) fn secret_in_env(ctx: &Ctx<'_>, info: &'static CheckInfo, out: &mut Vec<Finding>) {
    for (outer, _, pair) in secret_pairs(ctx, Keyword::Env) {
        out.push(Finding {
            check: info,
            span: outer.span,
            message: format!(
                "`ENV {}` sets a secret-looking variable to a literal value; it is stored in the image config",
                pair.key
            ),
            stage: outer.stage,
        });
    }
}

pub(crate) fn secret_in_arg(ctx: &Ctx<'_>, info: &'static CheckInfo, out: &mut Vec<Finding>) {
    for (outer, _, pair) in secret_pairs(ctx, Keyword::Arg) {
        out.push(Finding {
            check: info,
            span: outer.span,
            message: format!(
                "`ARG {}` has a literal secret-looking default; build arguments are visible in the image history",
                pair.key
            ),
            stage: outer.stage,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for yes in [
            "DB_PASSWORD",
            "github_token",
            "API_KEY",
            "aws-secret-access-key",
            "MYSQL_ROOT_PASSWORD",
            "DB_PASS",
            "NPM_TOKEN",
            "CLIENT_SECRET",
        ] {
            assert!(is_secret_name(yes), "{yes}");
        }
        for no in [
            "PASSWORD_FILE",
            "TOKEN_URL",
            "GPG_KEY",
            "SECRET_NAME",
            "PATH",
            "PASSENGER_VERSION",
            "AWS_ACCESS_KEY_ID",
            "BYPASS",
        ] {
            assert!(!is_secret_name(no), "{no}");
        }
    }

    #[test]
    fn values() {
        assert!(is_literal_secret("s3cr3t-Value", "s3cr3t-Value"));
        assert!(is_literal_secret("\"hunter2\"", "hunter2"));
        for (raw, v) in [
            ("", ""),
            ("${DB_PASSWORD}", ""),
            ("$TOKEN", ""),
            ("<your-token>", "<your-token>"),
            ("changeme", "changeme"),
            ("xxxxxx", "xxxxxx"),
            ("/run/secrets/db", "/run/secrets/db"),
            ("{{ token }}", "{{ token }}"),
            ("false", "false"),
        ] {
            assert!(!is_literal_secret(raw, v), "{raw}");
        }
    }
}

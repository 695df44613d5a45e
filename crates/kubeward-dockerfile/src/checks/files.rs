//! Checks about files entering the image: ADD sources and file modes.

use super::{CheckInfo, Ctx, Finding, finding};
use crate::ast::{Instruction, Keyword};
use crate::shell;

fn is_remote(src: &str) -> bool {
    let lower = src.to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("git@")
        || lower.starts_with("git://")
        || lower.starts_with("ssh://")
}

/// Extensions of files that `ADD` extracts (tar, optionally gzip/bzip2/xz/zstd compressed).
const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz2",
    ".tbz",
    ".tb2",
    ".tar.xz",
    ".txz",
    ".tar.zst",
    ".tzst",
    ".tar.lz",
    ".tar.lzma",
    ".tlz",
    ".gz",
    ".bz2",
    ".xz",
    ".zst",
    ".lzma",
];

fn is_archive(src: &str) -> bool {
    let lower = src.to_ascii_lowercase();
    ARCHIVE_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Source arguments of `COPY`/`ADD` (all words but the destination; heredoc names kept).
fn sources(instr: &Instruction) -> &[crate::ast::Word] {
    let words = instr.words();
    words.split_last().map_or(&[][..], |(_, s)| s)
}

pub(crate) fn add_remote_url(ctx: &Ctx<'_>, info: &'static CheckInfo, out: &mut Vec<Finding>) {
    for (outer, instr) in ctx.effective() {
        if instr.keyword != Keyword::Add || instr.flag_value("checksum").is_some() {
            continue;
        }
        if let Some(src) = sources(instr).iter().find(|w| is_remote(&w.value)) {
            out.push(finding(
                info,
                outer,
                format!(
                    "`ADD {}` downloads content without verifying a checksum",
                    src.value
                ),
            ));
        }
    }
}

pub(crate) fn add_instead_of_copy(ctx: &Ctx<'_>, info: &'static CheckInfo, out: &mut Vec<Finding>) {
    for (outer, instr) in ctx.effective() {
        if instr.keyword != Keyword::Add || !instr.heredocs.is_empty() {
            continue;
        }
        let srcs = sources(instr);
        if srcs.is_empty() {
            continue;
        }
        let plain = srcs.iter().all(|w| {
            let v = &w.value;
            !is_remote(v)
                && !is_archive(v)
                && !v.contains('$')
                && !v.ends_with('*')
                && !v.starts_with("<<")
        });
        if plain {
            let names: Vec<&str> = srcs.iter().map(|w| w.value.as_str()).collect();
            out.push(finding(
                info,
                outer,
                format!(
                    "`ADD {}` copies local files that are not archives: `COPY` does the same without ADD's implicit download and extraction",
                    names.join(" ")
                ),
            ));
        }
    }
}

/// Whether a `chmod` mode (octal or symbolic) makes files writable by others.
/// Modes with the sticky bit (`1777`, `+t`) are shared directories and are not reported.
pub(crate) fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_digit(8)) {
        let Ok(v) = u32::from_str_radix(mode, 8) else {
            return false;
        };
        let sticky = v & 0o1000 != 0;
        return v & 0o002 != 0 && !sticky;
    }
    let mut writable = false;
    let mut sticky = false;
    for clause in mode.split(',') {
        let who_end = clause
            .find(|c: char| !"ugoa".contains(c))
            .unwrap_or(clause.len());
        let who = clause.get(..who_end).unwrap_or("");
        let ops = clause.get(who_end..).unwrap_or("");
        // Each operator (+, =) applies to the permissions after it until the next operator.
        let mut op = ' ';
        for c in ops.chars() {
            match c {
                '+' | '=' | '-' => op = c,
                'w' if op != '-' && (who.contains('o') || who.contains('a')) => writable = true,
                't' if op != '-' => sticky = true,
                _ => {}
            }
        }
    }
    writable && !sticky
}

pub(crate) fn chmod_world_writable(
    ctx: &Ctx<'_>,
    info: &'static CheckInfo,
    out: &mut Vec<Finding>,
) {
    for (outer, instr) in ctx.effective() {
        if matches!(instr.keyword, Keyword::Copy | Keyword::Add)
            && let Some(mode) = instr.flag_value("chmod")
            && world_writable(mode)
        {
            out.push(finding(
                info,
                outer,
                format!("`--chmod={mode}` makes the files writable by every user"),
            ));
        }
    }
    for run in &ctx.runs {
        for cmd in &run.commands {
            let (prog, _) = cmd.program();
            let Some((name, args)) = prog.split_first() else {
                continue;
            };
            if shell::basename(name) != "chmod" {
                continue;
            }
            // A mode starting with `-` (`-w`) only removes permissions.
            let Some(mode) = args.iter().find(|a| !a.starts_with('-')) else {
                continue;
            };
            if world_writable(mode) {
                out.push(finding(
                    info,
                    run.outer,
                    format!("`chmod {mode}` makes files writable by every user"),
                ));
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        for yes in [
            "777", "0777", "666", "o+w", "a+rwx", "u+x,o+rw", "go=rwx", "0002",
        ] {
            assert!(world_writable(yes), "{yes}");
        }
        for no in [
            "755", "1777", "644", "u+w", "+w", "o-w", "a+rx", "a+rwxt", "g+w", "x",
        ] {
            assert!(!world_writable(no), "{no}");
        }
    }

    #[test]
    fn archives() {
        assert!(is_archive("app.tar.gz"));
        assert!(is_archive("rootfs.TAR"));
        assert!(!is_archive("app.jar"));
        assert!(is_remote("https://example.com/x"));
        assert!(!is_remote("./https"));
    }
}

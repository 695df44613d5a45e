//! Scans Dockerfiles and prints one JSON object per line: each finding
//! (`{"file","line","col","end_line","end_col","check","severity","message"}`) and each
//! parse error (`{"file","line","col","error"}`).
//!
//! Usage: `cargo run --release --example scan -- FILE_OR_DIR...`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                collect(&e, out);
            } else if e
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(kubeward_dockerfile::is_dockerfile_name)
            {
                out.push(e);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

fn main() {
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        collect(Path::new(&arg), &mut files);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for file in files {
        let name = file.display().to_string();
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let df = kubeward_dockerfile::parse(&text);
        for e in &df.errors {
            let v = serde_json::json!({
                "file": name, "line": e.span.start.line, "col": e.span.start.col,
                "error": e.kind.to_string(),
            });
            writeln!(out, "{v}").unwrap();
        }
        for f in kubeward_dockerfile::check(&df) {
            let v = serde_json::json!({
                "file": name,
                "line": f.span.start.line, "col": f.span.start.col,
                "end_line": f.span.end.line, "end_col": f.span.end.col,
                "check": f.check.id, "severity": f.check.severity.as_str(),
                "message": f.message,
            });
            writeln!(out, "{v}").unwrap();
        }
    }
}

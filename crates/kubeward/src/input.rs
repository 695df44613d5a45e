//! Collecting inputs: files, directories (recursive), `-` for stdin. Every input that is not
//! scanned is either an error (unreadable) or listed as skipped, never silently dropped.

use std::io::Read;
use std::path::{Path, PathBuf};

use kubeward_diagnostics::InputError;

/// Largest file read by default (64 MiB); larger files are a located error.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// One input to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file on disk.
    File(PathBuf),
    /// Standard input.
    Stdin,
}

impl Input {
    /// The display name.
    #[must_use]
    pub fn display(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".to_string(),
        }
    }
}

/// What collecting inputs produced.
#[derive(Debug, Default)]
pub struct Collected {
    /// Inputs to scan, in a deterministic order.
    pub inputs: Vec<Input>,
    /// Files and directories not scanned, with a reason.
    pub skipped: Vec<(String, String)>,
    /// Paths that could not be read.
    pub errors: Vec<InputError>,
}

/// Whether a file name is a Dockerfile or Containerfile (`Dockerfile`, `Containerfile`,
/// `*.Dockerfile`, `Dockerfile.*`).
#[must_use]
pub fn is_dockerfile(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(kubeward_dockerfile::is_dockerfile_name)
}

fn is_manifest_name(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("yaml" | "yml" | "json")
    )
}

fn path_error(path: &str, message: String) -> InputError {
    InputError {
        file: path.to_string(),
        line: 0,
        column: 0,
        code: "KW004",
        message,
    }
}

/// Expands command-line paths into inputs. Explicit files are always scanned; directories are
/// walked recursively for `.yaml`, `.yml` and `.json` files (hidden directories such as `.git`
/// are skipped and listed).
#[must_use]
pub fn collect(paths: &[PathBuf]) -> Collected {
    let mut out = Collected::default();
    for path in paths {
        if path.as_os_str() == "-" {
            out.inputs.push(Input::Stdin);
            continue;
        }
        let display = path.display().to_string();
        match std::fs::metadata(path) {
            Err(e) => out
                .errors
                .push(path_error(&display, format!("cannot read: {e}"))),
            Ok(meta) if meta.is_file() => out.inputs.push(Input::File(path.clone())),
            Ok(meta) if meta.is_dir() => walk(path, &mut out),
            Ok(_) => out
                .skipped
                .push((display, "not a regular file or directory".to_string())),
        }
    }
    out
}

fn walk(root: &Path, out: &mut Collected) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !e.file_name().to_str().is_some_and(|n| n.starts_with('.'))
        });
    for entry in walker {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if entry.file_type().is_dir() {
                    if let Ok(children) = std::fs::read_dir(path) {
                        for child in children.flatten() {
                            let name = child.file_name();
                            if name.to_str().is_some_and(|n| n.starts_with('.')) {
                                out.skipped.push((
                                    child.path().display().to_string(),
                                    "hidden file or directory".to_string(),
                                ));
                            }
                        }
                    }
                    continue;
                }
                if !entry.file_type().is_file() {
                    out.skipped
                        .push((path.display().to_string(), "not a regular file".to_string()));
                } else if is_manifest_name(path) || is_dockerfile(path) {
                    out.inputs.push(Input::File(path.to_path_buf()));
                } else {
                    out.skipped.push((
                        path.display().to_string(),
                        "not a .yaml, .yml, .json or Dockerfile".to_string(),
                    ));
                }
            }
            Err(e) => {
                let shown = e
                    .path()
                    .map_or_else(|| root.display().to_string(), |p| p.display().to_string());
                let message = if e.loop_ancestor().is_some() {
                    "symbolic link loop; not followed".to_string()
                } else {
                    format!(
                        "cannot read: {}",
                        e.io_error()
                            .map_or_else(|| e.to_string(), ToString::to_string)
                    )
                };
                out.errors.push(path_error(&shown, message));
            }
        }
    }
}

/// Reads an input as UTF-8 text within the size limit. Invalid UTF-8 and binary content are
/// located errors.
///
/// # Errors
/// An [`InputError`] naming the file (and the line and column of bad bytes).
pub fn read(input: &Input, max_size: u64) -> Result<String, InputError> {
    let name = input.display();
    let bytes = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .take(max_size + 1)
                .read_to_end(&mut buf)
                .map_err(|e| path_error(&name, format!("cannot read: {e}")))?;
            buf
        }
        Input::File(path) => {
            if let Ok(meta) = std::fs::metadata(path)
                && meta.len() > max_size
            {
                return Err(too_large(&name, max_size));
            }
            let file = std::fs::File::open(path)
                .map_err(|e| path_error(&name, format!("cannot read: {e}")))?;
            let mut buf = Vec::new();
            file.take(max_size + 1)
                .read_to_end(&mut buf)
                .map_err(|e| path_error(&name, format!("cannot read: {e}")))?;
            buf
        }
    };
    if bytes.len() as u64 > max_size {
        return Err(too_large(&name, max_size));
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let (line, column) = line_col(&bytes, nul);
        return Err(InputError {
            line,
            column,
            ..path_error(
                &name,
                "binary content (NUL byte); not a manifest".to_string(),
            )
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let (line, column) = line_col(e.as_bytes(), at);
        InputError {
            line,
            column,
            ..path_error(
                &name,
                "invalid UTF-8; manifests must be UTF-8 text".to_string(),
            )
        }
    })
}

fn too_large(name: &str, max_size: u64) -> InputError {
    InputError {
        code: "KW003",
        ..path_error(
            name,
            format!(
                "file is larger than the {} MiB limit (--max-file-size); skipped",
                max_size / (1024 * 1024)
            ),
        )
    }
}

fn line_col(bytes: &[u8], offset: usize) -> (u32, u32) {
    let before = bytes.get(..offset).unwrap_or(bytes);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default())
        .chars()
        .count()
        + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

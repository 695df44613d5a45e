//! Writing output to stdout or a file; a closed pipe (`kubeward scan | head`) ends quietly.

use std::io::Write;
use std::path::Path;

/// Writes `text` to `path` or stdout. Returns `Ok(false)` when stdout was a closed pipe.
///
/// # Errors
/// When the output file cannot be written.
pub fn write(text: &str, path: Option<&Path>) -> anyhow::Result<bool> {
    if let Some(path) = path {
        std::fs::write(path, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        return Ok(true);
    }
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match lock.write_all(text.as_bytes()).and_then(|()| lock.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(anyhow::anyhow!("cannot write to stdout: {e}")),
    }
}

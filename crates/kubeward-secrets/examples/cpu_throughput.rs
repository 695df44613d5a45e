//! Throughput of `scan_object` measured in on-CPU time of this thread (Linux
//! `/proc/thread-self/schedstat`), which is less distorted than wall time on a shared,
//! overloaded machine: `cargo run --release --example cpu_throughput -- [dir] [rounds]`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| "/work/shared/corpus/manifests".into());
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(10);
    let mut files = Vec::new();
    yaml_files(Path::new(&dir), &mut files);
    let mut bytes = 0usize;
    let mut roots = Vec::new();
    for f in &files {
        let Ok(src) = std::fs::read_to_string(f) else {
            continue;
        };
        bytes += src.len();
        roots.extend(
            kubeward_yaml::parse_str(&src)
                .documents
                .into_iter()
                .map(|d| d.root),
        );
    }
    let mut best = f64::MAX;
    let mut findings = 0;
    for _ in 0..rounds {
        let (Some(t0), wall) = (cpu_ns(), std::time::Instant::now()) else {
            eprintln!("no /proc/thread-self/schedstat");
            return;
        };
        findings = roots
            .iter()
            .map(|r| kubeward_secrets::scan_object(r).len())
            .sum::<usize>();
        let cpu = cpu_ns().unwrap_or(t0) - t0;
        let _ = wall.elapsed();
        #[allow(clippy::cast_precision_loss)]
        let secs = cpu as f64 / 1e9;
        best = best.min(secs);
    }
    #[allow(clippy::cast_precision_loss)]
    let mb = bytes as f64 / 1e6;
    println!(
        "{} files, {} documents, {mb:.2} MB, {findings} findings; best on-CPU time {:.1} ms = {:.0} MB/s",
        files.len(),
        roots.len(),
        best * 1e3,
        mb / best
    );
}

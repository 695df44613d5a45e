//! Scans every YAML file under a directory and prints findings (paths and detector ids,
//! never values): `cargo run --example corpus_report -- /path/to/manifests`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
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

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/work/shared/corpus/manifests".into());
    let mut files = Vec::new();
    yaml_files(Path::new(&dir), &mut files);
    files.sort();
    let mut by_detector: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &files {
        let Ok(src) = std::fs::read_to_string(f) else {
            continue;
        };
        for doc in kubeward_yaml::parse_str(&src).documents {
            for finding in kubeward_secrets::scan_object(&doc.root) {
                *by_detector.entry(finding.matched.detector.id).or_default() += 1;
                println!(
                    "{}: {} {} {:?} {}",
                    f.display(),
                    finding.path,
                    finding.embedded_path.as_deref().unwrap_or(""),
                    finding.matched.confidence,
                    finding.matched.detector.id
                );
            }
        }
    }
    eprintln!(
        "{} files; findings by detector: {by_detector:?}",
        files.len()
    );
}

//! Throughput of `scan_object` over the YAML files of the shared manifest corpus.
//!
//! `cargo bench -p kubeward-secrets --bench scan_corpus`; the corpus directory defaults to
//! `../shared/corpus/manifests` beside the workspace and can be set with `KUBEWARD_CORPUS`.
//! Falls back to this crate's fixtures when the corpus is absent.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use divan::counter::BytesCount;
use kubeward_yaml::Node;

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

struct Corpus {
    bytes: usize,
    roots: Vec<Node>,
}

static CORPUS: LazyLock<Corpus> = LazyLock::new(|| {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("KUBEWARD_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../../shared/corpus/manifests"));
    let mut files = Vec::new();
    yaml_files(&dir, &mut files);
    if files.is_empty() {
        yaml_files(&manifest.join("tests/fixtures"), &mut files);
    }
    files.sort();
    let mut bytes = 0;
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
    eprintln!(
        "corpus: {} files, {} documents, {:.2} MB",
        files.len(),
        roots.len(),
        bytes as f64 / 1e6
    );
    Corpus { bytes, roots }
});

fn main() {
    divan::main();
}

/// Every document of the corpus through `scan_object` (YAML parsing excluded).
#[divan::bench(sample_count = 10)]
fn scan_object_corpus(bencher: divan::Bencher<'_, '_>) {
    let corpus = &*CORPUS;
    bencher.counter(BytesCount::new(corpus.bytes)).bench(|| {
        let mut n = 0;
        for root in &corpus.roots {
            n += kubeward_secrets::scan_object(divan::black_box(root)).len();
        }
        n
    });
}

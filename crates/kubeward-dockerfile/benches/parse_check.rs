//! Parse + check throughput over the Dockerfile corpus (`/work/shared/corpus/dockerfiles`, or
//! `KUBEWARD_DOCKERFILE_CORPUS`). Falls back to built-in samples when the corpus is absent.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

fn main() {
    divan::main();
}

fn corpus() -> Vec<String> {
    let dir = std::env::var_os("KUBEWARD_DOCKERFILE_CORPUS").map_or_else(
        || PathBuf::from("/work/shared/corpus/dockerfiles"),
        PathBuf::from,
    );
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    if files.is_empty() {
        files.push(
            "FROM golang:1.22 AS build\nRUN apt-get update && apt-get install -y git\nCOPY . .\nRUN go build -o /app\n\nFROM alpine\nCOPY --from=build /app /app\nCMD [\"/app\"]\n"
                .repeat(10),
        );
    }
    files
}

#[divan::bench]
fn parse_corpus(bencher: divan::Bencher) {
    let files = corpus();
    let bytes: usize = files.iter().map(String::len).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| {
            files
                .iter()
                .map(|f| {
                    kubeward_dockerfile::parse(divan::black_box(f))
                        .instructions
                        .len()
                })
                .sum::<usize>()
        });
}

#[divan::bench]
fn parse_and_check_corpus(bencher: divan::Bencher) {
    let files = corpus();
    let bytes: usize = files.iter().map(String::len).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| {
            files
                .iter()
                .map(|f| {
                    kubeward_dockerfile::check(&kubeward_dockerfile::parse(divan::black_box(f)))
                        .len()
                })
                .sum::<usize>()
        });
}

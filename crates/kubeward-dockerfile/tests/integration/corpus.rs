//! The shared corpus of real-world Dockerfiles parses without errors.

use kubeward_dockerfile::{check, parse};

#[test]
fn corpus_parses_without_errors() {
    let dir = std::env::var("KUBEWARD_DOCKERFILE_CORPUS")
        .unwrap_or_else(|_| "/work/shared/corpus/dockerfiles".to_owned());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("corpus {dir} absent: skipped");
        return;
    };
    let mut files = 0;
    let mut problems = Vec::new();
    for entry in entries {
        let path = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        files += 1;
        let df = parse(&text);
        for e in &df.errors {
            problems.push(format!("{}: {e}", path.display()));
        }
        assert!(!df.stages.is_empty(), "{}: no stage", path.display());
        let _ = check(&df);
    }
    assert!(files > 0, "corpus {dir} is empty");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

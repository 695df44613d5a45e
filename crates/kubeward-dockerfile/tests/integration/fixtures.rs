//! `tests/fixtures/<check-id>/{fail,pass}*.Dockerfile`: a fail fixture marks each offending
//! instruction with a `# expect` comment line just above it; the check must report exactly
//! those instructions (by start line). A pass fixture must get no finding of its check.

use std::path::{Path, PathBuf};

use kubeward_dockerfile::{check, checks, parse};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Lines of the instructions that follow `# expect` markers.
fn expected_lines(text: &str) -> Vec<u32> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.trim() == "# expect" {
            let next = lines
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, l)| !l.trim_start().starts_with('#') && !l.trim().is_empty());
            if let Some((j, _)) = next {
                out.push(u32::try_from(j + 1).unwrap());
            }
        }
    }
    out
}

#[test]
fn every_check_has_pass_and_fail_fixtures() {
    for info in checks() {
        let dir = fixtures_dir().join(info.id);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("missing fixtures dir for {}", info.id))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("fail")),
            "{}: no fail fixture",
            info.id
        );
        assert!(
            names.iter().any(|n| n.starts_with("pass")),
            "{}: no pass fixture",
            info.id
        );
    }
}

#[test]
fn fixtures_match_expectations() {
    let mut failures = Vec::new();
    let mut count = 0;
    for info in checks() {
        let dir = fixtures_dir().join(info.id);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            count += 1;
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&file).unwrap();
            let df = parse(&text);
            if !df.errors.is_empty() {
                failures.push(format!("{}/{name}: parse errors {:?}", info.id, df.errors));
                continue;
            }
            let mut got: Vec<u32> = check(&df)
                .iter()
                .filter(|f| f.check.id == info.id)
                .map(|f| f.span.start.line)
                .collect();
            got.sort_unstable();
            let mut want = if name.starts_with("fail") {
                expected_lines(&text)
            } else {
                Vec::new()
            };
            want.sort_unstable();
            if name.starts_with("fail") && want.is_empty() {
                failures.push(format!(
                    "{}/{name}: fail fixture without `# expect`",
                    info.id
                ));
            }
            if got != want {
                failures.push(format!(
                    "{}/{name}: expected findings on lines {want:?}, got {got:?}",
                    info.id
                ));
            }
        }
    }
    assert!(count >= 2 * checks().len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn findings_are_sorted_and_carry_stage_and_span() {
    let text =
        std::fs::read_to_string(fixtures_dir().join("curl-pipe-shell/fail-pipes.Dockerfile"))
            .unwrap();
    let df = parse(&text);
    let findings = check(&df);
    assert!(findings.windows(2).all(|w| w[0].span <= w[1].span));
    let multi = findings
        .iter()
        .find(|f| f.check.id == "curl-pipe-shell" && f.span.start.line == 5)
        .unwrap();
    // The finding covers the whole three-line instruction.
    assert_eq!(multi.span.end.line, 7);
    assert_eq!(multi.stage, Some(0));
}

//! Every check's documentation: fixed sections, and its first `dockerfile` example must
//! trigger the check while the second must not.

use kubeward_dockerfile::{check, checks, parse};

fn examples(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim()) {
            (None, "```dockerfile") => current = Some(String::new()),
            (Some(_), "```") => out.push(current.take().unwrap()),
            (Some(buf), _) => {
                buf.push_str(line);
                buf.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn docs_have_sections_and_references() {
    for info in checks() {
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "Use instead:",
            "## Fix",
            "## Exceptions",
            "## References",
        ] {
            assert!(info.doc.contains(section), "{}: missing {section}", info.id);
        }
        assert!(
            info.doc.starts_with(&format!("# {}: ", info.id)),
            "{}",
            info.id
        );
        assert!(!info.references.is_empty(), "{}", info.id);
        assert!(!info.title.is_empty());
    }
}

#[test]
fn ids_are_unique_kebab_case() {
    let mut ids: Vec<&str> = checks().iter().map(|c| c.id).collect();
    assert!(
        ids.iter()
            .all(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
    );
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n);
}

#[test]
fn doc_examples_fire_and_fix() {
    for info in checks() {
        let ex = examples(info.doc);
        assert_eq!(ex.len(), 2, "{}: expected bad and good examples", info.id);
        let fires = |text: &str| {
            let df = parse(text);
            assert!(df.errors.is_empty(), "{}: {:?}", info.id, df.errors);
            check(&df).iter().any(|f| f.check.id == info.id)
        };
        assert!(fires(&ex[0]), "{}: bad example does not fire", info.id);
        assert!(!fires(&ex[1]), "{}: good example fires", info.id);
    }
}

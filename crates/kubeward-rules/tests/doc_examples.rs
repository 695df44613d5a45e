//! Every rule's documentation examples are executed: the bad example must trigger the rule and
//! the good example ("Use instead:") must not.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use kubeward_model::{ObjectIndex, load_text};
use kubeward_rules::{Check, Engine, Selection, Settings, registry};

fn fires(code: &str, yaml: &str) -> bool {
    let config = yaml
        .lines()
        .find_map(|l| l.trim().strip_prefix("# config:"))
        .map(|c| kubeward_rules::Config::parse("example", c.trim()).unwrap())
        .unwrap_or_default();
    let mut settings: Settings = config.into_settings("2026-01-01".to_string());
    settings.selection = Selection::new(vec![code.to_string()], Vec::new());
    let engine = Engine::new(settings);
    let loaded = load_text("example.yaml", yaml);
    assert!(
        loaded
            .issues
            .iter()
            .all(|i| i.severity != kubeward_yaml::IssueSeverity::Error),
        "{code}: example does not parse: {:?}",
        loaded.issues
    );
    let file: Arc<str> = Arc::from("example.yaml");
    let mut diagnostics = engine.check_file(&loaded, &file).diagnostics;
    diagnostics.extend(engine.check_bundle(&ObjectIndex::new(loaded.objects.clone())));
    diagnostics.iter().any(|d| d.code == code)
}

#[test]
fn doc_examples_behave() {
    let mut failures = Vec::new();
    for rule in registry::all() {
        if matches!(rule.check, Check::External) {
            continue;
        }
        let (bad, good) = rule.examples();
        match bad {
            Some(bad) if !fires(rule.code, &bad) => {
                failures.push(format!("{}: bad example does not fire", rule.code))
            }
            None => failures.push(format!("{}: no ```yaml example", rule.code)),
            _ => {}
        }
        if let Some(good) = good
            && fires(rule.code, &good)
        {
            failures.push(format!("{}: good example fires", rule.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

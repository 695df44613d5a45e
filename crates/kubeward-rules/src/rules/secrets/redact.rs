//! Masking secret values in source frames.
//!
//! Every snippet the runner builds from an object ([`crate::locate`]) goes through
//! [`mask_object_snippet`]: the values the secrets engine detects, every `data`/`stringData`
//! value of a `Secret` and every key of an `EncryptionConfiguration` are replaced by `****`
//! in the source lines, whichever rule reported the finding. A rule can mask more fields of
//! the finding's object with [`crate::FindingBuilder::redact`].
//!
//! ```
//! use kubeward_rules::rules::secrets::redact::sensitive_paths;
//! let loaded = kubeward_model::load_text(
//!     "s.yaml",
//!     "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  user: app\n  password: 'x'\n",
//! );
//! let paths = sensitive_paths(&loaded.objects[0]);
//! assert_eq!(paths, ["stringData.password", "stringData.user"]);
//! ```

use std::collections::BTreeSet;

use kubeward_diagnostics::Snippet;
use kubeward_model::{Object, PodTemplate};
use kubeward_secrets::{LAST_APPLIED, MASK};
use kubeward_source::Span;
use kubeward_yaml::{Node, path_index, path_join};

use super::scan::{credential_name, findings};

/// Field paths of an object whose values must never be shown: detected credentials, every
/// value of a `Secret`'s `data`/`stringData` (and its last-applied annotation), every key
/// `secret` of an `EncryptionConfiguration`, and container env values under credential names
/// ([`super::credential_name`]). Sorted and unique.
#[must_use]
pub fn sensitive_paths(object: &Object) -> Vec<String> {
    let mut paths: BTreeSet<String> = findings(object).iter().map(|f| f.path.clone()).collect();
    let root = &object.root;
    match object.kind() {
        "Secret" => {
            for field in ["data", "stringData"] {
                for (key, _) in root.get(field).into_iter().flat_map(Node::entries) {
                    paths.insert(path_join(field, &key));
                }
            }
            if object.annotation(LAST_APPLIED).is_some() {
                paths.insert(path_join("metadata.annotations", LAST_APPLIED));
            }
        }
        "EncryptionConfiguration" | "EncryptionConfig" => {
            for (i, item) in root
                .get("resources")
                .into_iter()
                .flat_map(Node::items)
                .enumerate()
            {
                let ipath = path_index("resources", i);
                for (j, provider) in item
                    .get("providers")
                    .into_iter()
                    .flat_map(Node::items)
                    .enumerate()
                {
                    let ppath = path_index(&path_join(&ipath, "providers"), j);
                    for name in ["aescbc", "aesgcm", "secretbox"] {
                        let keys = provider.get(name).and_then(|b| b.get("keys"));
                        for (k, _) in keys.into_iter().flat_map(Node::items).enumerate() {
                            let kpath = path_index(&path_join(&path_join(&ppath, name), "keys"), k);
                            paths.insert(path_join(&kpath, "secret"));
                        }
                    }
                }
            }
        }
        _ => {}
    }
    // Env values under credential names, detected or not (`DB_PASSWORD: changeme`).
    if let Some(pod) = PodTemplate::of(object) {
        for container in pod.containers() {
            let env = container.node.get("env");
            for (i, var) in env.into_iter().flat_map(Node::items).enumerate() {
                let name = var.get("name").and_then(Node::as_str).unwrap_or("");
                if var.get("value").is_some() && credential_name(name) {
                    paths.insert(container.path_of(&format!("env[{i}].value")));
                }
            }
        }
    }
    paths.into_iter().collect()
}

/// The source span of the value at `path`, if the whole path exists and has a position.
fn value_span(object: &Object, path: &str) -> Option<Span> {
    let located = object.root.locate(path);
    (located.complete && located.node.span.start.line > 0).then_some(located.node.span)
}

/// Masks, in `snippet`, the values of `object` that must never be shown
/// ([`sensitive_paths`]) and the values at the `extra` field paths.
pub fn mask_object_snippet(object: &Object, snippet: &mut Snippet, extra: &[String]) {
    if snippet.lines.is_empty() {
        return;
    }
    let first = snippet.first_line;
    let last = first.saturating_add(u32::try_from(snippet.lines.len()).unwrap_or(u32::MAX));
    // Cheap exit: nothing to do unless some sensitive value sits on the frame's lines.
    let mut spans: Vec<Span> = sensitive_paths(object)
        .iter()
        .chain(extra)
        .filter_map(|p| value_span(object, p))
        .collect();
    if object.kind() == "Secret" {
        // Shadowed duplicate keys are not reachable by path but are still on the page.
        for field in ["data", "stringData"] {
            let map = object
                .root
                .get(field)
                .and_then(Node::as_map)
                .unwrap_or_default();
            spans.extend(map.iter().map(|(_, v)| v.span).filter(|s| s.start.line > 0));
        }
    }
    spans.retain(|s| s.start.line < last && s.end.line >= first);
    if !spans.is_empty() {
        mask_spans(snippet, &spans);
    }
}

/// Replaces the characters of `spans` in the snippet's lines by `****` (one mask per run of
/// masked characters; continuation lines keep their indentation).
///
/// ```
/// use kubeward_diagnostics::Snippet;
/// use kubeward_source::{Pos, Span};
/// let mut s = Snippet { first_line: 3, lines: vec!["  value: hunter2-x".into()] };
/// kubeward_rules::rules::secrets::redact::mask_spans(&mut s, &[Span::new(Pos::new(3, 10), Pos::new(3, 19))]);
/// assert_eq!(s.lines[0], "  value: ****");
/// ```
pub fn mask_spans(snippet: &mut Snippet, spans: &[Span]) {
    for (n, line) in (snippet.first_line..).zip(snippet.lines.iter_mut()) {
        let indent = u32::try_from(line.chars().take_while(|c| c.is_whitespace()).count())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let ranges: Vec<(u32, u32)> = spans
            .iter()
            .filter(|s| s.start.line <= n && n <= s.end.line)
            .map(|s| {
                let from = if n == s.start.line {
                    s.start.col
                } else {
                    indent
                };
                let to = if n == s.end.line { s.end.col } else { u32::MAX };
                (from, to)
            })
            .filter(|(from, to)| from < to)
            .collect();
        if ranges.is_empty() {
            continue;
        }
        let mut masked = String::with_capacity(line.len());
        let mut in_mask = false;
        for (col, c) in (1u32..).zip(line.chars()) {
            if ranges.iter().any(|&(from, to)| from <= col && col < to) {
                if !in_mask {
                    masked.push_str(MASK);
                }
                in_mask = true;
            } else {
                in_mask = false;
                masked.push(c);
            }
        }
        *line = masked;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::locate;

    fn frame(yaml: &str, path: &str) -> Vec<String> {
        let loaded = kubeward_model::load_text("t.yaml", yaml);
        locate(&loaded.objects[0], path).1.lines
    }

    #[test]
    fn env_value_masked_in_other_rules_frames() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    env:\n    - {name: DB_PASSWORD, value: Zq8-vLp2Rx7kWm4T}\n    image: x\n";
        // A frame of the whole container (as a missing-field finding shows) covers the env.
        let lines = frame(yaml, "spec.containers[0]");
        let text = lines.join("\n");
        assert!(!text.contains("Zq8-vLp2Rx7kWm4T"), "{text}");
        assert!(text.contains("{name: DB_PASSWORD, value: ****}"), "{text}");
    }

    #[test]
    fn block_scalar_and_secret_data_masked() {
        let yaml = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  notes: |\n    first-line-Qm3\n    second-line-Zx9\n  other: plain\n";
        let text = frame(yaml, "stringData").join("\n");
        assert!(!text.contains("first-line-Qm3"), "{text}");
        assert!(!text.contains("second-line-Zx9"), "{text}");
        assert!(!text.contains("plain"), "{text}");
        assert!(text.contains("stringData:"), "{text}");
    }

    #[test]
    fn flow_map_neighbours_masked() {
        let yaml = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: QUJDREVGR0g=, b: SUpLTE1OT1A=}\n";
        let text = frame(yaml, "data.a").join("\n");
        assert!(!text.contains("QUJDREVGR0g="), "{text}");
        assert!(!text.contains("SUpLTE1OT1A="), "{text}");
    }

    #[test]
    fn encryption_keys_masked() {
        let yaml = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - aescbc:\n      keys:\n      - {name: k1, secret: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=}\n";
        let text = frame(yaml, "resources[0].providers[0].aescbc.keys[0]").join("\n");
        assert!(!text.contains("AAAAAAAA"), "{text}");
        assert!(text.contains("secret: ****"), "{text}");
    }

    #[test]
    fn loader_warning_frames_masked() {
        let yaml = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: first-Qm3xZ8\n  password: second-Zx9pL2\n";
        let loaded = kubeward_model::load_text("t.yaml", yaml);
        let engine = crate::Engine::new(crate::Settings::default());
        let file: std::sync::Arc<str> = std::sync::Arc::from("t.yaml");
        let outcome = engine.check_file(&loaded, &file);
        let dup = outcome
            .diagnostics
            .iter()
            .find(|d| d.code == crate::rules::input::DUPLICATE_KEY.code)
            .expect("duplicate-key warning");
        let text = dup.snippet.as_ref().unwrap().lines.join("\n");
        assert!(
            !text.contains("first-Qm3xZ8") && !text.contains("second-Zx9pL2"),
            "{text}"
        );
        for d in &outcome.diagnostics {
            let all = format!("{} {:?}", d.message, d.snippet);
            assert!(
                !all.contains("Qm3xZ8") && !all.contains("Zx9pL2"),
                "{}",
                d.code
            );
        }
    }

    #[test]
    fn non_secrets_untouched() {
        let yaml =
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  LOG_LEVEL: info\n";
        assert_eq!(frame(yaml, "data.LOG_LEVEL"), ["  LOG_LEVEL: info"]);
    }

    #[test]
    fn mask_runs_and_multiline() {
        let mut s = Snippet {
            first_line: 1,
            lines: vec![
                "k: |".into(),
                "    abc".into(),
                "    def".into(),
                "z: 1".into(),
            ],
        };
        mask_spans(
            &mut s,
            &[Span::new(
                kubeward_source::Pos::new(1, 4),
                kubeward_source::Pos::new(4, 1),
            )],
        );
        assert_eq!(s.lines, ["k: ****", "    ****", "    ****", "z: 1"]);
    }
}

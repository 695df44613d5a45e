//! Property tests: no input makes the scanners panic, and every match is well-formed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kubeward_secrets::{KindHint, ValueContext, is_placeholder, scan_object, scan_value};
use proptest::prelude::*;

fn check(ctx: &ValueContext<'_>, value: &str) {
    for m in scan_value(ctx, value) {
        let r = m.byte_range.clone();
        assert!(r.start < r.end && r.end <= value.len());
        assert!(value.is_char_boundary(r.start) && value.is_char_boundary(r.end));
        // No assert_eq!: a failure must not print the matched text.
        assert!(m.redacted.expose_secret().as_str() == &value[r]);
        let shown = m.redacted.to_string();
        assert!(shown.ends_with("****"));
        if let Some(h) = m.redacted.hint() {
            assert_eq!(shown, format!("{h}****"));
        } else {
            assert_eq!(shown, "****");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text(key in "[A-Za-z_.-]{0,24}", value in "\\PC{0,300}") {
        check(&ValueContext { key: Some(&key), kind_hint: KindHint::Generic }, &value);
        check(&ValueContext { key: Some("image"), kind_hint: KindHint::Image }, &value);
        check(&ValueContext::default(), &value);
    }

    #[test]
    fn token_shaped_text(
        prefix in prop::sample::select(vec![
            "AKIA", "ghp_", "github_pat_", "glpat-", "xoxb-", "sk_live_", "SG.", "npm_",
            "pypi-AgE", "eyJ", "AIza", "-----BEGIN PRIVATE KEY-----\n", "postgres://u:",
            "LS0tLS1CRUdJTi", "AccountKey=", "_authToken=", "Authorization: Bearer ",
        ]),
        body in "[A-Za-z0-9+/=_.:@\\n-]{0,200}",
        key in prop::option::of("[A-Za-z_]{1,20}"),
    ) {
        let value = format!("{prefix}{body}");
        check(&ValueContext { key: key.as_deref(), kind_hint: KindHint::Generic }, &value);
    }

    #[test]
    fn templates_are_placeholders(name in "[A-Z_][A-Z0-9_]{0,20}") {
        let dollar_brace = format!("${{{name}}}");
        let dollar_paren = format!("$({name})");
        let helm = format!("{{{{ .Values.{name} }}}}");
        prop_assert!(is_placeholder(&dollar_brace));
        prop_assert!(is_placeholder(&dollar_paren));
        prop_assert!(is_placeholder(&helm));
        prop_assert!(scan_value(&ValueContext::keyed("password"), &dollar_brace).is_empty());
    }

    #[test]
    fn arbitrary_yaml_objects(src in "[a-zA-Z0-9:{}\\[\\], \\n\"'|>-]{0,400}") {
        let parsed = kubeward_yaml::parse_str(&src);
        for d in &parsed.documents {
            let _ = scan_object(&d.root);
            let _ = kubeward_secrets::analyze_secret_object(&d.root);
            let _ = kubeward_secrets::analyze_encryption_config(&d.root);
        }
    }
}

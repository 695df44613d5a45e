//! The string helpers upstream messages are built with (`joinQuote`, `pluralize`, Go `%q`).

use std::fmt::Write as _;

/// `"a", "b"`: every item wrapped in double quotes (no escaping), joined by `, `; empty for no
/// items (upstream `joinQuote`).
pub(crate) fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('"');
        out.push_str(item.as_ref());
        out.push('"');
    }
    out
}

/// `singular` when `count == 1`, else `plural` (upstream `pluralize`).
pub(crate) const fn pluralize(
    singular: &'static str,
    plural: &'static str,
    count: usize,
) -> &'static str {
    if count == 1 { singular } else { plural }
}

/// Sorts and deduplicates, as Go's `sets.String.List()` does (byte-wise order).
pub(crate) fn sorted_set(mut items: Vec<String>) -> Vec<String> {
    items.sort_unstable();
    items.dedup();
    items
}

/// Go's `%q` / `strconv.Quote` for a string.
///
/// Printable characters are kept; `"` and `\` are escaped; `\a \b \f \n \r \t \v` use their
/// short escapes; other control characters become `\xNN`, `\uNNNN` or `\UNNNNNNNN`. Go's
/// `unicode.IsPrint` is approximated by "not a control, not a non-space separator and not a
/// common format character", which agrees for every character a manifest plausibly holds.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x1_0000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e000}'..='\u{f8ff}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(join_quote::<&str>(&[]), "");
        assert_eq!(join_quote(&["a"]), r#""a""#);
        assert_eq!(join_quote(&["a", "b"]), r#""a", "b""#);
        assert_eq!(go_quote("unconfined"), r#""unconfined""#);
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("x\ny\t\u{1}\u{7f}"), r#""x\ny\t\x01\x7f""#);
        assert_eq!(go_quote("é☃"), "\"é☃\"");
        assert_eq!(go_quote("\u{200b}"), r#""\u200b""#);
        assert_eq!(go_quote("\u{2028}"), r#""\u2028""#);
        assert_eq!(go_quote(""), r#""""#);
    }

    #[test]
    fn plural_and_sets() {
        assert_eq!(pluralize("container", "containers", 1), "container");
        assert_eq!(pluralize("container", "containers", 0), "containers");
        assert_eq!(pluralize("container", "containers", 2), "containers");
        let s = sorted_set(vec!["b".into(), "a".into(), "b".into(), "B".into()]);
        assert_eq!(s, vec!["B", "a", "b"]);
    }
}

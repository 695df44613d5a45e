//! Go `encoding/json` compatibility: the string escaping `json.Marshal` emits (so the bytes
//! we produce equal cosign's), and an order-preserving value tree so that decoding can
//! follow Go's rules (case-insensitive field names, duplicate keys processed in order).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// Appends `s` as a JSON string exactly as Go's `json.Marshal` (Go >= 1.22) writes it:
/// HTML-sensitive `<`, `>`, `&` and U+2028/U+2029 escaped as `\u00XX`/`\u20XX`.
pub(crate) fn push_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{0}'..='\u{1f}' => {
                let b = u32::from(c);
                out.push_str("\\u00");
                out.push(char::from(
                    HEX.get((b >> 4) as usize & 0xf).copied().unwrap_or(b'0'),
                ));
                out.push(char::from(
                    HEX.get(b as usize & 0xf).copied().unwrap_or(b'0'),
                ));
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON value keeping object members in document order, duplicates included.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GoValue {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<GoValue>),
    Object(Vec<(String, GoValue)>),
}

impl GoValue {
    /// Go's name for the JSON kind, as in its `UnmarshalTypeError` messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            GoValue::Null => "null",
            GoValue::Bool(_) => "bool",
            GoValue::Number(_) => "number",
            GoValue::String(_) => "string",
            GoValue::Array(_) => "array",
            GoValue::Object(_) => "object",
        }
    }

    /// Into a `serde_json::Value` the way Go decodes into `interface{}`: for duplicate
    /// object keys the last one wins.
    pub(crate) fn into_json(self) -> serde_json::Value {
        match self {
            GoValue::Null => serde_json::Value::Null,
            GoValue::Bool(b) => serde_json::Value::Bool(b),
            GoValue::Number(n) => serde_json::Value::Number(n),
            GoValue::String(s) => serde_json::Value::String(s),
            GoValue::Array(items) => {
                serde_json::Value::Array(items.into_iter().map(GoValue::into_json).collect())
            }
            GoValue::Object(members) => {
                let mut map = serde_json::Map::new();
                for (k, v) in members {
                    map.insert(k, v.into_json());
                }
                serde_json::Value::Object(map)
            }
        }
    }
}

impl<'de> Deserialize<'de> for GoValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<GoValue, D::Error> {
        deserializer.deserialize_any(GoValueVisitor)
    }
}

struct GoValueVisitor;

impl<'de> Visitor<'de> for GoValueVisitor {
    type Value = GoValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<GoValue, E> {
        Ok(GoValue::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<GoValue, E> {
        Ok(GoValue::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<GoValue, E> {
        Ok(GoValue::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<GoValue, E> {
        Ok(GoValue::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<GoValue, E> {
        Ok(GoValue::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<GoValue, E> {
        serde_json::Number::from_f64(v)
            .map(GoValue::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<GoValue, E> {
        Ok(GoValue::String(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<GoValue, E> {
        Ok(GoValue::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<GoValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(GoValue::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<GoValue, A::Error> {
        let mut members = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, GoValue>()? {
            members.push((k, v));
        }
        Ok(GoValue::Object(members))
    }
}

/// Go's case folding for field names (`appendFoldedName`: ASCII upper-case, other runes
/// `ToUpper(ToLower(r))`). Only the runes that fold onto ASCII letters matter for our
/// ASCII field names: U+017F ſ -> S, U+212A Kelvin -> K, U+0130 İ and U+0131 ı -> I.
fn fold(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\u{17f}' => 'S',
            '\u{212a}' => 'K',
            '\u{130}' | '\u{131}' => 'I',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Which of `fields` a JSON member name selects under Go's rules: an exact match first,
/// otherwise a case-insensitive (folded) one.
pub(crate) fn match_field<'f>(key: &str, fields: &[&'f str]) -> Option<&'f str> {
    if let Some(f) = fields.iter().find(|f| **f == key) {
        return Some(f);
    }
    let folded = fold(key);
    fields.iter().find(|f| fold(f) == folded).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String {
        let mut out = String::new();
        push_string(&mut out, v);
        out
    }

    #[test]
    fn escapes_like_go() {
        assert_eq!(s("a/b:c@sha256"), "\"a/b:c@sha256\"");
        assert_eq!(s("<&>"), "\"\\u003c\\u0026\\u003e\"");
        assert_eq!(
            s("q\"\\\n\r\t\u{8}\u{c}\u{1}"),
            "\"q\\\"\\\\\\n\\r\\t\\b\\f\\u0001\""
        );
        assert_eq!(s("\u{2028}\u{2029}é"), "\"\\u2028\\u2029é\"");
    }

    #[test]
    fn go_value_keeps_order_and_duplicates() {
        let v: GoValue = serde_json::from_str(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        let GoValue::Object(members) = &v else {
            panic!()
        };
        let keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a", "b"]);
        assert_eq!(v.into_json(), serde_json::json!({"a": 2, "b": 3}));
    }

    #[test]
    fn field_matching() {
        let fields = ["critical", "optional"];
        assert_eq!(match_field("critical", &fields), Some("critical"));
        assert_eq!(match_field("Critical", &fields), Some("critical"));
        assert_eq!(match_field("CRITICAL", &fields), Some("critical"));
        assert_eq!(match_field("crItIcal", &fields), Some("critical"));
        assert_eq!(match_field("cr\u{131}tical", &fields), Some("critical"));
        assert_eq!(match_field("optional\u{200b}", &fields), None);
        assert_eq!(match_field("critica", &fields), None);
        assert_eq!(match_field("\u{212a}", &["k"]), Some("k"));
    }
}

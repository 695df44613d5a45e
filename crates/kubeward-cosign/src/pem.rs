//! PEM decoding with Go `encoding/pem` semantics (what cosign uses), plus encoding in Go's
//! `pem.EncodeToMemory` layout, and Go's lenient standard base64.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Go's `base64.StdEncoding`: standard alphabet, padding required, non-zero trailing bits
/// tolerated (Go's non-strict mode).
pub(crate) const GO_STD_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// One decoded PEM block.
pub(crate) struct PemBlock {
    /// The type label, e.g. `PUBLIC KEY`.
    pub(crate) label: String,
    /// The decoded body.
    pub(crate) der: Vec<u8>,
}

/// Returns the first well-formed PEM block in `input`, like Go's `pem.Decode`: text before
/// it is skipped, a malformed block is skipped in favour of a later one, headers
/// (`Key: value` lines up to a blank line) are ignored.
pub(crate) fn first_block(input: &[u8]) -> Option<PemBlock> {
    let text = String::from_utf8_lossy(input);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.trim_end_matches(['\r', ' ', '\t']))
        .collect();
    let mut i = 0;
    while i < lines.len() {
        let Some(label) = lines
            .get(i)
            .and_then(|l| l.strip_prefix("-----BEGIN "))
            .and_then(|l| l.strip_suffix("-----"))
        else {
            i += 1;
            continue;
        };
        if let Some(block) = block_at(&lines, i + 1, label) {
            return Some(block);
        }
        i += 1;
    }
    None
}

/// Parses the body of a block whose BEGIN line precedes index `start`.
fn block_at(lines: &[&str], start: usize, label: &str) -> Option<PemBlock> {
    let end_line = format!("-----END {label}-----");
    let end = start + lines.get(start..)?.iter().position(|l| *l == end_line)?;
    let mut body_lines = lines.get(start..end)?;
    // RFC 1421 headers: only when the first line is a `Key: value` line.
    if body_lines.first().is_some_and(|l| l.contains(':')) {
        let blank = body_lines.iter().position(|l| l.trim().is_empty())?;
        body_lines = body_lines.get(blank + 1..)?;
    }
    let body: String = body_lines
        .concat()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
        .collect();
    let der = GO_STD_BASE64.decode(body.as_bytes()).ok()?;
    Some(PemBlock {
        label: label.to_string(),
        der,
    })
}

/// Encodes like Go's `pem.EncodeToMemory`: 64-column base64 lines, trailing newline.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    let mut rest = b64.as_str();
    while !rest.is_empty() {
        let cut = rest.len().min(64);
        let (line, tail) = rest.split_at(cut);
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Decodes a base64 signature annotation the way cosign does
/// (`base64.StdEncoding.DecodeString`, which skips `\r` and `\n`).
pub(crate) fn decode_go_base64(text: &str) -> Option<Vec<u8>> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    GO_STD_BASE64.decode(cleaned.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_then_decode() {
        let der: Vec<u8> = (0u8..=200).collect();
        let pem = encode("PUBLIC KEY", &der);
        assert!(pem.lines().all(|l| l.len() <= 64));
        let block = first_block(pem.as_bytes()).unwrap();
        assert_eq!(block.label, "PUBLIC KEY");
        assert_eq!(block.der, der);
    }

    #[test]
    fn skips_leading_text_headers_and_crlf() {
        let pem = "garbage\r\n-----BEGIN THING-----\r\nProc-Type: 4,ENCRYPTED\r\n\r\nAQID\r\n-----END THING-----\r\n";
        let block = first_block(pem.as_bytes()).unwrap();
        assert_eq!(
            (block.label.as_str(), block.der.as_slice()),
            ("THING", &[1u8, 2, 3][..])
        );
    }

    #[test]
    fn skips_a_malformed_block_for_a_later_one() {
        let pem =
            "-----BEGIN A-----\n!!!\n-----END A-----\n-----BEGIN B-----\nAQID\n-----END B-----\n";
        assert_eq!(first_block(pem.as_bytes()).unwrap().label, "B");
    }

    #[test]
    fn rejects_unterminated_and_mismatched() {
        assert!(first_block(b"-----BEGIN A-----\nAQID\n").is_none());
        assert!(first_block(b"-----BEGIN A-----\nAQID\n-----END B-----\n").is_none());
        assert!(first_block(b"no pem here").is_none());
    }

    #[test]
    fn go_base64_skips_newlines_but_not_spaces() {
        assert_eq!(decode_go_base64("AQ\nID\r\n").unwrap(), vec![1, 2, 3]);
        assert!(decode_go_base64("AQ ID").is_none());
        assert!(decode_go_base64("AQI").is_none(), "padding is required");
        assert_eq!(
            decode_go_base64("AR==").unwrap(),
            vec![1],
            "trailing bits tolerated like Go"
        );
    }
}

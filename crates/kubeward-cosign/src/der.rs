//! A tiny, strict DER reader and writer: just what SubjectPublicKeyInfo and PKCS#1
//! `RSAPublicKey` need. Every read returns `None` on malformed input; nothing panics.

/// Universal tags used here.
pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_NULL: u8 = 0x05;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;

/// OID content bytes (DER, without tag and length).
pub(crate) mod oid {
    /// 1.2.840.10045.2.1 id-ecPublicKey
    pub(crate) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// 1.2.840.10045.3.1.7 prime256v1 (P-256)
    pub(crate) const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// 1.3.132.0.34 secp384r1 (P-384)
    pub(crate) const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    /// 1.3.132.0.35 secp521r1 (P-521)
    pub(crate) const P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// 1.3.132.0.10 secp256k1
    pub(crate) const SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];
    /// 1.2.840.113549.1.1.1 rsaEncryption
    pub(crate) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// 1.2.840.113549.1.1.10 id-RSASSA-PSS
    pub(crate) const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    /// 1.3.101.112 id-Ed25519
    pub(crate) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    /// 1.3.101.113 id-Ed448
    pub(crate) const ED448: &[u8] = &[0x2b, 0x65, 0x71];
}

/// Reads one TLV with a single-byte tag; returns `(tag, value, rest)`.
/// Rejects indefinite and non-minimal lengths (DER).
pub(crate) fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, after_tag) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags never occur in the structures we read
    }
    let (&first, after_len0) = after_tag.split_first()?;
    let (len, after_len) = if first < 0x80 {
        (usize::from(first), after_len0)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None; // indefinite length, or absurdly long
        }
        let bytes = after_len0.get(..count)?;
        if bytes.first() == Some(&0) {
            return None; // non-minimal
        }
        let mut len = 0usize;
        for &b in bytes {
            len = len.checked_mul(256)?.checked_add(usize::from(b))?;
        }
        if len < 0x80 {
            return None; // should have used the short form
        }
        (len, after_len0.get(count..)?)
    };
    let value = after_len.get(..len)?;
    let rest = after_len.get(len..)?;
    Some((tag, value, rest))
}

/// Reads one TLV that must carry `tag`.
pub(crate) fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    match read_tlv(input)? {
        (t, value, rest) if t == tag => Some((value, rest)),
        _ => None,
    }
}

/// Length prefix in DER form.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        // Fits one byte by the branch condition.
        out.push(u8::try_from(len).unwrap_or(0));
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or(&[]);
    out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0));
    out.extend_from_slice(significant);
}

/// Encodes one TLV.
pub(crate) fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    out.push(tag);
    push_len(&mut out, value.len());
    out.extend_from_slice(value);
    out
}

/// Builds a SubjectPublicKeyInfo from an AlgorithmIdentifier body and the key bytes.
pub(crate) fn spki(algorithm_body: &[u8], key: &[u8]) -> Vec<u8> {
    let mut bits = Vec::with_capacity(key.len() + 1);
    bits.push(0); // no unused bits
    bits.extend_from_slice(key);
    let mut body = tlv(TAG_SEQUENCE, algorithm_body);
    body.extend_from_slice(&tlv(TAG_BIT_STRING, &bits));
    tlv(TAG_SEQUENCE, &body)
}

/// Dotted form of an OID (for error messages about unknown algorithms).
pub(crate) fn oid_to_string(content: &[u8]) -> String {
    let mut arcs: Vec<u128> = Vec::new();
    let mut acc: u128 = 0;
    for &b in content {
        acc = acc.saturating_mul(128).saturating_add(u128::from(b & 0x7f));
        if b & 0x80 == 0 {
            arcs.push(acc);
            acc = 0;
        }
    }
    let mut parts: Vec<String> = Vec::with_capacity(arcs.len() + 1);
    if let Some((&first, rest)) = arcs.split_first() {
        let (a, b) = match first {
            0..=39 => (0, first),
            40..=79 => (1, first - 40),
            _ => (2, first - 80),
        };
        parts.push(a.to_string());
        parts.push(b.to_string());
        parts.extend(rest.iter().map(u128::to_string));
    }
    parts.join(".")
}

/// Number of significant bits of an unsigned big-endian integer.
pub(crate) fn bit_len(be: &[u8]) -> usize {
    let skip = be.iter().take_while(|b| **b == 0).count();
    match be.get(skip..) {
        Some([first, rest @ ..]) => rest.len() * 8 + (8 - first.leading_zeros() as usize),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_short_and_long_lengths() {
        for len in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let value = vec![7u8; len];
            let enc = tlv(TAG_SEQUENCE, &value);
            let (tag, v, rest) = read_tlv(&enc).unwrap();
            assert_eq!((tag, v.len(), rest.len()), (TAG_SEQUENCE, len, 0));
        }
    }

    #[test]
    fn rejects_non_der_lengths() {
        assert!(read_tlv(&[0x30, 0x80, 0, 0]).is_none(), "indefinite");
        assert!(
            read_tlv(&[0x30, 0x81, 0x05, 1, 2, 3, 4, 5]).is_none(),
            "long form for short"
        );
        assert!(
            read_tlv(&[0x30, 0x82, 0x00, 0x90]).is_none(),
            "leading zero"
        );
        assert!(read_tlv(&[0x30, 0x05, 1, 2]).is_none(), "truncated");
        assert!(read_tlv(&[]).is_none());
        assert!(read_tlv(&[0x1f, 0x00]).is_none(), "multi-byte tag");
    }

    #[test]
    fn oid_strings() {
        assert_eq!(oid_to_string(oid::P256), "1.2.840.10045.3.1.7");
        assert_eq!(oid_to_string(oid::P521), "1.3.132.0.35");
        assert_eq!(oid_to_string(oid::ED25519), "1.3.101.112");
    }

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_len(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_len(&[0x01]), 1);
        assert_eq!(bit_len(&[0x00]), 0);
        assert_eq!(bit_len(&[]), 0);
    }
}

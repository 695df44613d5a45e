//! Content digests (`algorithm:hex`), as defined by the OCI image spec and go-digest.

use std::fmt;
use std::str::FromStr;

use crate::reference::ReferenceError;

/// A digest algorithm this crate can compute and verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    /// SHA-256 (64 hex characters), the registry default.
    Sha256,
    /// SHA-384 (96 hex characters).
    Sha384,
    /// SHA-512 (128 hex characters).
    Sha512,
}

impl Algorithm {
    /// The algorithm's name as written in digests (`sha256`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// Number of hex characters of an encoded digest of this algorithm.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha384 => 96,
            Algorithm::Sha512 => 128,
        }
    }

    fn ring(self) -> &'static ring::digest::Algorithm {
        match self {
            Algorithm::Sha256 => &ring::digest::SHA256,
            Algorithm::Sha384 => &ring::digest::SHA384,
            Algorithm::Sha512 => &ring::digest::SHA512,
        }
    }

    fn from_name(name: &str) -> Option<Algorithm> {
        match name {
            "sha256" => Some(Algorithm::Sha256),
            "sha384" => Some(Algorithm::Sha384),
            "sha512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }
}

/// A content digest: an algorithm and the lowercase hex encoding of the hash.
///
/// Parsing follows go-digest's validation: the algorithm must be one of `sha256`, `sha384`,
/// `sha512`; the encoded part must be lowercase hex of exactly the algorithm's length.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

impl Digest {
    /// Parses `algorithm:hex` (for example `sha256:` followed by 64 lowercase hex characters).
    pub fn parse(s: &str) -> Result<Digest, ReferenceError> {
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| ReferenceError::InvalidDigest(s.to_owned()))?;
        if !is_algorithm_syntax(alg) || hex.is_empty() {
            return Err(ReferenceError::InvalidDigest(s.to_owned()));
        }
        let algorithm = Algorithm::from_name(alg)
            .ok_or_else(|| ReferenceError::UnsupportedDigest(alg.to_owned()))?;
        if hex.len() != algorithm.hex_len() {
            return Err(ReferenceError::InvalidDigestLength(s.to_owned()));
        }
        if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(ReferenceError::InvalidDigest(s.to_owned()));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_owned(),
        })
    }

    /// The SHA-256 digest of `bytes`.
    pub fn sha256_of(bytes: &[u8]) -> Digest {
        Digest::compute(Algorithm::Sha256, bytes)
    }

    /// The digest of `bytes` with the given algorithm.
    pub fn compute(algorithm: Algorithm, bytes: &[u8]) -> Digest {
        let d = ring::digest::digest(algorithm.ring(), bytes);
        Digest {
            algorithm,
            hex: to_hex(d.as_ref()),
        }
    }

    /// The algorithm name (`sha256`, `sha384` or `sha512`).
    pub fn algorithm(&self) -> &str {
        self.algorithm.name()
    }

    /// The algorithm as an enum.
    pub fn algorithm_kind(&self) -> Algorithm {
        self.algorithm
    }

    /// The lowercase hex encoding of the hash.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// Whether `bytes` hash to this digest (with this digest's algorithm).
    pub fn verify(&self, bytes: &[u8]) -> bool {
        Digest::compute(self.algorithm, bytes) == *self
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

impl FromStr for Digest {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Digest::parse(s)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Digest::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// go-digest / distribution algorithm syntax: `[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*`.
fn is_algorithm_syntax(alg: &str) -> bool {
    alg.split(['-', '_', '+', '.']).all(|part| {
        let mut chars = part.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric())
    })
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str =
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn sha256_of_empty() {
        assert_eq!(Digest::sha256_of(b"").to_string(), EMPTY_SHA256);
        let d = Digest::parse(EMPTY_SHA256).unwrap();
        assert!(d.verify(b""));
        assert!(!d.verify(b"x"));
        assert_eq!(d.algorithm(), "sha256");
        assert_eq!(d.hex().len(), 64);
    }

    #[test]
    fn sha512_round_trip() {
        let d = Digest::compute(Algorithm::Sha512, b"abc");
        assert!(d.to_string().starts_with("sha512:ddaf35a193617aba"));
        let p = Digest::parse(&d.to_string()).unwrap();
        assert_eq!(p, d);
        assert!(p.verify(b"abc"));
    }

    #[test]
    fn rejects_bad_digests() {
        let upper = EMPTY_SHA256.to_uppercase().replace("SHA256", "sha256");
        for bad in [
            "",
            "sha256",
            "sha256:",
            "sha256:abc",
            upper.as_str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g",
            ":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "1sha:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ] {
            assert!(Digest::parse(bad).is_err(), "{bad:?}");
        }
        assert!(matches!(
            Digest::parse("md5:d41d8cd98f00b204e9800998ecf8427e"),
            Err(ReferenceError::UnsupportedDigest(_))
        ));
        assert!(matches!(
            Digest::parse(
                "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            ),
            Err(ReferenceError::InvalidDigestLength(_))
        ));
    }
}

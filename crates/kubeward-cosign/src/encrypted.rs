//! Cosign's encrypted private key (`cosign generate-key-pair` writes `cosign.key`): PEM
//! `ENCRYPTED SIGSTORE PRIVATE KEY` (formerly `ENCRYPTED COSIGN PRIVATE KEY`) whose body is
//! go-securesystemslib's `encrypted` JSON: scrypt-derived key, NaCl secretbox
//! (XSalsa20-Poly1305) over the PKCS#8 DER of the private key.

use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::KeyError;
use crate::pem::decode_go_base64;

/// The label cosign writes today.
pub(crate) const SIGSTORE_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// The label older cosign versions wrote.
pub(crate) const COSIGN_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

#[derive(Deserialize)]
struct Envelope {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Deserialize)]
struct Kdf {
    name: String,
    params: Params,
    salt: String,
}

#[derive(Deserialize)]
struct Params {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

/// The scrypt parameters go-securesystemslib accepts (`CheckParams`: legacy 2^15,
/// standard 2^16, OWASP 2^17; r = 8, p = 1), as log2(N). Anything else is refused so a
/// tampered file cannot make us burn memory.
fn log_n(params: &Params) -> Option<u8> {
    if params.r != 8 || params.p != 1 {
        return None;
    }
    match params.n {
        32_768 => Some(15),
        65_536 => Some(16),
        131_072 => Some(17),
        _ => None,
    }
}

fn derive_key(password: &[u8], salt: &[u8], log_n: u8) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let params = scrypt::Params::new(log_n, 8, 1, 32)
        .map_err(|_| KeyError::Crypto("bad scrypt parameters"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &params, key.as_mut())
        .map_err(|_| KeyError::Crypto("scrypt failed"))?;
    Ok(key)
}

fn bad(what: &str) -> KeyError {
    KeyError::InvalidPrivateKey(format!("malformed encrypted cosign key: {what}"))
}

/// Decrypts the body of an encrypted cosign key into PKCS#8 DER.
pub(crate) fn decrypt(body: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let env: Envelope = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
    if env.kdf.name != "scrypt" {
        return Err(bad("the key derivation function is not scrypt"));
    }
    if env.cipher.name != "nacl/secretbox" {
        return Err(bad("the cipher is not nacl/secretbox"));
    }
    let log_n = log_n(&env.kdf.params).ok_or_else(|| bad("unsupported scrypt parameters"))?;
    let salt = decode_go_base64(&env.kdf.salt).ok_or_else(|| bad("salt is not base64"))?;
    let nonce = decode_go_base64(&env.cipher.nonce).ok_or_else(|| bad("nonce is not base64"))?;
    if nonce.len() != 24 {
        return Err(bad("the nonce is not 24 bytes"));
    }
    let ciphertext =
        decode_go_base64(&env.ciphertext).ok_or_else(|| bad("ciphertext is not base64"))?;
    let key = derive_key(password, &salt, log_n)?;
    let cipher = XSalsa20Poly1305::new(Key::from_slice(key.as_ref()));
    cipher
        .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
        .map(Zeroizing::new)
        .map_err(|_| KeyError::WrongPassword)
}

/// Encrypts PKCS#8 DER the way `cosign generate-key-pair` does (standard parameters,
/// N = 2^16), returning the JSON body.
pub(crate) fn encrypt(pkcs8: &[u8], password: &[u8]) -> Result<String, KeyError> {
    use base64::Engine as _;
    use ring::rand::SecureRandom as _;
    let rng = ring::rand::SystemRandom::new();
    let mut salt = [0u8; 32];
    let mut nonce = [0u8; 24];
    rng.fill(&mut salt)
        .map_err(|_| KeyError::Crypto("random generator failed"))?;
    rng.fill(&mut nonce)
        .map_err(|_| KeyError::Crypto("random generator failed"))?;
    let key = derive_key(password, &salt, 16)?;
    let cipher = XSalsa20Poly1305::new(Key::from_slice(key.as_ref()));
    let ciphertext = cipher
        .encrypt(Nonce::from_slice(&nonce), pkcs8)
        .map_err(|_| KeyError::Crypto("encryption failed"))?;
    let b64 = base64::engine::general_purpose::STANDARD;
    Ok(format!(
        r#"{{"kdf":{{"name":"scrypt","params":{{"N":65536,"r":8,"p":1}},"salt":"{}"}},"cipher":{{"name":"nacl/secretbox","nonce":"{}"}},"ciphertext":"{}"}}"#,
        b64.encode(salt),
        b64.encode(nonce),
        b64.encode(ciphertext)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_scrypt_parameters() {
        assert_eq!(
            log_n(&Params {
                n: 32_768,
                r: 8,
                p: 1
            }),
            Some(15)
        );
        assert_eq!(
            log_n(&Params {
                n: 131_072,
                r: 8,
                p: 1
            }),
            Some(17)
        );
        assert_eq!(
            log_n(&Params {
                n: 1 << 30,
                r: 8,
                p: 1
            }),
            None
        );
        assert_eq!(
            log_n(&Params {
                n: 65_536,
                r: 16,
                p: 1
            }),
            None
        );
    }

    #[test]
    fn malformed_envelopes() {
        for body in [
            &b"{}"[..],
            br#"{"kdf":{"name":"pbkdf2","params":{"N":65536,"r":8,"p":1},"salt":""},"cipher":{"name":"nacl/secretbox","nonce":""},"ciphertext":""}"#,
            br#"{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":""},"cipher":{"name":"aes","nonce":""},"ciphertext":""}"#,
            br#"{"kdf":{"name":"scrypt","params":{"N":1073741824,"r":8,"p":1},"salt":""},"cipher":{"name":"nacl/secretbox","nonce":""},"ciphertext":""}"#,
            br#"{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":""},"cipher":{"name":"nacl/secretbox","nonce":"AQID"},"ciphertext":""}"#,
        ] {
            assert!(matches!(decrypt(body, b""), Err(KeyError::InvalidPrivateKey(_))), "{}", String::from_utf8_lossy(body));
        }
    }
}

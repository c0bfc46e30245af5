//! Secrets stored encrypted at rest (the SMTP password): XChaCha20-Poly1305
//! with a key from the configuration and a random nonce per value. The
//! associated data names what the value is, so that a ciphertext copied into
//! another setting does not decrypt there.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore;

/// What a stored value starts with: the scheme, so that a later one can be told apart.
const PREFIX: &str = "xchacha20poly1305:";
const NONCE_LEN: usize = 24;

/// The key that encrypts secrets in the database: 32 bytes, given in the
/// configuration as base64 (`openssl rand -base64 32`).
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl SecretKey {
    pub fn from_base64(input: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(input.trim())
            .map_err(|_| "secret_key is not base64; make one with `openssl rand -base64 32`".to_owned())?;
        let key: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            format!("secret_key must be 32 bytes in base64, not {}; make one with `openssl rand -base64 32`", b.len())
        })?;
        Ok(Self(key))
    }

    pub fn encrypt(&self, plaintext: &str, purpose: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new(Key::from_slice(&self.0));
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: purpose.as_bytes() })
            .expect("XChaCha20-Poly1305 encrypts any message of this size");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!("{PREFIX}{}", STANDARD.encode(out))
    }

    /// `None` when the value was not encrypted with this key for this purpose.
    pub fn decrypt(&self, stored: &str, purpose: &str) -> Option<String> {
        let bytes = STANDARD.decode(stored.strip_prefix(PREFIX)?).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new(Key::from_slice(&self.0));
        let plain = cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: purpose.as_bytes() }).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SecretKey {
        SecretKey::from_base64(&STANDARD.encode([byte; 32])).unwrap()
    }

    #[test]
    fn a_secret_decrypts_only_with_its_key_and_purpose() {
        let stored = key(1).encrypt("hunter2", "smtp_password");
        assert!(stored.starts_with(PREFIX) && !stored.contains("hunter2"));
        assert_ne!(stored, key(1).encrypt("hunter2", "smtp_password"), "a fresh nonce each time");
        assert_eq!(key(1).decrypt(&stored, "smtp_password").as_deref(), Some("hunter2"));
        assert_eq!(key(2).decrypt(&stored, "smtp_password"), None);
        assert_eq!(key(1).decrypt(&stored, "other"), None);
        assert_eq!(key(1).decrypt("hunter2", "smtp_password"), None);
    }

    #[test]
    fn a_key_of_the_wrong_length_is_refused_with_what_to_do() {
        let error = SecretKey::from_base64(&STANDARD.encode([0u8; 16])).unwrap_err();
        assert!(error.contains("32 bytes") && error.contains("openssl"), "{error}");
        assert!(SecretKey::from_base64("not base64!").is_err());
    }
}

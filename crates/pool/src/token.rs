//! Patron tokens: the same person, known to two venues by the same email, gives the same token
//! at both, and nobody without the network's key can tell whose token it is, nor test a guess.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The key a network's venues share, and the hub never holds: 32 bytes or more.
pub struct NetworkKey(Vec<u8>);

/// Why a key cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "the network key must be at least 32 bytes written as 64 hexadecimal digits or more; the \
     network's coordinator gives it to each venue, never to the hub"
)]
pub struct WeakKey;

impl NetworkKey {
    /// A key from its hexadecimal text.
    pub fn from_hex(text: &str) -> Result<NetworkKey, WeakKey> {
        let text = text.trim();
        if text.len() < 64 || text.len() % 2 != 0 {
            return Err(WeakKey);
        }
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|_| WeakKey))
            .collect::<Result<Vec<u8>, WeakKey>>()
            .map(NetworkKey)
    }

    /// The token of an email, or `None` when it is not an address. Emails are normalised as
    /// record linkage does (trimmed, lower case, common domain slips corrected), so that every
    /// venue, running the same code, gives the same token.
    pub fn token(&self, email: &str) -> Option<String> {
        let normalised = jauge_identity::normalise::email(email)?;
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(b"jauge-pool-patron-v1\0");
        mac.update(normalised.as_bytes());
        Some(
            mac.finalize()
                .into_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn the_same_address_gives_the_same_token_however_written_and_keys_differ() {
        let key = NetworkKey::from_hex(KEY).unwrap();
        let a = key.token("Ana.Lopes@Exemple.fr ").unwrap();
        assert_eq!(a, key.token("ana.lopes@exemple.fr").unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, key.token("ana.lopez@exemple.fr").unwrap());
        let other = NetworkKey::from_hex(&KEY.replace("00", "ff")).unwrap();
        assert_ne!(a, other.token("ana.lopes@exemple.fr").unwrap());
        assert_eq!(key.token("not an address"), None);
        // The token is no plain hash of the address: without the key, a guess cannot be tested.
        assert!(!a.contains("ana"));
    }

    #[test]
    fn short_or_malformed_keys_are_refused() {
        assert_eq!(NetworkKey::from_hex("00ff").err(), Some(WeakKey));
        assert_eq!(NetworkKey::from_hex(&"zz".repeat(32)).err(), Some(WeakKey));
        assert!(NetworkKey::from_hex(&"ab".repeat(32)).is_ok());
    }
}

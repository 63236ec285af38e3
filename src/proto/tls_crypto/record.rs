//! [`RecordCipher`]: decrypts one direction's protected records, in order, keeping its sequence number.
//!
//! Made from a TLS 1.3 traffic secret ([`RecordCipher::tls13`]) or from one side's TLS 1.2 key block keys
//! ([`RecordCipher::tls12`]). A record that fails to decrypt is an error and leaves the sequence number
//! where it was, so a caller may try it with other keys (TLS 1.3 rejected early data) without losing its place.

use super::aead::{self, AeadKey};
use super::cbc::CbcKeys;
use super::schedule::{self, DirectionKeys, KeyError};
use super::secret::Secret;
use super::suite::{AeadAlgorithm, CipherSuite, Protection, Version};
use std::fmt;

/// Largest protected record fragment TLS allows (2^14 plus 2048 bytes of expansion, RFC 5246 §6.2.3).
pub const MAX_FRAGMENT: usize = (1 << 14) + 2048;

/// A decrypted record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plaintext {
    /// The real content type: the header's in TLS 1.2, the inner one in TLS 1.3 (22 for an encrypted
    /// handshake record, 21 for an alert, 23 for application data).
    pub content_type: u8,
    pub data: Vec<u8>,
}

/// Why a record did not decrypt. With the right keys only a damaged or misplaced record fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    #[error("the record header says {header} bytes, the fragment has {fragment}")]
    LengthMismatch { header: usize, fragment: usize },
    #[error("a {len}-byte record is too short to decrypt (at least {min} bytes)")]
    TooShort { len: usize, min: usize },
    #[error("a {len}-byte record is longer than TLS allows ({MAX_FRAGMENT})")]
    TooLong { len: usize },
    #[error("{len} bytes of CBC ciphertext is not a whole number of blocks")]
    NotBlockAligned { len: usize },
    #[error("the authentication tag does not match (wrong keys, or not this direction's next record)")]
    BadTag,
    #[error("the MAC does not match (wrong keys, or not this direction's next record)")]
    BadMac,
    #[error("the CBC padding is malformed (wrong keys, or not this direction's next record)")]
    BadPadding,
    #[error("the TLS 1.3 inner plaintext is all padding, with no content type")]
    NoContentType,
}

/// How this direction's records are protected, with its keys.
enum State {
    Tls13 { secret: Secret, key: AeadKey, iv: [u8; 12] },
    Tls12Gcm { key: AeadKey, salt: [u8; 4] },
    Tls12Chacha { key: AeadKey, iv: [u8; 12] },
    Tls12Cbc(CbcKeys),
}

/// Decrypts the records of one direction of one connection.
pub struct RecordCipher {
    suite: CipherSuite,
    /// Sequence number of the next record (RFC 5246 §6.1, RFC 8446 §5.3).
    seq: u64,
    state: State,
}

impl RecordCipher {
    /// For records protected with a TLS 1.3 traffic secret (handshake, application or early data).
    pub fn tls13(suite: CipherSuite, traffic_secret: &[u8]) -> Result<RecordCipher, KeyError> {
        let state = tls13_state(suite, Secret::from(traffic_secret))?;
        Ok(RecordCipher { suite, seq: 0, state })
    }

    /// For TLS 1.2 records, with this direction's part of the key block. `encrypt_then_mac` is whether the
    /// hellos negotiated RFC 7366; it matters only to CBC suites.
    pub fn tls12(suite: CipherSuite, keys: &DirectionKeys, encrypt_then_mac: bool) -> Result<RecordCipher, KeyError> {
        if suite.version() != Version::Tls12 {
            return Err(KeyError::NotTls12(suite));
        }
        let state = tls12_state(suite, keys, encrypt_then_mac).ok_or(KeyError::KeyLength { suite })?;
        Ok(RecordCipher { suite, seq: 0, state })
    }

    pub fn suite(&self) -> CipherSuite {
        self.suite
    }

    /// Sequence number of the next record.
    pub fn sequence(&self) -> u64 {
        self.seq
    }

    /// Decrypts the next record of this direction: its 5-byte header and the fragment that follows it.
    pub fn decrypt(&mut self, header: [u8; 5], fragment: &[u8]) -> Result<Plaintext, DecryptError> {
        let length = usize::from(u16::from_be_bytes([header[3], header[4]]));
        if length != fragment.len() {
            return Err(DecryptError::LengthMismatch { header: length, fragment: fragment.len() });
        }
        if fragment.len() > MAX_FRAGMENT {
            return Err(DecryptError::TooLong { len: fragment.len() });
        }
        let seq = self.seq;
        let plaintext = match &self.state {
            State::Tls13 { key, iv, .. } => aead::open_tls13(key, iv, seq, header, fragment),
            State::Tls12Gcm { key, salt } => aead::open_tls12_gcm(key, salt, seq, header, fragment),
            State::Tls12Chacha { key, iv } => aead::open_tls12_chacha(key, iv, seq, header, fragment),
            State::Tls12Cbc(keys) => keys.open(seq, header, fragment),
        }?;
        // 2^64 records cannot happen; saturating keeps this panic-free, and a repeated number fails to decrypt.
        self.seq = seq.saturating_add(1);
        Ok(plaintext)
    }

    /// Moves to the next application traffic secret (TLS 1.3, RFC 8446 §7.2), from sequence number 0. Call it
    /// once the record carrying this direction's KeyUpdate (handshake type 24) is decrypted: the records
    /// after it use the new keys. Each direction updates on its own KeyUpdate only.
    pub fn update_keys(&mut self) -> Result<(), KeyError> {
        let State::Tls13 { secret, .. } = &self.state else {
            return Err(KeyError::NotTls13(self.suite));
        };
        let next = schedule::tls13_next_traffic_secret(self.suite, secret.expose())?;
        self.state = tls13_state(self.suite, next)?;
        self.seq = 0;
        Ok(())
    }
}

/// `None` if a key or IV is not the suite's length.
fn tls12_state(suite: CipherSuite, keys: &DirectionKeys, encrypt_then_mac: bool) -> Option<State> {
    let (key, iv) = (keys.key.expose(), keys.iv.expose());
    Some(match suite.protection() {
        Protection::Aead(AeadAlgorithm::Chacha20Poly1305) => {
            State::Tls12Chacha { key: AeadKey::new(AeadAlgorithm::Chacha20Poly1305, key)?, iv: iv.try_into().ok()? }
        }
        Protection::Aead(algorithm) => {
            State::Tls12Gcm { key: AeadKey::new(algorithm, key)?, salt: iv.try_into().ok()? }
        }
        Protection::Cbc { cipher, mac } => {
            State::Tls12Cbc(CbcKeys::new(cipher, key, mac, &keys.mac_key, encrypt_then_mac)?)
        }
    })
}

fn tls13_state(suite: CipherSuite, secret: Secret) -> Result<State, KeyError> {
    let keys = schedule::tls13_traffic_keys(suite, secret.expose())?;
    let Protection::Aead(algorithm) = suite.protection() else {
        return Err(KeyError::NotTls13(suite));
    };
    let key = AeadKey::new(algorithm, keys.key.expose()).ok_or(KeyError::KeyLength { suite })?;
    Ok(State::Tls13 { secret, key, iv: keys.iv })
}

impl fmt::Debug for RecordCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordCipher").field("suite", &self.suite).field("sequence", &self.seq).finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;

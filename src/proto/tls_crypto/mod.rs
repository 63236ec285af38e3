//! Decrypting TLS with the secrets of an NSS key log (`SSLKEYLOGFILE`, or a pcapng Decryption Secrets Block).
//!
//! So far: `suite.rs` (what each suite we decrypt is), `schedule.rs` (HKDF-Expand-Label, the TLS 1.2 PRF and
//! key block), `record.rs` (the record cipher), `aead.rs` and `cbc.rs` (the two kinds of record protection),
//! `secret.rs` (key material that never prints). The cryptography is RustCrypto's.

mod aead;
mod cbc;
pub mod record;
pub mod schedule;
mod secret;
pub mod suite;

pub use record::{DecryptError, Plaintext, RecordCipher};
pub use schedule::{DirectionKeys, KeyBlock, KeyError};
pub use secret::Secret;
pub use suite::CipherSuite;

#[cfg(test)]
mod rfc8448;
#[cfg(test)]
mod testing;

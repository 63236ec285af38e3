//! Decrypting TLS with the secrets of an NSS key log (`SSLKEYLOGFILE`, or a pcapng Decryption Secrets Block).
//!
//! Self-contained: the TLS decoder finds the hellos and records, this module turns secrets into plaintext.
//! The way through it, for one connection:
//!
//! 1. [`KeyLog::parse`] reads a key log (warnings name line numbers; the caller adds the file), and
//!    [`KeyLog::session`] finds the ClientHello's random in it: a [`SessionSecrets`], one [`Secret`] per
//!    [`SecretLabel`].
//! 2. [`CipherSuite::from_id`] types the ServerHello's suite; `None` means we cannot decrypt it.
//! 3. TLS 1.3: [`RecordCipher::tls13`] with the direction's handshake traffic secret, then with its
//!    `*_TRAFFIC_SECRET_0` after Finished, and [`RecordCipher::update_keys`] after each KeyUpdate.
//!    TLS 1.2: [`schedule::tls12_key_block`] from the master secret and both randoms, then
//!    [`RecordCipher::tls12`] with the client's or the server's half, from its ChangeCipherSpec on.
//! 4. [`RecordCipher::decrypt`] each protected record of that direction, in order: a [`Plaintext`] with the
//!    real content type, or a [`DecryptError`].
//!
//! Files: `keylog.rs` (the format), `suite.rs` (what each suite is), `schedule.rs` (HKDF-Expand-Label, the
//! TLS 1.2 PRF and key block), `record.rs` (the record cipher), `aead.rs` and `cbc.rs` (the two kinds of
//! record protection), `secret.rs` (key material that never prints). The cryptography is RustCrypto's; what
//! is ours is small and tested against RFC 8448's traces and the published TLS 1.2 PRF vectors.

mod aead;
mod cbc;
pub mod keylog;
pub mod record;
pub mod schedule;
mod secret;
pub mod suite;

pub use keylog::{KeyLog, KeyLogProblem, KeyLogWarning, SecretLabel, SessionSecrets};
pub use record::{DecryptError, Plaintext, RecordCipher};
pub use schedule::{DirectionKeys, KeyBlock, KeyError};
pub use secret::Secret;
pub use suite::CipherSuite;

#[cfg(test)]
mod rfc8448;
#[cfg(test)]
mod testing;

//! How a fuzz input reaches `proto::tls_crypto`, shared by the `tls_keylog` and `tls_record` targets and by
//! tests/tls_crypto_fuzz_corpus.rs, which replays their corpora on stable.
//!
//! `tls_keylog`: the input, lossily decoded as UTF-8 (as the caller of `KeyLog::parse` does), is a key log.
//!
//! `tls_record`: two bytes of IANA cipher suite number (a number we cannot decrypt picks a suite by its value
//! modulo the number of suites, so every input reaches one), one flag byte (bit 0: encrypt-then-MAC, bit 1:
//! the server's keys, bit 2: a TLS 1.3 KeyUpdate after the first record), then records: a 5-byte header and
//! as many bytes as it says, or what is left. The keys are fixed ([`tls12_keys`], [`tls13_secret`]), so
//! fuzz/seed_tls_crypto.py can write records that decrypt.

// Each target uses half of this file.
#![allow(dead_code)]

use tcpdialog::proto::tls_crypto::schedule::{self, DirectionKeys};
use tcpdialog::proto::tls_crypto::suite::Version;
use tcpdialog::proto::tls_crypto::{CipherSuite, DecryptError, KeyLog, KeyLogWarning, Plaintext, RecordCipher};

/// Parses a key log and checks what must always hold.
pub fn run_keylog(data: &[u8]) -> (KeyLog, Vec<KeyLogWarning>) {
    let text = String::from_utf8_lossy(data);
    let (log, warnings) = KeyLog::parse(&text);
    let lines = text.lines().count();
    for warning in &warnings {
        assert!((1..=lines).contains(&warning.line), "{warning} of {lines} lines");
        let _ = warning.to_string();
    }
    let _ = format!("{log:?}");
    (log, warnings)
}

/// The TLS 1.2 keys of the fuzz target: the key block of master secret 0x4d…, client random 0xc1…, server
/// random 0x5e….
pub fn tls12_keys(suite: CipherSuite, server: bool) -> DirectionKeys {
    let block = schedule::tls12_key_block(suite, &[0x4d; 48], &[0xc1; 32], &[0x5e; 32]).expect("a TLS 1.2 suite");
    if server { block.server } else { block.client }
}

/// The TLS 1.3 traffic secret of the fuzz target: 0x13… for the client, 0x31… for the server.
pub fn tls13_secret(suite: CipherSuite, server: bool) -> Vec<u8> {
    vec![if server { 0x31 } else { 0x13 }; suite.hash().output_len()]
}

/// The suite, the cipher and the records an input describes.
fn cipher_for(data: &[u8]) -> Option<(RecordCipher, bool, &[u8])> {
    let (&[hi, lo, flags], records) = data.split_first_chunk::<3>()?;
    let id = u16::from_be_bytes([hi, lo]);
    let suite = CipherSuite::from_id(id).unwrap_or(CipherSuite::ALL[usize::from(id) % CipherSuite::ALL.len()]);
    let (encrypt_then_mac, server, key_update) = (flags & 1 != 0, flags & 2 != 0, flags & 4 != 0);
    let cipher = match suite.version() {
        Version::Tls13 => RecordCipher::tls13(suite, &tls13_secret(suite, server)),
        Version::Tls12 => RecordCipher::tls12(suite, &tls12_keys(suite, server), encrypt_then_mac),
    }
    .expect("the fixed keys fit every suite");
    Some((cipher, key_update && suite.version() == Version::Tls13, records))
}

/// Decrypts every record of an input and checks what must always hold.
pub fn run_record(data: &[u8]) -> Vec<Result<Plaintext, DecryptError>> {
    let Some((mut cipher, key_update, mut rest)) = cipher_for(data) else {
        return Vec::new();
    };
    let mut results = Vec::new();
    while let Some((header, tail)) = rest.split_first_chunk::<5>() {
        let length = usize::from(u16::from_be_bytes([header[3], header[4]])).min(tail.len());
        let (fragment, tail) = tail.split_at(length);
        let before = cipher.sequence();
        let result = cipher.decrypt(*header, fragment);
        match &result {
            Ok(plaintext) => {
                assert!(plaintext.data.len() < fragment.len(), "plaintext longer than its record");
                assert_eq!(cipher.sequence(), before + 1);
            }
            Err(_) => assert_eq!(cipher.sequence(), before, "a failed record moved the sequence number"),
        }
        if key_update && results.is_empty() {
            cipher.update_keys().expect("TLS 1.3");
        }
        results.push(result);
        rest = tail;
    }
    results
}

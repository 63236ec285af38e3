//! Fuzz target: arbitrary records through a `RecordCipher` of any suite with fixed keys (the input format is
//! in tls_crypto_input.rs). It must never panic, and the sequence number must move only on success. Crashes
//! land in fuzz/artifacts/tls_record/, which tests/tls_crypto_fuzz_corpus.rs replays on stable.
#![no_main]

#[path = "tls_crypto_input.rs"]
mod tls_crypto_input;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tls_crypto_input::run_record(data);
});

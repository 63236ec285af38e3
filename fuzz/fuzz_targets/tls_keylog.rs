//! Fuzz target: arbitrary bytes as an NSS key log (see tls_crypto_input.rs). It must never panic; its
//! warnings must name lines that exist. Crashes land in fuzz/artifacts/tls_keylog/, which
//! tests/tls_crypto_fuzz_corpus.rs replays on stable.
#![no_main]

#[path = "tls_crypto_input.rs"]
mod tls_crypto_input;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tls_crypto_input::run_keylog(data);
});

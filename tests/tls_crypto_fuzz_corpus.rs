//! Replays the corpora and crash files of the `tls_keylog` and `tls_record` fuzz targets on stable.
//!
//! The record seeds were sealed by fuzz/seed_tls_crypto.py with Python's `cryptography` (OpenSSL) under the
//! targets' fixed keys, so every record of a seed must decrypt: for each suite, an independent check of our
//! key schedule, nonces, additional data, padding and MACs. Key log seeds must yield sessions.

#[path = "../fuzz/fuzz_targets/tls_crypto_input.rs"]
mod tls_crypto_input;

use std::path::{Path, PathBuf};
use tcpdialog::proto::tls_crypto::CipherSuite;

fn files(kind: &str, target: &str) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(kind).join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder).into_iter().flatten().flatten().map(|e| e.path()).collect();
    files.sort();
    files
}

/// Seeds have readable names; files the fuzzer adds are named by their SHA-1.
fn is_seed(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    !(name.len() == 40 && name.chars().all(|c| c.is_ascii_hexdigit()))
}

#[test]
fn every_record_seed_decrypts_and_nothing_panics() {
    let corpus = files("corpus", "tls_record");
    let seeds: Vec<&PathBuf> = corpus.iter().filter(|p| is_seed(p)).collect();
    assert!(seeds.len() >= 2 * CipherSuite::ALL.len(), "the seed corpus is missing ({} files)", seeds.len());
    for path in corpus.iter().chain(&files("artifacts", "tls_record")) {
        let data = std::fs::read(path).expect("corpus file");
        let results = tls_crypto_input::run_record(&data);
        if corpus.contains(path) && is_seed(path) {
            assert!(results.len() >= 2, "{}: {} records", path.display(), results.len());
            for (i, result) in results.iter().enumerate() {
                let plaintext = result.as_ref().unwrap_or_else(|e| panic!("{} record {i}: {e}", path.display()));
                assert!(plaintext.data.starts_with(b"seed record "), "{} record {i}", path.display());
            }
        }
    }
    // Every suite has seeds for both directions.
    for suite in CipherSuite::ALL {
        for side in ["client", "server"] {
            let name = format!("{:04x}-{side}", suite.id());
            assert!(seeds.iter().any(|p| p.ends_with(&name)), "no seed {name}");
        }
    }
}

#[test]
fn every_keylog_seed_has_sessions_and_nothing_panics() {
    let corpus = files("corpus", "tls_keylog");
    assert!(corpus.iter().filter(|p| is_seed(p)).count() >= 4, "the seed corpus is missing");
    for path in corpus.iter().chain(&files("artifacts", "tls_keylog")) {
        let data = std::fs::read(path).expect("corpus file");
        let (log, warnings) = tls_crypto_input::run_keylog(&data);
        if corpus.contains(path) && is_seed(path) {
            assert!(!log.is_empty(), "{}: no session", path.display());
            let malformed = path.ends_with("malformed-lines.txt");
            assert_eq!(warnings.is_empty(), !malformed, "{}: {warnings:?}", path.display());
        }
    }
}

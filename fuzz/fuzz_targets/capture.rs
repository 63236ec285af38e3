//! Fuzz target: arbitrary bytes through the capture reader. It must never panic, must end, and must keep its
//! summary consistent with what it yielded. Run with `cargo +nightly fuzz run capture` from the repository root;
//! crashes land in fuzz/artifacts/capture/, which tests/capture_fuzz_corpus.rs replays on stable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tcpdialog::capture::CaptureReader;

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = CaptureReader::from_reader("fuzz-input", std::io::Cursor::new(data.to_vec())) else {
        return;
    };
    let mut frames = 0u64;
    for result in reader.by_ref() {
        match result {
            Ok(_) => frames += 1,
            Err(_) => break,
        }
    }
    assert_eq!(reader.summary().packets, frames);
});

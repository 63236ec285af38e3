//! Fuzz target: arbitrary bytes as a capture file through every stage: analysis, dialogs of a few selections,
//! and every view in every format. Run with `RUSTC_BOOTSTRAP=1 cargo fuzz run pipeline` from the repository
//! root; crashes land in fuzz/artifacts/pipeline/, which tests/pipeline_fuzz_corpus.rs replays on stable.
#![no_main]

#[path = "pipeline_input.rs"]
mod pipeline_input;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pipeline_input::run(data);
});

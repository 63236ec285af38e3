//! Replays the pipeline fuzz target's corpus and crash files (fuzz/corpus/pipeline/, fuzz/artifacts/pipeline/)
//! through the same checks on stable Rust. A crash found by `cargo fuzz run pipeline` becomes a regression test
//! by staying in fuzz/artifacts/pipeline/.
//!
//! Seeds are real captures with readable names, so this also checks that they go through every stage: a seed
//! that yields no dialog would mean the pipeline, not the input, broke.

#[path = "../fuzz/fuzz_targets/pipeline_input.rs"]
mod pipeline_input;

use std::path::{Path, PathBuf};

fn files_in(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(root).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

/// Files the fuzzer adds are named by their SHA-1; crash files by their kind and SHA-1.
fn is_seed(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    name.ends_with(".pcap") || name.ends_with(".pcapng")
}

#[test]
fn every_corpus_and_crash_file_goes_through_the_pipeline() {
    let corpus = files_in("fuzz/corpus/pipeline");
    let seeds = corpus.iter().filter(|p| is_seed(p)).count();
    assert!(seeds >= 20, "the seed corpus is missing ({seeds} seeds)");
    for path in corpus.iter().chain(&files_in("fuzz/artifacts/pipeline")) {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = pipeline_input::run(&data);
        if is_seed(path) {
            // Stream 0 and all streams always make a dialog of a capture with TCP in it.
            assert!(outcome.analysed, "{}: not analysed", path.display());
            assert!(outcome.dialogs >= 2 && outcome.events > 0, "{}: {outcome:?}", path.display());
            assert!(outcome.renderings >= 14, "{}: {outcome:?}", path.display());
        }
    }
}

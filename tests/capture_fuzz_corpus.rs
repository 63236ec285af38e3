//! Replays the capture fuzz target's corpus and crash files (fuzz/corpus/capture/, fuzz/artifacts/capture/)
//! through the reader on stable Rust: every input must end without a panic, with a summary that agrees with what
//! was yielded. A crash found by `cargo +nightly fuzz run capture` becomes a regression test by staying in
//! fuzz/artifacts/capture/.

use std::fs;
use std::path::Path;
use tcpdialog::capture::CaptureReader;

fn replay(path: &Path) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let Ok(mut reader) = CaptureReader::from_reader(path, std::io::Cursor::new(bytes)) else {
        return;
    };
    let mut frames = 0u64;
    for result in reader.by_ref() {
        match result {
            Ok(packet) => {
                frames += 1;
                assert_eq!(packet.frame, frames, "{}: frames are numbered in order", path.display());
            }
            Err(error) => {
                assert!(error.to_string().contains(&path.display().to_string()), "{error}");
                break;
            }
        }
    }
    assert_eq!(reader.summary().packets, frames, "{}", path.display());
}

#[test]
fn corpus_and_crash_files_replay_without_panicking() {
    let mut replayed = 0;
    for dir in ["fuzz/corpus/capture", "fuzz/artifacts/capture"] {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_file() {
                replay(&path);
                replayed += 1;
            }
        }
    }
    // The committed seeds alone are 60 files (scripts/capture-expectations.sh).
    assert!(replayed >= 60, "only {replayed} corpus files found");
}

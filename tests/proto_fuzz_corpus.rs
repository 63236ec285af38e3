//! Replays every fuzz corpus and crash file of the `proto_*` targets through the decoders, without nightly.
//!
//! Seeds are real capture payloads (made by `fuzz/seed_corpus.py`), so this also checks that each decoder
//! finds real messages in them: a seed that decodes to nothing but data would mean the input format broke.

#[path = "../fuzz/fuzz_targets/proto_input.rs"]
mod proto_input;

use std::path::Path;
use tcpdialog::proto::Protocol;

fn files_under(kind: &str) -> Vec<(String, std::path::PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(kind);
    let Ok(targets) = std::fs::read_dir(&root) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for target in targets.flatten().filter(|t| t.file_name().to_string_lossy().starts_with("proto_")) {
        let name = target.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(target.path()).into_iter().flatten().flatten() {
            files.push((name.clone(), file.path()));
        }
    }
    files.sort();
    files
}

#[test]
fn every_corpus_and_crash_file_decodes_without_panicking() {
    let files: Vec<_> = files_under("corpus").into_iter().chain(files_under("artifacts")).collect();
    assert!(files.len() >= 16, "the seed corpus is missing ({} files)", files.len());
    for (target, path) in &files {
        let data = std::fs::read(path).expect("corpus file");
        let protocol = proto_input::protocol_of_target(target);
        let messages = proto_input::run(protocol, &data);
        // Seeds have readable names; files the fuzzer adds are named by their SHA-1.
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let added_by_fuzzer = name.len() == 40 && name.chars().all(|c| c.is_ascii_hexdigit());
        let in_corpus = path.parent().is_some_and(|p| p.ends_with(format!("corpus/{target}")));
        if in_corpus && !added_by_fuzzer {
            let decoded = messages.iter().filter(|m| m.protocol != Protocol::Data).count();
            assert!(decoded > 0, "{}: no message decoded", path.display());
        }
    }
}

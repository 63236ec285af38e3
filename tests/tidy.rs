//! Repository hygiene: every source file says what it is for, and ARCHITECTURE.md maps every module.

mod common;

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_source_file_has_a_module_doc() {
    let mut files = Vec::new();
    rust_files(&common::repo().join("src"), &mut files);
    files.sort();
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            !text.lines().find(|l| !l.trim().is_empty()).is_some_and(|l| l.starts_with("//!"))
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(missing.is_empty(), "files without a `//!` doc: {missing:#?}");
}

#[test]
fn architecture_maps_every_top_level_module() {
    let map = std::fs::read_to_string(common::repo().join("ARCHITECTURE.md")).unwrap();
    let lib = std::fs::read_to_string(common::repo().join("src/lib.rs")).unwrap();
    let modules: Vec<&str> =
        lib.lines().filter_map(|l| l.strip_prefix("pub mod ")).map(|m| m.trim_end_matches(';')).collect();
    assert!(modules.len() >= 6, "{modules:?}");
    for module in modules {
        let dir = format!("`{module}/`");
        let file = format!("`{module}.rs`");
        assert!(map.contains(&dir) || map.contains(&file), "ARCHITECTURE.md does not map `{module}`");
    }
}

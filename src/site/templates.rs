//! The askama templates of `templates/` and the values they print. Every URL handed to a template is already
//! relative to the page it appears on (see [`super::links::UrlMaker`]); askama escapes every value that is not
//! marked `|safe`, and only rendered markdown and inline SVG are.

use askama::Template;

/// What every page shows around its content: header, navigation, head tags.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub site_title: String,
    pub site_description: String,
    pub lang: String,
    /// `<title>`: the page's title, then the site's.
    pub page_title: String,
    /// `<meta name="description">`.
    pub description: String,
    pub home_url: String,
    pub archives_url: String,
    pub css_url: String,
    pub feed_url: Option<String>,
    pub pages: Vec<Link>,
    /// Absolute URL of this page, when the site has a base URL.
    pub canonical: Option<String>,
    pub open_graph: Option<OpenGraph>,
}

#[derive(Debug, Clone)]
pub struct OpenGraph {
    pub kind: &'static str,
    pub title: String,
    pub description: String,
    pub url: String,
    pub image: Option<String>,
    /// The image's width and height: a social card's ([`crate::diagram::CARD_SIZE`]).
    pub image_size: (u32, u32),
    pub published: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A post as a list shows it.
#[derive(Debug, Clone)]
pub struct PostCard {
    pub title: String,
    pub url: String,
    pub date_iso: String,
    pub date_human: String,
    pub summary: String,
    pub tags: Vec<Link>,
}

#[derive(Debug, Clone, Default)]
pub struct Pagination {
    pub newer: Option<String>,
    pub older: Option<String>,
    pub number: usize,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage<'a> {
    pub chrome: &'a Chrome,
    pub posts: Vec<PostCard>,
    pub pagination: Pagination,
}

#[derive(Template)]
#[template(path = "post.html")]
pub struct PostPage<'a> {
    pub chrome: &'a Chrome,
    pub title: String,
    pub date_iso: String,
    pub date_human: String,
    pub modified: Option<(String, String)>,
    pub author: Option<String>,
    pub category: Option<Link>,
    pub tags: Vec<Link>,
    pub lang: String,
    pub content: String,
    pub newer: Option<Link>,
    pub older: Option<Link>,
}

#[derive(Template)]
#[template(path = "page.html")]
pub struct StaticPage<'a> {
    pub chrome: &'a Chrome,
    pub title: String,
    pub lang: String,
    pub content: String,
}

#[derive(Template)]
#[template(path = "tag.html")]
pub struct TagPage<'a> {
    pub chrome: &'a Chrome,
    pub tag: String,
    pub posts: Vec<PostCard>,
}

#[derive(Template)]
#[template(path = "category.html")]
pub struct CategoryPage<'a> {
    pub chrome: &'a Chrome,
    pub category: String,
    pub posts: Vec<PostCard>,
}

/// Tags with their number of posts.
#[derive(Debug, Clone)]
pub struct TagCount {
    pub link: Link,
    pub count: usize,
}

#[derive(Debug, Clone)]
pub struct Year {
    pub year: String,
    pub posts: Vec<PostCard>,
}

#[derive(Template)]
#[template(path = "archives.html")]
pub struct ArchivesPage<'a> {
    pub chrome: &'a Chrome,
    pub years: Vec<Year>,
    pub tags: Vec<TagCount>,
    pub categories: Vec<TagCount>,
}

#[derive(Template)]
#[template(path = "404.html")]
pub struct NotFoundPage<'a> {
    pub chrome: &'a Chrome,
}

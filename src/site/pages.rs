//! Assembles the whole output from rendered documents: post and page HTML, the paginated index, tag,
//! category and archive pages, the 404 page, the feed, sitemap, robots.txt, the theme's CSS, and the files
//! of `content/`. Everything is keyed by output path in a sorted map, so the result is the same every time.

use super::config::Config;
use super::content::{CONTENT_DIR, Content, Document, Kind};
use super::error::SiteError;
use super::feed::{self, FEED_FILE, FeedPost};
use super::highlight;
use super::links::{UrlMaker, absolute_url};
use super::markdown::Rendered;
use super::metadata::slugify;
use super::output::{OutputFiles, Payload};
use super::templates::*;
use askama::Template;
use std::collections::BTreeMap;
use std::path::Path;

pub const STYLE_FILE: &str = "theme/style.css";
const THEME_CSS: &str = include_str!("../../theme/style.css");

/// A document with its rendering, as the page builders see it.
struct Entry<'a> {
    doc: &'a Document,
    rendered: &'a Rendered,
}

/// Posts grouped under one tag or category, by slug: its name and its posts.
type Groups<'e, 'a> = BTreeMap<String, (String, Vec<&'e Entry<'a>>)>;

/// What posts are grouped by.
#[derive(Debug, Clone, Copy)]
enum GroupKind {
    Tag,
    Category,
}

impl GroupKind {
    /// The output folder of its pages.
    fn folder(self) -> &'static str {
        match self {
            GroupKind::Tag => "tags",
            GroupKind::Category => "categories",
        }
    }
}

/// Builds every output file: one builder per kind of page, then the machine-readable files and what the
/// documents brought along.
pub fn assemble(
    root: &Path,
    config: &Config,
    content: &Content,
    rendered: &[Rendered],
) -> Result<OutputFiles, SiteError> {
    let entries: Vec<Entry> =
        content.documents.iter().zip(rendered).map(|(doc, rendered)| Entry { doc, rendered }).collect();
    let mut site = Assembly::new(config, &entries);
    for entry in &entries {
        site.document(entry)?;
    }
    site.index_pages()?;
    let (tags, categories) = site.groups();
    site.group_pages(&tags, GroupKind::Tag)?;
    site.group_pages(&categories, GroupKind::Category)?;
    site.archives(&tags, &categories)?;
    site.not_found()?;
    site.machine_files();
    let mut files = site.files;
    // Files of content/ at their own paths, then what the documents brought (diagrams, captures, attachments).
    for asset in &content.assets {
        files.insert(asset.clone(), Payload::Copy(root.join(CONTENT_DIR).join(asset)));
    }
    for entry in &entries {
        for (path, payload) in &entry.rendered.files {
            files.insert(path.clone(), payload.clone());
        }
    }
    Ok(files)
}

/// The output being assembled, and what every page builder needs.
struct Assembly<'e, 'a> {
    config: &'a Config,
    site: SiteChrome<'a>,
    listed_posts: Vec<&'e Entry<'a>>,
    listed_pages: Vec<&'e Entry<'a>>,
    files: OutputFiles,
}

impl<'e, 'a> Assembly<'e, 'a> {
    fn new(config: &'a Config, entries: &'e [Entry<'a>]) -> Self {
        let listed =
            |kind: Kind| entries.iter().filter(|e| e.doc.kind == kind && e.doc.is_listed()).collect::<Vec<_>>();
        let (listed_posts, listed_pages) = (listed(Kind::Post), listed(Kind::Page));
        let site = SiteChrome {
            config,
            pages: listed_pages.iter().map(|e| (e.doc.meta.title.clone(), e.doc.output_dir.clone())).collect(),
        };
        Assembly { config, site, listed_posts, listed_pages, files: OutputFiles::new() }
    }

    /// Files a rendered template at `path`.
    fn put(&mut self, path: String, html: Result<String, askama::Error>) -> Result<(), SiteError> {
        let html = html.map_err(|e| SiteError::Template { page: path.clone(), message: e.to_string() })?;
        self.files.insert(path, Payload::Bytes(html.into_bytes()));
        Ok(())
    }

    /// The page of one post or page.
    fn document(&mut self, entry: &Entry) -> Result<(), SiteError> {
        let (config, doc) = (self.config, entry.doc);
        let dir = doc.output_dir.as_str();
        let og_image = entry.rendered.og_image.as_deref().and_then(|p| absolute_url(&config.base_url, p));
        let published = doc.meta.date.map(|d| d.rfc3339());
        let kind = if doc.kind == Kind::Post { "article" } else { "website" };
        let chrome = self.site.chrome(dir, &doc.meta.title, &entry.rendered.summary, Some((kind, og_image, published)));
        let lang = doc.meta.lang.clone().unwrap_or_else(|| config.lang.clone());
        let content = entry.rendered.html.clone();
        let html = match doc.kind {
            Kind::Page => StaticPage { chrome: &chrome, title: doc.meta.title.clone(), lang, content }.render(),
            Kind::Post => self.post_page(entry, &chrome, lang, content).render(),
        };
        self.put(format!("{dir}index.html"), html)
    }

    fn post_page<'c>(&self, entry: &Entry, chrome: &'c Chrome, lang: String, content: String) -> PostPage<'c> {
        let (config, doc) = (self.config, entry.doc);
        let urls = UrlMaker::for_dir(&doc.output_dir, config.clean_urls);
        let listed_at = self.listed_posts.iter().position(|e| std::ptr::eq(*e, entry));
        let neighbour = |i: Option<usize>| {
            i.and_then(|i| self.listed_posts.get(i))
                .map(|e| Link { title: e.doc.meta.title.clone(), url: urls.url(&e.doc.output_dir) })
        };
        let date = doc.meta.date.unwrap_or_default();
        PostPage {
            chrome,
            title: doc.meta.title.clone(),
            date_iso: date.rfc3339(),
            date_human: date.human(),
            modified: doc.meta.modified.filter(|m| Some(*m) != doc.meta.date).map(|m| (m.rfc3339(), m.human())),
            author: doc.meta.author.clone().or_else(|| (!config.author.is_empty()).then(|| config.author.clone())),
            category: doc.meta.category.as_ref().map(|c| Link { title: c.clone(), url: urls.url(&category_dir(c)) }),
            tags: tag_links(&doc.meta.tags, &urls),
            lang,
            content,
            newer: neighbour(listed_at.and_then(|i| i.checked_sub(1))),
            older: neighbour(listed_at.map(|i| i + 1)),
        }
    }

    /// The paginated index: page 1 at the top, then page/2/, page/3/...
    fn index_pages(&mut self) -> Result<(), SiteError> {
        let config = self.config;
        let page_dir = |n: usize| if n == 1 { String::new() } else { format!("page/{n}/") };
        let chunks: Vec<Vec<&Entry>> = self.listed_posts.chunks(config.posts_per_page).map(<[_]>::to_vec).collect();
        let page_count = chunks.len().max(1);
        for number in 1..=page_count {
            let dir = page_dir(number);
            let urls = UrlMaker::for_dir(&dir, config.clean_urls);
            let title = if number == 1 { String::new() } else { format!("Page {number}") };
            let chrome = self.site.chrome(&dir, &title, &config.description, None);
            let posts = chunks.get(number - 1).map(|c| cards(c, &urls)).unwrap_or_default();
            let pagination = Pagination {
                newer: (number > 1).then(|| urls.url(&page_dir(number - 1))),
                older: (number < page_count).then(|| urls.url(&page_dir(number + 1))),
                number,
                count: page_count,
            };
            self.put(format!("{dir}index.html"), IndexPage { chrome: &chrome, posts, pagination }.render())?;
        }
        Ok(())
    }

    /// The listed posts by tag and by category, each keyed by slug.
    fn groups(&self) -> (Groups<'e, 'a>, Groups<'e, 'a>) {
        let (mut tags, mut categories) = (Groups::new(), Groups::new());
        for &entry in &self.listed_posts {
            for tag in &entry.doc.meta.tags {
                tags.entry(slugify(tag)).or_insert_with(|| (tag.clone(), Vec::new())).1.push(entry);
            }
            if let Some(category) = &entry.doc.meta.category {
                categories.entry(slugify(category)).or_insert_with(|| (category.clone(), Vec::new())).1.push(entry);
            }
        }
        (tags, categories)
    }

    /// One page per tag or category.
    fn group_pages(&mut self, groups: &Groups, kind: GroupKind) -> Result<(), SiteError> {
        for (slug, (name, posts)) in groups {
            let dir = format!("{}/{slug}/", kind.folder());
            let urls = UrlMaker::for_dir(&dir, self.config.clean_urls);
            let (title, description) = match kind {
                GroupKind::Tag => (format!("Tag {name}"), format!("Posts tagged {name}")),
                GroupKind::Category => (name.clone(), format!("Posts in {name}")),
            };
            let chrome = self.site.chrome(&dir, &title, &description, None);
            let posts = cards(posts, &urls);
            let html = match kind {
                GroupKind::Tag => TagPage { chrome: &chrome, tag: name.clone(), posts }.render(),
                GroupKind::Category => CategoryPage { chrome: &chrome, category: name.clone(), posts }.render(),
            };
            self.put(format!("{dir}index.html"), html)?;
        }
        Ok(())
    }

    /// Archives: posts by year, then every tag and category.
    fn archives(&mut self, tags: &Groups, categories: &Groups) -> Result<(), SiteError> {
        let dir = "archives/";
        let urls = UrlMaker::for_dir(dir, self.config.clean_urls);
        let mut years: Vec<Year> = Vec::new();
        for entry in &self.listed_posts {
            let year = entry.doc.meta.date.map(|d| d.local.year().to_string()).unwrap_or_default();
            let card = cards(&[entry], &urls);
            match years.last_mut() {
                Some(last) if last.year == year => last.posts.extend(card),
                _ => years.push(Year { year, posts: card }),
            }
        }
        let counts = |groups: &Groups, kind: GroupKind| -> Vec<TagCount> {
            groups
                .iter()
                .map(|(slug, (name, posts))| TagCount {
                    link: Link { title: name.clone(), url: urls.url(&format!("{}/{slug}/", kind.folder())) },
                    count: posts.len(),
                })
                .collect()
        };
        let chrome = self.site.chrome(dir, "Archives", &format!("Every post of {}", self.config.title), None);
        let page = ArchivesPage {
            chrome: &chrome,
            years,
            tags: counts(tags, GroupKind::Tag),
            categories: counts(categories, GroupKind::Category),
        };
        self.put(format!("{dir}index.html"), page.render())
    }

    /// 404: served at any depth, so its links start from the base path when there is one.
    fn not_found(&mut self) -> Result<(), SiteError> {
        let mut chrome = self.site.chrome("", "Page not found", "", None);
        if let Some(base) = self.config.base_path() {
            self.site.relink(&mut chrome, &UrlMaker::absolute(&base, true));
        }
        self.put("404.html".to_string(), NotFoundPage { chrome: &chrome }.render())
    }

    /// The theme's stylesheet, robots.txt, the feed and the sitemap.
    fn machine_files(&mut self) {
        let config = self.config;
        let files = &mut self.files;
        files.insert(STYLE_FILE.to_string(), Payload::Bytes(format!("{THEME_CSS}\n{}", highlight::css()).into_bytes()));
        files.insert("robots.txt".into(), Payload::Bytes(feed::robots(config).into_bytes()));
        if config.feed {
            let feed_posts: Vec<FeedPost> = self.listed_posts.iter().map(|e| feed_post(e, config)).collect();
            files.insert(FEED_FILE.into(), Payload::Bytes(feed::atom(config, &feed_posts).into_bytes()));
        }
        let mut sitemap_pages: Vec<(String, Option<String>)> = vec![(String::new(), None), ("archives/".into(), None)];
        for entry in self.listed_posts.iter().chain(&self.listed_pages) {
            let meta = &entry.doc.meta;
            sitemap_pages.push((entry.doc.output_dir.clone(), meta.modified.or(meta.date).map(|d| d.ymd())));
        }
        if let Some(sitemap) = feed::sitemap(config, &sitemap_pages) {
            files.insert("sitemap.xml".into(), Payload::Bytes(sitemap.into_bytes()));
        }
    }
}

/// What every page's [`Chrome`] is made from.
struct SiteChrome<'a> {
    config: &'a Config,
    /// Listed pages: title and output folder.
    pages: Vec<(String, String)>,
}

impl SiteChrome<'_> {
    fn chrome(
        &self,
        dir: &str,
        title: &str,
        description: &str,
        og: Option<(&'static str, Option<String>, Option<String>)>,
    ) -> Chrome {
        let config = self.config;
        let canonical = absolute_url(&config.base_url, dir);
        let page_title = if title.is_empty() { config.title.clone() } else { format!("{title} · {}", config.title) };
        let open_graph = match (og, &canonical) {
            (Some((kind, image, published)), Some(url)) => Some(OpenGraph {
                kind,
                title: title.to_string(),
                description: description.to_string(),
                url: url.clone(),
                image,
                image_size: crate::diagram::CARD_SIZE,
                published,
            }),
            _ => None,
        };
        let mut chrome = Chrome {
            site_title: config.title.clone(),
            site_description: config.description.clone(),
            lang: config.lang.clone(),
            page_title,
            description: description.to_string(),
            home_url: String::new(),
            archives_url: String::new(),
            css_url: String::new(),
            feed_url: None,
            pages: Vec::new(),
            canonical,
            open_graph,
        };
        self.relink(&mut chrome, &UrlMaker::for_dir(dir, config.clean_urls));
        chrome
    }

    fn relink(&self, chrome: &mut Chrome, urls: &UrlMaker) {
        chrome.home_url = urls.url("");
        chrome.archives_url = urls.url("archives/");
        chrome.css_url = urls.url(STYLE_FILE);
        chrome.feed_url = self.config.feed.then(|| urls.url(FEED_FILE));
        chrome.pages =
            self.pages.iter().map(|(title, dir)| Link { title: title.clone(), url: urls.url(dir) }).collect();
    }
}

fn cards(entries: &[&Entry], urls: &UrlMaker) -> Vec<PostCard> {
    entries
        .iter()
        .map(|e| {
            let date = e.doc.meta.date.unwrap_or_default();
            PostCard {
                title: e.doc.meta.title.clone(),
                url: urls.url(&e.doc.output_dir),
                date_iso: date.rfc3339(),
                date_human: date.human(),
                summary: e.rendered.summary.clone(),
                tags: tag_links(&e.doc.meta.tags, urls),
            }
        })
        .collect()
}

fn tag_links(tags: &[String], urls: &UrlMaker) -> Vec<Link> {
    tags.iter().map(|t| Link { title: t.clone(), url: urls.url(&format!("tags/{}/", slugify(t))) }).collect()
}

fn category_dir(category: &str) -> String {
    format!("{}/{}/", GroupKind::Category.folder(), slugify(category))
}

fn feed_post(entry: &Entry, config: &Config) -> FeedPost {
    let meta = &entry.doc.meta;
    let published = meta.date.map(|d| d.rfc3339()).unwrap_or_default();
    FeedPost {
        title: meta.title.clone(),
        dir: entry.doc.output_dir.clone(),
        updated: meta.modified.map(|d| d.rfc3339()).unwrap_or_else(|| published.clone()),
        published,
        author: meta.author.clone().or_else(|| (!config.author.is_empty()).then(|| config.author.clone())),
        summary: entry.rendered.summary.clone(),
        html: entry.rendered.feed_html.clone(),
        tags: meta.tags.clone(),
    }
}

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

/// Builds every output file.
pub fn assemble(
    root: &Path,
    config: &Config,
    content: &Content,
    rendered: &[Rendered],
) -> Result<OutputFiles, SiteError> {
    let entries: Vec<Entry> =
        content.documents.iter().zip(rendered).map(|(doc, rendered)| Entry { doc, rendered }).collect();
    let listed_posts: Vec<&Entry> = entries.iter().filter(|e| e.doc.kind == Kind::Post && e.doc.is_listed()).collect();
    let listed_pages: Vec<&Entry> = entries.iter().filter(|e| e.doc.kind == Kind::Page && e.doc.is_listed()).collect();
    let site = SiteChrome {
        config,
        pages: listed_pages.iter().map(|e| (e.doc.meta.title.clone(), e.doc.output_dir.clone())).collect(),
    };
    let mut files = OutputFiles::new();
    let mut put = |path: String, html: Result<String, askama::Error>| -> Result<(), SiteError> {
        let html = html.map_err(|e| SiteError::Template { page: path.clone(), message: e.to_string() })?;
        files.insert(path, Payload::Bytes(html.into_bytes()));
        Ok(())
    };

    for entry in &entries {
        let doc = entry.doc;
        let dir = doc.output_dir.as_str();
        let og_image = entry.rendered.og_image.as_deref().and_then(|p| absolute_url(&config.base_url, p));
        let published = doc.meta.date.map(|d| d.rfc3339());
        let kind = if doc.kind == Kind::Post { "article" } else { "website" };
        let chrome = site.chrome(dir, &doc.meta.title, &entry.rendered.summary, Some((kind, og_image, published)));
        let urls = UrlMaker::for_dir(dir, config.clean_urls);
        let lang = doc.meta.lang.clone().unwrap_or_else(|| config.lang.clone());
        let html = match doc.kind {
            Kind::Page => StaticPage {
                chrome: &chrome,
                title: doc.meta.title.clone(),
                lang,
                content: entry.rendered.html.clone(),
            }
            .render(),
            Kind::Post => {
                let listed_at = listed_posts.iter().position(|e| std::ptr::eq(*e, entry));
                let neighbour = |i: Option<usize>| {
                    i.and_then(|i| listed_posts.get(i))
                        .map(|e| Link { title: e.doc.meta.title.clone(), url: urls.url(&e.doc.output_dir) })
                };
                let date = doc.meta.date.unwrap_or_default();
                PostPage {
                    chrome: &chrome,
                    title: doc.meta.title.clone(),
                    date_iso: date.rfc3339(),
                    date_human: date.human(),
                    modified: doc.meta.modified.filter(|m| Some(*m) != doc.meta.date).map(|m| (m.rfc3339(), m.human())),
                    author: doc
                        .meta
                        .author
                        .clone()
                        .or_else(|| (!config.author.is_empty()).then(|| config.author.clone())),
                    category: doc
                        .meta
                        .category
                        .as_ref()
                        .map(|c| Link { title: c.clone(), url: urls.url(&category_dir(c)) }),
                    tags: tag_links(&doc.meta.tags, &urls),
                    lang,
                    content: entry.rendered.html.clone(),
                    newer: neighbour(listed_at.and_then(|i| i.checked_sub(1))),
                    older: neighbour(listed_at.map(|i| i + 1)),
                }
                .render()
            }
        };
        put(format!("{dir}index.html"), html)?;
    }

    // The paginated index: page 1 at the top, then page/2/, page/3/...
    let chunks: Vec<&[&Entry]> = listed_posts.chunks(config.posts_per_page).collect();
    let page_count = chunks.len().max(1);
    for number in 1..=page_count {
        let dir = if number == 1 { String::new() } else { format!("page/{number}/") };
        let page_dir = |n: usize| {
            if n == 1 { String::new() } else { format!("page/{n}/") }
        };
        let urls = UrlMaker::for_dir(&dir, config.clean_urls);
        let title = if number == 1 { String::new() } else { format!("Page {number}") };
        let chrome = site.chrome(&dir, &title, &config.description, None);
        let posts = chunks.get(number - 1).map(|c| cards(c, &urls)).unwrap_or_default();
        let pagination = Pagination {
            newer: (number > 1).then(|| urls.url(&page_dir(number - 1))),
            older: (number < page_count).then(|| urls.url(&page_dir(number + 1))),
            number,
            count: page_count,
        };
        put(format!("{dir}index.html"), IndexPage { chrome: &chrome, posts, pagination }.render())?;
    }

    // Tags and categories, by slug.
    let mut tags: BTreeMap<String, (String, Vec<&Entry>)> = BTreeMap::new();
    let mut categories: BTreeMap<String, (String, Vec<&Entry>)> = BTreeMap::new();
    for entry in &listed_posts {
        for tag in &entry.doc.meta.tags {
            tags.entry(slugify(tag)).or_insert_with(|| (tag.clone(), Vec::new())).1.push(entry);
        }
        if let Some(category) = &entry.doc.meta.category {
            categories.entry(slugify(category)).or_insert_with(|| (category.clone(), Vec::new())).1.push(entry);
        }
    }
    for (slug, (name, posts)) in &tags {
        let dir = format!("tags/{slug}/");
        let urls = UrlMaker::for_dir(&dir, config.clean_urls);
        let chrome = site.chrome(&dir, &format!("Tag {name}"), &format!("Posts tagged {name}"), None);
        put(
            format!("{dir}index.html"),
            TagPage { chrome: &chrome, tag: name.clone(), posts: cards(posts, &urls) }.render(),
        )?;
    }
    for (slug, (name, posts)) in &categories {
        let dir = format!("categories/{slug}/");
        let urls = UrlMaker::for_dir(&dir, config.clean_urls);
        let chrome = site.chrome(&dir, name, &format!("Posts in {name}"), None);
        put(
            format!("{dir}index.html"),
            CategoryPage { chrome: &chrome, category: name.clone(), posts: cards(posts, &urls) }.render(),
        )?;
    }

    // Archives: posts by year, then every tag and category.
    {
        let dir = "archives/";
        let urls = UrlMaker::for_dir(dir, config.clean_urls);
        let mut years: Vec<Year> = Vec::new();
        for entry in &listed_posts {
            let year = entry.doc.meta.date.map(|d| d.local.year().to_string()).unwrap_or_default();
            let card = cards(&[entry], &urls);
            match years.last_mut() {
                Some(last) if last.year == year => last.posts.extend(card),
                _ => years.push(Year { year, posts: card }),
            }
        }
        let counts = |map: &BTreeMap<String, (String, Vec<&Entry>)>, folder: &str| -> Vec<TagCount> {
            map.iter()
                .map(|(slug, (name, posts))| TagCount {
                    link: Link { title: name.clone(), url: urls.url(&format!("{folder}/{slug}/")) },
                    count: posts.len(),
                })
                .collect()
        };
        let chrome = site.chrome(dir, "Archives", &format!("Every post of {}", config.title), None);
        let page = ArchivesPage {
            chrome: &chrome,
            years,
            tags: counts(&tags, "tags"),
            categories: counts(&categories, "categories"),
        };
        put(format!("{dir}index.html"), page.render())?;
    }

    // 404: served at any depth, so its links start from the base path when there is one.
    {
        let mut chrome = site.chrome("", "Page not found", "", None);
        if let Some(base) = config.base_path() {
            let urls = UrlMaker::absolute(&base, true);
            site.relink(&mut chrome, &urls);
        }
        put("404.html".to_string(), NotFoundPage { chrome: &chrome }.render())?;
    }

    files.insert(STYLE_FILE.to_string(), Payload::Bytes(format!("{THEME_CSS}\n{}", highlight::css()).into_bytes()));
    files.insert("robots.txt".into(), Payload::Bytes(feed::robots(config).into_bytes()));
    if config.feed {
        let feed_posts: Vec<FeedPost> = listed_posts.iter().map(|e| feed_post(e, config)).collect();
        files.insert(FEED_FILE.into(), Payload::Bytes(feed::atom(config, &feed_posts).into_bytes()));
    }
    let mut sitemap_pages: Vec<(String, Option<String>)> = vec![(String::new(), None), ("archives/".into(), None)];
    for entry in listed_posts.iter().chain(&listed_pages) {
        let meta = &entry.doc.meta;
        sitemap_pages.push((entry.doc.output_dir.clone(), meta.modified.or(meta.date).map(|d| d.ymd())));
    }
    if let Some(sitemap) = feed::sitemap(config, &sitemap_pages) {
        files.insert("sitemap.xml".into(), Payload::Bytes(sitemap.into_bytes()));
    }

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
    format!("categories/{}/", slugify(category))
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

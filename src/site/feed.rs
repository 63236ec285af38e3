//! The machine-readable files: the Atom feed (`feed.xml`, written with atom_syndication), `sitemap.xml`
//! and `robots.txt`. Dates come from the posts, never from the clock, so the files are the same every build.

use super::config::Config;
use super::highlight::escape;
use super::links::absolute_url;
use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};

/// Posts in the feed, newest first.
const FEED_ENTRIES: usize = 20;

pub const FEED_FILE: &str = "feed.xml";

/// A post as the feed needs it.
#[derive(Debug, Clone)]
pub struct FeedPost {
    pub title: String,
    /// Output folder, `posts/x/`.
    pub dir: String,
    pub published: String,
    pub updated: String,
    pub author: Option<String>,
    pub summary: String,
    pub html: String,
    pub tags: Vec<String>,
}

/// The Atom feed of the newest posts (already sorted newest first).
pub fn atom(config: &Config, posts: &[FeedPost]) -> String {
    let site_url = absolute_url(&config.base_url, "").unwrap_or_default();
    let entry_id = |dir: &str| match absolute_url(&config.base_url, dir) {
        Some(url) => url,
        // Atom ids must be absolute IRIs; without a base URL a stable URN stands in.
        None => format!("urn:tcpdialog:{}", dir.trim_end_matches('/').replace('/', ":")),
    };
    let date = |text: &str| FixedDateTime::parse_from_rfc3339(text).unwrap_or_default();
    let mut feed = Feed::default();
    feed.set_title(Text::plain(config.title.clone()));
    if !config.description.is_empty() {
        feed.set_subtitle(Some(Text::plain(config.description.clone())));
    }
    feed.set_id(if site_url.is_empty() { "urn:tcpdialog:site".to_string() } else { site_url.clone() });
    feed.set_lang(Some(config.lang.clone()));
    let newest = posts.iter().map(|p| date(&p.updated)).max().unwrap_or_default();
    feed.set_updated(newest);
    if !config.author.is_empty() {
        feed.set_authors(vec![person(&config.author)]);
    }
    let mut links = vec![link(&format!("{site_url}{FEED_FILE}"), "self")];
    links.push(link(if site_url.is_empty() { "./" } else { &site_url }, "alternate"));
    feed.set_links(links);
    feed.set_generator(Some(atom_syndication::Generator { value: "tcpdialog".into(), uri: None, version: None }));
    let entries: Vec<Entry> = posts
        .iter()
        .take(FEED_ENTRIES)
        .map(|post| {
            let url = absolute_url(&config.base_url, &post.dir).unwrap_or_else(|| post.dir.clone());
            let mut entry = Entry::default();
            entry.set_title(Text::plain(post.title.clone()));
            entry.set_id(entry_id(&post.dir));
            entry.set_published(Some(date(&post.published)));
            entry.set_updated(date(&post.updated));
            entry.set_links(vec![link(&url, "alternate")]);
            if let Some(author) = &post.author {
                entry.set_authors(vec![person(author)]);
            }
            entry.set_categories(
                post.tags
                    .iter()
                    .map(|t| atom_syndication::Category { term: t.clone(), scheme: None, label: None })
                    .collect::<Vec<_>>(),
            );
            if !post.summary.is_empty() {
                entry.set_summary(Some(Text::plain(post.summary.clone())));
            }
            let mut content = Content::default();
            content.set_content_type(Some("html".to_string()));
            // Links in the post are relative to its page: xml:base makes feed readers resolve them the same way.
            content.set_base(Some(url));
            content.set_value(Some(post.html.clone()));
            entry.set_content(Some(content));
            entry
        })
        .collect();
    feed.set_entries(entries);
    format!("{}\n", feed.to_string())
}

fn link(href: &str, rel: &str) -> Link {
    let mut link = Link::default();
    link.set_href(href);
    link.set_rel(rel);
    if rel == "self" {
        link.set_mime_type(Some("application/atom+xml".to_string()));
    }
    link
}

fn person(name: &str) -> Person {
    let mut person = Person::default();
    person.set_name(name);
    person
}

/// `sitemap.xml` for the given output folders (`""` is the home page) with their last change.
pub fn sitemap(config: &Config, pages: &[(String, Option<String>)]) -> Option<String> {
    if config.base_url.is_empty() {
        // A sitemap must list absolute URLs.
        return None;
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (dir, modified) in pages {
        xml.push_str(&format!("  <url><loc>{}</loc>", escape(&format!("{}{dir}", config.base_url))));
        if let Some(modified) = modified {
            xml.push_str(&format!("<lastmod>{}</lastmod>", escape(modified)));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    Some(xml)
}

pub fn robots(config: &Config) -> String {
    let mut text = String::from("User-agent: *\nAllow: /\n");
    if let Some(url) = absolute_url(&config.base_url, "sitemap.xml") {
        text.push_str(&format!("Sitemap: {url}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(dir: &str, date: &str) -> FeedPost {
        FeedPost {
            title: "Fish & <chips>".into(),
            dir: dir.into(),
            published: date.into(),
            updated: date.into(),
            author: Some("Ann".into()),
            summary: "A summary".into(),
            html: "<p>Body <img src=\"a.svg\"></p>".into(),
            tags: vec!["tcp".into()],
        }
    }

    #[test]
    fn feed_parses_back_with_absolute_ids() {
        let config = Config { base_url: "https://me.github.io/blog/".into(), ..Config::default() };
        let xml =
            atom(&config, &[post("posts/b/", "2020-09-01T10:00:00Z"), post("posts/a/", "2020-08-31T09:00:00+02:00")]);
        let feed: Feed = xml.parse().unwrap();
        assert_eq!(feed.entries().len(), 2);
        assert_eq!(feed.id(), "https://me.github.io/blog/");
        assert_eq!(feed.updated().to_rfc3339(), "2020-09-01T10:00:00+00:00");
        let entry = &feed.entries()[0];
        assert_eq!(entry.title().as_str(), "Fish & <chips>");
        assert_eq!(entry.id(), "https://me.github.io/blog/posts/b/");
        assert_eq!(entry.content().and_then(|c| c.value()), Some("<p>Body <img src=\"a.svg\"></p>"));
    }

    #[test]
    fn feed_without_base_url_uses_urns() {
        let xml = atom(&Config::default(), &[post("posts/a/", "2020-08-31T09:00:00Z")]);
        let feed: Feed = xml.parse().unwrap();
        assert_eq!(feed.entries()[0].id(), "urn:tcpdialog:posts:a");
    }

    #[test]
    fn sitemap_and_robots() {
        assert_eq!(sitemap(&Config::default(), &[]), None);
        let config = Config { base_url: "https://x.org/".into(), ..Config::default() };
        let xml = sitemap(&config, &[("".into(), None), ("posts/a/".into(), Some("2020-08-31".into()))]).unwrap();
        assert!(xml.contains("<url><loc>https://x.org/posts/a/</loc><lastmod>2020-08-31</lastmod></url>"), "{xml}");
        assert_eq!(robots(&config), "User-agent: *\nAllow: /\nSitemap: https://x.org/sitemap.xml\n");
    }
}

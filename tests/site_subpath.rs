//! A site published as a GitHub project page (`https://user.github.io/repo/`) works under that sub-path: every
//! internal link, image and stylesheet of every page, every link of the feed (and of the posts inside it), the
//! sitemap, robots.txt and the social-card tags point at a file of `output/` below `/repo/`.

mod site_harness;

use site_harness::{TestSite, attribute_values};
use std::path::Path;

const SITE: &str = "https://user.github.io/repo/";
const ORIGIN: &str = "https://user.github.io";

/// `link` read from a document at `base` (an absolute URL), as an absolute URL without fragment or query.
fn absolute(base: &str, link: &str) -> String {
    let link = link.split(['#', '?']).next().unwrap_or_default();
    let joined = if link.contains("://") {
        link.to_string()
    } else if link.starts_with('/') {
        format!("{ORIGIN}{link}")
    } else {
        format!("{}{link}", &base[..base.rfind('/').map_or(base.len(), |i| i + 1)])
    };
    let (scheme, rest) = joined.split_once("://").expect("absolute");
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = rest.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {}
            ".." if parts.len() > 1 => {
                parts.pop();
            }
            ".." => {}
            other => parts.push(other),
        }
        if i + 1 == segments.len() && (*segment == "." || *segment == "..") {
            parts.push("");
        }
    }
    format!("{scheme}://{}", parts.join("/"))
}

/// Checks that `link` in the document at `base` (shown as `what`) names a file of `output/` under the sub-path.
fn check(output: &Path, what: &str, base: &str, link: &str, checked: &mut usize) {
    if link.is_empty() || link.starts_with('#') || link.starts_with("mailto:") || link.starts_with("data:") {
        return;
    }
    let url = absolute(base, link);
    if !url.starts_with(ORIGIN) {
        return; // another site
    }
    let Some(path) = url.strip_prefix(SITE) else {
        panic!("{what}: {link:?} leaves the sub-path ({url})");
    };
    let mut target = output.join(path);
    if path.is_empty() || path.ends_with('/') {
        target = target.join("index.html");
    }
    assert!(target.is_file(), "{what}: {link:?} is {url}, which is not a file of output/");
    *checked += 1;
}

/// The text of every `<tag>...</tag>` in an XML document.
fn elements(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open).skip(1).filter_map(|part| part.split_once(&close).map(|(text, _)| text.to_string())).collect()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

#[test]
fn a_project_page_site_lives_under_its_sub_path() {
    let site = TestSite::example();
    site.file(
        "tcpdialog.toml",
        &std::fs::read_to_string(site.root().join("tcpdialog.toml"))
            .expect("config")
            .replace("base_url = \"\"", &format!("base_url = \"{SITE}\"")),
    );
    site.build_ok();
    let output = site.root().join("output");
    let mut checked = 0;
    for (path, bytes) in site.output() {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).expect("utf-8");
        let base = format!("{SITE}{path}");
        for link in ["href", "src"].iter().flat_map(|a| attribute_values(&html, a)) {
            check(&output, &path, &base, &unescape(&link), &mut checked);
        }
        for value in attribute_values(&html, "content").into_iter().filter(|v| v.starts_with("http")) {
            check(&output, &path, &base, &unescape(&value), &mut checked);
        }
    }
    let feed = site.read("feed.xml");
    // Each diagram of an entry is an image of its published SVG, at its absolute address.
    assert!(feed.contains(&format!("&lt;img src=&quot;{SITE}posts/")), "{feed}");
    let mut feed_links = 0;
    for href in attribute_values(&feed, "href") {
        check(&output, "feed.xml", SITE, &unescape(&href), &mut feed_links);
    }
    // Each entry's HTML is read against its xml:base, the post's address.
    for entry in feed.split("<entry>").skip(1) {
        let base = entry.split("xml:base=\"").nth(1).and_then(|b| b.split('"').next()).expect("xml:base");
        let content = unescape(entry.split("<content").nth(1).expect("content"));
        for link in ["href", "src"].iter().flat_map(|a| attribute_values(&content, a)) {
            check(&output, "feed.xml entry", &unescape(base), &unescape(&link), &mut feed_links);
        }
    }
    let sitemap = site.read("sitemap.xml");
    let locs = elements(&sitemap, "loc");
    for loc in &locs {
        check(&output, "sitemap.xml", SITE, &unescape(loc), &mut checked);
    }
    let robots = site.read("robots.txt");
    assert!(robots.contains(&format!("Sitemap: {SITE}sitemap.xml")), "{robots}");
    assert!(locs.len() >= 10, "{sitemap}");
    assert!(feed_links > 30, "only {feed_links} links in the feed");
    assert!(checked > 300, "only {checked} links checked");
    let post = site.read("posts/http-connection-close/index.html");
    assert!(post.contains(&format!("<meta property=\"og:image\" content=\"{SITE}posts/")), "no social card");
    assert!(site.read("404.html").contains("href=\"/repo/theme/style.css\""), "the 404 page's links");
}

#[test]
fn urls_are_joined_as_a_browser_joins_them() {
    assert_eq!(absolute("https://user.github.io/repo/posts/a/index.html", "../../"), "https://user.github.io/repo/");
    assert_eq!(
        absolute("https://user.github.io/repo/posts/a/", "b.svg#x"),
        "https://user.github.io/repo/posts/a/b.svg"
    );
    assert_eq!(absolute("https://user.github.io/repo/", "/other/"), "https://user.github.io/other/");
    assert_eq!(absolute("https://user.github.io/repo/a.html", "https://x.org/y"), "https://x.org/y");
}

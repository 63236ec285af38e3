//! `build` on whole sites: the example site, determinism, the cache, atomic output, links that resolve.

mod site_harness;

use site_harness::{TestSite, attribute_values};
use std::path::Path;

#[test]
fn the_example_site_builds_with_every_diagram() {
    let site = TestSite::example();
    let report = site.build_ok();
    assert_eq!(report.posts, 14);
    assert_eq!(report.pages, 1);
    assert!(report.diagrams >= 18, "{report:?}");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    for post in [
        "http-connection-close",
        "http-keepalive",
        "page-load",
        "websocket",
        "h2c",
        "tls13",
        "postgres",
        "loss",
        "https-decrypted",
        "mysql",
        "cors-preflight",
        "upload",
        "download",
        "zero-window",
    ] {
        let html = site.read(&format!("posts/{post}/index.html"));
        assert!(html.contains("<figure class=\"diagram\""), "{post} has no diagram");
        assert!(html.contains("<svg"), "{post}: the SVG is not inline");
    }
    assert!(site.exists("posts/http-connection-close/http-close-s0.svg"));
    assert!(site.exists("posts/http-connection-close/http-close.pcap"));
    assert!(site.exists("pages/about/index.html"));
    assert!(site.exists("tags/keepalive/index.html"));
    assert!(site.exists("page/3/index.html"), "14 posts at 5 per page make three index pages");
    assert!(!site.exists("page/4/index.html"));
    assert!(site.exists("404.html") && site.exists("robots.txt") && site.exists("theme/style.css"));
}

#[test]
fn every_relative_link_of_the_example_site_resolves() {
    let site = TestSite::example();
    site.build_ok();
    let output = site.root().join("output");
    let mut checked = 0;
    for (path, bytes) in site.output() {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let html = String::from_utf8(bytes).expect("utf-8 html");
        let page_dir = Path::new(&path).parent().unwrap_or(Path::new("")).to_path_buf();
        for url in attribute_values(&html, "href").into_iter().chain(attribute_values(&html, "src")) {
            if url.starts_with('#') || url.contains("://") || url.starts_with("mailto:") {
                continue;
            }
            let file = url.split(['#', '?']).next().unwrap_or_default();
            let mut target = output.join(&page_dir).join(file);
            if file.ends_with('/') || file.is_empty() || file == "." || file == "./" {
                target = target.join("index.html");
            }
            assert!(target.is_file(), "{path}: link {url:?} does not resolve ({})", target.display());
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} links checked");
}

#[test]
fn building_twice_gives_byte_identical_output_and_uses_the_cache() {
    let site = TestSite::example();
    let first = site.build_ok();
    let before = site.output();
    let second = site.build_ok();
    assert_eq!(site.output(), before, "the second build differs from the first");
    assert_eq!(first.cached_diagrams, 0);
    assert_eq!(second.cached_diagrams, second.diagrams, "unchanged diagrams must come from the cache");
    // Without the cache, the same bytes again.
    std::fs::remove_dir_all(site.root().join(".tcpdialog-cache")).expect("cache exists");
    site.build_ok();
    assert_eq!(site.output(), before, "a cold build differs from a cached one");
}

#[test]
fn a_failed_build_leaves_the_previous_output_intact() {
    let site = TestSite::new();
    site.file("content/posts/ok.md", "Title: Fine\nDate: 2024-01-01 10:00\n\nHello.\n");
    site.build_ok();
    let before = site.output();
    site.file(
        "content/posts/broken.md",
        "Title: Broken\nDate: 2024-01-02 10:00\n\nText.\n\n```tcpdialog\ncapture = \"nope.pcap\"\n```\n",
    );
    let error = site.build().expect_err("a missing capture fails the build").to_string();
    assert!(
        error.contains(
            "content/posts/broken.md:7: tcpdialog block: capture \"nope.pcap\" not found (captures/nope.pcap)"
        ),
        "{error}"
    );
    assert_eq!(site.output(), before, "output/ changed after a failed build");
    assert!(!site.root().join(".output-staging").exists());
}

#[test]
fn titles_and_captions_are_escaped() {
    let site = TestSite::new();
    site.file(
        "content/posts/x.md",
        "Title: <script>alert(1)</script> & \"quotes\"\nDate: 2024-01-01\nTags: a<b>\nSummary: 1 < 2\n\n```tcpdialog\ncapture = \"http-close.pcap\"\ncaption = \"<img src=x onerror=alert(1)>\"\n```\n",
    );
    site.build_ok();
    let html = site.read("posts/script-alert-1-script-quotes/index.html");
    assert!(!html.contains("<script>alert"), "title not escaped");
    // askama escapes with numeric character references.
    assert!(html.contains("<h1>&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34;</h1>"), "{html}");
    assert!(!html.contains("<img src=x"), "caption not escaped");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
    let index = site.read("index.html");
    assert!(index.contains("1 &#60; 2") && !index.contains("<b>"), "{index}");
}

#[test]
fn open_graph_tags_point_at_the_first_diagrams_social_card() {
    let site = TestSite::new();
    site.file("tcpdialog.toml", "title = \"T\"\nbase_url = \"https://me.github.io/dialogs\"\n");
    site.file(
        "content/posts/x.md",
        "Title: X\nDate: 2024-01-01\nSlug: x\n\n```tcpdialog\ncapture = \"http-close.pcap\"\n```\n\n![second]({capture}/http-close.pcap#stream=0)\n",
    );
    site.build_ok();
    let html = site.read("posts/x/index.html");
    assert!(
        html.contains("<meta property=\"og:image\" content=\"https://me.github.io/dialogs/posts/x/http-close-card.png\">\n\
                <meta property=\"og:image:width\" content=\"1200\">\n<meta property=\"og:image:height\" content=\"630\">"),
        "{html}"
    );
    assert!(html.contains("<link rel=\"canonical\" href=\"https://me.github.io/dialogs/posts/x/\">"), "{html}");
    assert!(site.exists("posts/x/http-close-card.png") && !site.exists("posts/x/http-close.png"));
    assert!(!site.exists("posts/x/http-close-s0-card.png"), "only the first diagram gets a card");
    let not_found = site.read("404.html");
    assert!(not_found.contains("href=\"/dialogs/theme/style.css\""), "404 links must work at any depth: {not_found}");
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://me.github.io/dialogs/posts/x/</loc>"), "{sitemap}");
}

#[test]
fn drafts_are_left_out_and_hidden_posts_not_listed() {
    let site = TestSite::new();
    site.file("content/posts/a.md", "Title: Draft\nDate: 2024-01-01\nStatus: draft\n\nx\n");
    site.file("content/posts/b.md", "Title: Hidden\nDate: 2024-01-02\nStatus: hidden\n\nx\n");
    site.file("content/posts/c.md", "Title: Shown\nDate: 2024-01-03\n\nx\n");
    let report = site.build_ok();
    assert_eq!(report.posts, 2);
    assert!(!site.exists("drafts/draft/index.html"));
    assert!(site.exists("posts/hidden/index.html"));
    let index = site.read("index.html");
    assert!(index.contains("Shown") && !index.contains("Hidden"), "{index}");
    assert!(!site.read("feed.xml").contains("Hidden"));
}

#[test]
fn the_atom_feed_parses() {
    let site = TestSite::example();
    site.build_ok();
    let feed: atom_syndication::Feed = site.read("feed.xml").parse().expect("a valid Atom feed");
    assert_eq!(feed.title().as_str(), "TCP dialogs");
    assert_eq!(feed.entries().len(), 14);
    let newest = &feed.entries()[0];
    assert_eq!(newest.title().as_str(), "A receiver that cannot keep up");
    assert_eq!(newest.published().map(|d| d.to_rfc3339()).as_deref(), Some("2024-05-27T09:00:00+00:00"));
    assert_eq!(feed.updated().to_rfc3339(), "2024-05-27T09:00:00+00:00", "updated comes from the posts, not the clock");
    // Feed readers strip <style> and break in-page anchors: each diagram is an image of the published SVG.
    let html = newest.content().and_then(|c| c.value()).expect("the post's HTML");
    assert!(!html.contains("<svg") && !html.contains("<style"), "{html}");
    let src = html.split("<img src=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("an <img>");
    let page = newest.links()[0].href(); // relative: the example site has no base_url
    assert!(src.ends_with(".svg") && site.exists(&format!("{page}{src}")), "{page}{src}");
    let alt = html.split(" alt=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default();
    assert!(alt.len() > 40, "the diagram's description is the alt text: {html}");
}

#[test]
fn a_new_site_from_init_builds() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path().join("blog");
    tcpdialog::site::init(&root).expect("init");
    let report = tcpdialog::site::build(&root, &Default::default()).expect("the new site builds");
    assert_eq!((report.posts, report.diagrams), (1, 1));
    assert!(tcpdialog::site::check(&root).expect("check").is_ok());
}

/// The secrets of every key log the example site uses, as the hex the key log holds them in.
fn key_log_secrets(root: &Path) -> Vec<String> {
    let mut secrets = Vec::new();
    for entry in std::fs::read_dir(root.join("captures")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "keys") {
            let text = std::fs::read_to_string(&path).unwrap();
            secrets.extend(
                text.lines()
                    .filter(|l| !l.starts_with('#'))
                    .filter_map(|l| l.split_whitespace().nth(2))
                    .filter(|s| s.len() >= 64)
                    .map(str::to_ascii_lowercase),
            );
        }
    }
    secrets
}

#[test]
fn posts_decrypt_tls_with_their_key_log_and_publish_no_secret() {
    let site = TestSite::example();
    site.build_ok();
    let html = site.read("posts/https-decrypted/index.html");
    // The first diagram is the wire's view, the others are decrypted (tshark: GET / in frame 11, HEADERS[3]
    // GET /style.css in frame 19 of https-h2, the upgrade to /chat in frame 9 of wss-echo).
    for decrypted in ["GET / HTTP/1.1", "HEADERS[3]: GET /style.css", "GET /chat HTTP/1.1", "Encrypted Extensions"] {
        assert!(html.contains(decrypted), "{decrypted} is not on the page");
    }
    assert!(html.contains("encrypted: give a key log with --keylog to see inside"), "the wire's view has its note");
    assert!(html.contains("class=\"lock\""), "decrypted arrows wear a padlock");
    let secrets = key_log_secrets(site.root());
    assert!(secrets.len() >= 15, "{secrets:?}");
    for (path, bytes) in site.output() {
        assert!(!path.ends_with(".keys"), "{path}: a key log was published");
        let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
        for secret in &secrets {
            assert!(!text.contains(&secret[..32]), "{path} holds a secret of a key log");
        }
    }
}

#[test]
fn a_drawn_figure_holds_a_wide_and_a_compact_drawing_and_the_stylesheet_shows_one() {
    let site = TestSite::new();
    site.file(
        "content/posts/x.md",
        "Title: Both widths\nDate: 2024-01-01\n\n```tcpdialog\ncapture = \"http-close.pcap\"\n```\n\n\
         ```tcpdialog\ncapture = \"http-close.pcap\"\nview = \"timeline\"\n```\n\n\
         ```tcpdialog\ncapture = \"http-close.pcap\"\nview = \"table\"\n```\n",
    );
    site.build_ok();
    let html = site.read("posts/both-widths/index.html");
    let ladder = html.split("<figure").nth(1).expect("the ladder's figure");
    let (wide, compact) =
        ladder.split_once("<div class=\"diagram-scroll diagram-compact\">").expect("a compact drawing");
    assert!(wide.contains("<div class=\"diagram-scroll diagram-wide\">\n<svg") && wide.contains("id=\"d1\""), "{wide}");
    let compact = &compact[..compact.find("</svg>").expect("the compact SVG ends")];
    assert!(compact.contains("id=\"d1c\" width=\"360\""), "{compact}");
    // The compact drawing's arrows link to the one packet table, whose rows have the wide drawing's prefix.
    let hrefs = attribute_values(compact, "href");
    assert!(!hrefs.is_empty(), "{compact}");
    for href in hrefs {
        assert!(href.starts_with("#d1-f") && ladder.contains(&format!("id=\"{}\"", &href[1..])), "{href}");
    }
    assert!(ladder.contains("<details class=\"packet-list\">"), "the packet list is folded: {ladder}");
    // A timeline has a compact drawing too, with its own prefix; the table (no drawing) has none.
    let timeline = html.split("<figure").nth(2).expect("the timeline's figure");
    assert!(timeline.contains("<div class=\"diagram-scroll diagram-compact\">"), "{timeline}");
    assert!(timeline.contains("id=\"d2c\" width=\"360\""), "{timeline}");
    let table = html.split("<figure").nth(3).expect("the table's figure");
    assert!(!table.contains("diagram-compact") && !table.contains("diagram-wide"), "{table}");

    // Without JavaScript: the compact drawing is hidden, and on a narrow screen the wide one instead.
    let css = site.read("theme/style.css").split_whitespace().collect::<Vec<_>>().join(" ");
    let narrow = &css[css.find("@media (max-width: 32rem)").expect("a narrow-screen block")..];
    let narrow = &narrow[..narrow.find("@media print").expect("the block ends before print")];
    assert!(css.contains(".diagram-compact { display: none; }"), "{css}");
    assert!(narrow.contains(".diagram-wide { display: none; }"), "{narrow}");
    assert!(narrow.contains(".diagram-compact { display: block; }"), "{narrow}");
    // The feed keeps one image per figure.
    let feed = site.read("feed.xml");
    assert_eq!(feed.matches("&lt;img ").count() + feed.matches("<img ").count(), 2, "{feed}");
    assert_eq!(feed.matches("&lt;table").count() + feed.matches("<table").count(), 1, "the table inline: {feed}");
}

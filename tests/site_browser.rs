//! The example site in a real browser: Debian's headless Chromium loads every page of the built site from a local
//! HTTP server and must see no console error, no exception, no failed request and no request outside the site;
//! every diagram must have a size on screen and every internal link must name a file that exists. The post page is
//! photographed at 1280 and 390 (phone) CSS pixels wide, light and dark at 390; there each ladder must show its
//! compact drawing, inside the screen, and on the desktop its wide one.
//!
//! Without Chromium the test skips, except under CI (`CI` set), where that is a failure. Set
//! `TCPDIALOG_UPDATE_SCREENSHOTS=1` to rewrite `docs/images/site-post.png` from the 1280 px screenshot.

mod browser_support;
mod site_harness;

use browser_support::server::{StaticServer, file_for_url_path};
use browser_support::{
    Chromium, Problems, chromium_or_skip, evaluate_json, full_page_png, load, png_size, set_color_scheme, set_viewport,
    settle,
};
use headless_chrome::Tab;
use site_harness::{TestSite, repo};
use std::path::Path;
use std::time::Instant;

/// The post shown in the README.
const POST: &str = "posts/http-connection-close/";
/// A post with ladders and stream graphs.
const GRAPHS_POST: &str = "posts/loss/";
/// A post with a timeline.
const TIMELINE_POST: &str = "posts/page-load/";

/// What the checks need from a loaded page, as JSON. Nested `<svg>`s are parts of a diagram, not diagrams.
/// A ladder is drawn twice, wide and compact, and only one is displayed: the hidden one is not on screen.
const PAGE_FACTS: &str = r##"JSON.stringify({
    figures: [...document.querySelectorAll('figure svg:not(svg svg), figure img')]
            .filter(element => element.checkVisibility()).map(element => {
        const box = element.getBoundingClientRect();
        const figure = element.closest('figure');
        return { what: `${element.tagName.toLowerCase()} in figure#${figure.id}`, width: box.width, height: box.height };
    }),
    brokenImages: [...document.images].filter(image => !(image.complete && image.naturalWidth > 0))
        .map(image => image.getAttribute('src')),
    links: [...document.querySelectorAll('a[href]')].map(a => ({ written: a.getAttribute('href'), resolved: a.href })),
    missingAnchors: [...document.querySelectorAll('a[href^="#"]')]
        .map(a => ({ id: a.getAttribute('href').slice(1), inSvg: a.closest('svg') !== null }))
        .filter(anchor => anchor.id && !document.getElementById(decodeURIComponent(anchor.id))),
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
})"##;

/// Each ladder's or graph's two drawings: whether each is displayed, where the compact one lies, and where the
/// packet list's numbers lead (only the links the stylesheet shows count).
const LADDER_FACTS: &str = r##"JSON.stringify({
    viewport: document.documentElement.clientWidth,
    ladders: [...document.querySelectorAll('figure.diagram:has(> .diagram-compact)')].map(figure => {
        const rows = [...figure.querySelectorAll('.tcpdialog-packets tbody tr[id]')];
        const backLinks = rows.flatMap(row => [...row.querySelectorAll('a[href]')])
            .filter(a => getComputedStyle(a).display !== 'none');
        const wide = figure.querySelector(':scope > .diagram-wide > svg');
        const compact = figure.querySelector(':scope > .diagram-compact > svg');
        const box = compact.getBoundingClientRect();
        const scroller = compact.parentElement;
        return {
            id: figure.id, wide: wide.checkVisibility(), compact: compact.checkVisibility(),
            left: box.left, right: box.right, scrolls: scroller.scrollWidth - scroller.clientWidth,
            arrowLinks: [...compact.querySelectorAll('a[href]')].length,
            linksToRows: [...compact.querySelectorAll('a[href]')]
                .filter(a => document.getElementById(a.getAttribute('href').slice(1))?.closest('details.packet-list'))
                .length,
            listOpen: figure.querySelector('details.packet-list')?.open,
            graph: ![...compact.querySelectorAll('[id]')].some(element => /-a\d+$/.test(element.id)), rows: rows.length, backLinks: backLinks.length,
            backLinksToShownArrows: backLinks
                .filter(a => document.getElementById(a.getAttribute('href').slice(1))?.checkVisibility()).length,
        };
    }),
})"##;

/// On a phone each ladder and graph shows its compact drawing, inside the screen without scrolling sideways; on a
/// desktop its wide one. Either way its arrows or marks link to rows of the packet list, folded away, and each row
/// of a ladder's list links back to its arrow in the drawing on screen.
fn check_ladders(tab: &Tab, page: &str, phone: bool, findings: &mut Findings) {
    let facts = evaluate_json(tab, LADDER_FACTS);
    let viewport = facts["viewport"].as_f64().unwrap_or(0.0);
    let ladders = facts["ladders"].as_array().cloned().unwrap_or_default();
    if ladders.is_empty() {
        findings.failures.push(format!("{page}: nothing drawn in both widths"));
    }
    for ladder in ladders {
        let id = ladder["id"].as_str().unwrap_or_default();
        let shown = (ladder["wide"].as_bool(), ladder["compact"].as_bool());
        if shown != (Some(!phone), Some(phone)) {
            findings.failures.push(format!("{page} at {viewport} px: {id} shows (wide, compact) = {shown:?}"));
        }
        let (left, right) = (ladder["left"].as_f64().unwrap_or(-1.0), ladder["right"].as_f64().unwrap_or(f64::MAX));
        if phone && (left < 0.0 || right > viewport || ladder["scrolls"].as_f64() != Some(0.0)) {
            findings.failures.push(format!("{page} at {viewport} px: compact {id} lies at {left}..{right}: {ladder}"));
        }
        // A timeline has no packet list, and nothing in it links.
        if ladder["listOpen"].is_null() {
            findings.compact_timelines += usize::from(phone);
            continue;
        }
        let links = ladder["arrowLinks"].as_u64().unwrap_or(0);
        if links == 0 || ladder["linksToRows"].as_u64() != Some(links) {
            findings.failures.push(format!("{page}: compact {id}'s arrows do not all link to packet rows: {ladder}"));
        }
        if ladder["listOpen"].as_bool() != Some(false) {
            findings.failures.push(format!("{page}: {id}'s packet list is not folded: {ladder}"));
        }
        // A graph's rows are only link targets; a ladder's each lead to one arrow, shown.
        let graph = ladder["graph"].as_bool() == Some(true);
        findings.compact_graphs += usize::from(graph && phone);
        let rows = if graph { 0 } else { ladder["rows"].as_u64().unwrap_or(0) };
        let back = (ladder["backLinks"].as_u64(), ladder["backLinksToShownArrows"].as_u64());
        if back != (Some(rows), Some(rows)) {
            findings.failures.push(format!("{page} at {viewport} px: {id}'s rows link back as {back:?}: {ladder}"));
        }
    }
}

#[derive(Default)]
struct Findings {
    failures: Vec<String>,
    figures: usize,
    internal_links: usize,
    /// Stream graphs and timelines seen in their compact drawing.
    compact_graphs: usize,
    compact_timelines: usize,
}

/// Loads one page of `output` (a path relative to it) and checks it.
fn check_page(tab: &Tab, problems: &Problems, output: &Path, origin: &str, page: &str, findings: &mut Findings) {
    problems.now_on(page);
    load(tab, &format!("{origin}/{page}"));
    let facts = evaluate_json(tab, PAGE_FACTS);
    let list = |key: &str| facts[key].as_array().cloned().unwrap_or_default();
    for figure in list("figures") {
        let (width, height) = (figure["width"].as_f64().unwrap_or(0.0), figure["height"].as_f64().unwrap_or(0.0));
        if width < 1.0 || height < 1.0 {
            let what = figure["what"].as_str().unwrap_or_default();
            findings.failures.push(format!("{page}: {what} is drawn {width}x{height}"));
        }
        findings.figures += 1;
    }
    for image in list("brokenImages") {
        findings.failures.push(format!("{page}: image {image} did not load"));
    }
    for anchor in list("missingAnchors") {
        let id = anchor["id"].as_str().unwrap_or_default();
        findings.failures.push(format!("{page}: no element with id {id:?} for its #link"));
    }
    if facts["overflow"].as_f64().unwrap_or(0.0) > 0.0 {
        findings.failures.push(format!("{page}: the page scrolls sideways by {} px", facts["overflow"]));
    }
    for link in list("links") {
        let written = link["written"].as_str().unwrap_or_default();
        let resolved = link["resolved"].as_str().unwrap_or_default();
        if ["http://", "https://", "mailto:", "#", "//"].iter().any(|outside| written.starts_with(outside)) {
            continue;
        }
        findings.internal_links += 1;
        if let Some(failure) = unresolved(output, origin, written, resolved) {
            findings.failures.push(format!("{page}: link {written:?} {failure}"));
        }
    }
    findings.failures.extend(problems.take());
}

/// Why an internal link does not resolve to a file of `output` (or to an element of it, for `page#id`).
fn unresolved(output: &Path, origin: &str, written: &str, resolved: &str) -> Option<String> {
    let Some(path) = resolved.strip_prefix(origin).filter(|path| path.starts_with('/')) else {
        return Some(format!("leaves the site ({resolved})"));
    };
    let Some(file) = file_for_url_path(output, path) else {
        return Some(format!("is not a file path ({path})"));
    };
    if !file.is_file() {
        return Some(format!("names no file ({})", file.display()));
    }
    let fragment = written.split_once('#').map(|(_, fragment)| fragment).unwrap_or_default();
    let is_html = file.extension().is_some_and(|extension| extension == "html");
    if !fragment.is_empty() && is_html {
        let html = std::fs::read_to_string(&file).unwrap_or_default();
        if !html.contains(&format!("id=\"{fragment}\"")) {
            return Some(format!("names no element of {}", file.display()));
        }
    }
    None
}

/// Every HTML page of `output`, relative to it, in a fixed order.
fn html_pages(output: &Path) -> Vec<String> {
    walkdir::WalkDir::new(output)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.expect("walk output"))
        .filter(|entry| entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "html"))
        .map(|entry| entry.path().strip_prefix(output).expect("inside").to_string_lossy().replace('\\', "/"))
        .collect()
}

#[test]
fn every_page_of_the_example_site_works_in_headless_chromium() {
    let Some(chromium_path) = chromium_or_skip("site_browser") else { return };
    let started = Instant::now();
    let site = TestSite::example();
    let report = site.build_ok();
    let output = site.root().join("output");
    let server = StaticServer::start(&output);
    let origin = server.origin();
    let chromium = Chromium::launch(&chromium_path);
    let (tab, problems) = chromium.watched_tab(&origin);
    let built = started.elapsed();

    let pages = html_pages(&output);
    let mut findings = Findings::default();
    for page in &pages {
        check_page(&tab, &problems, &output, &origin, page, &mut findings);
    }

    // The post page as a reader sees it, on a desktop and on a phone.
    let mut screenshots = Vec::new();
    for (width, mobile, dark) in [(1280, false, false), (390, true, false), (390, true, true)] {
        set_viewport(&tab, width, 800, mobile);
        set_color_scheme(&tab, dark);
        for page in [TIMELINE_POST, GRAPHS_POST, POST] {
            check_page(&tab, &problems, &output, &origin, page, &mut findings);
            check_ladders(&tab, page, mobile, &mut findings);
        }
        let png = full_page_png(&tab);
        let size = png_size(&png);
        assert_eq!(size.map(|(w, _)| w), Some(width), "{POST} at {width} px: screenshot of size {size:?}");
        assert!(size.is_some_and(|(_, h)| h > 800), "{POST} at {width} px: a page shorter than a screen? {size:?}");
        let scheme = if dark { "-dark" } else { "" };
        let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("site-post-{width}{scheme}.png"));
        std::fs::write(&file, &png).expect("write the screenshot");
        screenshots.push((width, file, png));
    }
    if std::env::var_os("TCPDIALOG_UPDATE_SCREENSHOTS").is_some_and(|value| value == "1") {
        let desktop = screenshots.iter().find(|(width, ..)| *width == 1280).expect("the 1280 px screenshot");
        std::fs::write(repo().join("docs/images/site-post.png"), &desktop.2).expect("write docs/images/site-post.png");
    }
    settle();
    findings.failures.extend(problems.take());
    drop(server);

    assert!(findings.failures.is_empty(), "{} problem(s):\n{}", findings.failures.len(), findings.failures.join("\n"));
    assert_eq!(pages.len(), 46, "the example site's HTML pages: {pages:?}");
    assert!(pages.iter().any(|page| page == &format!("{POST}index.html")), "{pages:?}");
    // Every diagram is drawn once on its post; three posts are checked thrice more for the screenshots.
    assert!(
        findings.figures >= report.diagrams + 9,
        "{} figures on screen, {} built",
        findings.figures,
        report.diagrams
    );
    assert!(findings.internal_links > 200, "only {} internal links checked", findings.internal_links);
    assert!(findings.compact_graphs >= 4, "the loss post's two graphs, light and dark: {}", findings.compact_graphs);
    assert!(findings.compact_timelines >= 2, "the page-load timeline, light and dark: {}", findings.compact_timelines);
    eprintln!(
        "site_browser: {} pages, {} figures, {} internal links checked in {:.1} s (build and launch {:.1} s); \
         screenshots: {}",
        pages.len(),
        findings.figures,
        findings.internal_links,
        started.elapsed().as_secs_f64(),
        built.as_secs_f64(),
        screenshots.iter().map(|(_, file, _)| file.display().to_string()).collect::<Vec<_>>().join(", ")
    );
}

/// The checks above can fail: a page with each fault they look for is reported for each of them.
#[test]
fn a_broken_page_is_reported_for_each_fault() {
    let Some(chromium_path) = chromium_or_skip("site_browser") else { return };
    let site = tempfile::tempdir().expect("temporary folder");
    std::fs::write(
        site.path().join("index.html"),
        r##"<!doctype html><html><head><title>broken</title><link rel="stylesheet" href="missing.css"></head><body>
<figure id="empty"><svg width="0" height="0"></svg></figure>
<img src="http://localhost:1/outside.png" alt="">
<a href="nowhere/">a page that is not there</a> <a href="#no-such-id">an anchor that is not there</a>
<script>console.error("a console error"); throw new Error("an exception");</script>
</body></html>"##,
    )
    .expect("write the broken page");
    let server = StaticServer::start(site.path());
    let origin = server.origin();
    let chromium = Chromium::launch(&chromium_path);
    let (tab, problems) = chromium.watched_tab(&origin);
    let mut findings = Findings::default();
    check_page(&tab, &problems, site.path(), &origin, "index.html", &mut findings);
    settle();
    findings.failures.extend(problems.take());
    let report = findings.failures.join("\n");
    for expected in [
        "svg in figure#empty is drawn 0x0",
        "console.Error: \"a console error\"",
        "exception: Uncaught",
        "HTTP 404 for",
        "request outside the site: http://localhost:1/outside.png",
        "request failed",
        "image \"http://localhost:1/outside.png\" did not load",
        "link \"nowhere/\" names no file",
        "no element with id \"no-such-id\"",
        "request failed (Stylesheet)",
    ] {
        assert!(report.contains(expected), "{expected:?} is not reported in:\n{report}");
    }
}

//! Markdown to HTML with pulldown-cmark (tables, footnotes, strikethrough, task lists, heading ids).
//!
//! The event stream is rewritten before it is printed (as zola does): ```` ```tcpdialog ```` blocks and
//! `{capture}` images become diagram figures, other fenced code is highlighted, headings get ids and
//! anchors, and Pelican's `{filename}`/`{static}`/`{attach}` links become relative URLs. The files a page
//! needs beside it (diagrams, captures, attachments) are returned with the HTML.

use super::cache::DiagramCache;
use super::config::{Config, line_of};
use super::content::{CONTENT_DIR, Document};
use super::directive::{self, CAPTURES_DIR, CaptureDir, Directive};
use super::error::{DirectiveProblem, Location, SiteError};
use super::figure::{FileLink, feed_figure_html, figure_html};
use super::highlight::{escape, highlight};
use super::links::{
    LinkKind, SiteIndex, UrlMaker, absolute_url, join_inside, parent_of, parse_special, published_capture_name,
};
use super::metadata::slugify;
use super::output::Payload;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::{BTreeMap, BTreeSet};
use std::iter::Peekable;
use std::ops::Range;
use std::path::Path;

/// Words kept in a summary made from the first paragraph (Pelican's default).
const SUMMARY_WORDS: usize = 50;

/// What rendering needs from the whole site.
pub struct RenderContext<'a> {
    pub root: &'a Path,
    pub config: &'a Config,
    pub index: &'a SiteIndex,
    pub cache: &'a DiagramCache,
}

/// How serious a problem found while rendering is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    /// A link whose target is missing: a warning in `build`, an error in `check`.
    MissingLink,
    Warning,
}

#[derive(Debug)]
pub struct Problem {
    pub severity: Severity,
    pub error: SiteError,
}

/// A rendered document and everything it brings along.
#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    /// The same for the feed: each diagram an `<img>` of its published SVG ([`feed_figure_html`]).
    pub feed_html: String,
    /// Plain text: the `Summary:` metadata or the start of the first paragraph.
    pub summary: String,
    /// Output files beside the page: output path → content.
    pub files: BTreeMap<String, Payload>,
    /// Output path of the first diagram's PNG, for OpenGraph.
    pub og_image: Option<String>,
    pub diagrams: usize,
    pub problems: Vec<Problem>,
}

/// The markdown extensions the site reads (the integrations find blocks with the same parser).
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_GFM
}

/// A fenced block is a diagram when its info string's first word is `tcpdialog`.
pub fn is_tcpdialog_fence(info: &str) -> bool {
    info.split_whitespace().next() == Some("tcpdialog")
}

pub fn render(doc: &Document, ctx: &RenderContext) -> Rendered {
    let events: Vec<(Event, Range<usize>)> =
        Parser::new_ext(&doc.body, markdown_options()).into_offset_iter().collect();
    let mut page = PageRenderer {
        doc,
        ctx,
        urls: UrlMaker::for_dir(&doc.output_dir, ctx.config.clean_urls),
        out: Rendered::default(),
        heading_ids: BTreeSet::new(),
        diagram_stems: BTreeSet::new(),
        first_paragraph: None,
        feed_figures: Vec::new(),
    };
    let rewritten = page.rewrite(events);
    pulldown_cmark::html::push_html(&mut page.out.html, rewritten.into_iter());
    page.out.feed_html = page
        .feed_figures
        .iter()
        .fold(page.out.html.clone(), |html, (figure, in_feed)| html.replacen(figure.as_str(), in_feed, 1));
    page.out.summary = match &doc.meta.summary {
        Some(summary) => summary.clone(),
        None => summarize(page.first_paragraph.as_deref().unwrap_or_default()),
    };
    page.out
}

/// The events still to rewrite.
type Events<'e> = Peekable<std::vec::IntoIter<(Event<'e>, Range<usize>)>>;

struct PageRenderer<'a, 'c> {
    doc: &'a Document,
    ctx: &'a RenderContext<'c>,
    urls: UrlMaker,
    out: Rendered,
    heading_ids: BTreeSet<String>,
    diagram_stems: BTreeSet<String>,
    first_paragraph: Option<String>,
    /// Each figure drawn, and what it becomes in the feed.
    feed_figures: Vec<(String, String)>,
}

impl<'a> PageRenderer<'a, '_> {
    fn line(&self, offset: usize) -> usize {
        self.doc.meta.body_line + line_of(&self.doc.body, offset) - 1
    }

    fn problem(&mut self, severity: Severity, error: SiteError) {
        self.out.problems.push(Problem { severity, error });
    }

    fn rewrite<'e>(&mut self, events: Vec<(Event<'e>, Range<usize>)>) -> Vec<Event<'e>> {
        let mut out = Vec::with_capacity(events.len());
        let mut iter = events.into_iter().peekable();
        // Open elements: a paragraph at depth 0 is a top-level one.
        let mut depth = 0usize;
        while let Some((event, range)) = iter.next() {
            let line = self.line(range.start);
            match event {
                Event::Start(Tag::CodeBlock(kind)) => out.push(self.code_block(&kind, &mut iter, line)),
                Event::Start(Tag::Paragraph) if depth == 0 && self.capture_image_alone(iter.peek()) => {
                    depth += self.capture_paragraph(&mut iter, &mut out);
                }
                Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                    out.push(self.heading(level, id, &classes, &attrs, &mut iter));
                }
                Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                    let dest_url = self.resolve(&dest_url, line);
                    depth += 1;
                    out.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                }
                Event::Start(Tag::Image { dest_url, .. })
                    if parse_special(&dest_url).is_some_and(|l| l.kind == LinkKind::Capture) =>
                {
                    let alt = collect_text(&mut iter, TagEnd::Image);
                    out.push(Event::Html(self.image_figure(&dest_url, &alt, line).into()));
                }
                Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                    let dest_url = self.resolve(&dest_url, line);
                    depth += 1;
                    out.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
                }
                Event::Start(Tag::Paragraph) if depth == 0 && self.first_paragraph.is_none() => {
                    let paragraph = self.first_paragraph_of(range, &mut iter);
                    out.extend(paragraph);
                }
                Event::Start(tag) => {
                    depth += 1;
                    out.push(Event::Start(tag));
                }
                Event::End(tag) => {
                    depth = depth.saturating_sub(1);
                    out.push(Event::End(tag));
                }
                other => out.push(other),
            }
        }
        out
    }

    /// A fenced or indented code block: a diagram when its fence says `tcpdialog`, else highlighted code.
    fn code_block<'e>(&mut self, kind: &CodeBlockKind, iter: &mut Events<'e>, line: usize) -> Event<'e> {
        let mut code = String::new();
        for (inner, _) in iter.by_ref() {
            match inner {
                Event::Text(text) => code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        let html = match kind {
            // Lines inside the block count from the line after the fence.
            CodeBlockKind::Fenced(lang) if is_tcpdialog_fence(lang) => self.block_figure(&code, line + 1),
            CodeBlockKind::Fenced(lang) => highlight(&code, lang),
            CodeBlockKind::Indented => highlight(&code, ""),
        };
        Event::Html(html.into())
    }

    /// A paragraph holding only a `{capture}` image: the figure replaces the paragraph. Text after the image gets
    /// a paragraph of its own after the figure; returns the elements that leaves open (that paragraph: 1).
    fn capture_paragraph<'e>(&mut self, iter: &mut Events<'e>, out: &mut Vec<Event<'e>>) -> usize {
        let Some((Event::Start(Tag::Image { dest_url, .. }), image_range)) = iter.next() else { return 0 };
        let alt = collect_text(iter, TagEnd::Image);
        let html = self.image_figure(&dest_url, &alt, self.line(image_range.start));
        out.push(Event::Html(html.into()));
        if matches!(iter.peek(), Some((Event::End(TagEnd::Paragraph), _))) {
            iter.next();
            0
        } else {
            out.push(Event::Start(Tag::Paragraph));
            1
        }
    }

    /// A heading with a unique id (its own, else the slug of its text) and a link to itself.
    fn heading<'e>(
        &mut self,
        level: pulldown_cmark::HeadingLevel,
        id: Option<CowStr>,
        classes: &[CowStr],
        attrs: &[(CowStr, Option<CowStr>)],
        iter: &mut Events<'e>,
    ) -> Event<'e> {
        let inner: Vec<(Event, Range<usize>)> =
            iter.by_ref().take_while(|item| !matches!(item.0, Event::End(TagEnd::Heading(_)))).collect();
        let text: String = inner.iter().filter_map(|(e, _)| plain_text(e)).collect();
        let id = escape(&self.unique_id(id.map(|i| i.to_string()).unwrap_or_else(|| slugify(&text))));
        let mut inner_html = String::new();
        pulldown_cmark::html::push_html(&mut inner_html, self.rewrite(inner).into_iter());
        let mut extra = String::new();
        if !classes.is_empty() {
            let classes: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
            extra.push_str(&format!(" class=\"{}\"", escape(&classes.join(" "))));
        }
        for (name, value) in attrs {
            extra.push_str(&format!(" {}=\"{}\"", escape(name), escape(value.as_deref().unwrap_or_default())));
        }
        Event::Html(
            format!("<{level} id=\"{id}\"{extra}>{inner_html} <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a></{level}>\n").into(),
        )
    }

    /// The first top-level paragraph: its plain text becomes the summary when the post has none.
    fn first_paragraph_of<'e>(&mut self, start: Range<usize>, iter: &mut Events<'e>) -> Vec<Event<'e>> {
        let mut text = String::new();
        let mut paragraph = vec![(Event::Start(Tag::Paragraph), start)];
        for item in iter.by_ref() {
            let end = matches!(item.0, Event::End(TagEnd::Paragraph));
            text.extend(plain_text(&item.0));
            paragraph.push(item);
            if end {
                break;
            }
        }
        self.first_paragraph = Some(text);
        self.rewrite_nested(paragraph)
    }

    fn rewrite_nested<'e>(&mut self, events: Vec<(Event<'e>, Range<usize>)>) -> Vec<Event<'e>> {
        let count = events.len();
        let mut events = events.into_iter();
        let (Some(first), inner, Some(last)) =
            (events.next(), events.by_ref().take(count.saturating_sub(2)).collect::<Vec<_>>(), events.next())
        else {
            return Vec::new();
        };
        let mut out = vec![first.0];
        out.extend(self.rewrite(inner));
        out.push(last.0);
        out
    }

    fn capture_image_alone(&self, next: Option<&(Event, Range<usize>)>) -> bool {
        matches!(next, Some((Event::Start(Tag::Image { dest_url, .. }), _))
            if parse_special(dest_url).is_some_and(|l| l.kind == LinkKind::Capture))
    }

    fn unique_id(&mut self, base: String) -> String {
        let base = if base.is_empty() { "section".to_string() } else { base };
        let mut id = base.clone();
        let mut n = 1;
        while !self.heading_ids.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }

    /// Turns a special link into a URL relative to this page, publishing what it names.
    fn resolve<'e>(&mut self, url: &CowStr<'e>, line: usize) -> CowStr<'e> {
        let Some(link) = parse_special(url) else {
            return url.clone();
        };
        let at = Location::new(&self.doc.source, line);
        let base = if link.kind == LinkKind::Capture { "" } else { parent_of(&self.doc.content_path) };
        let Some(target) = join_inside(base, link.path) else {
            self.problem(Severity::Error, SiteError::LinkOutsideSite { at, target: url.to_string() });
            return url.clone();
        };
        let index = self.ctx.index;
        let resolved = match link.kind {
            LinkKind::Filename if index.documents.contains_key(&target) => {
                self.urls.url(index.documents.get(&target).map_or("", String::as_str))
            }
            LinkKind::Filename | LinkKind::Static | LinkKind::Attach if !index.assets.contains(&target) => {
                self.problem(
                    Severity::MissingLink,
                    SiteError::MissingLinkTarget {
                        at,
                        target: url.to_string(),
                        resolved: Path::new(CONTENT_DIR).join(&target),
                    },
                );
                self.urls.url(&target)
            }
            LinkKind::Filename | LinkKind::Static => self.urls.url(&target),
            LinkKind::Attach => {
                let name = target.rsplit('/').next().unwrap_or(&target).to_string();
                let source = self.ctx.root.join(CONTENT_DIR).join(&target);
                self.out.files.insert(format!("{}{name}", self.doc.output_dir), Payload::Copy(source));
                name
            }
            LinkKind::Capture => match self.publish_capture(&target) {
                Ok(name) => percent_encode_path(&name),
                Err(DirectiveProblem::CaptureNotFound { .. }) => {
                    let resolved = Path::new(CAPTURES_DIR).join(&target);
                    self.problem(
                        Severity::Error,
                        SiteError::MissingLinkTarget { at, target: url.to_string(), resolved },
                    );
                    target
                }
                Err(problem) => {
                    self.problem(Severity::Error, SiteError::Directive { at, problem });
                    target
                }
            },
        };
        format!("{resolved}{}", link.suffix).into()
    }

    /// Publishes `captures/<capture>` beside the page and returns its file name: only a regular file inside
    /// `captures/`, and never two captures under one name.
    fn publish_capture(&mut self, capture: &str) -> Result<String, DirectiveProblem> {
        let source = CaptureDir::of_site(self.ctx.root).regular_file(capture)?;
        let name = published_capture_name(capture);
        let key = format!("{}{name}", self.doc.output_dir);
        if let Some(Payload::Copy(earlier)) = self.out.files.get(&key)
            && earlier != &source
        {
            let first = earlier.strip_prefix(self.ctx.root.join(CAPTURES_DIR)).unwrap_or(earlier);
            let first = first.to_string_lossy().into_owned();
            return Err(DirectiveProblem::CaptureNameCollision { first, second: capture.to_string(), published: name });
        }
        self.out.files.insert(key, Payload::Copy(source));
        Ok(name)
    }

    fn block_figure(&mut self, toml: &str, first_line: usize) -> String {
        match directive::parse_block(toml, &self.ctx.config.diagram) {
            Ok(directive) => self.figure(directive, first_line),
            Err((offset, problem)) => self.directive_error(first_line + offset, problem),
        }
    }

    fn image_figure(&mut self, url: &str, alt: &str, line: usize) -> String {
        let Some(link) = parse_special(url) else {
            return String::new();
        };
        match directive::parse_shorthand(link.path, link.suffix, alt, &self.ctx.config.diagram) {
            Ok(directive) => self.figure(directive, line),
            Err(problem) => self.directive_error(line, problem),
        }
    }

    fn directive_error(&mut self, line: usize, problem: super::error::DirectiveProblem) -> String {
        let error = SiteError::Directive { at: Location::new(&self.doc.source, line), problem };
        let html = format!("<p class=\"diagram-error\">{}</p>\n", escape(&error.to_string()));
        self.problem(Severity::Error, error);
        html
    }

    /// Draws a diagram and returns its `<figure>`; the SVG (and PNG) are published beside the page.
    fn figure(&mut self, mut directive: Directive, line: usize) -> String {
        self.out.diagrams += 1;
        let number = self.out.diagrams;
        directive.diagram.id_prefix = format!("d{number}");
        let first = number == 1;
        // The first diagram's PNG is the post's social card; og:image needs an absolute URL, so without a
        // base_url there is no card and no reason to draw it.
        let social_card = first && !self.ctx.config.base_url.is_empty();
        let captures = CaptureDir::of_site(self.ctx.root);
        let mut drawn =
            match directive::draw(&directive, &captures, self.ctx.config, self.ctx.cache, false, social_card) {
                Ok(drawn) => drawn,
                Err(problem) => return self.directive_error(line, problem),
            };
        for warning in std::mem::take(&mut drawn.keylog_warnings) {
            let at = Location::new(&self.doc.source, line);
            self.problem(
                Severity::Warning,
                SiteError::Directive { at, problem: DirectiveProblem::KeyLogLine(warning) },
            );
        }
        let stem = self.unique_stem(directive.file_stem());
        let dir = &self.doc.output_dir;
        let extension = drawn.artifact.extension();
        self.out.files.insert(format!("{dir}{stem}.{extension}"), Payload::Bytes(drawn.body.clone()));
        let mut png_link = None;
        match drawn.png.take() {
            Some(Ok(png)) => {
                self.out.files.insert(format!("{dir}{stem}.png"), Payload::Bytes(png));
                png_link = Some(format!("{stem}.png"));
            }
            Some(Err(problem)) => {
                self.problem(
                    Severity::Error,
                    SiteError::Directive { at: Location::new(&self.doc.source, line), problem },
                );
            }
            None => {}
        }
        match drawn.card.take() {
            Some(Ok(card)) => {
                self.out.files.insert(format!("{dir}{stem}-card.png"), Payload::Bytes(card));
                self.out.og_image = Some(format!("{dir}{stem}-card.png"));
            }
            // The card is a nicety: the page is whole without it.
            Some(Err(problem)) => {
                self.problem(
                    Severity::Warning,
                    SiteError::Directive { at: Location::new(&self.doc.source, line), problem },
                );
            }
            None => {}
        }
        let capture_name = match self.publish_capture(&directive.capture) {
            Ok(name) => name,
            Err(problem) => return self.directive_error(line, problem),
        };
        let caption = directive.caption.clone().unwrap_or_else(|| directive.default_caption());
        let link = |href: String, label: String, download| FileLink { href, label, download };
        let mut files = vec![
            link(percent_encode_path(&capture_name), capture_name, true),
            link(format!("{stem}.{extension}"), extension.to_uppercase(), false),
        ];
        files.extend(png_link.map(|png| link(png, "PNG".into(), false)));
        let figure = figure_html(&stem, &drawn, &caption, &files);
        let svg = format!("{dir}{stem}.{extension}");
        let svg_url = absolute_url(&self.ctx.config.base_url, &svg).unwrap_or_else(|| format!("{stem}.{extension}"));
        self.feed_figures.push((figure.clone(), feed_figure_html(&drawn, &svg_url, &caption, &files)));
        figure
    }

    fn unique_stem(&mut self, base: String) -> String {
        let mut stem = base.clone();
        let mut n = 2;
        while !self.diagram_stems.insert(stem.clone()) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        stem
    }
}

fn collect_text<'e, I: Iterator<Item = (Event<'e>, Range<usize>)>>(
    iter: &mut std::iter::Peekable<I>,
    end: TagEnd,
) -> String {
    let mut text = String::new();
    for (event, _) in iter.by_ref() {
        if event == Event::End(end) {
            break;
        }
        if let Some(t) = plain_text(&event) {
            text.push_str(&t);
        }
    }
    text
}

fn plain_text(event: &Event) -> Option<String> {
    match event {
        Event::Text(t) | Event::Code(t) => Some(t.to_string()),
        Event::SoftBreak | Event::HardBreak => Some(" ".into()),
        _ => None,
    }
}

/// The first [`SUMMARY_WORDS`] words, with an ellipsis when cut.
fn summarize(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= SUMMARY_WORDS {
        return words.join(" ");
    }
    format!("{}…", words.iter().take(SUMMARY_WORDS).copied().collect::<Vec<_>>().join(" "))
}

/// A file name as a URL path segment: everything but unreserved characters percent-encoded (`a b#c?d.pcap`
/// becomes `a%20b%23c%3Fd.pcap`).
pub fn percent_encode_path(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::content::Kind;
    use crate::site::metadata::Metadata;

    struct Fixture {
        dir: tempfile::TempDir,
        config: Config,
        index: SiteIndex,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("captures")).unwrap();
        let pcap = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site/http-close.pcap");
        std::fs::copy(pcap, dir.path().join("captures/http-close.pcap")).unwrap();
        let mut index = SiteIndex::default();
        index.documents.insert("posts/other.md".into(), "posts/other/".into());
        index.assets.insert("images/a.png".into());
        Fixture { dir, config: Config::default(), index }
    }

    fn doc(body: &str) -> Document {
        Document {
            source: "content/posts/x.md".into(),
            content_path: "posts/x.md".into(),
            kind: Kind::Post,
            meta: Metadata { title: "X".into(), body_line: 5, ..Default::default() },
            slug: "x".into(),
            body: body.into(),
            output_dir: "posts/x/".into(),
        }
    }

    fn render_body(f: &Fixture, body: &str) -> Rendered {
        let cache = DiagramCache::new(f.dir.path(), false, false);
        let ctx = RenderContext { root: f.dir.path(), config: &f.config, index: &f.index, cache: &cache };
        render(&doc(body), &ctx)
    }

    #[test]
    fn extensions_and_heading_ids() {
        let f = fixture();
        let out = render_body(
            &f,
            "# Intro\n\n## Intro\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~no~~ - [x] done\n\nText[^1].\n\n[^1]: Note.\n",
        );
        assert!(out.html.contains("<h1 id=\"intro\">Intro <a class=\"anchor\" href=\"#intro\""), "{}", out.html);
        assert!(out.html.contains("<h2 id=\"intro-1\">"), "{}", out.html);
        assert!(out.html.contains("<table>") && out.html.contains("<del>no</del>"), "{}", out.html);
        assert!(out.html.contains("footnote-definition"), "{}", out.html);
        assert_eq!(out.summary, "no - [x] done");
    }

    #[test]
    fn pelican_links_resolve_relative_to_the_page() {
        let f = fixture();
        let out = render_body(
            &f,
            "See [other]({filename}other.md#top) and ![a]({static}/images/a.png) and [gone]({filename}/nope.md).\n",
        );
        assert!(out.html.contains("href=\"../../posts/other/index.html#top\""), "{}", out.html);
        assert!(out.html.contains("src=\"../../images/a.png\""), "{}", out.html);
        let messages: Vec<String> = out.problems.iter().map(|p| p.error.to_string()).collect();
        assert_eq!(
            messages,
            ["content/posts/x.md:5: link target \"{filename}/nope.md\" does not exist (content/nope.md)"]
        );
        assert_eq!(out.problems[0].severity, Severity::MissingLink);
    }

    #[test]
    fn tcpdialog_block_becomes_a_figure() {
        let f = fixture();
        let out = render_body(
            &f,
            "Intro.\n\n```tcpdialog\ncapture = \"http-close.pcap\"\nstream = 0\ncaption = \"One <GET> & done\"\n```\n",
        );
        assert!(out.html.contains("<figure class=\"diagram\" id=\"figure-http-close-s0\">"), "{}", out.html);
        assert!(
            out.html.contains("<figcaption><span class=\"caption\">One &lt;GET&gt; &amp; done</span>"),
            "{}",
            out.html
        );
        assert!(out.html.contains("<a href=\"http-close.pcap\" download>"), "{}", out.html);
        assert!(out.html.contains("<svg"), "{}", out.html);
        assert!(out.files.contains_key("posts/x/http-close-s0.svg"));
        assert!(out.files.contains_key("posts/x/http-close.pcap"));
        assert_eq!(out.diagrams, 1);
        // No base_url, so no social card: the PNG is not drawn.
        assert!(!out.files.contains_key("posts/x/http-close-s0.png"));
        assert!(out.og_image.is_none());
    }

    #[test]
    fn the_first_diagram_is_the_social_card_when_the_site_has_a_base_url() {
        let mut f = fixture();
        f.config.base_url = "https://me.github.io/dialogs/".into();
        let body = "```tcpdialog\ncapture = \"http-close.pcap\"\n```\n\n```tcpdialog\ncapture = \"http-close.pcap\"\nview = \"timeline\"\n```\n";
        let out = render_body(&f, body);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let pngs: Vec<&String> = out.files.keys().filter(|k| k.ends_with(".png")).collect();
        assert_eq!(pngs, ["posts/x/http-close-card.png"]);
        assert_eq!(out.og_image.as_deref(), Some("posts/x/http-close-card.png"));
        let png = match &out.files["posts/x/http-close-card.png"] {
            Payload::Bytes(bytes) => bytes,
            other => panic!("{other:?}"),
        };
        // A 1200×630 PNG (IHDR's width and height), light enough for a social site.
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let size = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
        assert_eq!((size(16), size(20)), (1200, 630));
        assert!(png.len() < 100_000, "{} bytes", png.len());
    }

    #[test]
    fn text_after_a_capture_image_gets_its_own_paragraph() {
        let f = fixture();
        let out = render_body(&f, "![d]({capture}/http-close.pcap) and *more* text.\n");
        assert!(out.html.starts_with("<figure"), "{}", out.html);
        assert!(out.html.ends_with("</figure>\n<p> and <em>more</em> text.</p>\n"), "{}", out.html);
    }

    #[test]
    fn attachments_are_published_beside_the_post() {
        let mut f = fixture();
        f.index.assets.insert("posts/files/notes.txt".into());
        let out = render_body(&f, "Get [the notes]({attach}files/notes.txt).\n");
        assert!(out.html.contains("<a href=\"notes.txt\">the notes</a>"), "{}", out.html);
        assert!(out.files.contains_key("posts/x/notes.txt"));
    }

    #[test]
    fn table_view_is_an_html_table() {
        let f = fixture();
        let out = render_body(&f, "```tcpdialog\ncapture = \"http-close.pcap\"\nview = \"table\"\n```\n");
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert!(out.html.contains("<div class=\"diagram-scroll diagram-table\">\n<table"), "{}", out.html);
        assert!(out.files.contains_key("posts/x/http-close.html"));
        assert!(out.og_image.is_none());
    }

    #[test]
    fn capture_image_shorthand_replaces_its_paragraph() {
        let f = fixture();
        let out = render_body(&f, "![The close]({capture}/http-close.pcap#stream=0)\n");
        assert!(out.html.starts_with("<figure class=\"diagram\""), "{}", out.html);
        assert!(!out.html.contains("<p>"), "{}", out.html);
        assert!(out.html.contains("The close</span>"), "{}", out.html);
    }

    #[test]
    fn block_errors_name_the_line() {
        let f = fixture();
        let out = render_body(
            &f,
            "Text.\n\n```tcpdialog\ncapture = \"nope.pcap\"\n```\n\n```tcpdialog\ncapture = \"http-close.pcap\"\ncolour = \"red\"\n```\n",
        );
        let messages: Vec<String> = out.problems.iter().map(|p| p.error.to_string()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert_eq!(
            messages[0],
            "content/posts/x.md:8: tcpdialog block: capture \"nope.pcap\" not found (captures/nope.pcap)"
        );
        assert!(
            messages[1].starts_with("content/posts/x.md:13: tcpdialog block: unknown key `colour`"),
            "{messages:?}"
        );
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let f = fixture();
        let out = render_body(&f, "```python\nimport requests\n```\n");
        assert!(out.html.contains("<pre class=\"code\"><code class=\"language-python\">"), "{}", out.html);
    }
}

//! `tcpdialog mdbook`: an mdBook preprocessor (mdBook 0.5's protocol). mdBook asks `tcpdialog mdbook supports
//! RENDERER` first, then hands `[context, book]` as JSON on standard input and reads the book back from
//! standard output. Every ```` ```tcpdialog ```` block of a chapter becomes the site's figure, drawn from
//! `captures` of `[preprocessor.tcpdialog]` (relative to the book's root, default `captures`).
//!
//! mdBook picks light or dark with a class on `<html>` (`light`, `rust`; `coal`, `navy`, `ayu`), not with
//! `prefers-color-scheme`, so a figure's dark palette is switched on by those classes instead (see
//! [`follow_mdbook_themes`]). [`super::CSS`] lays the figures out: `tcpdialog mdbook --css > tcpdialog.css`, then
//! `additional-css = ["tcpdialog.css"]` in `[output.html]`.

use super::blocks::{self, Block};
use super::error::IntegrateError;
use super::render::Drawer;
use crate::site::SiteError;
use crate::site::directive::CaptureDir;
use crate::site::figure::figure_html;
use mdbook_preprocessor::book::Book;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The key of `book.toml` naming the captures folder.
const CAPTURES_KEY: &str = "preprocessor.tcpdialog.captures";

/// The media query of a diagram's automatic theme, and the classes of mdBook's dark themes.
const DARK_QUERY: &str = "@media (prefers-color-scheme: dark) {\n";
const DARK_THEMES: &str = "html:is(.coal, .navy, .ayu) ";

/// Whether the figures suit this renderer: they are HTML.
pub fn supports(renderer: &str) -> bool {
    renderer == "html"
}

/// Runs the preprocessor: `[context, book]` from `input`, the book to `output`. Returns warnings (a different
/// mdBook version) for standard error; any block's problem fails the whole run, naming chapter and line.
pub fn run(input: impl Read, output: impl Write) -> Result<Vec<String>, IntegrateError> {
    let (ctx, mut book) =
        mdbook_preprocessor::parse_input(input).map_err(|e| IntegrateError::Mdbook(format!("{e:#}")))?;
    let mut warnings = Vec::new();
    if minor_version(&ctx.mdbook_version) != minor_version(mdbook_preprocessor::MDBOOK_VERSION) {
        warnings.push(format!(
            "tcpdialog was written for mdBook {}, and this is mdBook {}",
            mdbook_preprocessor::MDBOOK_VERSION,
            ctx.mdbook_version
        ));
    }
    let captures: PathBuf = ctx
        .config
        .get::<String>(CAPTURES_KEY)
        .map_err(|e| IntegrateError::Mdbook(format!("book.toml: {e:#}")))?
        .unwrap_or_else(|| "captures".into())
        .into();
    let drawer = Drawer::new(CaptureDir { path: ctx.root.join(&captures), shown: captures }, &ctx.root);
    let src = ctx.config.book.src.clone();
    let errors = preprocess(&mut book, &src, &drawer);
    if !errors.is_empty() {
        return Err(IntegrateError::Blocks(errors));
    }
    serde_json::to_writer(output, &book).map_err(|e| IntegrateError::Mdbook(format!("writing the book: {e}")))?;
    Ok(warnings)
}

/// Replaces the blocks of every chapter; returns every problem found.
pub fn preprocess(book: &mut Book, src: &Path, drawer: &Drawer) -> Vec<SiteError> {
    let mut errors = Vec::new();
    let mut number = 0;
    book.for_each_chapter_mut(|chapter| {
        number += 1;
        let file = chapter.source_path.as_ref().or(chapter.path.as_ref());
        let source = file.map_or_else(|| PathBuf::from(&chapter.name), |file| src.join(file));
        // mdBook's print.html holds every chapter: SVG ids carry the chapter's number to stay apart there.
        match chapter_with_figures(&chapter.content, &source, drawer, &format!("c{number}-")) {
            Ok(content) => chapter.content = content,
            Err(found) => errors.extend(found),
        }
    });
    errors
}

/// A chapter's markdown with each block replaced by its figure (raw HTML, which mdBook passes through); the
/// SVGs' ids start with `id_prefix`.
pub fn chapter_with_figures(
    content: &str,
    source: &Path,
    drawer: &Drawer,
    id_prefix: &str,
) -> Result<String, Vec<SiteError>> {
    let found = blocks::find(content);
    let mut out = String::with_capacity(content.len());
    let mut errors = Vec::new();
    let mut ids = BTreeSet::new();
    let mut copied = 0;
    for (number, block) in found.iter().enumerate() {
        out.push_str(content.get(copied..block.range.start).unwrap_or_default());
        copied = block.range.end;
        match drawer.draw(block, source, &format!("{id_prefix}d{}", number + 1), false) {
            Ok(drawn) => {
                let id = unique(&mut ids, drawn.directive.file_stem());
                let figure = follow_mdbook_themes(&figure_html(&id, &drawn.drawn, &drawn.caption(), &[]));
                out.push_str(&as_html_block(&figure, block));
            }
            Err(error) => errors.push(error),
        }
    }
    out.push_str(content.get(copied..).unwrap_or_default());
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Markdown ends an HTML block at a blank line: the figure loses its blank lines (none is meaningful inside
/// SVG or a table), keeps the block's indentation (inside a list item), and is followed by a blank line.
fn as_html_block(figure: &str, block: &Block) -> String {
    let lines: Vec<&str> = figure.lines().filter(|line| !line.trim().is_empty()).collect();
    format!("{}\n\n", lines.join(&format!("\n{}", block.indent)))
}

/// Rewrites the dark half of each diagram's automatic theme from `prefers-color-scheme` to mdBook's dark
/// theme classes, so the diagram follows the theme a reader picks in the book, not the system's setting.
pub fn follow_mdbook_themes(figure: &str) -> String {
    let mut out = String::with_capacity(figure.len() + 1024);
    let mut rest = figure;
    while let Some(at) = rest.find(DARK_QUERY) {
        out.push_str(&rest[..at]);
        let inside = &rest[at + DARK_QUERY.len()..];
        let end = inside.find("\n}\n").map_or(inside.len(), |end| end + 1);
        for rule in inside[..end].lines().filter(|line| !line.trim().is_empty()) {
            out.push_str(DARK_THEMES);
            out.push_str(rule.trim_start());
            out.push('\n');
        }
        rest = inside.get(end + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

fn unique(ids: &mut BTreeSet<String>, base: String) -> String {
    let mut id = base.clone();
    let mut n = 2;
    while !ids.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// `0.5.4` → `0.5`.
fn minor_version(version: &str) -> &str {
    version.rmatch_indices('.').next().map_or(version, |(at, _)| &version[..at])
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdbook_preprocessor::PreprocessorContext;
    use mdbook_preprocessor::book::{BookItem, Chapter};
    use mdbook_preprocessor::config::Config;

    /// A book root with `traces/http-close.pcap`, and the `[context, book]` mdBook would send for `chapter`.
    fn input(chapter: &str) -> (tempfile::TempDir, Vec<u8>) {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("traces")).unwrap();
        let pcap = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site/http-close.pcap");
        std::fs::copy(pcap, root.path().join("traces/http-close.pcap")).unwrap();
        let config: Config =
            "[book]\ntitle = \"T\"\n[preprocessor.tcpdialog]\ncommand = \"tcpdialog mdbook\"\ncaptures = \"traces\"\n"
                .parse()
                .unwrap();
        let ctx = PreprocessorContext::new(root.path().to_path_buf(), config, "html".into());
        let mut book = Book::new();
        book.items.push(BookItem::Chapter(Chapter::new("One", chapter.into(), "part/one.md", Vec::new())));
        (root, serde_json::to_vec(&(ctx, book)).unwrap())
    }

    fn chapter_of(book: &[u8]) -> String {
        let book: Book = serde_json::from_slice(book).unwrap();
        book.chapters().next().unwrap().content.clone()
    }

    #[test]
    fn blocks_become_figures_that_follow_the_book_theme() {
        let (_root, json) =
            input("# One\n\nBefore.\n\n```tcpdialog\ncapture = \"http-close.pcap\"\nstream = 0\n```\nAfter.\n");
        let mut out = Vec::new();
        assert_eq!(run(json.as_slice(), &mut out).unwrap(), Vec::<String>::new());
        let chapter = chapter_of(&out);
        assert!(
            chapter.starts_with("# One\n\nBefore.\n\n<figure class=\"diagram\" id=\"figure-http-close-s0\">\n"),
            "{chapter}"
        );
        assert!(chapter.ends_with("</figure>\n\n\nAfter.\n"), "{chapter}");
        assert!(!chapter.contains("```") && !chapter.contains("prefers-color-scheme"), "{chapter}");
        assert!(chapter.contains("html:is(.coal, .navy, .ayu) #c1-d1 .bg{fill:#0d1117}"), "{chapter}");
        assert!(chapter.contains("<details class=\"packet-list\">"), "{chapter}");
        let figure = &chapter[chapter.find("<figure").unwrap()..chapter.find("</figure>").unwrap()];
        assert!(figure.lines().all(|line| !line.trim().is_empty()), "a blank line would end the HTML block");
        insta::assert_snapshot!(chapter);
    }

    #[test]
    fn errors_name_the_chapter_file_and_line() {
        let (_root, json) = input(
            "# One\n\n```tcpdialog\ncapture = \"http-close.pcap\"\n```\n\n```tcpdialog\ncapture = \"nope.pcap\"\n```\n",
        );
        let error = run(json.as_slice(), Vec::new()).unwrap_err().to_string();
        assert_eq!(error, "src/part/one.md:8: tcpdialog block: capture \"nope.pcap\" not found (traces/nope.pcap)");
    }

    #[test]
    fn only_the_html_renderer_is_supported() {
        assert!(supports("html"));
        assert!(!supports("markdown") && !supports("epub"));
    }

    #[test]
    fn the_dark_half_of_an_automatic_theme_moves_to_the_theme_classes() {
        let svg = "<style>\n#d1 .bg{fill:#fff}\n@media (prefers-color-scheme: dark) {\n  #d1 .bg{fill:#000}\n  #d1 .fg{fill:#eee}\n}\n</style>\n";
        assert_eq!(
            follow_mdbook_themes(svg),
            "<style>\n#d1 .bg{fill:#fff}\nhtml:is(.coal, .navy, .ayu) #d1 .bg{fill:#000}\nhtml:is(.coal, .navy, .ayu) #d1 .fg{fill:#eee}\n</style>\n"
        );
        assert_eq!(follow_mdbook_themes("<svg/>"), "<svg/>");
        assert_eq!(minor_version("0.5.4"), "0.5");
    }
}

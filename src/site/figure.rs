//! The `<figure>` a drawn diagram becomes: the inline SVG (or the packet table; for a drawing, its wide
//! and its compact layout, of which the stylesheet shows one), the packet list folded under it, and the caption
//! with links to the files published beside the page. One function for the site,
//! the mdBook preprocessor and `prerender`, so a diagram looks the same wherever it is shown; and the figure of
//! a feed entry, where readers strip `<style>` and in-page anchors break: an `<img>` of the published SVG.

use super::directive::{Artifact, Drawn};
use super::highlight::escape;

/// A link in the caption to a file published beside the page (the capture, the SVG, the PNG).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLink {
    pub href: String,
    pub label: String,
    /// A `download` link (the capture: a browser would not show it).
    pub download: bool,
}

/// The figure of one drawn diagram. `id` names it (`figure-{id}`); `files` may be empty (nothing published
/// beside the page), and then the caption has no file links.
pub fn figure_html(id: &str, drawn: &Drawn, caption: &str, files: &[FileLink]) -> String {
    let body = String::from_utf8_lossy(&drawn.body);
    let (class, body) = match drawn.artifact {
        Artifact::Svg => ("diagram-scroll", strip_xml_declaration(&body)),
        Artifact::Html => ("diagram-scroll diagram-table", body.trim()),
    };
    // A drawing comes twice, wide and compact; the stylesheet shows the one that fits the screen.
    let body = match &drawn.compact {
        Some(compact) => format!(
            "{body}\n</div>\n<div class=\"{class} diagram-compact\">\n{}",
            strip_xml_declaration(&String::from_utf8_lossy(compact))
        ),
        None => body.to_string(),
    };
    let class = if drawn.compact.is_some() { format!("{class} diagram-wide") } else { class.to_string() };
    // The exact packet list beside the simplified dialog, folded away until asked for.
    let packets = drawn.table.as_deref().map_or(String::new(), |table| {
        format!(
            "<details class=\"packet-list\">\n<summary>Packet list</summary>\n<div class=\"diagram-scroll diagram-table\">\n{}\n</div>\n</details>\n",
            String::from_utf8_lossy(table).trim()
        )
    });
    format!(
        "<figure class=\"diagram\" id=\"figure-{id}\">\n<div class=\"{class}\">\n{body}\n</div>\n{packets}{caption}</figure>\n",
        id = escape(id),
        caption = figcaption(caption, files),
    )
}

/// The figure of a diagram in a feed entry: the SVG published at `svg_url` as an image with the diagram's own
/// description as its alt text (the packet table, which needs no stylesheet, inline), and the caption.
pub fn feed_figure_html(drawn: &Drawn, svg_url: &str, caption: &str, files: &[FileLink]) -> String {
    let body = String::from_utf8_lossy(&drawn.body);
    let picture = match drawn.artifact {
        Artifact::Svg => {
            let size = |name: &str| svg_attribute(&body, name).map(|v| format!(" {name}=\"{v}\"")).unwrap_or_default();
            // The description is SVG text, escaped already.
            let alt = element_text(&body, "desc").unwrap_or_default();
            format!("<img src=\"{}\" alt=\"{alt}\"{}{}>", escape(svg_url), size("width"), size("height"))
        }
        Artifact::Html => body.trim().to_string(),
    };
    format!("<figure class=\"diagram\">\n{picture}\n{}</figure>\n", figcaption(caption, files))
}

/// The value of an attribute of the `<svg>` element (our own SVG: one space before each attribute).
fn svg_attribute<'s>(svg: &'s str, name: &str) -> Option<&'s str> {
    let tag = &svg[svg.find("<svg ")?..];
    let tag = &tag[..tag.find('>')?];
    let value = &tag[tag.find(&format!(" {name}=\""))? + name.len() + 3..];
    value.split('"').next()
}

/// The text of the first `<NAME …>…</NAME>` element.
fn element_text<'s>(svg: &'s str, name: &str) -> Option<&'s str> {
    let start = svg.find(&format!("<{name}"))?;
    let open_end = start + svg[start..].find('>')? + 1;
    let close = open_end + svg[open_end..].find(&format!("</{name}>"))?;
    Some(&svg[open_end..close])
}

/// The caption, with links to the files published beside the page.
fn figcaption(caption: &str, files: &[FileLink]) -> String {
    let links = files
        .iter()
        .map(|file| {
            let download = if file.download { " download" } else { "" };
            format!("<a href=\"{}\"{download}>{}</a>", escape(&file.href), escape(&file.label))
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let links = if links.is_empty() { links } else { format!(" <span class=\"diagram-files\">{links}</span>") };
    format!("<figcaption><span class=\"caption\">{}</span>{links}</figcaption>\n", escape(caption))
}

fn strip_xml_declaration(svg: &str) -> &str {
    let svg = svg.trim();
    match svg.strip_prefix("<?xml").and_then(|rest| rest.find("?>").map(|end| rest.get(end + 2..))) {
        Some(Some(rest)) => rest.trim_start(),
        _ => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(table: Option<&str>) -> Drawn {
        Drawn {
            artifact: Artifact::Svg,
            body: b"<?xml version=\"1.0\"?>\n<svg id=\"d1\"></svg>\n".to_vec(),
            compact: None,
            png: None,
            card: None,
            table: table.map(|t| t.as_bytes().to_vec()),
            keylog_warnings: Vec::new(),
        }
    }

    #[test]
    fn a_figure_with_files_and_packet_list() {
        let files = [
            FileLink { href: "a.pcap".into(), label: "a.pcap".into(), download: true },
            FileLink { href: "a.svg".into(), label: "SVG".into(), download: false },
        ];
        let html = figure_html("a", &drawn(Some("<table></table>")), "One <GET>", &files);
        assert_eq!(
            html,
            "<figure class=\"diagram\" id=\"figure-a\">\n<div class=\"diagram-scroll\">\n<svg id=\"d1\"></svg>\n</div>\n\
             <details class=\"packet-list\">\n<summary>Packet list</summary>\n<div class=\"diagram-scroll diagram-table\">\n<table></table>\n</div>\n</details>\n\
             <figcaption><span class=\"caption\">One &lt;GET&gt;</span> <span class=\"diagram-files\"><a href=\"a.pcap\" download>a.pcap</a> · <a href=\"a.svg\">SVG</a></span></figcaption>\n</figure>\n"
        );
    }

    #[test]
    fn a_feed_figure_is_an_image_of_the_published_svg_with_its_description() {
        let drawn = Drawn {
            body: b"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"d1\" width=\"860\" height=\"412\">\n<title id=\"d1-title\">T</title>\n<desc id=\"d1-desc\">A GET &amp; its answer</desc>\n<style>x</style></svg>".to_vec(),
            ..drawn(Some("<table></table>"))
        };
        let files = [FileLink { href: "a.svg".into(), label: "SVG".into(), download: false }];
        let html = feed_figure_html(&drawn, "https://example.org/posts/a/a.svg", "C", &files);
        assert_eq!(
            html,
            "<figure class=\"diagram\">\n<img src=\"https://example.org/posts/a/a.svg\" alt=\"A GET &amp; its answer\" width=\"860\" height=\"412\">\n\
             <figcaption><span class=\"caption\">C</span> <span class=\"diagram-files\"><a href=\"a.svg\">SVG</a></span></figcaption>\n</figure>\n"
        );
    }

    #[test]
    fn without_files_the_caption_has_no_links() {
        let html = figure_html("b", &drawn(None), "C", &[]);
        assert!(html.ends_with("<figcaption><span class=\"caption\">C</span></figcaption>\n</figure>\n"), "{html}");
        assert!(!html.contains("<details"), "{html}");
    }
}

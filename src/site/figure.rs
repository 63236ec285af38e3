//! The `<figure>` a drawn diagram becomes: the inline SVG (or the packet table), the packet list folded under
//! a ladder, and the caption with links to the files published beside the page. One function for the site,
//! the mdBook preprocessor and `prerender`, so a diagram looks the same wherever it is shown.

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
    // The exact packet list beside the simplified dialog, folded away until asked for.
    let packets = drawn.table.as_deref().map_or(String::new(), |table| {
        format!(
            "<details class=\"packet-list\">\n<summary>Packet list</summary>\n<div class=\"diagram-scroll diagram-table\">\n{}\n</div>\n</details>\n",
            String::from_utf8_lossy(table).trim()
        )
    });
    let links = files
        .iter()
        .map(|file| {
            let download = if file.download { " download" } else { "" };
            format!("<a href=\"{}\"{download}>{}</a>", escape(&file.href), escape(&file.label))
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let links = if links.is_empty() { links } else { format!(" <span class=\"diagram-files\">{links}</span>") };
    format!(
        "<figure class=\"diagram\" id=\"figure-{id}\">\n<div class=\"{class}\">\n{body}\n</div>\n{packets}<figcaption><span class=\"caption\">{caption}</span>{links}</figcaption>\n</figure>\n",
        id = escape(id),
        caption = escape(caption),
    )
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
            png: None,
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
    fn without_files_the_caption_has_no_links() {
        let html = figure_html("b", &drawn(None), "C", &[]);
        assert!(html.ends_with("<figcaption><span class=\"caption\">C</span></figcaption>\n</figure>\n"), "{html}");
        assert!(!html.contains("<details"), "{html}");
    }
}

//! Prints a [`Layout`] as a self-contained, accessible SVG document.
//!
//! No decisions are made here: every coordinate comes from the layout (printed with at most one decimal), every
//! colour from the theme's `<style>`. The document has `<title>`, `<desc>`, `role="img"`, `aria-labelledby`,
//! a `viewBox` with width and height, and no external fonts, scripts or images.

use super::Theme;
use super::format::coord;
use super::layout::{Anchor, Font, Item, Layout, Text};
use super::theme;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The font stacks: DejaVu first (what the PNG renderer bundles), then the generic family.
const MONO_STACK: &str = "'DejaVu Sans Mono', monospace";
const SANS_STACK: &str = "'DejaVu Sans', sans-serif";

/// Writes the SVG document of `layout`: its element ids and style scope take `id_prefix`, its links lead to
/// ids of `link_prefix` (the packet table's, the same but for a compact ladder).
pub fn write(layout: &Layout, theme: Theme, id_prefix: &str, link_prefix: &str) -> String {
    let scope = css_ident(id_prefix);
    let links = css_ident(link_prefix);
    let (w, h) = (coord(layout.width), coord(layout.height));
    let mut out = String::with_capacity(4096 + layout.items.len() * 160);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="{scope}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{scope}-title {scope}-desc" font-family="{MONO_STACK}">"#
    );
    let _ = writeln!(out, r#"<title id="{scope}-title">{}</title>"#, escape(&layout.title));
    let _ = writeln!(out, r#"<desc id="{scope}-desc">{}</desc>"#, escape(&layout.description));
    let mut used = BTreeSet::from(["bg"]);
    classes(&layout.items, &mut used);
    let _ = write!(out, "<style>\n{}</style>\n", theme::css(theme, &scope, &used));
    let _ = writeln!(out, r#"<rect class="bg" x="0" y="0" width="{w}" height="{h}"/>"#);
    for item in &layout.items {
        write_item(&mut out, item, &scope, &links);
    }
    out.push_str("</svg>\n");
    out
}

/// The classes the items use: the style sheet has a rule for these only (a ladder uses about a third of the
/// theme's classes, and every diagram of a post page, its SVG file and its card carried the whole sheet).
fn classes(items: &[Item], used: &mut BTreeSet<&'static str>) {
    for item in items {
        match item {
            Item::Path { class, .. }
            | Item::Rect { class, .. }
            | Item::Line { class, .. }
            | Item::Polygon { class, .. } => {
                used.insert(class);
            }
            Item::Text(text) => {
                used.insert(text.class);
            }
            Item::Group { class, items, .. } => {
                used.extend(*class);
                classes(items, used);
            }
        }
    }
}

fn write_item(out: &mut String, item: &Item, scope: &str, links: &str) {
    match item {
        Item::Rect { x, y, width, height, radius, class } => {
            let rx = if *radius > 0.0 { format!(r#" rx="{}""#, coord(*radius)) } else { String::new() };
            let _ = writeln!(
                out,
                r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}"{rx}/>"#,
                coord(*x),
                coord(*y),
                coord(*width),
                coord(*height)
            );
        }
        Item::Line { x1, y1, x2, y2, class } => {
            let _ = writeln!(
                out,
                r#"<line class="{class}" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
                coord(*x1),
                coord(*y1),
                coord(*x2),
                coord(*y2)
            );
        }
        Item::Polygon { points, class } => {
            let points: Vec<String> = points.iter().map(|(x, y)| format!("{},{}", coord(*x), coord(*y))).collect();
            let _ = writeln!(out, r#"<polygon class="{class}" points="{}"/>"#, points.join(" "));
        }
        Item::Path { d, class } => {
            let _ = writeln!(out, r#"<path class="{class}" d="{d}"/>"#);
        }
        Item::Text(text) => write_text(out, text),
        Item::Group { id, href, tooltip, class, items } => {
            let mut id_attr = id.as_ref().map(|id| format!(r#" id="{scope}-{}""#, escape(id))).unwrap_or_default();
            if let Some(class) = class {
                id_attr.push_str(&format!(r#" class="{class}""#));
            }
            let (open, close) = match href {
                Some(href) => (format!(r##"<a href="#{links}-{}"{id_attr}>"##, escape(href)), "</a>"),
                None => (format!("<g{id_attr}>"), "</g>"),
            };
            out.push_str(&open);
            out.push('\n');
            if let Some(tooltip) = tooltip {
                let _ = writeln!(out, "<title>{}</title>", escape(tooltip));
            }
            for item in items {
                write_item(out, item, scope, links);
            }
            out.push_str(close);
            out.push('\n');
        }
    }
}

fn write_text(out: &mut String, text: &Text) {
    let anchor = match text.anchor {
        Anchor::Start => "",
        Anchor::Middle => r#" text-anchor="middle""#,
        Anchor::End => r#" text-anchor="end""#,
    };
    let font = match text.font {
        Font::Mono => String::new(),
        Font::MonoBold => r#" font-weight="bold""#.to_string(),
        Font::Sans => format!(r#" font-family="{SANS_STACK}""#),
    };
    let _ = writeln!(
        out,
        r#"<text class="{}" x="{}" y="{}" font-size="{}"{anchor}{font}>{}</text>"#,
        text.class,
        coord(text.x),
        coord(text.y),
        coord(text.size),
        escape(&text.content)
    );
}

/// Escapes text for XML content and attribute values, and drops characters XML 1.0 forbids (payload-derived
/// text may contain control bytes), so the document always parses.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            // Not allowed in XML, or (bidirectional controls) able to make a label read as something else.
            c if crate::proto::is_hidden_control(c) || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `id_prefix` made safe as an XML id and a CSS identifier (letters, digits, `-`, `_`; starts with a letter).
pub fn css_ident(prefix: &str) -> String {
    let cleaned: String = prefix.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    match cleaned.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => cleaned,
        _ => format!("d{cleaned}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_text_is_escaped() {
        assert_eq!(escape("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        assert_eq!(escape("]]> & \u{1}"), "]]&gt; &amp; \u{FFFD}");
    }

    #[test]
    fn prefixes_become_safe_identifiers() {
        assert_eq!(css_ident("post-1"), "post-1");
        assert_eq!(css_ident("1st"), "d1st");
        assert_eq!(css_ident("a b\"<"), "ab");
        assert_eq!(css_ident(""), "d");
    }
}

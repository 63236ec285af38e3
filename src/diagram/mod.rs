//! Diagram stage: lays out a [`Dialog`] and renders it.
//!
//! Owns: views (ladder, connection timeline, packet table), layout (every coordinate computed into a plain
//! value before anything is printed), and the output formats (SVG, PNG through resvg with a bundled font,
//! plain text, Mermaid). Renderers only read the dialog model; they never look at captures.

mod arrows;
mod format;
mod graph;
mod indexed;
mod ladder;
mod layout;
mod mermaid;
mod names;
mod png;
pub use png::CARD_SIZE;
mod svg;
mod table;
mod text;
mod theme;
mod timeline;

pub use graph::{
    card as render_graph_card, layout as graph_layout, render as render_graph,
    render_above_table as render_graph_above_table,
};
pub use layout::{Anchor, Font, Item, Layout, Text};
pub use names::UnknownName;

use crate::dialog::Dialog;

/// Which picture of the dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Ladder,
    Timeline,
    Table,
    /// Stream graphs of one direction of one connection, drawn from a [`crate::dialog::graph::Graph`].
    Tcptrace,
    Stevens,
    Throughput,
    Rtt,
    Window,
}

/// How much each arrow says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Labels {
    /// Flags and the application message.
    Flags,
    /// Flags, Seq/Ack/Len and the message.
    #[default]
    Seq,
    /// Everything: also window, options and analysis flags.
    Full,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
    /// Light, switching to dark under `prefers-color-scheme: dark` (for the site).
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Svg,
    Png,
    Text,
    Mermaid,
    /// An HTML fragment (the packet table).
    Html,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Text => "text",
            Format::Mermaid => "mermaid",
            Format::Html => "html",
        }
    }
}

impl View {
    pub fn name(self) -> &'static str {
        match self {
            View::Ladder => "ladder",
            View::Timeline => "timeline",
            View::Table => "table",
            View::Tcptrace => "tcptrace",
            View::Stevens => "stevens",
            View::Throughput => "throughput",
            View::Rtt => "rtt",
            View::Window => "window",
        }
    }

    /// A stream graph, drawn with [`render_graph`] from a graph model instead of a dialog.
    pub fn is_graph(self) -> bool {
        matches!(self, View::Tcptrace | View::Stevens | View::Throughput | View::Rtt | View::Window)
    }
}

/// Unit of the time column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeUnit {
    /// Wireshark's `0.000000` seconds.
    #[default]
    Seconds,
    /// Milliseconds, `0.708`.
    Millis,
}

/// Vertical placement of arrows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Spacing {
    /// Evenly spaced rows, with idle gaps marked (the readable default).
    #[default]
    Even,
    /// Proportional to time: the slope shows latency.
    Time,
}

/// How wide a ladder, a timeline or a graph is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Width {
    /// A blog column: 860 px for a ladder or a timeline, 700 px for a graph.
    #[default]
    Wide,
    /// 360 px, for a phone: lifelines closer, smaller text, labels cut shorter (the arrow's tooltip keeps them
    /// whole); a timeline's axis shorter, with fewer ticks; a graph's plot lower, with fewer ticks. Its element ids take the prefix `{id_prefix}c`, so it
    /// can share a page with the wide drawing, while its arrows and marks link to the same packet table
    /// (`{id_prefix}-f{frame}`).
    Compact,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiagramOptions {
    pub view: View,
    pub labels: Labels,
    pub theme: Theme,
    pub spacing: Spacing,
    /// PNG pixel ratio (2.0 for retina).
    pub scale: f32,
    /// Element id prefix, so several diagrams can share one HTML page. Give a dialog's ladder and its packet
    /// table the same prefix: table rows and arrows link to each other by it.
    pub id_prefix: String,
    pub time_unit: TimeUnit,
    /// Ladder arrows link to their rows of the packet table (`{prefix}-f{frame}`): set it only where that
    /// table is on the same page, or the links lead nowhere.
    pub link_to_table: bool,
    /// Packet table rows link back to their arrows in the ladder published with them, wide and compact: on for
    /// the packet list under a ladder; off for a table alone, which has no arrows, and for the list under a
    /// graph, whose marks are not one per row.
    pub table_links_back: bool,
    /// The width of a ladder, a timeline or a graph (the table has one width).
    pub width: Width,
}

impl Default for DiagramOptions {
    fn default() -> Self {
        DiagramOptions {
            view: View::Ladder,
            labels: Labels::Seq,
            theme: Theme::Light,
            spacing: Spacing::Even,
            scale: 1.0,
            id_prefix: "d".into(),
            time_unit: TimeUnit::Seconds,
            link_to_table: false,
            table_links_back: false,
            width: Width::Wide,
        }
    }
}

impl DiagramOptions {
    /// The prefix of the SVG's own element ids and style scope: see [`Width::Compact`].
    pub fn element_prefix(&self) -> String {
        match (self.view, self.width) {
            (view, Width::Compact) if view != View::Table => compact_prefix(&self.id_prefix),
            _ => self.id_prefix.clone(),
        }
    }
}

/// The element prefix of the compact drawing of the diagram whose id prefix is `id_prefix`.
pub fn compact_prefix(id_prefix: &str) -> String {
    format!("{id_prefix}c")
}

#[derive(Debug, thiserror::Error)]
pub enum DiagramError {
    #[error("cannot render PNG: the generated SVG does not parse: {0}")]
    PngParse(#[from] resvg::usvg::Error),
    #[error("cannot render PNG: a {width}×{height} px image is too large")]
    PngSize { width: u32, height: u32 },
    #[error("cannot render PNG: encoding failed: {0}")]
    PngEncode(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the {view} view cannot be written as {format}")]
    Unsupported { view: &'static str, format: &'static str },
    #[error("the {view} view is a graph, drawn as svg or png only (not {format}); text and mermaid draw the ladder")]
    GraphFormat { view: &'static str, format: &'static str },
}

/// Renders a dialog in the requested format.
///
/// | view     | svg | png | text | mermaid | html |
/// |----------|-----|-----|------|---------|------|
/// | ladder   | ✓   | ✓   | ✓    | ✓       |      |
/// | timeline | ✓   | ✓   | ✓    |         |      |
/// | table    |     |     | ✓    |         | ✓    |
///
/// The stream graphs (tcptrace, stevens, throughput, rtt, window) are drawn by [`render_graph`] from a graph
/// model, in SVG and PNG.
pub fn render(dialog: &Dialog, options: &DiagramOptions, format: Format) -> Result<Vec<u8>, DiagramError> {
    let unsupported = || DiagramError::Unsupported { view: options.view.name(), format: format.name() };
    let picture = || match options.view {
        View::Ladder => Ok(ladder::layout(dialog, options)),
        View::Timeline => Ok(timeline::layout(dialog, options)),
        View::Table => Err(unsupported()),
        _ => Err(unsupported()),
    };
    match (format, options.view) {
        (Format::Svg, _) => {
            Ok(svg::write(&picture()?, options.theme, &options.element_prefix(), &options.id_prefix).into_bytes())
        }
        (Format::Png, _) => png::render(&picture()?, options),
        (Format::Text, View::Ladder) => Ok(text::ladder(dialog, options).into_bytes()),
        (Format::Text, View::Timeline) => Ok(timeline::text(dialog).into_bytes()),
        (Format::Text, View::Table) => Ok(table::text(dialog, options).into_bytes()),
        (Format::Mermaid, View::Ladder) => Ok(mermaid::sequence(dialog, options).into_bytes()),
        (Format::Html, View::Table) => Ok(table::html(dialog, options).into_bytes()),
        (Format::Text, _) | (Format::Mermaid | Format::Html, _) => Err(unsupported()),
    }
}

/// The social card of a ladder or timeline ([`png::CARD_SIZE`]): its opening, for OpenGraph and the like.
pub fn render_card(dialog: &Dialog, options: &DiagramOptions) -> Result<Vec<u8>, DiagramError> {
    match options.view {
        View::Ladder => png::card(&ladder::layout(dialog, options), options),
        View::Timeline => png::card(&timeline::layout(dialog, options), options),
        _ => Err(DiagramError::Unsupported { view: options.view.name(), format: "card" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze_reader;
    use crate::dialog::{DialogOptions, Selection, build};
    use std::path::Path;

    /// Found by the pipeline fuzz target: a PostgreSQL message with type byte 0 and length 0, whose
    /// "Malformed" note quoted the raw NUL into the text ladder.
    #[test]
    fn text_formats_show_no_control_character_from_the_payload() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/artifacts/pipeline/crash-text-control-character");
        let bytes = std::fs::read(&path).unwrap();
        let analysis =
            analyze_reader(&path, std::io::Cursor::new(bytes), &Default::default(), Default::default()).unwrap();
        assert!(analysis.messages.iter().any(|m| m.summary.contains('\0')), "the input no longer has a NUL");
        let dialog = build(&analysis, &Selection::default(), &DialogOptions::default()).unwrap();
        for view in [View::Ladder, View::Timeline, View::Table] {
            let options = DiagramOptions { view, labels: Labels::Full, ..Default::default() };
            let text = String::from_utf8(render(&dialog, &options, Format::Text).unwrap()).unwrap();
            assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{view:?}:\n{text}");
            if view == View::Ladder {
                assert!(text.contains("message '\u{FFFD}' with length 0"), "{text}");
            }
        }
    }
}

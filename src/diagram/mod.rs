//! Diagram stage: lays out a [`Dialog`] and renders it.
//!
//! Owns: views (ladder, connection timeline, packet table), layout (every coordinate computed into a plain
//! value before anything is printed), and the output formats (SVG, PNG through resvg with a bundled font,
//! plain text, Mermaid). Renderers only read the dialog model; they never look at captures.

mod names;

pub use names::UnknownName;

use crate::dialog::Dialog;

/// Which picture of the dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Ladder,
    Timeline,
    Table,
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
    /// The packet table as an HTML `<table>`.
    Html,
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

#[derive(Debug, Clone, PartialEq)]
pub struct DiagramOptions {
    pub view: View,
    pub labels: Labels,
    pub theme: Theme,
    pub spacing: Spacing,
    /// PNG pixel ratio (2.0 for retina).
    pub scale: f32,
    /// Element id prefix, so several diagrams can share one HTML page.
    pub id_prefix: String,
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
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DiagramError {
    #[error("cannot render PNG: {0}")]
    Png(String),
    #[error("the {view} view cannot be written as {format}")]
    Unsupported { view: &'static str, format: &'static str },
}

/// Renders a dialog in the requested format.
pub fn render(dialog: &Dialog, options: &DiagramOptions, format: Format) -> Result<Vec<u8>, DiagramError> {
    // Temporary diagram stand-in so the site works end to end; the diagram branch replaces it.
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    match format {
        Format::Svg => {}
        Format::Png => {
            let svg = render(dialog, options, Format::Svg)?;
            let tree = resvg::usvg::Tree::from_data(&svg, &resvg::usvg::Options::default())
                .map_err(|e| DiagramError::Png(e.to_string()))?;
            let size = tree.size().to_int_size();
            let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
                .ok_or_else(|| DiagramError::Png("empty picture".into()))?;
            resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
            return pixmap.encode_png().map_err(|e| DiagramError::Png(e.to_string()));
        }
        Format::Html => {
            let mut html = format!("<table class=\"tcpdialog-packets\"><caption>{}</caption>\n", escape(&dialog.title));
            for event in &dialog.events {
                html.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td></tr>\n",
                    event.frame,
                    escape(&event.flags.bracketed())
                ));
            }
            html.push_str("</table>\n");
            return Ok(html.into_bytes());
        }
        Format::Text | Format::Mermaid => {
            return Err(DiagramError::Unsupported { view: "ladder", format: "text" });
        }
    }
    let height = 40 + 20 * dialog.events.len();
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{}\" viewBox=\"0 0 640 {height}\" width=\"640\" height=\"{height}\">\n<title>{}</title>\n",
        escape(&options.id_prefix),
        escape(&dialog.title)
    );
    for (i, event) in dialog.events.iter().enumerate() {
        let mut label = format!("{} {}", event.frame, event.flags.bracketed());
        for message in &event.messages {
            label.push(' ');
            label.push_str(message);
        }
        svg.push_str(&format!("<text x=\"10\" y=\"{}\" font-size=\"12\">{}</text>\n", 30 + 20 * i, escape(&label)));
    }
    svg.push_str("</svg>\n");
    Ok(svg.into_bytes())
}

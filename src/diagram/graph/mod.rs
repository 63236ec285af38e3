//! Stream graphs: the views of one direction of one TCP stream (tcptrace's and Stevens' time-sequence
//! graphs, throughput, RTT, window and bytes in flight), laid out from a [`Graph`] into the same plain
//! [`Layout`] the ladder uses, so the SVG and PNG renderers and the themes serve them unchanged.
//!
//! `axes.rs` draws the frame (ticks, units, title, legend), `marks.rs` the marks and their links; one file per
//! view. Past [`DETAILED`] elements of a kind (1000 marks, each with its tooltip), a view draws one element per
//! pixel column (`bins.rs`), so the SVG of a huge transfer stays a few hundred kB.

mod axes;
mod bins;
mod marks;
mod rtt;
mod stevens;
mod tcptrace;
mod throughput;
mod window;

use super::layout::Layout;
use super::{DiagramError, DiagramOptions, Format, View, png, svg};
use crate::dialog::Dialog;
use crate::dialog::graph::{DETAILED, Graph};
use marks::Links;
use std::collections::BTreeSet;

/// Lays out `graph` in a graph view (`None` for the views that draw dialogs).
pub fn layout(graph: &Graph, options: &DiagramOptions) -> Option<Layout> {
    layout_linked(graph, options, None)
}

/// What a view is drawn for: the measures of its width, and the frames its marks link to.
struct Canvas<'a> {
    metrics: &'static axes::Metrics,
    links: Links<'a>,
}

/// [`layout`], with links only to the frames whose rows the packet table under the graph shows.
fn layout_linked(graph: &Graph, options: &DiagramOptions, rows: Option<&BTreeSet<u64>>) -> Option<Layout> {
    let canvas =
        &Canvas { metrics: axes::Metrics::of(options.width), links: Links { on: options.link_to_table, rows } };
    Some(match options.view {
        View::Tcptrace => tcptrace::layout(graph, canvas),
        View::Stevens => stevens::layout(graph, canvas),
        View::Throughput => throughput::layout(graph, canvas),
        View::Rtt => rtt::layout(graph, canvas),
        View::Window => window::layout(graph, canvas),
        View::Ladder | View::Timeline | View::Table => return None,
    })
}

/// Renders a graph view as SVG or PNG; the text formats are refused with the formats a graph supports.
pub fn render(graph: &Graph, options: &DiagramOptions, format: Format) -> Result<Vec<u8>, DiagramError> {
    render_rows(graph, options, format, None)
}

/// [`render`] for a graph published above the packet table of `table` (same id prefix): its marks link to the
/// rows that table shows, and only to those.
pub fn render_above_table(
    graph: &Graph,
    table: &Dialog,
    options: &DiagramOptions,
    format: Format,
) -> Result<Vec<u8>, DiagramError> {
    let shown = super::arrows::shown(table);
    let rows: BTreeSet<u64> = shown.events.iter().filter_map(|&i| table.events.get(i)).map(|e| e.frame).collect();
    render_rows(graph, options, format, Some(&rows))
}

fn render_rows(
    graph: &Graph,
    options: &DiagramOptions,
    format: Format,
    rows: Option<&BTreeSet<u64>>,
) -> Result<Vec<u8>, DiagramError> {
    let picture = layout_linked(graph, options, rows)
        .ok_or(DiagramError::Unsupported { view: options.view.name(), format: format.name() })?;
    match format {
        Format::Svg => {
            Ok(svg::write(&picture, options.theme, &options.element_prefix(), &options.id_prefix).into_bytes())
        }
        Format::Png => png::render(&picture, options),
        Format::Text | Format::Mermaid | Format::Html => {
            Err(DiagramError::GraphFormat { view: options.view.name(), format: format.name() })
        }
    }
}

/// The social card of a graph view ([`png::CARD_SIZE`]).
pub fn card(graph: &Graph, options: &DiagramOptions) -> Result<Vec<u8>, DiagramError> {
    let picture =
        layout(graph, options).ok_or(DiagramError::Unsupported { view: options.view.name(), format: "card" })?;
    png::card(&picture, options)
}

/// A view's frame: its titles and y axis over the time axis every view shares, from the stream's first segment
/// to its last (a millisecond at least, so a single segment still has an axis).
fn frame<'a>(
    graph: &Graph,
    metrics: &'static axes::Metrics,
    title: &'a str,
    subtitle: &'a str,
    y: (axes::Quantity, f64, f64),
    y_title: &'a str,
) -> axes::Frame<'a> {
    let x = (axes::Quantity::Time, graph.start, graph.end.max(graph.start + 0.001));
    axes::Frame { title, subtitle, x, y, y_title, metrics }
}

/// Whether a kind of element is drawn one by one.
fn detailed(count: usize) -> bool {
    count <= DETAILED
}

/// Past this many marks (or RTT points) of a view, each with its tooltip and link, they are drawn one per
/// column: a tooltip costs a few hundred bytes, so a few thousand of them would make the SVG heavy.
const LINKED: usize = 1000;

/// Whether marks (or RTT points) are drawn one by one, each with its tooltip.
fn linked_one_by_one(count: usize) -> bool {
    count <= LINKED
}

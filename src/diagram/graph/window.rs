//! The receiver's advertised window and the sender's bytes in flight over time: Wireshark's
//! `tcp.analysis.bytes_in_flight`, and the bytes sent and neither acknowledged nor SACKed by any ACK so far
//! (the sender's view, which Wireshark issue 6683 asks for). Periods of zero window are shaded.

use super::super::format::coord;
use super::super::layout::{Item, Layout};
use super::Canvas;
use super::axes::{self, Plot, Quantity, Swatch};
use super::bins::{Columns, ranges};
use super::marks;
use super::tcptrace::{mark_items, step_line};
use crate::dialog::format_duration;
use crate::dialog::graph::{Graph, Mark, MarkKind};
use std::collections::BTreeMap;

const MARKS: [MarkKind; 2] = [MarkKind::ZeroWindow, MarkKind::WindowFull];

pub fn layout(graph: &Graph, canvas: &Canvas) -> Layout {
    let link = &canvas.links;
    let windows: Vec<(f64, f64)> = graph.acks.iter().map(|a| (a.time, f64::from(a.window))).collect();
    let flight: Vec<(f64, f64)> =
        graph.flight.iter().filter_map(|p| p.wireshark.map(|b| (p.time, f64::from(b)))).collect();
    let sack: Vec<(f64, f64)> =
        graph.flight.iter().filter_map(|p| p.sack_aware.map(|b| (p.time, f64::from(b)))).collect();
    let top = windows.iter().chain(&flight).chain(&sack).map(|p| p.1).fold(1.0, f64::max);
    let subtitle = graph.subject();
    let frame = super::frame(
        graph,
        canvas.metrics,
        "Receive window and bytes in flight",
        &subtitle,
        (Quantity::Bytes, 0.0, top),
        "window, bytes in flight",
    );
    let plot = Plot::new(&frame);
    let mut items = plot.chrome(&frame);
    // Shading goes under the grid's lines and the data: right after the grid path.
    let shades: Vec<Item> = graph
        .zero_windows
        .iter()
        .map(|p| {
            let (x1, x2) = (plot.x.scale.at(p.start), plot.x.scale.at(p.end));
            let rect = Item::rect(x1, plot.top, (x2 - x1).max(1.0), plot.bottom - plot.top, "g-shade");
            let words = format!("receive window closed for {}", format_duration(p.end - p.start));
            marks::linked(graph, p.frame, &words, link, vec![rect])
        })
        .collect();
    items.splice(1..1, shades);
    items.push(Item::Path { d: step_line(&plot, &windows, graph.end), class: "g-win" });
    // A zero window sits on the axis; a full window where the bytes in flight reached it.
    let in_flight: BTreeMap<u64, u32> = graph.flight.iter().filter_map(|p| Some((p.frame, p.wireshark?))).collect();
    let at = |m: &Mark| match m.kind {
        MarkKind::WindowFull => f64::from(in_flight.get(&m.frame).copied().unwrap_or(0)),
        _ => 0.0,
    };
    items.extend(mark_items(graph, &plot, link, &MARKS, &at));
    // The dots go over the marks, so a full window's figure stays readable under its bar; the SACK-aware ones
    // are smaller and on top, so where both figures agree each shows.
    items.push(Item::Path { d: dots(&plot, &flight, 2.5), class: "g-bif" });
    items.push(Item::Path { d: dots(&plot, &sack, 1.2), class: "g-sackbif" });
    let mut entries = vec![
        (Swatch::Line("g-win"), "receive window".to_string()),
        (Swatch::Area("g-bif"), "bytes in flight (Wireshark)".to_string()),
        (Swatch::Area("g-sackbif"), "sent, not ACKed or SACKed".to_string()),
    ];
    if !graph.zero_windows.is_empty() {
        entries.push((Swatch::Area("g-shade"), "window closed".to_string()));
    }
    entries.extend(marks::legend(graph, &MARKS));
    let (legend, height) = axes::legend(&plot, &entries);
    items.extend(legend);
    let peak = flight.iter().map(|p| p.1).fold(0.0, f64::max);
    let peak_sack = sack.iter().map(|p| p.1).fold(0.0, f64::max);
    Layout {
        width: plot.metrics.width,
        height,
        title: format!("{}: {subtitle}", frame.title),
        description: format!(
            "Receive window and bytes in flight of {subtitle}: bytes in flight peak at {} as Wireshark counts them; at most {} were sent and neither acknowledged nor SACKed. {}",
            crate::diagram::format::bytes(peak as u64),
            crate::diagram::format::bytes(peak_sack as u64),
            graph.description()
        ),
        items,
    }
}

/// A square of `r` px around each point (one per data segment: the figure is known only when one is sent),
/// or for a huge transfer one bar per column from its lowest to its highest value.
fn dots(plot: &Plot, points: &[(f64, f64)], r: f64) -> String {
    let mut d = String::new();
    if super::detailed(points.len()) {
        for &(t, v) in points {
            let (x, y) = plot.px(t, v);
            d.push_str(&format!(
                "M{} {}h{}v{}h-{}Z",
                coord(x - r),
                coord(y - r),
                coord(2.0 * r),
                coord(2.0 * r),
                coord(2.0 * r)
            ));
        }
        return d;
    }
    let columns = Columns { left: plot.left, width: 1.0 };
    for (column, lo, hi) in ranges(&columns, points.iter().map(|&(t, v)| (plot.x.scale.at(t), v, v))) {
        let x = columns.centre(column);
        let (y1, y2) = (plot.y.scale.at(lo) + r, plot.y.scale.at(hi) - r);
        d.push_str(&format!("M{} {}h{}V{}h-{}Z", coord(x - 0.5), coord(y1), coord(1.0), coord(y2), coord(1.0)));
    }
    d
}

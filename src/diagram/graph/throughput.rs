//! Throughput (every byte the sender sent, resends included) and goodput (new bytes the receiver
//! acknowledged) over time, each a moving average over the window the subtitle states.

use super::super::layout::{Item, Layout};
use super::Canvas;
use super::axes::{self, Plot, Quantity, Swatch, polyline};
use super::marks;
use super::tcptrace::mark_items;
use crate::dialog::format_duration;
use crate::dialog::graph::{Graph, MarkKind};

const RESENDS: [MarkKind; 3] =
    [MarkKind::Retransmission, MarkKind::FastRetransmission, MarkKind::SpuriousRetransmission];

pub fn layout(graph: &Graph, canvas: &Canvas) -> Layout {
    let link = &canvas.links;
    let points = &graph.throughput.points;
    let top = points.iter().map(|p| p.1.max(p.2)).fold(1.0, f64::max);
    let window = format_duration(graph.throughput.window);
    let subtitle = format!("{} · moving average over {window}", graph.subject());
    let frame = super::frame(
        graph,
        canvas.metrics,
        "Throughput and goodput",
        &subtitle,
        (Quantity::BitsPerSecond, 0.0, top),
        "rate",
    );
    let plot = Plot::new(&frame);
    let mut items = plot.chrome(&frame);
    let line = |pick: fn(&(f64, f64, f64)) -> f64| polyline(points.iter().map(|p| plot.px(p.0, pick(p))));
    items.push(Item::Path { d: line(|p| p.1), class: "g-thr" });
    items.push(Item::Path { d: line(|p| p.2), class: "g-good" });
    // Resends sit on the time axis, so a dip can be read against them.
    items.extend(mark_items(graph, &plot, link, &RESENDS, &|_| 0.0));
    let mut entries = vec![
        (Swatch::Line("g-thr"), "throughput (all data sent)".to_string()),
        (Swatch::Line("g-good"), "goodput (new data acknowledged)".to_string()),
    ];
    entries.extend(marks::legend(graph, &RESENDS));
    let (legend, height) = axes::legend(&plot, &entries);
    items.extend(legend);
    let peak = points.iter().map(|p| p.1).fold(0.0, f64::max);
    let peak_good = points.iter().map(|p| p.2).fold(0.0, f64::max);
    Layout {
        width: plot.metrics.width,
        height,
        title: format!("{}: {}", frame.title, graph.subject()),
        description: format!(
            "Throughput and goodput of {}, averaged over {window}: throughput peaks at {}, goodput at {}. {}",
            graph.subject(),
            rate(peak),
            rate(peak_good),
            graph.description()
        ),
        items,
    }
}

/// `9.1 Mbit/s`
pub fn rate(bits: f64) -> String {
    match bits {
        b if b >= 1e9 => format!("{:.1} Gbit/s", b / 1e9),
        b if b >= 1e6 => format!("{:.1} Mbit/s", b / 1e6),
        b if b >= 1e3 => format!("{:.1} kbit/s", b / 1e3),
        b => format!("{b:.0} bit/s"),
    }
}

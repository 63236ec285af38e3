//! The Stevens time-sequence graph: one dot per data segment at its time and first sequence number, as in
//! Stevens' TCP/IP Illustrated and Wireshark's "Stevens" graph, with the resends marked.

use super::super::format::coord;
use super::super::layout::{Item, Layout};
use super::Canvas;
use super::axes::{self, Plot, Quantity, Swatch, path_v};
use super::bins::{Columns, ranges};
use super::marks;
use super::tcptrace::mark_items;
use crate::dialog::graph::{Graph, MarkKind};

const RESENDS: [MarkKind; 3] =
    [MarkKind::Retransmission, MarkKind::FastRetransmission, MarkKind::SpuriousRetransmission];

pub fn layout(graph: &Graph, canvas: &Canvas) -> Layout {
    let link = &canvas.links;
    let top = graph.data.iter().map(|d| f64::from(d.end)).fold(1.0, f64::max);
    let bottom = graph.data.iter().map(|d| f64::from(d.seq)).fold(top, f64::min);
    let subtitle = graph.subject();
    let frame = super::frame(
        graph,
        canvas.metrics,
        "Time-sequence graph (Stevens)",
        &subtitle,
        (Quantity::Bytes, bottom, top),
        "relative sequence number",
    );
    let plot = Plot::new(&frame);
    let mut items = plot.chrome(&frame);
    let dots = graph.data.iter().filter(|d| d.len > 0);
    let mut d = String::new();
    let dot = |t: f64, seq: u32| {
        let (x, y) = plot.px(t, f64::from(seq));
        format!("M{} {}h3v3h-3Z", coord(x - 1.5), coord(y - 1.5))
    };
    if super::linked_one_by_one(graph.data.len() * 2) {
        // A short transfer's dots each name their frame, so a reader can go from a dot to its packet.
        for seg in dots {
            let what = format!("{} bytes from {}", seg.len, seg.seq);
            let item = Item::Path { d: dot(seg.time, seg.seq), class: "g-dot" };
            items.push(marks::linked(graph, seg.frame, &what, link, vec![item]));
        }
    } else if super::detailed(graph.data.len()) {
        for seg in dots {
            d.push_str(&dot(seg.time, seg.seq));
        }
        items.push(Item::Path { d, class: "g-dot" });
    } else {
        let columns = Columns { left: plot.left, width: 1.0 };
        let bars = ranges(&columns, dots.map(|s| (plot.x.scale.at(s.time), f64::from(s.seq), f64::from(s.seq))));
        for (column, lo, hi) in bars {
            path_v(&mut d, columns.centre(column), plot.y.scale.at(lo) + 1.0, plot.y.scale.at(hi) - 1.0);
        }
        items.push(Item::Path { d, class: "g-data" });
    }
    items.extend(mark_items(graph, &plot, link, &RESENDS, &|m| f64::from(m.seq)));
    let mut entries = vec![(Swatch::Area("g-dot"), "data segment (first byte)".to_string())];
    entries.extend(marks::legend(graph, &RESENDS));
    let (legend, height) = axes::legend(&plot, &entries);
    items.extend(legend);
    Layout {
        width: plot.metrics.width,
        height,
        title: format!("{}: {subtitle}", frame.title),
        description: format!("Time-sequence graph (one dot per segment) of {subtitle}. {}", graph.description()),
        items,
    }
}

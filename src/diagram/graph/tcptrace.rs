//! tcptrace's time-sequence graph: each data segment an I-beam from its first to its last sequence number,
//! the receiver's ACK line (a step) and window line (ACK + window), its SACK blocks, and the marks.

use super::super::format::coord;
use super::super::layout::{Item, Layout};
use super::Canvas;
use super::axes::{self, Plot, Quantity, Swatch, path_v, polyline};
use super::bins::{Columns, ranges};
use super::marks::{self, Links};
use crate::dialog::graph::{DataSegment, Graph, Mark, MarkKind};
use std::collections::BTreeSet;

/// Half the width of an I-beam's caps.
const CAP: f64 = 2.5;

pub fn layout(graph: &Graph, canvas: &Canvas) -> Layout {
    let link = &canvas.links;
    let data_top = graph
        .data
        .iter()
        .map(|d| f64::from(d.end))
        .chain(graph.acks.iter().map(|a| f64::from(a.ack)))
        .fold(1.0, f64::max);
    // A graph of some frames starts where they do, as tcptrace's zoom does.
    let bottom = graph
        .data
        .iter()
        .map(|d| f64::from(d.seq))
        .chain(graph.acks.iter().map(|a| f64::from(a.ack)))
        .fold(data_top, f64::min);
    // The window line is kept in view unless it would squeeze the data into a strip: then it is drawn where
    // it fits, and the legend says how high it goes.
    let window_top = graph.acks.iter().map(|a| f64::from(a.ack) + f64::from(a.window)).fold(0.0, f64::max);
    let room = (data_top - bottom).max(1.0);
    let clipped = window_top > data_top + room;
    let top = if clipped { data_top + room * 0.1 } else { data_top.max(window_top) };
    let subtitle = graph.subject();
    let frame = super::frame(
        graph,
        canvas.metrics,
        "Time-sequence graph (tcptrace)",
        &subtitle,
        (Quantity::Bytes, bottom, top),
        "relative sequence number",
    );
    let plot = Plot::new(&frame);
    let mut items = plot.chrome(&frame);
    items.extend(sack_blocks(graph, &plot));
    items.extend(segments(graph, &plot, link));
    let acks: Vec<(f64, f64)> = graph.acks.iter().map(|a| (a.time, f64::from(a.ack))).collect();
    let windows: Vec<(f64, f64)> =
        graph.acks.iter().map(|a| (a.time, f64::from(a.ack) + f64::from(a.window))).collect();
    let in_view: Vec<(f64, f64)> =
        windows.iter().map(|&(t, v)| (t, if v > plot.y.scale.hi { f64::NAN } else { v })).collect();
    items.push(Item::Path { d: step_line(&plot, &in_view, graph.end), class: "g-win" });
    items.push(Item::Path { d: step_line(&plot, &acks, graph.end), class: "g-ack" });
    items.extend(mark_items(graph, &plot, link, &MarkKind::ALL, &|m| f64::from(m.seq)));
    let mut entries = vec![
        (Swatch::Line("g-data"), "data segment".to_string()),
        (Swatch::Line("g-ack"), "ACK".to_string()),
        (Swatch::Line("g-win"), window_words(clipped, window_top)),
    ];
    if graph.acks.iter().any(|a| !a.sack.is_empty()) {
        entries.push((Swatch::Line("g-sack"), "SACK block".to_string()));
    }
    entries.extend(marks::legend(graph, &MarkKind::ALL));
    let (legend, height) = axes::legend(&plot, &entries);
    items.extend(legend);
    Layout {
        width: plot.metrics.width,
        height,
        title: format!("{}: {subtitle}", frame.title),
        description: format!("Time-sequence graph of {}. {}", subtitle, graph.description()),
        items,
    }
}

fn window_words(clipped: bool, top: f64) -> String {
    if clipped {
        format!("receive window (above the plot, up to {})", crate::diagram::format::bytes(top as u64))
    } else {
        "receive window".to_string()
    }
}

/// The I-beams: one path for all segments (resent ones in their own colour), or one bar per pixel column.
fn segments(graph: &Graph, plot: &Plot, link: &Links) -> Vec<Item> {
    let resent: BTreeSet<u64> = graph
        .marks
        .iter()
        .filter(|m| {
            matches!(m.kind, MarkKind::Retransmission | MarkKind::FastRetransmission | MarkKind::SpuriousRetransmission)
        })
        .map(|m| m.frame)
        .collect();
    let beams = graph.data.iter().filter(|d| d.len > 0);
    if !super::detailed(graph.data.len()) {
        let columns = Columns { left: plot.left, width: 1.0 };
        let bars = ranges(&columns, beams.map(|d| (plot.x.scale.at(d.time), f64::from(d.seq), f64::from(d.end))));
        let mut d = String::new();
        for (column, lo, hi) in bars {
            path_v(&mut d, columns.centre(column), plot.y.scale.at(lo), plot.y.scale.at(hi));
        }
        return vec![Item::Path { d, class: "g-data" }];
    }
    let beam = |seg: &DataSegment| {
        let (x, y1) = plot.px(seg.time, f64::from(seg.seq));
        let y2 = plot.y.scale.at(f64::from(seg.end));
        format!(
            "M{a} {y1}V{y2}M{l} {y1}H{r}M{l} {y2}H{r}",
            a = coord(x),
            l = coord(x - CAP),
            r = coord(x + CAP),
            y1 = coord(y1),
            y2 = coord(y2)
        )
    };
    let class = |seg: &DataSegment| if resent.contains(&seg.frame) { "g-resent" } else { "g-data" };
    // A short transfer's segments each name their frame too, so a reader can go from any I-beam to its packet.
    if super::linked_one_by_one(graph.data.len() * 2) {
        return beams
            .map(|seg| {
                let what = format!("{} bytes from {}", seg.len, seg.seq);
                marks::linked(graph, seg.frame, &what, link, vec![Item::Path { d: beam(seg), class: class(seg) }])
            })
            .collect();
    }
    let (mut plain, mut again) = (String::new(), String::new());
    for seg in beams {
        let d = if class(seg) == "g-resent" { &mut again } else { &mut plain };
        d.push_str(&beam(seg));
    }
    vec![Item::Path { d: plain, class: "g-data" }, Item::Path { d: again, class: "g-resent" }]
}

/// Each SACK block a vertical line at its ACK's time (one per column for a huge transfer).
fn sack_blocks(graph: &Graph, plot: &Plot) -> Vec<Item> {
    let blocks = graph.acks.iter().flat_map(|a| a.sack.iter().map(move |&(l, r)| (a.time, l, r)));
    let mut d = String::new();
    if super::detailed(graph.acks.len()) {
        for (time, l, r) in blocks {
            let (x, y1) = plot.px(time, f64::from(l));
            path_v(&mut d, x + 1.5, y1, plot.y.scale.at(f64::from(r)));
        }
    } else {
        let columns = Columns { left: plot.left, width: 1.0 };
        let items = blocks.map(|(t, l, r)| (plot.x.scale.at(t), f64::from(l), f64::from(r)));
        for (column, lo, hi) in ranges(&columns, items) {
            path_v(&mut d, columns.centre(column), plot.y.scale.at(lo), plot.y.scale.at(hi));
        }
    }
    if d.is_empty() { Vec::new() } else { vec![Item::Path { d, class: "g-sack" }] }
}

/// A step line through (time, value) points, held until `end`; a huge series keeps each column's last value.
pub fn step_line(plot: &Plot, points: &[(f64, f64)], end: f64) -> String {
    let kept: Vec<(f64, f64)> = if super::detailed(points.len()) {
        points.to_vec()
    } else {
        let columns = Columns { left: plot.left, width: 1.0 };
        let mut out: Vec<(f64, f64)> = Vec::new();
        for &(t, v) in points {
            let x = plot.x.scale.at(t);
            match out.last_mut() {
                Some(last) if columns.of(plot.x.scale.at(last.0)) == columns.of(x) => last.1 = v,
                _ => out.push((t, v)),
            }
        }
        out
    };
    // A NaN value (out of view) ends the line until the next value in view.
    let mut d = String::new();
    let mut line: Vec<(f64, f64)> = Vec::with_capacity(kept.len() * 2 + 1);
    for (i, &(t, v)) in kept.iter().enumerate() {
        if v.is_nan() {
            d.push_str(&polyline(line.drain(..)));
            continue;
        }
        if i > 0 && !kept[i - 1].1.is_nan() {
            line.push(plot.px(t, kept[i - 1].1));
        }
        line.push(plot.px(t, v));
    }
    if let Some(&(_, v)) = kept.last().filter(|(_, v)| !v.is_nan()) {
        line.push(plot.px(end, v));
    }
    d.push_str(&polyline(line));
    d
}

/// The marks of `kinds` at the height `at` gives them (a sequence number, a byte count...), each linked to its
/// frame; past a thousand marks, one per kind and column of 4 px, naming the frames it stands for.
pub fn mark_items(
    graph: &Graph,
    plot: &Plot,
    link: &Links,
    kinds: &[MarkKind],
    at: &dyn Fn(&Mark) -> f64,
) -> Vec<Item> {
    let shown: Vec<_> = graph.marks.iter().filter(|m| kinds.contains(&m.kind)).collect();
    let mut items = Vec::new();
    if super::linked_one_by_one(shown.len()) {
        for mark in shown {
            let (x, y) = plot.px(mark.time, at(mark));
            let shape = marks::shape(mark.kind, x, y);
            items.push(marks::linked(graph, mark.frame, mark.kind.name(), link, vec![shape]));
        }
        return items;
    }
    let columns = Columns { left: plot.left, width: 4.0 };
    for kind in kinds {
        let mut run: Option<(i64, u64, u64, usize, f64)> = None;
        let flush = |run: Option<(i64, u64, u64, usize, f64)>, items: &mut Vec<Item>| {
            if let Some((column, first, last, count, seq)) = run {
                let shape = marks::shape(*kind, columns.centre(column), plot.y.scale.at(seq));
                let what = format!("{count} × {} (frames {first}–{last})", kind.name());
                items.push(marks::linked(graph, first, &what, link, vec![shape]));
            }
        };
        for mark in graph.marks_of(*kind) {
            let column = columns.of(plot.x.scale.at(mark.time));
            match run.as_mut() {
                Some(r) if r.0 == column => {
                    r.2 = mark.frame;
                    r.3 += 1;
                }
                _ => {
                    flush(run.take(), &mut items);
                    run = Some((column, mark.frame, mark.frame, 1, at(mark)));
                }
            }
        }
        flush(run, &mut items);
    }
    items
}

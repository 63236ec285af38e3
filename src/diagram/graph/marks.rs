//! How each kind of mark looks (a shape and a class, so colour comes from the theme) and the item that
//! carries its frame: a tooltip with Wireshark's Info line, and a link to the packet table's row.

use super::super::format::coord;
use super::super::layout::{Anchor, Font, Item, Text};
use super::axes::Swatch;
use crate::dialog::graph::{Graph, MarkKind};
use std::collections::BTreeSet;

/// Half the size of a mark, in px: big enough to hit with a finger on a phone once the picture is scaled.
const R: f64 = 4.5;

pub fn class(kind: MarkKind) -> &'static str {
    match kind {
        MarkKind::Retransmission => "m-retx",
        MarkKind::FastRetransmission => "m-fast",
        MarkKind::SpuriousRetransmission => "m-spur",
        MarkKind::OutOfOrder => "m-ooo",
        MarkKind::DuplicateAck => "m-dup",
        MarkKind::ZeroWindow => "m-zw",
        MarkKind::WindowFull => "m-full",
        MarkKind::Syn | MarkKind::Fin => "m-flag",
        MarkKind::Rst => "m-rst",
    }
}

/// The mark's shape centred at (x, y).
pub fn shape(kind: MarkKind, x: f64, y: f64) -> Item {
    let c = |v: f64| coord(v);
    let d = match kind {
        // Diamonds for resends (filled, or hollow for the spurious ones: the class says which).
        MarkKind::Retransmission | MarkKind::SpuriousRetransmission => {
            format!("M{} {}L{} {}L{} {}L{} {}Z", c(x), c(y - R), c(x + R), c(y), c(x), c(y + R), c(x - R), c(y))
        }
        MarkKind::FastRetransmission => {
            format!("M{} {}L{} {}L{} {}Z", c(x), c(y - R - 1.0), c(x + R + 0.5), c(y + R), c(x - R - 0.5), c(y + R))
        }
        MarkKind::OutOfOrder => format!(
            "M{} {}h{}v{}h-{}Z",
            c(x - R + 0.5),
            c(y - R + 0.5),
            c(2.0 * R - 1.0),
            c(2.0 * R - 1.0),
            c(2.0 * R - 1.0)
        ),
        // A tick across the ACK line, as tcptrace draws duplicate ACKs.
        MarkKind::DuplicateAck => format!("M{} {}V{}", c(x), c(y - R - 1.0), c(y + R + 1.0)),
        MarkKind::ZeroWindow => {
            format!("M{} {}L{} {}L{} {}Z", c(x - R - 0.5), c(y - R), c(x + R + 0.5), c(y - R), c(x), c(y + R + 1.0))
        }
        MarkKind::WindowFull => format!("M{} {}H{}", c(x - R - 1.0), c(y), c(x + R + 1.0)),
        MarkKind::Syn | MarkKind::Fin | MarkKind::Rst => {
            let letter = match kind {
                MarkKind::Syn => "S",
                MarkKind::Fin => "F",
                _ => "R",
            };
            let text = Text::new(x, y + 4.0, 11.0, class(kind), letter).anchor(Anchor::Middle).font(Font::MonoBold);
            return Item::Text(text);
        }
    };
    Item::Path { d, class: class(kind) }
}

/// Which frames a graph's marks link to in the packet table (`{prefix}-f{frame}`): none, all, or the rows a
/// table shows (a long list leaves out its middle, and a link there would lead nowhere).
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    pub on: bool,
    pub rows: Option<&'a BTreeSet<u64>>,
}

impl Links<'_> {
    pub fn href(&self, frame: u64) -> Option<String> {
        (self.on && self.rows.is_none_or(|rows| rows.contains(&frame))).then(|| format!("f{frame}"))
    }
}

/// The mark as a group that names its frame: `Frame 41: fast retransmission: [TCP Fast Retransmission] …`.
pub fn linked(graph: &Graph, frame: u64, what: &str, link: &Links, items: Vec<Item>) -> Item {
    let info = graph.info_of(frame).unwrap_or("");
    let tooltip =
        if info.is_empty() { format!("Frame {frame}: {what}") } else { format!("Frame {frame}: {what}: {info}") };
    Item::Group {
        id: None,
        href: link.href(frame),
        tooltip: Some(super::super::format::truncate(&tooltip, 2000)),
        class: None,
        items,
    }
}

/// Legend entries for the kinds of marks the graph has, in the legend's order.
pub fn legend(graph: &Graph, kinds: &[MarkKind]) -> Vec<(Swatch, String)> {
    let shapes: [fn(f64, f64) -> Item; 10] = [
        |x, y| shape(MarkKind::Retransmission, x, y),
        |x, y| shape(MarkKind::FastRetransmission, x, y),
        |x, y| shape(MarkKind::SpuriousRetransmission, x, y),
        |x, y| shape(MarkKind::OutOfOrder, x, y),
        |x, y| shape(MarkKind::DuplicateAck, x, y),
        |x, y| shape(MarkKind::ZeroWindow, x, y),
        |x, y| shape(MarkKind::WindowFull, x, y),
        |x, y| shape(MarkKind::Syn, x, y),
        |x, y| shape(MarkKind::Fin, x, y),
        |x, y| shape(MarkKind::Rst, x, y),
    ];
    MarkKind::ALL
        .iter()
        .zip(shapes)
        .filter(|(kind, _)| kinds.contains(kind) && graph.marks_of(**kind).next().is_some())
        .map(|(kind, shape)| {
            let count = graph.marks_of(*kind).count();
            (Swatch::Mark(shape), format!("{} ({count})", kind.name()))
        })
        .collect()
}

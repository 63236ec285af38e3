//! The sentence a graph's `<desc>` and alt text say: what was sent, what went wrong and when, how long the
//! window was shut. Every view starts with it; each adds what its own picture shows.

use super::{Graph, MarkKind};
use crate::dialog::{format_duration, thousands};
use std::fmt::Write as _;

pub fn sentence(graph: &Graph) -> String {
    let mut text = format!(
        "{} sent {} bytes to {} in {} segments over {}",
        graph.sender,
        thousands(graph.bytes_sent()),
        graph.receiver,
        thousands(graph.data.iter().filter(|d| d.len > 0).count() as u64),
        format_duration(graph.end - graph.start)
    );
    let resent: Vec<f64> = graph
        .marks
        .iter()
        .filter(|m| {
            matches!(m.kind, MarkKind::Retransmission | MarkKind::FastRetransmission | MarkKind::SpuriousRetransmission)
        })
        .map(|m| m.time)
        .collect();
    match resent.as_slice() {
        [] => text.push_str("; no retransmission"),
        [one] => {
            let _ = write!(text, "; 1 retransmission at {}", at(*one));
        }
        many => {
            let (first, last) = (many[0], many[many.len() - 1]);
            let _ = write!(
                text,
                "; {} retransmissions between {} and {}",
                thousands(many.len() as u64),
                at(first),
                at(last)
            );
            let fast = graph.marks_of(MarkKind::FastRetransmission).count() as u64;
            if fast > 0 {
                let _ = write!(text, " ({} fast)", thousands(fast));
            }
        }
    }
    let dups = graph.marks_of(MarkKind::DuplicateAck).count() as u64;
    if dups > 0 {
        let _ = write!(text, ", {} duplicate ACK{}", thousands(dups), plural(dups));
    }
    let closed = graph.zero_windows.len() as u64;
    if closed == 0 {
        text.push_str("; the receive window never closed.");
    } else {
        let total: f64 = graph.zero_windows.iter().map(|p| p.end - p.start).sum();
        let times = match closed {
            1 => "once".to_string(),
            2 => "twice".to_string(),
            n => format!("{} times", thousands(n)),
        };
        let _ = write!(text, "; the receive window closed {times}, for {} in all.", format_duration(total));
    }
    text
}

/// A moment on the time axis, at the precision the axis shows.
pub fn at(seconds: f64) -> String {
    if seconds < 10.0 { format!("{seconds:.2} s") } else { format!("{seconds:.1} s") }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

//! Round-trip times over time, one point per `tcp.analysis.ack_rtt`: the time from a segment to the ACK
//! that covers exactly its end. ACKs of ranges sent more than once are drawn hollow and left out of the
//! figures (Karn's rule: which copy they answer cannot be known).

use super::super::format::coord;
use super::super::layout::{Item, Layout};
use super::Canvas;
use super::axes::{self, Plot, Quantity, Swatch};
use super::bins::{Columns, ranges};
use super::marks;
use crate::dialog::format_duration;
use crate::dialog::graph::{Graph, RttSample};

const R: f64 = 3.0;

fn dot(x: f64, y: f64, class: &'static str) -> Item {
    let d = format!("M{} {}h{}v{}h-{}Z", coord(x - R), coord(y - R), coord(2.0 * R), coord(2.0 * R), coord(2.0 * R));
    Item::Path { d, class }
}

pub fn layout(graph: &Graph, canvas: &Canvas) -> Layout {
    let link = &canvas.links;
    let top = graph.rtt.iter().map(|s| s.rtt).fold(0.0001, f64::max);
    let subtitle = graph.subject();
    let frame = super::frame(
        graph,
        canvas.metrics,
        "Round-trip time",
        &subtitle,
        (Quantity::Duration, 0.0, top),
        "RTT (ACK time − segment time)",
    );
    let plot = Plot::new(&frame);
    let mut items = plot.chrome(&frame);
    let (kept, ambiguous): (Vec<&RttSample>, Vec<&RttSample>) = graph.rtt.iter().partition(|s| !s.ambiguous);
    if super::linked_one_by_one(graph.rtt.len()) {
        for (samples, class, what) in
            [(&ambiguous, "g-karn", "ACK of a resent range (not a sample, Karn's rule)"), (&kept, "g-rtt", "RTT")]
        {
            for s in samples {
                let (x, y) = plot.px(s.time, s.rtt);
                let words = format!("{what} {} (acknowledges frame {})", format_duration(s.rtt), s.acked_frame);
                items.push(marks::linked(graph, s.frame, &words, link, vec![dot(x, y, class)]));
            }
        }
    } else {
        let columns = Columns { left: plot.left, width: 2.0 };
        let bars = ranges(&columns, kept.iter().map(|s| (plot.x.scale.at(s.time), s.rtt, s.rtt)));
        let mut d = String::new();
        for (column, lo, hi) in bars {
            let (y1, y2) = (plot.y.scale.at(lo) + R, plot.y.scale.at(hi) - R);
            let x = columns.centre(column);
            d.push_str(&format!("M{} {}h{}V{}h-{}Z", coord(x - 1.0), coord(y1), coord(2.0), coord(y2), coord(2.0)));
        }
        items.push(Item::Path { d, class: "g-rtt" });
    }
    let mut entries = vec![(Swatch::Area("g-rtt"), format!("RTT sample ({})", kept.len()))];
    if !ambiguous.is_empty() {
        entries.push((Swatch::Area("g-karn"), format!("ACK of a resent range, left out ({})", ambiguous.len())));
    }
    let (legend, height) = axes::legend(&plot, &entries);
    items.extend(legend);
    Layout {
        width: plot.metrics.width,
        height,
        title: format!("{}: {subtitle}", frame.title),
        description: format!(
            "Round-trip times of {subtitle}: {} {}",
            summary(&kept, ambiguous.len()),
            graph.description()
        ),
        items,
    }
}

/// `212 samples from 0.1 ms to 25 ms, median 7.8 ms; 24 ACKs of resent ranges left out (Karn's rule).`
fn summary(kept: &[&RttSample], left_out: usize) -> String {
    let mut values: Vec<f64> = kept.iter().map(|s| s.rtt).collect();
    values.sort_by(f64::total_cmp);
    let mut text = match values.as_slice() {
        [] => "no RTT sample".to_string(),
        [one] => format!("1 sample, {}", format_duration(*one)),
        all => format!(
            "{} samples from {} to {}, median {}",
            all.len(),
            format_duration(all[0]),
            format_duration(all[all.len() - 1]),
            format_duration(all[all.len() / 2])
        ),
    };
    if left_out > 0 {
        text.push_str(&format!("; {left_out} ACKs of resent ranges left out (Karn's rule)"));
    }
    text.push('.');
    text
}

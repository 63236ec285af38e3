//! `inspect --format text`: a packet list like Wireshark's (No., Time, Source, Destination, Protocol, Length, Info).

use super::{info_column, protocol_column};
use crate::analyze::CaptureAnalysis;
use crate::tcp::{Connection, Segment};
use std::fmt::Write as _;

/// Every TCP segment of the selected streams (all when `stream` is `None`), in frame order.
pub fn packet_list(analysis: &CaptureAnalysis, stream: Option<usize>) -> String {
    let mut rows: Vec<(&Connection, &Segment)> = analysis
        .connections
        .iter()
        .filter(|c| stream.is_none_or(|s| c.index == s))
        .flat_map(|c| c.segments.iter().map(move |s| (c, s)))
        .collect();
    rows.sort_by_key(|(_, s)| s.frame);

    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|(conn, seg)| {
            let (src, dst) = conn.ends(seg.dir);
            [
                seg.frame.to_string(),
                format!("{:.6}", seg.time.as_secs_f64()),
                src.ip().to_string(),
                dst.ip().to_string(),
                protocol_column(analysis, conn, seg).to_string(),
                seg.frame_len.to_string(),
                info_column(analysis, conn, seg),
            ]
        })
        .collect();
    let header = ["No.", "Time", "Source", "Destination", "Protocol", "Length", "Info"];
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row.iter()).take(6) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |row: [&str; 7]| {
        let mut text = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            match i {
                0 | 5 => {
                    let _ = write!(text, "{}{cell} ", " ".repeat(pad));
                }
                6 => text.push_str(cell),
                _ => {
                    let _ = write!(text, "{cell}{} ", " ".repeat(pad));
                }
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header);
    for row in &cells {
        line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5], &row[6]]);
    }
    out
}

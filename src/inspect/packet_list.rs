//! `inspect --format text`: a packet list like Wireshark's (No., Time, Source, Destination, Protocol, Length, Info).
//!
//! Rows are written one at a time: a first pass over the segments measures the columns, a second formats and
//! writes each row, so a capture of millions of packets never has its whole listing in memory.

use super::columns;
use crate::analyze::CaptureAnalysis;
use crate::tcp::{Connection, Segment};
use std::io::{self, Write};

const HEADER: [&str; 7] = ["No.", "Time", "Source", "Destination", "Protocol", "Length", "Info"];

/// Writes every TCP segment of the selected streams (all when `stream` is `None`), in frame order.
pub fn write_packet_list(out: &mut dyn Write, analysis: &CaptureAnalysis, stream: Option<usize>) -> io::Result<()> {
    let mut rows: Vec<(&Connection, &Segment)> = analysis
        .connections
        .iter()
        .filter(|c| stream.is_none_or(|s| c.index == s))
        .flat_map(|c| c.segments.iter().map(move |s| (c, s)))
        .collect();
    rows.sort_by_key(|(_, s)| s.frame);

    let views = analysis.segment_views();
    let mut widths: [usize; 6] = std::array::from_fn(|i| HEADER[i].len());
    for &(conn, seg) in &rows {
        let protocol = views.view(conn.index, seg).columns.protocol_column();
        let cells = short_cells(conn, seg, protocol);
        for (width, cell) in widths.iter_mut().zip(&cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    write_row(out, &widths, HEADER.map(String::from))?;
    for &(conn, seg) in &rows {
        let (protocol, info) = columns(&views, conn, seg);
        let [no, time, src, dst, protocol, length] = short_cells(conn, seg, protocol);
        write_row(out, &widths, [no, time, src, dst, protocol, length, info])?;
    }
    Ok(())
}

/// After the list: the notes of the selected streams (why a TLS connection is not decrypted), one a line.
pub fn write_notes(out: &mut dyn Write, analysis: &CaptureAnalysis, stream: Option<usize>) -> io::Result<()> {
    for note in analysis.notes.iter().filter(|n| stream.is_none_or(|s| n.conn == s)) {
        writeln!(out, "note: stream {}, frame {}: {}", note.conn, note.frame, note.summary)?;
    }
    Ok(())
}

/// [`write_packet_list`] into a string.
pub fn packet_list(analysis: &CaptureAnalysis, stream: Option<usize>) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_packet_list(&mut out, analysis, stream);
    String::from_utf8_lossy(&out).into_owned()
}

/// Every column but Info, whose width does not matter (it is last).
fn short_cells(conn: &Connection, seg: &Segment, protocol: &str) -> [String; 6] {
    let (src, dst) = conn.ends(seg.dir);
    [
        seg.frame.to_string(),
        format!("{:.6}", seg.time.as_secs_f64()),
        src.ip().to_string(),
        dst.ip().to_string(),
        protocol.to_string(),
        seg.frame_len.to_string(),
    ]
}

/// Numbers are right-aligned, text left-aligned, as in Wireshark's packet list.
fn write_row(out: &mut dyn Write, widths: &[usize; 6], cells: [String; 7]) -> io::Result<()> {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        let pad = " ".repeat(widths.get(i).map_or(0, |w| w.saturating_sub(cell.chars().count())));
        match i {
            0 | 5 => line.push_str(&format!("{pad}{cell} ")),
            6 => line.push_str(cell),
            _ => line.push_str(&format!("{cell}{pad} ")),
        }
    }
    writeln!(out, "{}", line.trim_end())
}

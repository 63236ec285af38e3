//! `inspect --format json` of a whole capture, written while the capture is read.
//!
//! The analysis runs on a thread of its own and hands each connection over once it is over; this thread puts
//! them back in `tcp.stream` order and writes them, so reading and decoding on one core overlap with writing
//! JSON on the other, and memory holds the open connections and the ended ones waiting for an earlier stream
//! to end, not the whole capture. `capture`, known once the file is read, comes after `streams`; the layout
//! is otherwise the one `serde_json`'s pretty printer gives [`super::InspectJson`].

use super::json::{CaptureJson, WarningJson, capture_json, stream_json};
use crate::analyze::{AnalysedConnection, analyze_stream};
use crate::capture::{CaptureError, CaptureSummary};
use crate::proto::{DecoderOptions, MessageKind};
use crate::tcp::Retention;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::mpsc;

/// Connections handed from the analysis to the writer at most at once: it bounds memory when writing is
/// slower than reading.
const IN_FLIGHT: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error("writing the JSON: {0}")]
    Write(#[from] io::Error),
}

/// Writes the JSON of every stream of `capture` to `out`; returns the capture's summary.
pub fn write_json(
    out: &mut dyn Write,
    capture: &Path,
    options: &DecoderOptions,
) -> Result<CaptureSummary, InspectError> {
    let file = File::open(capture).map_err(|source| CaptureError::Open { path: capture.to_path_buf(), source })?;
    let (to_writer, from_analysis) = mpsc::sync_channel::<AnalysedConnection>(IN_FLIGHT);
    let (path, options) = (capture.to_path_buf(), options.clone());
    let analysis = std::thread::spawn(move || {
        analyze_stream(path, file, &options, Retention::all(), &mut |c| match to_writer.send(c) {
            Ok(()) => ControlFlow::Continue(()),
            // The writer gave up (a closed pipe): no use reading on.
            Err(_) => ControlFlow::Break(()),
        })
    });
    let mut connections = from_analysis.into_iter().peekable();
    // A file that is no capture fails before anything is written.
    if connections.peek().is_none() {
        let summary = analysis.join().expect("the analysis thread does not panic")?;
        write_document(out, std::iter::empty(), summary.summary.clone())?;
        return Ok(summary.summary);
    }
    let mut late = Vec::new();
    let written = write_streams(out, connections, &mut late);
    let streamed = analysis.join().expect("the analysis thread does not panic")?;
    written?;
    let mut capture = capture_json(&streamed.summary);
    capture.warnings.extend(late);
    write_capture(out, &capture)?;
    Ok(streamed.summary)
}

/// `{"streams": [...]` from the connections, in `tcp.stream` order. A part of a stream that comes after the
/// stream was written (a segment more than a second after it was over) becomes a warning in `late`.
fn write_streams(
    out: &mut dyn Write,
    connections: impl Iterator<Item = AnalysedConnection>,
    late: &mut Vec<WarningJson>,
) -> io::Result<()> {
    out.write_all(b"{\n  \"streams\": [")?;
    let mut waiting: BTreeMap<usize, AnalysedConnection> = BTreeMap::new();
    let mut next = 0;
    for c in connections {
        let index = c.connection.index;
        if index < next {
            late.push(late_warning(&c));
            continue;
        }
        match waiting.get_mut(&index) {
            Some(first) => {
                first.connection.absorb(c.connection);
                first.decoded.messages.extend(c.decoded.messages);
            }
            None => {
                waiting.insert(index, c);
            }
        }
        while let Some(ready) = waiting.remove(&next) {
            out.write_all(if next == 0 { b"\n    " } else { b",\n    " })?;
            write_stream(out, &ready)?;
            next += 1;
        }
    }
    // Streams whose connections all ended at once at the end of the capture, in order.
    for ready in waiting.into_values() {
        out.write_all(if next == 0 { b"\n    " } else { b",\n    " })?;
        write_stream(out, &ready)?;
        next += 1;
    }
    out.write_all(if next == 0 { b"]" } else { b"\n  ]" })
}

fn late_warning(c: &AnalysedConnection) -> WarningJson {
    let frame = c.connection.segments.first().map_or(0, |s| s.frame);
    let segments = c.connection.total_packets();
    WarningJson {
        frame,
        message: format!(
            "stream {}: {segments} segment(s) came after the stream was over and written; they are not listed",
            c.connection.index
        ),
    }
}

fn write_stream(out: &mut dyn Write, c: &AnalysedConnection) -> io::Result<()> {
    let (notes, messages): (Vec<_>, Vec<_>) =
        c.decoded.messages.iter().partition(|m| matches!(m.kind, MessageKind::Note { .. }));
    let json = stream_json(&c.connection, messages, notes);
    let text = serde_json::to_vec_pretty(&json).map_err(io::Error::from)?;
    write_indented(out, &text, b"    ")
}

fn write_capture(out: &mut dyn Write, capture: &CaptureJson) -> io::Result<()> {
    let text = serde_json::to_vec_pretty(capture).map_err(io::Error::from)?;
    out.write_all(b",\n  \"capture\": ")?;
    write_indented(out, &text, b"  ")?;
    out.write_all(b"\n}\n")
}

/// The whole document at once: for a capture without connections.
fn write_document(
    out: &mut dyn Write,
    connections: impl Iterator<Item = AnalysedConnection>,
    summary: CaptureSummary,
) -> io::Result<()> {
    let mut late = Vec::new();
    write_streams(out, connections, &mut late)?;
    write_capture(out, &capture_json(&summary))
}

/// `text` with `indent` after each line break (its first line starts where the caller is).
fn write_indented(out: &mut dyn Write, text: &[u8], indent: &[u8]) -> io::Result<()> {
    let mut lines = text.split(|&b| b == b'\n');
    if let Some(first) = lines.next() {
        out.write_all(first)?;
    }
    for line in lines {
        out.write_all(b"\n")?;
        out.write_all(indent)?;
        out.write_all(line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze_file;
    use crate::inspect::to_json;

    /// The document as [`write_json`] writes it and as serde_json prints the whole analysis's (streams first).
    fn both(capture: &str) -> (String, String) {
        #[derive(serde::Serialize)]
        struct StreamsFirst<'a> {
            streams: &'a [crate::inspect::json::StreamJson<'a>],
            capture: &'a CaptureJson,
        }
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(capture);
        let mut out = Vec::new();
        write_json(&mut out, &path, &DecoderOptions::default()).unwrap();
        let analysis = analyze_file(&path, &DecoderOptions::default()).unwrap();
        let whole = to_json(&analysis, None);
        let expected = serde_json::to_string_pretty(&StreamsFirst { streams: &whole.streams, capture: &whole.capture });
        (String::from_utf8(out).unwrap(), expected.unwrap() + "\n")
    }

    #[test]
    fn written_as_it_is_read_it_is_the_whole_analysis_s_document() {
        for capture in ["captures/page-load.pcap", "captures/tls13.pcap", "tests/fixtures/tcp/port-reuse.pcap"] {
            let (streamed, whole) = both(capture);
            assert!(streamed == whole, "{capture}: the streamed JSON differs:\n{streamed}");
        }
    }

    #[test]
    fn not_a_capture_fails_before_anything_is_written() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/not-a-capture.txt");
        let mut out = Vec::new();
        assert!(matches!(write_json(&mut out, &path, &DecoderOptions::default()), Err(InspectError::Capture(_))));
        assert!(out.is_empty());
    }
}

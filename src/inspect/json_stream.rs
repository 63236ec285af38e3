//! `inspect --format json` of a whole capture, written while the capture is read.
//!
//! Each connection is handed over once it is over ([`analyze_stream`], on the decoding core), put back in
//! `tcp.stream` order and written straight into the output, so memory holds the open connections and the
//! ended ones waiting for an earlier stream to end, not the whole capture. `capture`, known once the file is
//! read, comes after `streams`; the layout is otherwise the one serde_json's pretty printer gives
//! [`super::InspectJson`].

use super::json::{WarningJson, capture_json, stream_json};
use super::pretty::write_nested;
use crate::analyze::{AnalysedConnection, analyze_stream};
use crate::capture::{CaptureError, CaptureSummary};
use crate::proto::{DecoderOptions, MessageKind};
use crate::tcp::Retention;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write};
use std::ops::ControlFlow;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error("writing the JSON: {0}")]
    Write(#[from] io::Error),
}

/// Writes the JSON of every stream of `capture` to `out`; returns the capture's summary. Nothing is written
/// for a file that is not a capture.
pub fn write_json(
    out: &mut dyn Write,
    capture: &Path,
    options: &DecoderOptions,
) -> Result<CaptureSummary, InspectError> {
    let file = File::open(capture).map_err(|cause| CaptureError::Open { path: capture.to_path_buf(), cause })?;
    let mut streams =
        Streams { out, buffer: Vec::new(), waiting: BTreeMap::new(), next: 0, late: Vec::new(), error: None };
    let streamed = analyze_stream(capture, file, options, Retention::all(), &mut |c| streams.add(c))?;
    let summary = streamed.summary;
    streams.finish(&summary)?;
    Ok(summary)
}

/// The streams on their way out, in `tcp.stream` order.
struct Streams<'o> {
    out: &'o mut dyn Write,
    /// A stream's JSON, made here and written at once.
    buffer: Vec<u8>,
    /// Connections over, waiting for an earlier stream.
    waiting: BTreeMap<usize, AnalysedConnection>,
    /// The next stream to write.
    next: usize,
    /// Parts of streams that came after the stream was written (a segment more than a second after it was
    /// over): warnings.
    late: Vec<WarningJson>,
    error: Option<io::Error>,
}

impl Streams<'_> {
    fn add(&mut self, c: AnalysedConnection) -> ControlFlow<()> {
        let index = c.connection.index;
        if index < self.next {
            self.late.push(late_warning(&c));
            return ControlFlow::Continue(());
        }
        match self.waiting.get_mut(&index) {
            Some(first) => {
                first.connection.absorb(c.connection);
                first.decoded.messages.extend(c.decoded.messages);
            }
            None => {
                self.waiting.insert(index, c);
            }
        }
        while let Some(ready) = self.waiting.remove(&self.next) {
            if let Err(error) = self.write(&ready) {
                // Nothing more can be written (a closed pipe): stop reading.
                self.error = Some(error);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }

    fn write(&mut self, c: &AnalysedConnection) -> io::Result<()> {
        self.buffer.clear();
        self.buffer.extend_from_slice(if self.next == 0 { b"{\n  \"streams\": [\n    " } else { b",\n    " });
        self.next += 1;
        let (notes, messages): (Vec<_>, Vec<_>) =
            c.decoded.messages.iter().partition(|m| matches!(m.kind, MessageKind::Note { .. }));
        write_nested(&mut self.buffer, &stream_json(&c.connection, messages, notes), 2)?;
        self.out.write_all(&self.buffer)
    }

    /// The streams still waiting (all over at the end of the capture), then `capture`.
    fn finish(mut self, summary: &CaptureSummary) -> io::Result<()> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        for ready in std::mem::take(&mut self.waiting).into_values() {
            self.write(&ready)?;
        }
        self.out.write_all(if self.next == 0 { b"{\n  \"streams\": []" } else { b"\n  ]" })?;
        let mut capture = capture_json(summary);
        capture.warnings.append(&mut self.late);
        self.buffer.clear();
        self.buffer.extend_from_slice(b",\n  \"capture\": ");
        write_nested(&mut self.buffer, &capture, 1)?;
        self.buffer.extend_from_slice(b"\n}\n");
        self.out.write_all(&self.buffer)
    }
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
            capture: &'a crate::inspect::json::CaptureJson,
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
